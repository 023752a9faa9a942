package io.github.ringloss4j.head;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.util.PairList;
import io.github.ringloss4j.internal.ScalarParameters;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

/**
 * L2-constrained softmax (Ranjan, Castillo, Chellappa, "L2-constrained Softmax Loss for
 * Discriminative Face Verification", 2017): features projected onto a sphere of radius α, then a
 * linear classifier.
 *
 * <pre>
 *   x̂ = α·x / max(‖x‖, 1e−12),    logit_j = W_j·x̂ + b_j
 * </pre>
 *
 * <p>W [classes, d] is a {@link Parameter.Type#WEIGHT} and b [classes] a {@link
 * Parameter.Type#BIAS}, initialised by the training configuration (Xavier and zeros by default). α
 * is 16 and fixed by default; with {@code optLearnScale(true)} it is a parameter {@value #SCALE} of
 * type {@link Parameter.Type#OTHER} starting at the configured value, re-initialised to it at every
 * initialisation so that a global initializer does not overwrite it. The paper studies both and
 * gives a lower bound α ≥ log(p·(C − 2)/(1 − p)) for a softmax probability p to be reachable with C
 * classes. A learned α is a plain parameter to the optimiser: a global weight decay shrinks it
 * unless the optimiser exempts it.
 *
 * <p>The norm is {@link io.github.ringloss4j.internal.Norms#rowNorms} (no overflow, finite gradient
 * at 0), floored at 1e−12 before dividing, so a zero feature maps to 0 rather than NaN. Labels are
 * not used: training and inference logits are the same. This is the hard normalisation that Ring
 * loss relaxes into a soft, convex penalty.
 */
public final class L2SoftmaxHead extends AbstractBlock {

  /** The name of the class-weight parameter, [classes, d]. */
  public static final String WEIGHT = "weight";

  /** The name of the bias parameter, [classes]. */
  public static final String BIAS = "bias";

  /** The name of the learned-α parameter, [1], present with {@code optLearnScale(true)}. */
  public static final String SCALE = "scale";

  /** The default α. */
  public static final double DEFAULT_SCALE = 16;

  private static final byte VERSION = 1;

  private final int classes;
  private final double initialScale;
  private final boolean learnScale;
  private final Parameter weight;
  private final Parameter bias;
  private final Parameter scale;
  private final Initializer scaleInitializer;

  private L2SoftmaxHead(Builder builder) {
    super(VERSION);
    this.classes = builder.classes;
    this.initialScale = builder.scale;
    this.learnScale = builder.learnScale;
    this.weight = addParameter(HeadSupport.weight());
    this.bias =
        addParameter(Parameter.builder().setName(BIAS).setType(Parameter.Type.BIAS).build());
    this.scaleInitializer = ScalarParameters.constant(initialScale);
    this.scale =
        learnScale ? addParameter(ScalarParameters.scalar(SCALE, scaleInitializer, true)) : null;
  }

  /**
   * A builder with α = {@value #DEFAULT_SCALE}, fixed; {@code setClasses} is required.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The number of classes.
   *
   * @return the classes
   */
  public int getClasses() {
    return classes;
  }

  /**
   * Whether α is learned.
   *
   * @return true with {@code optLearnScale(true)}
   */
  public boolean isScaleLearned() {
    return learnScale;
  }

  /**
   * The current α: the learned value, or the constant.
   *
   * @return α, NaN for a learned α before initialisation
   */
  public double getScale() {
    return learnScale ? ScalarParameters.value(scale) : initialScale;
  }

  @Override
  public void initialize(NDManager manager, DataType dataType, Shape... inputShapes) {
    if (scale != null) {
      scale.setInitializer(scaleInitializer);
    }
    super.initialize(manager, dataType, inputShapes);
  }

  @Override
  protected void beforeInitialize(Shape... inputShapes) {
    super.beforeInitialize(inputShapes);
    HeadSupport.checkFeatureShape("L2SoftmaxHead", inputShapes);
  }

  @Override
  protected void prepare(Shape[] inputShapes) {
    weight.setShape(new Shape(classes, inputShapes[0].get(1)));
    bias.setShape(new Shape(classes));
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore parameterStore,
      NDList inputs,
      boolean training,
      PairList<String, Object> params) {
    NDArray features = inputs.singletonOrThrow();
    NDArray unit = HeadSupport.unitRows(features);
    NDArray projected;
    if (scale == null) {
      projected = unit.mul(initialScale);
    } else {
      NDArray alpha = parameterStore.getValue(scale, features.getDevice(), training);
      projected = unit.mul(HeadSupport.matching(alpha, unit));
    }
    NDArray w = parameterStore.getValue(weight, features.getDevice(), training);
    NDArray b = parameterStore.getValue(bias, features.getDevice(), training);
    return Linear.linear(
        projected, HeadSupport.matching(w, projected), HeadSupport.matching(b, projected));
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return new Shape[] {new Shape(inputShapes[0].get(0), classes)};
  }

  @Override
  protected void saveMetadata(DataOutputStream os) throws IOException {
    saveInputShapes(os);
    os.writeInt(classes);
  }

  @Override
  protected void loadMetadata(byte loadVersion, DataInputStream is)
      throws IOException, MalformedModelException {
    if (loadVersion != VERSION) {
      throw new MalformedModelException(
          "L2SoftmaxHead parameters of version " + loadVersion + ", expected " + VERSION);
    }
    readInputShapes(is);
    int saved = is.readInt();
    if (saved != classes) {
      throw new MalformedModelException(
          "L2SoftmaxHead parameters were saved for "
              + saved
              + " classes, this head has "
              + classes
              + "; build it with setClasses("
              + saved
              + ")");
    }
  }

  @Override
  public String toString() {
    return "L2SoftmaxHead(classes="
        + classes
        + ", alpha="
        + getScale()
        + (learnScale ? " learned" : "")
        + ")";
  }

  /** Builds an {@link L2SoftmaxHead}. */
  public static final class Builder {
    private int classes;
    private double scale = DEFAULT_SCALE;
    private boolean learnScale;

    private Builder() {}

    /**
     * Sets the number of classes (required).
     *
     * @param classes ≥ 1
     * @return this builder
     */
    public Builder setClasses(int classes) {
      this.classes = classes;
      return this;
    }

    /**
     * Sets α, the radius the features are projected to, or its starting value when learned.
     *
     * @param alpha finite and &gt; 0; default {@value L2SoftmaxHead#DEFAULT_SCALE} (the paper uses
     *     16–32 on faces)
     * @return this builder
     */
    public Builder optScale(double alpha) {
      this.scale = alpha;
      return this;
    }

    /**
     * Sets whether α is learned.
     *
     * @param learnScale default false: α is a constant
     * @return this builder
     */
    public Builder optLearnScale(boolean learnScale) {
      this.learnScale = learnScale;
      return this;
    }

    /**
     * Builds the head.
     *
     * @return the head
     * @throws IllegalArgumentException when classes or α is invalid
     */
    public L2SoftmaxHead build() {
      HeadSupport.checkClasses(classes);
      HeadSupport.checkPositive("alpha", scale);
      return new L2SoftmaxHead(this);
    }
  }
}
