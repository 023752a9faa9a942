package io.github.ringloss4j.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.internal.NDArrayEx;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.ParameterTracker;
import ai.djl.training.tracker.Tracker;
import ai.djl.util.Pair;
import io.github.ringloss4j.nn.RingLossBlock;
import io.github.ringloss4j.nn.RowSparseBlock;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * SGD with momentum, or Adam, that treats the ring radius apart, is exact on any number of devices,
 * and saves its state for an exact resume.
 *
 * <pre>{@code
 * Optimizer sgd = RingOptimizer.sgdBuilder()
 *     .setLearningRateTracker(Tracker.fixed(0.05f))
 *     .optMomentum(0.9f)
 *     .optWeightDecays(5e-4f)
 *     .build(model);
 * }</pre>
 *
 * <p>What DJL's own {@code Optimizer.sgd()} and {@code Optimizer.adam()} do not do, and why:
 *
 * <ul>
 *   <li><b>R's learning rate.</b> The tracker is wrapped in a {@link RadiusLearningRate}, so each
 *       ring radius gets {@link RingLossBlock#getRadiusLearningRateMultiplier(boolean)} times the
 *       rate (1/λ with SGD, 1 with Adam, by default). Stock optimisers get the same through {@link
 *       RadiusLearningRate} directly.
 *   <li><b>Weight decay</b> (L2, added to the gradient) applies to every parameter except the
 *       learned scalars of type {@link Parameter.Type#OTHER}: the ring radius R (decay would pull
 *       it toward 0; {@link RingLossBlock.Builder#optRadiusWeightDecay} opts in) and a head's
 *       learned scale s or α. DJL's optimisers decay everything.
 *   <li><b>Several devices.</b> DJL's parameter server calls {@code update} once per device copy of
 *       a parameter, with the gradient already summed over devices. The state (momentum, Adam's
 *       moments) and the step count are kept per copy — a copy is identified by its weight array,
 *       which DJL's parameter store keeps for the whole training — so each copy takes exactly the
 *       step one device would, and the step t fed to the schedule and to Adam's bias correction
 *       advances once per training step, whatever the number of copies. DJL's optimisers count
 *       every call, so on k devices their schedules run k times too fast.
 *   <li><b>Row-sparse parameters.</b> A {@link RowSparseBlock} in the model (Partial FC's sparse
 *       update) keeps a parameter out of DJL's gradient and hands over the rows a step used and
 *       their gradient; {@link #updateRows} (called by {@link #update}) applies the parameter's
 *       rule to those rows of it and of its state only, by gathering them, running the same fused
 *       kernel and scattering them back. The state stays full-size and is saved like any other.
 *   <li><b>Exact resume.</b> {@link #save}/{@link #load} write the state and the step counts keyed
 *       by the parameters' structural names (stable across runs, unlike their ids). Copies move in
 *       lockstep, so one copy's state is saved; after a load every copy, on however many devices,
 *       starts from it.
 * </ul>
 *
 * <p>The updates are DJL's fused engine kernels ({@code sgdUpdate}, {@code adamUpdate}), the ones
 * its own optimisers call, so without decay R moves exactly as with {@code Optimizer.sgd()} and a
 * {@link RadiusLearningRate}.
 */
public final class RingOptimizer extends Optimizer {

  /** The update rule. */
  public enum Kind {
    /** Stochastic gradient descent with (heavy-ball) momentum. */
    SGD,
    /** Adam (Kingma and Ba, 2015) with L2 weight decay added to the gradient. */
    ADAM
  }

  /** The state's byte format; version 1 (one state per parameter) reads the same. */
  private static final int STATE_FORMAT = 1;

  private final Kind kind;
  private final RadiusLearningRate learningRate;
  private final float momentum;
  private final float beta1;
  private final float beta2;
  private final float epsilon;
  private final int beginNumUpdate;
  private final Map<String, String> namesById = new HashMap<>();
  private final Map<String, Parameter> parametersById = new HashMap<>();
  private final Set<String> decayedRadii = new HashSet<>();
  private final Map<String, List<Copy>> copies = new HashMap<>();
  private final Map<String, Snapshot> loaded = new HashMap<>();
  private final List<RowSparseBlock> rowSparseBlocks = new ArrayList<>();

  private RingOptimizer(Builder builder, Block model) {
    super(builder);
    this.kind = builder.kind;
    this.learningRate = RadiusLearningRate.create(model, builder.learningRate, kind == Kind.ADAM);
    this.momentum = builder.momentum;
    this.beta1 = builder.beta1;
    this.beta2 = builder.beta2;
    this.epsilon = builder.epsilon;
    this.beginNumUpdate = builder.beginNumUpdate;
    for (Pair<String, Parameter> p : model.getParameters()) {
      namesById.put(p.getValue().getId(), p.getKey());
      parametersById.put(p.getValue().getId(), p.getValue());
    }
    for (RingLossBlock ring : RadiusLearningRate.rings(model)) {
      if (ring.isRadiusWeightDecayed()) {
        decayedRadii.add(ring.getRadiusParameter().getId());
      }
    }
    addRowSparseBlocks(model);
  }

  private void addRowSparseBlocks(Block block) {
    if (block instanceof RowSparseBlock) {
      rowSparseBlocks.add((RowSparseBlock) block);
    }
    for (Block child : block.getChildren().values()) {
      addRowSparseBlocks(child);
    }
  }

  /**
   * A builder for SGD with heavy-ball momentum (default 0.9).
   *
   * @return a new builder
   */
  public static Builder sgdBuilder() {
    return new Builder(Kind.SGD);
  }

  /**
   * A builder for Adam with β₁ = 0.9, β₂ = 0.999, ε = 1e−8 by default.
   *
   * @return a new builder
   */
  public static Builder adamBuilder() {
    return new Builder(Kind.ADAM);
  }

  /**
   * The update rule.
   *
   * @return SGD or Adam
   */
  public Kind getKind() {
    return kind;
  }

  /**
   * The learning rate applied to a parameter at a given step, after its multiplier.
   *
   * @param parameterId the parameter's id
   * @param step the 1-based step
   * @return the learning rate
   */
  public float learningRate(String parameterId, int step) {
    return learningRate.getNewValue(parameterId, step);
  }

  /**
   * The weight decay applied to a parameter.
   *
   * @param parameterId the parameter's id
   * @param shape the parameter's shape
   * @return 0 for a learned scalar of type {@code OTHER} (unless it is a ring radius whose block
   *     asks for decay), the configured decay otherwise
   */
  public float weightDecay(String parameterId, Shape shape) {
    Parameter p = parametersById.get(parameterId);
    boolean exempt =
        p != null
            && p.getType() == Parameter.Type.OTHER
            && shape.size() == 1
            && !decayedRadii.contains(parameterId);
    return exempt ? 0f : getWeightDecay();
  }

  @Override
  public void update(String parameterId, NDArray weight, NDArray grad) {
    updateRows();
    String name = namesById.getOrDefault(parameterId, parameterId);
    Copy copy = copyOf(name, weight);
    step(parameterId, copy, weight, grad, null, null);
    releaseSnapshotAfterFirstStep(name, copy);
  }

  /**
   * Applies the row updates the model's {@link RowSparseBlock}s recorded since the last call: for
   * each, the rows it used of the parameter and of its state (momentum, Adam's moments) take
   * exactly the step {@link #update} would take on them, with the parameter's learning rate, weight
   * decay and step count; the other rows, and their state, are left as they are. {@link #update}
   * calls this first, so a trainer that updates any other parameter needs nothing more; call it
   * after the backward pass when the row-sparse parameters are the only ones trained.
   *
   * @throws IllegalStateException when a parameter has rows from more than one labelled forward
   *     pass since the last update (several devices, or forward passes accumulated before one
   *     update): the row update supports one pass per update on one device
   */
  public void updateRows() {
    for (RowSparseBlock block : rowSparseBlocks) {
      List<RowSparseBlock.RowGradient> rows = block.takeRowGradients();
      Set<String> seen = new HashSet<>();
      for (RowSparseBlock.RowGradient r : rows) {
        if (!seen.add(r.parameter().getId())) {
          throw new IllegalStateException(
              "the row-sparse update of "
                  + namesById.getOrDefault(r.parameter().getId(), r.parameter().getName())
                  + " takes one labelled forward pass per update on one device, got "
                  + rows.size()
                  + " passes' rows; train on one device, or use the dense update");
        }
      }
      for (RowSparseBlock.RowGradient r : rows) {
        String id = r.parameter().getId();
        String name = namesById.getOrDefault(id, id);
        Copy copy = copyOf(name, r.weight());
        step(id, copy, r.weight(), r.gathered().getGradient(), r.rows(), r.gathered());
        releaseSnapshotAfterFirstStep(name, copy);
      }
    }
  }

  /**
   * One step of a copy: on the whole weight ({@code rows == null}), or on the rows given — gathered
   * from the weight and its state, stepped by the same fused kernel, and scattered back. The rows
   * of the weight are the forward pass's own gathered copy when one is given (the weight has not
   * changed since, and reading them again costs as much as writing them back).
   */
  private void step(
      String parameterId, Copy copy, NDArray weight, NDArray grad, NDArray rows, NDArray current) {
    int t = ++copy.count;
    float lr = learningRate(parameterId, t);
    float wd = weightDecay(parameterId, weight.getShape());
    int stateSize = kind == Kind.ADAM ? 2 : momentum == 0f ? 0 : 1;
    NDArray[] state = stateSize == 0 ? new NDArray[0] : copy.state(weight, stateSize);
    if (rows == null) {
      kernel(weight, grad, state, t, lr, wd);
      return;
    }
    NDIndex at = new NDIndex("{}", rows);
    NDArray[] gathered = new NDArray[state.length];
    try (NDArray w = current != null ? current.stopGradient() : weight.get(at)) {
      for (int i = 0; i < state.length; i++) {
        gathered[i] = state[i].get(at);
      }
      kernel(w, grad, gathered, t, lr, wd);
      weight.set(at, w);
      for (int i = 0; i < state.length; i++) {
        state[i].set(at, gathered[i]);
      }
    } finally {
      for (NDArray g : gathered) {
        if (g != null) {
          g.close();
        }
      }
    }
  }

  /**
   * DJL's fused update of a weight and its state, in place. Gradient clipping is applied here,
   * clip(rescale·g, −c, c) as MXNet and DJL's documentation define it: DJL's PyTorch kernels clamp
   * only from above ({@code clamp_max}), which would leave large negative gradients unclipped, so
   * the kernel then gets neither rescaling nor clipping.
   */
  private void kernel(NDArray weight, NDArray grad, NDArray[] state, int t, float lr, float wd) {
    boolean clipping = clipGrad >= 0;
    NDArray g = grad;
    if (clipping) {
      NDArray scaled = rescaleGrad != 1f ? grad.mul(rescaleGrad) : grad;
      g = scaled.clip(-clipGrad, clipGrad);
      if (scaled != grad) {
        scaled.close();
      }
    }
    float rescale = clipping ? 1f : rescaleGrad;
    NDArrayEx ex = weight.getNDArrayInternal();
    NDList weights = new NDList(weight);
    try {
      if (kind == Kind.SGD) {
        NDList inputs = new NDList(weight, g);
        inputs.addAll(Arrays.asList(state));
        ex.sgdUpdate(inputs, weights, lr, wd, rescale, -1f, momentum, true);
      } else {
        double coef1 = 1.0 - Math.pow(beta1, t);
        double coef2 = 1.0 - Math.pow(beta2, t);
        float corrected = (float) (lr * Math.sqrt(coef2) / coef1);
        ex.adamUpdate(
            new NDList(weight, g, state[0], state[1]),
            weights,
            lr,
            corrected,
            wd,
            rescale,
            -1f,
            beta1,
            beta2,
            epsilon,
            true,
            false);
      }
    } finally {
      if (g != grad) {
        g.close();
      }
    }
  }

  /**
   * The copy a weight array belongs to: found by the array's identity, or new — from the loaded
   * state when there is one, else empty at {@code beginNumUpdate}.
   */
  private Copy copyOf(String name, NDArray weight) {
    List<Copy> list = copies.computeIfAbsent(name, k -> new ArrayList<>());
    String uid = weight.getUid();
    for (Copy c : list) {
      if (c.uid.equals(uid)) {
        return c;
      }
    }
    Snapshot snapshot = loaded.get(name);
    Copy c =
        snapshot == null
            ? new Copy(uid, beginNumUpdate, null)
            : new Copy(uid, snapshot.count, snapshot.copyTo(weight));
    list.add(c);
    return c;
  }

  /**
   * Every copy of a step is created before any copy's second update after a load, so the loaded
   * state can be freed then.
   */
  private void releaseSnapshotAfterFirstStep(String name, Copy copy) {
    Snapshot snapshot = loaded.get(name);
    if (snapshot != null && copy.count >= snapshot.count + 2) {
      loaded.remove(name).close();
    }
  }

  /**
   * Writes the optimiser state: kind, step counts and state arrays by parameter name, one copy's
   * (copies move in lockstep).
   *
   * @param os the stream
   * @throws IOException if writing fails
   */
  public void save(DataOutputStream os) throws IOException {
    Map<String, Integer> counts = new TreeMap<>();
    Map<String, NDArray[]> states = new TreeMap<>();
    for (Map.Entry<String, List<Copy>> e : copies.entrySet()) {
      Copy first = e.getValue().get(0);
      counts.put(e.getKey(), first.count);
      if (first.state != null) {
        states.put(e.getKey(), first.state);
      }
    }
    // Loaded state of parameters not updated since the load stays part of the state.
    for (Map.Entry<String, Snapshot> e : loaded.entrySet()) {
      if (!copies.containsKey(e.getKey())) {
        counts.put(e.getKey(), e.getValue().count);
        if (e.getValue().state != null) {
          states.put(e.getKey(), e.getValue().state);
        }
      }
    }
    os.writeInt(STATE_FORMAT);
    os.writeUTF(kind.name());
    os.writeInt(counts.size());
    for (Map.Entry<String, Integer> e : counts.entrySet()) {
      os.writeUTF(e.getKey());
      os.writeInt(e.getValue());
    }
    os.writeInt(states.size());
    for (Map.Entry<String, NDArray[]> e : states.entrySet()) {
      os.writeUTF(e.getKey());
      os.writeInt(e.getValue().length);
      for (NDArray a : e.getValue()) {
        writeArray(os, a);
      }
    }
  }

  /**
   * Restores a state written by {@link #save}; the optimiser must be of the same kind. Every device
   * copy of a parameter continues from it.
   *
   * @param manager where the state arrays are created until each copy takes them (the model's)
   * @param is the stream
   * @throws IOException if reading fails or the state is of another kind or format
   */
  public void load(NDManager manager, DataInputStream is) throws IOException {
    int format = is.readInt();
    if (format != STATE_FORMAT) {
      throw new IOException("optimizer state format " + format + ", expected " + STATE_FORMAT);
    }
    String savedKind = is.readUTF();
    if (!savedKind.equals(kind.name())) {
      throw new IOException(
          "optimizer state was saved by " + savedKind + " but this optimizer is " + kind);
    }
    Map<String, Integer> counts = new HashMap<>();
    int n = is.readInt();
    for (int i = 0; i < n; i++) {
      counts.put(is.readUTF(), is.readInt());
    }
    Map<String, NDArray[]> states = new HashMap<>();
    int m = is.readInt();
    for (int i = 0; i < m; i++) {
      String key = is.readUTF();
      NDArray[] arrays = new NDArray[is.readInt()];
      for (int j = 0; j < arrays.length; j++) {
        arrays[j] = readArray(manager, is);
      }
      states.put(key, arrays);
    }
    copies.clear();
    loaded.values().forEach(Snapshot::close);
    loaded.clear();
    for (Map.Entry<String, Integer> e : counts.entrySet()) {
      loaded.put(e.getKey(), new Snapshot(e.getValue(), states.get(e.getKey())));
    }
  }

  private static void writeArray(DataOutputStream os, NDArray array) throws IOException {
    os.writeUTF(array.getDataType().name());
    long[] shape = array.getShape().getShape();
    os.writeInt(shape.length);
    for (long s : shape) {
      os.writeLong(s);
    }
    byte[] bytes = array.toByteArray();
    os.writeInt(bytes.length);
    os.write(bytes);
  }

  private static NDArray readArray(NDManager manager, DataInputStream is) throws IOException {
    DataType type = DataType.valueOf(is.readUTF());
    long[] shape = new long[is.readInt()];
    for (int i = 0; i < shape.length; i++) {
      shape[i] = is.readLong();
    }
    byte[] bytes = new byte[is.readInt()];
    is.readFully(bytes);
    ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder());
    return manager.create(buffer, new Shape(shape), type);
  }

  @Override
  public String toString() {
    return kind == Kind.SGD
        ? "RingOptimizer(SGD, momentum=" + momentum + ", weightDecay=" + getWeightDecay() + ")"
        : "RingOptimizer(Adam, beta1="
            + beta1
            + ", beta2="
            + beta2
            + ", epsilon="
            + epsilon
            + ", weightDecay="
            + getWeightDecay()
            + ")";
  }

  /** One device copy of a parameter: its weight array's identity, step count and state. */
  private static final class Copy {
    final String uid;
    int count;
    NDArray[] state;

    Copy(String uid, int count, NDArray[] state) {
      this.uid = uid;
      this.count = count;
      this.state = state;
    }

    NDArray[] state(NDArray weight, int size) {
      if (state == null) {
        state = new NDArray[size];
        for (int i = 0; i < size; i++) {
          state[i] = weight.zerosLike();
          // The optimiser outlives every per-batch manager: the state belongs to the weight's.
          state[i].attach(weight.getManager());
        }
      }
      return state;
    }
  }

  /** A loaded state, from which every copy of the parameter starts. */
  private static final class Snapshot implements AutoCloseable {
    final int count;
    final NDArray[] state;

    Snapshot(int count, NDArray[] state) {
      this.count = count;
      this.state = state;
    }

    /** A copy of the state on the weight's device, owned by the weight's manager. */
    NDArray[] copyTo(NDArray weight) {
      if (state == null) {
        return null;
      }
      NDArray[] out = new NDArray[state.length];
      for (int i = 0; i < state.length; i++) {
        // toDevice(same device, copy = true) returns a tensor sharing the storage on PyTorch:
        // duplicate, so that each copy owns its state.
        NDArray moved = state[i].toDevice(weight.getDevice(), false);
        out[i] = moved == state[i] ? state[i].duplicate() : moved;
        out[i].attach(weight.getManager());
      }
      return out;
    }

    @Override
    public void close() {
      if (state != null) {
        for (NDArray a : state) {
          a.close();
        }
      }
    }
  }

  /** Builds a {@link RingOptimizer}, as DJL's optimiser builders do. */
  public static final class Builder extends OptimizerBuilder<Builder> {
    private final Kind kind;
    private ParameterTracker learningRate = Tracker.fixed(0.01f);
    private float momentum = 0.9f;
    private float beta1 = 0.9f;
    private float beta2 = 0.999f;
    private float epsilon = 1e-8f;
    private int beginNumUpdate;

    private Builder(Kind kind) {
      this.kind = kind;
    }

    @Override
    protected Builder self() {
      return this;
    }

    /**
     * Sets the learning-rate schedule of the network's parameters; ring radii get their multiplier
     * on top ({@link RadiusLearningRate}).
     *
     * @param learningRate the tracker; default fixed 0.01
     * @return this builder
     */
    public Builder setLearningRateTracker(ParameterTracker learningRate) {
      this.learningRate = Objects.requireNonNull(learningRate, "learningRate");
      return this;
    }

    /**
     * Sets SGD's heavy-ball momentum.
     *
     * @param momentum in [0, 1); default 0.9; 0 is plain SGD
     * @return this builder
     */
    public Builder optMomentum(float momentum) {
      this.momentum = momentum;
      return this;
    }

    /**
     * Sets Adam's β₁.
     *
     * @param beta1 in [0, 1); default 0.9
     * @return this builder
     */
    public Builder optBeta1(float beta1) {
      this.beta1 = beta1;
      return this;
    }

    /**
     * Sets Adam's β₂.
     *
     * @param beta2 in [0, 1); default 0.999
     * @return this builder
     */
    public Builder optBeta2(float beta2) {
      this.beta2 = beta2;
      return this;
    }

    /**
     * Sets Adam's ε.
     *
     * @param epsilon &gt; 0; default 1e−8
     * @return this builder
     */
    public Builder optEpsilon(float epsilon) {
      this.epsilon = epsilon;
      return this;
    }

    /**
     * Sets the step count the first update starts from, as DJL's optimisers do.
     *
     * @param beginNumUpdate ≥ 0; default 0
     * @return this builder
     */
    @Override
    public Builder optBeginNumUpdate(int beginNumUpdate) {
      this.beginNumUpdate = beginNumUpdate;
      return super.optBeginNumUpdate(beginNumUpdate);
    }

    /**
     * Builds the optimiser for a model, finding its ring radii and learned scalars.
     *
     * @param model the model's root block, already constructed (parameters need not be initialised)
     * @return the optimiser
     * @throws IllegalArgumentException for a momentum or β outside [0, 1), a non-positive ε, or a
     *     negative or non-finite weight decay
     */
    public RingOptimizer build(Block model) {
      Objects.requireNonNull(model, "model");
      check("momentum", momentum);
      check("beta1", beta1);
      check("beta2", beta2);
      if (!(epsilon > 0) || Float.isInfinite(epsilon)) {
        throw new IllegalArgumentException("epsilon must be finite and > 0, got " + epsilon);
      }
      if (beginNumUpdate < 0) {
        throw new IllegalArgumentException("beginNumUpdate must be >= 0, got " + beginNumUpdate);
      }
      RingOptimizer optimizer = new RingOptimizer(this, model);
      float wd = optimizer.getWeightDecay();
      if (!(wd >= 0) || Float.isInfinite(wd)) {
        throw new IllegalArgumentException("weightDecay must be finite and >= 0, got " + wd);
      }
      return optimizer;
    }

    private static void check(String name, float value) {
      if (!(value >= 0 && value < 1)) {
        throw new IllegalArgumentException(name + " must be in [0, 1), got " + value);
      }
    }
  }
}
