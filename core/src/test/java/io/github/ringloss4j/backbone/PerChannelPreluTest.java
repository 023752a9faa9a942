package io.github.ringloss4j.backbone;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.NormalInitializer;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PerChannelPreluTest {

  private static final double H = 1e-6;

  /** The loss Σ w ⊙ f(x), its gradients in x and in the slopes. */
  private record Evaluation(double loss, double[] gradX, double[] gradSlope) {}

  /** A float64 PReLU on input of the given shape with the given per-channel slopes. */
  private static PerChannelPrelu prelu(NDManager manager, Shape shape, double[] slopes) {
    PerChannelPrelu block = new PerChannelPrelu();
    block.initialize(manager, DataType.FLOAT64, shape);
    NDArray a = block.getSlopeParameter().getArray();
    // In-place writes to a leaf that requires a gradient are refused; lift the flag for the write.
    a.setRequiresGradient(false);
    a.set(slopes);
    a.setRequiresGradient(true);
    return block;
  }

  private static Evaluation evaluate(Shape shape, double[] x, double[] slopes, double[] w) {
    try (NDManager manager = NDManager.newBaseManager()) {
      PerChannelPrelu block = prelu(manager, shape, slopes);
      NDArray input = manager.create(x, shape);
      input.setRequiresGradient(true);
      try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
        NDArray out =
            block
                .forward(new ParameterStore(manager, false), new NDList(input), true)
                .singletonOrThrow();
        NDArray loss = out.mul(manager.create(w, shape)).sum();
        collector.backward(loss);
        return new Evaluation(
            loss.getDouble(),
            input.getGradient().toDoubleArray(),
            block.getSlopeParameter().getArray().getGradient().toDoubleArray());
      }
    }
  }

  private static double lossOnly(Shape shape, double[] x, double[] slopes, double[] w) {
    try (NDManager manager = NDManager.newBaseManager()) {
      PerChannelPrelu block = prelu(manager, shape, slopes);
      NDArray out =
          block
              .forward(
                  new ParameterStore(manager, false), new NDList(manager.create(x, shape)), false)
              .singletonOrThrow();
      return out.mul(manager.create(w, shape)).sum().getDouble();
    }
  }

  @Test
  void handValuesAndGradients() {
    // [1, 2, 1, 3]: channel 0 holds (−2, 0, 3) with a_0 = 0.25, channel 1 holds (−0.5, 1.5, 0)
    // with a_1 = 0.1. f = (0.25·−2, 0, 3 | 0.1·−0.5, 1.5, 0) = (−0.5, 0, 3 | −0.05, 1.5, 0),
    // Σf = 3.95. ∂Σf/∂x = 1 for x > 0, a_c for x ≤ 0 (PyTorch's choice at the kink, x > 0 ? 1 : a)
    // = (0.25, 0.25, 1 | 0.1, 1, 0.1); ∂Σf/∂a_c = Σ min(x, 0) over channel c = (−2, −0.5).
    Shape shape = new Shape(1, 2, 1, 3);
    Evaluation e =
        evaluate(shape, new double[] {-2, 0, 3, -0.5, 1.5, 0}, new double[] {0.25, 0.1}, ones(6));
    assertEquals(3.95, e.loss(), 1e-12);
    assertArrayEquals(new double[] {0.25, 0.25, 1, 0.1, 1, 0.1}, e.gradX(), 1e-12);
    assertArrayEquals(new double[] {-2, -0.5}, e.gradSlope(), 1e-12);
  }

  @Test
  void gradientsMatchCentralFiniteDifferencesInFloat64() {
    Shape shape = new Shape(2, 3, 2, 2);
    int n = (int) shape.size();
    Random random = new Random(7);
    double[] x = new double[n];
    double[] w = new double[n];
    for (int i = 0; i < n; i++) {
      // |x| ≥ 0.1, far from the kink at 0 for a step of 1e−6; both signs in every channel.
      double magnitude = 0.1 + random.nextDouble();
      x[i] = i % 2 == 0 ? magnitude : -magnitude;
      w[i] = random.nextGaussian();
    }
    double[] slopes = {0.25, -0.3, 1.7};
    Evaluation e = evaluate(shape, x, slopes, w);
    // Training and inference forwards are the same values.
    assertEquals(lossOnly(shape, x, slopes, w), e.loss(), 0.0, "training vs inference forward");
    for (int i = 0; i < n; i++) {
      double[] plus = x.clone();
      double[] minus = x.clone();
      plus[i] += H;
      minus[i] -= H;
      double fd = (lossOnly(shape, plus, slopes, w) - lossOnly(shape, minus, slopes, w)) / (2 * H);
      assertEquals(fd, e.gradX()[i], 1e-7, "∂L/∂x_" + i);
    }
    for (int c = 0; c < slopes.length; c++) {
      double[] plus = slopes.clone();
      double[] minus = slopes.clone();
      plus[c] += H;
      minus[c] -= H;
      double fd = (lossOnly(shape, x, plus, w) - lossOnly(shape, x, minus, w)) / (2 * H);
      assertEquals(fd, e.gradSlope()[c], 1e-7, "∂L/∂a_" + c);
    }
  }

  @Test
  void aForwardLeavesNothingInTheParametersManager() {
    // The slope lives in the model's manager for the whole run; a forward in a per-batch
    // sub-manager must leave every array it makes there, or each batch leaks a full-size array.
    try (NDManager manager = NDManager.newBaseManager()) {
      Shape shape = new Shape(2, 3, 4, 4);
      PerChannelPrelu block = new PerChannelPrelu();
      block.initialize(manager, DataType.FLOAT32, shape);
      NDManager owner = block.getSlopeParameter().getArray().getManager();
      int before = owner.getManagedArrays().size();
      for (boolean training : new boolean[] {false, true}) {
        try (NDManager batch = manager.newSubManager()) {
          NDArray x = batch.randomNormal(shape);
          x.setRequiresGradient(training);
          try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            NDArray y =
                block
                    .forward(new ParameterStore(batch, false), new NDList(x), training)
                    .singletonOrThrow();
            if (training) {
              collector.backward(y.sum());
            }
          }
        }
      }
      assertEquals(before, owner.getManagedArrays().size(), "arrays left in the slope's manager");
    }
  }

  @Test
  void slopeIsPerChannelAndBroadcasts() {
    try (NDManager manager = NDManager.newBaseManager()) {
      PerChannelPrelu conv = new PerChannelPrelu();
      conv.initialize(manager, DataType.FLOAT32, new Shape(2, 5, 4, 3));
      assertEquals(new Shape(5, 1, 1), conv.getSlopeParameter().getShape());
      PerChannelPrelu dense = new PerChannelPrelu();
      dense.initialize(manager, DataType.FLOAT32, new Shape(2, 7));
      assertEquals(new Shape(7), dense.getSlopeParameter().getShape());
      assertArrayEquals(
          new Shape[] {new Shape(2, 7)}, dense.getOutputShapes(new Shape[] {new Shape(2, 7)}));
      assertThrows(
          IllegalArgumentException.class,
          () -> new PerChannelPrelu().initialize(manager, DataType.FLOAT32, new Shape(4)));
    }
  }

  @Test
  void slopeStartsAtPyTorchsQuarterWhateverTheGlobalInitializer() {
    try (NDManager manager = NDManager.newBaseManager()) {
      PerChannelPrelu block = new PerChannelPrelu();
      block.setInitializer(new NormalInitializer(3f), p -> true);
      block.initialize(manager, DataType.FLOAT32, new Shape(1, 6, 2, 2));
      Parameter slope = block.getSlopeParameter();
      assertEquals(Parameter.Type.OTHER, slope.getType());
      assertTrue(slope.requiresGradient());
      for (float a : slope.getArray().toFloatArray()) {
        assertEquals(0.25f, a);
      }
      assertEquals("PerChannelPrelu(initialSlope=0.25)", block.toString());
      assertThrows(IllegalArgumentException.class, () -> new PerChannelPrelu(Double.NaN));
    }
  }

  private static double[] ones(int n) {
    double[] v = new double[n];
    Arrays.fill(v, 1);
    return v;
  }
}
