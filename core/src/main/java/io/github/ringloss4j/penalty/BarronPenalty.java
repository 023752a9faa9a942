package io.github.ringloss4j.penalty;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import io.github.ringloss4j.internal.Scalars;

/**
 * Barron's general and adaptive robust loss (CVPR 2019, arXiv 1701.03077) with shape α and scale c,
 * multiplied by c² so that, like every penalty here, ρ(e) ≈ ½e² near 0 and λ keeps its meaning:
 *
 * <pre>
 *   ρ(e) = c² · (|α−2|/α) · [ (z/|α−2| + 1)^(α/2) − 1 ],   z = (e/c)²
 * </pre>
 *
 * <p>with its limits evaluated in closed form: α = 2: ½e²; α = 1: c²(√(z+1) − 1) (pseudo-Huber); α
 * = 0: c²·ln(½z + 1) (Cauchy); α = −2: c²·2z/(z + 4) (Geman-McClure); α = −∞: c²(1 − exp(−½z))
 * (Welsch). Barron's own ρ(x, α, c) is this value divided by c².
 *
 * <p>Between the special values the generic form is rewritten as (β/2)·c²·L·φ(αL/2) with β = |α−2|,
 * L = log1p(z/β) and φ(y) = expm1(y)/y, φ(0) = 1: no factor β/α ever blows up, so the loss is
 * continuous through α = 0 and accurate as α approaches 2 or −∞. ρ′(e) = e·(z/β + 1)^(α/2 − 1).
 */
public final class BarronPenalty extends ReferencePenalty {

  private final double alpha;
  private final double scale;

  /**
   * Creates Barron's penalty.
   *
   * @param alpha the shape α, any real or {@link Double#NEGATIVE_INFINITY}; 2 is squared, 1
   *     pseudo-Huber, 0 Cauchy, −2 Geman-McClure
   * @param scale the scale c &gt; 0, finite: the width of the quadratic bowl
   */
  public BarronPenalty(double alpha, double scale) {
    if (Double.isNaN(alpha) || alpha == Double.POSITIVE_INFINITY) {
      throw new IllegalArgumentException("alpha must be a real number or -Infinity, got " + alpha);
    }
    if (!(scale > 0) || Double.isInfinite(scale)) {
      throw new IllegalArgumentException("scale must be finite and > 0, got " + scale);
    }
    this.alpha = alpha;
    this.scale = scale;
  }

  /**
   * The shape α.
   *
   * @return α
   */
  public double alpha() {
    return alpha;
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
    double c2 = scale * scale;
    NDArray z = Scalars.div(residual, scale).square();
    if (alpha == 2) {
      return Scalars.mul(z, 0.5 * c2);
    }
    if (alpha == 1) {
      // √(z+1) − 1 = z / (√(z+1) + 1): no cancellation for small z.
      return Scalars.mul(z.div(Scalars.add(Scalars.add(z, 1).sqrt(), 1)), c2);
    }
    if (alpha == 0) {
      return Scalars.mul(StableOps.log1p(Scalars.mul(z, 0.5)), c2);
    }
    if (alpha == -2) {
      return Scalars.mul(Scalars.mul(z, 2).div(Scalars.add(z, 4)), c2);
    }
    if (alpha == Double.NEGATIVE_INFINITY) {
      return Scalars.mul(StableOps.expm1(Scalars.mul(z, -0.5)), -c2);
    }
    double beta = Math.abs(alpha - 2);
    NDArray logTerm = StableOps.log1p(Scalars.div(z, beta));
    NDArray y = Scalars.mul(logTerm, alpha / 2);
    NDArray isZero = Scalars.eq(y, 0);
    NDArray safeY = NDArrays.where(isZero, y.onesLike(), y);
    NDArray phi = NDArrays.where(isZero, y.onesLike(), StableOps.expm1(safeY).div(safeY));
    return Scalars.mul(logTerm.mul(phi), 0.5 * beta * c2);
  }

  @Override
  double value(double e) {
    double c2 = scale * scale;
    double z = (e / scale) * (e / scale);
    if (alpha == 2) {
      return 0.5 * c2 * z;
    }
    if (alpha == 1) {
      return c2 * z / (Math.sqrt(z + 1) + 1);
    }
    if (alpha == 0) {
      return c2 * Math.log1p(0.5 * z);
    }
    if (alpha == -2) {
      return c2 * 2 * z / (z + 4);
    }
    if (alpha == Double.NEGATIVE_INFINITY) {
      return -c2 * Math.expm1(-0.5 * z);
    }
    double beta = Math.abs(alpha - 2);
    double logTerm = Math.log1p(z / beta);
    double y = 0.5 * alpha * logTerm;
    double phi = y == 0 ? 1 : Math.expm1(y) / y;
    return 0.5 * beta * c2 * logTerm * phi;
  }

  @Override
  double derivative(double e) {
    double z = (e / scale) * (e / scale);
    if (alpha == 2) {
      return e;
    }
    if (alpha == 1) {
      return e / Math.sqrt(z + 1);
    }
    if (alpha == 0) {
      return 2 * e / (z + 2);
    }
    if (alpha == -2) {
      return 16 * e / ((z + 4) * (z + 4));
    }
    if (alpha == Double.NEGATIVE_INFINITY) {
      return e * Math.exp(-0.5 * z);
    }
    double beta = Math.abs(alpha - 2);
    return e * Math.exp((0.5 * alpha - 1) * Math.log1p(z / beta));
  }

  @Override
  public String toString() {
    return "Barron(alpha=" + alpha + ", scale=" + scale + ")";
  }
}
