package io.github.ringloss4j.backbone;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.initializer.Initializer;

/** Parameter counting and a cheap initialisation for the backbone tests. */
final class BackboneTestSupport {

  /**
   * Allocates without filling: counting needs the shapes, which DJL sets only at initialisation,
   * and 65M untouched floats cost neither time nor resident memory.
   */
  static final Initializer UNFILLED = (manager, shape, dataType) -> manager.create(shape, dataType);

  private BackboneTestSupport() {}

  /** Gives every parameter its shape, for one [1, 3, 112, 112] input, without random draws. */
  static void initializeUnfilled(Block block, NDManager manager) {
    block.setInitializer(UNFILLED, p -> true);
    block.initialize(manager, DataType.FLOAT32, Backbone.inputShape(1));
  }

  /** What an optimiser updates: parameters that require a gradient. */
  static long trainedParameters(Block block) {
    return block.getParameters().values().stream()
        .filter(Parameter::requiresGradient)
        .mapToLong(p -> p.getShape().size())
        .sum();
  }

  /**
   * PyTorch's {@code sum(p.numel() for p in model.parameters())}: everything but BatchNorm's
   * running statistics (buffers in PyTorch), frozen or not.
   */
  static long learnableParameters(Block block) {
    return block.getParameters().values().stream()
        .filter(
            p ->
                p.getType() != Parameter.Type.RUNNING_MEAN
                    && p.getType() != Parameter.Type.RUNNING_VAR)
        .mapToLong(p -> p.getShape().size())
        .sum();
  }
}
