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

class NormFaceHeadTest {

  static Stream<DataType> types() {
    return Stream.of(DataType.FLOAT32, DataType.FLOAT64);
  }

  @ParameterizedTest
  @MethodSource("types")
  void handExample(DataType type) {
    try (NDManager manager = NDManager.newBaseManager()) {
      NormFaceHead head =
          HeadTestSupport.init(
              manager, NormFaceHead.builder().setClasses(3).optScale(2).build(), W, 3, type);
      // s·cosθ with s = 2 (cosines in HeadTestSupport):
      //   x0: 2·(0.6, 0.8, 0.28) = (1.2, 1.6, 0.56)
      //   x1: 2·(−0.8, 0.6, 0.96) = (−1.6, 1.2, 1.92)
      //   x2: 2·(0, −1, −0.8) = (0, −2, −1.6)
      double[][] expected = {{1.2, 1.6, 0.56}, {-1.6, 1.2, 1.92}, {0, -2, -1.6}};
      NDArray logits = HeadTestSupport.trainLogits(manager, head, X, Y, type);
      assertEquals(type, logits.getDataType());
      HeadTestSupport.assertMatrix(expected, logits, HeadTestSupport.tolerance(type), "logits");
      // CE_i = log Σ_j e^{z_ij} − z_{i,y_i}:
      //   x0: log(e^1.2 + e^1.6 + e^0.56) − 1.2 = 2.3049644 − 1.2 = 1.1049644
      //   x1: log(e^−1.6 + e^1.2 + e^1.92) − 1.92 = 2.3363072 − 1.92 = 0.4163072
      //   x2: log(e^0 + e^−2 + e^−1.6) − (−2) = 0.2906017 + 2 = 2.2906017
      //   mean = (1.1049644 + 0.4163072 + 2.2906017)/3 = 1.2706244
      double loss = HeadTestSupport.crossEntropy(manager, logits, Y);
      assertEquals(1.270624449539097, loss, type == DataType.FLOAT64 ? 1e-12 : 1e-6);
      // No margin: the inference logits are the same.
      HeadTestSupport.assertMatrix(
          expected,
          HeadTestSupport.inferLogits(manager, head, X, type, false),
          HeadTestSupport.tolerance(type),
          "inference logits");
    }
  }

  @Test
  void defaultsAndValidation() {
    NormFaceHead head = NormFaceHead.builder().setClasses(4).build();
    assertEquals(16.0, head.getScale());
    assertEquals(4, head.getClasses());
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> NormFaceHead.builder().build());
    assertTrue(e.getMessage().contains("classes") && e.getMessage().contains("0"), e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> NormFaceHead.builder().setClasses(2).optScale(-1).build());
    assertTrue(e.getMessage().contains("scale") && e.getMessage().contains("-1"), e.getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () -> NormFaceHead.builder().setClasses(2).optScale(Double.NaN).build());
  }

  @Test
  void learnedScaleIsAnOtherParameterThatGlobalInitializersDoNotOverwrite() {
    try (NDManager manager = NDManager.newBaseManager()) {
      NormFaceHead head =
          NormFaceHead.builder().setClasses(3).optScale(7.5).optLearnScale(true).build();
      // DJL's way of setting one initializer for every parameter.
      head.setInitializer(new NormalInitializer(3f), p -> true);
      head.initialize(manager, DataType.FLOAT32, new Shape(2, 4));
      Parameter scale = head.getParameters().get(CosineMarginHead.SCALE);
      assertEquals(Parameter.Type.OTHER, scale.getType());
      assertTrue(scale.requiresGradient());
      assertEquals(7.5, head.getScale(), 0.0);
      assertTrue(head.isScaleLearned());
    }
  }

  @Test
  void labelsAreChecked() {
    try (NDManager manager = NDManager.newBaseManager()) {
      NormFaceHead head =
          HeadTestSupport.init(
              manager, NormFaceHead.builder().setClasses(3).build(), W, 3, DataType.FLOAT32);
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () ->
                  HeadTestSupport.trainLogits(
                      manager, head, X, new float[] {0, 3, 1}, DataType.FLOAT32));
      assertTrue(e.getMessage().contains("label 1 is 3.0"), e.getMessage());
      assertThrows(
          IllegalArgumentException.class,
          () ->
              HeadTestSupport.trainLogits(
                  manager, head, X, new float[] {0, 1.5f, 1}, DataType.FLOAT32));
      assertThrows(
          IllegalArgumentException.class,
          () ->
              HeadTestSupport.trainLogits(manager, head, X, new float[] {0, 1}, DataType.FLOAT32));
    }
  }

  @Test
  void zeroFeatureGivesFiniteLogitsAndGradients() {
    double[][] x = {{0, 0}, {3, 4}};
    HeadTestSupport.Evaluation e =
        HeadTestSupport.evaluate(
            () -> NormFaceHead.builder().setClasses(3).build(), W, x, new float[] {1, 0}, null);
    assertTrue(Double.isFinite(e.loss()));
    for (double[] row : e.gradX()) {
      for (double g : row) {
        assertTrue(Double.isFinite(g), "gradient " + g);
      }
    }
  }
}
