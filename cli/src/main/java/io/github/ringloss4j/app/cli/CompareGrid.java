package io.github.ringloss4j.app.cli;

import io.github.ringloss4j.app.data.ClassFilter;
import io.github.ringloss4j.app.data.Datasets;
import io.github.ringloss4j.app.data.LabelledSource;
import io.github.ringloss4j.app.eval.Evaluation;
import io.github.ringloss4j.app.eval.Method;
import io.github.ringloss4j.app.report.ComparisonHeader;
import io.github.ringloss4j.app.report.ProtocolResults;
import io.github.ringloss4j.app.report.RunEvaluation;
import io.github.ringloss4j.app.report.RunResult;
import io.github.ringloss4j.app.report.RunSummaries;
import io.github.ringloss4j.app.train.Checkpoint;
import io.github.ringloss4j.app.train.Progress;
import io.github.ringloss4j.app.train.RunDirectory;
import io.github.ringloss4j.app.train.TrainOptions;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * One protocol of {@code compare}: trains (or reuses) and evaluates every run, method by method,
 * seed by seed, and tells what data the runs were given.
 */
final class CompareGrid {

  /** The options of one run of the grid: its method, seed and open-set fold (−1: closed set). */
  @FunctionalInterface
  interface RunOptions {
    TrainOptions of(Method method, long seed, int fold);
  }

  /**
   * One protocol's runs.
   *
   * @param results every run's figures
   * @param dir where its runs, {@code compare.csv} and {@code compare_effects.csv} are
   * @param runs each method's run directories, in grid order
   * @param pairs how its pairs were drawn
   * @param data the data its runs were given
   */
  record Protocol(
      ProtocolResults results,
      Path dir,
      Map<String, List<Path>> runs,
      String pairs,
      ComparisonHeader.Data data) {}

  private final RunOptions options;
  private final int[] resolutions;
  private final int pairsPerKind;
  private final Progress progress;

  /**
   * A grid.
   *
   * @param options each run's options
   * @param resolutions the low-resolution probe sides
   * @param pairsPerKind genuine and impostor pairs
   * @param progress the training's progress display
   */
  CompareGrid(RunOptions options, int[] resolutions, int pairsPerKind, Progress progress) {
    this.options = options;
    this.resolutions = resolutions.clone();
    this.pairsPerKind = pairsPerKind;
    this.progress = progress;
  }

  /**
   * Trains (or reuses) and evaluates every run of one protocol.
   *
   * @param grid the methods
   * @param folds per seed number k (seed 1000 + k), the open-set folds its runs hold out; {@code
   *     [-1]} each for the closed set
   * @param source what the data are, for the report
   * @param out where the runs go
   * @return the protocol's runs
   * @throws IOException if data cannot be read or a run cannot be trained or written
   */
  Protocol run(List<Method> grid, List<List<Integer>> folds, String source, Path out)
      throws IOException {
    boolean open = folds.get(0).get(0) >= 0;
    List<RunResult> results = new ArrayList<>();
    Map<String, List<Path>> runs = new LinkedHashMap<>();
    SortedSet<Integer> trainingImages = new TreeSet<>();
    SortedSet<Integer> testImages = new TreeSet<>();
    // Every run is tested on the data of the first run's options (the test split of IDX data does
    // not depend on the seed), held open for the whole grid.
    TrainOptions first = options.of(grid.get(0), 1000, -1);
    Evaluation.PairSet pairs;
    int classes;
    int side;
    try (Datasets.Splits testData = Datasets.open(first.data(), first.run().seed())) {
      LabelledSource fullTest = testData.test();
      classes = fullTest.classNames().size();
      side = fullTest.itemShape()[1];
      // Closed set: all test images. Open set: fold f's held-out classes' test images, their
      // pairs drawn once per fold; the images each fold's runs trained on, counted once per fold.
      Map<Integer, LabelledSource> tests = new HashMap<>();
      Map<Integer, Evaluation.PairSet> pairSets = new HashMap<>();
      Map<Integer, Integer> trainedOn = new HashMap<>();
      tests.put(-1, fullTest);
      trainedOn.put(-1, testData.train().size() + testData.validation().size());
      if (open) {
        for (int f = 0; f < OpenSetFolds.COUNT; f++) {
          tests.put(f, ClassFilter.only(fullTest, OpenSetFolds.heldOut(f)));
        }
      }
      pairs = pairSet(-1, open ? tests.get(0) : fullTest, pairSets);
      for (Method method : grid) {
        for (int k = 0; k < folds.size(); k++) {
          long seed = 1000 + k;
          for (int fold : folds.get(k)) {
            TrainOptions run = options.of(method, seed, fold);
            Path dir = methodDir(out, method);
            if (fold >= 0) {
              List<Integer> held = OpenSetFolds.heldOut(fold);
              dir = dir.resolve("heldout" + held.get(0) + held.get(1));
            }
            dir = dir.resolve("seed" + seed);
            runs.computeIfAbsent(method.name(), m -> new ArrayList<>()).add(dir);
            LabelledSource test = tests.get(fold);
            testImages.add(test.size());
            if (!trainedOn.containsKey(fold)) {
              trainedOn.put(fold, trainingImages(run));
            }
            trainingImages.add(trainedOn.get(fold));
            results.add(evaluate(method, run, dir, fold, test, pairSet(fold, test, pairSets)));
          }
        }
      }
    }
    String label = open ? "open set" : "closed set";
    return new Protocol(
        new ProtocolResults(label, results),
        out,
        runs,
        pairs.protocol(),
        new ComparisonHeader.Data(source, trainingImages, testImages, classes, side));
  }

