package io.github.ringloss4j.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
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
 * One full training step of the application's default model, with and without ring loss: forward,
 * loss, backward and optimiser step, at batch 128 on random 28×28 inputs.
 *
 * <ul>
 *   <li>{@code plain-softmax}: {@code SequentialBlock(smallCnn(128), Linear(10))} with softmax
 *       cross-entropy: no ring block at all, the fair baseline.
 *   <li>{@code softmax}: the application's {@code RingModelBlock} with λ = 0: the ring block still
 *       computes norms and penalties, the loss ignores them (what {@code ringloss train --lambda 0}
 *       runs).
 *   <li>{@code softmax+ring}: the same with λ = 0.01, squared penalty, R learned from the first
 *       batch.
 * </ul>
 *
 * <p>Every variant uses the application's optimiser ({@code RingOptimizer}, SGD momentum 0.9, lr
 * 0.01, weight decay 5e−4). The figure is time(softmax+ring)/time(plain-softmax); the goal is ≤
 * 1.02. The step is {@code TrainSteps.Setup.step}: the application's {@code TrainingStep}, the loop
 * body of {@code TrainingRun} without its per-batch bookkeeping (divergence guard, metrics,
 * progress), which {@link TrainThroughput} measures separately.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
    value = 1,
    jvmArgs = {
      "-Dai.djl.offline=true",
      "-Dai.djl.pytorch.num_threads=2",
      "-Dai.djl.pytorch.num_interop_threads=1"
    })
@State(Scope.Thread)
public class TrainingStepBenchmark {

  /** Which model and loss. */
  @Param({"plain-softmax", "softmax", "softmax+ring"})
  public String variant;

  /** The batch size. */
  @Param({"128"})
  public int batch;

  private TrainSteps.Setup setup;
  private NDArray images;
  private NDArray labels;

  /** Builds and initialises the model, and makes one batch of random images and labels. */
  @Setup(Level.Trial)
  public void setUp() {
    setup = TrainSteps.create(TrainSteps.Variant.parse(variant), batch, 42);
    NDList batchArrays = TrainSteps.randomBatch(setup.trainer().getManager(), batch);
    images = batchArrays.get(0);
    labels = batchArrays.get(1);
  }

  /**
   * One training step.
   *
   * @return the loss, already computed
   */
  @Benchmark
  public NDArray step() {
    return setup.step(images, labels);
  }

  /** Frees the model. */
  @TearDown(Level.Trial)
  public void tearDown() {
    setup.close();
  }
}
