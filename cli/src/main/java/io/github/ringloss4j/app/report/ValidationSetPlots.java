package io.github.ringloss4j.app.report;

import io.github.ringloss4j.app.eval.RunSummary;
import io.github.ringloss4j.app.train.SetValidation;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The chart of the {@code train --val} sets' accuracies per training step, one line per run and
 * set, from each run's {@link SetValidation} log. Epoch ends and {@code --val-every} steps are
 * points of the same line: both are the network at that step.
 */
final class ValidationSetPlots {

  /** The chart's file name in the report directory. */
  static final String FILE_NAME = "validation_sets.png";

  private ValidationSetPlots() {}

  /**
   * Writes the chart, or removes a stale one when no run was validated on sets (so that the report
   * never links a chart of other runs).
   *
   * @param runs the runs of the report
   * @param out the report directory
   * @return whether the chart was written
   * @throws IOException if a log cannot be read or the chart written
   */
  static boolean write(List<RunSummary> runs, Path out) throws IOException {
    List<Plots.Series> series = new ArrayList<>();
    for (RunSummary run : runs) {
      List<SetValidation.Row> rows = SetValidation.readLog(run.directory());
      if (rows.isEmpty()) {
        continue;
      }
      int sets = rows.get(0).sets().size();
      for (int s = 0; s < sets; s++) {
        List<double[]> points = new ArrayList<>();
        for (SetValidation.Row row : rows) {
          double accuracy = row.sets().get(s).accuracy();
          // An evaluation of non-finite embeddings has no accuracy: a gap, not a point.
          if (Double.isFinite(accuracy)) {
            points.add(new double[] {row.step(), accuracy});
          }
        }
        if (!points.isEmpty()) {
          double[] x = new double[points.size()];
          double[] y = new double[points.size()];
          for (int i = 0; i < x.length; i++) {
            x[i] = points.get(i)[0];
            y[i] = points.get(i)[1];
          }
          series.add(new Plots.Series(run.name() + " " + rows.get(0).sets().get(s).name(), x, y));
        }
      }
    }
    Path png = out.resolve(FILE_NAME);
    if (series.isEmpty()) {
      Files.deleteIfExists(png);
      return false;
    }
    Plots.lines(
        png,
        "Verification accuracy during training (InsightFace's protocol)",
        "training step",
        "accuracy",
        series);
    return true;
  }
}
