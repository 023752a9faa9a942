package io.github.ringloss4j.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import java.util.ArrayList;
import java.util.List;

/**
 * The names of the outputs a {@link RingModelBlock} and a {@link RingLossBlock} return, and the one
 * lookup every loss, listener and metric uses to find them.
 *
 * <p>Outputs are found by name ({@link NDArray#getName()}), not by position, so a model may return
 * them in any order and add outputs of its own. DJL's {@link NDList#get(String)} returns null for a
 * missing name, and an array derived from a named one ({@code a.mul(2)}) has no name: {@link #get}
 * throws instead, naming what was expected and what the model returned, and the blocks here name
 * the arrays they return last.
 */
public final class RingOutputs {

  /** The head's logits, [m, classes]; absent from a model without a head. */
  public static final String LOGITS = "logits";

  /** The embedding f, [m, d]. */
  public static final String EMBEDDING = "embedding";

  /** The per-sample ring penalties ρ(‖f_i‖ − R), [m]. */
  public static final String PENALTIES = "ring_penalties";

  /** The feature norms ‖f_i‖, [m]. */
  public static final String NORMS = "feature_norms";

  private RingOutputs() {}

  /**
   * The output with the given name.
   *
   * @param outputs a model's outputs
   * @param name the name, e.g. {@link #PENALTIES}
   * @return the array
   * @throws IllegalArgumentException when no output has that name; the message lists the names the
   *     model returned
   */
  public static NDArray get(NDList outputs, String name) {
    NDArray array = outputs.get(name);
    if (array == null) {
      throw new IllegalArgumentException(
          "the model returned no output named '"
              + name
              + "'; its outputs are "
              + names(outputs)
              + ". RingModelBlock names its outputs "
              + List.of(LOGITS, EMBEDDING, PENALTIES, NORMS)
              + " (no logits without a head); a block of your own must name the arrays it returns"
              + " (NDArray.setName) — arrays derived from named ones lose the name");
    }
    return array;
  }

  /**
   * The names of a list's arrays, "(unnamed)" for those without one, for messages.
   *
   * @param outputs the list
   * @return the names in order
   */
  public static List<String> names(NDList outputs) {
    List<String> names = new ArrayList<>(outputs.size());
    for (NDArray a : outputs) {
      names.add(a.getName() == null ? "(unnamed)" : a.getName());
    }
    return names;
  }

  /**
   * Sets an array's name and returns it, for building a list of named outputs in one expression.
   *
   * @param array the array
   * @param name its name
   * @return the array
   */
  static NDArray named(NDArray array, String name) {
    array.setName(name);
    return array;
  }
}
