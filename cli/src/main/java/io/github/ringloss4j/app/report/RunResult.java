package io.github.ringloss4j.app.report;

import io.github.ringloss4j.app.eval.NormDeciles;
import java.util.Map;

/**
 * One run's figures in the method comparison, as {@link RunEvaluation} measures them and a run's
 * {@code summary.json} keeps them ({@link RunSummaries}); the component names are the summary's
 * keys.
 *
 * @param method the method
 * @param seed the seed
 * @param accuracy test classification accuracy
 * @param foldAccuracy k-fold verification accuracy (cosine)
 * @param tar3 TAR at FAR = 1e−3 (cosine)
 * @param auc ROC AUC (cosine)
 * @param normMean mean test ‖f‖
 * @param normCv coefficient of variation of test ‖f‖
 * @param radius R, NaN without ring
 * @param seconds training wall time
 * @param lowResolution k-fold accuracy of full-resolution vs low-resolution pairs, by side
 * @param folds k, the protocol's number of folds
 * @param fold the open-set fold (its held-out classes are 2·fold and 2·fold + 1), −1 for the
 *     closed-set protocol
 * @param normByResolution mean ‖f‖ of the test images reduced to each side (the full side first)
 * @param normDecileAccuracy k-fold verification accuracy of the full-resolution pairs by decile of
 *     the smaller ‖f‖ of the pair, lowest first ({@link NormDeciles})
 * @param face the face protocol's figures ({@link FaceFigures}), null in the Fashion-MNIST
 *     protocols and in summaries written before it
 */
public record RunResult(
    String method,
    long seed,
    double accuracy,
    double foldAccuracy,
    double tar3,
    double auc,
    double normMean,
    double normCv,
    double radius,
    double seconds,
    Map<Integer, Double> lowResolution,
    int folds,
    int fold,
    Map<Integer, Double> normByResolution,
    double[] normDecileAccuracy,
    FaceFigures face) {

  /** Deciles of the pair's smaller norm. */
  static final int NORM_BINS = 10;

  /**
   * What pairs this run with the other methods' runs: the seed, and the fold in the open set.
   *
   * @return e.g. "seed 1000" or "seed 1000, fold 2"
   */
  public String pairing() {
    return fold < 0 ? "seed " + seed : "seed " + seed + ", fold " + fold;
  }

  /**
   * The k-fold accuracy with probes of one side.
   *
   * @param side the probe side
   * @return the accuracy, NaN when the run was not probed at that side
   */
  double lowResolutionAt(int side) {
    Double v = lowResolution.get(side);
    return v == null ? Double.NaN : v;
  }

  /**
   * The mean ‖f‖ of the test images reduced to one side.
   *
   * @param side the side
   * @return the mean norm, NaN when a summary lacks it
   */
  double normAt(int side) {
    Double n = normByResolution == null ? null : normByResolution.get(side);
    return n == null ? Double.NaN : n;
  }

  /**
   * The verification accuracy in one decile of the pair's smaller norm.
   *
   * @param bin 0 for the lowest norms
   * @return the accuracy, NaN when a summary lacks it
   */
  double decile(int bin) {
    return normDecileAccuracy == null || bin >= normDecileAccuracy.length
        ? Double.NaN
        : normDecileAccuracy[bin];
  }
}
