package io.github.ringloss4j.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.training.loss.Loss;
import io.github.ringloss4j.head.PartialFcHead;
import io.github.ringloss4j.nn.RingOutputs;
import java.util.Objects;

/**
 * A DJL loss on one named output whose labels may come from the predictions too: the logits of a
 * sampled head ({@link PartialFcHead}) are over a subset of the classes, and the labels that index
 * them are the remapped ones it returns as {@value PartialFcHead#SAMPLED_LABELS}.
 *
 * <pre>
 *   L = loss(labels' , predictions[output]),   labels' = predictions[labelsOutput] if present,
 *                                              else the batch's labels
 * </pre>
 *
 * <p>The fallback is what makes one loss serve both passes: a training forward (with labels) of a
 * sampled head returns the remapped labels, a validation forward (without) returns full logits and
 * no remapped labels, so the batch's labels apply. With {@code softmaxCrossEntropy()} this is
 * softmax cross-entropy over the sampled classes, InsightFace's Partial FC loss (for one device).
 * It keeps the wrapped loss's name, so its metric reads as that loss.
 */
public final class SampledLabelsLoss extends Loss {

  private final Loss loss;
  private final String output;
  private final String labelsOutput;

  /**
   * Wraps a loss.
   *
   * @param loss the loss on a single prediction and a single label array
   * @param output the name of the output it reads, e.g. {@link RingOutputs#LOGITS}
   * @param labelsOutput the name of the output that replaces the labels when present, e.g. {@link
   *     PartialFcHead#SAMPLED_LABELS}
   */
  public SampledLabelsLoss(Loss loss, String output, String labelsOutput) {
    super(Objects.requireNonNull(loss, "loss").getName());
    this.loss = loss;
    this.output = Objects.requireNonNull(output, "output");
    this.labelsOutput = Objects.requireNonNull(labelsOutput, "labelsOutput");
  }

  /**
   * Softmax cross-entropy (sparse labels, from logits, mean over the batch) named {@code softmax}
   * on the {@link RingOutputs#LOGITS}, with the {@value PartialFcHead#SAMPLED_LABELS} when present.
   *
   * @return the loss
   */
  public static SampledLabelsLoss softmaxCrossEntropy() {
    return new SampledLabelsLoss(
        Loss.softmaxCrossEntropyLoss("softmax"), RingOutputs.LOGITS, PartialFcHead.SAMPLED_LABELS);
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

  /**
   * The output that replaces the labels when present.
   *
   * @return its name
   */
  public String getLabelsOutput() {
    return labelsOutput;
  }

  /**
   * The labels the loss uses: the labels output when the predictions have it, else the given ones.
   *
   * @param labels the batch's labels
   * @param predictions the model's outputs
   * @return the labels to evaluate with
   */
  public NDList effectiveLabels(NDList labels, NDList predictions) {
    NDArray remapped = predictions.get(labelsOutput);
    return remapped == null ? labels : new NDList(remapped);
  }

  @Override
  public NDArray evaluate(NDList labels, NDList predictions) {
    return loss.evaluate(
        effectiveLabels(labels, predictions), new NDList(RingOutputs.get(predictions, output)));
  }

  @Override
  public String toString() {
    return loss.getName() + "(" + output + ", labels " + labelsOutput + " if present)";
  }
}
