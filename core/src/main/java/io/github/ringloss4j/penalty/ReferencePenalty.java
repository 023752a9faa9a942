package io.github.ringloss4j.penalty;

/**
 * A {@link Penalty} with a plain-{@code double} reference of its value and derivative, which the
 * built-in penalties extend and the tests hold the {@link Penalty#apply NDArray path} to (values,
 * finite-difference gradients, symmetry, kinks). Package-private: a test hook, not API; a custom
 * penalty needs none of this.
 */
abstract class ReferencePenalty implements Penalty {

  /**
   * The reference value ρ(e) in double precision.
   *
   * @param e the residual
   * @return ρ(e)
   */
  abstract double value(double e);

  /**
   * The reference derivative ρ′(e) in double precision.
   *
   * @param e the residual
   * @return dρ/de
   */
  abstract double derivative(double e);

  /**
   * The residuals at which ρ is not twice differentiable (Huber's kinks); gradient checks sample
   * away from them.
   *
   * @return the kinks, empty for smooth penalties
   */
  double[] kinks() {
    return new double[0];
  }

  /**
   * Whether ρ(e) = ρ(−e).
   *
   * @return true for every penalty but the Keras package's asymmetric Huber
   */
  boolean isSymmetric() {
    return true;
  }
}
