package io.github.ringloss4j.head;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.util.PairList;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Objects;

/**
 * A classification head that also owns the class centres of center loss (Wen, Zhang, Li, Qiao, "A
 * Discriminative Feature Learning Approach for Deep Face Recognition", ECCV 2016), and moves them
 * with the paper's update rule.
 *
 * <p>The centres c are a parameter {@value #CENTERS} of shape [classes, d], type {@link
 * Parameter.Type#OTHER}, that does not require a gradient, so DJL's optimisers never touch it (no
 * gradient step, no weight decay). They start at 0 (Algorithm 1 leaves the initialisation open) and
 * move only by Algorithm 1's rule: for a batch (x_i, y_i) with n_j samples of class j,
 *
 * <pre>
 *   Δc_j = Σ_{i: y_i = j} (c_j − x_i) / (1 + n_j),      c_j ← c_j − α·Δc_j,      α = 0.5
 * </pre>
 *
 * <p>(classes absent from the batch do not move). The features enter detached: the rule is not a
 * gradient of the loss.
 *
 * <p>When: Algorithm 1 computes iteration t's loss and its gradient with the centres c^t and then
 * sets c^{t+1} = c^t − α·Δc^t. A DJL {@code Loss} is evaluated after the forward pass, so a block
 * that moved the centres during its forward would hand the loss c^{t+1}, a different loss with a
 * weaker pull. Instead the labelled (training) forward pass computes c^{t+1} from c^t and the
 * batch's detached features and keeps it pending; the next labelled forward installs it before
 * anything else. During iteration t (forward, loss, backward, optimiser step) the centres are
 * therefore c^t, and c^{t+1} is in place for iteration t+1: exactly Algorithm 1's order. The update
 * is independent of the optimiser's step (it reads only c^t and x^t), so it does not matter that it
 * is computed before the step. {@link #saveParameters} installs a pending update first, so a
 * checkpoint holds the centres the next iteration would use, and {@link #loadParameters} drops it.
 * Forwards without labels (inference, validation) never change the centres, so a validation pass
 * after iteration t sees c^t ({@link #applyPendingUpdate} first to evaluate with c^{t+1}). Each
 * labelled forward is one iteration: with a batch split over several devices, each split is.
 *
 * <p>The logits come from an inner head ({@code optHead}, default a {@link Linear} layer: plain
 * softmax, as in the paper), which receives the labels too, so a margin head works inside. The
 * block returns the inner head's output unchanged, which makes it a drop-in head for {@link
 * io.github.ringloss4j.nn.RingModelBlock} (which keeps only the head's first output). Built with
 * {@link Builder#optWithoutHead()} it computes no logits and returns nothing: the model then trains
 * its embedding with the center term (and the ring) alone. The center term pulls features toward
 * their class centres and nothing pushes classes apart, so pair it with a discriminative loss of
 * your own that reads the embedding; alone it only fits the features to the centres. The center
 * term is computed by {@link CenterLoss} from the embedding the model outputs, the labels and
 * {@link #distances}.
 */
public final class CenterLossBlock extends AbstractBlock {

  /** The name of the centres parameter, [classes, d]. */
  public static final String CENTERS = "centers";

  /** The paper's centre learning rate α. */
  public static final double DEFAULT_ALPHA = 0.5;

  private static final byte VERSION = 1;

  private final int classes;
  private final double alpha;
  private final Block head;
  private final Parameter centers;
  private final Initializer centersInitializer;
  private NDArray pending;

  private CenterLossBlock(Builder builder) {
    super(VERSION);
    this.classes = builder.classes;
    this.alpha = builder.alpha;
    Block inner =
        builder.withoutHead
            ? null
            : builder.head != null
                ? builder.head
                : Linear.builder().setUnits(builder.classes).build();
    this.head = inner == null ? null : addChildBlock("head", inner);
    this.centersInitializer = Initializer.ZEROS;
    this.centers =
        addParameter(
            Parameter.builder()
                .setName(CENTERS)
                .setType(Parameter.Type.OTHER)
                .optInitializer(centersInitializer)
                .optRequiresGrad(false)
                .build());
  }

