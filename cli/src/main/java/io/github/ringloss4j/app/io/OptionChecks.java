package io.github.ringloss4j.app.io;

/**
 * The range check of an option's value, shared by the option groups of every layer so that each
 * group validates its own options and every message has one form: {@code --lr must be > 0, got
 * -1.0}. The application reports the {@link IllegalArgumentException} with exit code 2.
 */
public final class OptionChecks {

  private OptionChecks() {}

  /**
   * Fails unless a value is acceptable.
   *
   * @param ok whether the value is acceptable
   * @param option the option's name, e.g. {@code --lr}
   * @param value the value, for the message
   * @param expected what the option accepts, e.g. {@code > 0}
   * @throws IllegalArgumentException naming the option, what it accepts and what it got
   */
  public static void require(boolean ok, String option, Object value, String expected) {
    if (!ok) {
      throw new IllegalArgumentException(option + " must be " + expected + ", got " + value);
    }
  }
}
