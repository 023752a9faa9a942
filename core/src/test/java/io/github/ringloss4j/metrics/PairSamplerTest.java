package io.github.ringloss4j.metrics;

import static io.github.ringloss4j.metrics.RocTest.assertMessage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PairSamplerTest {

  /** 10 000 samples over about 1 000 identities of uneven size, some singletons. */
  private static int[] largeLabels() {
    Random random = new Random(99);
    int[] labels = new int[10_000];
    for (int i = 0; i < labels.length; i++) {
      // Squaring skews the identity sizes; the offset makes some labels negative.
      double u = random.nextDouble();
      labels[i] = (int) (u * u * 1000) - 300;
    }
    return labels;
  }

  @Test
  void sameSeedSameOutputDifferentSeedDifferentOutput() {
    int[] labels = largeLabels();
    PairSampler.Pairs a = PairSampler.sample(labels, 5000, 5000, 10, 42);
    PairSampler.Pairs b = PairSampler.sample(labels, 5000, 5000, 10, 42);
    PairSampler.Pairs c = PairSampler.sample(labels, 5000, 5000, 10, 43);
    assertEquals(a, b);
    assertEquals(a.hashCode(), b.hashCode());
    assertNotEquals(a, c);
    assertEquals(10_000, a.size());
  }

  @Test
  void pairsAreValidDistinctAndFoldBalanced() {
    int[] labels = largeLabels();
    int folds = 10;
    int genuinePairs = 3003;
    int impostorPairs = 2998;
    PairSampler.Pairs pairs = PairSampler.sample(labels, genuinePairs, impostorPairs, folds, 7);
    assertValid(labels, pairs, genuinePairs, impostorPairs, folds);
  }

  @Test
  void interleavesGenuineAndImpostorPairs() {
    int[] labels = {0, 0, 0, 1, 1, 2, 2, 2, 3};
    PairSampler.Pairs pairs = PairSampler.sample(labels, 3, 6, 2, 5);
    // Genuine 0, impostor 0, genuine 1, impostor 1, genuine 2, impostor 2, then impostors 3-5.
    boolean[] expectedKinds = {true, false, true, false, true, false, false, false, false};
    int[] expectedFolds = {0, 0, 1, 1, 0, 0, 1, 0, 1};
    for (int p = 0; p < expectedKinds.length; p++) {
      assertEquals(expectedKinds[p], pairs.genuine()[p], "pair " + p);
      assertEquals(expectedFolds[p], pairs.fold()[p], "pair " + p);
    }
  }

  @Test
  void askingForEveryPairEnumeratesThemAll() {
    // Labels {0, 0, 1, 1, 1}: genuine pairs (0,1), (2,3), (2,4), (3,4); the other 6 of the
    // 10 pairs are impostors.
    int[] labels = {0, 0, 1, 1, 1};
    PairSampler.Pairs pairs = PairSampler.sample(labels, 4, 6, 3, 1);
    assertValid(labels, pairs, 4, 6, 3);
    Set<Long> genuine = new HashSet<>();
    Set<Long> impostor = new HashSet<>();
    for (int p = 0; p < pairs.size(); p++) {
      long key = pairs.first()[p] * 10L + pairs.second()[p];
      (pairs.genuine()[p] ? genuine : impostor).add(key);
    }
    assertEquals(Set.of(1L, 23L, 24L, 34L), genuine);
    assertEquals(Set.of(2L, 3L, 4L, 12L, 13L, 14L), impostor);
  }

  @Test
  void tooManyPairsNamesTheAvailableCount() {
    int[] labels = {0, 0, 1, 1, 1};
    assertMessage(
        () -> PairSampler.sample(labels, 5, 0, 1, 1), "genuinePairs must be at most 4", "got 5");
    assertMessage(
        () -> PairSampler.sample(labels, 0, 7, 1, 1), "impostorPairs must be at most 6", "got 7");
    assertMessage(() -> PairSampler.sample(new int[] {3, 4, 5}, 1, 0, 1, 1), "at most 0");
  }

  @Test
  void validationNamesTheArgument() {
    assertMessage(() -> PairSampler.sample(null, 1, 1, 1, 1), "labels must not be null");
    assertMessage(() -> PairSampler.sample(new int[] {0, 0}, -1, 0, 1, 1), "genuinePairs", "-1");
    assertMessage(() -> PairSampler.sample(new int[] {0, 1}, 0, -2, 1, 1), "impostorPairs", "-2");
    assertMessage(() -> PairSampler.sample(new int[] {0, 1}, 0, 1, 0, 1), "folds", "0");
  }

  @Test
  void emptyRequestGivesNoPairs() {
    PairSampler.Pairs pairs = PairSampler.sample(new int[] {1}, 0, 0, 4, 1);
    assertEquals(0, pairs.size());
  }

  @Test
  void singleGenuinePairIsUniformOverAllGenuinePairs() {
    // Identities of sizes 2, 3 and 4 hold 1 + 3 + 6 = 10 genuine pairs. Drawing one pair per
    // seed must hit each about equally often, which fails if identities were chosen uniformly
    // instead of by their number of pairs.
    int[] labels = {5, 5, 7, 7, 7, 9, 9, 9, 9};
    assertUniform(labels, true, 1, 10, 20_000);
  }

  @Test
  void singleImpostorPairIsUniformOverAllImpostorPairs() {
    // 36 pairs minus 10 genuine = 26 impostor pairs, drawn by the rejection path.
    int[] labels = {5, 5, 7, 7, 7, 9, 9, 9, 9};
    assertUniform(labels, false, 1, 26, 26_000);
  }

  @Test
  void denseSelectionIsUniform() {
    // 6 of the 10 genuine pairs: more than half, so they are enumerated and shuffled; every
    // pair must be included in 60% of the seeds.
    int[] labels = {5, 5, 7, 7, 7, 9, 9, 9, 9};
    assertUniform(labels, true, 6, 10, 5_000);
  }

  /**
   * Counts how often each pair of one kind is drawn over many seeds and checks the counts with a
   * chi-square statistic. Each pair is included with probability requested / available, so every
   * count has the same expectation.
   */
  private static void assertUniform(
      int[] labels, boolean kind, int requested, int available, int seeds) {
    Map<Long, Integer> counts = new HashMap<>();
    for (int seed = 0; seed < seeds; seed++) {
      PairSampler.Pairs pairs =
          PairSampler.sample(labels, kind ? requested : 0, kind ? 0 : requested, 1, seed);
      for (int p = 0; p < pairs.size(); p++) {
        counts.merge(pairs.first()[p] * 100L + pairs.second()[p], 1, Integer::sum);
      }
    }
    assertEquals(available, counts.size());
    double expected = (double) seeds * requested / available;
    double chiSquare = 0;
    for (int count : counts.values()) {
      chiSquare += (count - expected) * (count - expected) / expected;
    }
    // The statistic has mean about available - 1 (a bit less for the dense case); the bound
    // is far in the tail (p < 1e-6 for 25 degrees of freedom) yet catches any real bias, which
    // at these sample sizes gives values in the hundreds.
    assertTrue(chiSquare < 3.0 * available + 30, "chi-square " + chiSquare);
  }

  private static void assertValid(
      int[] labels, PairSampler.Pairs pairs, int genuinePairs, int impostorPairs, int folds) {
    assertEquals(genuinePairs + impostorPairs, pairs.size());
    Set<Long> seen = new HashSet<>();
    int[][] perFold = new int[2][folds];
    int genuineSeen = 0;
    for (int p = 0; p < pairs.size(); p++) {
      int i = pairs.first()[p];
      int j = pairs.second()[p];
      assertTrue(0 <= i && i < j && j < labels.length, "pair " + p + " = (" + i + ", " + j + ")");
      assertTrue(seen.add((long) i * labels.length + j), "duplicate pair " + i + ", " + j);
      assertEquals(labels[i] == labels[j], pairs.genuine()[p], "pair " + p);
      int f = pairs.fold()[p];
      assertTrue(0 <= f && f < folds);
      perFold[pairs.genuine()[p] ? 0 : 1][f]++;
      if (pairs.genuine()[p]) {
        genuineSeen++;
      }
    }
    assertEquals(genuinePairs, genuineSeen);
    for (int kind = 0; kind < 2; kind++) {
      int total = kind == 0 ? genuinePairs : impostorPairs;
      for (int f = 0; f < folds; f++) {
        int expected = total / folds + (f < total % folds ? 1 : 0);
        assertEquals(expected, perFold[kind][f], "kind " + kind + ", fold " + f);
      }
    }
  }

  @Test
  void availableCountsWhatSampleCanDraw() {
    // Classes of 3, 1 and 2 samples: 3 + 0 + 1 genuine pairs of the 15.
    int[] labels = {0, 0, 0, 1, 2, 2};
    PairSampler.Available a = PairSampler.available(labels);
    assertEquals(4, a.genuine());
    assertEquals(11, a.impostor());
    assertEquals(15, PairSampler.sample(labels, 4, 11, 2, 1).size(), "all of them can be drawn");
  }
}
