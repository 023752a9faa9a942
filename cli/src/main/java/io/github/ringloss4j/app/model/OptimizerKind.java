package io.github.ringloss4j.app.model;

import java.util.Locale;

/** The optimisers {@code --optimizer} names, both {@code RingOptimizer} rules. */
public enum OptimizerKind {
  /** SGD with momentum. */
  SGD,
  /** Adam. */
  ADAM;

  /** The name on the command line and in saved options: {@code sgd}, {@code adam}. */
  @Override
  public String toString() {
    return name().toLowerCase(Locale.ROOT);
  }
}
