package io.github.ringloss4j.penalty;

import ai.djl.ndarray.NDArray;
import io.github.ringloss4j.internal.Scalars;

/**
 * The paper's penalty, ρ(e) = ½e², ρ′(e) = e.
 *
 * <p>With the batch mean and λ outside, λ·mean(½(‖f‖ − R)²) is exactly the ring loss of Zheng, Pal
 * and Savvides (CVPR 2018), L = λ/(2m)·Σ(‖f_i‖ − R)². This is the default penalty.
 */
public final class SquaredPenalty extends ReferencePenalty {

  /** The single instance: the penalty has no parameters. */
  public static final SquaredPenalty INSTANCE = new SquaredPenalty();

  private SquaredPenalty() {}

  @Override
  public NDArray apply(NDArray residual) {
    return Scalars.mul(residual.square(), 0.5);
  }

  @Override
  double value(double e) {
    return 0.5 * e * e;
  }

  @Override
  double derivative(double e) {
    return e;
  }

  @Override
  public String toString() {
    return "Squared()";
  }
}
