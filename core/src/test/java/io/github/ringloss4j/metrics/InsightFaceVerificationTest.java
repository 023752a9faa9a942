package io.github.ringloss4j.metrics;

import static io.github.ringloss4j.metrics.RocTest.assertMessage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * Hand-computed cases of {@link InsightFaceVerification}; the comparison with an independent NumPy
 * implementation on a committed fixture is in the cli module ({@code InsightFaceFixtureTest}),
 * where the fixture lives.
 */
class InsightFaceVerificationTest {

  @Test
  void thresholdGridIsNumpysArange() {
    // np.arange(0, 4, 0.01) has ceil(4 / 0.01) = 400 values, each j * 0.01 as a double product:
    // 57 * 0.01 is 0.5700000000000001, not the double nearest 0.57.
    double[] t = InsightFaceVerification.thresholds();
    assertEquals(400, t.length);
    assertEquals(0.0, t[0]);
    assertEquals(0.01, t[1]);
    assertEquals(0.5, t[50]);
    assertEquals(0.5700000000000001, t[57]);
    assertEquals(3.99, t[399]);
    assertEquals(t[57], InsightFaceVerification.threshold(57));
    assertMessage(() -> InsightFaceVerification.threshold(400), "index must be in [0, 400)");
  }

  @Test
  void foldsAreSklearnKFoldWithoutShuffle() {
    // 63 pairs in 10 folds: 63 mod 10 = 3 folds of 7, then 7 folds of 6.
    assertArrayEquals(
        new int[] {0, 7, 14, 21, 27, 33, 39, 45, 51, 57, 63},
        InsightFaceVerification.foldStarts(63, 10));
    assertArrayEquals(new int[] {0, 2, 4}, InsightFaceVerification.foldStarts(4, 2));
  }

  @Test
  void handExampleWithTwoFolds() {
    // Pairs (distance, same): p0 (0.5, same), p1 (1.5, diff) | p2 (0.7, same), p3 (0.2, diff).
    // Fold 0 held out, trained on p2, p3: p3 is accepted when 0.2 < t and p2 when 0.7 < t, so
    // the training accuracy is 1/2 for t <= 0.2 (both rejected: p3 right), 0/2 for
    // 0.2 < t <= 0.7 (p3 accepted, p2 rejected: both wrong) and 1/2 above: the first maximum is
    // j = 0 (t = 0). On p0, p1 at t = 0 nothing is accepted: p1 right, p0 wrong, accuracy 1/2.
    // Fold 1 held out, trained on p0, p1: 1/2 for t <= 0.5 (t = 0.5 itself does not accept
    // 0.5: "same" is d < t), 2/2 for 0.5 < t <= 1.5: the first maximum is j = 51 (t = 0.51). On
    // p2, p3 at 0.51: p2 (0.7) rejected, wrong; p3 (0.2) accepted, wrong: accuracy 0.
    // Mean (1/2 + 0) / 2 = 0.25; population std sqrt(((0.5 - 0.25)² + (0 - 0.25)²) / 2) = 0.25.
    double[] d = {0.5, 1.5, 0.7, 0.2};
    boolean[] same = {true, false, true, false};
    InsightFaceVerification.Result r = InsightFaceVerification.evaluateDistances(d, same, 2);
    assertArrayEquals(new double[] {0.5, 0}, r.accuracies());
    assertArrayEquals(new int[] {0, 51}, r.thresholdIndices());
    assertArrayEquals(new double[] {0, 0.51}, r.thresholds());
    assertEquals(0.25, r.meanAccuracy());
    assertEquals(0.25, r.standardDeviation());
    // ROC at t = 0: nothing accepted, TPR = FPR = 0 in both folds.
    // At t = 0.51: fold 0 accepts p0 (TPR 1/1, FPR 0/1); fold 1 accepts p3 (TPR 0/1, FPR 1/1):
    // means 0.5 and 0.5. At t = 3.99 everything is accepted: 1 and 1.
    double[] tpr = r.truePositiveRates();
    double[] fpr = r.falsePositiveRates();
    assertEquals(400, tpr.length);
    assertEquals(0, tpr[0]);
    assertEquals(0, fpr[0]);
    assertEquals(0.5, tpr[51]);
    assertEquals(0.5, fpr[51]);
    assertEquals(1, tpr[399]);
    assertEquals(1, fpr[399]);
  }

