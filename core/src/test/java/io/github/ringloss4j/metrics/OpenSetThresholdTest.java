package io.github.ringloss4j.metrics;

import static io.github.ringloss4j.metrics.RocTest.assertMessage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link OpenSetThreshold}: the calibration rule on hand-made scores, and on a real gallery. */
class OpenSetThresholdTest {

  /**
   * Ten non-mated best scores; sorted in decreasing order b₁..b₁₀ = 0.91, 0.80, 0.80, 0.70, 0.62,
   * 0.55, 0.47, 0.35, 0.23, 0.10.
   */
  private static final double[] NON_MATED = {
    0.91, 0.35, 0.80, 0.62, 0.80, 0.10, 0.47, 0.55, 0.23, 0.70
  };

  @Test
  void thresholdAtFpirOnHandMadeScores() {
    // f = 0.10: a = max{j : j/10 ≤ 0.10} = 1, so t = nextUp(b₂) = nextUp(0.80); it accepts 0.91
    // alone: FPIR = 1/10 = 0.10.
    assertThreshold(0.10, Math.nextUp(0.80), 0.10);
    // f = 0.20: a = 2, b₃ = 0.80 is tied with b₂; t = nextUp(0.80) rejects both, so only 0.91 is
    // accepted: FPIR = 0.10 < 0.20 (a tie cannot be split).
    assertThreshold(0.20, Math.nextUp(0.80), 0.10);
    // f = 0.29: 0.29·10 = 2.9, a = 2 as above.
    assertThreshold(0.29, Math.nextUp(0.80), 0.10);
    // f = 0.30: a = 3, t = nextUp(b₄) = nextUp(0.70); 0.91, 0.80, 0.80 accepted: FPIR = 0.30.
    assertThreshold(0.30, Math.nextUp(0.70), 0.30);
    // f = 0.05 < 1/10: a = 0, t = nextUp(b₁) = nextUp(0.91), above every score: FPIR = 0.
    assertThreshold(0.05, Math.nextUp(0.91), 0.0);
    assertThreshold(0.0, Math.nextUp(0.91), 0.0);
    // f = 1: every probe may be accepted: t = −∞, FPIR = 1.
    assertThreshold(1.0, Double.NEGATIVE_INFINITY, 1.0);
  }

  private static void assertThreshold(double target, double threshold, double fpir) {
    double t = OpenSetThreshold.atFpir(NON_MATED, target);
    assertEquals(threshold, t, "threshold at FPIR " + target);
    assertEquals(fpir, OpenSetThreshold.fpir(NON_MATED, t), "FPIR at FPIR " + target);
  }

  @Test
  void theAllowedCountIsExactWhereTargetTimesNRoundsDown() {
    // 100 scores 0.00, 0.01, …, 0.99 and f = 0.29: 0.29·100 = 28.999999999999996 in double, but a
    // = 29 since 29/100 ≤ 0.29. b₃₀ = 0.70, t = nextUp(0.70): 0.71..0.99 accepted, 29/100.
    double[] scores = new double[100];
    for (int i = 0; i < scores.length; i++) {
      scores[i] = i / 100.0;
    }
    double t = OpenSetThreshold.atFpir(scores, 0.29);
    assertEquals(Math.nextUp(0.70), t);
    assertEquals(0.29, OpenSetThreshold.fpir(scores, t));
  }

  @Test
  void fnirCountsMatesBelowTheThresholdOrNotFirst() {
    // Five mated probes: mate first with 0.95, 0.85, 0.79 and 0.81, and one whose mate is not
    // first (NaN). At t = nextUp(0.80): 0.95, 0.85 and 0.81 are accepted; 0.79 and the NaN are
    // missed: FNIR = 2/5 = 0.4. At t = 0.79 exactly, 0.79 is accepted (score ≥ t): FNIR = 1/5.
    double[] mated = {0.95, 0.85, Double.NaN, 0.79, 0.81};
    assertEquals(0.4, OpenSetThreshold.fnir(mated, Math.nextUp(0.80)));
    assertEquals(0.2, OpenSetThreshold.fnir(mated, 0.79));
    assertEquals(Double.NaN, OpenSetThreshold.fnir(new double[0], 0.5));
  }

