package io.github.ringloss4j.app.report;

import io.github.ringloss4j.app.eval.Evaluation;
import io.github.ringloss4j.app.eval.RunSummary;
import io.github.ringloss4j.app.io.AtomicFiles;
import io.github.ringloss4j.app.train.EpochMetrics;
import io.github.ringloss4j.app.train.LearnedRadius;
import io.github.ringloss4j.app.train.TrainOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * The Markdown report and its PNG plots for a set of evaluated runs: loss terms, accuracy, R and
 * mean ± std ‖f‖ per epoch; the {@code --val} verification sets' accuracies per step; ‖f‖
 * histograms; ROC curves; a 2-D scatter for every run with a 2-D embedding. Every number names the
 * command that produced it.
 */
public final class RunReport {

  private RunReport() {}

  /**
   * Writes {@code report.md} and the plots into a directory.
   *
   * @param runs the evaluated runs
   * @param out the directory
   * @param command the command line that produced the report
   * @return the report file
   * @throws IOException if writing fails
   */
  public static Path write(List<RunSummary> runs, Path out, String command) throws IOException {
    if (runs.isEmpty()) {
      throw new IllegalArgumentException("report needs at least one run");
    }
    Files.createDirectories(out);
    List<Plots.Series> softmax = new ArrayList<>();
    List<Plots.Series> ring = new ArrayList<>();
    List<Plots.Series> accuracy = new ArrayList<>();
    List<Plots.Band> norms = new ArrayList<>();
    List<Plots.NamedValues> histograms = new ArrayList<>();
    List<Plots.RocCurve> rocs = new ArrayList<>();
    int histogramDim = largestEmbedding(runs);
    for (RunSummary run : runs) {
      List<EpochMetrics> h = run.checkpoint().history();
      boolean ringRun = LearnedRadius.isLearned(run.checkpoint().options());
      double[] epochs = column(h, EpochMetrics::epoch);
      addSeries(softmax, run.name() + " train", epochs, column(h, EpochMetrics::trainSoftmax));
      addSeries(softmax, run.name() + " validation", epochs, column(h, EpochMetrics::valSoftmax));
      if (ringRun) {
        addSeries(ring, run.name() + " train", epochs, column(h, EpochMetrics::trainRing));
        addSeries(ring, run.name() + " validation", epochs, column(h, EpochMetrics::valRing));
      }
      addSeries(accuracy, run.name() + " validation", epochs, column(h, EpochMetrics::valAccuracy));
      boolean validated = allFinite(column(h, EpochMetrics::valNormMean));
      norms.add(
          new Plots.Band(
              run.name() + (validated ? "" : " (train)"),
              epochs,
              column(h, validated ? EpochMetrics::valNormMean : EpochMetrics::trainNormMean),
              column(h, validated ? EpochMetrics::valNormStd : EpochMetrics::trainNormStd),
              ringRun ? column(h, EpochMetrics::radius) : null));
      if (run.checkpoint().options().model().embeddingSize() == histogramDim) {
        double[] n = new double[run.embedded().norms().length];
        for (int i = 0; i < n.length; i++) {
          n[i] = run.embedded().norms()[i];
        }
        histograms.add(new Plots.NamedValues(run.name(), n));
        Evaluation.Verification cosine = run.result().verification().get(0);
        rocs.add(new Plots.RocCurve(run.name(), cosine.far(), cosine.tarCurve()));
      }
    }
    Plots.lines(
        out.resolve("softmax_loss.png"),
        "Softmax cross-entropy per epoch",
        "epoch",
        "loss",
        softmax);
    if (!ring.isEmpty()) {
      Plots.lines(
          out.resolve("ring_loss.png"),
          "Ring term λ·mean ρ(‖f‖ − R) per epoch",
          "epoch",
          "λ·ring",
          ring);
    }
    if (!accuracy.isEmpty()) {
      Plots.lines(
          out.resolve("accuracy.png"),
          "Validation accuracy per epoch",
          "epoch",
          "accuracy",
          accuracy);
    } else {
      // A stale plot from an earlier report in this directory must not be linked.
      Files.deleteIfExists(out.resolve("accuracy.png"));
    }
    ValidationSetPlots.write(runs, out);
    Plots.bands(
        out.resolve("norms.png"),
        "‖f‖ per epoch, mean ± std on validation data (dashed: R)",
        "epoch",
        "‖f‖",
        norms);
    Plots.histograms(
        out.resolve("norm_histogram.png"),
        "Test-set feature norms (" + histogramDim + "-d embeddings)",
        "‖f‖",
        histograms,
        60);
    Plots.roc(out.resolve("roc.png"), "Verification ROC, cosine score, test pairs", rocs);
    List<String> scatters = new ArrayList<>();
    for (RunSummary run : runs) {
      if (run.checkpoint().options().model().embeddingSize() == 2) {
        String file = "scatter_" + run.name() + ".png";
        Plots.scatter2d(
            out.resolve(file),
            "2-D test features: " + run.checkpoint().options().method(),
            run.embedded().features(),
            run.embedded().labels(),
            run.checkpoint().classNames(),
            // NaN, and no ring drawn, when the run does not learn R
            run.result().radius(),
            4000);
        scatters.add(file);
      }
    }
    Path report = out.resolve("report.md");
    AtomicFiles.writeString(
        report, markdown(runs, scatters, !ring.isEmpty(), command, histogramDim, out));
    return report;
  }

  /** Adds a series when it has values: runs without validation have NaN in those columns. */
  private static void addSeries(List<Plots.Series> to, String name, double[] x, double[] y) {
    if (allFinite(y)) {
      to.add(new Plots.Series(name, x, y));
    }
  }

  private static boolean allFinite(double[] values) {
    for (double v : values) {
      if (!Double.isFinite(v)) {
        return false;
      }
    }
    return true;
  }

