package io.github.ringloss4j.app.report;

import io.github.ringloss4j.app.eval.Method;
import io.github.ringloss4j.app.eval.OpenSetSearch;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.ToDoubleFunction;

/**
 * The face protocol's part of {@code results.md}: the 1:1 figures per quality stratum, the open-set
 * 1:N figures, the mean ‖f‖ per recorded degradation level, the {@code .bin} sets, and the paired
 * effects on them with Holm-adjusted p-values.
 */
final class FaceMarkdown {

  private FaceMarkdown() {}

  /**
   * The face metrics the effects table compares, by name; each reads a run's {@link FaceFigures}.
   *
   * @param strata the strata's names
   * @return the metrics, in column order
   */
  static Map<String, ToDoubleFunction<RunResult>> metrics(List<String> strata) {
    Map<String, ToDoubleFunction<RunResult>> out = new LinkedHashMap<>();
    for (String s : strata) {
      out.put(s + " acc.", r -> stratum(r, s, FaceFigures.Stratum::foldAccuracy));
    }
    out.put("TAR@FAR=1e-4", r -> r.face().tar4());
    out.put("FNIR@FPIR=0.01", r -> r.face().openSet().fnir());
    if (strata.size() > 1) {
      out.put("FNIR, low probes", r -> r.face().openSet().fnirLow());
    }
    return out;
  }

  /**
   * Appends the face protocol's tables and writes their plots.
   *
   * @param section the protocol's section
   * @throws IOException if a plot cannot be written
   */
  static void write(ProtocolMarkdown.Section section) throws IOException {
    ProtocolResults results = section.results();
    List<Method> methods = section.methods();
    StringBuilder md = section.md();
    FaceFigures first = results.runs().get(0).face();
    List<String> strata = first.strata().stream().map(FaceFigures.Stratum::name).toList();
    String kFold = results.kFold();

    md.append("\n" + section.heading("1:1 verification by quality stratum") + "\n\n");
    md.append(
        "Every method on the same pairs; the strata by the images' recorded degradation (high:"
            + " clean, low: degraded), not by any method's norms. "
            + kFold
            + " accuracy with each pair judged at its fold's threshold (chosen on the other"
            + " folds of all pairs), TAR at FAR = 1e-3 within the stratum's own pairs; mean ± std"
            + " over seeds.\n\n| method |");
    for (String s : strata) {
      md.append(' ').append(s).append(" acc. |");
    }
    for (String s : strata) {
      md.append(' ').append(s).append(" TAR@1e-3 |");
    }
    md.append(" all TAR@1e-4 |\n|---|").append("---|".repeat(2 * strata.size() + 1)).append('\n');
    List<Plots.Series2> bars = new ArrayList<>();
    double[][] means = new double[strata.size()][methods.size()];
    double[][] stds = new double[strata.size()][methods.size()];
    for (int m = 0; m < methods.size(); m++) {
      List<RunResult> mine = results.of(methods.get(m).name());
      md.append("| ").append(methods.get(m).name()).append(" |");
      for (int s = 0; s < strata.size(); s++) {
        String name = strata.get(s);
        MeanStd acc = MeanStd.over(mine, r -> stratum(r, name, FaceFigures.Stratum::foldAccuracy));
        // Plotted as the error rate: accuracies of 0.95-0.98 on a 0-1 axis hide every difference.
        means[s][m] = finite(1 - acc.mean());
        stds[s][m] = finite(acc.std());
        md.append(' ').append(acc.format("%.4f")).append(" |");
      }
      for (String name : strata) {
        md.append(' ')
            .append(
                MeanStd.over(mine, r -> stratum(r, name, FaceFigures.Stratum::tar3)).format("%.4f"))
            .append(" |");
      }
      md.append(' ').append(MeanStd.over(mine, r -> r.face().tar4()).format("%.4f")).append(" |\n");
    }
    for (int s = 0; s < strata.size(); s++) {
      bars.add(new Plots.Series2(strata.get(s), means[s], stds[s]));
    }
    List<String> names = methods.stream().map(Method::name).toList();
    Plots.bars(
        section.plots().file("strata.png"),
        kFold + " error (1 − accuracy) by quality stratum, mean ± std over seeds",
        "error rate",
        names,
        bars);
    md.append("\n").append(section.plots().link("strata", "strata.png")).append("\n\n");

    md.append("\n" + section.heading("Open-set 1:N identification") + "\n\n");
    md.append(
        "FNIR at FPIR = "
            + OpenSetSearch.FPIR
            + ": one threshold per run, set on the best gallery scores of the non-mated probes;"
            + " FNIR over all mated probes and over the high- and low-quality ones at that"
            + " threshold (mean ± std over seeds; lower is better).\n\n"
            + "| method | FNIR | FNIR, high probes | FNIR, low probes | FPIR reached |\n"
            + "|---|---|---|---|---|\n");
    for (Method method : methods) {
      List<RunResult> mine = results.of(method.name());
      md.append(
          String.format(
              Locale.ROOT,
              "| %s | %s | %s | %s | %s |%n",
              method.name(),
              MeanStd.over(mine, r -> r.face().openSet().fnir()).format("%.4f"),
              MeanStd.over(mine, r -> r.face().openSet().fnirHigh()).format("%.4f"),
              MeanStd.over(mine, r -> r.face().openSet().fnirLow()).format("%.4f"),
              MeanStd.over(mine, r -> r.face().openSet().fpir()).format("%.4f")));
    }
    normByLevel(section, names);
    binSets(section);
    effects(section, strata);
  }

