package io.github.ringloss4j.app.cli;

import io.github.ringloss4j.app.data.ClassFilter;
import io.github.ringloss4j.app.data.Datasets;
import io.github.ringloss4j.app.data.IdentitySplit;
import io.github.ringloss4j.app.data.LabelledSource;
import io.github.ringloss4j.app.data.QualityRecords;
import io.github.ringloss4j.app.eval.FacePairs;
import io.github.ringloss4j.app.eval.FaceTest;
import io.github.ringloss4j.app.eval.Method;
import io.github.ringloss4j.app.eval.OpenSetSearch;
import io.github.ringloss4j.app.io.JsonFiles;
import io.github.ringloss4j.app.report.ComparisonHeader;
import io.github.ringloss4j.app.report.ProtocolResults;
import io.github.ringloss4j.app.report.RunEvaluation;
import io.github.ringloss4j.app.report.RunResult;
import io.github.ringloss4j.app.train.Progress;
import io.github.ringloss4j.app.train.TrainOptions;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The face protocol of {@code compare}: an identity-disjoint split drawn once ({@link
 * IdentitySplit}, saved as {@code OUT/split.json}), every run trained without the test identities,
 * and every run tested on the same {@link FaceTest}: the stratified 1:1 pairs and the open-set 1:N
 * design over the test identities' images.
 */
final class FaceGrid {

  /** The options of one run: its method, seed and the labels it leaves out of training. */
  @FunctionalInterface
  interface RunOptions {
    TrainOptions of(Method method, long seed, List<Integer> excluded);
  }

  /** The seed the pairs and the open-set design are drawn with. */
  static final long TEST_SEED = 7;

  /** The split's file in the protocol's directory. */
  static final String SPLIT_FILE = "split.json";

  private final RunOptions options;
  private final int[] resolutions;
  private final int pairsPerKind;
  private final Progress progress;
  private final String testIdentities;
  private final long splitSeed;
  private final List<Path> bins;

  /**
   * A grid.
   *
   * @param options each run's options
   * @param resolutions the low-resolution probe sides, possibly none
   * @param pairsPerKind genuine and impostor pairs per stratum
   * @param progress the training's progress display
   * @param testIdentities {@code --test-identities}
   * @param splitSeed the seed of the split
   * @param bins {@code .bin} verification sets scored as well
   */
  FaceGrid(
      RunOptions options,
      int[] resolutions,
      int pairsPerKind,
      Progress progress,
      String testIdentities,
      long splitSeed,
      List<Path> bins) {
    this.options = options;
    this.resolutions = resolutions.clone();
    this.pairsPerKind = pairsPerKind;
    this.progress = progress;
    this.testIdentities = testIdentities;
    this.splitSeed = splitSeed;
    this.bins = List.copyOf(bins);
  }

  /**
   * Trains (or reuses) and evaluates every run.
   *
   * @param grid the methods
   * @param seeds the seeds per method (1000, 1001, …)
   * @param source what the data are, for the report
   * @param out where the runs, the split and the CSV files go
   * @return the protocol's runs
   * @throws IOException if data cannot be read or a run cannot be trained or written
   */
  CompareGrid.Protocol run(List<Method> grid, int seeds, String source, Path out)
      throws IOException {
    TrainOptions base = options.of(grid.get(0), 1000, List.of());
    List<RunResult> results = new ArrayList<>();
    Map<String, List<Path>> runs = new LinkedHashMap<>();
    try (Datasets.Splits data = Datasets.open(base.data(), base.run().seed())) {
      LabelledSource all = data.all();
      IdentitySplit split = IdentitySplit.draw(all.classNames(), testIdentities, splitSeed);
      LabelledSource testSource = ClassFilter.only(all, split.testLabelList());
      int[] labels = testSource.labels();
      QualityRecords.Quality[] quality =
          QualityRecords.of(testSource, Datasets.directory(base.data().directory()));
      int[] level = null;
      boolean[] low = null;
      if (quality != null) {
        level = new int[quality.length];
        low = new boolean[quality.length];
        for (int i = 0; i < quality.length; i++) {
          level[i] = quality[i].level();
          low[i] = quality[i].low();
        }
      }
      FaceTest test =
          new FaceTest(
              testSource,
              FacePairs.draw(labels, low, pairsPerKind, TEST_SEED),
              OpenSetSearch.draw(labels, low, TEST_SEED),
              level,
              bins);
      JsonFiles.write(out.resolve(SPLIT_FILE), new SplitFile(split, test.protocol()));
      System.out.println("face protocol: " + split.describe() + "; " + test.protocol());
      String evaluation =
          test.protocol()
              + "; "
              + split.describe()
              + "; probe sides "
              + Arrays.toString(resolutions);
      int trainingImages = -1;
      for (Method method : grid) {
        for (int k = 0; k < seeds; k++) {
          long seed = 1000 + k;
          TrainOptions run = options.of(method, seed, split.testLabelList());
          if (trainingImages < 0) {
            trainingImages = CompareGrid.trainingImages(run);
          }
          Path dir = CompareGrid.methodDir(out, method).resolve("seed" + seed);
          runs.computeIfAbsent(method.name(), m -> new ArrayList<>()).add(dir);
          results.add(
              CompareGrid.reuseOrRun(
                  "face protocol, " + method.name() + ", seed " + seed,
                  run,
                  dir,
                  evaluation,
                  progress,
                  c -> RunEvaluation.evaluate(method, c, test, resolutions)));
        }
      }
      return new CompareGrid.Protocol(
          new ProtocolResults("face protocol", results),
          out,
          runs,
          split.describe() + "; " + test.protocol(),
          new ComparisonHeader.Data(
              source,
              new TreeSet<>(List.of(trainingImages)),
              new TreeSet<>(List.of(testSource.size())),
              all.classNames().size(),
              testSource.itemShape()[1]));
    }
  }

  /**
   * {@code split.json}: which identities the runs never saw.
   *
   * @param seed the split's seed
   * @param testIdentities how many
   * @param classes of how many
   * @param names their class names
   * @param test how the test was drawn
   */
  record SplitFile(long seed, int testIdentities, int classes, List<String> names, String test) {
    SplitFile(IdentitySplit split, String test) {
      this(split.seed(), split.testLabels().length, split.classes(), split.testNames(), test);
    }
  }
}
