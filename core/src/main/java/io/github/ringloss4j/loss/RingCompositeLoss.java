package io.github.ringloss4j.loss;

import ai.djl.ndarray.NDList;
import ai.djl.training.loss.AbstractCompositeLoss;
import ai.djl.training.loss.Loss;
import ai.djl.util.Pair;
import io.github.ringloss4j.nn.RingOutputs;
import java.util.List;

/**
 * total = L_primary + λ · mean_i ρ(‖f_i‖ − R), for DJL's {@code Trainer} and {@code EasyTrain}.
 *
 * <p>The primary loss reads the logits and the labels; the ring term reads the per-sample penalties
 * of a {@link io.github.ringloss4j.nn.RingModelBlock} and no labels, so no dummy targets are
 * needed. Each term is its own evaluator: add {@link #getComponents()} to the training
 * configuration to see {@code primary}, {@code ring} and the total as separate metrics.
 */
public final class RingCompositeLoss extends AbstractCompositeLoss {

  private final OutputLoss primary;
  private final RingLoss ring;

  /**
   * Combines a primary loss on {@link RingOutputs#LOGITS} with a ring term.
   *
   * @param primary the primary loss on the logits, e.g. softmax cross-entropy
   * @param lambda the ring weight λ
   */
  public RingCompositeLoss(Loss primary, float lambda) {
    this(
        "total",
        new OutputLoss(primary, RingOutputs.LOGITS),
        new RingLoss("ring", lambda, RingOutputs.PENALTIES));
  }

  /**
   * Combines any primary loss and ring term.
   *
   * @param name the total's metric name
   * @param primary the primary loss, reading its own output
   * @param ring the ring term
   */
  public RingCompositeLoss(String name, OutputLoss primary, RingLoss ring) {
    super(name);
    this.primary = primary;
    this.ring = ring;
    this.components = List.of(primary, ring);
  }

  /**
   * Softmax cross-entropy (sparse labels, from logits) plus λ·ring: the paper's setting.
   *
   * @param lambda the ring weight λ; the paper's best is {@link RingLoss#DEFAULT_LAMBDA}
   * @return the loss
   */
  public static RingCompositeLoss softmaxPlusRing(float lambda) {
    return new RingCompositeLoss(Loss.softmaxCrossEntropyLoss("softmax"), lambda);
  }

  /**
   * The primary term.
   *
   * @return the primary loss on its output
   */
  public OutputLoss getPrimary() {
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
    // Each component selects its own prediction, so they also work as stand-alone evaluators.
    return new Pair<>(labels, predictions);
  }

  @Override
  public String toString() {
    return "RingCompositeLoss(" + primary + " + " + ring + ")";
  }
}
