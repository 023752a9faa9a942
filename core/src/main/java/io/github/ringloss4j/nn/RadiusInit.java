package io.github.ringloss4j.nn;

/**
 * How the ring radius R starts.
 *
 * <p>The paper does not say. Ports used 1.0 (Keras, torchreid), 10 or 20 (Gluon, which reports NaN
 * with 1.0) or the first batch's mean norm (the PyTorch "ringloss" port). The default here is the
 * first batch's mean norm: R then starts where ∂L/∂R = 0, the robust penalties (Cauchy,
 * Geman-McClure) whose gradient vanishes far from the ring still move it, and λ does not have to
 * fight a bad start.
 */
public final class RadiusInit {

  private static final RadiusInit FIRST_BATCH_MEAN = new RadiusInit(Double.NaN);

  private final double value;

  private RadiusInit(double value) {
    this.value = value;
  }

  /**
   * R starts at a fixed value.
   *
   * @param value the initial radius, finite and &gt;= 0
   * @return the initialisation
   */
  public static RadiusInit constant(double value) {
    if (!(value >= 0) || Double.isInfinite(value)) {
      throw new IllegalArgumentException("initial radius must be finite and >= 0, got " + value);
    }
    return new RadiusInit(value);
  }

  /**
   * R starts at the mean feature norm of the first training batch, computed once, without gradient.
   * Until that batch R holds 0, which inference never needs: an untrained model has no meaningful
   * ring.
   *
   * @return the initialisation
   */
  public static RadiusInit firstBatchMean() {
    return FIRST_BATCH_MEAN;
  }

  /**
   * Whether R is taken from the first training batch.
   *
   * @return true for {@link #firstBatchMean()}
   */
  public boolean isFromData() {
    return Double.isNaN(value);
  }

  /**
   * The constant initial value.
   *
   * @return the value, or 0 for {@link #firstBatchMean()} (its placeholder until the first batch)
   */
  public double value() {
    return isFromData() ? 0 : value;
  }

  @Override
  public String toString() {
    return isFromData() ? "firstBatchMean" : "constant(" + value + ")";
  }
}
