package io.github.ringloss4j.head;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.util.PairList;
import io.github.ringloss4j.internal.ScalarParameters;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

/**
 * The structure NormFace, CosFace and ArcFace share: normalised features and class weights, a scale
 * s, and a margin function φ applied to the target class's cosine only.
 *
 * <pre>
 *   cosθ_j = x̂·Ŵ_j,   x̂ = x/max(‖x‖, 1e−12),   Ŵ_j = W_j/max(‖W_j‖, 1e−12)
 *   training, label y:    logit_j = s·cosθ_j for j ≠ y,   logit_y = s·φ(cosθ_y)
 *   inference, no label:  logit_j = s·cosθ_j
 * </pre>
 *
 * <p>W has shape [classes, d], no bias, and is a {@link Parameter.Type#WEIGHT}, so the training
 * configuration's weight initializer fills it. The scale s is a constant, or, with {@code
 * optLearnScale(true)}, a parameter {@value #SCALE} of type {@link Parameter.Type#OTHER} starting
 * at the configured value (its initializer is re-applied at every initialisation, so a global
 * initializer does not overwrite it). A learned s is a plain parameter to the optimiser: a global
 * weight decay shrinks it unless the optimiser exempts it.
 *
 * <p>Labels reach the head through DJL's {@code forward(store, data, labels, params)}, which {@link
 * io.github.ringloss4j.nn.RingModelBlock} calls in training; they are class indices of shape [m]
 * (float or integer). Without labels (inference, validation) the logits carry no margin, so a
 * validation loss or accuracy measures the plain cosine classifier.
 *
 * <p>The labelled forward returns two arrays: the margin logits, which the loss reads, and the
 * plain logits s·cosθ_j named {@value HeadAccuracy#PLAIN_LOGITS}, the inference logits of the same
 * weights. Accuracy on the margin logits would count a sample as right only when its target wins
 * even with the margin against it (cosθ_y − m &gt; cosθ_j for CosFace), an undercount, 0.0 early in
 * training; {@link HeadAccuracy} reads the plain ones, so the training accuracy is the share of
 * samples the head would classify right at inference.
 */
public abstract class CosineMarginHead extends AbstractBlock {

  /** The name of the class-weight parameter, [classes, d]. */
  public static final String WEIGHT = "weight";

  /** The name of the learned-scale parameter, [1], present with {@code optLearnScale(true)}. */
  public static final String SCALE = "scale";

  private static final byte VERSION = 1;

  private final int classes;
  private final double initialScale;
  private final boolean learnScale;
  private final Parameter weight;
  private final Parameter scale;
  private final Initializer scaleInitializer;

