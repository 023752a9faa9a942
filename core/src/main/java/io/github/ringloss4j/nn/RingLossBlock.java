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
import io.github.ringloss4j.internal.Norms;
import io.github.ringloss4j.internal.ScalarParameters;
import io.github.ringloss4j.internal.Scalars;
import io.github.ringloss4j.penalty.Penalties;
import io.github.ringloss4j.penalty.Penalty;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.WeakHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ring: owns the learned radius R and the ring weight λ, and maps features to per-sample
 * penalties.
 *
 * <p>For features f of shape [m, d] the forward pass returns {@code NDList(ρ(‖f_i‖ − R), ‖f_i‖)},
 * both of shape [m], named {@link RingOutputs#PENALTIES} and {@link RingOutputs#NORMS}. The ring
 * loss itself, λ·mean_i ρ(e_i), is {@link io.github.ringloss4j.loss.RingLoss}, which reads λ from
 * this block: a DJL {@code Loss} cannot own parameters, so R lives here, where the {@code Trainer}
 * optimises it and {@code saveParameters}/{@code loadParameters} persist it, and λ lives beside it
 * so that the loss and the radius's learning rate (which depends on λ) read one value.
 *
 * <p>Decisions, each against a failure seen in public ports:
 *
 * <ul>
 *   <li>R is a parameter of type {@link Parameter.Type#OTHER} whose initializer is re-applied at
 *       every {@link #initialize}, so a user's global weight initializer never overwrites it.
 *   <li>R starts at the first training batch's mean norm by default ({@link RadiusInit}); that this
 *       happened is saved with the parameters, so a reloaded model does not re-initialise.
 *   <li>A frozen R ({@code optTrainable(false)}) does not require a gradient and never moves.
 *   <li>R's learning-rate multiplier ({@link #getRadiusLearningRateMultiplier(boolean)}) is applied
 *       by {@link io.github.ringloss4j.optim.RadiusLearningRate}, for DJL's own optimisers and for
 *       {@link io.github.ringloss4j.optim.RingOptimizer}; its exemption from weight decay (the
 *       default) by {@code RingOptimizer}.
 *   <li>Norms are safe at f = 0 and at huge norms. In training they come from the engine's fused
 *       norm, checked with one read back per batch (the exact gradient needs it); a forward pass
 *       without training (validation) takes the exact scaled norm, which reads nothing back to the
 *       host. A deployed model needs neither: it is the embedding network alone.
 * </ul>
 */
public final class RingLossBlock extends AbstractBlock {

  /** The name of the radius parameter. */
  public static final String RADIUS = "radius";

  /** The paper's best λ with softmax, the default. */
  public static final float DEFAULT_LAMBDA = 0.01f;

  private static final Logger LOG = LoggerFactory.getLogger(RingLossBlock.class);
  private static final byte VERSION = 1;

  /** Every ring block not yet garbage-collected, to name the owner of a mismatched output. */
  private static final Set<RingLossBlock> RINGS =
      Collections.synchronizedSet(Collections.newSetFromMap(new WeakHashMap<>()));

  private final Penalty penalty;
  private final float lambda;
  private final RadiusInit radiusInit;
  private final boolean trainable;
  private final Double radiusLearningRateMultiplier; // null: chosen for the optimiser
  private final boolean radiusWeightDecay;
  private final Parameter radius;
  private final Initializer radiusInitializer;
  private final FirstBatch firstBatch = new FirstBatch();
  private volatile boolean radiusFromDataDone;
  private int splitsPerBatch = 1;

  /**
   * This block's own instances of the output names: equal to {@link RingOutputs#PENALTIES} and
   * {@link RingOutputs#NORMS}, so lookups by name are unchanged, but distinct objects, so that
   * {@link #checkOutputsAreOwn} recognises this ring's outputs by a reference comparison.
   */
  private final String penaltiesName = new String(RingOutputs.PENALTIES);

  private final String normsName = new String(RingOutputs.NORMS);

  private RingLossBlock(Builder builder) {
    super(VERSION);
    this.penalty = builder.penalty;
    this.lambda = builder.lambda;
    this.radiusInit = builder.radiusInit;
    this.trainable = builder.trainable;
    this.radiusLearningRateMultiplier = builder.radiusLearningRateMultiplier;
    this.radiusWeightDecay = builder.radiusWeightDecay;
    this.radiusInitializer = ScalarParameters.constant(radiusInit.value());
    this.radius = addParameter(ScalarParameters.scalar(RADIUS, radiusInitializer, trainable));
    RINGS.add(this);
  }

  /**
   * A builder with the paper's defaults: squared penalty, λ = 0.01, learned R starting at the first
   * batch's mean norm, R's learning rate chosen for the optimiser ({@link
   * #getRadiusLearningRateMultiplier(boolean)}), no weight decay on R.
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
   * The ring weight λ that {@link io.github.ringloss4j.loss.RingLoss} applies.
   *
   * @return λ ≥ 0; 0 means the block only measures norms
   */
  public float getLambda() {
    return lambda;
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
   * <p>R is an array owned by the {@code Model} the block was set on: closing the model frees it.
   * Read R (and save the parameters) before closing the model; afterwards this throws rather than
   * returning a stale or undefined value.
   *
   * @return R, or NaN before initialisation
   * @throws IllegalStateException after the {@code Model} owning R was closed
   */
  public double getRadius() {
    if (radius.isInitialized() && radius.getArray().isReleased()) {
      throw new IllegalStateException(
          "the ring radius R cannot be read: the Model that owned it was closed, which frees its"
              + " parameters. Read R (getRadius()) or save the parameters before closing the"
              + " model");
    }
    return ScalarParameters.value(radius);
  }

  /**
   * Refuses a model's outputs that another ring returned: the check behind "one ring per model".
   *
   * <p>A loss or listener built on a ring ({@link io.github.ringloss4j.loss.RingLoss}, {@link
   * io.github.ringloss4j.training.DivergenceGuard}, {@link
   * io.github.ringloss4j.training.RingStatisticsListener}) reads λ or R from that ring and the
   * penalties or norms from the model's outputs; if the two are different rings, training would
   * silently use the wrong λ or report the wrong R. Each ring names its outputs with its own {@code
   * String} instances (equal to {@link RingOutputs#PENALTIES} and {@link RingOutputs#NORMS}, so
   * finding them by name is unchanged), so this check is a reference comparison on the Java side:
   * it reads nothing back from the engine. Callers run it once, on the first batch.
   *
   * <p>An output whose name is not any ring's instance (a block of your own named it with {@link
   * RingOutputs#PENALTIES}) cannot be traced to its ring and is accepted.
   *
   * @param outputs a model's outputs
   * @param user who asks, for the message, e.g. {@code "RingLoss"}
   * @return true when the outputs held the ring's penalties or norms (the check was made), false
   *     when they held neither
   * @throws IllegalArgumentException when the outputs came from another ring; the message describes
   *     both rings
   */
  public boolean checkOutputsAreOwn(NDList outputs, String user) {
    boolean found = false;
    for (String name : new String[] {RingOutputs.PENALTIES, RingOutputs.NORMS}) {
      NDArray output = outputs.get(name);
      if (output == null) {
        continue;
      }
      found = true;
      String instance = output.getName();
      if (instance == penaltiesName || instance == normsName) {
        continue;
      }
      RingLossBlock owner = ownerOf(instance);
      if (owner != null) {
        String mine = toString();
        String theirs = owner.toString();
        throw new IllegalArgumentException(
            user
                + " was built on a RingLossBlock that is not the model's: its ring is "
                + mine
                + ", the model's is "
                + theirs
                + (mine.equals(theirs) ? " (two distinct blocks with equal settings)" : "")
                + ". One ring per model holds λ, the penalty and R: build the loss and the"
                + " listeners on the model's own ring (RingModelBlock.getRing()), or set the ring"
                + " you built on the model (RingModelBlock.builder().optRing(ring))");
      }
    }
    return found;
  }

  /** The ring whose output carries this name instance, or null if none does. */
  private static RingLossBlock ownerOf(String instance) {
    synchronized (RINGS) {
      for (RingLossBlock ring : RINGS) {
        if (ring.penaltiesName == instance || ring.normsName == instance) {
          return ring;
        }
      }
    }
    return null;
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
   * R's learning rate relative to the other parameters', the one place that decides it.
   *
   * <p>Unless set with {@link Builder#optRadiusLearningRateMultiplier}: 1/λ for an optimiser whose
   * step is proportional to the gradient (SGD, with or without momentum), because ∂L/∂R = −λ·mean_i
   * ρ′(e_i) is λ-small and R would otherwise follow the norms λ times slower than the network
   * learns; 1 for an adaptive optimiser (Adam), whose step does not scale with the gradient; and 1
   * when λ = 0 (R is then not trained by any loss).
   *
   * @param adaptive whether the optimiser normalises the gradient's scale (Adam and its kin)
   * @return the multiplier
   */
  public double getRadiusLearningRateMultiplier(boolean adaptive) {
    if (radiusLearningRateMultiplier != null) {
      return radiusLearningRateMultiplier;
    }
    // λ as the user wrote it (the shortest decimal of the float), so that λ = 0.001 gives exactly
    // 1000 rather than the reciprocal of the float nearest 0.001.
    return adaptive || lambda == 0 ? 1.0 : 1.0 / Double.parseDouble(Float.toString(lambda));
  }

  /**
   * Whether R's learning-rate multiplier is chosen automatically for the optimiser.
   *
   * @return true unless {@link Builder#optRadiusLearningRateMultiplier} was called
   */
  public boolean isRadiusLearningRateMultiplierAuto() {
    return radiusLearningRateMultiplier == null;
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
    // Training needs the exact gradient of the fused norm (one read back decides the path);
    // without training the scaled norm is exact and keeps the forward free of host reads.
    NDArray norms = training ? Norms.rowNorms(features) : Norms.scaledRowNorms(features);
    NDArray residual = null;
    // With λ = 0 no loss reads R: it is neither started nor reported, only the norms are measured.
    if (training && lambda > 0 && isAwaitingFirstBatch()) {
      residual = startFromFirstBatch(parameterStore, norms);
    }
    if (residual == null) {
      NDArray r = parameterStore.getValue(radius, features.getDevice(), training);
      residual = norms.sub(r.toType(norms.getDataType(), false));
    }
    return new NDList(
        RingOutputs.named(penalty.apply(residual), penaltiesName),
        RingOutputs.named(norms, normsName));
  }

  /**
   * Starts R at the first batch's mean norm. With one split per batch, R is set before this forward
   * reads it: the penalties and R's gradient are those of R at the mean, exactly. With k splits
   * (data-parallel training), each split adds its norms to a shared sum, under a lock, since the
   * splits may run on k threads; the last to arrive sets R, in the parameter and in every device
   * copy the splits read, to the whole batch's mean. Until then no split can read R, so each
   * split's first penalties are taken against its own mean norm, held constant: R gets no gradient
   * from the first step (for the squared penalty it would be zero at the mean anyway).
   *
   * @return the residuals of this split when they were computed here, else null (read R)
   */
  private NDArray startFromFirstBatch(ParameterStore parameterStore, NDArray norms) {
    NDArray wide = norms.toType(DataType.FLOAT64, false);
    double sum = wide.sum().getDouble();
    long count = norms.size();
    synchronized (firstBatch) {
      if (!isAwaitingFirstBatch()) {
        return null; // another thread finished the start
      }
      if (splitsPerBatch == 1) {
        setRadiusEverywhere(List.of(radius.getArray()), checkedMean(sum, count));
        return null;
      }
      firstBatch.sum += sum;
      firstBatch.count += count;
      firstBatch.copies.add(parameterStore.getValue(radius, norms.getDevice(), true));
      if (++firstBatch.arrivals == splitsPerBatch) {
        List<NDArray> copies = new ArrayList<>(firstBatch.copies);
        copies.add(radius.getArray());
        setRadiusEverywhere(copies, checkedMean(firstBatch.sum, firstBatch.count));
        firstBatch.reset();
      }
    }
    return norms.sub(Scalars.of(norms, sum / count));
  }

  private static double checkedMean(double sum, long count) {
    double mean = sum / count;
    if (!Double.isFinite(mean)) {
      throw new IllegalStateException(
          "cannot start R at the first batch's mean norm: it is "
              + mean
              + "; check the input for NaN/Inf or start R at a constant");
    }
    return mean;
  }

  private void setRadiusEverywhere(List<NDArray> copies, double mean) {
    for (NDArray r : copies) {
      // In-place writes to a leaf that requires a gradient are refused by autograd; R is not part
      // of any graph yet, so the flag is lifted for the write and restored.
      r.setRequiresGradient(false);
      r.set(new NDIndex(":"), mean);
      r.setRequiresGradient(trainable);
    }
    radiusFromDataDone = true;
    LOG.info("Ring radius R initialised to the first batch's mean feature norm, {}", mean);
  }

  /**
   * Sets how many device splits each training batch is cut into (data-parallel training over that
   * many devices), so that R's first-batch start waits for all of them and takes the whole batch's
   * mean. Training loops that split batches (DJL's {@code EasyTrain} on several devices, the
   * application's {@code TrainingStep}) set it to the number of devices before the first step.
   *
   * @param splits ≥ 1; default 1
   */
  public void setSplitsPerBatch(int splits) {
    if (splits < 1) {
      throw new IllegalArgumentException("splits must be >= 1, got " + splits);
    }
    synchronized (firstBatch) {
      this.splitsPerBatch = splits;
      firstBatch.reset();
    }
  }

  /** The first batch's norms gathered from its splits until the last one arrives. */
  private static final class FirstBatch {
    double sum;
    long count;
    int arrivals;
    final List<NDArray> copies = new ArrayList<>();

    void reset() {
      sum = 0;
      count = 0;
      arrivals = 0;
      copies.clear();
    }
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
        + ", lambda="
        + lambda
        + ", radiusInit="
        + radiusInit
        + ", trainable="
        + trainable
        + ", radiusLrMultiplier="
        + (isRadiusLearningRateMultiplierAuto() ? "auto" : radiusLearningRateMultiplier)
        + ", radiusWeightDecay="
        + radiusWeightDecay
        + ")";
  }

  /** Builds a {@link RingLossBlock}; every option has the paper's default. */
  public static final class Builder {
    private Penalty penalty = Penalties.defaultPenalty();
    private float lambda = DEFAULT_LAMBDA;
    private RadiusInit radiusInit = RadiusInit.firstBatchMean();
    private boolean trainable = true;
    private Double radiusLearningRateMultiplier;
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
     * Sets the ring weight λ in L = L_primary + λ·mean_i ρ(‖f_i‖ − R).
     *
     * @param lambda finite and ≥ 0; default 0.01, the paper's best with softmax (the Keras package
     *     used 0.1–0.5, the Gluon port 0.1 on MNIST); 0 makes the block measure norms only
     * @return this builder
     */
    public Builder optLambda(float lambda) {
      this.lambda = lambda;
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
     * Fixes R's learning rate relative to the other parameters', overriding the automatic choice
     * (see {@link RingLossBlock#getRadiusLearningRateMultiplier(boolean)}).
     *
     * @param multiplier a finite value &gt; 0; default: 1/λ with SGD, 1 with Adam
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
     * @throws IllegalArgumentException when λ is not finite and ≥ 0 or the learning-rate multiplier
     *     is set but not finite and &gt; 0
     */
    public RingLossBlock build() {
      if (!(lambda >= 0) || Float.isInfinite(lambda)) {
        throw new IllegalArgumentException("lambda must be finite and >= 0, got " + lambda);
      }
      if (radiusLearningRateMultiplier != null
          && (!(radiusLearningRateMultiplier > 0)
              || Double.isInfinite(radiusLearningRateMultiplier))) {
        throw new IllegalArgumentException(
            "radiusLearningRateMultiplier must be finite and > 0, got "
                + radiusLearningRateMultiplier);
      }
      return new RingLossBlock(this);
    }
  }
}
