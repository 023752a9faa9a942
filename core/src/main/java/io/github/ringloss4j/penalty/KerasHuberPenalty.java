package io.github.ringloss4j.penalty;

import ai.djl.ndarray.NDArray;
import io.github.ringloss4j.internal.Scalars;

/**
 * The Keras package's "huber" (earlier "smoothl1") exactly as it computed it, kept for
 * compatibility, never a default.
 *
 * <pre>
 *   ρ(e) = ½e²          if e &lt; δ   (the signed residual, not |e|)
 *        = δ(e − ½δ)    otherwise,     ρ′(e) = min(e, δ).
 * </pre>
 *
 * <p>Because the test is on the signed e, norms far <em>below</em> R stay quadratic while norms far
 * above R are penalised linearly: the penalty is asymmetric, unlike a textbook Huber. Use it only
 * to reproduce a model trained with the original {@code Ring_Loss(loss_type='huber')}.
 */
public final class KerasHuberPenalty extends ReferencePenalty {

  private final double delta;

  /**
   * Creates the Keras package's asymmetric Huber.
   *
   * @param delta the threshold δ; the Keras package used 1
   */
  public KerasHuberPenalty(double delta) {
    if (!(delta > 0) || Double.isInfinite(delta)) {
      throw new IllegalArgumentException("delta must be finite and > 0, got " + delta);
    }
    this.delta = delta;
  }

  @Override
  public NDArray apply(NDArray residual) {
    // q = min(e, δ): q·(e − ½q) is ½e² below δ and δ(e − ½δ) above it.
    NDArray q = Scalars.minimum(residual, delta);
    return q.mul(residual.sub(Scalars.mul(q, 0.5)));
  }

  @Override
  double value(double e) {
    return e < delta ? 0.5 * e * e : delta * (e - 0.5 * delta);
  }

  @Override
  double derivative(double e) {
    return Math.min(e, delta);
  }

  @Override
  double[] kinks() {
    return new double[] {delta};
  }

  @Override
  boolean isSymmetric() {
    return false;
  }

  @Override
  public String toString() {
    return "KerasHuber(delta=" + delta + ")";
  }
}
