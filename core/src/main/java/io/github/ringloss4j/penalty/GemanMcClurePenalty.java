package io.github.ringloss4j.penalty;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import io.github.ringloss4j.internal.Scalars;

/**
 * The Geman-McClure penalty with scale c:
 *
 * <pre>
 *   ρ(e) = ½e² · c² / (c² + e²),     ρ′(e) = e · c⁴ / (c² + e²)².
 * </pre>
 *
 * <p>It is bounded by c²/2 and its gradient vanishes like 1/e³ in the tails: residuals far from the
 * ring are ignored. The Keras package wrote it as a·e²/(e² + 2a) with a = 0.5; that is this form
 * with c² = 2a, so the default c = 1 reproduces it ({@link #kerasForm(double)} converts).
 *
 * <p>Computed as (c²/2)·z/(1 + z) with z = (e/c)² for z &lt; 1 and as (c²/2)·(1 − 1/(1 + z)) above,
 * so that huge residuals (z = ∞ in float32) give the bound c²/2 instead of ∞/∞.
 */
public final class GemanMcClurePenalty extends ReferencePenalty {

  private final double scale;

  /**
   * Creates a Geman-McClure penalty.
   *
   * @param scale the scale c &gt; 0, finite; 1 reproduces the Keras package
   */
  public GemanMcClurePenalty(double scale) {
    if (!(scale > 0) || Double.isInfinite(scale)) {
      throw new IllegalArgumentException("scale must be finite and > 0, got " + scale);
    }
    this.scale = scale;
  }

  /**
   * The Keras package's parameterisation a·e²/(e² + 2a).
   *
   * @param a the bound a &gt; 0 of the penalty; the Keras package used 0.5
   * @return the same penalty with c = √(2a)
   */
  public static GemanMcClurePenalty kerasForm(double a) {
    if (!(a > 0) || Double.isInfinite(a)) {
      throw new IllegalArgumentException("a must be finite and > 0, got " + a);
    }
    return new GemanMcClurePenalty(Math.sqrt(2 * a));
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
    NDArray onePlusZ = Scalars.add(z, 1);
    NDArray small = Scalars.lt(z, 1);
    NDArray ratio =
        NDArrays.where(small, z.div(onePlusZ), Scalars.add(Scalars.pow(onePlusZ, -1).neg(), 1));
    return Scalars.mul(ratio, 0.5 * scale * scale);
  }

  @Override
  double value(double e) {
    double z = (e / scale) * (e / scale);
    double ratio = z < 1 ? z / (1 + z) : 1 - 1 / (1 + z);
    return 0.5 * scale * scale * ratio;
  }

  @Override
  double derivative(double e) {
    double c2 = scale * scale;
    double d = c2 + e * e;
    return e * c2 * c2 / (d * d);
  }

  @Override
  public String toString() {
    return "GemanMcClure(scale=" + scale + ")";
  }
}
