package io.github.ringloss4j.app.report;

import ai.djl.Model;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.github.ringloss4j.app.data.LabelledSource;
import io.github.ringloss4j.app.data.LowResolution;
import io.github.ringloss4j.app.eval.Embedder;
import io.github.ringloss4j.app.eval.Evaluation;
import io.github.ringloss4j.app.eval.Method;
import io.github.ringloss4j.app.eval.NormDeciles;
import io.github.ringloss4j.app.io.AtomicFiles;
import io.github.ringloss4j.app.io.CsvWriter;
import io.github.ringloss4j.app.train.Checkpoint;
import io.github.ringloss4j.app.train.EpochMetrics;
import io.github.ringloss4j.app.train.LearnedRadius;
import io.github.ringloss4j.app.train.TrainOptions;
import io.github.ringloss4j.metrics.KFoldVerification;
import io.github.ringloss4j.metrics.Similarity;
import io.github.ringloss4j.nn.RingModelBlock;
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
   * @param fold the open-set fold (its held-out classes are 2·fold and 2·fold + 1), −1 for the
   *     closed-set protocol
   * @param normByResolution mean ‖f‖ of the test images reduced to each side (the full side first)
   * @param normDecileAccuracy k-fold verification accuracy of the full-resolution pairs by decile
   *     of the smaller ‖f‖ of the pair, lowest first ({@link NormDeciles})
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
      int folds,
      int fold,
      Map<Integer, Double> normByResolution,
      double[] normDecileAccuracy) {

    /**
     * What pairs this run with the other methods' runs: the seed, and the fold in the open set.
     *
     * @return e.g. "seed 1000" or "seed 1000, fold 2"
     */
    public String pairing() {
      return fold < 0 ? "seed " + seed : "seed " + seed + ", fold " + fold;
    }
  }

  /** Deciles of the pair's smaller norm. */
  static final int NORM_BINS = 10;

  private static final Gson GSON =
      new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues().create();

  /**
   * Evaluates a trained run, at full resolution and with low-resolution probes.
   *
   * @param method the method
   * @param checkpoint the run
   * @param test the test items
   * @param pairs the verification pairs
   * @param resolutions the probe sides, e.g. 14, 10, 7
   * @param fold the open-set fold, −1 for the closed set
   * @return the cell; its classification accuracy NaN in the open set, whose test classes the head
   *     has never seen
   * @throws IOException if the run or the data cannot be read
   */
  public static Cell evaluate(
      Method method,
      Checkpoint checkpoint,
      LabelledSource test,
      Evaluation.PairSet pairs,
      int[] resolutions,
      int fold)
      throws IOException {
    try (Model model = checkpoint.loadModel()) {
      Embedder.Embedded full = Embedder.embed(model, test, 256);
      double radius = LearnedRadius.of(checkpoint.options(), (RingModelBlock) model.getBlock());
      Evaluation.Verification v = Evaluation.verify(full.features(), pairs, Similarity.COSINE);
      Map<Integer, Double> low = new LinkedHashMap<>();
      Map<Integer, Double> norms = new LinkedHashMap<>();
      int side = test.itemShape()[1];
      low.put(side, v.foldMean());
      norms.put(side, mean(full.norms()));
      for (int r : resolutions) {
        Embedder.Embedded degraded = Embedder.embed(model, LowResolution.of(test, r), 256);
        norms.put(r, mean(degraded.norms()));
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
          fold < 0 ? full.accuracy() : Double.NaN,
          v.foldMean(),
          v.resolvable()[2] ? v.tar()[2] : Double.NaN,
          v.auc(),
          mean,
          Math.sqrt(var / full.norms().length) / mean,
          radius,
          seconds,
          low,
          pairs.folds(),
          fold,
          norms,
          normDeciles(full, pairs));
    }
  }

  private static double mean(float[] values) {
    double sum = 0;
    for (float x : values) {
      sum += x;
    }
    return sum / values.length;
  }

  /** Full-resolution cosine verification by decile of the pair's smaller ‖f‖. */
  private static double[] normDeciles(Embedder.Embedded full, Evaluation.PairSet pairs) {
    int n = pairs.first().length;
    double[] scores = new double[n];
    double[] smaller = new double[n];
    float[][] f = full.features();
    float[] norms = full.norms();
    for (int p = 0; p < n; p++) {
      int a = pairs.first()[p];
      int b = pairs.second()[p];
      scores[p] = Similarity.COSINE.score(f[a], f[b]);
      smaller[p] = Math.min(norms[a], norms[b]);
    }
    double[] thresholds =
        KFoldVerification.evaluate(scores, pairs.genuine(), pairs.fold(), pairs.folds())
            .thresholds();
    return NormDeciles.accuracy(
        scores, pairs.genuine(), pairs.fold(), thresholds, smaller, NORM_BINS);
  }

  /**
   * Writes a run's summary, {@code summary.json} in its directory: its options, how it was
   * evaluated and its numbers. A few kilobytes, so that the summaries of runs made over several
   * sittings can be kept (committed) without their checkpoints.
   *
   * @param dir the run directory
   * @param options the run's options
   * @param evaluation how it was evaluated (pairs, resolutions), compared on reuse
   * @param cell its numbers, or null for a run kept for its per-epoch metrics alone
   * @throws IOException if writing fails
   */
  public static void writeSummary(Path dir, TrainOptions options, String evaluation, Cell cell)
      throws IOException {
    JsonObject o = new JsonObject();
    o.addProperty("evaluation", evaluation);
    o.add("options", JsonParser.parseString(options.toJson()));
    o.add("cell", GSON.toJsonTree(cell));
    Files.createDirectories(dir);
    AtomicFiles.writeString(dir.resolve(SUMMARY), GSON.toJson(o) + "\n");
  }

  /** The summary's file name in a run directory. */
  public static final String SUMMARY = "summary.json";

  /**
   * A run's summary, when there is one for these options and this evaluation.
   *
   * @param dir the run directory
   * @param options the run's options
   * @param evaluation how it is to be evaluated
   * @return its numbers, or null when there is no summary or it was made otherwise
   */
  public static Cell readSummary(Path dir, TrainOptions options, String evaluation) {
    JsonObject o = matchingSummary(dir, options, evaluation);
    try {
      return o == null ? null : GSON.fromJson(o.get("cell"), Cell.class);
    } catch (RuntimeException e) {
      return null;
    }
  }

  /**
   * Whether a run directory has a summary for these options and this evaluation, with or without
   * numbers (a run kept for its metrics alone, such as the schedule check, has none).
   *
   * @param dir the run directory
   * @param options the run's options
   * @param evaluation what the summary was written for
   * @return true if it has one
   */
  public static boolean hasSummary(Path dir, TrainOptions options, String evaluation) {
    return matchingSummary(dir, options, evaluation) != null;
  }

  private static JsonObject matchingSummary(Path dir, TrainOptions options, String evaluation) {
    Path file = dir.resolve(SUMMARY);
    if (!Files.isRegularFile(file)) {
      return null;
    }
    try {
      JsonObject o = JsonParser.parseString(Files.readString(file)).getAsJsonObject();
      if (!evaluation.equals(o.get("evaluation").getAsString())
          || !options.equals(TrainOptions.fromJson(o.get("options").toString()))) {
        return null;
      }
      return o;
    } catch (IOException | RuntimeException e) {
      return null;
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

  static String pm(List<Double> values, String format) {
    double[] ms = meanStd(values);
    if (!Double.isFinite(ms[0])) {
      return "—";
    }
    return String.format(Locale.ROOT, format + " ± " + format, ms[0], ms[1]);
  }

  /**
   * Writes one protocol's {@code compare.csv} (one row per run) and {@code compare_effects.csv},
   * its plots, and returns its Markdown tables: the results, low-resolution matching, effect sizes
   * and the norm–resolution story.
   *
   * @param cells every run's numbers
   * @param methods the methods, in table order
   * @param csvDir where {@code compare.csv} and {@code compare_effects.csv} go
   * @param reportDir where {@code results.md} goes; the plots go to its {@code results/}
   * @param label the protocol's name in headings and plot files, e.g. "closed set", or null when
   *     the report has a single protocol (headings and plot names without it)
   * @return the Markdown
   * @throws IOException if writing fails
   */
  public static String section(
      List<Cell> cells, List<Method> methods, Path csvDir, Path reportDir, String label)
      throws IOException {
    // Full resolution first, then smaller and smaller probes, whatever order a summary kept.
    List<Integer> sides = new ArrayList<>(cells.get(0).lowResolution().keySet());
    sides.sort(java.util.Comparator.reverseOrder());
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
    csvHeader.add("fold");
    for (int side : sides) {
      csvHeader.add("norm_mean_" + side + "px");
    }
    for (int b = 1; b <= NORM_BINS; b++) {
      csvHeader.add("kfold_accuracy_norm_decile_" + b);
    }
    csvHeader.add("kfold_accuracy_minus_softmax");
    Map<String, Double> softmaxAcc = values(cells, BASELINE, Cell::foldAccuracy);
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
      row.add(Integer.toString(c.fold()));
      for (int side : sides) {
        Double norm = c.normByResolution() == null ? null : c.normByResolution().get(side);
        row.add(CsvWriter.num(norm == null ? Double.NaN : norm));
      }
      for (int b = 0; b < NORM_BINS; b++) {
        row.add(CsvWriter.num(decile(c, b)));
      }
      Double base = softmaxAcc.get(c.pairing());
      row.add(
          CsvWriter.num(
              base == null || c.method().equals(BASELINE) ? Double.NaN : c.foldAccuracy() - base));
      rows.add(row);
    }
    CsvWriter.write(csvDir.resolve("compare.csv"), csvHeader, rows);

    Figures plots = new Figures(reportDir, label);
    boolean open = cells.get(0).fold() >= 0;
    StringBuilder md = new StringBuilder();
    md.append(
        open
            ? "\n"
                + heading("Results", label)
                + " (mean ± std over runs: seeds × held-out folds)\n\n"
            : "\n" + heading("Results", label) + " (mean ± std over seeds)\n\n");
    md.append(
        (open ? "| method | runs | accuracy | " : "| method | seeds | accuracy | ")
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
        plots.file("verification.png"),
        kFold + " verification accuracy (cosine), mean ± std over seeds",
        "accuracy",
        names,
        bars);
    Plots.lines(
        plots.file("low_resolution.png"),
        "Full-resolution vs low-resolution probes: " + kFold + " accuracy",
        "probe side (pixels)",
        "accuracy",
        lowLines);

    md.append(
        "\n"
            + heading("Low-resolution matching", label)
            + " ("
            + kFold
            + (open
                ? " accuracy, mean ± std over runs)\n\n"
                : " accuracy, mean ± std over seeds)\n\n"));
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
    md.append("\n").append(plots.link("verification", "verification.png")).append("\n\n");
    md.append(plots.link("low resolution", "low_resolution.png")).append("\n\n");
    List<PairedEffects.Effect> effects = effects(cells, methods, sides);
    writeEffects(effects, csvDir, plots, md, kFold, open, label);
    writeNormStory(cells, methods, sides, plots, md, kFold, label);
    return md.toString();
  }

  /** A level-2 heading, with the protocol's name when the report has several. */
  static String heading(String title, String label) {
    return "## " + title + (label == null ? "" : ", " + label);
  }

  /**
   * Where a section's plots go and how results.md links them: {@code results/NAME}, or {@code
   * results/closed_set_NAME} when the report has several protocols.
   */
  static final class Figures {
    private final Path dir;
    private final String prefix;

    Figures(Path reportDir, String label) throws IOException {
      this.dir = reportDir.resolve("results");
      this.prefix = label == null ? "" : label.replaceAll("[^A-Za-z0-9]+", "_") + "_";
      Files.createDirectories(dir);
    }

    Path file(String name) {
      return dir.resolve(prefix + name);
    }

    String link(String alt, String name) {
      return "![" + alt + "](results/" + prefix + name + ")";
    }
  }

  /** The method every other is measured against. */
  public static final String BASELINE = "softmax";

  private static double decile(Cell c, int b) {
    double[] d = c.normDecileAccuracy();
    return d == null || b >= d.length ? Double.NaN : d[b];
  }

  /** A metric of a method's runs by their pairing key. */
  static Map<String, Double> values(
      List<Cell> cells, String method, java.util.function.ToDoubleFunction<Cell> f) {
    Map<String, Double> out = new LinkedHashMap<>();
    for (Cell c : cells) {
      if (c.method().equals(method)) {
        out.put(c.pairing(), f.applyAsDouble(c));
      }
    }
    return out;
  }

  /**
   * The comparisons made: every method against softmax, and every HEAD+ring@λ against HEAD alone,
   * when those are in the grid.
   *
   * @param methods the grid
   * @return pairs {method, baseline}, in table order
   */
  static List<String[]> contrasts(List<Method> methods) {
    List<String[]> out = new ArrayList<>();
    boolean softmax = methods.stream().anyMatch(m -> m.name().equals(BASELINE));
    for (Method m : methods) {
      if (softmax && !m.name().equals(BASELINE)) {
        out.add(new String[] {m.name(), BASELINE});
      }
      if (m.lambda() > 0 && !m.head().text().equals(BASELINE)) {
        for (Method other : methods) {
          if (other.lambda() == 0
              && other.centerLambda() == 0
              && other.head().text().equals(m.head().text())) {
            out.add(new String[] {m.name(), other.name()});
          }
        }
      }
    }
    return out;
  }

  /** Effects on k-fold accuracy, TAR, AUC and k-fold accuracy at the smallest probe side. */
  static List<PairedEffects.Effect> effects(
      List<Cell> cells, List<Method> methods, List<Integer> sides) {
    int smallest = sides.get(sides.size() - 1);
    Map<String, java.util.function.ToDoubleFunction<Cell>> metrics = new LinkedHashMap<>();
    metrics.put("kfold_accuracy", Cell::foldAccuracy);
    metrics.put("tar_at_far_1e-3", Cell::tar3);
    metrics.put("auc", Cell::auc);
    metrics.put(
        "kfold_accuracy_" + smallest + "px",
        c -> {
          Double v = c.lowResolution().get(smallest);
          return v == null ? Double.NaN : v;
        });
    List<PairedEffects.Effect> out = new ArrayList<>();
    for (String[] contrast : contrasts(methods)) {
      for (Map.Entry<String, java.util.function.ToDoubleFunction<Cell>> metric :
          metrics.entrySet()) {
        out.add(
            PairedEffects.of(
                contrast[0],
                contrast[1],
                metric.getKey(),
                values(cells, contrast[0], metric.getValue()),
                values(cells, contrast[1], metric.getValue())));
      }
    }
    return out;
  }

  static String ci(PairedEffects.Effect e, String format) {
    if (e.n() == 0) {
      return "—";
    }
    if (!Double.isFinite(e.halfWidth())) {
      return String.format(Locale.ROOT, "%+" + format.substring(1) + " (n = 1)", e.mean());
    }
    return String.format(
        Locale.ROOT,
        "%+" + format.substring(1) + " [" + format + ", " + format + "]",
        e.mean(),
        e.low(),
        e.high());
  }

  private static void writeEffects(
      List<PairedEffects.Effect> effects,
      Path csvDir,
      Figures plots,
      StringBuilder md,
      String kFold,
      boolean open,
      String label)
      throws IOException {
    List<List<String>> rows = new ArrayList<>();
    for (PairedEffects.Effect e : effects) {
      rows.add(
          List.of(
              e.method(),
              e.baseline(),
              e.metric(),
              Integer.toString(e.n()),
              CsvWriter.num(e.mean()),
              CsvWriter.num(e.low()),
              CsvWriter.num(e.high())));
    }
    CsvWriter.write(
        csvDir.resolve("compare_effects.csv"),
        List.of("method", "baseline", "metric", "n", "mean_difference", "ci95_low", "ci95_high"),
        rows);
    if (effects.isEmpty()) {
      return;
    }
    md.append(
        heading("Effect sizes", label)
            + " (method − baseline, paired by "
            + (open ? "seed and held-out fold" : "seed")
            + ")\n\n"
            + "The mean of the paired differences over the n runs both have (same seed"
            + (open ? " and held-out classes" : "")
            + ", so the same data in the same order), with a 95 % Student t interval (t quantile"
            + " for n − 1 degrees of freedom, times the standard error of the differences). An"
            + " interval that excludes 0 is a difference the seeds do not explain. Per-run"
            + " differences against softmax are in compare.csv, the intervals in"
            + " compare_effects.csv.\n\n");
    String smallest = effects.get(3).metric().replace("kfold_accuracy_", "");
    md.append(
        "| method | baseline | n | Δ "
            + kFold
            + " acc. [95 % CI] | Δ TAR@FAR=1e-3 | Δ AUC | Δ "
            + kFold
            + " acc. at "
            + smallest.replace("px", " px")
            + " |\n");
    md.append("|---|---|---|---|---|---|---|\n");
    List<String> names = new ArrayList<>();
    double[] means = new double[effects.size() / 4];
    double[] errors = new double[effects.size() / 4];
    for (int i = 0; i < effects.size(); i += 4) {
      PairedEffects.Effect acc = effects.get(i);
      md.append(
          String.format(
              Locale.ROOT,
              "| %s | %s | %d | %s | %s | %s | %s |%n",
              acc.method(),
              acc.baseline(),
              acc.n(),
              ci(acc, "%.4f"),
              ci(effects.get(i + 1), "%.4f"),
              ci(effects.get(i + 2), "%.4f"),
              ci(effects.get(i + 3), "%.4f")));
      names.add(acc.method() + " − " + acc.baseline());
      means[i / 4] = Double.isFinite(acc.mean()) ? acc.mean() : 0;
      errors[i / 4] = Double.isFinite(acc.halfWidth()) ? acc.halfWidth() : 0;
    }
    Plots.bars(
        plots.file("effects.png"),
        "Paired difference in " + kFold + " verification accuracy, 95 % t interval",
        "accuracy difference",
        names,
        List.of(new Plots.Series2("mean difference", means, errors)));
    md.append("\n")
        .append(plots.link("effect sizes", "effects.png"))
        .append("\n\n(Bars without an interval: a single pair.)\n\n");
  }

  private static void writeNormStory(
      List<Cell> cells,
      List<Method> methods,
      List<Integer> sides,
      Figures plots,
      StringBuilder md,
      String kFold,
      String label)
      throws IOException {
    md.append(
        heading("Feature norm by resolution", label)
            + " (mean ‖f‖ of the test images, mean ± std over runs)\n\n"
            + "Each test image reduced to the side and brought back to full size, as for the"
            + " low-resolution probes above.\n\n| method |");
    for (int side : sides) {
      md.append(' ').append(side).append(" px |");
    }
    md.append("\n|---|").append("---|".repeat(sides.size())).append('\n');
    List<Plots.Series> normLines = new ArrayList<>();
    List<Plots.Series> decileLines = new ArrayList<>();
    StringBuilder deciles = new StringBuilder();
    for (Method method : methods) {
      List<Cell> mine = cells.stream().filter(c -> c.method().equals(method.name())).toList();
      md.append("| ").append(method.name()).append(" |");
      double[] x = new double[sides.size()];
      double[] y = new double[sides.size()];
      for (int i = 0; i < sides.size(); i++) {
        int side = sides.get(i);
        List<Double> v =
            col(
                mine,
                c -> {
                  Double n = c.normByResolution() == null ? null : c.normByResolution().get(side);
                  return n == null ? Double.NaN : n;
                });
        md.append(' ').append(pm(v, "%.2f")).append(" |");
        x[i] = side;
        y[i] = meanStd(v)[0];
      }
      md.append('\n');
      if (allFinite(y)) {
        normLines.add(new Plots.Series(method.name(), x, y));
      }
      deciles.append("| ").append(method.name()).append(" |");
      double[] bx = new double[NORM_BINS];
      double[] by = new double[NORM_BINS];
      for (int b = 0; b < NORM_BINS; b++) {
        int bin = b;
        List<Double> v = col(mine, c -> decile(c, bin));
        deciles.append(' ').append(pm(v, "%.3f")).append(" |");
        bx[b] = b + 1;
        by[b] = meanStd(v)[0];
      }
      deciles.append('\n');
      if (allFinite(by)) {
        decileLines.add(new Plots.Series(method.name(), bx, by));
      }
    }
    md.append(
        "\n"
            + heading("Verification accuracy by norm decile", label)
            + " (full resolution, mean ± std over runs)\n\n"
            + "Each pair is binned by the smaller ‖f‖ of its two images: the pairs of a run sorted"
            + " by that norm and cut into ten equal-count bins, 1 = the lowest norms. A pair counts"
            + " as right when its cosine score is on the correct side of the threshold the "
            + kFold
            + " protocol chose for its fold on the other folds, so the bins average to the pooled "
            + kFold
            + " accuracy.\n\n| method |");
    for (int b = 1; b <= NORM_BINS; b++) {
      md.append(" D").append(b).append(" |");
    }
    md.append("\n|---|").append("---|".repeat(NORM_BINS)).append('\n').append(deciles);
    if (!normLines.isEmpty()) {
      Plots.lines(
          plots.file("norm_resolution.png"),
          "Mean feature norm of the test images by resolution",
          "image side (pixels)",
          "mean ‖f‖",
          normLines);
      md.append("\n").append(plots.link("norm by resolution", "norm_resolution.png")).append('\n');
    }
    if (!decileLines.isEmpty()) {
      Plots.lines(
          plots.file("norm_deciles.png"),
          kFold + " verification accuracy by decile of the pair's smaller ‖f‖",
          "decile of the smaller norm (1 = lowest)",
          "accuracy",
          decileLines);
      md.append("\n")
          .append(plots.link("accuracy by norm decile", "norm_deciles.png"))
          .append('\n');
    }
    md.append('\n');
  }

  static boolean allFinite(double[] values) {
    for (double v : values) {
      if (!Double.isFinite(v)) {
        return false;
      }
    }
    return true;
  }

  static List<Double> col(List<Cell> cells, java.util.function.ToDoubleFunction<Cell> f) {
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
