package io.github.ringloss4j.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.training.loss.Loss;
import io.github.ringloss4j.nn.RingOutputs;
import io.github.ringloss4j.ops.Scalars;

/**
 * The ring term, λ · mean_i ρ(‖f_i‖ − R), from the per-sample penalties a {@link
 * io.github.ringloss4j.nn.RingLossBlock} computed.
 *
 * <p>With the squared penalty this is the paper's L = λ/(2m)·Σ_i(‖f_i‖ − R)². The mean (not the
 * sum) keeps the term's scale, and so λ, independent of the batch size. Labels are ignored: the
 * ring needs no targets, so there are no dummy targets as in the Keras package.
 *
 * <p>Defaults: λ = 0.01, the paper's best value with softmax (the Keras package used 0.1–0.5, the
 * Gluon port 0.1 on MNIST).
 */
public final class RingLoss extends Loss {

  /** The paper's λ with softmax. */
  public static final float DEFAULT_LAMBDA = 0.01f;

  private final float lambda;
  private final int penaltiesIndex;

  /**
   * A ring term with the paper's λ reading {@link RingOutputs#PENALTIES}.
   *
   * @return the loss
   */
  public static RingLoss withDefaults() {
    return new RingLoss("ring", DEFAULT_LAMBDA, RingOutputs.PENALTIES);
  }

  /**
   * Creates the ring term.
   *
   * @param name the metric name, e.g. {@code ring}
   * @param lambda the weight λ &gt;= 0
   * @param penaltiesIndex where the per-sample penalties stand in the predictions
   */
  public RingLoss(String name, float lambda, int penaltiesIndex) {
    super(name);
    if (!(lambda >= 0) || Float.isInfinite(lambda)) {
      throw new IllegalArgumentException("lambda must be finite and >= 0, got " + lambda);
    }
    if (penaltiesIndex < 0) {
      throw new IllegalArgumentException("penaltiesIndex must be >= 0, got " + penaltiesIndex);
    }
    this.lambda = lambda;
    this.penaltiesIndex = penaltiesIndex;
  }

  /**
   * The weight λ.
   *
   * @return λ
   */
  public float getLambda() {
    return lambda;
  }

  @Override
  public NDArray evaluate(NDList labels, NDList predictions) {
    if (predictions.size() <= penaltiesIndex) {
      throw new IllegalArgumentException(
          "RingLoss reads the per-sample penalties at prediction index "
              + penaltiesIndex
              + " but the model returned "
              + predictions.size()
              + " outputs; use RingModelBlock or put RingLossBlock's first output there");
    }
    return Scalars.mul(predictions.get(penaltiesIndex).mean(), lambda);
  }

  @Override
  public String toString() {
    return "RingLoss(lambda=" + lambda + ")";
  }
}
