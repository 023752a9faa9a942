package io.github.ringloss4j.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
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
 * The single engine operations the ring term's profile pointed at, forward only: what the two
 * changes to the ring term rest on.
 *
 * <ul>
 *   <li>{@link #numberScalar} vs {@link #cachedScalar}: {@code v.mul(0.5)}, for which DJL makes and
 *       frees a 0-d tensor on every call, against the multiplication by a cached one (what the
 *       library's internal {@code Scalars.mul} does), on the [batch] vector a penalty works on.
 *   <li>{@link #rowMaxAbs} vs {@link #fusedNorm}: the per-row maximum |f_j| of the scaled norm
 *       (DJL's {@code max(axis)} also computes arg-max indices) against the engine's fused row
 *       norm, on the [batch, dim] features.
 *   <li>{@link #libraryNorm}: the library's row norm as it is now on these finite features, the
 *       fused norm plus the range check (a minimum, a maximum and two reads back).
 * </ul>
 *
 * <p>The library's {@code Norms} and {@code Scalars} are internal (core's module does not export
 * them), so the two library variants are spelt out here with DJL's operations alone.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(
    value = 1,
    jvmArgs = {
      "-Dai.djl.offline=true",
      "-Dai.djl.pytorch.num_threads=2",
      "-Dai.djl.pytorch.num_interop_threads=1"
    })
@State(Scope.Thread)
public class EngineOpsBenchmark {

  /** Rows of the feature matrix. */
  @Param({"128", "8192"})
  public int batch;

  /** Columns of the feature matrix. */
  @Param({"128", "512"})
  public int dim;

  private NDManager root;
  private NDArray features;
  private NDArray norms;
  private NDArray half;

  /** Random features and their norms. */
  @Setup(Level.Trial)
  public void setUp() {
    Engine.getInstance().setRandomSeed(42);
    root = Engine.getInstance().newBaseManager();
    features = root.randomNormal(new Shape(batch, dim));
    norms = features.norm(2, new int[] {1}, false);
    half = root.create(0.5f);
  }

  /** Frees the engine memory. */
  @TearDown(Level.Trial)
  public void tearDown() {
    root.close();
  }

  /**
   * DJL's scalar multiplication.
   *
   * @return nothing of use: the result is freed
   */
  @Benchmark
  public NDArray numberScalar() {
    try (NDManager step = root.newSubManager()) {
      norms.tempAttach(step);
      return norms.mul(0.5);
    }
  }

  /**
   * The same with a cached 0-d constant.
   *
   * @return nothing of use: the result is freed
   */
  @Benchmark
  public NDArray cachedScalar() {
    try (NDManager step = root.newSubManager()) {
      norms.tempAttach(step);
      return norms.mul(half);
    }
  }

  /**
   * The scaled norm's per-row maximum of |f|.
   *
   * @return nothing of use: the result is freed
   */
  @Benchmark
  public NDArray rowMaxAbs() {
    try (NDManager step = root.newSubManager()) {
      features.tempAttach(step);
      return features.abs().max(new int[] {1}, true);
    }
  }

  /**
   * The engine's fused row norm.
   *
   * @return nothing of use: the result is freed
   */
  @Benchmark
  public NDArray fusedNorm() {
    try (NDManager step = root.newSubManager()) {
      features.tempAttach(step);
      return features.norm(2, new int[] {1}, false);
    }
  }

  /**
   * The library's row norm, range check included: the fused norm, whose smallest and largest values
   * are read back to see that every row is in the range the fused kernel computes exactly (always
   * so for these features, so the scaled path never runs).
   *
   * @return nothing of use: the result is freed
   */
  @Benchmark
  public NDArray libraryNorm() {
    try (NDManager step = root.newSubManager()) {
      features.tempAttach(step);
      NDArray fused = features.norm(2, new int[] {1}, false);
      NDArray values = fused.stopGradient();
      double smallest = values.min().toArray()[0].doubleValue();
      double largest = values.max().toArray()[0].doubleValue();
      if (!(smallest >= 1e-16 && largest <= Double.MAX_VALUE)) { // Norms.FLOAT32_SAFE_MIN
        throw new IllegalStateException("features outside the fused norm's range");
      }
      return fused;
    }
  }
}
