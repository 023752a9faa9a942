package io.github.ringloss4j.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import io.github.ringloss4j.loss.RingLoss;
import io.github.ringloss4j.nn.RadiusInit;
import io.github.ringloss4j.nn.RingLossBlock;
import io.github.ringloss4j.penalty.Penalties;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The ring term λ·mean_i ρ(‖f_i‖ − R), forward and backward with autograd, against a copy of the
 * same bytes.
 *
 * <ul>
 *   <li>{@link #ringTerm}: {@link RingLossBlock} (scaled norms, residual, penalty) and {@link
 *       RingLoss} (mean, ×λ) forward, then {@code backward} to the features and R: the whole cost
 *       ring loss adds to a training step, for each penalty.
 *   <li>{@link #memcopy}: {@code features.duplicate()}, one engine copy of the [batch, dim] float32
 *       matrix (batch·dim·4 bytes read and written). The figure is time(ring)/time(copy): the ring
 *       term cannot be cheaper than reading its input once.
 *   <li>{@link #naiveSquared}: the squared ring term as a PyTorch user writes it, {@code λ·½·mean((
 *       f.norm(dim=1) − R)²)}, in the same engine: the engine's fused norm (one kernel forward, one
 *       backward) instead of the library's overflow-safe scaled norm; what that robustness costs.
 * </ul>
 *
 * <p>Effective bandwidth is not measured by JMH: the summariser ({@code bench/summarize.py})
 * computes batch·dim·4·2 bytes / score for every row, so all three are comparable.
 *
 * <p>The features are a leaf that requires a gradient; each call lends them to a fresh manager
 * ({@code tempAttach}), so every array the call creates, gradient views included, is freed inside
 * the measured call when it closes, as a training step's batch manager does. As in a training step
 * (where the embedding's gradient sums the head's and the ring's contributions), the backward pass
 * accumulates into an existing gradient buffer.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
    value = 1,
    jvmArgs = {
      "-Dai.djl.offline=true",
      "-Dai.djl.pytorch.num_threads=2",
      "-Dai.djl.pytorch.num_interop_threads=1"
    })
public class RingTermBenchmark {

  /** Feature matrices of every size, shared by the three benchmarks. */
  @State(Scope.Thread)
  public static class Features {
    /** Rows of the feature matrix (the batch size m). */
    @Param({"128", "1024", "8192"})
    public int batch;

    /** Columns of the feature matrix (the embedding dimension d). */
    @Param({"128", "512"})
    public int dim;

    NDManager root;
    NDArray features;

    /** Creates random features whose norms scatter around √d. */
    @Setup(Level.Trial)
    public void setUp() {
      Engine.getInstance().setRandomSeed(42);
      root = Engine.getInstance().newBaseManager();
      features =
          root.randomNormal(new Shape(batch, dim))
              .mul(root.randomUniform(0.5f, 1.5f, new Shape(batch, 1)));
      features.setRequiresGradient(true);
    }

    /** Frees the engine memory. */
    @TearDown(Level.Trial)
    public void tearDown() {
      root.close();
    }
  }

  /** A ring block and ring loss for one penalty. */
  @State(Scope.Thread)
  public static class Ring {
    /** The penalty specification ({@link Penalties#parse}). */
    @Param({"squared", "huber", "cauchy", "geman", "barron(alpha=1)"})
    public String penalty;

    RingLossBlock block;
    RingLoss loss;
    ParameterStore store;

    /**
     * Builds and initialises the block with R near the features' mean norm.
     *
     * @param f the features of this trial
     */
    @Setup(Level.Trial)
    public void setUp(Features f) {
      block =
          RingLossBlock.builder()
              .optPenalty(Penalties.parse(penalty))
              .optRadiusInit(RadiusInit.constant(Math.sqrt(f.dim)))
              .build();
      block.initialize(f.root, DataType.FLOAT32, new Shape(f.batch, f.dim));
      loss = new RingLoss(block);
      store = new ParameterStore(f.root, false);
    }
  }

  /**
   * Ring term forward and backward through the library.
   *
   * @param f the features
   * @param r the ring
   * @return the gradient of the features
   */
  @Benchmark
  public NDArray ringTerm(Features f, Ring r) {
    try (NDManager step = f.root.newSubManager()) {
      f.features.tempAttach(step);
      try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
        NDList out = r.block.forward(r.store, new NDList(f.features), true);
        collector.backward(r.loss.evaluate(null, out));
      }
      return f.features.getGradient();
    }
  }

  /**
   * The squared ring term as a user would write it in a few lines, same engine.
   *
   * @param f the features
   * @param n the radius
   * @return the gradient of the features
   */
  @Benchmark
  public NDArray naiveSquared(Features f, NaiveRadius n) {
    try (NDManager step = f.root.newSubManager()) {
      f.features.tempAttach(step);
      try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
        NDArray norms = f.features.norm(new int[] {1});
        NDArray value =
            norms.sub(n.radius).square().mean().mul(0.5f * RingLossBlock.DEFAULT_LAMBDA);
        collector.backward(value);
      }
      return f.features.getGradient();
    }
  }

  /**
   * The squared ring term as the library computed it before the ring term's per-call costs were cut
   * (commit 6abd7fe): the scaled norm m·‖f/m‖ on every batch (per-row maximum, division, fused
   * norm, product; eight engine calls) and DJL's {@code op(Number)} for the constants ½, λ and the
   * scale's floor, each of which makes and frees a 0-d tensor. Kept so that before and after are
   * measured in the same run.
   *
   * @param f the features
   * @param n the radius
   * @return the gradient of the features
   */
  @Benchmark
  public NDArray squaredBefore(Features f, NaiveRadius n) {
    try (NDManager step = f.root.newSubManager()) {
      f.features.tempAttach(step);
      try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
        NDArray x = f.features;
        NDArray scale = x.abs().max(new int[] {1}, true).stopGradient().maximum(Float.MIN_NORMAL);
        NDArray norms = x.div(scale).norm(2, new int[] {1}, false).mul(scale.squeeze(1));
        NDArray penalties = norms.sub(n.radius).square().mul(0.5);
        collector.backward(penalties.mean().mul(RingLossBlock.DEFAULT_LAMBDA));
      }
      return f.features.getGradient();
    }
  }

  /**
   * One engine copy of the feature matrix: the bandwidth bound.
   *
   * @param f the features
   * @return the copy
   */
  @Benchmark
  public NDArray memcopy(Features f) {
    try (NDManager step = f.root.newSubManager()) {
      f.features.tempAttach(step);
      return f.features.duplicate();
    }
  }

  /** A learned radius for {@link #naiveSquared}, a plain leaf array. */
  @State(Scope.Thread)
  public static class NaiveRadius {
    NDArray radius;

    /**
     * Creates R = √d.
     *
     * @param f the features of this trial
     */
    @Setup(Level.Trial)
    public void setUp(Features f) {
      radius = f.root.create(new float[] {(float) Math.sqrt(f.dim)});
      radius.setRequiresGradient(true);
    }
  }
}