  private static int largestEmbedding(List<RunSummary> runs) {
    int d = 0;
    for (RunSummary r : runs) {
      d = Math.max(d, r.checkpoint().options().model().embeddingSize());
    }
    return d;
  }

  private static double[] column(
      List<EpochMetrics> history, ToDoubleFunction<EpochMetrics> metric) {
    double[] c = new double[history.size()];
    for (int e = 0; e < c.length; e++) {
      c[e] = metric.applyAsDouble(history.get(e));
    }
    return c;
  }

  private static String markdown(
      List<RunSummary> runs,
      List<String> scatters,
      boolean ringPlot,
      String command,
      int dim,
      Path out) {
    StringBuilder b = new StringBuilder();
    b.append("# Ring loss report\n\n");
    b.append("Produced by `").append(command).append("`; ");
    b.append(
        String.format(
            Locale.ROOT,
            "%d CPU cores, Java %s, %s.%n%n",
            Runtime.getRuntime().availableProcessors(),
            System.getProperty("java.version"),
            engine()));
    b.append(
        "## Runs\n\n| run | method | backbone | d | epochs | batch | optimizer | lr | train time |\n");
    b.append("|---|---|---|---|---|---|---|---|---|\n");
    for (RunSummary r : runs) {
      TrainOptions o = r.checkpoint().options();
      double seconds = 0;
      for (EpochMetrics m : r.checkpoint().history()) {
        seconds += m.seconds();
      }
      b.append(
          String.format(
              Locale.ROOT,
              "| %s | %s | %s | %d | %d | %d | %s | %s (%s) | %.0f s |%n",
              r.name(),
              o.method(),
              o.model().backbone(),
              o.model().embeddingSize(),
              r.checkpoint().epochsDone(),
              o.run().batchSize(),
              o.optimizer().kind(),
              o.optimizer().learningRate(),
              o.optimizer().schedule(),
              seconds));
    }
    b.append("\n## Test-set results\n\n");
    String kFold = runs.get(0).result().verification().get(0).kFold();
    b.append(
        "| run | accuracy | mean ‖f‖ | std ‖f‖ | CV ‖f‖ | R | AUC | EER | TAR@FAR=1e-2 |"
            + " TAR@FAR=1e-3 | "
            + kFold
            + " acc. | rank-1 | rank-5 |\n");
    b.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (RunSummary r : runs) {
      Evaluation.Result x = r.result();
      Evaluation.Verification c = x.verification().get(0);
      b.append(
          String.format(
              Locale.ROOT,
              "| %s | %.4f | %.3f | %.3f | %.3f | %s | %.4f | %.4f | %s | %s | %.4f ± %.4f | %.4f |"
                  + " %.4f |%n",
              r.name(),
              x.accuracy(),
              x.normMean(),
              x.normStd(),
              x.normStd() / x.normMean(),
              LearnedRadius.isLearned(r.checkpoint().options())
                  ? String.format(Locale.ROOT, "%.3f", x.radius())
                  : "—",
              c.auc(),
              c.eer(),
              tar(c, 1),
              tar(c, 2),
              c.foldMean(),
              c.foldStd(),
              x.rank1(),
              x.rank5()));
    }
    Evaluation.Result first = runs.get(0).result();
    b.append("\nVerification uses the cosine score on ")
        .append(first.protocol())
        .append(
            "; each fold's threshold maximises accuracy on the other folds (the median of the"
                + " optimal thresholds on ties). TAR@FAR interpolates the ROC curve; a FAR below"
                + " 1/impostors is not reported. Identification: one gallery image per class,"
                + " the rest are probes, cosine score. Euclidean-score numbers are in each run's"
                + " `evaluation.json`.\n\n");
    b.append("## Plots\n\n");
    b.append("![softmax loss](softmax_loss.png)\n\n");
    if (ringPlot) {
      b.append("![ring term](ring_loss.png)\n\n");
    }
    if (Files.exists(out.resolve("accuracy.png"))) {
      b.append("![accuracy](accuracy.png)\n\n");
    }
    if (Files.exists(out.resolve(ValidationSetPlots.FILE_NAME))) {
      b.append("Accuracy on the `--val` verification sets during training (InsightFace's")
          .append(" protocol, at each epoch end and every `--val-every` steps):\n\n")
          .append("![verification sets](")
          .append(ValidationSetPlots.FILE_NAME)
          .append(")\n\n");
    }
    b.append("![norms and R](norms.png)\n\n");
    b.append("Test-set ‖f‖ of the ").append(dim).append("-d runs:\n\n");
    b.append("![norm histogram](norm_histogram.png)\n\n![ROC](roc.png)\n\n");
    for (String s : scatters) {
      b.append("![").append(s).append("](").append(s).append(")\n\n");
    }
    b.append("## How each run was trained\n\n");
    for (RunSummary r : runs) {
      b.append("### ").append(r.name()).append("\n\n```\n");
      b.append(r.checkpoint().options().toJson());
      b.append("```\n\n");
    }
    return b.toString();
  }

  /**
   * The DJL and engine versions the report was made with, asked of the running engine rather than
   * written down, so that the report stays right after an upgrade.
   *
   * @return e.g. {@code DJL 0.36.0 with the PyTorch 2.7.1 engine}
   */
  public static String engine() {
    Machine.EngineInfo engine = Machine.EngineInfo.running();
    return String.format(
        Locale.ROOT, "DJL %s with the %s %s engine", engine.djl(), engine.name(), engine.version());
  }

  private static String tar(Evaluation.Verification v, int farIndex) {
    return v.resolvable()[farIndex] ? String.format(Locale.ROOT, "%.4f", v.tar()[farIndex]) : "n/a";
  }
}
