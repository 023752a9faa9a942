package io.github.ringloss4j.metrics;

import java.util.Arrays;

/**
 * The verification protocol of InsightFace's {@code verification.py} ({@code
 * recognition/arcface_torch/eval/verification.py}, functions {@code evaluate}, {@code
 * calculate_roc} and {@code calculate_accuracy}, and {@code test} for the embeddings), which
 * reports the LFW, CFP-FP, AgeDB-30, … accuracies of the face-recognition literature from the
 * {@code .bin} verification sets. Follow it exactly and the numbers compare with papers; {@link
 * KFoldVerification} is this library's own, differently defined protocol.
 *
 * <p><b>Embeddings.</b> The set holds 2N images, pair i being images 2i and 2i + 1. Each image and
 * its horizontal flip are embedded, the two embeddings summed and the sum L2-normalised ({@link
 * #fuseFlips}; {@link #normalise} when no flip is used, InsightFace's "Accuracy" as opposed to
 * "Accuracy-Flip"). As in {@code sklearn.preprocessing.normalize}, a row whose norm is below 10 ×
 * 2⁻⁵² (a zero sum) is left as it is.
 *
 * <p><b>Distance.</b> d_i = ‖e_{2i} − e_{2i+1}‖², the squared Euclidean distance, in {0…4} for unit
 * rows.
 *
 * <p><b>Thresholds.</b> {@code np.arange(0, 4, 0.01)}: the 400 values t_j = j · 0.01 (j = 0 … 399)
 * as NumPy computes them, a double product each, not accumulated sums; t_399 = 3.99. A pair is
 * predicted "same" when d_i &lt; t_j (strictly: {@code np.less}).
 *
 * <p><b>Folds.</b> sklearn's {@code KFold(n_splits=10, shuffle=False)}: consecutive blocks in file
 * order, the first N mod 10 of them one pair longer (⌊N/10⌋ + 1 pairs, the others ⌊N/10⌋). N must
 * be at least the number of folds.
 *
 * <p><b>Per fold.</b> On the other nine folds, the accuracy (TP + TN) / size of each threshold; the
 * chosen threshold is the first one reaching the maximum ({@code np.argmax}, lowest index on ties).
 * The fold's accuracy is that threshold's accuracy on the held-out fold. Every accuracy is the
 * double quotient of two counts, as {@code float(tp + tn) / dist.size}.
 *
 * <p><b>Summary.</b> The mean of the ten fold accuracies and their population standard deviation
 * ({@code np.std}, denominator 10, not 9). The ROC curve is InsightFace's {@code tpr, fpr}: at each
 * threshold, the mean over the folds of the held-out fold's TPR = TP / (TP + FN) and FPR = FP / (FP
 * + TN), each 0 when its denominator is 0. {@code calculate_val} (VAL at FAR = 10⁻³, interpolated
 * with scipy) is not reproduced: papers quote the accuracy.
 *
 * <p><b>Bit-level agreement.</b> Counts, thresholds, accuracies and the chosen thresholds are
 * exactly NumPy's for the same distances. The distances and the normalisation are summed here in
 * index order, while NumPy sums in pairwise blocks, so a distance can differ from NumPy's in the
 * last bit; a decision can then differ only for a distance within about 10⁻¹⁶ of a multiple of
 * 0.01. The mean and standard deviation agree to about 10⁻¹⁶ (NumPy's summation order again).
 * Non-finite embeddings or distances are rejected: NumPy would silently count a NaN distance as
 * "different" at every threshold.
 */
public final class InsightFaceVerification {

  /** The number of folds of InsightFace's protocol. */
  public static final int FOLDS = 10;

  /** The number of thresholds, {@code len(np.arange(0, 4, 0.01))}. */
  public static final int THRESHOLD_COUNT = 400;

  /** The step between thresholds. */
  public static final double THRESHOLD_STEP = 0.01;

  /** sklearn's {@code 10 * np.finfo(float64).eps}: smaller norms are not divided by. */
  private static final double NORM_FLOOR = 10 * Math.ulp(1.0);

  private InsightFaceVerification() {}

