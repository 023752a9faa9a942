package io.github.ringloss4j.penalty;

/**
 * A {@link Penalty} with a plain-{@code double} reference of its value and derivative, which the
 * built-in penalties implement and the tests hold the {@link Penalty#apply NDArray path} to
 * (values, finite-difference gradients, symmetry, kinks). A custom penalty needs none of this.
 */
public interface ReferencePenalty extends Penalty {

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
