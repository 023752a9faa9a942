package io.github.ringloss4j.optim;

import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.tracker.ParameterTracker;
import io.github.ringloss4j.nn.RingLossBlock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.WeakHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
 *
 * <p>A model without a ring is refused: the tracker would silently give no parameter a multiplier,
 * and the ring trained elsewhere would get the plain rate. A stock optimiser built without this
 * tracker gives R the plain rate; {@link #warnIfPlainRate} notices it after the first steps and
 * logs one warning.
 */
public final class RadiusLearningRate implements ParameterTracker {

  private static final Logger LOG = LoggerFactory.getLogger(RadiusLearningRate.class);

  /** The radii whose learning rate some instance has served to an optimiser. */
  private static final Set<Parameter> SERVED =
      Collections.synchronizedSet(Collections.newSetFromMap(new WeakHashMap<>()));

  /** The rings already warned about by {@link #warnIfPlainRate}. */
  private static final Set<RingLossBlock> WARNED =
      Collections.synchronizedSet(Collections.newSetFromMap(new WeakHashMap<>()));

  private final ParameterTracker base;
  private final Map<String, Radius> radii;

  private RadiusLearningRate(ParameterTracker base, Map<String, Radius> radii) {
    this.base = Objects.requireNonNull(base, "base");
    this.radii = radii;
  }

  /**
   * The tracker for an optimiser whose step is proportional to the gradient (SGD, momentum, NAG).
   *
   * @param model the model's root block; every {@link RingLossBlock} in it is found
   * @param base the learning rate of the other parameters
   * @return the tracker
   * @throws IllegalArgumentException when the model holds no {@link RingLossBlock}
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
   * @throws IllegalArgumentException when the model holds no {@link RingLossBlock}
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
   * @throws IllegalArgumentException when the model holds no {@link RingLossBlock}: there is no R
   *     to give a rate, so the model passed is not the one trained with ring loss
   */
  public static RadiusLearningRate of(Block model, ParameterTracker base, boolean adaptive) {
    RadiusLearningRate rate = create(model, base, adaptive);
    if (rate.radii.isEmpty()) {
      throw new IllegalArgumentException(
          "RadiusLearningRate was given a model without a RingLossBlock, "
              + model.getClass().getSimpleName()
              + ": it has no ring radius R to give a learning rate. Pass the model trained with"
              + " ring loss (a RingModelBlock, or a block containing a RingLossBlock), or use the"
              + " plain tracker for a model without a ring");
    }
    return rate;
  }

  /** The tracker, accepting a model without a ring (for {@link RingOptimizer}). */
  static RadiusLearningRate create(Block model, ParameterTracker base, boolean adaptive) {
    Objects.requireNonNull(model, "model");
    ParameterTracker unwrapped =
        base instanceof RadiusLearningRate ? ((RadiusLearningRate) base).base : base;
    Map<String, Radius> radii = new HashMap<>();
    for (RingLossBlock ring : rings(model)) {
      radii.put(
          ring.getRadiusParameter().getId(),
          new Radius(
              ring.getRadiusParameter(), (float) ring.getRadiusLearningRateMultiplier(adaptive)));
    }
    return new RadiusLearningRate(unwrapped, radii);
  }

  /**
   * Logs one warning for each ring radius R in a model that an optimiser has updated at the plain
   * learning rate although its block asks for another: no {@code RadiusLearningRate} (alone, or
   * inside {@link RingOptimizer}) has been asked for R's rate. That is the case of a stock DJL
   * optimiser built with a plain tracker; with SGD, R then moves 1/λ times slower than intended and
   * lags far behind the feature norms.
   *
   * <p>DJL's {@code Trainer} does not expose its optimiser, so this judges what the optimiser did:
   * call it after an optimiser step. {@link io.github.ringloss4j.training.RingStatisticsListener}
   * and {@link io.github.ringloss4j.training.DivergenceGuard} call it for you, once, after the
   * second step. A ring is warned about at most once per JVM, whoever calls. Not warned: a frozen
   * R, λ = 0 (no loss trains R), a block whose multiplier is 1 for both kinds of optimiser. With
   * Adam the plain rate is R's default one; {@link #forAdam} states it and silences the warning.
   *
   * @param model the model's root block
   * @return the rings warned about by this call
   */
  public static List<RingLossBlock> warnIfPlainRate(Block model) {
    List<RingLossBlock> warned = new ArrayList<>();
    for (RingLossBlock ring : rings(model)) {
      double sgd = ring.getRadiusLearningRateMultiplier(false);
      double adam = ring.getRadiusLearningRateMultiplier(true);
      if (!ring.isTrainable()
          || ring.getLambda() == 0
          || (sgd == 1 && adam == 1)
          || SERVED.contains(ring.getRadiusParameter())
          || !WARNED.add(ring)) {
        continue;
      }
      warned.add(ring);
      LOG.warn(
          "The ring radius R was updated at the optimiser's plain learning rate (1 times the"
              + " others'): no RadiusLearningRate set its rate. Its block ({}) asks for {} times the"
              + " others' rate with SGD or NAG{} and {} with Adam; at 1 times under SGD, R follows"
              + " the feature norms {} times slower and lags far behind them. Set R's rate with"
              + " Optimizer.sgd().setLearningRateTracker(RadiusLearningRate.forSgd(model, tracker))"
              + " (forAdam for Adam), or train with RingOptimizer.sgdBuilder()/adamBuilder(), which"
              + " sets it.",
          ring,
          number(sgd),
          ring.isRadiusLearningRateMultiplierAuto() ? " (1/λ: ∂L/∂R is λ-small)" : "",
          number(adam),
          number(sgd));
    }
    return warned;
  }

  /** Every {@link RingLossBlock} in a block's tree, the block itself included, in tree order. */
  static List<RingLossBlock> rings(Block model) {
    List<RingLossBlock> rings = new ArrayList<>();
    addRings(model, rings);
    return rings;
  }

  private static void addRings(Block block, List<RingLossBlock> rings) {
    if (block instanceof RingLossBlock) {
      rings.add((RingLossBlock) block);
    }
    for (Block child : block.getChildren().values()) {
      addRings(child, rings);
    }
  }

  private static String number(double value) {
    return value == Math.rint(value) && Math.abs(value) < 1e15
        ? Long.toString((long) value)
        : String.format(Locale.ROOT, "%.4g", value);
  }

  /**
   * The multiplier of a parameter.
   *
   * @param parameterId the parameter's id
   * @return k_R for a ring radius, 1 otherwise
   */
  public float multiplier(String parameterId) {
    Radius radius = radii.get(parameterId);
    return radius == null ? 1f : radius.multiplier;
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
    Radius radius = radii.get(parameterId);
    if (radius == null) {
      return base.getNewValue(parameterId, numUpdate);
    }
    if (!radius.served) {
      radius.served = true;
      SERVED.add(radius.parameter);
    }
    return base.getNewValue(parameterId, numUpdate) * radius.multiplier;
  }

  /** A ring radius: its parameter, its multiplier, whether an optimiser has asked for its rate. */
  private static final class Radius {
    final Parameter parameter;
    final float multiplier;
    volatile boolean served;

    Radius(Parameter parameter, float multiplier) {
      this.parameter = parameter;
      this.multiplier = multiplier;
    }
  }
}