  /**
   * The outcome of the protocol.
   *
   * @param accuracies the accuracy on each held-out fold, in fold order
   * @param thresholds the squared-distance threshold chosen on the other folds for each fold
   * @param thresholdIndices the index j of each chosen threshold, t = j · 0.01
   * @param meanAccuracy the mean of {@code accuracies}, the number papers report
   * @param standardDeviation the population standard deviation of {@code accuracies} ({@code
   *     np.std})
   * @param truePositiveRates at each of the 400 thresholds, the mean over folds of the held-out TPR
   * @param falsePositiveRates at each of the 400 thresholds, the mean over folds of the held-out
   *     FPR
   */
  public record Result(
      double[] accuracies,
      double[] thresholds,
      int[] thresholdIndices,
      double meanAccuracy,
      double standardDeviation,
      double[] truePositiveRates,
      double[] falsePositiveRates) {

    /**
     * Copies the arrays so the result is immutable.
     *
     * @param accuracies the accuracy on each held-out fold
     * @param thresholds the threshold chosen for each fold
     * @param thresholdIndices the index of each chosen threshold
     * @param meanAccuracy the mean accuracy
     * @param standardDeviation the population standard deviation of the accuracies
     * @param truePositiveRates the mean held-out TPR at each threshold
     * @param falsePositiveRates the mean held-out FPR at each threshold
     * @throws IllegalArgumentException if an array is null or the lengths differ
     */
    public Result {
      Checks.notNull(accuracies, "accuracies");
      Checks.notNull(thresholds, "thresholds");
      Checks.notNull(thresholdIndices, "thresholdIndices");
      Checks.notNull(truePositiveRates, "truePositiveRates");
      Checks.notNull(falsePositiveRates, "falsePositiveRates");
      Checks.sameLength(thresholds.length, "thresholds", accuracies.length, "accuracies");
      Checks.sameLength(
          thresholdIndices.length, "thresholdIndices", accuracies.length, "accuracies");
      Checks.sameLength(
          falsePositiveRates.length, "falsePositiveRates", truePositiveRates.length, "tpr");
      accuracies = accuracies.clone();
      thresholds = thresholds.clone();
      thresholdIndices = thresholdIndices.clone();
      truePositiveRates = truePositiveRates.clone();
      falsePositiveRates = falsePositiveRates.clone();
    }

    /**
     * The accuracy on each held-out fold.
     *
     * @return a copy, in fold order
     */
    @Override
    public double[] accuracies() {
      return accuracies.clone();
    }

    /**
     * The threshold chosen for each fold.
     *
     * @return a copy, in fold order
     */
    @Override
    public double[] thresholds() {
      return thresholds.clone();
    }

    /**
     * The index of the threshold chosen for each fold.
     *
     * @return a copy, in fold order
     */
    @Override
    public int[] thresholdIndices() {
      return thresholdIndices.clone();
    }

    /**
     * The ROC curve's true positive rates.
     *
     * @return a copy, one per threshold
     */
    @Override
    public double[] truePositiveRates() {
      return truePositiveRates.clone();
    }

    /**
     * The ROC curve's false positive rates.
     *
     * @return a copy, one per threshold
     */
    @Override
    public double[] falsePositiveRates() {
      return falsePositiveRates.clone();
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
          && Arrays.equals(thresholdIndices, r.thresholdIndices)
          && Double.compare(meanAccuracy, r.meanAccuracy) == 0
          && Double.compare(standardDeviation, r.standardDeviation) == 0
          && Arrays.equals(truePositiveRates, r.truePositiveRates)
          && Arrays.equals(falsePositiveRates, r.falsePositiveRates);
    }

    /**
     * A hash of the contents, consistent with {@link #equals(Object)}.
     *
     * @return the hash code
     */
    @Override
    public int hashCode() {
      int hash = Arrays.hashCode(accuracies);
      hash = 31 * hash + Arrays.hashCode(thresholds);
      hash = 31 * hash + Arrays.hashCode(thresholdIndices);
      hash = 31 * hash + Double.hashCode(meanAccuracy);
      hash = 31 * hash + Double.hashCode(standardDeviation);
      hash = 31 * hash + Arrays.hashCode(truePositiveRates);
      return 31 * hash + Arrays.hashCode(falsePositiveRates);
    }

    /**
     * The summary, for logs; the curve is not shown.
     *
     * @return a readable representation
     */
    @Override
    public String toString() {
      return "Result[meanAccuracy="
          + meanAccuracy
          + ", standardDeviation="
          + standardDeviation
          + ", accuracies="
          + Arrays.toString(accuracies)
          + ", thresholds="
          + Arrays.toString(thresholds)
          + "]";
    }
  }

