package io.github.ringloss4j.head;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.evaluator.AbstractAccuracy;
import ai.djl.util.Pair;
import io.github.ringloss4j.nn.RingOutputs;

/**
 * Classification accuracy of a head's plain logits, the prediction it makes at inference: the share
 * of samples whose argmax over the margin-free logits is their label. Add it to a training
 * configuration in place of DJL's {@code Accuracy}:
 *
 * <pre>{@code
 * config.addEvaluator(new HeadAccuracy());
 * }</pre>
 *
 * <p><b>Why not DJL's {@code Accuracy}.</b> In training (a forward with labels) a margin head —
 * {@link CosFaceHead}, {@link ArcFaceHead}, {@link SphereFaceHead} — returns logits with the margin
 * applied to each sample's own class, s·(cosθ_y − m) for CosFace. {@code Accuracy} takes the argmax
 * of those, so it counts a sample as right only if its class wins with the margin against it: less
 * than the classifier's accuracy, and 0.0 early in training or with a large margin. The margin
 * heads therefore also return their logits without the margin, named {@value #PLAIN_LOGITS}; this
 * evaluator reads them when present, and otherwise the {@value RingOutputs#LOGITS} output (a
 * softmax, L2-softmax or NormFace head, whose training and inference logits are the same; and every
 * head without labels, as in validation), or the first output when none is named so. With a softmax
 * head it is exactly DJL's {@code Accuracy}.
 *
 * <pre>
 *   accuracy = #{i : argmax_j z_ij = y_i} / m,   z = the plain logits,  y = the labels
 * </pre>
 *
 * <p>With a {@link PartialFcHead} that samples classes, the training logits cover only the step's
 * sampled classes and the labels are the remapped ones it returns ({@value
 * PartialFcHead#SAMPLED_LABELS}): the accuracy is among the sampled classes (which always include
 * the sample's own), so at least the accuracy over all classes, equal to it at r = 1.
 *
 * <p>The comparison stays on the device; reading the count back (once per batch, as for DJL's
 * {@code Accuracy}) is the evaluator's only host transfer. {@link #correct} gives the same
 * per-sample comparison to code that keeps its own tally.
 */
public final class HeadAccuracy extends AbstractAccuracy {

  /**
   * The name of a margin head's plain logits, [m, classes]: what it returns at inference for the
   * same weights (s·cosθ_j for CosFace and ArcFace, ‖x‖·cosθ_j for SphereFace). Returned by the
   * labelled forward only, after the margin logits.
   */
  public static final String PLAIN_LOGITS = "plain_logits";

  /** Creates the evaluator named {@code Accuracy}, as DJL's, which it replaces. */
  public HeadAccuracy() {
    this("Accuracy");
  }

  /**
   * Creates the evaluator.
   *
   * @param name the metric's name
   */
  public HeadAccuracy(String name) {
    super(name, 1);
  }

  @Override
  protected Pair<Long, NDArray> accuracyHelper(NDList labels, NDList predictions) {
    NDArray correct = correct(labels.head(), predictions);
    return new Pair<>(correct.size(), correct);
  }

  /**
   * Whether each sample's prediction is right: the argmax of the plain logits against the label, on
   * the device.
   *
   * @param labels the batch's class indices, [m] or [m, 1]; replaced by the model's {@value
   *     PartialFcHead#SAMPLED_LABELS} output when it has one
   * @param predictions the model's outputs
   * @return [m], true where right
   * @throws IllegalArgumentException when the labels are not one per row of the logits
   */
  public static NDArray correct(NDArray labels, NDList predictions) {
    NDArray logits = plainLogits(predictions);
    NDArray remapped = predictions.get(PartialFcHead.SAMPLED_LABELS);
    NDArray y = remapped == null ? labels : remapped;
    long m = logits.getShape().get(0);
    HeadSupport.checkLabelCount(y, m);
    return logits
        .argMax(1)
        .toType(DataType.INT64, false)
        .eq(y.reshape(m).toType(DataType.INT64, false));
  }

  /**
   * The logits whose argmax is the prediction: the {@value #PLAIN_LOGITS} when the model returned
   * them (a margin head in training), else the {@value RingOutputs#LOGITS}, else the first output.
   *
   * @param predictions the model's outputs
   * @return the plain logits, [m, classes]
   */
  public static NDArray plainLogits(NDList predictions) {
    NDArray plain = predictions.get(PLAIN_LOGITS);
    if (plain != null) {
      return plain;
    }
    NDArray logits = predictions.get(RingOutputs.LOGITS);
    return logits != null ? logits : predictions.head();
  }
}
