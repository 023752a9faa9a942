package io.github.ringloss4j.loss;

import ai.djl.ndarray.NDList;
import ai.djl.training.loss.AbstractCompositeLoss;
import ai.djl.training.loss.Loss;
import ai.djl.util.Pair;
import io.github.ringloss4j.nn.RingLossBlock;
import io.github.ringloss4j.nn.RingOutputs;
import java.util.List;
import java.util.Objects;

/**
 * total = L_primary + λ · mean_i ρ(‖f_i‖ − R), for DJL's {@code Trainer} and {@code EasyTrain}.
 *
 * <p>The primary loss reads its own output by name (the logits, for softmax) and the labels; the
 * ring term reads the per-sample penalties and no labels, so no dummy targets are needed. Each term
 * is its own evaluator: add {@link #getComponents()} to the training configuration to see {@code
 * softmax}, {@code ring} and the total as separate metrics.
 *
 * <p>The ring given must be the model's own ({@code net.getRing()}): the first batch refuses
 * penalties from another ring, naming both (see {@link RingLoss}).
 */
public final class RingCompositeLoss extends AbstractCompositeLoss {

  private final Loss primary;
  private final RingLoss ring;

  /**
   * Combines a primary loss on the {@link RingOutputs#LOGITS} with the ring term of a block.
   *
   * @param primary the primary loss on the logits, e.g. softmax cross-entropy
   * @param ring the model's ring block, which holds λ
   */
  public RingCompositeLoss(Loss primary, RingLossBlock ring) {
    this("total", new NamedOutputLoss(primary, RingOutputs.LOGITS), new RingLoss(ring));
  }

  /**
   * Combines any primary loss and ring term.
   *
   * @param name the total's metric name
   * @param primary the primary loss, which finds its own output in the predictions (a {@link
   *     NamedOutputLoss}, or a loss of your own)
   * @param ring the ring term
   */
  public RingCompositeLoss(String name, Loss primary, RingLoss ring) {
    super(name);
    this.primary = Objects.requireNonNull(primary, "primary");
    this.ring = Objects.requireNonNull(ring, "ring");
    this.components = List.of(primary, ring);
  }

  /**
   * Softmax cross-entropy (sparse labels, from logits) plus λ·ring: the paper's setting.
   *
   * @param ring the model's ring block ({@code net.getRing()}), which holds λ (default 0.01, the
   *     paper's best)
   * @return the loss
   */
  public static RingCompositeLoss softmaxPlusRing(RingLossBlock ring) {
    return new RingCompositeLoss(Loss.softmaxCrossEntropyLoss("softmax"), ring);
  }

  /**
   * The primary term.
   *
   * @return the primary loss
   */
  public Loss getPrimary() {
    return primary;
  }

  /**
   * The ring term.
   *
   * @return the ring loss
   */
  public RingLoss getRing() {
    return ring;
  }

  @Override
  protected Pair<NDList, NDList> inputForComponent(
      int componentIndex, NDList labels, NDList predictions) {
    // Each component finds its own output by name, so they also work as stand-alone evaluators.
    return new Pair<>(labels, predictions);
  }

  @Override
  public String toString() {
    return "RingCompositeLoss(" + primary + " + " + ring + ")";
  }
}
