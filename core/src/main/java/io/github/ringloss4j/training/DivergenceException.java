package io.github.ringloss4j.training;

/**
 * Training diverged, as {@link DivergenceGuard} detects it: NaN or Inf in the loss, an output, a
 * parameter or R; a finite runaway of the loss or the mean feature norm (its runaway rule); or a
 * negative ring radius R. The message names what (the loss, an output by name, a parameter, R and
 * its value), the step ("at step N", or "after step N" for the checks made after the last update),
 * and what to try.
 */
public final class DivergenceException extends IllegalStateException {

  private static final long serialVersionUID = 1L;

  /** The 1-based training step at which the divergence was detected. */
  private final long step;

  /**
   * Creates the exception.
   *
   * @param step the 1-based training step at which it was detected
   * @param message the full message
   */
  public DivergenceException(long step, String message) {
    super(message);
    this.step = step;
  }

  /**
   * The 1-based training step at which the divergence was detected.
   *
   * @return the step
   */
  public long getStep() {
    return step;
  }
}
