package io.github.ringloss4j.penalty;

/**
 * The built-in penalties' plain-double references, which are package-private in the library, for
 * the tests of other packages (the ring block's) and for the penalties {@link Penalties} returns as
 * plain {@link Penalty}.
 */
public final class PenaltyReferences {

  private PenaltyReferences() {}

  /**
   * The reference value ρ(e).
   *
   * @param penalty a built-in penalty
   * @param e the residual
   * @return ρ(e) in double precision
   */
  public static double value(Penalty penalty, double e) {
    return ((ReferencePenalty) penalty).value(e);
  }

  /**
   * The reference derivative ρ′(e).
   *
   * @param penalty a built-in penalty
   * @param e the residual
   * @return dρ/de in double precision
   */
  public static double derivative(Penalty penalty, double e) {
    return ((ReferencePenalty) penalty).derivative(e);
  }

  /**
   * The residuals at which ρ is not twice differentiable.
   *
   * @param penalty a built-in penalty
   * @return its kinks, empty for smooth penalties
   */
  public static double[] kinks(Penalty penalty) {
    return ((ReferencePenalty) penalty).kinks();
  }
}