  /**
   * Threshold j of the grid, as {@code np.arange(0, 4, 0.01)[j]} computes it: j · 0.01 in double.
   *
   * @param index j, in [0, {@value #THRESHOLD_COUNT})
   * @return the threshold
   * @throws IllegalArgumentException if the index is out of range
   */
  public static double threshold(int index) {
    if (index < 0 || index >= THRESHOLD_COUNT) {
      throw new IllegalArgumentException(
          "index must be in [0, " + THRESHOLD_COUNT + "), got " + index);
    }
    return index * THRESHOLD_STEP;
  }

  /**
   * The whole grid, {@code np.arange(0, 4, 0.01)}.
   *
   * @return 400 thresholds, t_j = j · 0.01
   */
  public static double[] thresholds() {
    double[] t = new double[THRESHOLD_COUNT];
    for (int j = 0; j < t.length; j++) {
      t[j] = threshold(j);
    }
    return t;
  }

  /**
   * InsightFace's flip fusion: each row of {@code plain} plus the same row of {@code flipped} (the
   * embedding of the horizontally flipped image), summed in double and L2-normalised; a zero sum
   * stays zero.
   *
   * @param plain the embeddings of the images, [2N][d]
   * @param flipped the embeddings of their horizontal flips, [2N][d]
   * @return the fused unit rows, new arrays
   * @throws IllegalArgumentException if an array is null, the shapes differ, or a component is not
   *     finite
   */
  public static double[][] fuseFlips(float[][] plain, float[][] flipped) {
    Checks.notNull(plain, "plain");
    Checks.notNull(flipped, "flipped");
    Checks.sameLength(flipped.length, "flipped", plain.length, "plain");
    int d = requireRows(plain, "plain");
    for (int i = 0; i < flipped.length; i++) {
      Similarity.requireVector(flipped, "flipped", i, d, "plain[0]");
    }
    Checks.finite(plain, "plain");
    Checks.finite(flipped, "flipped");
    double[][] fused = new double[plain.length][d];
    for (int i = 0; i < plain.length; i++) {
      for (int j = 0; j < d; j++) {
        fused[i][j] = (double) plain[i][j] + flipped[i][j];
      }
      normaliseInPlace(fused[i]);
    }
    return fused;
  }

  /**
   * L2-normalised rows without flip fusion (InsightFace's plain "Accuracy"); a zero row stays zero.
   *
   * @param rows the embeddings, [2N][d]
   * @return the unit rows in double, new arrays
   * @throws IllegalArgumentException if rows is null, a row is null, the rows differ in length, or
   *     a component is not finite
   */
  public static double[][] normalise(float[][] rows) {
    Checks.notNull(rows, "rows");
    int d = requireRows(rows, "rows");
    Checks.finite(rows, "rows");
    double[][] out = new double[rows.length][d];
    for (int i = 0; i < rows.length; i++) {
      for (int j = 0; j < d; j++) {
        out[i][j] = rows[i][j];
      }
      normaliseInPlace(out[i]);
    }
    return out;
  }

