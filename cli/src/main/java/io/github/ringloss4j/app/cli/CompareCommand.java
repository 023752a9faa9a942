package io.github.ringloss4j.app.cli;

import io.github.ringloss4j.app.data.Datasets;
import io.github.ringloss4j.app.data.FashionMnist;
import io.github.ringloss4j.app.eval.BinEvaluation;
import io.github.ringloss4j.app.eval.Method;
import io.github.ringloss4j.app.io.OutputPaths;
import io.github.ringloss4j.app.model.ModelOptions;
import io.github.ringloss4j.app.model.OptimizerOptions;
import io.github.ringloss4j.app.report.ComparisonHeader;
import io.github.ringloss4j.app.report.ComparisonReport;
import io.github.ringloss4j.app.report.Contrasts;
import io.github.ringloss4j.app.report.HeadlineTable;
import io.github.ringloss4j.app.report.Machine;
import io.github.ringloss4j.app.report.RunResult;
import io.github.ringloss4j.app.report.RunSummaries;
import io.github.ringloss4j.app.train.RunDirectory;
import io.github.ringloss4j.app.train.TrainOptions;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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
              + " cosface, arcface, magface, adaface, HEAD+ring@LAMBDA (a head may carry its"
              + " options: adaface(m=0.4)+ring@0.01). Default: the paper's grid (Fashion-MNIST"
              + " protocols) or the face grid (softmax, ring at 0.001, 0.01 and 0.1, l2softmax,"
              + " cosface and arcface with and without ring@0.01, magface, adaface).")
  List<String> methods;

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
      paramLabel = "N",
      description =
          "Training images per run (0: all). Default: 10000 with the Fashion-MNIST protocols, 0"
              + " with the face protocol.")
  Integer trainLimit;

  @Option(
      names = "--model",
      defaultValue = "cnn",
      description =
          "The backbone of every run, as train's --model (cnn, resnet, mobilefacenet,"
              + " iresnet18 ...). Default: ${DEFAULT-VALUE}.")
  String model;

  @Option(
      names = "--image-size",
      paramLabel = "PIXELS",
      description = "The input side of every run, as train's. Default: train's.")
  Integer imageSize;

  @Option(
      names = "--channels",
      paramLabel = "N",
      description = "Input channels (1 or 3), as train's. Default: train's.")
  Integer channels;

  @Option(
      names = "--batch-size",
      paramLabel = "N",
      description = "The batch of every run, as train's. Default: train's.")
  Integer batchSize;

  @Option(
      names = "--test-identities",
      paramLabel = "N|FRACTION",
      defaultValue = "0.2",
      description =
          "With --protocol face: the identities held out of training altogether as the test set,"
              + " a count or a fraction of the classes, drawn with --split-seed and saved as"
              + " OUT/split.json. Default: ${DEFAULT-VALUE}.")
  String testIdentities;

  @Option(
      names = "--split-seed",
      defaultValue = "7",
      description = "The seed of the face protocol's identity split. Default: ${DEFAULT-VALUE}.")
  long splitSeed;

  @Option(
      names = "--bin",
      split = ",",
      paramLabel = "FILE",
      description =
          "With --protocol face: InsightFace .bin verification sets (lfw.bin, ...) every run is"
              + " also scored on with InsightFace's protocol.")
  List<Path> bins = new ArrayList<>();

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
      paramLabel = "SIDES",
      description =
          "Low-resolution probe sides, e.g. 14,10,7, or none. Default: 14,10,7 with the"
              + " Fashion-MNIST protocols, none with the face protocol (its data carry their own"
              + " quality tail).")
  String resolutionsText;

  /** {@code --resolutions}, parsed once the protocol is known. */
  int[] resolutions;

  @Option(
      names = "--data",
      paramLabel = "DIR",
      description =
          "Any data train reads: an IDX directory, an image folder (one sub-folder per identity)"
              + " or a packed set. Default: the Debian package's Fashion-MNIST.")
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
      description =
          "face: the face protocol (the default for image folders and packed sets): train on"
              + " every identity but --test-identities held out, and test on those unseen"
              + " identities: 1:1 pairs and open-set 1:N, overall and per recorded quality"
              + " stratum. closed: train on the 10 classes, test on the 10,000 test images. open: train on 8"
              + " classes and verify on the test images of the 2 held out, rotated over 5 folds"
              + " (held out {0,1}, {2,3}, {4,5}, {6,7}, {8,9}) so that every class is held out"
              + " once; verification only. both: closed, then open, into OUT/closed and OUT/open,"
              + " and one results.md. Default: face for image folders and packed sets, closed for"
              + " IDX data.")
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
              + " verification accuracy and its paired difference to softmax; with the face"
              + " protocol the lines between <!-- compare:face-headline --> and"
              + " <!-- /compare:face-headline --> get its table (all pairs, low-low pairs, FNIR).")
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
    boolean face = face();
    List<Boolean> protocols = face ? List.of(false) : protocols();
    boolean allFolds = allFolds();
    resolutions = resolutions(face);
    if (trainLimit == null) {
      trainLimit = face ? 0 : 10000;
    }
    checkOutputs(protocols, face);
    List<Method> grid =
        distinct(methods != null ? methods : face ? Method.FACE_GRID : Method.DEFAULT_GRID);
    String source = dataSource();
    long start = System.nanoTime();
    List<CompareGrid.Protocol> done = new ArrayList<>();
    if (face) {
      BinEvaluation.requireFiles(bins);
      done.add(
          new FaceGrid(
                  (m, seed, excluded) -> options(m, seed, excluded, epochs),
                  resolutions,
                  pairsPerKind,
                  runtime.progress(),
                  testIdentities,
                  splitSeed,
                  bins)
              .run(grid, seeds, source, out));
    } else {
      CompareGrid runner =
          new CompareGrid(this::options, resolutions, pairsPerKind, runtime.progress());
      for (boolean open : protocols) {
        Path dir = protocols.size() > 1 ? out.resolve(open ? "open" : "closed") : out;
        done.add(runner.run(grid, open ? openFolds(allFolds) : closedFolds(), source, dir));
      }
    }
    // The schedule check trains after the grid, before the wall time is read.
    Map<String, List<Path>> curves = new LinkedHashMap<>(done.get(0).runs());
    scheduleCheck(done.get(0).dir(), curves);
    double minutes = (System.nanoTime() - start) / 60e9;
    List<ComparisonReport.Part> parts =
        done.stream().map(p -> new ComparisonReport.Part(p.results(), p.dir())).toList();
    Path file =
        ComparisonReport.write(
            header(grid, done, minutes, allFolds, face), parts, grid, curves, notes, report);
    System.out.println("results: " + file);
    if (readme != null) {
      ComparisonReport.writeHeadline(readme, parts, grid);
      System.out.println("headline table: " + readme);
    }
    return 0;
  }

  /**
   * Whether the face protocol runs: {@code --protocol face}, or no {@code --protocol} with data
   * other than IDX files.
   */
  private boolean face() throws IOException {
    if (protocol == null) {
      protocol = Datasets.isIdx(Datasets.directory(data)) ? "closed" : "face";
    }
    boolean face = protocol.equalsIgnoreCase("face");
    if (!face && !bins.isEmpty()) {
      throw new IllegalArgumentException("--bin needs --protocol face");
    }
    return face;
  }

  /** {@code --resolutions}, with the protocol's default. */
  private int[] resolutions(boolean face) {
    String text = resolutionsText == null ? (face ? "none" : "14,10,7") : resolutionsText.strip();
    if (text.equalsIgnoreCase("none")) {
      return new int[0];
    }
    try {
      int[] sides =
          Arrays.stream(text.split(",")).mapToInt(t -> Integer.parseInt(t.strip())).toArray();
      for (int side : sides) {
        if (side < 1) {
          throw new NumberFormatException();
        }
      }
      return sides;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "--resolutions must be positive sides separated by commas (e.g. 14,10,7) or none, got '"
              + resolutionsText
              + "'");
    }
  }

  /** {@code --seeds} and {@code --protocol}: whether each protocol to run is the open set. */
  private List<Boolean> protocols() {
    if (seeds < 1) {
      throw new IllegalArgumentException("--seeds must be >= 1, got " + seeds);
    }
    return switch (protocol.toLowerCase(Locale.ROOT)) {
      case "closed" -> List.of(false);
      case "open" -> List.of(true);
      case "both" -> List.of(false, true);
      default ->
          throw new IllegalArgumentException(
              "--protocol must be face, closed, open or both, got '" + protocol + "'");
    };
  }

  /** {@code --open-folds}: whether every seed holds out every fold. */
  private boolean allFolds() {
    return switch (openFolds.toLowerCase(Locale.ROOT)) {
      case "rotate" -> false;
      case "all" -> true;
      default ->
          throw new IllegalArgumentException(
              "--open-folds must be rotate or all, got '" + openFolds + "'");
    };
  }

  /**
   * Fills in {@code --out} and {@code --report} and checks them, the schedule check and the
   * README's block: before hours of training, not after.
   */
  private void checkOutputs(List<Boolean> protocols, boolean face) throws IOException {
    if (out == null) {
      out =
          Path.of(
              face
                  ? "runs/compare-face"
                  : protocols.size() > 1
                      ? "runs/compare-both"
                      : protocols.get(0) ? "runs/compare-open" : "runs/compare");
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
    if (scheduleCheck != 0 && (protocols.get(0) || face)) {
      throw new IllegalArgumentException("--schedule-check needs --protocol closed or both");
    }
    if (readme != null && face) {
      HeadlineTable.requireFaceBlock(readme);
    } else if (readme != null) {
      HeadlineTable.requireBlock(readme);
    }
  }

  /** What the data are, for the report: the built-in Fashion-MNIST or the directory given. */
  private String dataSource() throws IOException {
    Path dir = Datasets.directory(data);
    return dir.equals(FashionMnist.DEFAULT_DIR)
        ? "Fashion-MNIST (Debian's dataset-fashion-mnist)"
        : "the data in " + dir;
  }

  /**
   * With {@code --schedule-check N}: softmax on the closed set (seed 1000) for N epochs, trained or
   * reused, its curve added to those shown.
   */
  private void scheduleCheck(Path closed, Map<String, List<Path>> curves) throws IOException {
    if (scheduleCheck <= 0) {
      return;
    }
    Path dir =
        closed
            .resolve("schedule-check")
            .resolve("softmax-" + scheduleCheck + "-epochs")
            .resolve("seed1000");
    System.out.println("schedule check: softmax, seed 1000, " + scheduleCheck + " epochs");
    TrainOptions check = options(Method.parse(Contrasts.BASELINE), 1000, -1, scheduleCheck);
    // Its summary holds no figures, only what it was: the committed metrics.json is the result.
    if (RunSummaries.exists(dir, check, SCHEDULE_CHECK)) {
      System.out.println("  reused " + dir.resolve(RunSummaries.FILE_NAME));
    } else {
      RunDirectory.trainOrReuse(check, dir, runtime.progress());
      RunSummaries.write(dir, check, SCHEDULE_CHECK, null);
    }
    curves.put("softmax, " + scheduleCheck + " epochs (seed 1000)", List.of(dir));
  }

  /**
   * The head of the report: the command, the machine, the data the protocols' runs were given, and
   * what every run shares, told from the first run's options rather than from their defaults.
   */
  private ComparisonHeader header(
      List<Method> grid,
      List<CompareGrid.Protocol> done,
      double minutes,
      boolean allFolds,
      boolean face) {
    CompareGrid.Protocol first = done.get(0);
    CompareGrid.Protocol open = done.get(done.size() - 1);
    List<Long> seedList = new ArrayList<>();
    for (int k = 0; k < seeds; k++) {
      seedList.add(1000L + k);
    }
    return new ComparisonHeader(
        CommandLines.current("compare", out),
        minutes,
        done.stream()
                .flatMap(p -> p.results().runs().stream())
                .mapToDouble(RunResult::seconds)
                .sum()
            / 60,
        Machine.current(),
        first.data(),
        options(grid.get(0), 1000, -1),
        seedList,
        first.pairs(),
        !open.results().open()
            ? null
            : new ComparisonHeader.OpenSet(
                open.data(),
                OpenSetFolds.heldOut(0).size(),
                OpenSetFolds.names(),
                OpenSetFolds.COUNT,
                allFolds
                    ? "every fold for every seed"
                    : "seed number k, from 0, holds out fold k mod 5",
                OpenSetFolds.heldOutText(openFolds(allFolds))),
        Arrays.stream(resolutions).boxed().toList(),
        face);
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
   * @return per seed number k: every fold, or fold k mod 5 ({@link OpenSetFolds#of})
   */
  List<List<Integer>> openFolds(boolean allFolds) {
    return OpenSetFolds.of(seeds, allFolds);
  }

  /**
   * The closed set's runs: one per seed, holding nothing out.
   *
   * @return per seed number k, {@code [-1]}
   */
  private List<List<Integer>> closedFolds() {
    return Collections.nCopies(seeds, List.of(-1));
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
    return options(method, seed, fold < 0 ? List.of() : OpenSetFolds.heldOut(fold), epochs);
  }

  /** A run as the grid makes it, without some classes, for a given number of epochs. */
  private TrainOptions options(Method method, long seed, List<Integer> excluded, int epochs) {
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
                Double.toString(method.centerLambda()),
                "--model",
                model));
    if (data != null) {
      args.addAll(List.of("--data", data.toString()));
    }
    optional(args, "--image-size", imageSize);
    optional(args, "--channels", channels);
    optional(args, "--batch-size", batchSize);
    if (!excluded.isEmpty()) {
      args.addAll(
          List.of(
              "--exclude-classes",
              String.join(",", excluded.stream().map(String::valueOf).toList())));
    }
    return TrainOptions.parse(args);
  }

  private static void optional(List<String> args, String name, Integer value) {
    if (value != null) {
      args.addAll(List.of(name, value.toString()));
    }
  }
}
