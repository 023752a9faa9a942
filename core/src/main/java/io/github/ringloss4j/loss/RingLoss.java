package io.github.ringloss4j.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.training.loss.Loss;
import io.github.ringloss4j.internal.Scalars;
import io.github.ringloss4j.nn.RingLossBlock;
import io.github.ringloss4j.nn.RingOutputs;
import java.util.Objects;

/**
 * The ring term, λ · mean_i ρ(‖f_i‖ − R), from the per-sample penalties a {@link RingLossBlock}
 * computed (the output named {@link RingOutputs#PENALTIES}), with the block's λ.
 *
 * <p>With the squared penalty this is the paper's L = λ/(2m)·Σ_i(‖f_i‖ − R)². The mean (not the
 * sum) keeps the term's scale, and so λ, independent of the batch size. Labels are ignored: the
 * ring needs no targets, so there are no dummy targets as in the Keras package. λ is read from the
 * block, the one place it is set, because R's learning rate depends on it too.
 *
 * <p><b>One ring per model, checked.</b> The penalties come from the model's ring, λ from the block
 * given here: were they two blocks (a loss built on {@code RingLossBlock.builder()
 * .optLambda(0.5f).build()} while the model holds the default λ = 0.01 ring), the model would train
 * with the other block's λ and no word. So the first evaluation checks that the penalties are the
 * given ring's own output ({@link RingLossBlock#checkOutputsAreOwn}, a reference comparison that
 * reads nothing back to the host) and throws an {@link IllegalArgumentException} describing both
 * rings otherwise, before any gradient is computed. Later evaluations cost nothing more.
 */
public final class RingLoss extends Loss {

  private final RingLossBlock ring;
  private volatile boolean ringChecked;

  /**
   * The ring term of a block, named {@code ring}.
   *
   * @param ring the block that computes the penalties and holds λ
   */
  public RingLoss(RingLossBlock ring) {
    this("ring", ring);
  }

  /**
   * The ring term of a block.
   *
   * @param name the metric name
   * @param ring the block that computes the penalties and holds λ
   */
  public RingLoss(String name, RingLossBlock ring) {
    super(name);
    this.ring = Objects.requireNonNull(ring, "ring");
  }

  /**
   * The weight λ, the block's.
   *
   * @return λ
   */
  public float getLambda() {
    return ring.getLambda();
  }

  /**
   * The ring term of a batch.
   *
   * @param labels ignored
   * @param predictions the model's outputs, with the ring's {@link RingOutputs#PENALTIES}
   * @return λ · mean_i ρ(‖f_i‖ − R)
   * @throws IllegalArgumentException at the first evaluation, when the penalties come from a ring
   *     other than this loss's
   */
  @Override
  public NDArray evaluate(NDList labels, NDList predictions) {
    NDArray penalties = RingOutputs.get(predictions, RingOutputs.PENALTIES);
    if (!ringChecked) {
      ringChecked = ring.checkOutputsAreOwn(predictions, "RingLoss '" + getName() + "'");
    }
    return Scalars.mul(penalties.mean(), getLambda());
  }

  @Override
  public String toString() {
    return "RingLoss(lambda=" + getLambda() + ")";
  }
}
