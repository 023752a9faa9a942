package io.github.ringloss4j.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import io.github.ringloss4j.backbone.PerChannelPrelu;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;

/**
 * {@link PerChannelPrelu} (relu(x) + a·(x − relu(x)), four ops forward, whose positive-side
 * gradient g + g·a − g·a equals PyTorch's g only up to rounding) against two formulations whose
 * gradients are exact, interleaved in one JVM: x·where(x &gt; 0, 1, a) (DJL's where needs both
 * branches broadcast) and relu(x) + a·clip(x, −∞, 0). Milliseconds per call, inference (no
 * gradient) and training (forward and backward into x and a), at activation shapes of IResNet-50
 * and MobileFaceNet.
 *
 * <p>Usage: {@code java -cp bench/target/benchmarks.jar io.github.ringloss4j.bench.PreluBenchmark
 * [--rounds 7] [--calls 20]}. Lines {@code RESULT prelu <mode> <shape> <PerChannelPrelu ms> <where
 * ms> <clip ms> <clip/PerChannelPrelu>} give the medians over rounds, tab-separated.
 */
public final class PreluBenchmark {

  private PreluBenchmark() {}

  /**
   * Runs the measurement.
   *
   * @param args the options above
   */
  public static void main(String[] args) {
    EngineDefaults.apply();
    int rounds = 7;
    int calls = 20;
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--rounds" -> rounds = Integer.parseInt(args[i + 1]);
        case "--calls" -> calls = Integer.parseInt(args[i + 1]);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    Shape[] shapes = {
      new Shape(1, 64, 56, 56), new Shape(1, 512, 7, 7), new Shape(16, 64, 56, 56),
    };
    for (boolean training : new boolean[] {false, true}) {
      for (Shape shape : shapes) {
        double[][] ms = new double[3][rounds];
        try (NDManager manager = NDManager.newBaseManager()) {
          PerChannelPrelu block = new PerChannelPrelu();
          block.initialize(manager, DataType.FLOAT32, shape);
          NDArray x = manager.randomNormal(shape);
          NDArray a = block.getSlopeParameter().getArray();
          for (int r = -2; r < rounds; r++) {
            for (int variant = 0; variant < 3; variant++) {
              long t0 = System.nanoTime();
              for (int c = 0; c < calls; c++) {
                call(manager, block, x, a, variant, training);
              }
              if (r >= 0) {
                ms[variant][r] = (System.nanoTime() - t0) / 1e6 / calls;
              }
            }
          }
        }
        double replaced = median(ms[0]);
        double clip = median(ms[2]);
        out.printf(
            Locale.ROOT,
            "RESULT\tprelu\t%s\t%s\t%.3f\t%.3f\t%.3f\t%.3f%n",
            training ? "training" : "inference",
            shape,
            replaced,
            median(ms[1]),
            clip,
            clip / replaced);
      }
    }
  }

  private static void call(
      NDManager manager,
      PerChannelPrelu block,
      NDArray x,
      NDArray a,
      int variant,
      boolean training) {
    try (NDManager step = manager.newSubManager()) {
      NDArray input = x.duplicate();
      input.attach(step);
      if (!training) {
        forward(step, block, input, a, variant).get(0).attach(step);
        return;
      }
      input.setRequiresGradient(true);
      try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
        NDArray y = forward(step, block, input, a, variant).singletonOrThrow();
        collector.backward(y.sum());
      }
      input.getGradient().attach(step);
    }
  }

  private static NDList forward(
      NDManager step, PerChannelPrelu block, NDArray x, NDArray a, int variant) {
    if (variant == 0) {
      return block.forward(new ParameterStore(step, false), new NDList(x), false);
    }
    if (variant == 1) {
      Shape shape = x.getShape();
      NDArray ones = a.onesLike();
      ones.attach(step);
      NDArray slopes = a.broadcast(shape);
      slopes.attach(step);
      return new NDList(x.mul(NDArrays.where(x.gt(0), ones.broadcast(shape), slopes)));
    }
    return new NDList(Activation.relu(x).add(x.clip(Double.NEGATIVE_INFINITY, 0).mul(a)));
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }
}
