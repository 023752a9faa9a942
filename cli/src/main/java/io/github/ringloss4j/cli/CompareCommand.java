package io.github.ringloss4j.cli;

import io.github.ringloss4j.data.Datasets;
import io.github.ringloss4j.data.LabelledSource;
import io.github.ringloss4j.eval.Evaluation;
import io.github.ringloss4j.eval.Method;
import io.github.ringloss4j.report.Comparison;
import io.github.ringloss4j.train.Checkpoint;
import io.github.ringloss4j.train.RunDirectory;
import io.github.ringloss4j.train.TrainOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ringloss compare}: the paper's comparison, method by method, seed by seed. */
@Command(
    name = "compare",
    mixinStandardHelpOptions = true,
    description = {
      "Train a list of methods with the same backbone, data, epochs and seeds; evaluate each on"
          + " the test set (accuracy, 10-fold verification accuracy, TAR@FAR=1e-3, AUC, norm"
          + " statistics, training time) and with low-resolution probes; write OUT/compare.csv"
          + " and REPORT/results.md with plots. Finished runs in OUT are reused."
    })
public final class CompareCommand implements Callable<Integer> {

  @Option(
      names = "--methods",
      split = ",",
      description =
          "Methods: softmax, ring@LAMBDA, center@LAMBDA, l2softmax, normface, sphereface,"
              + " cosface, arcface, HEAD+ring@LAMBDA. Default: the paper's grid.")
  List<String> methods = new ArrayList<>(Method.DEFAULT_GRID);

  @Option(
      names = "--seeds",
      defaultValue = "3",
      description = "Seeds per method. Default: ${DEFAULT-VALUE}.")
  int seeds;

  @Option(
      names = "--epochs",
      defaultValue = "2",
      description = "Epochs per run. Default: ${DEFAULT-VALUE}.")
  int epochs;

  @Option(
      names = "--train-limit",
      defaultValue = "10000",
      description = "Training images per run (0: all 60,000). Default: ${DEFAULT-VALUE}.")
  int trainLimit;

  @Option(
      names = "--embedding-size",
      defaultValue = "128",
      description = "Default: ${DEFAULT-VALUE}.")
  int embeddingSize;

  @Option(
      names = "--lr",
      defaultValue = "0.01",
      description = "SGD learning rate. Default: ${DEFAULT-VALUE}.")
  double learningRate;

  @Option(
      names = "--resolutions",
      split = ",",
      defaultValue = "14,10,7",
      description = "Low-resolution probe sides. Default: ${DEFAULT-VALUE}.")
  int[] resolutions;

  @Option(
      names = "--data",
      paramLabel = "DIR",
      description = "Fashion-MNIST IDX directory. Default: the Debian package's.")
  String data;

  @Option(
      names = "--out",
      paramLabel = "DIR",
      defaultValue = "runs/compare",
      description = "Run directories. Default: ${DEFAULT-VALUE}.")
  Path out;

  @Option(
      names = "--report",
      paramLabel = "DIR",
      defaultValue = "runs/compare",
      description = "Where results.md and results/*.png go. Default: ${DEFAULT-VALUE}.")
  Path report;

  @Option(
      names = "--notes",
      paramLabel = "FILE",
      description = "Markdown appended as the reading of the results.")
  Path notes;

  @Option(
      names = "--pairs-per-kind",
      defaultValue = "3000",
      description = "Genuine and impostor test pairs. Default: ${DEFAULT-VALUE}.")
  int pairsPerKind;

  @Mixin RuntimeOptions runtime;