  /**
   * A builder with α = {@value #DEFAULT_ALPHA} and a linear softmax head; {@code setClasses} is
   * required.
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
   * The centre learning rate α.
   *
   * @return α
   */
  public double getAlpha() {
    return alpha;
  }

  /**
   * The inner head that computes the logits.
   *
   * @return the head, or null when built {@link Builder#optWithoutHead()}
   */
  public Block getHead() {
    return head;
  }

  /**
   * The centres parameter.
   *
   * @return c, [classes, d]
   */
  public Parameter getCentersParameter() {
    return centers;
  }

  /**
   * The current centres c^t, the ones a {@link CenterLoss} evaluated now uses.
   *
   * @return the centres array, [classes, d]
   * @throws IllegalStateException before initialisation
   */
  public NDArray getCenters() {
    if (!centers.isInitialized()) {
      throw new IllegalStateException(
          "the centres are not initialised; initialise the model (trainer.initialize) first");
    }
    return centers.getArray();
  }

  /**
   * Whether a labelled forward pass computed c^{t+1} that the next one will install.
   *
   * @return true between a labelled forward and the next
   */
  public boolean hasPendingUpdate() {
    return pending != null;
  }

  /**
   * Installs the pending c^{t+1} now, e.g. to read the final centres after training; does nothing
   * without one. {@link #saveParameters} calls it.
   */
  public void applyPendingUpdate() {
    if (pending == null) {
      return;
    }
    NDArray c = centers.getArray();
    c.set(new NDIndex(":"), pending);
    pending.close();
    pending = null;
  }

  /**
   * The per-sample center term ½‖x_i − c_{y_i}‖² with the current centres; the gradient reaches x
   * only.
   *
   * @param features x, [m, d]
   * @param labels class indices, [m]
   * @return [m]
   * @throws IllegalArgumentException when the shapes or labels do not fit the centres
   */
  public NDArray distances(NDArray features, NDArray labels) {
    NDArray c = HeadSupport.matching(getCenters(), features);
    checkFeatures(features, c);
    NDArray oneHot =
        HeadSupport.oneHot(labels, features.getShape().get(0), classes, features.getDataType());
    NDArray assigned = oneHot.matMul(c);
    return features.sub(assigned).square().sum(new int[] {1}).mul(0.5);
  }

  private void checkFeatures(NDArray features, NDArray c) {
    Shape shape = features.getShape();
    if (shape.dimension() != 2 || shape.get(1) != c.getShape().get(1)) {
      throw new IllegalArgumentException(
          "CenterLossBlock has centres of dimension "
              + c.getShape().get(1)
              + " but got features of shape "
              + shape
              + "; pass the embedding the head was built on");
    }
  }

  @Override
  public void initialize(NDManager manager, DataType dataType, Shape... inputShapes) {
    // The centres' start is part of the method, not a weight-initialisation choice: a global
    // initializer set by predicate must not replace it.
    centers.setInitializer(centersInitializer);
    super.initialize(manager, dataType, inputShapes);
  }

  @Override
  protected void beforeInitialize(Shape... inputShapes) {
    super.beforeInitialize(inputShapes);
    HeadSupport.checkFeatureShape("CenterLossBlock", inputShapes);
  }

  @Override
  protected void prepare(Shape[] inputShapes) {
    centers.setShape(new Shape(classes, inputShapes[0].get(1)));
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    if (head != null) {
      head.initialize(manager, dataType, inputShapes);
    }
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore parameterStore,
      NDList inputs,
      boolean training,
      PairList<String, Object> params) {
    return head == null ? new NDList() : head.forward(parameterStore, inputs, training, params);
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore parameterStore, NDList data, NDList labels, PairList<String, Object> params) {
    NDList out = head == null ? new NDList() : head.forward(parameterStore, data, labels, params);
    applyPendingUpdate();
    pending = nextCenters(data.singletonOrThrow().stopGradient(), labels.head());
    return out;
  }

