package io.github.ringloss4j.head;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.training.loss.Loss;
import io.github.ringloss4j.nn.RingOutputs;
import java.util.Objects;

/**
 * The center term of center loss (Wen et al., ECCV 2016), λ_c·½·mean_i ‖x_i − c_{y_i}‖², with the
 * centres owned and updated by a {@link CenterLossBlock}.
 *
 * <p>The paper writes L_C = ½Σ_i‖x_i − c_{y_i}‖² over the mini-batch; here it is the mean, like the
 * ring term ({@link io.github.ringloss4j.loss.RingLoss}) and DJL's softmax cross-entropy, so that
 * λ_c does not depend on the batch size (Caffe center-loss layers likewise divide by the batch
 * size: loss = Σ‖x_i − c_{y_i}‖²/(2M)). A λ_c tuned for the sum becomes λ_c·m here.
 *
 * <p>The loss reads the features from the predictions (the output named {@link
 * RingOutputs#EMBEDDING}, as a {@link io.github.ringloss4j.nn.RingModelBlock} names it), the
 * labels, and the block's current centres as constants, so the gradient reaches the features only:
 * ∂/∂x_i = (λ_c/m)·(x_i − c_{y_i}). The centres move by their own rule in the block (see {@link
 * CenterLossBlock} for when). In validation it measures the same quantity with the centres as they
 * are.
 *
 * <p>Softmax + λ_c·center + λ·ring with a {@link io.github.ringloss4j.nn.RingModelBlock} whose head
 * is the {@link CenterLossBlock}:
 *
 * <pre>{@code
 * CenterLossBlock head = CenterLossBlock.builder().setClasses(10).build();
 * RingModelBlock model = RingModelBlock.of(embedding, head);
 * Loss loss = new SimpleCompositeLoss("total")
 *     .addLoss(RingCompositeLoss.softmaxPlusRing(model.getRing()))
 *     .addLoss(CenterLoss.onRingModel(head, 0.003f));
 * }</pre>
 */
public final class CenterLoss extends Loss {

  private final CenterLossBlock block;
  private final float lambda;
  private final String features;

  /**
   * The center term on the embedding of a {@link io.github.ringloss4j.nn.RingModelBlock}.
   *
   * @param block the block that owns the centres (the model's head)
   * @param lambda the weight λ_c ≥ 0
   * @return the loss, named {@code center}
   */
  public static CenterLoss onRingModel(CenterLossBlock block, float lambda) {
    return new CenterLoss("center", block, lambda, RingOutputs.EMBEDDING);
  }

  /**
   * Creates the center term.
   *
   * @param name the metric name
   * @param block the block that owns the centres
   * @param lambda the weight λ_c, finite and ≥ 0
   * @param features the name of the output holding the features [m, d]
   */
  public CenterLoss(String name, CenterLossBlock block, float lambda, String features) {
    super(name);
    this.block = Objects.requireNonNull(block, "block");
    if (!(lambda >= 0) || Float.isInfinite(lambda)) {
      throw new IllegalArgumentException("lambda must be finite and >= 0, got " + lambda);
    }
    this.lambda = lambda;
    this.features = Objects.requireNonNull(features, "features");
  }

  /**
   * The weight λ_c.
   *
   * @return λ_c
   */
  public float getLambda() {
    return lambda;
  }

  /**
   * The block whose centres this loss reads.
   *
   * @return the block
   */
  public CenterLossBlock getBlock() {
    return block;
  }

  @Override
  public NDArray evaluate(NDList labels, NDList predictions) {
    NDArray x = RingOutputs.get(predictions, features);
    return block.distances(x, labels.head()).mean().mul(lambda);
  }

  @Override
  public String toString() {
    return "CenterLoss(lambda=" + lambda + ", alpha=" + block.getAlpha() + ")";
  }
}