  @Override
  public Integer call() throws Exception {
    runtime.apply();
    if (seeds < 1) {
      throw new IllegalArgumentException("--seeds must be >= 1, got " + seeds);
    }
    List<Method> grid = new ArrayList<>();
    for (String m : methods) {
      grid.add(Method.parse(m));
    }
    long start = System.nanoTime();
    List<Comparison.Cell> cells = new ArrayList<>();
    LabelledSource test = null;
    Evaluation.PairSet pairs = null;
    for (Method method : grid) {
      for (int k = 0; k < seeds; k++) {
        long seed = 1000 + k;
        TrainOptions options = options(method, seed);
        Path dir =
            out.resolve(method.name().replaceAll("[^A-Za-z0-9@+.-]", "_")).resolve("seed" + seed);
        System.out.println(method.name() + ", seed " + seed + ": " + options.method());
        RunDirectory.trainOrReuse(options, dir, runtime.progress());
        if (test == null) {
          test = Datasets.open(options).test();
          pairs = Evaluation.PairSet.sampled(test.labels(), pairsPerKind, 7);
        }
        Comparison.Cell cell =
            Comparison.evaluate(method, Checkpoint.read(dir), test, pairs, resolutions);
        System.out.printf(
            Locale.ROOT,
            "  accuracy %.4f, 10-fold %.4f, AUC %.4f, CV ||f|| %.3f, low-res %s%n",
            cell.accuracy(),
            cell.foldAccuracy(),
            cell.auc(),
            cell.normCv(),
            cell.lowResolution());
        cells.add(cell);
      }
    }
    double minutes = (System.nanoTime() - start) / 60e9;
    String header =
        String.format(
            Locale.ROOT,
            "# Results: ring loss against the heads the paper compares with%n%n"
                + "Produced by `%s` in %.1f minutes (training reuses finished runs, so a rerun"
                + " only re-evaluates), on %d CPU cores with %.0f GiB of memory, Java %s, DJL 0.36.0"
                + " with PyTorch 2.7.1 (CPU).%n%n"
                + "Data: Fashion-MNIST (Debian's dataset-fashion-mnist), %s training images per run"
                + " (a seeded sample; 10%% of it held out for validation), the 10,000 test images"
                + " for evaluation. Every method: the same CNN backbone (%d-d embedding), SGD"
                + " momentum 0.9, learning rate %s with a cosine schedule, weight decay 5e-4,"
                + " batch 128, %d epochs, seeds %s. Ring runs: squared penalty, R from the first"
                + " batch's mean norm, R learning-rate multiplier 1/λ. Verification: %s, cosine"
                + " score. Low resolution: the second image of each pair is reduced to the given"
                + " side by area averaging and brought back to 28 px bilinearly; the first stays"
                + " at full resolution.%n",
            CommandLines.current("compare", out),
            minutes,
            Runtime.getRuntime().availableProcessors(),
            totalMemoryGib(),
            System.getProperty("java.version"),
            trainLimit == 0 ? "60,000" : String.format(Locale.ROOT, "%,d", trainLimit),
            embeddingSize,
            learningRate,
            epochs,
            seedList(),
            pairs.protocol());
    Path file =
        Comparison.write(
            cells, grid, out, report, header, notes == null ? null : Files.readString(notes));
    System.out.println("results: " + file);
    return 0;
  }

  private String seedList() {
    StringBuilder b = new StringBuilder();
    for (int k = 0; k < seeds; k++) {
      b.append(k == 0 ? "" : ", ").append(1000 + k);
    }
    return b.toString();
  }

  private static double totalMemoryGib() {
    java.lang.management.OperatingSystemMXBean os =
        java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    if (os instanceof com.sun.management.OperatingSystemMXBean) {
      return ((com.sun.management.OperatingSystemMXBean) os).getTotalMemorySize()
          / (double) (1L << 30);
    }
    return Double.NaN;
  }

  private TrainOptions options(Method method, long seed) {
    return TrainOptions.builder()
        .data(data)
        .embeddingSize(embeddingSize)
        .lambda(method.lambda())
        .learningRate(learningRate)
        .epochs(epochs)
        .seed(seed)
        .trainLimit(trainLimit)
        .head(method.head())
        .centerLambda(method.centerLambda())
        .build();
  }
}
