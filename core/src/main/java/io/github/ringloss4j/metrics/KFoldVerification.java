package io.github.ringloss4j.metrics;

import java.util.Arrays;

/**
 * LFW-style k-fold verification accuracy: for each fold, the threshold is fitted on all the other
 * folds and the accuracy is measured on the held-out fold.
 *
 * <p><b>Decision rule.</b> A pair is accepted (called genuine) when its score is ≥ the threshold t,
 * as in {@link Roc}. The accuracy of t on a set is (#{genuine: s ≥ t} + #{impostor: s &lt; t}) /
 * size.
 *
 * <p><b>Threshold fitting.</b> For held-out fold k, the training set is all the other folds. Let
 * u_1 &lt; … &lt; u_m be its distinct scores. The candidates, in ascending order, are
 *
 * <ul>
 *   <li>u_1 − 1 (accept everything), or the next double below u_1 if subtracting 1 does not change
 *       it;
 *   <li>the midpoint of each gap, u_i/2 + u_{i+1}/2 (halved first so it cannot overflow; if
 *       rounding leaves it at u_i, u_{i+1} is used, which splits the training set the same way);
 *   <li>u_m + 1 (reject everything), or the next double above u_m if adding 1 does not change it.
 * </ul>
 *
 * <p>These are one representative for each distinct way a threshold can split the training set, so
 * the best candidate is a best threshold. All candidates are scored in one sweep over the sorted
 * training scores: O(n log n) per fold.
 *
 * <p><b>Tie rule.</b> When several candidates reach the maximal training accuracy, the median of
 * them in ascending order is taken; for an even count c, the lower median (the ⌈c/2⌉-th). The
 * optimal candidates span the range of thresholds that fit the training folds equally well; the
 * median is the centre of that range, as far as possible from both of its ends, so the held-out
 * fold is least affected by the few training pairs that happen to sit at an end. The lowest or
 * highest optimal candidate would sit right next to such a pair, and a rule depending on the scan
 * order would be arbitrary. The lower median is always itself an optimal candidate, which the
 * average of the two middle ones need not be.
 *
 * <p><b>Summary.</b> The mean is the unweighted mean of the per-fold accuracies (the LFW protocol),
 * not the pooled accuracy; the spread is their sample standard deviation with the n − 1 (Bessel)
 * denominator, n = number of folds. It describes the spread between folds, not the standard error
 * of the mean (divide by √n for that).
 */
public final class KFoldVerification {

  private KFoldVerification() {}

  /**
   * The outcome of a k-fold evaluation.
   *
   * @param accuracies the accuracy on each held-out fold, indexed by fold id
   * @param thresholds the threshold fitted on the other folds and applied to each fold
   * @param meanAccuracy the unweighted mean of {@code accuracies}
   * @param standardDeviation the sample standard deviation (n − 1 denominator) of {@code
   *     accuracies}
   */
  public record Result(
      double[] accuracies, double[] thresholds, double meanAccuracy, double standardDeviation) {

    /**
     * Copies the arrays so the result is immutable.
     *
     * @param accuracies the accuracy on each held-out fold
     * @param thresholds the threshold applied to each held-out fold
     * @param meanAccuracy the mean of the accuracies
     * @param standardDeviation their sample standard deviation
     * @throws IllegalArgumentException if an array is null or their lengths differ
     */
    public Result {
      Checks.notNull(accuracies, "accuracies");
      Checks.notNull(thresholds, "thresholds");
      Checks.sameLength(thresholds.length, "thresholds", accuracies.length, "accuracies");
      accuracies = accuracies.clone();
      thresholds = thresholds.clone();
    }

    /**
     * The accuracy on each held-out fold.
     *
     * @return a copy, indexed by fold id
     */
    @Override
    public double[] accuracies() {
      return accuracies.clone();
    }

    /**
     * The threshold applied to each held-out fold.
     *
     * @return a copy, indexed by fold id
     */
    @Override
    public double[] thresholds() {
      return thresholds.clone();
    }

    /**
     * Compares the arrays by content.
     *
     * @param other the object to compare with
     * @return true if {@code other} is a result with equal contents
     */
    @Override
    public boolean equals(Object other) {
      return other instanceof Result r
          && Arrays.equals(accuracies, r.accuracies)
          && Arrays.equals(thresholds, r.thresholds)
          && Double.compare(meanAccuracy, r.meanAccuracy) == 0
          && Double.compare(standardDeviation, r.standardDeviation) == 0;
    }

    /**
     * A hash of the contents, consistent with {@link #equals(Object)}.
     *
     * @return the hash code
     */
    @Override
    public int hashCode() {
      return 31
              * (31 * (31 * Arrays.hashCode(accuracies) + Arrays.hashCode(thresholds))
                  + Double.hashCode(meanAccuracy))
          + Double.hashCode(standardDeviation);
    }

    /**
     * The contents, for logs.
     *
     * @return a readable representation
     */
    @Override
    public String toString() {
      return "Result[accuracies="
          + Arrays.toString(accuracies)
          + ", thresholds="
          + Arrays.toString(thresholds)
          + ", meanAccuracy="
          + meanAccuracy
          + ", standardDeviation="
          + standardDeviation
          + "]";
    }
  }

