package io.github.ringloss4j.app.report;

import io.github.ringloss4j.app.io.JsonFiles;
import io.github.ringloss4j.app.train.EpochMetrics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Whether the schedule was long enough: each method's validation accuracy (on the share of the
 * training images held out) by epoch, read from its runs' {@code metrics.json}, as a table and a
 * plot. A curve still rising at the last epoch says the runs stopped before converging.
 */
public final class ScheduleCurves {

  private ScheduleCurves() {}

  /**
   * Reads the runs' per-epoch metrics and writes {@code results/validation_curve.png}.
   *
   * @param runs each method's run directories, in table order; runs without {@code metrics.json}
   *     are left out (a summary can outlive its run's other files)
   * @param reportDir where {@code results.md} goes
   * @param title what the runs are, e.g. "closed set"
   * @return the section's Markdown, or the empty string when no run has its metrics
   * @throws IOException if a metrics file cannot be read or the plot written
   */
  public static String section(Map<String, List<Path>> runs, Path reportDir, String title)
      throws IOException {
    Map<String, List<double[]>> curves = new LinkedHashMap<>();
    int epochs = 0;
    for (Map.Entry<String, List<Path>> method : runs.entrySet()) {
      List<double[]> mine = new ArrayList<>();
      for (Path dir : method.getValue()) {
        Path file = dir.resolve("metrics.json");
        if (!Files.isRegularFile(file)) {
          continue;
        }
        EpochMetrics[] history = JsonFiles.read(file, EpochMetrics[].class);
        double[] acc = new double[history.length];
        for (int e = 0; e < history.length; e++) {
          acc[e] = history[e].valAccuracy();
        }
        mine.add(acc);
        epochs = Math.max(epochs, acc.length);
      }
      if (!mine.isEmpty()) {
        curves.put(method.getKey(), mine);
      }
    }
    if (curves.isEmpty()) {
      return "";
    }
    StringBuilder md = new StringBuilder();
    md.append("## The schedule: validation accuracy by epoch, ")
        .append(title)
        .append(
            "\n\nClassification accuracy on the 10 % of the training images each run holds out,")
        .append(
            " mean ± std over the runs (n in the header); with the cosine schedule the learning")
        .append(" rate falls from its base value to 1 % of it at the last step, not to zero. A")
        .append(" curve that has flattened before the end says the")
        .append(" epochs were enough for the schedule.\n\n| epoch |");
    StringBuilder rule = new StringBuilder("|---|");
    for (Map.Entry<String, List<double[]>> c : curves.entrySet()) {
      md.append(' ').append(c.getKey()).append(" (n = ").append(c.getValue().size()).append(") |");
      rule.append("---|");
    }
    md.append('\n').append(rule).append('\n');
    List<Plots.Series> lines = new ArrayList<>();
    Map<String, double[]> means = new LinkedHashMap<>();
    for (Map.Entry<String, List<double[]>> c : curves.entrySet()) {
      means.put(c.getKey(), new double[epochs]);
    }
    for (int e = 0; e < epochs; e++) {
      md.append("| ").append(e + 1).append(" |");
      for (Map.Entry<String, List<double[]>> c : curves.entrySet()) {
        List<Double> values = new ArrayList<>();
        for (double[] curve : c.getValue()) {
          if (e < curve.length && Double.isFinite(curve[e])) {
            values.add(curve[e]);
          }
        }
        if (values.isEmpty()) {
          md.append(" — |");
          means.get(c.getKey())[e] = Double.NaN;
          continue;
        }
        MeanStd ms = MeanStd.of(values);
        means.get(c.getKey())[e] = ms.mean();
        md.append(' ').append(ms.format("%.4f")).append(" |");
      }
      md.append('\n');
    }
    for (Map.Entry<String, double[]> m : means.entrySet()) {
      // Each curve as long as its runs: a longer schedule's check runs past the grid's epochs.
      int n = 0;
      while (n < epochs && Double.isFinite(m.getValue()[n])) {
        n++;
      }
      if (n > 0) {
        double[] x = new double[n];
        for (int e = 0; e < n; e++) {
          x[e] = e + 1;
        }
        lines.add(new Plots.Series(m.getKey(), x, Arrays.copyOf(m.getValue(), n)));
      }
    }
    FigureFiles plots = new FigureFiles(reportDir, null);
    if (!lines.isEmpty()) {
      Plots.lines(
          plots.file("validation_curve.png"),
          "Validation accuracy by epoch (" + title + "), mean over runs",
          "epoch",
          "validation accuracy",
          lines);
      md.append('\n').append(plots.link("validation curve", "validation_curve.png")).append('\n');
    }
    return md.append('\n').toString();
  }
}
