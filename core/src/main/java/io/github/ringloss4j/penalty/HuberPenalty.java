package io.github.ringloss4j.penalty;

import ai.djl.ndarray.NDArray;
import io.github.ringloss4j.internal.Scalars;

/**
 * Huber's penalty with threshold δ, symmetric in e:
 *
 * <pre>
 *   ρ(e) = ½e²            if |e| ≤ δ
 *        = δ(|e| − ½δ)    otherwise,       ρ′(e) = clamp(e, −δ, δ).
 * </pre>
 *
 * <p>Smooth-L1 is Huber with δ = 1. Computed branch-free as q·(|e| − ½q) with q = min(|e|, δ), so
 * autograd sees one expression and both regimes share the same code path. For the Keras package's
 * asymmetric variant see {@link KerasHuberPenalty}.
 */
public final class HuberPenalty extends ReferencePenalty {

  private final double delta;

  /**
   * Creates a Huber penalty.
   *
   * @param delta the threshold δ between the quadratic and linear regimes, δ &gt; 0 (+∞ gives the
   *     squared penalty)
   */
  public HuberPenalty(double delta) {
    // δ = +∞ is allowed: it is the squared penalty, which the tests use as an identity.
    if (!(delta > 0)) {
      throw new IllegalArgumentException("delta must be > 0, got " + delta);
    }
    this.delta = delta;
  }

  /**
   * Smooth-L1: Huber with δ = 1.
   *
   * @return a Huber penalty with δ = 1
   */
  public static HuberPenalty smoothL1() {
    return new HuberPenalty(1.0);
  }

  /**
   * The threshold δ.
   *
   * @return δ
   */
  public double delta() {
    return delta;
  }

  @Override
  public NDArray apply(NDArray residual) {
    NDArray a = residual.abs();
    NDArray q = Scalars.minimum(a, delta);
    return q.mul(a.sub(Scalars.mul(q, 0.5)));
  }

  @Override
  double value(double e) {
    double a = Math.abs(e);
    return a <= delta ? 0.5 * e * e : delta * (a - 0.5 * delta);
  }

  @Override
  double derivative(double e) {
    return Math.max(-delta, Math.min(delta, e));
  }

  @Override
  double[] kinks() {
    return new double[] {-delta, delta};
  }

  @Override
  public String toString() {
    return "Huber(delta=" + delta + ")";
  }
}
