package io.github.ringloss4j.internal;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

/**
 * Row-wise Euclidean norms that are safe at both ends of the floating-point range.
 *
 * <p>The engine's fused 2-norm, sqrt(Σf²), overflows float32 at ‖f‖ ≈ 1.8e19 (it returns ∞) and
 * loses the row below ≈ 1e−19 (it returns 0 at 1e−25); its gradient there is wrong too. So the
 * fused norm is computed first, and its smallest and largest value read back: when every norm is
 * finite and at least {@link #FLOAT32_SAFE_MIN} (float64: {@link #FLOAT64_SAFE_MIN}) the sum of
 * squares neither overflowed nor lost more than a few units in the last place to subnormal squares,
 * and the fused norm is the answer — one kernel forward, one backward, its gradient exactly f/‖f‖.
 * Real embeddings are in that range; a dead, all-zero row sends its batch down the other path.
 *
 * <p>Otherwise (a zero row, a row at 1e30, NaN) the whole batch takes the scaled path: ‖f‖ =
 * m·‖f/m‖ with m = max|f_j| held constant for autograd (LAPACK {@code nrm2}'s scaling), so ‖f/m‖
 * lies in [1, √d]; m is floored at the smallest normal number of the data type so that a zero row
 * divides by a positive number, where the fused norm's gradient is 0, not 0/0. Other data types
 * always take the scaled path.
 *
 * <p>Why two paths: the scaled path's per-row maximum alone costs 3–17 times the fused norm (DJL's
 * {@code max(axis)} also computes arg-max indices; {@code EngineOpsBenchmark} in {@code bench}),
 * and at the batch sizes people train with the ring term is a handful of engine calls whose count
 * is its cost. The two reads back are one device synchronisation per call.
 */
public final class Norms {

  /**
   * Smallest float32 norm the fused kernel computes without loss: Σf² ≥ 1e−32, against squares
   * rounded at the subnormal spacing 1.4e−45, loses less than d·1.4e−13 relative (far below float32
   * precision for any dimension d &lt; 10⁵).
   */
  static final double FLOAT32_SAFE_MIN = 1e-16;

  /** Smallest float64 norm the fused kernel computes without loss, as for float32: Σf² ≥ 1e−280. */
  static final double FLOAT64_SAFE_MIN = 1e-140;

  private Norms() {}

  /**
   * The Euclidean norm of each row of a [m, d] matrix.
   *
   * @param features the features, shape [m, d]
   * @return the norms, shape [m], in the features' data type
   */
  public static NDArray rowNorms(NDArray features) {
    double safeMin = safeMin(features.getDataType());
    if (safeMin > 0 && features.getShape().get(0) > 0) {
      NDArray fused = features.norm(2, new int[] {1}, false);
      NDArray values = fused.stopGradient();
      double smallest = values.min().toArray()[0].doubleValue();
      double largest = values.max().toArray()[0].doubleValue();
      if (smallest >= safeMin && largest <= Double.MAX_VALUE) {
        return fused;
      }
    }
    return scaledRowNorms(features);
  }

  /**
   * The scaled path alone, m·‖f/m‖ with m = max|f_j| per row: exact over the whole range, with no
   * read back to the host (so no device synchronisation), at 3–17 times the fused norm's cost. For
   * forward passes that need no gradient (validation, inference) and for rows the fused norm cannot
   * take.
   *
   * @param features the features, shape [m, d]
   * @return the norms, shape [m]
   */
  public static NDArray scaledRowNorms(NDArray features) {
    double floor =
        features.getDataType() == DataType.FLOAT64 ? Double.MIN_NORMAL : Float.MIN_NORMAL;
    NDArray scale = Scalars.maximum(features.abs().max(new int[] {1}, true).stopGradient(), floor);
    return features.div(scale).norm(2, new int[] {1}, false).mul(scale.squeeze(1));
  }

  private static double safeMin(DataType type) {
    return switch (type) {
      case FLOAT32 -> FLOAT32_SAFE_MIN;
      case FLOAT64 -> FLOAT64_SAFE_MIN;
      default -> 0;
    };
  }
}
