package io.github.ringloss4j.penalty;

import ai.djl.ndarray.NDArray;

/**
 * A penalty ρ(e) on the ring residual e = ‖f‖ − R.
 *
 * <p>Each penalty comes twice: an {@link NDArray} implementation that DJL's autograd
 * differentiates, and a plain-{@code double} reference (value and derivative) that the tests hold
 * the NDArray path to. Every penalty here satisfies ρ(0) = 0 and ρ(e) ≈ ½e² near 0, so λ keeps the
 * same meaning whichever penalty is chosen.
 */
public interface Penalty {

  /**
   * Applies ρ element-wise.
   *
   * @param residual the residuals e = ‖f‖ − R, any shape, float32 or float64
   * @return ρ(e), same shape and type
   */
  NDArray apply(NDArray residual);

  /**
   * The reference value ρ(e) in double precision.
   *
   * @param e the residual
   * @return ρ(e)
   */
  double value(double e);

  /**
   * The reference derivative ρ′(e) in double precision.
   *
   * @param e the residual
   * @return dρ/de
   */
  double derivative(double e);

  /**
   * The residuals at which ρ is not twice differentiable (Huber's kinks); gradient checks sample
   * away from them.
   *
   * @return the kinks, empty for smooth penalties
   */
  default double[] kinks() {
    return new double[0];
  }

  /**
   * Whether ρ(e) = ρ(−e).
   *
   * @return true for every penalty but the Keras package's asymmetric Huber
   */
  default boolean isSymmetric() {
    return true;
  }
}
