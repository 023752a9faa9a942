package io.github.ringloss4j.head;

import static io.github.ringloss4j.head.HeadTestSupport.W;
import static io.github.ringloss4j.head.HeadTestSupport.X;
import static io.github.ringloss4j.head.HeadTestSupport.Y;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.initializer.NormalInitializer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class L2SoftmaxHeadTest {

  static final double[] BIAS = {0.1, -0.2, 0.3};

  static Stream<DataType> types() {
    return Stream.of(DataType.FLOAT32, DataType.FLOAT64);
  }

  static L2SoftmaxHead head(NDManager manager, double alpha, boolean learn, DataType type) {
    L2SoftmaxHead head =
        L2SoftmaxHead.builder().setClasses(3).optScale(alpha).optLearnScale(learn).build();
    head.setInitializer(HeadTestSupport.fixed(BIAS), L2SoftmaxHead.BIAS);
    return HeadTestSupport.init(manager, head, W, 3, type);
  }

  @ParameterizedTest
  @MethodSource("types")
  void handExample(DataType type) {
    try (NDManager manager = NDManager.newBaseManager()) {
      for (boolean learn : new boolean[] {false, true}) {
        L2SoftmaxHead head = head(manager, 2, learn, type);
        // x̂ = 2·x/‖x‖: (1.2, 1.6), (−1.6, 1.2), (0, −2); W raw (not normalised), b = (0.1, −0.2,
        // 0.3)
        //   x0: (1.2 + 0.1, 3.2 − 0.2, −3.6 + 6.4 + 0.3) = (1.3, 3.0, 3.1)
        //   x1: (−1.6 + 0.1, 2.4 − 0.2, 4.8 + 4.8 + 0.3) = (−1.5, 2.2, 9.9)
        //   x2: (0 + 0.1, −4 − 0.2, −8 + 0.3) = (0.1, −4.2, −7.7)
        double[][] expected = {{1.3, 3.0, 3.1}, {-1.5, 2.2, 9.9}, {0.1, -4.2, -7.7}};
        NDArray logits = HeadTestSupport.trainLogits(manager, head, X, Y, type);
        assertEquals(type, logits.getDataType());
        HeadTestSupport.assertMatrix(expected, logits, HeadTestSupport.tolerance(type), "logits");
        // CE: x0: log(e^1.3 + e^3 + e^3.1) − 1.3 = 3.8276145 − 1.3 = 2.5276145
        //     x1: log(e^−1.5 + e^2.2 + e^9.9) − 9.9 = 9.9004639 − 9.9 = 0.0004639
        //     x2: log(e^0.1 + e^−4.2 + e^−7.7) − (−4.2) = 0.1138815 + 4.2 = 4.3138815
        //     mean = 6.8419599/3 = 2.2806533
        double loss = HeadTestSupport.crossEntropy(manager, logits, Y);
        assertEquals(2.280653289068335, loss, type == DataType.FLOAT64 ? 1e-12 : 1e-6);
        HeadTestSupport.assertMatrix(
            expected,
            HeadTestSupport.inferLogits(manager, head, X, type, false),
            HeadTestSupport.tolerance(type),
            "inference logits");
      }
    }
  }

  @Test
  void projectsEveryFeatureAboveTheFloorToTheRadius() {
    try (NDManager manager = NDManager.newBaseManager()) {
      // W = I, b = 0: the logits are x̂ itself. ‖x̂‖ = α for ‖x‖ from 5e−12 to 5e20 (no overflow in
      // float32, whose Σx² would overflow at 1.8e19); below the 1e−12 floor x̂ = α·x/1e−12:
      // ‖x‖ = 5e−20 gives 16·5e−20/1e−12 = 8e−7.
      L2SoftmaxHead head = L2SoftmaxHead.builder().setClasses(2).optScale(16).build();
      head.setInitializer(HeadTestSupport.fixed(new double[][] {{1, 0}, {0, 1}}), "weight");
      head.initialize(manager, DataType.FLOAT32, new Shape(4, 2));
      double[][] x = {{3e-12, 4e-12}, {3e20, -4e20}, {-1, 1}, {3e-20, 4e-20}};
      double[][] logits =
          HeadTestSupport.toMatrix(
              HeadTestSupport.inferLogits(manager, head, x, DataType.FLOAT32, false));
      for (int i = 0; i < 3; i++) {
        assertEquals(16, HeadTestSupport.norm(logits[i]), 1e-5, "row " + i);
      }
      assertEquals(8e-7, HeadTestSupport.norm(logits[3]), 1e-12, "below the floor");
    }
  }

  @Test
  void zeroFeatureMapsToTheBias() {
    double[][] x = {{0, 0}, {3, 4}};
    HeadTestSupport.Evaluation e =
        HeadTestSupport.evaluate(
            () -> L2SoftmaxHead.builder().setClasses(3).build(), W, x, new float[] {1, 0}, null);
    assertTrue(Double.isFinite(e.loss()));
    for (double[] row : e.gradX()) {
      for (double g : row) {
        assertTrue(Double.isFinite(g), "gradient " + g);
      }
    }
  }

  @Test
  void learnedAlphaIsAnOtherParameterThatGlobalInitializersDoNotOverwrite() {
    try (NDManager manager = NDManager.newBaseManager()) {
      L2SoftmaxHead head =
          L2SoftmaxHead.builder().setClasses(3).optScale(24).optLearnScale(true).build();
      head.setInitializer(new NormalInitializer(3f), p -> true);
      head.initialize(manager, DataType.FLOAT32, new Shape(2, 4));
      Parameter alpha = head.getParameters().get(L2SoftmaxHead.SCALE);
      assertEquals(Parameter.Type.OTHER, alpha.getType());
      assertTrue(alpha.requiresGradient());
      assertEquals(24, head.getScale(), 0.0);
    }
  }

  @Test
  void defaultsAndValidation() {
    L2SoftmaxHead head = L2SoftmaxHead.builder().setClasses(2).build();
    assertEquals(16.0, head.getScale());
    assertEquals(false, head.isScaleLearned());
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> L2SoftmaxHead.builder().setClasses(2).optScale(0).build());
    assertTrue(e.getMessage().contains("alpha") && e.getMessage().contains("0.0"), e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class, () -> L2SoftmaxHead.builder().setClasses(-2).build());
    assertTrue(e.getMessage().contains("-2"), e.getMessage());
  }
}
