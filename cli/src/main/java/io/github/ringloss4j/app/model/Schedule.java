package io.github.ringloss4j.app.model;

import java.util.Locale;

/** The learning-rate schedules {@code --schedule} names, each over all steps of a run. */
public enum Schedule {
  /** Cosine decay from the base rate to 1 % of it. */
  COSINE,
  /** ×0.1 at 50 % and at 75 % of the steps. */
  STEP,
  /** The base rate throughout. */
  CONSTANT;

  /** The name on the command line and in saved options: {@code cosine}, {@code step}, … */
  @Override
  public String toString() {
    return name().toLowerCase(Locale.ROOT);
  }
}