  /** c − α·Δc from c^t and a batch, as a new array owned by the centres' manager. */
  private NDArray nextCenters(NDArray features, NDArray labels) {
    NDArray owner = getCenters();
    NDArray c = HeadSupport.matching(owner, features);
    checkFeatures(features, c);
    // Every operation starts from a batch array, so the intermediates are released with the batch.
    NDArray oneHot =
        HeadSupport.oneHot(labels, features.getShape().get(0), classes, features.getDataType());
    NDArray counts = oneHot.sum(new int[] {0}).expandDims(1); // n_j, [classes, 1]
    NDArray sums = oneHot.transpose().matMul(features); // Σ_{i: y_i = j} x_i, [classes, d]
    NDArray delta = counts.mul(c).sub(sums).div(counts.add(1)); // Δc_j
    NDArray next = delta.mul(-alpha).add(c); // c_j − α·Δc_j
    NDArray result = next.toDevice(owner.getDevice(), false).toType(owner.getDataType(), false);
    result.attach(owner.getManager());
    return result;
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return head == null ? new Shape[0] : head.getOutputShapes(inputShapes);
  }

  @Override
  public void saveParameters(DataOutputStream os) throws IOException {
    applyPendingUpdate();
    super.saveParameters(os);
  }

  @Override
  public void loadParameters(NDManager manager, DataInputStream is)
      throws IOException, MalformedModelException {
    if (pending != null) {
      pending.close();
      pending = null;
    }
    super.loadParameters(manager, is);
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
          "CenterLossBlock parameters of version " + loadVersion + ", expected " + VERSION);
    }
    readInputShapes(is);
    int saved = is.readInt();
    if (saved != classes) {
      throw new MalformedModelException(
          "CenterLossBlock parameters were saved for "
              + saved
              + " classes, this block has "
              + classes
              + "; build it with setClasses("
              + saved
              + ")");
    }
  }

  @Override
  public String toString() {
    return "CenterLossBlock(classes=" + classes + ", alpha=" + alpha + ", head=" + head + ")";
  }

  /** Builds a {@link CenterLossBlock}. */
  public static final class Builder {
    private int classes;
    private double alpha = DEFAULT_ALPHA;
    private Block head;
    private boolean withoutHead;

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
     * Sets the centre learning rate α.
     *
     * @param alpha in [0, 1] (0 freezes the centres); default {@value
     *     CenterLossBlock#DEFAULT_ALPHA}, the paper's
     * @return this builder
     */
    public Builder optAlpha(double alpha) {
      this.alpha = alpha;
      return this;
    }

    /**
     * Sets the head that computes the logits.
     *
     * @param head a block from features [m, d] to logits [m, classes]; default a {@link Linear}
     *     layer with {@code classes} units
     * @return this builder
     */
    public Builder optHead(Block head) {
      this.head = Objects.requireNonNull(head, "head");
      return this;
    }

    /**
     * Keeps the centres only: no logits, no output, for training an embedding without a classifier.
     *
     * @return this builder
     */
    public Builder optWithoutHead() {
      this.withoutHead = true;
      return this;
    }

    /**
     * Builds the block.
     *
     * @return the block
     * @throws IllegalArgumentException when classes or α is invalid, or both a head and no head
     *     were asked for
     */
    public CenterLossBlock build() {
      HeadSupport.checkClasses(classes);
      if (withoutHead && head != null) {
        throw new IllegalArgumentException("optHead and optWithoutHead exclude each other");
      }
      if (!(alpha >= 0 && alpha <= 1)) {
        throw new IllegalArgumentException("alpha must be in [0, 1], got " + alpha);
      }
      return new CenterLossBlock(this);
    }
  }
}
