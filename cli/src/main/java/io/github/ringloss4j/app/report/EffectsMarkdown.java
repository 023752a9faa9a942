package io.github.ringloss4j.app.report;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The effect sizes of one protocol in {@code results.md}: a table of intervals and a bar plot. */
final class EffectsMarkdown {

  private EffectsMarkdown() {}

  /**
   * Appends the effect-size table and writes {@code effects.png}; nothing when there is no
   * contrast.
   *
   * @param effects the effects, {@link Contrasts#METRICS} per contrast ({@link Contrasts#effects})
   * @param section the protocol's section
   * @throws IOException if the plot cannot be written
   */
  static void write(List<PairedEffects.Effect> effects, ProtocolMarkdown.Section section)
      throws IOException {
    if (effects.isEmpty()) {
      return;
    }
    ProtocolResults results = section.results();
    StringBuilder md = section.md();
    boolean open = results.open();
    String kFold = results.kFold();
    md.append(
        section.heading("Effect sizes")
            + " (method − baseline, paired by "
            + (open ? "seed and held-out fold" : "seed")
            + ")\n\n"
            + "The mean of the paired differences over the n runs both have (same seed"
            + (open ? " and held-out classes" : "")
            + ", so the same data in the same order), with a 95 % Student t interval (t quantile"
            + " for n − 1 degrees of freedom, times the standard error of the differences). An"
            + " interval that excludes 0 is a difference the seeds do not explain. p is the paired"
            + " t test's two-sided p-value; in parentheses, Holm's adjustment for the family of"
            + " comparisons with softmax on that metric (every method against softmax), which"
            + " bounds the chance of any false positive among them at the level read. Per-run"
            + " differences against softmax are in compare.csv, the intervals and p-values in"
            + " compare_effects.csv.\n\n");
    String smallest = effects.get(3).metric().replace("kfold_accuracy_", "");
    // Without probe sides the smallest side is the full one: its column would repeat the first.
    boolean probed = results.sides().size() > 1;
    double[] holm = Contrasts.holm(effects);
    md.append(
        "| method | baseline | n | Δ "
            + kFold
            + " acc. [95 % CI] | p (Holm) | Δ TAR@FAR=1e-3 | Δ AUC |"
            + (probed ? " Δ " + kFold + " acc. at " + smallest.replace("px", " px") + " |" : "")
            + "\n");
    md.append("|---|---|---|---|---|---|---|" + (probed ? "---|" : "") + "\n");
    int contrasts = effects.size() / Contrasts.METRICS;
    List<String> names = new ArrayList<>();
    double[] means = new double[contrasts];
    double[] errors = new double[contrasts];
    for (int c = 0; c < contrasts; c++) {
      List<PairedEffects.Effect> mine =
          effects.subList(c * Contrasts.METRICS, (c + 1) * Contrasts.METRICS);
      PairedEffects.Effect acc = mine.get(0);
      md.append(
          String.format(
              Locale.ROOT,
              "| %s | %s | %d | %s | %s | %s | %s |%s%n",
              acc.method(),
              acc.baseline(),
              acc.n(),
              acc.format("%.4f"),
              pValues(acc.p(), holm[c * Contrasts.METRICS]),
              mine.get(1).format("%.4f"),
              mine.get(2).format("%.4f"),
              probed ? " " + mine.get(3).format("%.4f") + " |" : ""));
      names.add(acc.method() + " − " + acc.baseline());
      means[c] = Double.isFinite(acc.mean()) ? acc.mean() : 0;
      errors[c] = Double.isFinite(acc.halfWidth()) ? acc.halfWidth() : 0;
    }
    plot(section, names, means, errors);
  }

  /**
   * A p-value and its Holm adjustment as the table shows them.
   *
   * @param p the p-value
   * @param holm the adjusted one, NaN outside the family
   * @return e.g. "0.012 (0.048)", "0.31" outside the family, "—" without a test
   */
  static String pValues(double p, double holm) {
    if (Double.isNaN(p)) {
      return "—";
    }
    String own = p < 0.001 ? "<0.001" : String.format(Locale.ROOT, "%.3f", p);
    if (Double.isNaN(holm)) {
      return own;
    }
    return own + " (" + (holm < 0.001 ? "<0.001" : String.format(Locale.ROOT, "%.3f", holm)) + ")";
  }

  private static void plot(
      ProtocolMarkdown.Section section, List<String> names, double[] means, double[] errors)
      throws IOException {
    String kFold = section.results().kFold();
    Plots.bars(
        section.plots().file("effects.png"),
        "Paired difference in " + kFold + " verification accuracy, 95 % t interval",
        "accuracy difference",
        names,
        List.of(new Plots.Series2("mean difference", means, errors)));
    section
        .md()
        .append("\n")
        .append(section.plots().link("effect sizes", "effects.png"))
        .append("\n\n(Bars without an interval: a single pair.)\n\n");
  }
}
