package io.github.ringloss4j.training;

/**
 * Training produced NaN or Inf. The message names what (the loss, an output, R), the step, and what
 * to try.
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
