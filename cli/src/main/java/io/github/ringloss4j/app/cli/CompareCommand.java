package io.github.ringloss4j.app.cli;

import io.github.ringloss4j.app.data.ClassFilter;
import io.github.ringloss4j.app.data.Datasets;
import io.github.ringloss4j.app.data.LabelledSource;
import io.github.ringloss4j.app.eval.Evaluation;
import io.github.ringloss4j.app.eval.Method;
import io.github.ringloss4j.app.io.AtomicFiles;
import io.github.ringloss4j.app.io.OutputPaths;
import io.github.ringloss4j.app.model.ModelOptions;
import io.github.ringloss4j.app.model.OptimizerKind;
import io.github.ringloss4j.app.model.OptimizerOptions;
import io.github.ringloss4j.app.model.RadiusStart;
import io.github.ringloss4j.app.model.RingOptions;
import io.github.ringloss4j.app.report.Comparison;
import io.github.ringloss4j.app.report.HeadlineTable;
import io.github.ringloss4j.app.report.ScheduleCurves;
import io.github.ringloss4j.app.train.Checkpoint;
import io.github.ringloss4j.app.train.RunDirectory;
import io.github.ringloss4j.app.train.TrainOptions;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
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
      defaultValue = ModelOptions.DEFAULT_EMBEDDING_SIZE,
      description = "Default: ${DEFAULT-VALUE}.")
  int embeddingSize;

  @Option(
      names = "--lr",
      defaultValue = OptimizerOptions.DEFAULT_LEARNING_RATE,
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
  Path data;

  @Option(
      names = "--out",
      paramLabel = "DIR",
      description =
          "Run directories, compare.csv and compare_effects.csv. Default: runs/compare"
              + " (runs/compare-open with --protocol open, runs/compare-both with both).")
  Path out;

  @Option(
      names = "--report",
      paramLabel = "DIR",
      description = "Where results.md and results/*.png go. Default: as --out.")
  Path report;

  @Option(
      names = "--protocol",
      defaultValue = "closed",
      description =
          "closed: train on the 10 classes, test on the 10,000 test images. open: train on 8"
              + " classes and verify on the test images of the 2 held out, rotated over 5 folds"
              + " (held out {0,1}, {2,3}, {4,5}, {6,7}, {8,9}) so that every class is held out"
              + " once; verification only. both: closed, then open, into OUT/closed and OUT/open,"
              + " and one results.md. Default: ${DEFAULT-VALUE}.")
  String protocol;

  @Option(
      names = "--open-folds",
      defaultValue = "rotate",
      description =
          "With --protocol open: rotate (seed number k, from 0, holds out fold k mod 5: one run"
              + " per method and seed; use a multiple of 5 seeds so every fold counts alike) or"
              + " all (every fold for every seed: five runs per method and seed)."
              + " Default: ${DEFAULT-VALUE}.")
  String openFolds;

  @Option(
      names = "--notes",
      paramLabel = "FILE",
      description = "Markdown appended as the reading of the results.")
  Path notes;

  @Option(
      names = "--schedule-check",
      paramLabel = "N",
      defaultValue = "0",
      description =
          "Also train softmax on the closed set (seed 1000) for N epochs, more than --epochs, and"
              + " show its validation curve next to the grid's: whether a longer schedule would"
              + " still gain. Default: ${DEFAULT-VALUE} (none).")
  int scheduleCheck;

  @Option(
      names = "--readme",
      paramLabel = "FILE",
      description =
          "A Markdown file (e.g. README.md) whose lines between <!-- compare:headline --> and"
              + " <!-- /compare:headline --> get the headline table: per method and protocol the"
              + " verification accuracy and its paired difference to softmax.")
  Path readme;

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
    List<Boolean> protocols;
    switch (protocol.toLowerCase(Locale.ROOT)) {
      case "closed" -> protocols = List.of(false);
      case "open" -> protocols = List.of(true);
      case "both" -> protocols = List.of(false, true);
      default ->
          throw new IllegalArgumentException(
              "--protocol must be closed, open or both, got '" + protocol + "'");
    }
    boolean allFolds;
    switch (openFolds.toLowerCase(Locale.ROOT)) {
      case "rotate" -> allFolds = false;
      case "all" -> allFolds = true;
      default ->
          throw new IllegalArgumentException(
              "--open-folds must be rotate or all, got '" + openFolds + "'");
    }
    boolean both = protocols.size() > 1;
    Path defaultDir =
        Path.of(
            both ? "runs/compare-both" : protocols.get(0) ? "runs/compare-open" : "runs/compare");
    if (out == null) {
      out = defaultDir;
    }
    if (report == null) {
      report = out;
    }
    OutputPaths.requireWritableDirectory(out, "--out");
    OutputPaths.requireWritableDirectory(report, "--report");
    if (scheduleCheck != 0 && scheduleCheck <= epochs) {
      throw new IllegalArgumentException(
          "--schedule-check must be 0 or more than --epochs ("
              + epochs
              + "), got "
              + scheduleCheck);
    }
    if (scheduleCheck != 0 && protocols.get(0)) {
      throw new IllegalArgumentException("--schedule-check needs --protocol closed or both");
    }
    if (readme != null) {
      // Before hours of training, not after.
      HeadlineTable.requireBlock(readme);
    }
    List<Method> grid = distinct(methods);
    long start = System.nanoTime();
    List<Grid> done = new ArrayList<>();
    for (boolean open : protocols) {
      done.add(grid(grid, open, allFolds, both ? out.resolve(open ? "open" : "closed") : out));
    }
    // The schedule check trains after the grid, before the wall time is read.
    Grid closed = done.get(0);
    Map<String, List<Path>> curves = new LinkedHashMap<>(closed.runs());
    if (scheduleCheck > 0) {
      Method softmax = Method.parse(Comparison.BASELINE);
      Path dir =
          closed
              .dir()
              .resolve("schedule-check")
              .resolve("softmax-" + scheduleCheck + "-epochs")
              .resolve("seed1000");
      System.out.println("schedule check: softmax, seed 1000, " + scheduleCheck + " epochs");
      TrainOptions check = options(softmax, 1000, -1, scheduleCheck);
      // Its summary holds no numbers, only what it was: the committed metrics.json is the result.
      if (Comparison.hasSummary(dir, check, SCHEDULE_CHECK)) {
        System.out.println("  reused " + dir.resolve(Comparison.SUMMARY));
      } else {
        RunDirectory.trainOrReuse(check, dir, runtime.progress());
        Comparison.writeSummary(dir, check, SCHEDULE_CHECK, null);
      }
      curves.put("softmax, " + scheduleCheck + " epochs (seed 1000)", List.of(dir));
    }
    double minutes = (System.nanoTime() - start) / 60e9;
    // What every run shares, told from the options themselves rather than from their defaults.
    TrainOptions shared = options(grid.get(0), 1000, -1);
    ModelOptions model = shared.model();
    OptimizerOptions optimizer = shared.optimizer();
    RingOptions ring = shared.ring();
    String header =
        String.format(
            Locale.ROOT,
            "# Results: ring loss against the heads the paper compares with%n%n"
                + "Produced by `%s` in %.1f minutes (finished runs are reused: their summary.json"
                + " when it was evaluated the same way, else their checkpoint, so a rerun only"
                + " re-evaluates or only tabulates; the runs' own training took %.1f minutes in"
                + " all), on %s, %d CPU cores with %.0f GiB of memory, Java %s, DJL 0.36.0"
                + " with PyTorch 2.7.1 (CPU).%n%n"
                + "Data: Fashion-MNIST (Debian's dataset-fashion-mnist), %s training images per run"
                + " (a seeded sample; %s%% of it held out for validation), the 10,000 test images"
                + " for evaluation. Every method: the same %s backbone (%d-d embedding), %s, learning"
                + " rate %s with a %s schedule, weight decay %s, batch %d, %d epochs, seeds %s."
                + " Ring runs: %s penalty, %s, R learning-rate multiplier %s. Verification: %s,"
                + " cosine score. Low resolution: the second image of each pair is reduced to the"
                + " given side by area averaging and brought back to 28 px bilinearly; the first"
                + " stays at full resolution.%n",
            CommandLines.current("compare", out),
            minutes,
            done.stream()
                    .flatMap(g -> g.cells().stream())
                    .mapToDouble(Comparison.Cell::seconds)
                    .sum()
                / 60,
            machine(),
            Runtime.getRuntime().availableProcessors(),
            totalMemoryGib(),
            System.getProperty("java.version"),
            trainLimit == 0 ? "60,000" : String.format(Locale.ROOT, "%,d", trainLimit),
            percent(shared.data().validationFraction()),
            model.backbone().toString().toUpperCase(Locale.ROOT),
            model.embeddingSize(),
            optimizer.kind() == OptimizerKind.SGD
                ? "SGD momentum " + plain(optimizer.momentum())
                : optimizer.kind().toString().toUpperCase(Locale.ROOT),
            learningRate,
            optimizer.schedule(),
            plain(optimizer.weightDecay()),
            shared.run().batchSize(),
            epochs,
            seedList(),
            ring.penalty(),
            ring.radiusInit().text().equals(RadiusStart.FIRST_BATCH)
                ? "R from the first batch's mean norm"
                : "R from " + ring.radiusInit(),
            ring.radiusLrMultiplierRule(optimizer.kind()),
            done.get(0).pairs());
    if (protocols.contains(true)) {
      header +=
          String.format(
              Locale.ROOT,
              "%nOpen set: each run trains on 8 of the 10 classes (the head has 8 classes) and is"
                  + " verified on the test images of the 2 it never saw; the held-out pair is one"
                  + " of 5 folds, {0,1}, {2,3}, {4,5}, {6,7}, {8,9} (%s). %s The training sample"
                  + " (%s images) is drawn from the 8 classes only. Verification only:"
                  + " identification among 2 classes is trivial; no classification accuracy."
                  + " Pairs per fold: as above, drawn from the fold's 2,000 test images.%n",
              allFolds
                  ? "every fold for every seed"
                  : "seed number k, from 0, holds out fold k mod 5",
              heldOutText(openFolds(allFolds)),
              trainLimit == 0 ? "all 48,000" : String.format(Locale.ROOT, "%,d", trainLimit));
    }
    StringBuilder md = new StringBuilder(header);
    List<HeadlineTable.Protocol> headline = new ArrayList<>();
    for (Grid g : done) {
      md.append(Comparison.section(g.cells(), grid, g.dir(), report, both ? g.label() : null));
      headline.add(new HeadlineTable.Protocol(g.label(), g.cells()));
    }
    md.append(ScheduleCurves.section(curves, report, closed.label()));
    if (notes != null) {
      md.append(Files.readString(notes).strip()).append('\n');
    }
    Path file = report.resolve("results.md");
    AtomicFiles.writeString(file, md.toString());
    System.out.println("results: " + file);
    if (readme != null) {
      HeadlineTable.writeInto(readme, HeadlineTable.table(grid, headline));
      System.out.println("headline table: " + readme);
    }
    return 0;
  }

  /**
   * One protocol's runs.
   *
   * @param label "closed set" or "open set"
   * @param cells every run's numbers
   * @param dir where its runs, {@code compare.csv} and {@code compare_effects.csv} are
   * @param runs each method's run directories, in grid order
   * @param pairs how its pairs were drawn
   */
  private record Grid(
      String label,
      List<Comparison.Cell> cells,
      Path dir,
      Map<String, List<Path>> runs,
      String pairs) {}

  /** Trains (or reuses) and evaluates every run of one protocol. */
  private Grid grid(List<Method> grid, boolean open, boolean allFolds, Path out) throws Exception {
    List<Comparison.Cell> cells = new ArrayList<>();
    Map<String, List<Path>> runs = new LinkedHashMap<>();
    // Every run is tested on the data of the first run's options (the test split of IDX data does
    // not depend on the seed), held open for the whole grid.
    TrainOptions first = options(grid.get(0), 1000, -1);
    Evaluation.PairSet pairs;
    try (Datasets.Splits testData = Datasets.open(first.data(), first.run().seed())) {
      LabelledSource fullTest = testData.test();
      // Closed set: all test images. Open set: fold f's held-out classes' test images, their
      // pairs drawn once per fold.
      Map<Integer, LabelledSource> tests = new HashMap<>();
      Map<Integer, Evaluation.PairSet> pairSets = new HashMap<>();
      tests.put(-1, fullTest);
      if (open) {
        for (int f = 0; f < OPEN_FOLDS; f++) {
          tests.put(f, ClassFilter.only(fullTest, heldOut(f)));
        }
      }
      pairs = pairSet(-1, open ? tests.get(0) : fullTest, pairSets);
      for (Method method : grid) {
        for (int k = 0; k < seeds; k++) {
          long seed = 1000 + k;
          List<Integer> folds = open ? openFolds(allFolds).get(k) : List.of(-1);
          for (int fold : folds) {
            TrainOptions options = options(method, seed, fold);
            Path dir = out.resolve(method.name().replaceAll("[^A-Za-z0-9@+.-]", "_"));
            if (fold >= 0) {
              dir = dir.resolve("heldout" + heldOut(fold).get(0) + heldOut(fold).get(1));
            }
            dir = dir.resolve("seed" + seed);
            runs.computeIfAbsent(method.name(), m -> new ArrayList<>()).add(dir);
            LabelledSource test = tests.get(fold);
            Evaluation.PairSet foldPairs = pairSet(fold, test, pairSets);
            String evaluation =
                foldPairs.protocol()
                    + "; probe sides "
                    + Arrays.toString(resolutions)
                    + (fold < 0 ? "" : "; open set, held-out classes " + heldOut(fold));
            System.out.println(
                (open ? "open set, " : "closed set, ")
                    + method.name()
                    + ", seed "
                    + seed
                    + (fold < 0 ? "" : ", held out " + heldOut(fold))
                    + ": "
                    + options.method());
            Comparison.Cell cell = Comparison.readSummary(dir, options, evaluation);
            if (cell != null) {
              System.out.println("  reused " + dir.resolve(Comparison.SUMMARY));
            } else {
              RunDirectory.trainOrReuse(options, dir, runtime.progress());
              cell =
                  Comparison.evaluate(
                      method, Checkpoint.read(dir), test, foldPairs, resolutions, fold);
              Comparison.writeSummary(dir, options, evaluation, cell);
            }
            System.out.printf(
                Locale.ROOT,
                "  accuracy %.4f, %d-fold %.4f, AUC %.4f, CV ||f|| %.3f, low-res %s%n",
                cell.accuracy(),
                cell.folds(),
                cell.foldAccuracy(),
                cell.auc(),
                cell.normCv(),
                cell.lowResolution());
            cells.add(cell);
          }
        }
      }
    }
    return new Grid(open ? "open set" : "closed set", cells, out, runs, pairs.protocol());
  }

  private String seedList() {
    StringBuilder b = new StringBuilder();
    for (int k = 0; k < seeds; k++) {
      b.append(k == 0 ? "" : ", ").append(1000 + k);
    }
    return b.toString();
  }

  /** The processor's model name (Linux) and the operating system. */
  private static String machine() {
    String os = System.getProperty("os.name") + " " + System.getProperty("os.arch");
    try {
      for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
        if (line.startsWith("model name")) {
          return line.substring(line.indexOf(':') + 1).strip() + ", " + os;
        }
      }
    } catch (java.io.IOException | RuntimeException e) {
      // Not Linux: the operating system alone.
    }
    return os;
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

  /** A number as written by hand: 0.0005, not 5.0E-4; 10, not 10.0. */
  private static String plain(double value) {
    return plain(new BigDecimal(Double.toString(value)));
  }

  /** A share as a percentage written by hand: 10 for 0.1 (not 10.000000000000002). */
  private static String percent(double share) {
    return plain(new BigDecimal(Double.toString(share)).movePointRight(2));
  }

  private static String plain(BigDecimal value) {
    return value.stripTrailingZeros().toPlainString();
  }

  /** What the schedule check's summary says it was for. */
  private static final String SCHEDULE_CHECK = "schedule check: the validation curve only";

  /**
   * Parses {@code --methods}, refusing a method given twice: its runs would be counted twice in
   * every mean and test. Methods are compared as parsed, so {@code ring@0.01} and {@code
   * ring@0.010} are one.
   *
   * @param names the option's values
   * @return the methods in order
   * @throws IllegalArgumentException naming {@code --methods} and the duplicate
   */
  static List<Method> distinct(List<String> names) {
    List<Method> grid = new ArrayList<>();
    for (String name : names) {
      Method m = Method.parse(name);
      for (Method before : grid) {
        if (before.head().sameValue(m.head())
            && before.lambda() == m.lambda()
            && before.centerLambda() == m.centerLambda()) {
          throw new IllegalArgumentException(
              "--methods lists one method twice: '"
                  + before.name()
                  + "' and '"
                  + m.name()
                  + "'; its runs would be counted twice in every mean and test");
        }
      }
      grid.add(m);
    }
    return grid;
  }

  /**
   * The open-set folds each seed's runs hold out, in the order they train.
   *
   * @param allFolds {@code --open-folds all}
   * @return per seed number k: every fold, or fold k mod 5
   */
  List<List<Integer>> openFolds(boolean allFolds) {
    List<List<Integer>> folds = new ArrayList<>();
    for (int k = 0; k < seeds; k++) {
      if (allFolds) {
        List<Integer> every = new ArrayList<>();
        for (int f = 0; f < OPEN_FOLDS; f++) {
          every.add(f);
        }
        folds.add(every);
      } else {
        folds.add(List.of(k % OPEN_FOLDS));
      }
    }
    return folds;
  }

  /**
   * What the open-set runs held out, told from the folds that ran: each class's number of runs per
   * method, and the classes never held out.
   *
   * @param folds per seed, the folds its runs held out ({@link #openFolds})
   * @return one or two sentences
   */
  static String heldOutText(List<List<Integer>> folds) {
    int[] times = new int[OPEN_FOLDS];
    for (List<Integer> seed : folds) {
      for (int f : seed) {
        times[f]++;
      }
    }
    Map<Integer, List<String>> byTimes = new TreeMap<>();
    for (int f = 0; f < OPEN_FOLDS; f++) {
      byTimes
          .computeIfAbsent(times[f], t -> new ArrayList<>())
          .add("{" + heldOut(f).get(0) + "," + heldOut(f).get(1) + "}");
    }
    List<String> parts = new ArrayList<>();
    byTimes.forEach(
        (t, named) -> {
          if (t > 0) {
            parts.add(
                String.join(", ", named)
                    + (t == 1 ? " once" : " " + t + " times")
                    + (named.size() == 1 ? "" : " each"));
          }
        });
    List<String> never = byTimes.getOrDefault(0, List.of());
    String held = "Per method, these runs held out " + String.join("; ", parts) + ".";
    if (never.isEmpty()) {
      return held + " Every class was held out.";
    }
    return held
        + " Never held out: "
        + String.join(", ", never)
        + " (use --seeds a multiple of 5, or --open-folds all, to hold out every class).";
  }

  /** The open-set folds. */
  static final int OPEN_FOLDS = 5;

  /**
   * The classes an open-set fold holds out.
   *
   * @param fold 0 to 4
   * @return {2·fold, 2·fold + 1}
   */
  static List<Integer> heldOut(int fold) {
    return List.of(2 * fold, 2 * fold + 1);
  }

  /** The pairs of a fold's test set (−1: the closed set), drawn once with seed 7. */
  private Evaluation.PairSet pairSet(
      int fold, LabelledSource test, Map<Integer, Evaluation.PairSet> cache) {
    return cache.computeIfAbsent(
        fold, f -> Evaluation.PairSet.sampled(test.labels(), pairsPerKind, 7));
  }

  /** A closed-set run of the grid: {@link #options(Method, long, int)} with no class held out. */
  TrainOptions options(Method method, long seed) {
    return options(method, seed, -1);
  }

  /**
   * One run of the grid: the method's head and weights, this command's options, the defaults; in
   * the open set, without the fold's held-out classes.
   */
  TrainOptions options(Method method, long seed, int fold) {
    return options(method, seed, fold, epochs);
  }

  /** A run as the grid makes it, for a given number of epochs. */
  private TrainOptions options(Method method, long seed, int fold, int epochs) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--embedding-size",
                Integer.toString(embeddingSize),
                "--lambda",
                Double.toString(method.lambda()),
                "--lr",
                Double.toString(learningRate),
                "--epochs",
                Integer.toString(epochs),
                "--seed",
                Long.toString(seed),
                "--train-limit",
                Integer.toString(trainLimit),
                "--head",
                method.head().text(),
                "--center-lambda",
                Double.toString(method.centerLambda())));
    if (data != null) {
      args.addAll(List.of("--data", data.toString()));
    }
    if (fold >= 0) {
      args.addAll(List.of("--exclude-classes", heldOut(fold).get(0) + "," + heldOut(fold).get(1)));
    }
    return TrainOptions.parse(args);
  }
}
