package io.github.ringloss4j.internal;

import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.initializer.Initializer;

/**
 * Learned scalars that a block owns and pins: the ring radius R, a head's scale s or α.
 *
 * <p>Each is a parameter of type {@link Parameter.Type#OTHER}, shape (1), whose own initializer the
 * owning block re-applies at every {@code initialize}, so that a user's global weight initializer
 * (even {@code optInitializer(…, p -> true)}) never decides its start.
 */
public final class ScalarParameters {

  private ScalarParameters() {}

  /**
   * An initializer that fills a parameter with one value, created in double and cast, since DJL's
   * {@code ConstantInitializer} takes a float and would round R's start.
   *
   * @param value the value
   * @return the initializer
   */
  public static Initializer constant(double value) {
    return (manager, shape, dataType) ->
        manager.full(shape, 0f, DataType.FLOAT64).add(value).toType(dataType, false);
  }

  /**
   * A scalar parameter of type {@link Parameter.Type#OTHER}.
   *
   * @param name the parameter name
   * @param initializer its initializer, to be re-applied by the owning block at every
   *     initialisation
   * @param trainable whether it requires a gradient
   * @return the parameter
   */
  public static Parameter scalar(String name, Initializer initializer, boolean trainable) {
    return Parameter.builder()
        .setName(name)
        .setType(Parameter.Type.OTHER)
        .optShape(new Shape(1))
        .optInitializer(initializer)
        .optRequiresGrad(trainable)
        .build();
  }

  /**
   * The current value of a scalar parameter.
   *
   * @param parameter the parameter
   * @return its value in double, or NaN before initialisation
   */
  public static double value(Parameter parameter) {
    if (!parameter.isInitialized()) {
      return Double.NaN;
    }
    return parameter.getArray().toType(DataType.FLOAT64, false).getDouble(0);
  }
}
