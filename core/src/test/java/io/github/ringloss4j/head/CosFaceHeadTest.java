package io.github.ringloss4j.head;

import static io.github.ringloss4j.head.HeadTestSupport.W;
import static io.github.ringloss4j.head.HeadTestSupport.X;
import static io.github.ringloss4j.head.HeadTestSupport.Y;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class CosFaceHeadTest {

  static Stream<DataType> types() {
    return Stream.of(DataType.FLOAT32, DataType.FLOAT64);
  }

  @ParameterizedTest
  @MethodSource("types")
  void handExample(DataType type) {
    try (NDManager manager = NDManager.newBaseManager()) {
      CosFaceHead head =
          HeadTestSupport.init(
              manager,
              CosFaceHead.builder().setClasses(3).optScale(2).optMargin(0.35).build(),
              W,
              3,
              type);
      // s·(cosθ_j − m·[j = y]), s = 2, m = 0.35, targets 0, 2, 1:
      //   x0: 2·(0.6 − 0.35, 0.8, 0.28) = (0.5, 1.6, 0.56)
      //   x1: 2·(−0.8, 0.6, 0.96 − 0.35) = (−1.6, 1.2, 1.22)
      //   x2: 2·(0, −1 − 0.35, −0.8) = (0, −2.7, −1.6)
      double[][] expected = {{0.5, 1.6, 0.56}, {-1.6, 1.2, 1.22}, {0, -2.7, -1.6}};
      NDArray logits = HeadTestSupport.trainLogits(manager, head, X, Y, type);
      assertEquals(type, logits.getDataType());
      HeadTestSupport.assertMatrix(expected, logits, HeadTestSupport.tolerance(type), "logits");
      // CE: x0: log(e^0.5 + e^1.6 + e^0.56) − 0.5 = 2.1225521 − 0.5 = 1.6225521
      //     x1: log(e^−1.6 + e^1.2 + e^1.22) − 1.22 = 1.9328540 − 1.22 = 0.7128540
      //     x2: log(e^0 + e^−2.7 + e^−1.6) − (−2.7) = 0.2383096 + 2.7 = 2.9383096
      //     mean = 5.2737157/3 = 1.7579052
      double loss = HeadTestSupport.crossEntropy(manager, logits, Y);
      assertEquals(1.7579052245855074, loss, type == DataType.FLOAT64 ? 1e-12 : 1e-6);
      // Inference: no margin, s·cosθ.
      double[][] plain = {{1.2, 1.6, 0.56}, {-1.6, 1.2, 1.92}, {0, -2, -1.6}};
      HeadTestSupport.assertMatrix(
          plain,
          HeadTestSupport.inferLogits(manager, head, X, type, false),
          HeadTestSupport.tolerance(type),
          "inference logits");
      HeadTestSupport.assertMatrix(
          plain,
          HeadTestSupport.inferLogits(manager, head, X, type, true),
          HeadTestSupport.tolerance(type),
          "unlabelled training logits");
    }
  }

  @Test
  void zeroMarginIsNormFaceBitForBit() {
    Random random = new Random(3);
    double[][] w = new double[4][3];
    double[][] x = new double[6][3];
    float[] y = new float[6];
    for (double[] row : w) {
      for (int j = 0; j < row.length; j++) {
        row[j] = random.nextGaussian();
      }
    }
    for (int i = 0; i < x.length; i++) {
      for (int j = 0; j < 3; j++) {
        x[i][j] = random.nextGaussian() * 3;
      }
      y[i] = random.nextInt(4);
    }
    try (NDManager manager = NDManager.newBaseManager()) {
      for (DataType type : new DataType[] {DataType.FLOAT32, DataType.FLOAT64}) {
        CosFaceHead cosFace =
            HeadTestSupport.init(
                manager,
                CosFaceHead.builder().setClasses(4).optScale(9).optMargin(0).build(),
                w,
                6,
                type);
        NormFaceHead normFace =
            HeadTestSupport.init(
                manager, NormFaceHead.builder().setClasses(4).optScale(9).build(), w, 6, type);
        double[] a =
            HeadTestSupport.trainLogits(manager, cosFace, x, y, type)
                .toType(DataType.FLOAT64, false)
                .toDoubleArray();
        double[] b =
            HeadTestSupport.trainLogits(manager, normFace, x, y, type)
                .toType(DataType.FLOAT64, false)
                .toDoubleArray();
        assertArrayEquals(b, a, 0.0, type.toString());
      }
    }
  }

  @Test
  void defaultsAndValidation() {
    CosFaceHead head = CosFaceHead.builder().setClasses(2).build();
    assertEquals(30.0, head.getScale());
    assertEquals(0.35, head.getMargin());
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> CosFaceHead.builder().setClasses(2).optMargin(-0.1).build());
    assertTrue(
        e.getMessage().contains("margin") && e.getMessage().contains("-0.1"), e.getMessage());
  }
}
