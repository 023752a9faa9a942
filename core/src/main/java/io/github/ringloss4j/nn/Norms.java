package io.github.ringloss4j.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;

/**
 * Row-wise Euclidean norms that are safe at both ends of the floating-point range.
 *
 * <p>‖f‖ = m·√(Σ(f/m)²) with m = max|f_j| held constant for autograd, the scaling of LAPACK's
 * {@code nrm2}: Σf² would overflow float32 at ‖f‖ ≈ 1.8e19 and underflow at 1e−19, while the scaled
 * sum lies in [1, d]. Because m is a constant, the gradient is exactly f/‖f‖. A zero row gets m = 1
 * and an ε² = 1e−30 under the square root, so ‖0‖ = 1e−15 and its gradient is 0 rather than 0/0;
 * every other row is computed without any ε.
 */
public final class Norms {

  private static final double ZERO_ROW_EPSILON_SQUARED = 1e-30;

  private Norms() {}

  /**
   * The Euclidean norm of each row of a [m, d] matrix.
   *
   * @param features the features, shape [m, d]
   * @return the norms, shape [m]
   */
  public static NDArray rowNorms(NDArray features) {
    NDArray scale = features.abs().max(new int[] {1}, true).stopGradient();
    NDArray zeroRow = scale.eq(0);
    NDArray safeScale = NDArrays.where(zeroRow, scale.onesLike(), scale);
    NDArray sumSquares = features.div(safeScale).square().sum(new int[] {1}, true);
    NDArray padded =
        sumSquares.add(
            zeroRow.toType(sumSquares.getDataType(), false).mul(ZERO_ROW_EPSILON_SQUARED));
    return padded.sqrt().mul(safeScale).squeeze(1);
  }
}
