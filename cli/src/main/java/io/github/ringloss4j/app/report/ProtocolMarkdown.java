package io.github.ringloss4j.app.report;

import io.github.ringloss4j.app.eval.Method;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One protocol's part of {@code results.md}, with its plots and CSV files: the results table,
 * low-resolution matching, the effect sizes ({@link EffectsMarkdown}) and the norm–resolution story
 * ({@link NormMarkdown}).
 */
public final class ProtocolMarkdown {

  private ProtocolMarkdown() {}

  /**
   * Writes one protocol's {@code compare.csv} and {@code compare_effects.csv} and its plots, and
   * returns its Markdown.
   *
   * @param results the protocol's runs
   * @param methods the methods, in table order
   * @param csvDir where {@code compare.csv} and {@code compare_effects.csv} go
   * @param reportDir where {@code results.md} goes; the plots go to its {@code results/}
   * @param labelled whether the report has several protocols, so that headings and plot files name
   *     this one
   * @return the Markdown
   * @throws IOException if writing fails
   */
  public static String section(
      ProtocolResults results, List<Method> methods, Path csvDir, Path reportDir, boolean labelled)
      throws IOException {
    ComparisonCsv.writeRuns(results, csvDir);
    String label = labelled ? results.label() : null;
    Section section =
        new Section(
            results, methods, new FigureFiles(reportDir, label), new StringBuilder(), label);
    results(section);
    List<PairedEffects.Effect> effects = Contrasts.effects(results, methods);
    ComparisonCsv.writeEffects(effects, csvDir);
    EffectsMarkdown.write(effects, section);
    if (FaceMarkdown.isFace(results)) {
      // Its norms are told by recorded degradation level, the same images for every method.
      FaceMarkdown.write(section);
    } else {
      NormMarkdown.write(section);
    }
    return section.md().toString();
  }

  /**
   * What each part of a protocol's section works on.
   *
   * @param results the protocol's runs
   * @param methods the methods, in table order
   * @param plots where the plots go
   * @param md the Markdown being written
   * @param label the protocol's name, or null when the report has a single protocol
   */
  record Section(
      ProtocolResults results,
      List<Method> methods,
      FigureFiles plots,
      StringBuilder md,
      String label) {

    /**
     * A level-2 heading, with the protocol's name when the report has several.
     *
     * @param title the heading
     * @return the heading line, without its line break
     */
    String heading(String title) {
      return "## " + title + (label == null ? "" : ", " + label);
    }
  }

  /** The results table, the low-resolution table and their plots. */
  private static void results(Section section) throws IOException {
    ProtocolResults results = section.results();
    List<Method> methods = section.methods();
    FigureFiles plots = section.plots();
    StringBuilder md = section.md();
    List<Integer> sides = results.sides();
    String kFold = results.kFold();
    boolean open = results.open();
    md.append(
        open
            ? "\n"
                + section.heading("Results")
                + " (mean ± std over runs: seeds × held-out folds)\n\n"
            : "\n" + section.heading("Results") + " (mean ± std over seeds)\n\n");
    md.append(
        (open ? "| method | runs | accuracy | " : "| method | seeds | accuracy | ")
            + kFold
            + " acc. | TAR@FAR=1e-3 | AUC | mean ‖f‖ | CV ‖f‖ | R | train time (s) |\n");
    md.append("|---|---|---|---|---|---|---|---|---|---|\n");
    double[] accMeans = new double[methods.size()];
    double[] accStds = new double[methods.size()];
    List<String> names = new ArrayList<>();
    List<Plots.Series> lowLines = new ArrayList<>();
    for (int m = 0; m < methods.size(); m++) {
      String name = methods.get(m).name();
      names.add(name);
      List<RunResult> mine = results.of(name);
      md.append(
          String.format(
              Locale.ROOT,
              "| %s | %d | %s | %s | %s | %s | %s | %s | %s | %s |%n",
              name,
              mine.size(),
              MeanStd.over(mine, RunResult::accuracy).format("%.4f"),
              MeanStd.over(mine, RunResult::foldAccuracy).format("%.4f"),
              MeanStd.over(mine, RunResult::tar3).format("%.4f"),
              MeanStd.over(mine, RunResult::auc).format("%.4f"),
              MeanStd.over(mine, RunResult::normMean).format("%.2f"),
              MeanStd.over(mine, RunResult::normCv).format("%.3f"),
              MeanStd.over(mine, RunResult::radius).format("%.2f"),
              MeanStd.over(mine, RunResult::seconds).format("%.0f")));
      MeanStd acc = MeanStd.over(mine, RunResult::foldAccuracy);
      accMeans[m] = acc.mean();
      accStds[m] = acc.std();
      double[] x = new double[sides.size()];
      double[] y = new double[sides.size()];
      for (int i = 0; i < sides.size(); i++) {
        int side = sides.get(i);
        x[i] = side;
        y[i] = MeanStd.over(mine, r -> r.lowResolutionAt(side)).mean();
      }
      lowLines.add(new Plots.Series(name, x, y));
    }
    Plots.bars(
        plots.file("verification.png"),
        kFold + " verification accuracy (cosine), mean ± std over seeds",
        "accuracy",
        names,
        List.of(new Plots.Series2(kFold + " verification accuracy", accMeans, accStds)));
    if (sides.size() > 1) {
      Plots.lines(
          plots.file("low_resolution.png"),
          "Full-resolution vs low-resolution probes: " + kFold + " accuracy",
          "probe side (pixels)",
          "accuracy",
          lowLines);
    }

    md.append("\n").append(plots.link("verification", "verification.png")).append("\n\n");
    if (sides.size() < 2) {
      return;
    }
    md.append(
        "\n"
            + section.heading("Low-resolution matching")
            + " ("
            + kFold
            + (open
                ? " accuracy, mean ± std over runs)\n\n"
                : " accuracy, mean ± std over seeds)\n\n"));
    md.append(sideColumns(sides));
    for (Method method : methods) {
      List<RunResult> mine = results.of(method.name());
      md.append("| ").append(method.name()).append(" |");
      for (int side : sides) {
        md.append(' ')
            .append(MeanStd.over(mine, r -> r.lowResolutionAt(side)).format("%.4f"))
            .append(" |");
      }
      md.append('\n');
    }
    md.append("\n").append(plots.link("low resolution", "low_resolution.png")).append("\n\n");
  }

  /**
   * The header and rule of a table with a column per probe side.
   *
   * @param sides the sides
   * @return e.g. "| method | 28 px | 7 px |\n|---|---|---|\n"
   */
  static String sideColumns(List<Integer> sides) {
    StringBuilder md = new StringBuilder("| method |");
    for (int side : sides) {
      md.append(' ').append(side).append(" px |");
    }
    return md.append("\n|---|").append("---|".repeat(sides.size())).append('\n').toString();
  }
}
