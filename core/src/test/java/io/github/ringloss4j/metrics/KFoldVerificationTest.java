package io.github.ringloss4j.metrics;

import static io.github.ringloss4j.metrics.RocTest.assertMessage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class KFoldVerificationTest {

  @Test
  void handExampleWithLowerMedianTie() {
    // Fold 0: genuine 0.8, impostor 0.3. Fold 1: genuine 0.6, impostor 0.5, genuine 0.2.
    double[] scores = {0.8, 0.3, 0.6, 0.5, 0.2};
    boolean[] genuine = {true, false, true, false, true};
    int[] fold = {0, 0, 1, 1, 1};
    // Held-out fold 0, trained on fold 1 (distinct 0.2, 0.5, 0.6). Training accuracy of each
    // candidate, ascending:
    //   0.2 - 1 = -0.8 (accept all): 0.6 ok, 0.5 wrong, 0.2 ok -> 2/3
    //   0.35:                        0.6 ok, 0.5 wrong, 0.2 wrong -> 1/3
    //   0.55:                        0.6 ok, 0.5 ok, 0.2 wrong -> 2/3
    //   0.6 + 1 = 1.6 (reject all):  only 0.5 ok -> 1/3
    // Two optima {-0.8, 0.55}: the lower median is -0.8. On fold 0 it accepts 0.8 (ok) and 0.3
    // (wrong): accuracy 1/2.
    // Held-out fold 1, trained on fold 0 (0.3 impostor, 0.8 genuine): candidates -0.7 (1/2),
    // 0.55 (1), 1.8 (1/2); the unique optimum 0.55 gets 0.6 and 0.5 right, 0.2 wrong: 2/3.
    // Mean (1/2 + 2/3) / 2 = 7/12; deviations -+1/12, sample variance 2/144 / (2 - 1) = 1/72.
    KFoldVerification.Result result = KFoldVerification.evaluate(scores, genuine, fold, 2);
    assertArrayEquals(new double[] {-0.8, 0.55}, result.thresholds(), 1e-15);
    assertArrayEquals(new double[] {0.5, 2.0 / 3.0}, result.accuracies(), 1e-15);
    assertEquals(7.0 / 12.0, result.meanAccuracy(), 1e-15);
    assertEquals(1.0 / Math.sqrt(72.0), result.standardDeviation(), 1e-15);
  }

  @Test
  void oddNumberOfOptimaTakesTheMiddleOne() {
    // Held-out fold 0 is trained on fold 1: genuine 3, 5, 7 and impostors 2, 4, 6. Candidates
    // and training pairs correct (genuine >= t, impostor < t), out of 6:
    //   1 -> 3, 2.5 -> 4, 3.5 -> 3, 4.5 -> 4, 5.5 -> 3, 6.5 -> 4, 8 -> 3.
    // Three optima {2.5, 4.5, 6.5}: the median is 4.5.
    double[] scores = {0.0, 100.0, 3, 2, 5, 4, 6, 7};
    boolean[] genuine = {false, true, true, false, true, false, false, true};
    int[] fold = {0, 0, 1, 1, 1, 1, 1, 1};
    KFoldVerification.Result result = KFoldVerification.evaluate(scores, genuine, fold, 2);
    assertEquals(4.5, result.thresholds()[0]);
    // Fold 0 against 4.5: impostor 0 rejected (ok), genuine 100 accepted (ok).
    assertEquals(1.0, result.accuracies()[0]);
  }

  @Test
  void heldOutScoreEqualToTheThresholdIsAccepted() {
    // Fold 1 (genuine 0.6, impostor 0.2) has one gap: threshold 0.2/2 + 0.6/2 = 0.4. Fold 0
    // holds a genuine pair at exactly 0.4, accepted because the rule is score >= threshold, and
    // an impostor at 0.1, rejected.
    double[] scores = {0.4, 0.1, 0.6, 0.2};
    boolean[] genuine = {true, false, true, false};
    int[] fold = {0, 0, 1, 1};
    KFoldVerification.Result result = KFoldVerification.evaluate(scores, genuine, fold, 2);
    assertEquals(0.4, result.thresholds()[0]);
    assertEquals(1.0, result.accuracies()[0]);
  }

  @Test
  void matchesBruteForceThresholdSearch() {
    for (long seed = 1; seed <= 8; seed++) {
      Random random = new Random(seed);
      int n = 300 + random.nextInt(300);
      int folds = 2 + random.nextInt(9);
      // Odd seeds: one decimal (heavy ties); even seeds: two decimals (many candidates).
      double scale = seed % 2 == 1 ? 10.0 : 100.0;
      double[] scores = new double[n];
      boolean[] genuine = new boolean[n];
      int[] fold = new int[n];
      for (int k = 0; k < n; k++) {
        genuine[k] = random.nextBoolean();
        scores[k] = Math.round((random.nextGaussian() + (genuine[k] ? 1.0 : 0.0)) * scale) / scale;
        fold[k] = k < folds ? k : random.nextInt(folds);
      }
      KFoldVerification.Result result = KFoldVerification.evaluate(scores, genuine, fold, folds);
      double[] expectedThresholds = new double[folds];
      double[] expectedAccuracies = new double[folds];
      for (int k = 0; k < folds; k++) {
        expectedThresholds[k] = bruteForceThreshold(scores, genuine, fold, k);
        expectedAccuracies[k] = accuracy(scores, genuine, fold, k, true, expectedThresholds[k]);
      }
      assertArrayEquals(expectedThresholds, result.thresholds(), "seed " + seed);
      assertArrayEquals(expectedAccuracies, result.accuracies(), "seed " + seed);
      double mean = 0;
      for (double a : expectedAccuracies) {
        mean += a / folds;
      }
      double squares = 0;
      for (double a : expectedAccuracies) {
        squares += (a - mean) * (a - mean);
      }
      assertEquals(mean, result.meanAccuracy(), 1e-12);
      assertEquals(Math.sqrt(squares / (folds - 1)), result.standardDeviation(), 1e-12);
    }
  }

  @Test
  void perfectlySeparableGivesAccuracyOneInEveryFold() {
    int folds = 10;
    Random random = new Random(4);
    int n = 600;
    double[] scores = new double[n];
    boolean[] genuine = new boolean[n];
    int[] fold = new int[n];
    for (int k = 0; k < n; k++) {
      fold[k] = k % folds;
      genuine[k] = (k / folds) % 2 == 0;
      // The first genuine and impostor of every fold sit at the class edges (0.3 and 0.7), so
      // every training set has the same gap and the threshold 0.5.
      boolean edge = k / folds < 2;
      double u = edge ? 0.0 : random.nextDouble() * 0.3;
      scores[k] = genuine[k] ? 0.7 + u : 0.3 - u;
    }
    KFoldVerification.Result result = KFoldVerification.evaluate(scores, genuine, fold, folds);
    for (int k = 0; k < folds; k++) {
      assertEquals(1.0, result.accuracies()[k]);
      assertEquals(0.5, result.thresholds()[k], 1e-15);
    }
    assertEquals(1.0, result.meanAccuracy());
    assertEquals(0.0, result.standardDeviation());
  }

  @Test
  void resultIsAValue() {
    double[] scores = {0.8, 0.3, 0.6, 0.5, 0.2};
    boolean[] genuine = {true, false, true, false, true};
    int[] fold = {0, 0, 1, 1, 1};
    KFoldVerification.Result a = KFoldVerification.evaluate(scores, genuine, fold, 2);
    KFoldVerification.Result b = KFoldVerification.evaluate(scores, genuine, fold, 2);
    assertEquals(a, b);
    assertEquals(a.hashCode(), b.hashCode());
    a.accuracies()[0] = 42;
    assertEquals(b, a);
  }

  @Test
  void validationNamesTheArgument() {
    double[] scores = {0.1, 0.2, 0.3, 0.4};
    boolean[] genuine = {true, false, true, false};
    int[] fold = {0, 1, 0, 1};
    assertMessage(() -> KFoldVerification.evaluate(null, genuine, fold, 2), "scores");
    assertMessage(
        () -> KFoldVerification.evaluate(scores, new boolean[3], fold, 2),
        "genuine.length must equal scores.length (4), got 3");
    assertMessage(
        () -> KFoldVerification.evaluate(scores, genuine, new int[5], 2),
        "fold.length must equal scores.length (4), got 5");
    assertMessage(
        () ->
            KFoldVerification.evaluate(new double[] {0.1, Double.NaN, 0.3, 0.4}, genuine, fold, 2),
        "scores[1] must be finite, got NaN");
    assertMessage(
        () -> KFoldVerification.evaluate(scores, genuine, new int[] {0, 1, 2, 1}, 2),
        "fold[2] must be in [0, 2), got 2");
    assertMessage(
        () -> KFoldVerification.evaluate(scores, genuine, new int[] {0, -1, 0, 1}, 2),
        "fold[1]",
        "-1");
    assertMessage(
        () -> KFoldVerification.evaluate(scores, genuine, new int[] {0, 2, 0, 2}, 3),
        "fold",
        "fold 1 has none");
    assertMessage(
        () -> KFoldVerification.evaluate(scores, genuine, new int[4], 1),
        "folds must be >= 2, got 1");
  }

  /** O(n) accuracy of threshold t on fold k ({@code held = true}) or on the other folds. */
  private static double accuracy(
      double[] scores, boolean[] genuine, int[] fold, int k, boolean held, double t) {
    int correct = 0;
    int total = 0;
    for (int p = 0; p < scores.length; p++) {
      if ((fold[p] == k) == held) {
        total++;
        if ((scores[p] >= t) == genuine[p]) {
          correct++;
        }
      }
    }
    return (double) correct / total;
  }

  /** Scores every candidate directly on the training folds: O(n) per candidate. */
  private static double bruteForceThreshold(double[] scores, boolean[] genuine, int[] fold, int k) {
    TreeSet<Double> distinct = new TreeSet<>();
    for (int p = 0; p < scores.length; p++) {
      if (fold[p] != k) {
        distinct.add(scores[p]);
      }
    }
    List<Double> values = new ArrayList<>(distinct);
    List<Double> candidates = new ArrayList<>();
    double first = values.get(0);
    double last = values.get(values.size() - 1);
    candidates.add(Math.min(first - 1, Math.nextDown(first)));
    for (int i = 0; i + 1 < values.size(); i++) {
      double mid = values.get(i) * 0.5 + values.get(i + 1) * 0.5;
      candidates.add(mid > values.get(i) ? mid : values.get(i + 1));
    }
    candidates.add(Math.max(last + 1, Math.nextUp(last)));
    double best = -1;
    List<Double> optima = new ArrayList<>();
    for (double t : candidates) {
      double a = accuracy(scores, genuine, fold, k, false, t);
      if (a > best) {
        best = a;
        optima.clear();
      }
      if (a == best) {
        optima.add(t);
      }
    }
    return optima.get((optima.size() - 1) / 2);
  }
}
