package io.github.ringloss4j.nn;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.util.PairList;
import io.github.ringloss4j.penalty.Penalties;
import io.github.ringloss4j.penalty.Penalty;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ring: owns the learned radius R and maps features to per-sample penalties.
 *
 * <p>For features f of shape [m, d] the forward pass returns {@code NDList(ρ(‖f_i‖ − R), ‖f_i‖)},
 * both of shape [m], in training and in inference. The ring loss itself, λ·mean_i ρ(e_i), is {@link
 * io.github.ringloss4j.loss.RingLoss}: a DJL {@code Loss} cannot own parameters, so R lives here,
 * where the {@code Trainer} optimises it and {@code saveParameters}/{@code loadParameters} persist
 * it.
 *
 * <p>Decisions, each against a failure seen in public ports:
 *
 * <ul>
 *   <li>R is a parameter of type {@link Parameter.Type#OTHER} whose initializer is re-applied at
 *       every {@link #initialize}, so a user's global weight initializer never overwrites it.
 *   <li>R starts at the first training batch's mean norm by default ({@link RadiusInit}); that this
 *       happened is saved with the parameters, so a reloaded model does not re-initialise.
 *   <li>A frozen R ({@code optTrainable(false)}) does not require a gradient and never moves.
 *   <li>R's learning-rate multiplier and its exemption from weight decay (the default) are read by
 *       {@link io.github.ringloss4j.optim.RingOptimizer}.
 *   <li>Norms are computed by {@link Norms#rowNorms}: finite gradients at f = 0 and no overflow.
 * </ul>
 */
public final class RingLossBlock extends AbstractBlock {

  /** The name of the radius parameter. */
  public static final String RADIUS = "radius";

  private static final Logger LOG = LoggerFactory.getLogger(RingLossBlock.class);
  private static final byte VERSION = 1;

  private final Penalty penalty;
  private final RadiusInit radiusInit;
  private final boolean trainable;
  private final double radiusLearningRateMultiplier;
  private final boolean radiusWeightDecay;
  private final Parameter radius;
  private final Initializer radiusInitializer;
  private boolean radiusFromDataDone;

  private RingLossBlock(Builder builder) {
    super(VERSION);
    this.penalty = builder.penalty;
    this.radiusInit = builder.radiusInit;
    this.trainable = builder.trainable;
    this.radiusLearningRateMultiplier = builder.radiusLearningRateMultiplier;
    this.radiusWeightDecay = builder.radiusWeightDecay;
    this.radiusInitializer = ScalarParameters.constant(radiusInit.value());
    this.radius = addParameter(ScalarParameters.scalar(RADIUS, radiusInitializer, trainable));
  }

  /**
   * A builder with the paper's defaults: squared penalty, learned R starting at the first batch's
   * mean norm, learning-rate multiplier 1, no weight decay on R.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The penalty ρ.
   *
   * @return the penalty
   */
  public Penalty getPenalty() {
    return penalty;
  }

  /**
   * The radius parameter, for optimisers and inspection.
   *
   * @return R
   */
  public Parameter getRadiusParameter() {
    return radius;
  }

  /**
   * The current radius.
   *
   * @return R, or NaN before initialisation
   */
  public double getRadius() {
    return ScalarParameters.value(radius);
  }

  /**
   * Whether R is learned.
   *
   * @return false when R is frozen
   */
  public boolean isTrainable() {
    return trainable;
  }

  /**
   * How R starts.
   *
   * @return the initialisation
   */
  public RadiusInit getRadiusInit() {
    return radiusInit;
  }

  /**
   * R's learning rate relative to the other parameters'.
   *
   * @return the multiplier
   */
  public double getRadiusLearningRateMultiplier() {
    return radiusLearningRateMultiplier;
  }

  /**
   * Whether a global weight decay also shrinks R.
   *
   * @return false by default
   */
  public boolean isRadiusWeightDecayed() {
    return radiusWeightDecay;
  }

  /**
   * Whether R still waits for the first training batch.
   *
   * @return true until a first-batch-mean initialisation has happened
   */
  public boolean isAwaitingFirstBatch() {
    return radiusInit.isFromData() && !radiusFromDataDone;
  }

  @Override
  public void initialize(NDManager manager, DataType dataType, Shape... inputShapes) {
    // A global setInitializer(…, predicate) may have replaced R's initializer; R's start is not a
    // weight-initialisation choice, so it is restored here, just before the array is created.
    radius.setInitializer(radiusInitializer);
    super.initialize(manager, dataType, inputShapes);
  }

  @Override
  protected void beforeInitialize(Shape... inputShapes) {
    super.beforeInitialize(inputShapes);
    if (inputShapes.length != 1 || inputShapes[0].dimension() != 2) {
      throw new IllegalArgumentException(
          "RingLossBlock expects one input of shape [batch, dimension], got "
              + Arrays.toString(inputShapes));
    }
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore parameterStore,
      NDList inputs,
      boolean training,
      PairList<String, Object> params) {
    NDArray features = inputs.singletonOrThrow();
    if (features.getShape().dimension() != 2) {
      throw new IllegalArgumentException(
          "RingLossBlock expects features of shape [batch, dimension], got " + features.getShape());
    }
    NDArray norms = Norms.rowNorms(features);
    if (training && isAwaitingFirstBatch()) {
      initialiseFromBatch(norms);
    }
    NDArray r = parameterStore.getValue(radius, features.getDevice(), training);
    NDArray residual = norms.sub(r.toType(norms.getDataType(), false));
    return new NDList(penalty.apply(residual), norms);
  }

  private void initialiseFromBatch(NDArray norms) {
    double mean = norms.toType(DataType.FLOAT64, false).mean().getDouble();
    if (!Double.isFinite(mean)) {
      throw new IllegalStateException(
          "cannot start R at the first batch's mean norm: it is "
              + mean
              + "; check the input for NaN/Inf or start R at a constant");
    }
    NDArray r = radius.getArray();
    // In-place writes to a leaf that requires a gradient are refused by autograd; R is not part of
    // any graph yet, so the flag is lifted for the write and restored.
    r.setRequiresGradient(false);
    r.set(new NDIndex(":"), mean);
    r.setRequiresGradient(trainable);
    radiusFromDataDone = true;
    LOG.info("Ring radius R initialised to the first batch's mean feature norm, {}", mean);
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    Shape batch = new Shape(inputShapes[0].get(0));
    return new Shape[] {batch, batch};
  }

  @Override
  protected void saveMetadata(DataOutputStream os) throws IOException {
    saveInputShapes(os);
    os.writeBoolean(radiusFromDataDone);
  }

  @Override
  protected void loadMetadata(byte loadVersion, DataInputStream is)
      throws IOException, MalformedModelException {
    if (loadVersion != VERSION) {
      throw new MalformedModelException(
          "RingLossBlock parameters of version " + loadVersion + ", expected " + VERSION);
    }
    readInputShapes(is);
    radiusFromDataDone = is.readBoolean();
  }

  @Override
  public String toString() {
    return "RingLossBlock(penalty="
        + penalty
        + ", radiusInit="
        + radiusInit
        + ", trainable="
        + trainable
        + ", radiusLrMultiplier="
        + radiusLearningRateMultiplier
        + ", radiusWeightDecay="
        + radiusWeightDecay
        + ")";
  }

  /** Builds a {@link RingLossBlock}; every option has the paper's default. */
  public static final class Builder {
    private Penalty penalty = Penalties.defaultPenalty();
    private RadiusInit radiusInit = RadiusInit.firstBatchMean();
    private boolean trainable = true;
    private double radiusLearningRateMultiplier = 1.0;
    private boolean radiusWeightDecay;

    private Builder() {}

    /**
     * Sets the penalty ρ.
     *
     * @param penalty the penalty; default {@code squared}, ½e²
     * @return this builder
     */
    public Builder optPenalty(Penalty penalty) {
      this.penalty = Objects.requireNonNull(penalty, "penalty");
      return this;
    }

    /**
     * Sets how R starts.
     *
     * @param radiusInit the initialisation; default {@link RadiusInit#firstBatchMean()}
     * @return this builder
     */
    public Builder optRadiusInit(RadiusInit radiusInit) {
      this.radiusInit = Objects.requireNonNull(radiusInit, "radiusInit");
      return this;
    }

    /**
     * Sets whether R is learned.
     *
     * @param trainable false freezes R at its initial value; default true (the paper)
     * @return this builder
     */
    public Builder optTrainable(boolean trainable) {
      this.trainable = trainable;
      return this;
    }

    /**
     * Sets R's learning rate relative to the other parameters'.
     *
     * @param multiplier a finite value &gt; 0; default 1
     * @return this builder
     */
    public Builder optRadiusLearningRateMultiplier(double multiplier) {
      this.radiusLearningRateMultiplier = multiplier;
      return this;
    }

    /**
     * Sets whether a global weight decay also shrinks R.
     *
     * @param decay default false: decay would pull R toward 0, against the ring's purpose
     * @return this builder
     */
    public Builder optRadiusWeightDecay(boolean decay) {
      this.radiusWeightDecay = decay;
      return this;
    }

    /**
     * Builds the block.
     *
     * @return the block
     * @throws IllegalArgumentException when the learning-rate multiplier is not finite and &gt; 0
     */
    public RingLossBlock build() {
      if (!(radiusLearningRateMultiplier > 0) || Double.isInfinite(radiusLearningRateMultiplier)) {
        throw new IllegalArgumentException(
            "radiusLearningRateMultiplier must be finite and > 0, got "
                + radiusLearningRateMultiplier);
      }
      return new RingLossBlock(this);
    }
  }
}
