package io.github.ringloss4j.head;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import ai.djl.util.PairList;
import io.github.ringloss4j.nn.RowSparseBlock;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.PushbackInputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Partial FC (An, Zhu, Gao, Xiao, Zhao, Feng, Wu, Qin, Zhang, Fu, "Partial FC: Training 10 Million
 * Identities on a Single Machine", ICCV 2021 workshops): a softmax or cosine-margin head whose
 * training logits cover only a sample of the classes, the batch's positives plus random negatives.
 *
 * <pre>
 *   training, labels y:   S = sorted(P ∪ N),  P = {y_i},  N uniform from the other classes,
 *                         |S| = max(⌈r·C⌉, |P|)
 *                         logits = head(x; W_S, b_S),  [m, |S|]
 *                         labels y'_i = the position of y_i in S,  [m]
 *   inference, no label:  logits = head(x; W, b),  [m, C]
 * </pre>
 *
 * <p>It wraps a {@link Linear} layer (softmax: W_S·x + b_S) or a {@link CosineMarginHead} ({@link
 * NormFaceHead}, {@link CosFaceHead}, {@link ArcFaceHead}: s·cosθ with the margin on the remapped
 * target) and reuses its logic on the gathered rows. The labelled forward returns the logits, for a
 * cosine head its plain logits over the same columns ({@value HeadAccuracy#PLAIN_LOGITS}), and the
 * remapped labels named {@value #SAMPLED_LABELS}; {@link io.github.ringloss4j.nn.RingModelBlock}
 * passes the named ones through, and {@link io.github.ringloss4j.loss.SampledLabelsLoss} and {@link
 * HeadAccuracy} read the remapped labels instead of the batch's. The training accuracy is therefore
 * among each step's sampled classes (which include every positive), at least the accuracy over all
 * classes; it equals it at r = 1. {@link SphereFaceHead} and {@link L2SoftmaxHead} are not
 * supported: SphereFace's target logit depends on its annealing counter and private formula, and
 * neither has the hook the others share.
 *
 * <p><b>Sampling</b> is InsightFace's ({@code recognition/arcface_torch/partial_fc_v2.py}): every
 * positive class is in, negatives are uniform without replacement, the index set is sorted and the
 * labels are found in it by binary search (their {@code searchsorted}); see {@link ClassSampler}
 * for the generator, and one deliberate difference (⌈r·C⌉ where InsightFace floors). When S is
 * every class (r = 1, or the positives fill ⌈r·C⌉ = C) the wrapped head's own computation runs on
 * the whole W, and the result is the plain head's, bit for bit.
 *
 * <p><b>Resume-exact.</b> The subset of a step is a function of the seed, a step counter and the
 * batch's labels: no generator state is carried between steps. The counter counts labelled forward
 * passes (each device's split counts, as for {@link SphereFaceHead}) and is saved with the
 * parameters together with the seed, so a run resumed from a checkpoint draws the same subsets as
 * the uninterrupted run.
 *
 * <p><b>Checkpoints.</b> The parameters are the wrapped head's own {@link Parameter} objects,
 * adopted as this block's (same names {@code weight}, {@code bias}, {@code scale}, same shapes,
 * same structural names in a model, so {@link io.github.ringloss4j.optim.RingOptimizer}'s saved
 * state carries over). The stream {@link #saveParameters} writes is the wrapped head's parameters
 * after a header of its own (version byte {@value #VERSION_BYTE}, which no wrapped head uses;
 * classes, seed, step, parameter names). {@link #loadParameters} reads either that or the plain
 * head's stream, so a checkpoint of the full head resumes with sampling (the counter then starts at
 * 0). The other way round, a plain head cannot read this header: load a Partial FC checkpoint into
 * a Partial FC head (any r; at r = 1 it is the plain head) — or deploy the embedding, which is the
 * model a service runs anyway.
 *
 * <p><b>The dense update (the default).</b> The gather W_S = W[S] passes gradients, but its
 * gradient is dense, [C, d] with zero rows outside S, and {@link
 * io.github.ringloss4j.optim.RingOptimizer} updates all of W and its momentum every step (so rows
 * outside S still move with their momentum and weight decay, as in InsightFace's {@code
 * partial_fc_v2.py}, which also gathers from a full parameter). What shrinks is everything of size
 * m×C — the logits, the margin's masks, the softmax and their gradients, m×|S| instead — and the
 * weight rows the step differentiates, |S|×d instead of C×d. At C = 100,000, d = 512, m = 128,
 * float32: W, its gradient and the SGD momentum are 195.3 MiB each at any r; one [m, C] array is
 * 48.8 MiB, one [m, |S|] array at r = 0.1 is 4.9 MiB; the differentiated rows 195.3 MiB against
 * 19.5 MiB (see {@link #memory}). The dense [C, d] gradient and update are most of a step at r =
 * 0.1: measured with {@code bench/.../PartialFcBenchmark}, 0.24 s a step against 0.04 s with W
 * frozen.
 *
 * <p><b>The sparse update</b> ({@link Builder#optSparseUpdate}), InsightFace's first Partial FC
 * ({@code partial_fc.py}, which swaps the sampled rows and their momentum in and out of the
 * optimiser every step). W (and a softmax head's b) is frozen for DJL, so the engine never
 * differentiates it and no [C, d] gradient exists; a labelled forward gathers W[S] into a new array
 * of the batch that is differentiated instead, and after the backward pass {@link
 * io.github.ringloss4j.optim.RingOptimizer#updateRows} (which {@code update} calls, so a trainer
 * needs nothing more) gathers the rows S of W and of its optimiser state, applies the dense rule
 * with the same fused kernel, and scatters them back. Its semantics, per step:
 *
 * <ul>
 *   <li>the sampled rows get exactly the dense rule on their rows: v_S ← μ·v_S + η·(g_S + λ·W_S),
 *       W_S ← W_S − v_S (DJL's momentum SGD with decay λ; Adam's moments likewise);
 *   <li>rows not sampled keep their weights and their momentum untouched: no decay, no momentum
 *       step, and their momentum does not decay while they wait;
 *   <li>weight decay applies only to the rows it updates; the learning rate and the step count are
 *       the parameter's, as for the dense update.
 * </ul>
 *
 * <p>It differs from the dense update only on the rows outside S: there the dense update, whose
 * gradient on them is 0, still decays them (−η·λ·W) and moves them by their momentum (−μ·v), and
 * decays that momentum. Without momentum and decay the two are the same update, bit for bit; at r =
 * 1 (every row sampled) too. This is lazy SGD, the accepted Partial FC behaviour: a class absent
 * from a step has no evidence in it, so its centre should not drift on stale momentum or shrink by
 * decay for every step it is left out (at r = 0.1 a class is out 90 % of the steps, and the dense
 * rule would decay it ten times for each time it is seen); InsightFace's first Partial FC
 * implementation trained this way. The gradient the backbone receives, ∂L/∂x, is the dense update's
 * for the same W. The optimiser state stays [C, d] (the rows are updated in place), and it is saved
 * and restored like any parameter's, so a resumed run equals an uninterrupted one. Limits: one
 * labelled forward pass per update on one device (several devices' copies would sample different
 * rows: {@code RingOptimizer} refuses), and the head must be trained by a {@code RingOptimizer}
 * (DJL's optimisers never see a frozen W); a later labelled pass on the same device before an
 * update replaces the rows the earlier one recorded.
 */
public final class PartialFcHead extends AbstractBlock implements RowSparseBlock {

  /** The name of the remapped labels, the labelled forward's second output. */
  public static final String SAMPLED_LABELS = "sampled_labels";

  /** The default sample rate r, the paper's (it matches r = 1 on its face benchmarks). */
  public static final double DEFAULT_SAMPLE_RATE = 0.1;

  /** The default seed of the sampler. */
  public static final long DEFAULT_SEED = 0;

  /**
   * The version byte that starts this block's parameter stream; the wrapped heads start theirs with
   * 1 (the cosine heads) or 4 (DJL's {@code Linear}), which is how {@link #loadParameters} tells
   * them apart.
   */
  public static final byte VERSION_BYTE = 80;

  private static final Logger LOG = LoggerFactory.getLogger(PartialFcHead.class);

  private final Block head;
  private final CosineMarginHead cosineHead;
  private final int classes;
  private final double sampleRate;
  private final Parameter weight;
  private final Parameter bias;
  private final List<String> parameterNames = new ArrayList<>();
  private final boolean sparseUpdate;
  private final Map<Device, List<RowGradient>> pendingRows = new LinkedHashMap<>();
  private long seed;
  private long step;
  private int[] lastSample = new int[0];

  private PartialFcHead(Builder builder) {
    super(VERSION_BYTE);
    this.head = builder.head;
    this.cosineHead = head instanceof CosineMarginHead ? (CosineMarginHead) head : null;
    this.classes = builder.classes;
    this.sampleRate = builder.sampleRate;
    this.seed = builder.seed;
    this.sparseUpdate = builder.sparseUpdate;
    // The wrapped head's parameters become this block's: same objects, names and order, so that
    // a checkpoint, the optimiser's state and a global initializer treat both blocks alike.
    for (Pair<String, Parameter> p : head.getDirectParameters()) {
      addParameter(p.getValue());
      parameterNames.add(p.getKey());
    }
    this.weight = head.getDirectParameters().get(CosineMarginHead.WEIGHT);
    this.bias = cosineHead == null ? head.getDirectParameters().get("bias") : null;
    if (sparseUpdate) {
      // The engine never differentiates W (and b): each step differentiates the rows it gathers,
      // and RingOptimizer.updateRows writes them back.
      for (Parameter p : rowParameters()) {
        p.freeze(true);
      }
    }
  }

  /** The parameters indexed by class: W, and b for a softmax head with a bias. */
  private List<Parameter> rowParameters() {
    return bias == null ? List.of(weight) : List.of(weight, bias);
  }

  /**
   * A builder with r = {@value #DEFAULT_SAMPLE_RATE} and seed {@value #DEFAULT_SEED}; {@code
   * setHead} is required.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The wrapped head.
   *
   * @return a {@link Linear} or a {@link CosineMarginHead}
   */
  public Block getHead() {
    return head;
  }

  /**
   * The number of classes C.
   *
   * @return C
   */
  public int getClasses() {
    return classes;
  }

  /**
   * The sample rate r.
   *
   * @return r in (0, 1]
   */
  public double getSampleRate() {
    return sampleRate;
  }

  /**
   * The sampler's seed: the configured one, or the one a loaded checkpoint carried.
   *
   * @return the seed
   */
  public long getSeed() {
    return seed;
  }

  /**
   * Whether W (and b) are updated by rows, the sampled ones only; see the class documentation.
   *
   * @return true for the sparse update
   */
  public boolean isSparseUpdate() {
    return sparseUpdate;
  }

  /**
   * The number of labelled forward passes so far; the next one samples with this step.
   *
   * @return t
   */
  public long getStep() {
    return step;
  }

  /**
   * Sets the step the next labelled forward pass samples with, to replay a step; the tests'
   * sampling hook (a checkpoint restores the step with the parameters).
   *
   * @param step t ≥ 0
   * @throws IllegalArgumentException when negative
   */
  void setStep(long step) {
    if (step < 0) {
      throw new IllegalArgumentException("step must be >= 0, got " + step);
    }
    this.step = step;
  }

  /**
   * The number of classes a step samples before counting positives.
   *
   * @return ⌈r·C⌉
   */
  public int getTargetSize() {
    return ClassSampler.targetSize(sampleRate, classes);
  }

  /**
   * The classes the last labelled forward pass used; the tests' sampling hook.
   *
   * @return S, ascending; empty before the first
   */
  int[] getLastSample() {
    return lastSample.clone();
  }

  @Override
  public void initialize(NDManager manager, DataType dataType, Shape... inputShapes) {
    // The wrapped head sets the shapes and the initializers of the parameters both blocks share.
    head.initialize(manager, dataType, inputShapes);
    super.initialize(manager, dataType, inputShapes);
    long rows = weight.getArray().getShape().get(0);
    if (rows != classes) {
      throw new IllegalArgumentException(
          "PartialFcHead has "
              + classes
              + " classes but the wrapped head's weight has "
              + rows
              + " rows; build the Linear head with setUnits("
              + classes
              + ")");
    }
  }

  @Override
  protected void beforeInitialize(Shape... inputShapes) {
    super.beforeInitialize(inputShapes);
    HeadSupport.checkFeatureShape("PartialFcHead", inputShapes);
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore parameterStore,
      NDList inputs,
      boolean training,
      PairList<String, Object> params) {
    NDArray features = inputs.singletonOrThrow();
    return new NDList(fullLogits(parameterStore, features, training));
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore parameterStore, NDList data, NDList labels, PairList<String, Object> params) {
    NDArray features = data.singletonOrThrow();
    NDArray y = labels.head();
    long[] indices = HeadSupport.classIndices(y, features.getShape().get(0), classes);
    int[] subset = ClassSampler.sample(classes, sampleRate, seed, step, indices);
    step++;
    lastSample = subset;
    NDList logits;
    NDArray remapped;
    if (sparseUpdate) {
      boolean every = subset.length == classes;
      NDManager batch = features.getManager();
      NDArray rows =
          every ? null : batch.create(toLongs(subset)).toDevice(features.getDevice(), false);
      remapped =
          every
              ? y.reshape(indices.length).duplicate()
              : batch
                  .create(ClassSampler.remap(subset, indices))
                  .toType(y.getDataType(), false)
                  .toDevice(y.getDevice(), false);
      List<RowGradient> pending = new ArrayList<>(2);
      NDArray w = gatherRows(parameterStore, weight, features, rows, pending);
      if (cosineHead != null) {
        NDArray cos = HeadSupport.cosines(features, w);
        logits = cosineHead.trainingLogits(parameterStore, cos, remapped);
      } else {
        logits =
            new NDList(
                bias == null
                    ? Linear.linear(features, w).head()
                    : Linear.linear(
                            features, w, gatherRows(parameterStore, bias, features, rows, pending))
                        .head());
      }
      // A later labelled pass on the same device (one without an update in between) replaces it.
      pendingRows.put(features.getDevice(), pending);
    } else if (subset.length == classes) {
      logits = fullTrainingLogits(parameterStore, features, y);
      remapped = y.reshape(indices.length).duplicate();
    } else {
      NDManager batch = features.getManager();
      NDArray rows = batch.create(toLongs(subset)).toDevice(features.getDevice(), false);
      remapped =
          batch
              .create(ClassSampler.remap(subset, indices))
              .toType(y.getDataType(), false)
              .toDevice(y.getDevice(), false);
      NDArray w = HeadSupport.matching(value(parameterStore, weight, features), features).get(rows);
      if (cosineHead != null) {
        NDArray cos = HeadSupport.cosines(features, w);
        logits = cosineHead.trainingLogits(parameterStore, cos, remapped);
      } else {
        logits = new NDList(linear(parameterStore, features, w, rows));
      }
    }
    remapped.setName(SAMPLED_LABELS);
    logits.add(remapped);
    return logits;
  }

  /**
   * For the sparse update: the rows of a parameter (every row when {@code rows} is null), gathered
   * into a new array of the batch that the engine differentiates, recorded for {@link
   * #takeRowGradients}, and returned in the features' type.
   */
  private static NDArray gatherRows(
      ParameterStore store,
      Parameter parameter,
      NDArray features,
      NDArray rows,
      List<RowGradient> pending) {
    NDArray array = value(store, parameter, features);
    NDArray gathered = rows == null ? array.duplicate() : array.get(rows);
    gathered.attach(features.getManager());
    gathered.setRequiresGradient(true);
    pending.add(new RowGradient(parameter, array, rows, gathered));
    return HeadSupport.matching(gathered, features);
  }

  @Override
  public List<RowGradient> takeRowGradients() {
    List<RowGradient> out = new ArrayList<>();
    pendingRows.values().forEach(out::addAll);
    pendingRows.clear();
    return out;
  }

  /** The wrapped head's unlabelled logits over every class, its own computation. */
  private NDArray fullLogits(ParameterStore parameterStore, NDArray features, boolean training) {
    if (cosineHead != null) {
      NDArray cos = cosineHead.cosines(parameterStore, features, training);
      return cosineHead.plainLogits(parameterStore, cos, training);
    }
    NDArray w = parameterStore.getValue(weight, features.getDevice(), training);
    NDArray b = bias == null ? null : parameterStore.getValue(bias, features.getDevice(), training);
    return (b == null ? Linear.linear(features, w) : Linear.linear(features, w, b)).head();
  }

  /**
   * The wrapped head's training outputs over every class, its own computation: a cosine head's
   * margin and plain logits, a softmax head's logits.
   */
  private NDList fullTrainingLogits(ParameterStore parameterStore, NDArray features, NDArray y) {
    if (cosineHead != null) {
      NDArray cos = cosineHead.cosines(parameterStore, features, true);
      return cosineHead.trainingLogits(parameterStore, cos, y);
    }
    return new NDList(fullLogits(parameterStore, features, true));
  }

  /** W_S·x + b_S for the softmax head. */
  private NDArray linear(ParameterStore store, NDArray features, NDArray w, NDArray rows) {
    if (bias == null) {
      return Linear.linear(features, w).head();
    }
    NDArray b = HeadSupport.matching(value(store, bias, features), features).get(rows);
    return Linear.linear(features, w, b).head();
  }

  private static NDArray value(ParameterStore store, Parameter parameter, NDArray features) {
    return store.getValue(parameter, features.getDevice(), true);
  }

  private static long[] toLongs(int[] values) {
    long[] out = new long[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = values[i];
    }
    return out;
  }

  /**
   * The head's memory at a batch size, for a start-up log line; see {@link
   * PartialFcMemory#estimate(int, int, int, double, boolean, boolean)}.
   *
   * @param dimension the feature dimension d
   * @param batch the batch size m
   * @return the estimate
   */
  public PartialFcMemory memory(int dimension, int batch) {
    return PartialFcMemory.estimate(
        classes, dimension, batch, sampleRate, bias != null, sparseUpdate);
  }

  static void checkSampleRate(double sampleRate) {
    if (!(sampleRate > 0 && sampleRate <= 1)) {
      throw new IllegalArgumentException("sampleRate must be in (0, 1], got " + sampleRate);
    }
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return new Shape[] {new Shape(inputShapes[0].get(0), classes)};
  }

  @Override
  public void loadParameters(NDManager manager, DataInputStream is)
      throws IOException, MalformedModelException {
    // One byte of push-back and no read-ahead: after either branch the stream stands exactly
    // where this block's parameters end, so the blocks after it read on from the right place.
    PushbackInputStream in = new PushbackInputStream(is, 1);
    int first = in.read();
    if (first < 0) {
      throw new EOFException("PartialFcHead: no parameters left in the stream");
    }
    in.unread(first);
    DataInputStream data = new DataInputStream(in);
    if ((byte) first == VERSION_BYTE) {
      super.loadParameters(manager, data);
    } else {
      // A plain head's checkpoint: its own format, into the same parameter objects.
      head.loadParameters(manager, data);
    }
  }

  @Override
  protected void saveMetadata(DataOutputStream os) throws IOException {
    saveInputShapes(os);
    os.writeInt(classes);
    os.writeLong(seed);
    os.writeLong(step);
    os.writeInt(parameterNames.size());
    for (String name : parameterNames) {
      os.writeUTF(name);
    }
  }

  @Override
  protected void loadMetadata(byte loadVersion, DataInputStream is)
      throws IOException, MalformedModelException {
    readInputShapes(is);
    int savedClasses = is.readInt();
    long savedSeed = is.readLong();
    long savedStep = is.readLong();
    List<String> savedNames = new ArrayList<>();
    int n = is.readInt();
    for (int i = 0; i < n; i++) {
      savedNames.add(is.readUTF());
    }
    if (savedClasses != classes || !savedNames.equals(parameterNames)) {
      throw new MalformedModelException(
          "PartialFcHead parameters were saved for classes="
              + savedClasses
              + ", parameters "
              + savedNames
              + "; this head has classes="
              + classes
              + ", parameters "
              + parameterNames
              + " (wrapping "
              + head.getClass().getSimpleName()
              + ")");
    }
    if (savedSeed != seed) {
      LOG.info(
          "PartialFcHead: continuing the checkpoint's sampler seed {} (configured {})",
          savedSeed,
          seed);
    }
    seed = savedSeed;
    step = savedStep;
  }

  @Override
  public String toString() {
    return String.format(
        Locale.ROOT,
        "PartialFcHead(r=%s, seed=%d, step=%d, head=%s)",
        sampleRate,
        seed,
        step,
        cosineHead != null ? head : "Linear(classes=" + classes + ")");
  }

  /** Builds a {@link PartialFcHead}. */
  public static final class Builder {
    private Block head;
    private int classes;
    private double sampleRate = DEFAULT_SAMPLE_RATE;
    private long seed = DEFAULT_SEED;
    private boolean sparseUpdate;

    private Builder() {}

    /**
     * Sets the head to sample (required).
     *
     * @param head a {@link Linear} layer (softmax) or a {@link CosineMarginHead} (NormFace,
     *     CosFace, ArcFace), not yet initialised
     * @return this builder
     */
    public Builder setHead(Block head) {
      this.head = head;
      return this;
    }

    /**
     * Sets the number of classes: required for a {@link Linear} head, whose units DJL does not
     * expose; for a cosine head it must equal the head's.
     *
     * @param classes ≥ 1; default the cosine head's
     * @return this builder
     */
    public Builder optClasses(int classes) {
      this.classes = classes;
      return this;
    }

    /**
     * Sets the sample rate r: a step uses max(⌈r·C⌉, #positives) classes.
     *
     * @param sampleRate in (0, 1] (1: every class, the plain head); default {@value
     *     PartialFcHead#DEFAULT_SAMPLE_RATE}
     * @return this builder
     */
    public Builder optSampleRate(double sampleRate) {
      this.sampleRate = sampleRate;
      return this;
    }

    /**
     * Sets the sampler's seed.
     *
     * @param seed any value; default {@value PartialFcHead#DEFAULT_SEED}
     * @return this builder
     */
    public Builder optSeed(long seed) {
      this.seed = seed;
      return this;
    }

    /**
     * Sets whether W (and a softmax head's b) are updated by rows: each step gathers the sampled
     * rows into an array the engine differentiates, and {@link
     * io.github.ringloss4j.optim.RingOptimizer} updates those rows of W and of their optimiser
     * state only, without a dense [C, d] gradient; the parameters are frozen for DJL, so the head
     * must be trained with a {@code RingOptimizer}. See the class documentation for how the update
     * differs from the dense one.
     *
     * @param sparseUpdate true for the sparse update; default false (dense: every row of W and of
     *     its momentum moves every step)
     * @return this builder
     */
    public Builder optSparseUpdate(boolean sparseUpdate) {
      this.sparseUpdate = sparseUpdate;
      return this;
    }

    /**
     * Builds the head.
     *
     * @return the head
     * @throws IllegalArgumentException naming the first invalid option
     */
    public PartialFcHead build() {
      if (head == null) {
        throw new IllegalArgumentException("head must be set with setHead(block)");
      }
      if (head instanceof CosineMarginHead) {
        int headClasses = ((CosineMarginHead) head).getClasses();
        if (classes != 0 && classes != headClasses) {
          throw new IllegalArgumentException(
              "classes is " + classes + " but the wrapped head has " + headClasses);
        }
        classes = headClasses;
      } else if (head instanceof Linear) {
        HeadSupport.checkClasses(classes);
      } else {
        throw new IllegalArgumentException(
            "head must be a Linear layer or a CosineMarginHead (NormFace, CosFace, ArcFace), got "
                + head.getClass().getSimpleName());
      }
      if (!head.getChildren().isEmpty()) {
        throw new IllegalArgumentException("head must have no child blocks");
      }
      checkSampleRate(sampleRate);
      return new PartialFcHead(this);
    }
  }
}
