package io.github.ringloss4j.app.report;

import io.github.ringloss4j.app.io.CsvWriter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A protocol's figures as CSV: {@code compare.csv}, one row per run with its difference to softmax,
 * and {@code compare_effects.csv}, one row per effect with its 95 % interval.
 */
final class ComparisonCsv {

  private ComparisonCsv() {}

  /**
   * Writes {@code compare.csv}.
   *
   * @param results the protocol's runs
   * @param dir where it goes
   * @throws IOException if writing fails
   */
  static void writeRuns(ProtocolResults results, Path dir) throws IOException {
    List<Integer> sides = results.sides();
    List<String> header =
        new ArrayList<>(
            List.of(
                "method",
                "seed",
                "accuracy",
                "kfold_accuracy",
                "tar_at_far_1e-3",
                "auc",
                "norm_mean",
                "norm_cv",
                "radius",
                "train_seconds"));
    for (int side : sides) {
      header.add("kfold_accuracy_" + side + "px");
    }
    header.add("fold");
    for (int side : sides) {
      header.add("norm_mean_" + side + "px");
    }
    for (int b = 1; b <= RunResult.NORM_BINS; b++) {
      header.add("kfold_accuracy_norm_decile_" + b);
    }
    header.add("kfold_accuracy_minus_softmax");
    Map<String, Double> softmax = results.byPairing(Contrasts.BASELINE, RunResult::foldAccuracy);
    List<List<String>> rows = new ArrayList<>();
    for (RunResult r : results.runs()) {
      List<String> row =
          new ArrayList<>(
              List.of(
                  r.method(),
                  Long.toString(r.seed()),
                  CsvWriter.num(r.accuracy()),
                  CsvWriter.num(r.foldAccuracy()),
                  CsvWriter.num(r.tar3()),
                  CsvWriter.num(r.auc()),
                  CsvWriter.num(r.normMean()),
                  CsvWriter.num(r.normCv()),
                  CsvWriter.num(r.radius()),
                  CsvWriter.num(r.seconds())));
      for (int side : sides) {
        row.add(CsvWriter.num(r.lowResolution().get(side)));
      }
      row.add(Integer.toString(r.fold()));
      for (int side : sides) {
        row.add(CsvWriter.num(r.normAt(side)));
      }
      for (int b = 0; b < RunResult.NORM_BINS; b++) {
        row.add(CsvWriter.num(r.decile(b)));
      }
      Double base = softmax.get(r.pairing());
      row.add(
          CsvWriter.num(
              base == null || r.method().equals(Contrasts.BASELINE)
                  ? Double.NaN
                  : r.foldAccuracy() - base));
      rows.add(row);
    }
    CsvWriter.write(dir.resolve("compare.csv"), header, rows);
  }

  /**
   * Writes {@code compare_effects.csv}.
   *
   * @param effects the effects
   * @param dir where it goes
   * @throws IOException if writing fails
   */
  static void writeEffects(List<PairedEffects.Effect> effects, Path dir) throws IOException {
    List<List<String>> rows = new ArrayList<>();
    double[] holm = Contrasts.holm(effects);
    for (int i = 0; i < effects.size(); i++) {
      PairedEffects.Effect e = effects.get(i);
      rows.add(
          List.of(
              e.method(),
              e.baseline(),
              e.metric(),
              Integer.toString(e.n()),
              CsvWriter.num(e.mean()),
              CsvWriter.num(e.low()),
              CsvWriter.num(e.high()),
              CsvWriter.num(e.p()),
              CsvWriter.num(holm[i])));
    }
    CsvWriter.write(
        dir.resolve("compare_effects.csv"),
        List.of(
            "method",
            "baseline",
            "metric",
            "n",
            "mean_difference",
            "ci95_low",
            "ci95_high",
            "p",
            "holm_p"),
        rows);
  }
}
