package io.github.ringloss4j.metrics;

import java.util.Arrays;

/**
 * The receiver operating characteristic of a verification score set, with AUC, EER and TAR at a
 * fixed FAR.
 *
 * <p><b>Decision rule.</b> A pair is accepted when its score is ≥ the threshold t. With G genuine
 * and I impostor pairs, TAR(t) = #{genuine: s ≥ t} / G, FAR(t) = #{impostor: s ≥ t} / I and FRR(t)
 * = 1 − TAR(t).
 *
 * <p><b>Curve.</b> One point per distinct score, thresholds sorted in descending order, preceded by
 * the point (FAR 0, TAR 0) at threshold +∞. The last point is at the smallest score and has FAR =
 * TAR = 1. Both rates are non-decreasing along the curve. Between points the curve is the straight
 * segment, which is what a randomised choice between the two neighbouring thresholds achieves;
 * every interpolated quantity below uses that segment.
 *
 * <ul>
 *   <li>{@link #auc()}: the trapezoidal area under the curve, which equals exactly the Mann–Whitney
 *       statistic P(s_gen &gt; s_imp) + ½ P(s_gen = s_imp) over all G·I pairs. It is summed in
 *       integer counts and divided once, so it is exact up to that one rounding.
 *   <li>{@link #equalErrorRate()}: where the curve crosses FAR = FRR. The difference FAR + TAR − 1
 *       is −1 at the first point, +1 at the last and non-decreasing, so the crossing is unique; its
 *       sign is decided in exact integer arithmetic. If a point has FAR = FRR, the EER is that FAR;
 *       otherwise it is the FAR of the point on the segment between the last point with FAR &lt;
 *       FRR and the first with FAR &gt; FRR at which the linearly interpolated FAR and FRR are
 *       equal.
 *   <li>{@link #trueAcceptRateAt(double)}: linear interpolation of TAR in FAR. Let j be the last
 *       point with FAR_j ≤ far. If FAR_j = far the result is TAR_j, which is the highest TAR at
 *       that FAR (the top of a vertical segment); otherwise it is TAR_j + (far − FAR_j) /
 *       (FAR_{j+1} − FAR_j) · (TAR_{j+1} − TAR_j). The result is non-decreasing in far.
 *   <li>{@link #thresholdAt(double)}: the threshold of that same point j, that is the threshold
 *       whose FAR is the largest not exceeding the target, and among thresholds with that FAR the
 *       lowest one (highest TAR).
 * </ul>
 *
 * <p><b>Resolution.</b> With I impostors the achievable FARs are multiples of 1/I, so a target
 * below 1/I cannot be observed, only interpolated between FAR 0 and FAR 1/I; {@link
 * #resolvable(double)} reports whether far ≥ 1/I.
 *
 * <p>Construction sorts the genuine and impostor scores separately and merges them: O(n log n) time
 * and O(n) memory. −0.0 is treated as 0.0, as the comparison s ≥ t does. Instances are immutable.
 */
public final class Roc {

  private final double[] thresholds;
  private final double[] falseAcceptRates;
  private final double[] trueAcceptRates;
  private final int[] acceptedImpostors;
  private final int[] acceptedGenuine;
  private final int genuineCount;
  private final int impostorCount;
  private final double auc;
  private final double equalErrorRate;

  private Roc(
      double[] thresholds,
      int[] acceptedImpostors,
      int[] acceptedGenuine,
      int genuineCount,
      int impostorCount,
      long twiceMannWhitney) {
    this.thresholds = thresholds;
    this.acceptedImpostors = acceptedImpostors;
    this.acceptedGenuine = acceptedGenuine;
    this.genuineCount = genuineCount;
    this.impostorCount = impostorCount;
    int points = thresholds.length;
    falseAcceptRates = new double[points];
    trueAcceptRates = new double[points];
    for (int k = 0; k < points; k++) {
      falseAcceptRates[k] = (double) acceptedImpostors[k] / impostorCount;
      trueAcceptRates[k] = (double) acceptedGenuine[k] / genuineCount;
    }
    auc = twiceMannWhitney / (2.0 * genuineCount * impostorCount);
    equalErrorRate = computeEqualErrorRate();
  }

