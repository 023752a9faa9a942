package io.github.ringloss4j.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.training.loss.Loss;
import ai.djl.training.loss.SimpleCompositeLoss;
import io.github.ringloss4j.head.MagFaceHead;
import io.github.ringloss4j.nn.RingOutputs;
import java.util.Objects;

/**
 * MagFace's magnitude regulariser as a loss term, λ_g·mean_i g(a_i) with g(a) = 1/a + a/u_a² and
 * a_i = ‖x_i‖ clipped to [l_a, u_a] (see {@link MagFaceHead}, which holds l_a, u_a and λ_g).
 *
 * <p>It reads the features from the predictions by name (the {@link RingOutputs#EMBEDDING} of a
 * {@link io.github.ringloss4j.nn.RingModelBlock}), so it needs no labels and measures the same
 * quantity in validation as in training. The gradient reaches the features through a, as in the
 * official code. {@link #magFaceLoss} is the whole MagFace loss, cross-entropy on the head's margin
 * logits plus this term; with ring loss, add this term to {@link
 * RingCompositeLoss#softmaxPlusRing}:
 *
 * <pre>{@code
 * Loss loss = new SimpleCompositeLoss("total")
 *     .addLoss(RingCompositeLoss.softmaxPlusRing(model.getRing()))
 *     .addLoss(MagFaceRegularizer.onRingModel(head));
 * }</pre>
 */
public final class MagFaceRegularizer extends Loss {

  private final MagFaceHead head;
  private final String features;

  /**
   * The regulariser on the embedding of a {@link io.github.ringloss4j.nn.RingModelBlock}.
   *
   * @param head the model's head, which holds l_a, u_a and λ_g
   * @return the term, named {@code magface}
   */
  public static MagFaceRegularizer onRingModel(MagFaceHead head) {
    return new MagFaceRegularizer("magface", head, RingOutputs.EMBEDDING);
  }

  /**
   * The MagFace loss in one call: softmax cross-entropy on the {@link RingOutputs#LOGITS} (the
   * head's margin logits in training) plus λ_g·mean g(a) on the {@link RingOutputs#EMBEDDING}, for
   * a {@link io.github.ringloss4j.nn.RingModelBlock} whose head is {@code head}. Its components,
   * {@code softmax} and {@code magface}, can be reported apart.
   *
   * @param head the model's head
   * @return the loss, named {@code total}
   */
  public static SimpleCompositeLoss magFaceLoss(MagFaceHead head) {
    return new SimpleCompositeLoss("total")
        .addLoss(new NamedOutputLoss(Loss.softmaxCrossEntropyLoss("softmax"), RingOutputs.LOGITS))
        .addLoss(onRingModel(head));
  }

  /**
   * Creates the term.
   *
   * @param name the metric name
   * @param head the head that holds l_a, u_a and λ_g
   * @param features the name of the output holding the features [m, d] the head was given
   */
  public MagFaceRegularizer(String name, MagFaceHead head, String features) {
    super(name);
    this.head = Objects.requireNonNull(head, "head");
    this.features = Objects.requireNonNull(features, "features");
  }

  /**
   * The head whose bounds and weight this term uses.
   *
   * @return the head
   */
  public MagFaceHead getHead() {
    return head;
  }

  @Override
  public NDArray evaluate(NDList labels, NDList predictions) {
    NDArray x = RingOutputs.get(predictions, features);
    return head.regularizer(x).mean().mul(head.getLambdaG());
  }

  @Override
  public String toString() {
    return "MagFaceRegularizer(lambda_g=" + head.getLambdaG() + ", " + features + ")";
  }
}
