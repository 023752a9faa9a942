package io.github.ringloss4j.head;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

/**
 * The structure {@link MagFaceHead} and {@link AdaFaceHead} share: normalised features and class
 * weights W [classes, d] (a {@link Parameter.Type#WEIGHT}), a constant scale s, and a margin on the
 * target that depends on each feature's norm ‖x_i‖, which is why they are not {@link
 * CosineMarginHead}s (whose margin sees the target cosine only, and which {@link PartialFcHead} may
 * wrap).
 *
 * <p>Without labels (inference, validation) the logits are s·cosθ_j. The labelled forward returns
 * the margin logits and the plain logits s·cosθ_j named {@value HeadAccuracy#PLAIN_LOGITS}.
 */
abstract class NormAwareHead extends AbstractBlock {

  private final String blockName;
  private final byte version;
  private final int classes;
  private final double scale;
  private final Parameter weight;

  NormAwareHead(byte version, BaseBuilder<?> builder) {
    super(version);
    this.blockName = getClass().getSimpleName();
    this.version = version;
    this.classes = builder.classes;
    this.scale = builder.scale;
    this.weight = addParameter(HeadSupport.weight());
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
   * The scale s.
   *
   * @return s
   */
  public double getScale() {
    return scale;
  }

  /**
   * The margin logits and the named plain logits of a labelled forward.
   *
   * @param features x, [m, d]
   * @param cos cosθ, [m, classes]
   * @param labels class indices, [m]
   * @return the margin logits, then the plain logits
   */
  abstract NDList trainingOutputs(NDArray features, NDArray cos, NDArray labels);

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

  /** s·cosθ named {@value HeadAccuracy#PLAIN_LOGITS}. */
  NDArray namedPlainLogits(NDArray cos) {
    NDArray plain = cos.mul(scale);
    plain.setName(HeadAccuracy.PLAIN_LOGITS);
    return plain;
  }

  @Override
  protected void beforeInitialize(Shape... inputShapes) {
    super.beforeInitialize(inputShapes);
    HeadSupport.checkFeatureShape(blockName, inputShapes);
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
    return new NDList(cosines(parameterStore, features, training).mul(scale));
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore parameterStore, NDList data, NDList labels, PairList<String, Object> params) {
    NDArray features = data.singletonOrThrow();
    NDArray cos = cosines(parameterStore, features, true);
    return trainingOutputs(features, cos, labels.head());
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
    if (loadVersion != version) {
      throw new MalformedModelException(
          blockName + " parameters of version " + loadVersion + ", expected " + version);
    }
    readInputShapes(is);
    int saved = is.readInt();
    if (saved != classes) {
      throw new MalformedModelException(
          blockName
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
   * What the builders of the norm-aware heads share: the number of classes and the scale s.
   *
   * @param <T> the builder's own type
   */
  public abstract static class BaseBuilder<T extends BaseBuilder<T>> {
    private int classes;
    private double scale;

    BaseBuilder(double defaultScale) {
      this.scale = defaultScale;
    }

    /**
     * This builder, typed as itself.
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
     * Sets the scale s.
     *
     * @param scale finite and &gt; 0; default the head's
     * @return this builder
     */
    public T optScale(double scale) {
      this.scale = scale;
      return self();
    }

    /** Checks the classes and the scale, naming the option ({@code s}) as {@link Heads} does. */
    void validate() {
      HeadSupport.checkClasses(classes);
      HeadSupport.checkPositive("s (scale)", scale);
    }
  }
}
