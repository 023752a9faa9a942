package io.github.ringloss4j.report;

import ai.djl.Model;
import io.github.ringloss4j.data.LabelledSource;
import io.github.ringloss4j.data.LowResolution;
import io.github.ringloss4j.eval.Embedder;
import io.github.ringloss4j.eval.Evaluation;
import io.github.ringloss4j.eval.Method;
import io.github.ringloss4j.io.AtomicFiles;
import io.github.ringloss4j.io.CsvWriter;
import io.github.ringloss4j.metrics.Similarity;
import io.github.ringloss4j.nn.RingModelBlock;
import io.github.ringloss4j.train.Checkpoint;
import io.github.ringloss4j.train.EpochMetrics;
import io.github.ringloss4j.train.LearnedRadius;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The numbers of one trained run for the method comparison, and the tables and plots over all runs:
 * mean ± sample standard deviation over seeds, so that a difference can be told from noise.
 */
public final class Comparison {

  private Comparison() {}

  /**
   * One run's numbers.
   *
   * @param method the method
   * @param seed the seed
   * @param accuracy test classification accuracy
   * @param foldAccuracy k-fold verification accuracy (cosine)
   * @param tar3 TAR at FAR = 1e−3 (cosine)
   * @param auc ROC AUC (cosine)
   * @param normMean mean test ‖f‖
   * @param normCv coefficient of variation of test ‖f‖
   * @param radius R, NaN without ring
   * @param seconds training wall time
   * @param lowResolution k-fold accuracy of full-resolution vs low-resolution pairs, by side
   * @param folds k, the protocol's number of folds
   */
  public record Cell(
      String method,
      long seed,
      double accuracy,
      double foldAccuracy,
      double tar3,
      double auc,
      double normMean,
      double normCv,
      double radius,
      double seconds,
      Map<Integer, Double> lowResolution,
      int folds) {}

  /**
   * Evaluates a trained run, at full resolution and with low-resolution probes.
   *
   * @param method the method
   * @param checkpoint the run
   * @param test the test items
   * @param pairs the verification pairs
   * @param resolutions the probe sides, e.g. 14, 10, 7
   * @return the cell
   * @throws IOException if the run or the data cannot be read
   */
  public static Cell evaluate(
      Method method,
      Checkpoint checkpoint,
      LabelledSource test,
      Evaluation.PairSet pairs,
      int[] resolutions)
      throws IOException {
    try (Model model = checkpoint.loadModel()) {
      Embedder.Embedded full = Embedder.embed(model, test, 256);
      double radius = LearnedRadius.of(checkpoint.options(), (RingModelBlock) model.getBlock());
      Evaluation.Verification v = Evaluation.verify(full.features(), pairs, Similarity.COSINE);
      Map<Integer, Double> low = new LinkedHashMap<>();
      int side = test.itemShape()[1];
      low.put(side, v.foldMean());
      for (int r : resolutions) {
        Embedder.Embedded degraded = Embedder.embed(model, LowResolution.of(test, r), 256);
        low.put(
            r,
            Evaluation.verify(full.features(), degraded.features(), pairs, Similarity.COSINE)
                .foldMean());
      }
      double mean = 0;
      for (float n : full.norms()) {
        mean += n;
      }
      mean /= full.norms().length;
      double var = 0;
      for (float n : full.norms()) {
        var += (n - mean) * (n - mean);
      }
      double seconds = 0;
      for (EpochMetrics m : checkpoint.history()) {
        seconds += m.seconds();
      }
      return new Cell(
          method.name(),
          checkpoint.options().run().seed(),
          full.accuracy(),
          v.foldMean(),
          v.resolvable()[2] ? v.tar()[2] : Double.NaN,
          v.auc(),
          mean,
          Math.sqrt(var / full.norms().length) / mean,
          radius,
          seconds,
          low,
          pairs.folds());
    }
  }

  /** Mean and sample standard deviation. */
  static double[] meanStd(List<Double> values) {
    double mean = 0;
    for (double v : values) {
      mean += v;
    }
    mean /= values.size();
    double var = 0;
    for (double v : values) {
      var += (v - mean) * (v - mean);
    }
    return new double[] {mean, values.size() > 1 ? Math.sqrt(var / (values.size() - 1)) : 0};
  }

  private static String pm(List<Double> values, String format) {
    double[] ms = meanStd(values);
    if (!Double.isFinite(ms[0])) {
      return "—";
    }
    return String.format(Locale.ROOT, format + " ± " + format, ms[0], ms[1]);
  }

