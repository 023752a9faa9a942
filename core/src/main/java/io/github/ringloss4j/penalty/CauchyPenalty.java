package io.github.ringloss4j.penalty;

import ai.djl.ndarray.NDArray;
import io.github.ringloss4j.internal.Scalars;

/**
 * The Cauchy (Lorentzian) penalty with scale c:
 *
 * <pre>
 *   ρ(e) = (c²/2)·ln(1 + (e/c)²),     ρ′(e) = e / (1 + (e/c)²).
 * </pre>
 *
 * <p>The default c = 2.3849 is the 95 %-efficiency constant of the Cauchy M-estimator, the value
 * the Keras package used. Its gradient decays like 1/e in the tails, so R must start near the
 * feature norms (see {@code RadiusInit.firstBatchMean()}) or it barely moves.
 */
public final class CauchyPenalty extends ReferencePenalty {

  /** The Keras package's scale, the Cauchy M-estimator's 95 %-efficiency constant. */
  public static final double DEFAULT_SCALE = 2.3849;

  private final double scale;

  /**
   * Creates a Cauchy penalty.
   *
   * @param scale the scale c &gt; 0, finite; {@value #DEFAULT_SCALE} in the Keras package
   */
  public CauchyPenalty(double scale) {
    if (!(scale > 0) || Double.isInfinite(scale)) {
      throw new IllegalArgumentException("scale must be finite and > 0, got " + scale);
    }
    this.scale = scale;
  }

  /**
   * The scale c.
   *
   * @return c
   */
  public double scale() {
    return scale;
  }

  @Override
  public NDArray apply(NDArray residual) {
    NDArray z = Scalars.div(residual, scale).square();
    return Scalars.mul(StableOps.log1p(z), 0.5 * scale * scale);
  }

  @Override
  double value(double e) {
    double r = e / scale;
    return 0.5 * scale * scale * Math.log1p(r * r);
  }

  @Override
  double derivative(double e) {
    double r = e / scale;
    return e / (1 + r * r);
  }

  @Override
  public String toString() {
    return "Cauchy(scale=" + scale + ")";
  }
}
