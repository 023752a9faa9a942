package io.github.ringloss4j.nn;

/**
 * Where {@link RingModelBlock} puts each output in its {@code NDList}, so losses, listeners and
 * metrics agree on the layout.
 */
public final class RingOutputs {

  /** The head's logits, [m, classes]. */
  public static final int LOGITS = 0;

  /** The embedding f, [m, d]. */
  public static final int EMBEDDING = 1;

  /** The per-sample ring penalties ρ(‖f_i‖ − R), [m]. */
  public static final int PENALTIES = 2;

  /** The feature norms ‖f_i‖, [m]. */
  public static final int NORMS = 3;

  private RingOutputs() {}
}