  /**
   * Runs the k-fold protocol described in the class documentation.
   *
   * @param scores the pair scores, all finite; higher means more likely genuine
   * @param genuine whether each pair is genuine; same length as {@code scores}
   * @param fold the fold id of each pair, in [0, folds); same length as {@code scores}
   * @param folds the number of folds, at least 2; every fold must be non-empty
   * @return the per-fold accuracies and thresholds, their mean and sample standard deviation
   * @throws IllegalArgumentException if an array is null, the lengths differ, a score is not
   *     finite, folds &lt; 2, a fold id is out of range or a fold is empty
   */
  public static Result evaluate(double[] scores, boolean[] genuine, int[] fold, int folds) {
    Checks.notNull(scores, "scores");
    Checks.notNull(genuine, "genuine");
    Checks.notNull(fold, "fold");
    Checks.sameLength(genuine.length, "genuine", scores.length, "scores");
    Checks.sameLength(fold.length, "fold", scores.length, "scores");
    Checks.atLeast(folds, "folds", 2);
    Checks.finite(scores, "scores");
    int[] foldSizes = new int[folds];
    int[] foldGenuine = new int[folds];
    for (int p = 0; p < fold.length; p++) {
      int f = fold[p];
      if (f < 0 || f >= folds) {
        throw new IllegalArgumentException(
            "fold[" + p + "] must be in [0, " + folds + "), got " + f);
      }
      foldSizes[f]++;
      if (genuine[p]) {
        foldGenuine[f]++;
      }
    }
    for (int f = 0; f < folds; f++) {
      if (foldSizes[f] == 0) {
        throw new IllegalArgumentException(
            "fold must give every id in [0, "
                + folds
                + ") at least one pair, fold "
                + f
                + " has none");
      }
    }
    int totalGenuine = 0;
    for (int count : foldGenuine) {
      totalGenuine += count;
    }
    int totalImpostors = scores.length - totalGenuine;

    double[] accuracies = new double[folds];
    double[] thresholds = new double[folds];
    for (int k = 0; k < folds; k++) {
      double[] trainGenuine = new double[totalGenuine - foldGenuine[k]];
      double[] trainImpostors = new double[totalImpostors - (foldSizes[k] - foldGenuine[k])];
      int g = 0;
      int i = 0;
      for (int p = 0; p < scores.length; p++) {
        if (fold[p] == k) {
          continue;
        }
        // + 0.0 maps -0.0 to 0.0: Arrays.sort separates them, but s >= t does not.
        if (genuine[p]) {
          trainGenuine[g++] = scores[p] + 0.0;
        } else {
          trainImpostors[i++] = scores[p] + 0.0;
        }
      }
      double threshold = fitThreshold(trainGenuine, trainImpostors);
      int correct = 0;
      for (int p = 0; p < scores.length; p++) {
        if (fold[p] == k && (scores[p] >= threshold) == genuine[p]) {
          correct++;
        }
      }
      thresholds[k] = threshold;
      accuracies[k] = (double) correct / foldSizes[k];
    }

    double sum = 0.0;
    for (double accuracy : accuracies) {
      sum += accuracy;
    }
    double mean = sum / folds;
    double squares = 0.0;
    for (double accuracy : accuracies) {
      squares += (accuracy - mean) * (accuracy - mean);
    }
    return new Result(accuracies, thresholds, mean, Math.sqrt(squares / (folds - 1)));
  }

  /**
   * The training-optimal threshold with the median tie rule. Sorts its arguments in place; the
   * training set is non-empty because every other fold is.
   */
  private static double fitThreshold(double[] genuineScores, double[] impostorScores) {
    Arrays.sort(genuineScores);
    Arrays.sort(impostorScores);
    int capacity = genuineScores.length + impostorScores.length;
    double[] distinct = new double[capacity];
    // correct[c] = training pairs classified correctly by candidate c.
    int[] correct = new int[capacity + 1];
    correct[0] = genuineScores.length;
    int m = 0;
    int g = 0;
    int i = 0;
    while (g < genuineScores.length || i < impostorScores.length) {
      double value =
          Math.min(
              g < genuineScores.length ? genuineScores[g] : Double.POSITIVE_INFINITY,
              i < impostorScores.length ? impostorScores[i] : Double.POSITIVE_INFINITY);
      int net = 0;
      // Moving the threshold above value rejects the genuine pairs there and the impostors too.
      while (g < genuineScores.length && genuineScores[g] == value) {
        net--;
        g++;
      }
      while (i < impostorScores.length && impostorScores[i] == value) {
        net++;
        i++;
      }
      distinct[m] = value;
      correct[m + 1] = correct[m] + net;
      m++;
    }
    int best = Integer.MIN_VALUE;
    int optimal = 0;
    for (int c = 0; c <= m; c++) {
      if (correct[c] > best) {
        best = correct[c];
        optimal = 1;
      } else if (correct[c] == best) {
        optimal++;
      }
    }
    int wanted = (optimal - 1) / 2;
    for (int c = 0; c <= m; c++) {
      if (correct[c] == best) {
        if (wanted == 0) {
          return candidate(distinct, m, c);
        }
        wanted--;
      }
    }
    throw new AssertionError("unreachable: the optimum is attained");
  }

  /** Candidate c of the class documentation, over the m distinct sorted training scores. */
  private static double candidate(double[] distinct, int m, int c) {
    if (c == 0) {
      return Math.min(distinct[0] - 1.0, Math.nextDown(distinct[0]));
    }
    if (c == m) {
      return Math.max(distinct[m - 1] + 1.0, Math.nextUp(distinct[m - 1]));
    }
    double low = distinct[c - 1];
    double high = distinct[c];
    double mid = low * 0.5 + high * 0.5;
    // At adjacent doubles the midpoint can round down to low, which would accept low as well.
    return mid > low ? mid : high;
  }
}