  @Test
  void rateWithoutPositivesOrNegativesIsZero() {
    // Ten folds of one pair each: a fold holds either no "same" or no "different" pair, and
    // InsightFace's calculate_accuracy reports 0 for the rate whose denominator is 0. Pairs
    // alternate same (d = 0.1) and different (d = 3): at t = 3.99 every fold accepts its pair,
    // so the five "same" folds have TPR 1 and FPR 0, the five others TPR 0 and FPR 1: means
    // 0.5 and 0.5. Training on nine folds, 0.1 < t <= 3 separates them perfectly: the first such
    // threshold is t = 0.11 (j = 11; 0.1 < 0.1 is false), and every held-out fold is right.
    double[] d = new double[10];
    boolean[] same = new boolean[10];
    for (int i = 0; i < 10; i++) {
      same[i] = i % 2 == 0;
      d[i] = same[i] ? 0.1 : 3;
    }
    InsightFaceVerification.Result r = InsightFaceVerification.evaluateDistances(d, same, 10);
    assertEquals(0.5, r.truePositiveRates()[399]);
    assertEquals(0.5, r.falsePositiveRates()[399]);
    assertEquals(1.0, r.meanAccuracy());
    assertEquals(0.0, r.standardDeviation());
    for (int index : r.thresholdIndices()) {
      assertEquals(11, index);
    }
  }

  @Test
  void flipFusionSumsAndNormalises() {
    // (3, 0) + (1, 0) = (4, 0) -> (1, 0); (1, 2) + (2, 2) = (3, 4) -> (0.6, 0.8);
    // (1, -1) + (-1, 1) = (0, 0) stays zero.
    float[][] plain = {{3, 0}, {1, 2}, {1, -1}, {0, 5}};
    float[][] flipped = {{1, 0}, {2, 2}, {-1, 1}, {0, 5}};
    double[][] fused = InsightFaceVerification.fuseFlips(plain, flipped);
    assertArrayEquals(new double[] {1, 0}, fused[0]);
    assertArrayEquals(new double[] {0.6, 0.8}, fused[1], 1e-15);
    assertArrayEquals(new double[] {0, 0}, fused[2]);
    assertArrayEquals(new double[] {0, 1}, fused[3]);
    assertArrayEquals(
        new double[] {0, 1}, InsightFaceVerification.normalise(new float[][] {{0, 5}})[0]);
    // Pair 0: ‖(1, 0) − (0.6, 0.8)‖² = 0.16 + 0.64 = 0.8; pair 1: ‖(0, 0) − (0, 1)‖² = 1.
    double[] distances = InsightFaceVerification.squaredDistances(fused);
    assertEquals(0.8, distances[0], 1e-15);
    assertEquals(1.0, distances[1]);
  }

  @Test
  void evaluateOnEmbeddingsIsEvaluateOnTheirDistances() {
    double[][] e = new double[24][];
    boolean[] same = new boolean[12];
    for (int i = 0; i < 24; i++) {
      double angle = i * 0.7;
      e[i] = new double[] {Math.cos(angle), Math.sin(angle)};
    }
    for (int p = 0; p < 12; p++) {
      same[p] = p % 3 != 0;
    }
    assertEquals(
        InsightFaceVerification.evaluateDistances(
            InsightFaceVerification.squaredDistances(e), same, 10),
        InsightFaceVerification.evaluate(e, same));
  }

  @Test
  void rejectsBadArguments() {
    double[] nine = new double[9];
    assertMessage(
        () -> InsightFaceVerification.evaluateDistances(nine, new boolean[9], 10),
        "folds (10) must not exceed the number of pairs, got 9 pairs");
    assertMessage(
        () -> InsightFaceVerification.evaluateDistances(nine, new boolean[8], 2),
        "issame.length must equal squaredDistances.length (9), got 8");
    assertMessage(
        () -> InsightFaceVerification.evaluateDistances(new double[] {1, Double.NaN}, null, 2),
        "issame must not be null");
    assertMessage(
        () ->
            InsightFaceVerification.evaluateDistances(
                new double[] {1, Double.NaN}, new boolean[2], 2),
        "squaredDistances[1] must be finite, got NaN");
    assertMessage(
        () -> InsightFaceVerification.evaluateDistances(new double[4], new boolean[4], 1),
        "folds must be >= 2, got 1");
    assertMessage(
        () -> InsightFaceVerification.squaredDistances(new double[3][2]),
        "embeddings must hold 2N > 0 rows",
        "got 3");
    assertMessage(
        () -> InsightFaceVerification.squaredDistances(new double[][] {{1, 2}, {1}}),
        "embeddings[1].length must equal 2, got 1");
    assertMessage(
        () -> InsightFaceVerification.fuseFlips(new float[2][2], new float[3][2]),
        "flipped.length must equal plain.length (2), got 3");
    assertMessage(
        () ->
            InsightFaceVerification.fuseFlips(
                new float[][] {{1, Float.POSITIVE_INFINITY}}, new float[1][2]),
        "plain[0][1] must be finite");
  }
}