  /**
   * Writes {@code compare.csv} (one row per run), the Markdown tables and the plots.
   *
   * @param cells every run's numbers
   * @param methods the methods, in table order
   * @param csvDir where {@code compare.csv} goes
   * @param reportDir where {@code results.md} and {@code results/*.png} go
   * @param header the Markdown above the tables (command, machine, wall time)
   * @param reading the Markdown of the reading section, or null
   * @return the Markdown file
   * @throws IOException if writing fails
   */
  public static Path write(
      List<Cell> cells,
      List<Method> methods,
      Path csvDir,
      Path reportDir,
      String header,
      String reading)
      throws IOException {
    List<Integer> sides = new ArrayList<>(cells.get(0).lowResolution().keySet());
    String kFold = cells.get(0).folds() + "-fold";
    List<String> csvHeader =
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
      csvHeader.add("kfold_accuracy_" + side + "px");
    }
    List<List<String>> rows = new ArrayList<>();
    for (Cell c : cells) {
      List<String> row =
          new ArrayList<>(
              List.of(
                  c.method(),
                  Long.toString(c.seed()),
                  CsvWriter.num(c.accuracy()),
                  CsvWriter.num(c.foldAccuracy()),
                  CsvWriter.num(c.tar3()),
                  CsvWriter.num(c.auc()),
                  CsvWriter.num(c.normMean()),
                  CsvWriter.num(c.normCv()),
                  CsvWriter.num(c.radius()),
                  CsvWriter.num(c.seconds())));
      for (int side : sides) {
        row.add(CsvWriter.num(c.lowResolution().get(side)));
      }
      rows.add(row);
    }
    CsvWriter.write(csvDir.resolve("compare.csv"), csvHeader, rows);

    Path plots = reportDir.resolve("results");
    Files.createDirectories(plots);
    StringBuilder md = new StringBuilder(header);
    md.append("\n## Results (mean ± std over seeds)\n\n");
    md.append(
        "| method | seeds | accuracy | "
            + kFold
            + " acc. | TAR@FAR=1e-3 | AUC | mean ‖f‖ | CV ‖f‖ | R | train time (s) |\n");
    md.append("|---|---|---|---|---|---|---|---|---|---|\n");
    List<Plots.Series2> bars = new ArrayList<>();
    double[] accMeans = new double[methods.size()];
    double[] accStds = new double[methods.size()];
    List<String> names = new ArrayList<>();
    List<Plots.Series> lowLines = new ArrayList<>();
    for (int m = 0; m < methods.size(); m++) {
      String name = methods.get(m).name();
      names.add(name);
      List<Cell> mine = cells.stream().filter(c -> c.method().equals(name)).toList();
      md.append(
          String.format(
              Locale.ROOT,
              "| %s | %d | %s | %s | %s | %s | %s | %s | %s | %s |%n",
              name,
              mine.size(),
              pm(col(mine, Cell::accuracy), "%.4f"),
              pm(col(mine, Cell::foldAccuracy), "%.4f"),
              pm(col(mine, Cell::tar3), "%.4f"),
              pm(col(mine, Cell::auc), "%.4f"),
              pm(col(mine, Cell::normMean), "%.2f"),
              pm(col(mine, Cell::normCv), "%.3f"),
              pm(col(mine, Cell::radius), "%.2f"),
              pm(col(mine, Cell::seconds), "%.0f")));
      double[] ms = meanStd(col(mine, Cell::foldAccuracy));
      accMeans[m] = ms[0];
      accStds[m] = ms[1];
      double[] x = new double[sides.size()];
      double[] y = new double[sides.size()];
      for (int i = 0; i < sides.size(); i++) {
        int side = sides.get(i);
        x[i] = side;
        y[i] = meanStd(col(mine, c -> c.lowResolution().get(side)))[0];
      }
      lowLines.add(new Plots.Series(name, x, y));
    }
    bars.add(new Plots.Series2(kFold + " verification accuracy", accMeans, accStds));
    Plots.bars(
        plots.resolve("verification.png"),
        kFold + " verification accuracy (cosine), mean ± std over seeds",
        "accuracy",
        names,
        bars);
    Plots.lines(
        plots.resolve("low_resolution.png"),
        "Full-resolution vs low-resolution probes: " + kFold + " accuracy",
        "probe side (pixels)",
        "accuracy",
        lowLines);

    md.append("\n## Low-resolution matching (" + kFold + " accuracy, mean ± std over seeds)\n\n");
    md.append("| method |");
    for (int side : sides) {
      md.append(' ').append(side).append(" px |");
    }
    md.append("\n|---|");
    md.append("---|".repeat(sides.size()));
    md.append('\n');
    for (Method method : methods) {
      List<Cell> mine = cells.stream().filter(c -> c.method().equals(method.name())).toList();
      md.append("| ").append(method.name()).append(" |");
      for (int side : sides) {
        md.append(' ').append(pm(col(mine, c -> c.lowResolution().get(side)), "%.4f")).append(" |");
      }
      md.append('\n');
    }
    md.append("\n![verification](results/verification.png)\n\n");
    md.append("![low resolution](results/low_resolution.png)\n\n");
    if (reading != null) {
      md.append(reading.strip()).append('\n');
    }
    Path file = reportDir.resolve("results.md");
    AtomicFiles.writeString(file, md.toString());
    return file;
  }

  private static List<Double> col(List<Cell> cells, java.util.function.ToDoubleFunction<Cell> f) {
    List<Double> out = new ArrayList<>();
    for (Cell c : cells) {
      double v = f.applyAsDouble(c);
      if (Double.isFinite(v)) {
        out.add(v);
      }
    }
    if (out.isEmpty()) {
      out.add(Double.NaN);
    }
    return out;
  }
}
