package io.github.ringloss4j.penalty;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import io.github.ringloss4j.internal.Scalars;

/**
 * Accurate {@code log1p} and {@code expm1} for {@link NDArray}, which DJL does not expose.
 *
 * <p>Both use the classic correction tricks (Goldberg's for log1p, Kahan's for expm1), which are
 * accurate to a few ulps in float32 and float64. The unselected branch of every {@code where} is
 * given a safe divisor so that it produces no inf or NaN: autograd multiplies its gradient by zero,
 * and 0 · NaN would still be NaN.
 */
final class StableOps {

  private StableOps() {}

  /**
   * log(1 + x) for x ≥ −1, accurate for tiny x: with u = fl(1 + x), log1p(x) = log(u) · x / (u −
   * 1), which cancels the rounding error of u; when u rounds to 1, log1p(x) = x to working
   * precision.
   */
  static NDArray log1p(NDArray x) {
    NDArray u = Scalars.add(x, 1);
    NDArray d = Scalars.sub(u, 1);
    NDArray exact = Scalars.eq(d, 0);
    NDArray safeD = NDArrays.where(exact, d.onesLike(), d);
    NDArray corrected = u.log().mul(x.div(safeD));
    return NDArrays.where(exact, x, corrected);
  }

  /**
   * exp(x) − 1, accurate for tiny x: with u = fl(exp x), expm1(x) = (u − 1) · x / log(u); when u
   * rounds to 1 the answer is x, when u − 1 rounds to −1 the answer is −1.
   */
  static NDArray expm1(NDArray x) {
    NDArray u = x.exp();
    NDArray one = Scalars.eq(u, 1);
    // u − 1 == −1 also covers subnormal u, whose logarithm has lost its precision.
    NDArray minusOne = Scalars.eq(Scalars.sub(u, 1), -1);
    NDArray degenerate = one.logicalOr(minusOne);
    NDArray safeU = NDArrays.where(degenerate, Scalars.mul(u.onesLike(), Math.E), u);
    NDArray corrected = Scalars.sub(safeU, 1).mul(x.div(safeU.log()));
    NDArray tails = NDArrays.where(one, x, u.onesLike().neg());
    return NDArrays.where(degenerate, tails, corrected);
  }
}