  /** A run's figures: from its summary, else from its checkpoint, trained first if need be. */
  private RunResult evaluate(
      Method method,
      TrainOptions run,
      Path dir,
      int fold,
      LabelledSource test,
      Evaluation.PairSet pairs)
      throws IOException {
    String evaluation =
        pairs.protocol()
            + "; probe sides "
            + Arrays.toString(resolutions)
            + (fold < 0 ? "" : "; open set, held-out classes " + OpenSetFolds.heldOut(fold));
    String what =
        (fold >= 0 ? "open set, " : "closed set, ")
            + method.name()
            + ", seed "
            + run.run().seed()
            + (fold < 0 ? "" : ", held out " + OpenSetFolds.heldOut(fold));
    return reuseOrRun(
        what,
        run,
        dir,
        evaluation,
        progress,
        c -> RunEvaluation.evaluate(method, c, test, pairs, resolutions, fold));
  }

  /** How a trained run is evaluated. */
  @FunctionalInterface
  interface Evaluator {
    RunResult of(Checkpoint checkpoint) throws IOException;
  }

  /**
   * A run's figures: from its summary when it has one for these options and this evaluation, else
   * from its checkpoint, trained (or resumed) first if need be, and the summary written.
   *
   * @param what the run, for the progress lines
   * @param run its options
   * @param dir its directory
   * @param evaluation how it is evaluated, compared with its summary's
   * @param progress the training's progress display
   * @param evaluator evaluates the trained run
   * @return its figures
   * @throws IOException if it cannot be trained, read or written
   */
  static RunResult reuseOrRun(
      String what,
      TrainOptions run,
      Path dir,
      String evaluation,
      Progress progress,
      Evaluator evaluator)
      throws IOException {
    System.out.println(what + ": " + run.method());
    RunResult result = RunSummaries.read(dir, run, evaluation);
    if (result != null) {
      System.out.println("  reused " + dir.resolve(RunSummaries.FILE_NAME));
    } else {
      RunDirectory.trainOrReuse(run, dir, progress);
      result = evaluator.of(Checkpoint.read(dir));
      RunSummaries.write(dir, run, evaluation, result);
    }
    System.out.printf(
        Locale.ROOT,
        "  accuracy %.4f, %d-fold %.4f, AUC %.4f, CV ||f|| %.3f, low-res %s%n",
        result.accuracy(),
        result.folds(),
        result.foldAccuracy(),
        result.auc(),
        result.normCv(),
        result.lowResolution());
    return result;
  }

  /**
   * The run directory of a method and seed under a protocol's directory.
   *
   * @param out the protocol's directory
   * @param method the method
   * @return {@code out/<method, file-safe>}
   */
  static Path methodDir(Path out, Method method) {
    return out.resolve(method.name().replaceAll("[^A-Za-z0-9@+.-]", "_"));
  }

  /**
   * The images a run draws its training and validation items from: its data, without the classes it
   * holds out, limited by {@code --train-limit}. The same for every seed of a fold.
   */
  static int trainingImages(TrainOptions run) throws IOException {
    try (Datasets.Splits splits = Datasets.open(run.data(), run.run().seed())) {
      return splits.train().size() + splits.validation().size();
    }
  }

  /** The pairs of a fold's test set (−1: the closed set), drawn once with seed 7. */
  private Evaluation.PairSet pairSet(
      int fold, LabelledSource test, Map<Integer, Evaluation.PairSet> cache) {
    return cache.computeIfAbsent(
        fold, f -> Evaluation.PairSet.sampled(test.labels(), pairsPerKind, 7));
  }
}
