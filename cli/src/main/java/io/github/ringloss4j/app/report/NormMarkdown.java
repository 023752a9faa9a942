package io.github.ringloss4j.app.report;

import io.github.ringloss4j.app.eval.Method;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The norm–resolution story of one protocol in {@code results.md}: the mean ‖f‖ of the test images
 * by resolution and the verification accuracy by decile of the pair's smaller ‖f‖, with their
 * plots.
 */
final class NormMarkdown {

  private NormMarkdown() {}

  /**
   * Appends both tables and writes {@code norm_resolution.png} and {@code norm_deciles.png} (each
   * when some method has all its values).
   *
   * @param section the protocol's section
   * @throws IOException if a plot cannot be written
   */
  static void write(ProtocolMarkdown.Section section) throws IOException {
    ProtocolResults results = section.results();
    StringBuilder md = section.md();
    List<Integer> sides = results.sides();
    String kFold = results.kFold();
    md.append(
        section.heading("Feature norm by resolution")
            + " (mean ‖f‖ of the test images, mean ± std over runs)\n\n"
            + "Each test image reduced to the side and brought back to full size, as for the"
            + " low-resolution probes above.\n\n");
    md.append(ProtocolMarkdown.sideColumns(sides));
    List<Plots.Series> normLines = new ArrayList<>();
    List<Plots.Series> decileLines = new ArrayList<>();
    StringBuilder deciles = new StringBuilder();
    for (Method method : section.methods()) {
      List<RunResult> mine = results.of(method.name());
      md.append("| ").append(method.name()).append(" |");
      double[] x = new double[sides.size()];
      double[] y = new double[sides.size()];
      for (int i = 0; i < sides.size(); i++) {
        int side = sides.get(i);
        MeanStd norm = MeanStd.over(mine, r -> r.normAt(side));
        md.append(' ').append(norm.format("%.2f")).append(" |");
        x[i] = side;
        y[i] = norm.mean();
      }
      md.append('\n');
      if (allFinite(y)) {
        normLines.add(new Plots.Series(method.name(), x, y));
      }
      deciles.append("| ").append(method.name()).append(" |");
      double[] bx = new double[RunResult.NORM_BINS];
      double[] by = new double[RunResult.NORM_BINS];
      for (int b = 0; b < RunResult.NORM_BINS; b++) {
        int bin = b;
        MeanStd accuracy = MeanStd.over(mine, r -> r.decile(bin));
        deciles.append(' ').append(accuracy.format("%.3f")).append(" |");
        bx[b] = b + 1;
        by[b] = accuracy.mean();
      }
      deciles.append('\n');
      if (allFinite(by)) {
        decileLines.add(new Plots.Series(method.name(), bx, by));
      }
    }
    md.append(
        "\n"
            + section.heading("Verification accuracy by norm decile")
            + " (full resolution, mean ± std over runs)\n\n"
            + "Each pair is binned by the smaller ‖f‖ of its two images: the pairs of a run sorted"
            + " by that norm and cut into ten equal-count bins, 1 = the lowest norms. A pair counts"
            + " as right when its cosine score is on the correct side of the threshold the "
            + kFold
            + " protocol chose for its fold on the other folds, so the bins average to the pooled "
            + kFold
            + " accuracy. The deciles are each run's own: a method's D1 holds other pairs than"
            + " another's, so the columns compare shapes, not methods on the same pairs (the face"
            + " protocol's strata, by recorded degradation, do that).\n\n| method |");
    for (int b = 1; b <= RunResult.NORM_BINS; b++) {
      md.append(" D").append(b).append(" |");
    }
    md.append("\n|---|").append("---|".repeat(RunResult.NORM_BINS)).append('\n').append(deciles);
    if (!normLines.isEmpty()) {
      Plots.lines(
          section.plots().file("norm_resolution.png"),
          "Mean feature norm of the test images by resolution",
          "image side (pixels)",
          "mean ‖f‖",
          normLines);
      md.append("\n")
          .append(section.plots().link("norm by resolution", "norm_resolution.png"))
          .append('\n');
    }
    if (!decileLines.isEmpty()) {
      Plots.lines(
          section.plots().file("norm_deciles.png"),
          kFold + " verification accuracy by decile of the pair's smaller ‖f‖",
          "decile of the smaller norm (1 = lowest)",
          "accuracy",
          decileLines);
      md.append("\n")
          .append(section.plots().link("accuracy by norm decile", "norm_deciles.png"))
          .append('\n');
    }
    md.append('\n');
  }

  private static boolean allFinite(double[] values) {
    for (double v : values) {
      if (!Double.isFinite(v)) {
        return false;
      }
    }
    return true;
  }
}