  /** Mean ‖f‖ per degradation level, a table and a plot; nothing without quality records. */
  private static void normByLevel(ProtocolMarkdown.Section section, List<String> names)
      throws IOException {
    ProtocolResults results = section.results();
    TreeSet<Integer> levels = new TreeSet<>();
    results.runs().forEach(r -> levels.addAll(r.face().normByLevel().keySet()));
    if (levels.isEmpty()) {
      return;
    }
    StringBuilder md = section.md();
    md.append(
        "\n"
            + section.heading("Mean ‖f‖ by recorded degradation level")
            + "\n\nLevel 0 is clean; higher levels are more degraded (see the data set's"
            + " quality.csv). The last column is the mean ‖f‖ at the most degraded level over that"
            + " of clean images: where softmax norms collapse on low-quality images, this falls"
            + " below 1.\n\n| method |");
    for (int level : levels) {
      md.append(" level ").append(level).append(" |");
    }
    md.append(" worst / clean |\n|---|").append("---|".repeat(levels.size() + 1)).append('\n');
    List<Plots.Series> lines = new ArrayList<>();
    int clean = levels.first();
    for (String name : names) {
      List<RunResult> mine = results.of(name);
      md.append("| ").append(name).append(" |");
      double[] x = new double[levels.size()];
      double[] y = new double[levels.size()];
      int i = 0;
      for (int level : levels) {
        MeanStd n = MeanStd.over(mine, r -> r.face().normAt(level));
        md.append(' ').append(n.format("%.2f")).append(" |");
        x[i] = level;
        // Plotted relative to clean images: the methods' norms differ by an order of magnitude,
        // their fall with degradation is the story.
        y[i++] =
            finite(MeanStd.over(mine, r -> r.face().normAt(level) / r.face().normAt(clean)).mean());
      }
      md.append(' ')
          .append(MeanStd.over(mine, FaceMarkdown::worstOverClean).format("%.3f"))
          .append(" |\n");
      lines.add(new Plots.Series(name, x, y));
    }
    Plots.lines(
        section.plots().file("norm_by_level.png"),
        "Mean feature norm by recorded degradation level, relative to clean images",
        "degradation level (0: clean)",
        "mean ||f|| / mean ||f|| of clean images",
        lines);
    md.append("\n")
        .append(section.plots().link("norm by level", "norm_by_level.png"))
        .append("\n\n");
  }