  /**
   * Builds the curve of a set of scored pairs.
   *
   * @param scores the pair scores, all finite; higher means more likely genuine
   * @param genuine whether each pair is genuine (same identity); same length as {@code scores}
   * @return the curve
   * @throws IllegalArgumentException if an argument is null, the lengths differ, a score is not
   *     finite, or there is no genuine or no impostor pair
   */
  public static Roc of(double[] scores, boolean[] genuine) {
    Checks.notNull(scores, "scores");
    Checks.notNull(genuine, "genuine");
    Checks.sameLength(genuine.length, "genuine", scores.length, "scores");
    Checks.finite(scores, "scores");
    int genuineCount = 0;
    for (boolean g : genuine) {
      if (g) {
        genuineCount++;
      }
    }
    int impostorCount = genuine.length - genuineCount;
    if (genuineCount == 0) {
      throw new IllegalArgumentException(
          "genuine must contain at least one true (genuine pair), got none among "
              + genuine.length);
    }
    if (impostorCount == 0) {
      throw new IllegalArgumentException(
          "genuine must contain at least one false (impostor pair), got none among "
              + genuine.length);
    }
    double[] genuineScores = new double[genuineCount];
    double[] impostorScores = new double[impostorCount];
    int gi = 0;
    int ii = 0;
    for (int k = 0; k < scores.length; k++) {
      // + 0.0 maps -0.0 to 0.0: Arrays.sort orders -0.0 before 0.0, but s >= t sees them equal.
      if (genuine[k]) {
        genuineScores[gi++] = scores[k] + 0.0;
      } else {
        impostorScores[ii++] = scores[k] + 0.0;
      }
    }
    Arrays.sort(genuineScores);
    Arrays.sort(impostorScores);

    int capacity = scores.length + 1;
    double[] thresholds = new double[capacity];
    int[] acceptedImpostors = new int[capacity];
    int[] acceptedGenuine = new int[capacity];
    thresholds[0] = Double.POSITIVE_INFINITY;
    int points = 1;
    int g = genuineCount - 1;
    int i = impostorCount - 1;
    int cumulativeGenuine = 0;
    int cumulativeImpostors = 0;
    // Twice the Mann–Whitney count: each impostor at value v adds 2·#{gen > v} + #{gen = v}.
    long twiceMannWhitney = 0;
    while (g >= 0 || i >= 0) {
      double value =
          Math.max(
              g >= 0 ? genuineScores[g] : Double.NEGATIVE_INFINITY,
              i >= 0 ? impostorScores[i] : Double.NEGATIVE_INFINITY);
      int genuineAbove = cumulativeGenuine;
      while (g >= 0 && genuineScores[g] == value) {
        cumulativeGenuine++;
        g--;
      }
      int impostorsHere = 0;
      while (i >= 0 && impostorScores[i] == value) {
        impostorsHere++;
        i--;
      }
      cumulativeImpostors += impostorsHere;
      twiceMannWhitney += (long) impostorsHere * (genuineAbove + cumulativeGenuine);
      thresholds[points] = value;
      acceptedImpostors[points] = cumulativeImpostors;
      acceptedGenuine[points] = cumulativeGenuine;
      points++;
    }
    return new Roc(
        Arrays.copyOf(thresholds, points),
        Arrays.copyOf(acceptedImpostors, points),
        Arrays.copyOf(acceptedGenuine, points),
        genuineCount,
        impostorCount,
        twiceMannWhitney);
  }

  /**
   * The thresholds of the curve points, in descending order; the first is +∞.
   *
   * @return a copy of the thresholds
   */
  public double[] thresholds() {
    return thresholds.clone();
  }

  /**
   * The false accept rate of each curve point, non-decreasing from 0 to 1.
   *
   * @return a copy of the rates, aligned with {@link #thresholds()}
   */
  public double[] falseAcceptRates() {
    return falseAcceptRates.clone();
  }

  /**
   * The true accept rate of each curve point, non-decreasing from 0 to 1.
   *
   * @return a copy of the rates, aligned with {@link #thresholds()}
   */
  public double[] trueAcceptRates() {
    return trueAcceptRates.clone();
  }

  /**
   * The number of genuine pairs.
   *
   * @return the genuine count, at least 1
   */
  public int genuineCount() {
    return genuineCount;
  }

  /**
   * The number of impostor pairs.
   *
   * @return the impostor count, at least 1
   */
  public int impostorCount() {
    return impostorCount;
  }