  /**
   * The squared distance of each pair, ‖e_{2i} − e_{2i+1}‖², summed in index order.
   *
   * @param embeddings 2N rows of one dimension, pair i = rows 2i and 2i + 1
   * @return N distances
   * @throws IllegalArgumentException if the array or a row is null, the row count is odd or zero,
   *     the rows differ in length, or a component is not finite
   */
  public static double[] squaredDistances(double[][] embeddings) {
    Checks.notNull(embeddings, "embeddings");
    if (embeddings.length == 0 || embeddings.length % 2 != 0) {
      throw new IllegalArgumentException(
          "embeddings must hold 2N > 0 rows (pair i = rows 2i and 2i + 1), got "
              + embeddings.length);
    }
    int d = -1;
    for (int i = 0; i < embeddings.length; i++) {
      double[] row = embeddings[i];
      if (row == null) {
        throw new IllegalArgumentException("embeddings[" + i + "] must not be null");
      }
      if (d < 0) {
        d = row.length;
      } else if (row.length != d) {
        throw new IllegalArgumentException(
            "embeddings[" + i + "].length must equal " + d + ", got " + row.length);
      }
      Checks.finite(row, "embeddings[" + i + "]");
    }
    double[] distances = new double[embeddings.length / 2];
    for (int p = 0; p < distances.length; p++) {
      double[] a = embeddings[2 * p];
      double[] b = embeddings[2 * p + 1];
      double sum = 0;
      for (int j = 0; j < d; j++) {
        double diff = a[j] - b[j];
        sum += diff * diff;
      }
      distances[p] = sum;
    }
    return distances;
  }

  /**
   * The protocol of the class comment on final embeddings (already flip-fused and normalised, see
   * {@link #fuseFlips}), with InsightFace's 10 folds.
   *
   * @param embeddings 2N rows, pair i = rows 2i and 2i + 1
   * @param issame whether each pair shows one person, N entries
   * @return the fold accuracies, their mean and population standard deviation, the chosen
   *     thresholds and the ROC curve
   * @throws IllegalArgumentException if the shapes do not match, N &lt; 10, or a value is not
   *     finite
   */
  public static Result evaluate(double[][] embeddings, boolean[] issame) {
    return evaluateDistances(squaredDistances(embeddings), issame, FOLDS);
  }