  /** The {@code .bin} sets' accuracy; nothing without sets. */
  private static void binSets(ProtocolMarkdown.Section section) {
    ProtocolResults results = section.results();
    List<String> sets = new ArrayList<>(results.runs().get(0).face().bins().keySet());
    if (sets.isEmpty()) {
      return;
    }
    StringBuilder md = section.md();
    md.append(
        "\n"
            + section.heading("Verification sets")
            + "\n\nInsightFace's protocol (10-fold accuracy), mean ± std over seeds.\n\n| method |");
    sets.forEach(s -> md.append(' ').append(s).append(" |"));
    md.append("\n|---|").append("---|".repeat(sets.size())).append('\n');
    for (Method method : section.methods()) {
      List<RunResult> mine = results.of(method.name());
      md.append("| ").append(method.name()).append(" |");
      for (String set : sets) {
        md.append(' ')
            .append(
                MeanStd.over(mine, r -> r.face().bins().getOrDefault(set, Double.NaN))
                    .format("%.4f"))
            .append(" |");
      }
      md.append('\n');
    }
  }

  /** The paired effects on the face metrics, with p and Holm's adjustment. */
  private static void effects(ProtocolMarkdown.Section section, List<String> strata) {
    ProtocolResults results = section.results();
    Map<String, ToDoubleFunction<RunResult>> metrics = metrics(strata);
    List<String[]> contrasts = Contrasts.of(section.methods());
    if (contrasts.isEmpty()) {
      return;
    }
    List<PairedEffects.Effect> effects = new ArrayList<>();
    for (String[] c : contrasts) {
      metrics.forEach(
          (name, metric) -> effects.add(Contrasts.effect(results, c[0], c[1], name, metric)));
    }
    double[] holm = Contrasts.holm(effects);
    StringBuilder md = section.md();
    md.append(
        "\n"
            + section.heading("Effect sizes on the face metrics")
            + " (method − baseline, paired by seed)\n\n"
            + "Each cell: the mean paired difference, its 95 % t interval, and the paired t"
            + " test's p with, in parentheses, Holm's adjustment over the family of comparisons"
            + " with softmax on that metric. For FNIR a negative difference is an improvement.\n\n"
            + "| method | baseline | n |");
    metrics.keySet().forEach(k -> md.append(" Δ ").append(k).append(" |"));
    md.append("\n|---|---|---|").append("---|".repeat(metrics.size())).append('\n');
    int perContrast = metrics.size();
    for (int c = 0; c < contrasts.size(); c++) {
      PairedEffects.Effect head = effects.get(c * perContrast);
      md.append(
          String.format(Locale.ROOT, "| %s | %s | %d |", head.method(), head.baseline(), head.n()));
      for (int k = 0; k < perContrast; k++) {
        int i = c * perContrast + k;
        PairedEffects.Effect e = effects.get(i);
        md.append(' ')
            .append(e.format("%.4f"))
            .append(e.n() > 1 ? " p " + EffectsMarkdown.pValues(e.p(), holm[i]) : "")
            .append(" |");
      }
      md.append('\n');
    }
    md.append('\n');
  }

  /**
   * A run's mean ‖f‖ at its most degraded level over that at the clean level.
   *
   * @param r the run
   * @return the ratio, NaN without quality records
   */
  static double worstOverClean(RunResult r) {
    TreeSet<Integer> levels = new TreeSet<>(r.face().normByLevel().keySet());
    return levels.size() < 2
        ? Double.NaN
        : r.face().normAt(levels.last()) / r.face().normAt(levels.first());
  }

  /** A stratum's figure of a run, NaN when the run lacks the stratum. */
  private static double stratum(
      RunResult r, String name, ToDoubleFunction<FaceFigures.Stratum> metric) {
    FaceFigures.Stratum s = r.face().stratum(name);
    return s == null ? Double.NaN : metric.applyAsDouble(s);
  }

  private static double finite(double v) {
    return Double.isFinite(v) ? v : 0;
  }

  /** Whether a protocol's runs are the face protocol's. */
  static boolean isFace(ProtocolResults results) {
    return results.runs().get(0).face() != null;
  }
}
