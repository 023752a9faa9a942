package io.github.ringloss4j.app.eval;

import java.util.Arrays;
import java.util.Comparator;

/**
 * Verification accuracy as a function of feature norm: pairs sorted by the smaller ‖f‖ of their two
 * images and cut into equal-count bins (deciles for 10), each scored with the threshold its fold
 * was given by the k-fold protocol (chosen on the other folds), so the bins add up to the pooled
 * k-fold accuracy.
 */
public final class NormDeciles {

  private NormDeciles() {}

  /**
   * Accuracy by bin of the pair's smaller norm.
   *
   * @param scores the pair scores
   * @param genuine whether each pair is genuine
   * @param fold each pair's fold
   * @param thresholds the threshold of each fold (accept when score ≥ it)
   * @param pairNorm each pair's smaller norm
   * @param bins the number of bins, e.g. 10
   * @return the accuracy of each bin, lowest norms first; bin b holds the pairs ranked [b·n/bins,
   *     (b+1)·n/bins) by norm (ties in input order); NaN for an empty bin
   */
  public static double[] accuracy(
      double[] scores,
      boolean[] genuine,
      int[] fold,
      double[] thresholds,
      double[] pairNorm,
      int bins) {
    int n = scores.length;
    Integer[] order = new Integer[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    Arrays.sort(order, Comparator.comparingDouble(i -> pairNorm[i]));
    double[] out = new double[bins];
    for (int b = 0; b < bins; b++) {
      int from = (int) ((long) b * n / bins);
      int to = (int) ((long) (b + 1) * n / bins);
      int correct = 0;
      for (int r = from; r < to; r++) {
        int p = order[r];
        correct += (scores[p] >= thresholds[fold[p]]) == genuine[p] ? 1 : 0;
      }
      out[b] = to > from ? correct / (double) (to - from) : Double.NaN;
    }
    return out;
  }
}