  /**
   * The protocol of the class comment on precomputed squared distances.
   *
   * @param squaredDistances ‖e_{2i} − e_{2i+1}‖² for each pair
   * @param issame whether each pair shows one person
   * @param folds the number of folds, 10 in InsightFace; at least 2 and at most the number of pairs
   * @return the fold accuracies, their mean and population standard deviation, the chosen
   *     thresholds and the ROC curve
   * @throws IllegalArgumentException if an array is null, the lengths differ, folds is out of
   *     range, or a distance is not finite
   */
  public static Result evaluateDistances(double[] squaredDistances, boolean[] issame, int folds) {
    Checks.notNull(squaredDistances, "squaredDistances");
    Checks.notNull(issame, "issame");
    Checks.sameLength(issame.length, "issame", squaredDistances.length, "squaredDistances");
    Checks.finite(squaredDistances, "squaredDistances");
    Checks.atLeast(folds, "folds", 2);
    int n = squaredDistances.length;
    if (folds > n) {
      // sklearn's KFold raises the same error: a fold would be empty
      throw new IllegalArgumentException(
          "folds (" + folds + ") must not exceed the number of pairs, got " + n + " pairs");
    }
    int[] foldStart = foldStarts(n, folds);
    double[] t = thresholds();

    // accepted[f][j][s]: pairs of fold f with d < t_j, s = 1 for "same" pairs, 0 for the others.
    // Every accuracy below is a difference of these counts, so each pair is compared with each
    // threshold once (400 N comparisons) instead of once per fold.
    long[][][] accepted = new long[folds][THRESHOLD_COUNT][2];
    long[][] pairs = new long[folds][2];
    for (int f = 0; f < folds; f++) {
      for (int i = foldStart[f]; i < foldStart[f + 1]; i++) {
        int s = issame[i] ? 1 : 0;
        pairs[f][s]++;
        for (int j = 0; j < THRESHOLD_COUNT; j++) {
          if (squaredDistances[i] < t[j]) {
            accepted[f][j][s]++;
          }
        }
      }
    }
    long[][] acceptedAll = new long[THRESHOLD_COUNT][2];
    long[] pairsAll = new long[2];
    for (int f = 0; f < folds; f++) {
      for (int s = 0; s < 2; s++) {
        pairsAll[s] += pairs[f][s];
        for (int j = 0; j < THRESHOLD_COUNT; j++) {
          acceptedAll[j][s] += accepted[f][j][s];
        }
      }
    }

    double[] accuracies = new double[folds];
    double[] chosen = new double[folds];
    int[] chosenIndex = new int[folds];
    double[] tpr = new double[THRESHOLD_COUNT];
    double[] fpr = new double[THRESHOLD_COUNT];
    for (int f = 0; f < folds; f++) {
      int best = 0;
      long bestCorrect = -1;
      long[] trainPairs = {pairsAll[0] - pairs[f][0], pairsAll[1] - pairs[f][1]};
      for (int j = 0; j < THRESHOLD_COUNT; j++) {
        // the training set is every pair outside fold f
        long[] trainAccepted = {
          acceptedAll[j][0] - accepted[f][j][0], acceptedAll[j][1] - accepted[f][j][1]
        };
        long correct = correct(trainAccepted, trainPairs);
        // strictly greater: the first maximum wins, as np.argmax. Comparing the counts is
        // comparing the accuracies, which share the denominator.
        if (correct > bestCorrect) {
          bestCorrect = correct;
          best = j;
        }
      }
      chosenIndex[f] = best;
      chosen[f] = t[best];
      long size = pairs[f][0] + pairs[f][1];
      accuracies[f] = (double) correct(accepted[f][best], pairs[f]) / size;
      for (int j = 0; j < THRESHOLD_COUNT; j++) {
        long tp = accepted[f][j][1];
        long fp = accepted[f][j][0];
        tpr[j] += pairs[f][1] == 0 ? 0 : (double) tp / pairs[f][1];
        fpr[j] += pairs[f][0] == 0 ? 0 : (double) fp / pairs[f][0];
      }
    }
    for (int j = 0; j < THRESHOLD_COUNT; j++) {
      tpr[j] /= folds;
      fpr[j] /= folds;
    }
    double mean = 0;
    for (double a : accuracies) {
      mean += a;
    }
    mean /= folds;
    double squares = 0;
    for (double a : accuracies) {
      squares += (a - mean) * (a - mean);
    }
    double std = Math.sqrt(squares / folds);
    return new Result(accuracies, chosen, chosenIndex, mean, std, tpr, fpr);
  }

  /** TP + TN of one fold at one threshold, from its accepted counts and its pair counts. */
  private static long correct(long[] accepted, long[] pairs) {
    return accepted[1] + (pairs[0] - accepted[0]);
  }

  /**
   * sklearn's {@code KFold(n_splits=folds, shuffle=False)} boundaries: fold f is pairs [start[f],
   * start[f + 1]); the first n mod folds folds have ⌊n / folds⌋ + 1 pairs, the others ⌊n / folds⌋.
   */
  static int[] foldStarts(int n, int folds) {
    int[] start = new int[folds + 1];
    for (int f = 0; f < folds; f++) {
      start[f + 1] = start[f] + n / folds + (f < n % folds ? 1 : 0);
    }
    return start;
  }

  private static int requireRows(float[][] rows, String name) {
    int d = rows.length == 0 ? 0 : Similarity.requireVector(rows, name, 0, -1, null);
    for (int i = 1; i < rows.length; i++) {
      Similarity.requireVector(rows, name, i, d, name + "[0]");
    }
    return d;
  }

  /**
   * Divides by the L2 norm, summed in index order. As {@code sklearn.preprocessing.normalize}
   * (through {@code _handle_zeros_in_scale}), a row whose norm is below 10 × the double epsilon
   * 2⁻⁵² is left as it is rather than blown up.
   */
  private static void normaliseInPlace(double[] row) {
    double squares = 0;
    for (double x : row) {
      squares += x * x;
    }
    double norm = Math.sqrt(squares);
    if (norm < NORM_FLOOR) {
      return;
    }
    for (int j = 0; j < row.length; j++) {
      row[j] /= norm;
    }
  }
}
