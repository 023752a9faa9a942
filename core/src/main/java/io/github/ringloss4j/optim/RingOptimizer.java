package io.github.ringloss4j.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.internal.NDArrayEx;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import ai.djl.util.Pair;
import io.github.ringloss4j.nn.RingLossBlock;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * SGD with momentum or Adam, with a parameter group for every ring radius, and a state that can be
 * saved and restored.
 *
 * <p>DJL's optimisers apply one learning rate and one weight decay to every parameter and keep
 * their state private. Ring loss needs R treated apart: its gradient is λ·mean(e), about 1/λ
 * smaller than the network's, so R gets {@link RingLossBlock#getRadiusLearningRateMultiplier()}
 * times the learning rate, and weight decay would pull R toward 0, so R is not decayed unless
 * {@link RingLossBlock#isRadiusWeightDecayed()}. The updates are DJL's fused engine kernels ({@code
 * sgdUpdate}, {@code adamUpdate}); only the bookkeeping is here.
 *
 * <p>{@link #save}/{@link #load} write the momentum or Adam moments and the per-parameter step
 * counts keyed by the parameters' structural names (stable across runs, unlike their ids), so a
 * resumed run continues exactly where it stopped.
 */
public final class RingOptimizer extends Optimizer {

  /** The update rule. */
  public enum Kind {
    /** Stochastic gradient descent with (heavy-ball) momentum. */
    SGD,
    /** Adam (Kingma and Ba, 2015) with L2 weight decay added to the gradient. */
    ADAM
  }

  private static final int STATE_FORMAT = 1;

  private final Kind kind;
  private final Tracker learningRate;
  private final float weightDecay;
  private final float momentum;
  private final float beta1;
  private final float beta2;
  private final float epsilon;
  private final Map<String, String> namesById = new HashMap<>();
  private final Map<String, Float> multiplierById = new HashMap<>();
  private final Map<String, Boolean> decayById = new HashMap<>();
  private final Map<String, NDArray[]> states = new HashMap<>();
  private final Map<String, Integer> counts = new HashMap<>();

  private RingOptimizer(Builder builder, Block model) {
    super(new NoOptions().optClipGrad(builder.clipGrad));
    this.kind = builder.kind;
    this.learningRate = builder.learningRate;
    this.weightDecay = builder.weightDecay;
    this.momentum = builder.momentum;
    this.beta1 = builder.beta1;
    this.beta2 = builder.beta2;
    this.epsilon = builder.epsilon;
    for (Pair<String, Parameter> p : model.getParameters()) {
      namesById.put(p.getValue().getId(), p.getKey());
    }
    collectRings(model);
  }

  private void collectRings(Block block) {
    if (block instanceof RingLossBlock) {
      RingLossBlock ring = (RingLossBlock) block;
      String id = ring.getRadiusParameter().getId();
      multiplierById.put(id, (float) ring.getRadiusLearningRateMultiplier());
      decayById.put(id, ring.isRadiusWeightDecayed());
    }
    for (Block child : block.getChildren().values()) {
      collectRings(child);
    }
  }

  /**
   * A builder; choose {@link Builder#sgd(float)} or {@link Builder#adam()}.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The learning rate applied to a parameter at a given step, after its group's multiplier.
   *
   * @param parameterId the parameter's id
   * @param step the 1-based update count
   * @return the learning rate
   */
  public float learningRate(String parameterId, int step) {
    return learningRate.getNewValue(step) * multiplierById.getOrDefault(parameterId, 1f);
  }

  /**
   * The weight decay applied to a parameter.
   *
   * @param parameterId the parameter's id
   * @return the decay, 0 for a ring radius unless its block asks for decay
   */
  public float weightDecay(String parameterId) {
    return decayById.getOrDefault(parameterId, true) ? weightDecay : 0f;
  }

  @Override
  public void update(String parameterId, NDArray weight, NDArray grad) {
    String key = namesById.getOrDefault(parameterId, parameterId);
    int t = counts.merge(key, 1, Integer::sum);
    float lr = learningRate(parameterId, t);
    float wd = weightDecay(parameterId);
    NDArrayEx ex = weight.getNDArrayInternal();
    NDList weights = new NDList(weight);
    if (kind == Kind.SGD) {
      if (momentum == 0f) {
        ex.sgdUpdate(new NDList(weight, grad), weights, lr, wd, 1f, clipGrad, 0f, true);
      } else {
        NDArray velocity = state(key, weight, 1)[0];
        ex.sgdUpdate(
            new NDList(weight, grad, velocity), weights, lr, wd, 1f, clipGrad, momentum, true);
      }
    } else {
      NDArray[] moments = state(key, weight, 2);
      double coef1 = 1.0 - Math.pow(beta1, t);
      double coef2 = 1.0 - Math.pow(beta2, t);
      float corrected = (float) (lr * Math.sqrt(coef2) / coef1);
      ex.adamUpdate(
          new NDList(weight, grad, moments[0], moments[1]),
          weights,
          lr,
          corrected,
          wd,
          1f,
          clipGrad,
          beta1,
          beta2,
          epsilon,
          true,
          false);
    }
  }

  private NDArray[] state(String key, NDArray weight, int count) {
    return states.computeIfAbsent(
        key,
        k -> {
          NDArray[] arrays = new NDArray[count];
          for (int i = 0; i < count; i++) {
            arrays[i] = weight.zerosLike();
            // The optimiser outlives every per-batch manager: the state belongs to the weight's.
            arrays[i].attach(weight.getManager());
          }
          return arrays;
        });
  }

  /**
   * Writes the optimiser state: kind, step counts and moment arrays by parameter name.
   *
   * @param os the stream
   * @throws IOException if writing fails
   */
  public void save(DataOutputStream os) throws IOException {
    os.writeInt(STATE_FORMAT);
    os.writeUTF(kind.name());
    Map<String, Integer> sortedCounts = new TreeMap<>(counts);
    os.writeInt(sortedCounts.size());
    for (Map.Entry<String, Integer> e : sortedCounts.entrySet()) {
      os.writeUTF(e.getKey());
      os.writeInt(e.getValue());
    }
    Map<String, NDArray[]> sortedStates = new TreeMap<>(states);
    os.writeInt(sortedStates.size());
    for (Map.Entry<String, NDArray[]> e : sortedStates.entrySet()) {
      os.writeUTF(e.getKey());
      os.writeInt(e.getValue().length);
      for (NDArray a : e.getValue()) {
        writeArray(os, a);
      }
    }
  }

  /**
   * Restores a state written by {@link #save}; the optimiser must be of the same kind.
   *
   * @param manager where the moment arrays are created (the model's manager)
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
    counts.clear();
    int n = is.readInt();
    for (int i = 0; i < n; i++) {
      counts.put(is.readUTF(), is.readInt());
    }
    states.clear();
    int m = is.readInt();
    for (int i = 0; i < m; i++) {
      String key = is.readUTF();
      NDArray[] arrays = new NDArray[is.readInt()];
      for (int j = 0; j < arrays.length; j++) {
        arrays[j] = readArray(manager, is);
      }
      states.put(key, arrays);
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
    java.nio.ByteBuffer buffer =
        java.nio.ByteBuffer.wrap(bytes).order(java.nio.ByteOrder.nativeOrder());
    return manager.create(buffer, new Shape(shape), type);
  }

  @Override
  public String toString() {
    return kind == Kind.SGD
        ? "RingOptimizer(SGD, momentum=" + momentum + ", weightDecay=" + weightDecay + ")"
        : "RingOptimizer(Adam, beta1="
            + beta1
            + ", beta2="
            + beta2
            + ", weightDecay="
            + weightDecay
            + ")";
  }

  /** DJL's base class wants a builder; the options live in {@link Builder}. */
  private static final class NoOptions extends OptimizerBuilder<NoOptions> {
    @Override
    protected NoOptions self() {
      return this;
    }
  }

  /** Builds a {@link RingOptimizer}. */
  public static final class Builder {
    private Kind kind = Kind.SGD;
    private Tracker learningRate = Tracker.fixed(0.01f);
    private float weightDecay;
    private float momentum = 0.9f;
    private float beta1 = 0.9f;
    private float beta2 = 0.999f;
    private float epsilon = 1e-8f;
    private float clipGrad = -1f;

    private Builder() {}

    /**
     * SGD with heavy-ball momentum.
     *
     * @param momentum the momentum in [0, 1); default 0.9
     * @return this builder
     */
    public Builder sgd(float momentum) {
      if (!(momentum >= 0 && momentum < 1)) {
        throw new IllegalArgumentException("momentum must be in [0, 1), got " + momentum);
      }
      this.kind = Kind.SGD;
      this.momentum = momentum;
      return this;
    }

    /**
     * Adam with β₁ = 0.9, β₂ = 0.999, ε = 1e−8.
     *
     * @return this builder
     */
    public Builder adam() {
      this.kind = Kind.ADAM;
      return this;
    }

    /**
     * Sets the learning-rate schedule.
     *
     * @param learningRate the tracker; default fixed 0.01
     * @return this builder
     */
    public Builder setLearningRateTracker(Tracker learningRate) {
      this.learningRate = Objects.requireNonNull(learningRate, "learningRate");
      return this;
    }

    /**
     * Sets the L2 weight decay, applied to every parameter but the ring radii (unless their block
     * asks for it).
     *
     * @param weightDecay the decay &gt;= 0; default 0
     * @return this builder
     */
    public Builder optWeightDecay(float weightDecay) {
      if (!(weightDecay >= 0) || Float.isInfinite(weightDecay)) {
        throw new IllegalArgumentException(
            "weightDecay must be finite and >= 0, got " + weightDecay);
      }
      this.weightDecay = weightDecay;
      return this;
    }

    /**
     * Clips each gradient element to [−clip, clip].
     *
     * @param clipGrad the clip value &gt; 0, or −1 for none (default)
     * @return this builder
     */
    public Builder optClipGrad(float clipGrad) {
      this.clipGrad = clipGrad;
      return this;
    }

    /**
     * Builds the optimiser for a model, finding its ring radii.
     *
     * @param model the model's root block, already constructed (parameters need not be initialised)
     * @return the optimiser
     */
    public RingOptimizer build(Block model) {
      return new RingOptimizer(this, Objects.requireNonNull(model, "model"));
    }
  }
}