  @Test
  void aMateTiedAtTheTopIsAMiss() {
    Gallery.Match mate = new Gallery.Match(3, "m", 0.9);
    Gallery.Match other = new Gallery.Match(5, "o", 0.9);
    Gallery.Match lower = new Gallery.Match(5, "o", 0.5);
    assertEquals(0.9, OpenSetThreshold.firstRankMateScore(List.of(mate, lower), 3));
    assertEquals(Double.NaN, OpenSetThreshold.firstRankMateScore(List.of(mate, other), 3));
    assertEquals(Double.NaN, OpenSetThreshold.firstRankMateScore(List.of(other, mate), 3));
    assertEquals(0.9, OpenSetThreshold.firstRankMateScore(List.of(mate), 3));
  }

  @Test
  void calibratedOnAGalleryTheNonMatedProbesAreRejectedAtTheThreshold() {
    // Gallery: three identities at angles 0°, 90°, 180° in the plane. Non-mated probes at 30°,
    // 45° and 135° (best cosines cos 30° = 0.866, cos 45° = 0.707, cos 45°): with f = 0.01 < 1/3,
    // a = 0 and t = nextUp(cos 30°), so every one of them is rejected. Mated probes: at 10° (mate
    // 0, cosine 0.985, accepted), at 100° (mate 1, cosine 0.985, accepted) and at 50° labelled as
    // identity 1 (cosine with row 1 is 0.766 < t: missed): FNIR = 1/3.
    float[][] rows = {{1, 0}, {0, 1}, {-1, 0}};
    float[][] nonMated = {unit(30), unit(45), unit(135)};
    float[][] mated = {unit(10), unit(100), unit(50)};
    try (NDManager manager = NDManager.newBaseManager();
        Gallery gallery = Gallery.of(manager, List.of("east", "north", "west"), rows)) {
      OpenSetThreshold.Calibration c =
          OpenSetThreshold.calibrate(gallery, nonMated, mated, new int[] {0, 1, 1}, 0.01);
      double best = Similarity.COSINE.score(unit(30), rows[0]);
      assertEquals(Math.nextUp(best), c.threshold());
      assertEquals(0.0, c.fpir());
      assertEquals(3, c.nonMatedProbes());
      assertEquals(1.0 / 3, c.fnir());
      assertEquals(3, c.matedProbes());
      for (float[] probe : nonMated) {
        assertTrue(gallery.identify(probe, 3, c.threshold()).isUnknown());
      }
      assertEquals(
          "east", gallery.identify(unit(10), 1, c.threshold()).identity().orElseThrow().name());
      assertMessage(
          () -> OpenSetThreshold.calibrate(gallery, new float[0][], mated, new int[3], 0.01),
          "nonMatedProbes");
      assertMessage(
          () -> OpenSetThreshold.calibrate(gallery, nonMated, mated, new int[] {0, 1, 7}, 0.01),
          "mates[2]");
    }
  }

  @Test
  void rejectsBadInput() {
    assertMessage(() -> OpenSetThreshold.atFpir(new double[0], 0.1), "at least one");
    assertMessage(() -> OpenSetThreshold.atFpir(new double[] {0.5, Double.NaN}, 0.1), "[1]");
    assertMessage(() -> OpenSetThreshold.atFpir(new double[] {0.5}, 1.5), "targetFpir");
    assertMessage(() -> OpenSetThreshold.atFpir(new double[] {0.5}, Double.NaN), "targetFpir");
  }

  private static float[] unit(double degrees) {
    double r = Math.toRadians(degrees);
    return new float[] {(float) Math.cos(r), (float) Math.sin(r)};
  }
}