  /**
   * Creates the head from a validated builder.
   *
   * @param builder the builder
   */
  protected CosineMarginHead(BaseBuilder<?> builder) {
    super(VERSION);
    this.classes = builder.classes;
    this.initialScale = builder.scale;
    this.learnScale = builder.learnScale;
    this.weight = addParameter(HeadSupport.weight());
    this.scaleInitializer = ScalarParameters.constant(initialScale);
    this.scale =
        learnScale ? addParameter(ScalarParameters.scalar(SCALE, scaleInitializer, true)) : null;
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
   * Whether s is learned.
   *
   * @return true with {@code optLearnScale(true)}
   */
  public boolean isScaleLearned() {
    return learnScale;
  }

  /**
   * The current scale s: the learned value, or the constant.
   *
   * @return s, NaN for a learned s before initialisation
   */
  public double getScale() {
    return learnScale ? ScalarParameters.value(scale) : initialScale;
  }

  /**
   * The margin function φ applied to the target cosines.
   *
   * @param targetCosines cosθ_y for each sample, [m]
   * @return φ(cosθ_y), [m]
   */
  protected abstract NDArray marginCosine(NDArray targetCosines);

  /**
   * The cosines between the features and every class weight, without scale or margin.
   *
   * @param parameterStore the parameter store
   * @param features x, [m, d]
   * @param training whether this is a training pass
   * @return cosθ, [m, classes]
   */
  public NDArray cosines(ParameterStore parameterStore, NDArray features, boolean training) {
    NDArray w = parameterStore.getValue(weight, features.getDevice(), training);
    return HeadSupport.cosines(features, w);
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
    HeadSupport.checkFeatureShape(getClass().getSimpleName(), inputShapes);
  }

  @Override
  protected void prepare(Shape[] inputShapes) {
    weight.setShape(new Shape(classes, inputShapes[0].get(1)));
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore parameterStore,
      NDList inputs,
      boolean training,
      PairList<String, Object> params) {
    NDArray features = inputs.singletonOrThrow();
    NDArray cos = cosines(parameterStore, features, training);
    return new NDList(plainLogits(parameterStore, cos, training));
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore parameterStore, NDList data, NDList labels, PairList<String, Object> params) {
    NDArray features = data.singletonOrThrow();
    NDArray cos = cosines(parameterStore, features, true);
    return trainingLogits(parameterStore, cos, labels.head());
  }

  /**
   * The logits without margin, s·cosθ_j, for any set of columns. A hook for {@link PartialFcHead},
   * which computes the cosines over a subset of the classes.
   *
   * @param parameterStore the parameter store (for a learned s)
   * @param cos cosθ, [m, n]
   * @param training whether this is a training pass
   * @return [m, n]
   */
  NDArray plainLogits(ParameterStore parameterStore, NDArray cos, boolean training) {
    return scaled(parameterStore, cos, training);
  }

  /**
   * The training logits, s·φ(cosθ_y) at each sample's column y and s·cosθ_j elsewhere, and the
   * plain logits s·cosθ_j named {@value HeadAccuracy#PLAIN_LOGITS}, for any set of columns. The
   * margin logits are the plain ones with each target replaced, so the plain ones cost nothing
   * more. A hook for {@link PartialFcHead}, which passes the cosines over a subset of the classes
   * and labels remapped into it.
   *
   * @param parameterStore the parameter store (for a learned s)
   * @param cos cosθ, [m, n]
   * @param labels column indices in [0, n), [m]
   * @return the margin logits and the plain logits, each [m, n]
   * @throws IllegalArgumentException when a label is not a column index
   */
  NDList trainingLogits(ParameterStore parameterStore, NDArray cos, NDArray labels) {
    Shape shape = cos.getShape();
    NDArray oneHot =
        HeadSupport.oneHot(labels, shape.get(0), Math.toIntExact(shape.get(1)), cos.getDataType());
    NDArray plain = scaled(parameterStore, cos, true);
    NDArray phi = scaled(parameterStore, marginCosine(HeadSupport.pick(cos, oneHot)), true);
    // s·cosθ·(1 − onehot) + onehot·s·φ equals s·(cosθ·(1 − onehot) + onehot·φ) bit for bit:
    // x·1 = x, x + 0 = x, and a product of two numbers does not depend on their order.
    NDArray margin = HeadSupport.replaceTarget(plain, oneHot, phi);
    plain.setName(HeadAccuracy.PLAIN_LOGITS);
    return new NDList(margin, plain);
  }

  private NDArray scaled(ParameterStore parameterStore, NDArray cos, boolean training) {
    if (scale == null) {
      return cos.mul(initialScale);
    }
    NDArray s = parameterStore.getValue(scale, cos.getDevice(), training);
    return cos.mul(HeadSupport.matching(s, cos));
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
          getClass().getSimpleName()
              + " parameters of version "
              + loadVersion
              + ", expected "
              + VERSION);
    }
    readInputShapes(is);
    int saved = is.readInt();
    if (saved != classes) {
      throw new MalformedModelException(
          getClass().getSimpleName()
              + " parameters were saved for "
              + saved
              + " classes, this head has "
              + classes
              + "; build it with setClasses("
              + saved
              + ")");
    }
  }

  /**
   * The options every cosine head has.
   *
   * @param <T> the concrete builder
   */
  public abstract static class BaseBuilder<T extends BaseBuilder<T>> {
    int classes;
    double scale;
    boolean learnScale;

    /**
     * Starts a builder.
     *
     * @param defaultScale the head's default s
     */
    protected BaseBuilder(double defaultScale) {
      this.scale = defaultScale;
    }

    /**
     * The concrete builder, for chaining.
     *
     * @return this
     */
    protected abstract T self();

    /**
     * Sets the number of classes (required).
     *
     * @param classes ≥ 1
     * @return this builder
     */
    public T setClasses(int classes) {
      this.classes = classes;
      return self();
    }

    /**
     * Sets the scale s, or its starting value when learned.
     *
     * @param scale finite and &gt; 0; default 16 for NormFace, 30 for CosFace and ArcFace (their
     *     papers use 64 on faces)
     * @return this builder
     */
    public T optScale(double scale) {
      this.scale = scale;
      return self();
    }

    /**
     * Sets whether s is learned, as NormFace proposes.
     *
     * @param learnScale default false: s is a constant
     * @return this builder
     */
    public T optLearnScale(boolean learnScale) {
      this.learnScale = learnScale;
      return self();
    }

    /**
     * Checks the common options; subclasses call it from {@code build()}.
     *
     * @throws IllegalArgumentException naming the first invalid option
     */
    protected void validate() {
      HeadSupport.checkClasses(classes);
      HeadSupport.checkPositive("scale", scale);
    }
  }
}
