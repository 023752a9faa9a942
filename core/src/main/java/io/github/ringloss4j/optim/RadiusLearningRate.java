package io.github.ringloss4j.optim;

import ai.djl.nn.Block;
import ai.djl.training.tracker.ParameterTracker;
import io.github.ringloss4j.nn.RingLossBlock;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A learning-rate tracker that gives every ring radius R its own multiplier, for DJL's stock
 * optimisers and for {@link RingOptimizer}.
 *
 * <pre>{@code
 * Optimizer sgd = Optimizer.sgd()
 *     .setLearningRateTracker(RadiusLearningRate.forSgd(model, Tracker.fixed(0.05f)))
 *     .optMomentum(0.9f)
 *     .build();
 * }</pre>
 *
 * <p>η_R(t) = η(t) · k_R for R, η(t) for every other parameter, where k_R is {@link
 * RingLossBlock#getRadiusLearningRateMultiplier(boolean)}: 1/λ with SGD (∂L/∂R is λ-small), 1 with
 * Adam, unless the block fixes it.
 *
 * <p>With DJL's own optimisers two limits apply, both DJL's: their weight decay ({@code
 * optWeightDecays}) applies to every parameter, so it also shrinks R toward 0 (use {@link
 * RingOptimizer}, which exempts R, or no decay); and their step counter advances on every {@code
 * update} call, which DJL makes once per device copy, so on k devices schedules and Adam's bias
 * correction run k times too fast. On one device they are exact; {@link RingOptimizer} is exact on
 * any number.
 */
public final class RadiusLearningRate implements ParameterTracker {

  private final ParameterTracker base;
  private final Map<String, Float> multipliers;

  private RadiusLearningRate(ParameterTracker base, Map<String, Float> multipliers) {
    this.base = Objects.requireNonNull(base, "base");
    this.multipliers = multipliers;
  }

  /**
   * The tracker for an optimiser whose step is proportional to the gradient (SGD, momentum, NAG).
   *
   * @param model the model's root block; every {@link RingLossBlock} in it is found
   * @param base the learning rate of the other parameters
   * @return the tracker
   */
  public static RadiusLearningRate forSgd(Block model, ParameterTracker base) {
    return of(model, base, false);
  }

  /**
   * The tracker for an adaptive optimiser (Adam, AdamW, RMSProp, Adagrad).
   *
   * @param model the model's root block; every {@link RingLossBlock} in it is found
   * @param base the learning rate of the other parameters
   * @return the tracker
   */
  public static RadiusLearningRate forAdam(Block model, ParameterTracker base) {
    return of(model, base, true);
  }

  /**
   * The tracker for either kind of optimiser.
   *
   * @param model the model's root block; every {@link RingLossBlock} in it is found
   * @param base the learning rate of the other parameters; if it is itself a {@code
   *     RadiusLearningRate}, its base is used, so the multiplier is never applied twice
   * @param adaptive whether the optimiser normalises the gradient's scale (Adam and its kin)
   * @return the tracker
   */
  public static RadiusLearningRate of(Block model, ParameterTracker base, boolean adaptive) {
    Objects.requireNonNull(model, "model");
    ParameterTracker unwrapped =
        base instanceof RadiusLearningRate ? ((RadiusLearningRate) base).base : base;
    Map<String, Float> multipliers = new HashMap<>();
    collect(model, adaptive, multipliers);
    return new RadiusLearningRate(unwrapped, multipliers);
  }

  private static void collect(Block block, boolean adaptive, Map<String, Float> multipliers) {
    if (block instanceof RingLossBlock) {
      RingLossBlock ring = (RingLossBlock) block;
      multipliers.put(
          ring.getRadiusParameter().getId(),
          (float) ring.getRadiusLearningRateMultiplier(adaptive));
    }
    for (Block child : block.getChildren().values()) {
      collect(child, adaptive, multipliers);
    }
  }

  /**
   * The multiplier of a parameter.
   *
   * @param parameterId the parameter's id
   * @return k_R for a ring radius, 1 otherwise
   */
  public float multiplier(String parameterId) {
    return multipliers.getOrDefault(parameterId, 1f);
  }

  /**
   * The wrapped tracker.
   *
   * @return the other parameters' learning rate
   */
  public ParameterTracker getBase() {
    return base;
  }

  @Override
  public float getNewValue(String parameterId, int numUpdate) {
    return base.getNewValue(parameterId, numUpdate) * multiplier(parameterId);
  }
}
