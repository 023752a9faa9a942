package io.github.ringloss4j.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.training.loss.Loss;
import java.util.Objects;

/**
 * A DJL loss applied to one output of a multi-output model, e.g. softmax cross-entropy on the
 * logits of a {@link io.github.ringloss4j.nn.RingModelBlock}.
 *
 * <p>It keeps the wrapped loss's name, so its metric reads as that loss.
 */
public final class OutputLoss extends Loss {

  private final Loss loss;
  private final int index;

  /**
   * Wraps a loss.
   *
   * @param loss the loss on a single prediction
   * @param index the prediction it reads
   */
  public OutputLoss(Loss loss, int index) {
    super(Objects.requireNonNull(loss, "loss").getName());
    if (index < 0) {
      throw new IllegalArgumentException("index must be >= 0, got " + index);
    }
    this.loss = loss;
    this.index = index;
  }

  /**
   * The wrapped loss.
   *
   * @return the loss
   */
  public Loss getLoss() {
    return loss;
  }

  @Override
  public NDArray evaluate(NDList labels, NDList predictions) {
    return loss.evaluate(labels, new NDList(predictions.get(index)));
  }

  @Override
  public String toString() {
    return "OutputLoss(" + loss.getName() + "@" + index + ")";
  }
}