  /**
   * The area under the curve, equal to P(s_gen &gt; s_imp) + ½ P(s_gen = s_imp).
   *
   * @return the AUC in [0, 1]
   */
  public double auc() {
    return auc;
  }

  /**
   * The equal error rate: the FAR at which the interpolated curve has FAR = FRR; see the class
   * documentation for the interpolation.
   *
   * @return the EER in [0, 1]
   */
  public double equalErrorRate() {
    return equalErrorRate;
  }

  /**
   * Whether a target FAR can be observed with this many impostors, that is far ≥ 1/I. Below that
   * the curve has no point between FAR 0 and FAR 1/I, and {@link #trueAcceptRateAt(double)} only
   * interpolates.
   *
   * @param far the target false accept rate, in (0, 1]
   * @return true if far ≥ 1 / {@link #impostorCount()}
   * @throws IllegalArgumentException if far is not in (0, 1]
   */
  public boolean resolvable(double far) {
    requireFar(far);
    return far >= 1.0 / impostorCount;
  }

  /**
   * The true accept rate at a target false accept rate, by linear interpolation of the curve in FAR
   * (see the class documentation). Unresolvable targets (see {@link #resolvable(double)}) are still
   * interpolated.
   *
   * @param far the target false accept rate, in (0, 1]
   * @return the interpolated TAR in [0, 1], non-decreasing in far
   * @throws IllegalArgumentException if far is not in (0, 1]
   */
  public double trueAcceptRateAt(double far) {
    requireFar(far);
    int j = lastPointAtMost(far);
    if (falseAcceptRates[j] == far) {
      return trueAcceptRates[j];
    }
    // far < 1 = FAR of the last point, so j + 1 exists and FAR_{j+1} > far > FAR_j.
    double low = trueAcceptRates[j];
    double high = trueAcceptRates[j + 1];
    double fraction = (far - falseAcceptRates[j]) / (falseAcceptRates[j + 1] - falseAcceptRates[j]);
    // The clamp absorbs last-bit rounding, so the result never steps outside the segment and
    // stays monotone in far across segment ends.
    return Math.min(high, Math.max(low, low + fraction * (high - low)));
  }

  /**
   * The threshold whose FAR is the largest not exceeding the target; among thresholds with that
   * FAR, the lowest (highest TAR). Accepting scores ≥ the result gives FAR ≤ far. It is +∞ (accept
   * nothing) when accepting only the highest score already gives a FAR above the target.
   *
   * @param far the target false accept rate, in (0, 1]
   * @return the threshold, a score value or +∞
   * @throws IllegalArgumentException if far is not in (0, 1]
   */
  public double thresholdAt(double far) {
    requireFar(far);
    return thresholds[lastPointAtMost(far)];
  }

  private static void requireFar(double far) {
    if (!(far > 0.0 && far <= 1.0)) {
      throw new IllegalArgumentException("far must be in (0, 1], got " + far);
    }
  }

  /** The index of the last point with FAR ≤ far; FAR_0 = 0 &lt; far, so it exists. */
  private int lastPointAtMost(double far) {
    int low = 0;
    int high = falseAcceptRates.length - 1;
    while (low < high) {
      int mid = (low + high + 1) >>> 1;
      if (falseAcceptRates[mid] <= far) {
        low = mid;
      } else {
        high = mid - 1;
      }
    }
    return low;
  }

  /**
   * The crossing of FAR and FRR. D_k = I·G·(FAR_k + TAR_k − 1) = a_k·G + g_k·I − I·G is an exact
   * integer (at most 2^61 because G + I &lt; 2^31), so the bracketing segment is found without
   * rounding and only the final interpolation is in floating point.
   */
  private double computeEqualErrorRate() {
    long product = (long) genuineCount * impostorCount;
    int k = 0;
    long d = crossing(0, product);
    while (d < 0) {
      k++;
      d = crossing(k, product);
    }
    if (d == 0) {
      return falseAcceptRates[k];
    }
    long before = crossing(k - 1, product);
    double lambda = (double) -before / (double) (d - before);
    double impostors =
        acceptedImpostors[k - 1] + lambda * (acceptedImpostors[k] - acceptedImpostors[k - 1]);
    return impostors / impostorCount;
  }

  private long crossing(int k, long product) {
    return (long) acceptedImpostors[k] * genuineCount
        + (long) acceptedGenuine[k] * impostorCount
        - product;
  }
}
