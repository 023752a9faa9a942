package io.github.ringloss4j.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.training.loss.Loss;
import io.github.ringloss4j.nn.RingOutputs;
import java.util.Objects;

/**
 * A DJL loss applied to one named output of a multi-output model, e.g. softmax cross-entropy on the
 * {@link RingOutputs#LOGITS} of a {@link io.github.ringloss4j.nn.RingModelBlock}, with all the
 * labels.
 *
 * <p>DJL's {@code IndexLoss} selects by position; the model's outputs here are found by name, so
 * that a model without a head, or with outputs of its own, needs no index bookkeeping. It keeps the
 * wrapped loss's name, so its metric reads as that loss.
 */
public final class NamedOutputLoss extends Loss {

  private final Loss loss;
  private final String output;

  /**
   * Wraps a loss.
   *
   * @param loss the loss on a single prediction
   * @param output the name of the output it reads, e.g. {@link RingOutputs#LOGITS}
   */
  public NamedOutputLoss(Loss loss, String output) {
    super(Objects.requireNonNull(loss, "loss").getName());
    this.loss = loss;
    this.output = Objects.requireNonNull(output, "output");
  }

  /**
   * The wrapped loss.
   *
   * @return the loss
   */
  public Loss getLoss() {
    return loss;
  }

  /**
   * The output it reads.
   *
   * @return the output's name
   */
  public String getOutput() {
    return output;
  }

  @Override
  public NDArray evaluate(NDList labels, NDList predictions) {
    return loss.evaluate(labels, new NDList(RingOutputs.get(predictions, output)));
  }

  @Override
  public String toString() {
    return loss.getName() + "(" + output + ")";
  }
}
