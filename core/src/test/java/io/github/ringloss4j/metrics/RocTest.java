package io.github.ringloss4j.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class RocTest {

  /** Genuine scores {0.9, 0.8, 0.4} and impostor scores {0.7, 0.4, 0.1}. */
  private static Roc handExample() {
    return Roc.of(
        new double[] {0.9, 0.7, 0.8, 0.4, 0.4, 0.1},
        new boolean[] {true, false, true, true, false, false});
  }

  @Test
  void handExampleCurve() {
    // Thresholds descending; counts of scores >= t among 3 genuine and 3 impostors:
    //   t = +inf: gen 0, imp 0 -> (FAR 0,   TAR 0)
    //   t = 0.9:  gen 1, imp 0 -> (0,       1/3)
    //   t = 0.8:  gen 2, imp 0 -> (0,       2/3)
    //   t = 0.7:  gen 2, imp 1 -> (1/3,     2/3)
    //   t = 0.4:  gen 3, imp 2 -> (2/3,     1)
    //   t = 0.1:  gen 3, imp 3 -> (1,       1)
    Roc roc = handExample();
    assertArrayEquals(
        new double[] {Double.POSITIVE_INFINITY, 0.9, 0.8, 0.7, 0.4, 0.1}, roc.thresholds());
    assertArrayEquals(new double[] {0, 0, 0, 1.0 / 3, 2.0 / 3, 1}, roc.falseAcceptRates(), 1e-15);
    assertArrayEquals(
        new double[] {0, 1.0 / 3, 2.0 / 3, 2.0 / 3, 1, 1}, roc.trueAcceptRates(), 1e-15);
    assertEquals(3, roc.genuineCount());
    assertEquals(3, roc.impostorCount());
  }

  @Test
  void handExampleAucEerAndTar() {
    Roc roc = handExample();
    // Mann-Whitney over the 9 (gen, imp) pairs: 0.9 and 0.8 beat all three impostors (3 + 3);
    // 0.4 loses to 0.7, ties 0.4 (1/2) and beats 0.1 (1): total 7.5 / 9 = 5/6.
    // Trapezoids: 0 + 0 + (1/3)(2/3) + (1/3)(2/3 + 1)/2 + (1/3)(1) = 4/18 + 5/18 + 6/18 = 5/6.
    assertEquals(5.0 / 6.0, roc.auc(), 1e-15);
    // At t = 0.7: FAR = 1/3 and FRR = 1 - 2/3 = 1/3, a curve point on the crossing.
    assertEquals(1.0 / 3.0, roc.equalErrorRate(), 1e-15);
    // FAR 1/3 is a curve point (t = 0.7): TAR 2/3, threshold 0.7.
    assertEquals(2.0 / 3.0, roc.trueAcceptRateAt(1.0 / 3.0), 1e-15);
    assertEquals(0.7, roc.thresholdAt(1.0 / 3.0));
    // FAR 1/2 lies halfway between (1/3, 2/3) and (2/3, 1): TAR = 2/3 + (1/2)(1/3) = 5/6; the
    // threshold with the largest FAR not above 1/2 is still 0.7.
    assertEquals(5.0 / 6.0, roc.trueAcceptRateAt(0.5), 1e-15);
    assertEquals(0.7, roc.thresholdAt(0.5));
    // FAR 0.2 lies on the flat segment (0, 2/3) -> (1/3, 2/3): TAR 2/3; the last point with FAR
    // <= 0.2 is (0, 2/3) at t = 0.8.
    assertEquals(2.0 / 3.0, roc.trueAcceptRateAt(0.2), 1e-15);
    assertEquals(0.8, roc.thresholdAt(0.2));
    assertEquals(1.0, roc.trueAcceptRateAt(1.0));
    assertEquals(0.1, roc.thresholdAt(1.0));
    // With 3 impostors the smallest observable non-zero FAR is 1/3.
    assertFalse(roc.resolvable(0.2));
    assertTrue(roc.resolvable(1.0 / 3.0));
    assertTrue(roc.resolvable(1.0));
  }

  @Test
  void handExampleInterpolatedEer() {
    // Genuine {0.9, 0.5, 0.2}, impostors {0.5, 0.1}. Points (FAR, TAR):
    //   +inf (0, 0), 0.9 (0, 1/3), 0.5 (1/2, 2/3), 0.2 (1/2, 1), 0.1 (1, 1).
    // FAR - FRR = FAR + TAR - 1 is -2/3 at t = 0.9 and +1/6 at t = 0.5, so along that segment
    // (lambda from 0 to 1) it is -2/3 + lambda(5/6), zero at lambda = 4/5:
    // FAR = (4/5)(1/2) = 2/5 and FRR = 1 - (1/3 + (4/5)(1/3)) = 2/5.
    Roc roc =
        Roc.of(
            new double[] {0.9, 0.5, 0.2, 0.5, 0.1}, new boolean[] {true, true, true, false, false});
    assertEquals(0.4, roc.equalErrorRate(), 1e-15);
    // Over the 6 pairs: 0.9 beats both impostors (2); 0.5 ties 0.5 (1/2) and beats 0.1 (1);
    // 0.2 loses to 0.5 and beats 0.1 (1). Total 4.5 / 6.
    assertEquals(4.5 / 6.0, roc.auc(), 1e-15);
    // FAR 1/4 is halfway along (0, 1/3) -> (1/2, 2/3): TAR = 1/3 + (1/2)(1/3) = 1/2.
    assertEquals(0.5, roc.trueAcceptRateAt(0.25), 1e-15);
    // FAR 1/2 is reached by two points; the higher (t = 0.2, TAR 1) is the one reported.
    assertEquals(1.0, roc.trueAcceptRateAt(0.5));
    assertEquals(0.2, roc.thresholdAt(0.5));
  }

  @Test
  void aucEqualsMannWhitneyPairCountWithTies() {
    for (long seed = 1; seed <= 6; seed++) {
      Random random = new Random(seed);
      int n = 400 + random.nextInt(400);
      double[] scores = new double[n];
      boolean[] genuine = new boolean[n];
      for (int k = 0; k < n; k++) {
        genuine[k] = random.nextDouble() < 0.3;
        double raw = random.nextGaussian() + (genuine[k] ? 0.8 : 0.0);
        // One decimal: many ties, within and across classes.
        scores[k] = Math.round(raw * 10) / 10.0;
      }
      genuine[0] = true;
      genuine[1] = false;
      double wins = 0;
      double ties = 0;
      long pairs = 0;
      for (int a = 0; a < n; a++) {
        if (!genuine[a]) {
          continue;
        }
        for (int b = 0; b < n; b++) {
          if (genuine[b]) {
            continue;
          }
          pairs++;
          if (scores[a] > scores[b]) {
            wins++;
          } else if (scores[a] == scores[b]) {
            ties++;
          }
        }
      }
      double bruteForce = (wins + 0.5 * ties) / pairs;
      Roc roc = Roc.of(scores, genuine);
      assertEquals(bruteForce, roc.auc(), 1e-12, "seed " + seed);
      assertEquals(pairs, (long) roc.genuineCount() * roc.impostorCount());
      assertEquals(bruteForce, trapezoid(roc), 1e-12, "seed " + seed);
    }
  }

  @Test
  void curveMatchesDirectCountsAtEveryDistinctScore() {
    Random random = new Random(11);
    int n = 300;
    double[] scores = new double[n];
    boolean[] genuine = new boolean[n];
    TreeSet<Double> distinct = new TreeSet<>();
    for (int k = 0; k < n; k++) {
      genuine[k] = k % 3 == 0;
      scores[k] = Math.round(random.nextGaussian() * 10) / 10.0;
      distinct.add(scores[k]);
    }
    Roc roc = Roc.of(scores, genuine);
    double[] thresholds = roc.thresholds();
    double[] far = roc.falseAcceptRates();
    double[] tar = roc.trueAcceptRates();
    assertEquals(distinct.size() + 1, thresholds.length);
    assertEquals(Double.POSITIVE_INFINITY, thresholds[0]);
    assertEquals(0.0, far[0]);
    assertEquals(0.0, tar[0]);
    assertEquals(1.0, far[far.length - 1]);
    assertEquals(1.0, tar[tar.length - 1]);
    int k = 1;
    for (double t : distinct.descendingSet()) {
      assertEquals(t, thresholds[k]);
      assertEquals(rate(scores, genuine, false, t), far[k], 1e-15);
      assertEquals(rate(scores, genuine, true, t), tar[k], 1e-15);
      k++;
    }
  }

  @Test
  void negativeZeroTiesWithZero() {
    Roc roc = Roc.of(new double[] {0.0, -0.0}, new boolean[] {true, false});
    assertEquals(0.5, roc.auc());
    assertEquals(2, roc.thresholds().length);
  }

  @Test
  void equalErrorRateLiesInTheBruteForceBracket() {
    for (long seed = 1; seed <= 6; seed++) {
      Random random = new Random(seed);
      int n = 200 + random.nextInt(300);
      double[] scores = new double[n];
      boolean[] genuine = new boolean[n];
      for (int k = 0; k < n; k++) {
        genuine[k] = random.nextBoolean();
        double raw = random.nextGaussian() + (genuine[k] ? 1.0 : 0.0);
        scores[k] = Math.round(raw * 100) / 100.0;
      }
      genuine[0] = true;
      genuine[1] = false;
      // Scores are multiples of 0.01 well within [-8, 9]; thresholds at odd multiples of 0.005
      // fall between every two of them and beyond both ends, so they realise every curve point.
      double lower = Double.NEGATIVE_INFINITY;
      double upper = Double.POSITIVE_INFINITY;
      for (int step = -800; step <= 900; step++) {
        double t = (step + 0.5) / 100.0;
        double far = rate(scores, genuine, false, t);
        double frr = 1.0 - rate(scores, genuine, true, t);
        lower = Math.max(lower, Math.min(far, frr));
        upper = Math.min(upper, Math.max(far, frr));
      }
      double eer = Roc.of(scores, genuine).equalErrorRate();
      assertTrue(
          lower - 1e-12 <= eer && eer <= upper + 1e-12, lower + " <= " + eer + " <= " + upper);
      // The bracket is one curve step wide: at most a few samples' worth of rate.
      assertTrue(upper - lower < 0.05, "bracket too wide: " + (upper - lower));
    }
  }

  @Test
  void equalErrorRateIsWhereInterpolatedRatesMeet() {
    Random random = new Random(5);
    int n = 500;
    double[] scores = new double[n];
    boolean[] genuine = new boolean[n];
    for (int k = 0; k < n; k++) {
      genuine[k] = random.nextDouble() < 0.4;
      scores[k] = Math.round((random.nextGaussian() + (genuine[k] ? 1.5 : 0.0)) * 10) / 10.0;
    }
    Roc roc = Roc.of(scores, genuine);
    double eer = roc.equalErrorRate();
    // On the interpolated curve, FRR at FAR = eer must equal eer.
    assertEquals(eer, 1.0 - roc.trueAcceptRateAt(eer), 1e-12);
  }

  @Test
  void perfectSeparationAndReversal() {
    double[] scores = {0.9, 0.8, 0.7, 0.3, 0.2, 0.1};
    boolean[] genuine = {true, true, true, false, false, false};
    Roc perfect = Roc.of(scores, genuine);
    assertEquals(1.0, perfect.auc());
    assertEquals(0.0, perfect.equalErrorRate());
    assertEquals(1.0, perfect.trueAcceptRateAt(1e-9));
    assertEquals(0.7, perfect.thresholdAt(1e-9));

    boolean[] reversed = {false, false, false, true, true, true};
    Roc worst = Roc.of(scores, reversed);
    assertEquals(0.0, worst.auc());
    assertEquals(1.0, worst.equalErrorRate());
    assertEquals(0.0, worst.trueAcceptRateAt(0.5));
    // Even the top score is an impostor: no finite threshold reaches FAR <= 0.2.
    assertEquals(Double.POSITIVE_INFINITY, worst.thresholdAt(0.2));

    Roc allTied = Roc.of(new double[] {1, 1, 1}, new boolean[] {true, false, false});
    assertEquals(0.5, allTied.auc());
    assertEquals(0.5, allTied.equalErrorRate());
    assertEquals(0.25, allTied.trueAcceptRateAt(0.25), 1e-15);
  }

  @Test
  void trueAcceptRateIsMonotoneAndMatchesCurvePoints() {
    Random random = new Random(3);
    int n = 1000;
    double[] scores = new double[n];
    boolean[] genuine = new boolean[n];
    for (int k = 0; k < n; k++) {
      genuine[k] = random.nextDouble() < 0.2;
      scores[k] = Math.round((random.nextGaussian() + (genuine[k] ? 1.0 : 0.0)) * 20) / 20.0;
    }
    Roc roc = Roc.of(scores, genuine);
    double previous = 0.0;
    for (int k = 1; k <= 20000; k++) {
      double far = k / 20000.0;
      double tar = roc.trueAcceptRateAt(far);
      assertTrue(tar >= previous, "TAR decreased at far " + far);
      assertTrue(tar >= 0.0 && tar <= 1.0);
      previous = tar;
    }
    double[] far = roc.falseAcceptRates();
    double[] tar = roc.trueAcceptRates();
    for (int k = 1; k < far.length; k++) {
      // At a curve FAR the result is the highest TAR among the points with that FAR.
      if (far[k] == 0.0 || (k + 1 < far.length && far[k + 1] == far[k])) {
        continue;
      }
      assertEquals(tar[k], roc.trueAcceptRateAt(far[k]));
    }
  }

  @Test
  void thresholdAtHasTheLargestFarNotAboveTarget() {
    Random random = new Random(8);
    int n = 400;
    double[] scores = new double[n];
    boolean[] genuine = new boolean[n];
    TreeSet<Double> distinct = new TreeSet<>();
    for (int k = 0; k < n; k++) {
      genuine[k] = random.nextBoolean();
      scores[k] = Math.round((random.nextGaussian() + (genuine[k] ? 1.0 : 0.0)) * 10) / 10.0;
      distinct.add(scores[k]);
    }
    Roc roc = Roc.of(scores, genuine);
    for (double target : new double[] {1e-4, 0.001, 0.01, 0.05, 0.1, 0.3, 0.5, 0.99, 1.0}) {
      double chosen = roc.thresholdAt(target);
      // Brute force: the lowest score whose FAR does not exceed the target.
      double expected = Double.POSITIVE_INFINITY;
      for (double t : distinct) {
        if (rate(scores, genuine, false, t) <= target) {
          expected = t;
          break;
        }
      }
      assertEquals(expected, chosen, "far " + target);
    }
  }

  @Test
  void validationNamesTheArgument() {
    boolean[] genuine = {true, false};
    assertMessage(() -> Roc.of(null, genuine), "scores");
    assertMessage(() -> Roc.of(new double[] {1, 2}, null), "genuine");
    assertMessage(
        () -> Roc.of(new double[] {1, 2, 3}, genuine), "genuine.length must equal scores.length");
    assertMessage(() -> Roc.of(new double[] {1, Double.NaN}, genuine), "scores[1]", "NaN");
    assertMessage(
        () -> Roc.of(new double[] {Double.NEGATIVE_INFINITY, 1}, genuine), "scores[0]", "Infinity");
    assertMessage(
        () -> Roc.of(new double[] {1, 2}, new boolean[] {true, true}), "genuine", "false");
    assertMessage(
        () -> Roc.of(new double[] {1, 2}, new boolean[] {false, false}), "genuine", "true");
    Roc roc = handExample();
    assertMessage(() -> roc.trueAcceptRateAt(1.5), "far must be in (0, 1], got 1.5");
    assertMessage(() -> roc.trueAcceptRateAt(0.0), "far", "0.0");
    assertMessage(() -> roc.thresholdAt(-0.1), "far", "-0.1");
    assertMessage(() -> roc.resolvable(Double.NaN), "far", "NaN");
  }

  static void assertMessage(Runnable call, String... fragments) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call::run);
    for (String fragment : fragments) {
      assertTrue(
          e.getMessage().contains(fragment),
          "message '" + e.getMessage() + "' lacks '" + fragment + "'");
    }
  }

  private static double rate(double[] scores, boolean[] genuine, boolean kind, double t) {
    int accepted = 0;
    int total = 0;
    for (int k = 0; k < scores.length; k++) {
      if (genuine[k] == kind) {
        total++;
        if (scores[k] >= t) {
          accepted++;
        }
      }
    }
    return (double) accepted / total;
  }

  private static double trapezoid(Roc roc) {
    double[] far = roc.falseAcceptRates();
    double[] tar = roc.trueAcceptRates();
    double area = 0;
    for (int k = 1; k < far.length; k++) {
      area += (far[k] - far[k - 1]) * (tar[k] + tar[k - 1]) / 2;
    }
    return area;
  }
}
