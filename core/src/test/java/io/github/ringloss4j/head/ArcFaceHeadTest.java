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

class ArcFaceHeadTest {

  static final double M = 0.5;

  static Stream<DataType> types() {
    return Stream.of(DataType.FLOAT32, DataType.FLOAT64);
  }

  /** The documented φ in plain double: insightface's non-easy-margin ArcFace. */
  static double phiReference(double c, double m) {
    if (c > Math.cos(Math.PI - m)) {
      double sin = Math.sqrt(Math.max(1 - c * c, ArcFaceHead.SINE_SQUARED_FLOOR));
      return c * Math.cos(m) - sin * Math.sin(m);
    }
    return c - Math.sin(Math.PI - m) * m;
  }

  @ParameterizedTest
  @MethodSource("types")
  void handExample(DataType type) {
    try (NDManager manager = NDManager.newBaseManager()) {
      ArcFaceHead head =
          HeadTestSupport.init(
              manager,
              ArcFaceHead.builder().setClasses(3).optScale(2).optMargin(M).build(),
              W,
              3,
              type);
      // cos 0.5 = 0.8775826, sin 0.5 = 0.4794255, switch cos(π − 0.5) = −0.8775826.
      //   x0, target cos 0.6 > switch, sinθ = 0.8: φ = 0.6·0.8775826 − 0.8·0.4794255 = 0.1430091
      //   x1, target cos 0.96 > switch, sinθ = 0.28: φ = 0.96·0.8775826 − 0.28·0.4794255 =
      // 0.7082401
      //   x2, target cos −1 ≤ switch (θ + m > π): fallback φ = −1 − 0.5·0.4794255 = −1.2397128
      // logits = 2·cos with the targets replaced by 2·φ:
      double[][] expected = {
        {0.2860182125017223, 1.6, 0.56},
        {-1.6, 1.2, 1.416480217211162},
        {0, -2.479425538604203, -1.6}
      };
      NDArray logits = HeadTestSupport.trainLogits(manager, head, X, Y, type);
      assertEquals(type, logits.getDataType());
      HeadTestSupport.assertMatrix(expected, logits, HeadTestSupport.tolerance(type), "logits");
      // CE: x0: log(e^0.2860182 + e^1.6 + e^0.56) − 0.2860182 = 1.7977666
      //     x1: log(e^−1.6 + e^1.2 + e^1.4164802) − 1.4164802 = 0.6175190
      //     x2: log(e^0 + e^−2.4794255 + e^−1.6) + 2.4794255 = 2.7307194
      //     mean = 5.1460050/3 = 1.7153350
      double loss = HeadTestSupport.crossEntropy(manager, logits, Y);
      assertEquals(1.7153350010630508, loss, type == DataType.FLOAT64 ? 1e-12 : 1e-6);
      double[][] plain = {{1.2, 1.6, 0.56}, {-1.6, 1.2, 1.92}, {0, -2, -1.6}};
      HeadTestSupport.assertMatrix(
          plain,
          HeadTestSupport.inferLogits(manager, head, X, type, false),
          HeadTestSupport.tolerance(type),
          "inference logits");
    }
  }

  @Test
  void zeroMarginIsNormFace() {
    Random random = new Random(5);
    double[][] w = new double[3][4];
    double[][] x = new double[8][4];
    float[] y = new float[8];
    for (double[] row : w) {
      for (int j = 0; j < row.length; j++) {
        row[j] = random.nextGaussian();
      }
    }
    for (int i = 0; i < x.length; i++) {
      for (int j = 0; j < 4; j++) {
        x[i][j] = random.nextGaussian();
      }
      y[i] = random.nextInt(3);
    }
    x[0] = w[(int) y[0]].clone(); // θ_y = 0: the sine floor is active
    for (int j = 0; j < 4; j++) {
      x[1][j] = -w[(int) y[1]][j]; // θ_y = π: the fallback with m = 0 is c − 0
    }
    try (NDManager manager = NDManager.newBaseManager()) {
      for (DataType type : new DataType[] {DataType.FLOAT32, DataType.FLOAT64}) {
        ArcFaceHead arc =
            HeadTestSupport.init(
                manager,
                ArcFaceHead.builder().setClasses(3).optScale(11).optMargin(0).build(),
                w,
                8,
                type);
        NormFaceHead norm =
            HeadTestSupport.init(
                manager, NormFaceHead.builder().setClasses(3).optScale(11).build(), w, 8, type);
        double[] a =
            HeadTestSupport.trainLogits(manager, arc, x, y, type)
                .toType(DataType.FLOAT64, false)
                .toDoubleArray();
        double[] b =
            HeadTestSupport.trainLogits(manager, norm, x, y, type)
                .toType(DataType.FLOAT64, false)
                .toDoubleArray();
        // With m = 0: c·cos 0 − sinθ·sin 0 = c exactly; only the sine floor could differ, and it is
        // multiplied by sin 0 = 0. Tolerance: one rounding of the clip.
        assertArrayEquals(b, a, type == DataType.FLOAT64 ? 1e-14 : 1e-5, type.toString());
      }
    }
  }

  /** φ(cosθ) for a sweep of angles, via the head: x = (cosθ, sinθ), W_0 = (1, 0), label 0. */
  static double[] phiViaHead(NDManager manager, double[] thetas, DataType type, double m) {
    double[][] x = new double[thetas.length][];
    float[] y = new float[thetas.length];
    for (int i = 0; i < thetas.length; i++) {
      x[i] = new double[] {Math.cos(thetas[i]), Math.sin(thetas[i])};
    }
    ArcFaceHead head =
        HeadTestSupport.init(
            manager,
            ArcFaceHead.builder().setClasses(2).optScale(1).optMargin(m).build(),
            new double[][] {{1, 0}, {0, 1}},
            thetas.length,
            type);
    double[][] logits =
        HeadTestSupport.toMatrix(HeadTestSupport.trainLogits(manager, head, x, y, type));
    double[] phi = new double[thetas.length];
    for (int i = 0; i < thetas.length; i++) {
      phi[i] = logits[i][0];
    }
    return phi;
  }

  @ParameterizedTest
  @MethodSource("types")
  void fallbackRegionMatchesTheDocumentedFormulaOnBothSidesOfTheSwitch(DataType type) {
    double switchAngle = Math.PI - M;
    int n = 2001;
    double[] thetas = new double[n];
    for (int i = 0; i < n; i++) {
      thetas[i] = Math.PI * i / (n - 1);
    }
    try (NDManager manager = NDManager.newBaseManager()) {
      double[] phi = phiViaHead(manager, thetas, type, M);
      int fallbacks = 0;
      for (int i = 0; i < n; i++) {
        double c = Math.cos(thetas[i]);
        // In float32, 1 − c² loses ~1e−7 absolutely to cancellation near θ = 0, so sinθ carries an
        // error of about 1e−7/sinθ; float64 is exact to 1e−12 everywhere.
        double tol =
            type == DataType.FLOAT64 ? 1e-12 : 2e-6 + 1e-7 / Math.max(Math.sin(thetas[i]), 1e-3);
        // Rounding can move c across the switch within a few ulps; no sample is that close.
        assertTrue(Math.abs(thetas[i] - switchAngle) > 1e-4);
        assertEquals(phiReference(c, M), phi[i], tol, "φ at θ = " + thetas[i]);
        if (thetas[i] > switchAngle) {
          fallbacks++;
          // The fallback is used: c − m·sin m, not cos(θ + m), which rises again past π.
          assertEquals(c - M * Math.sin(M), phi[i], tol);
          assertTrue(Math.cos(thetas[i] + M) - phi[i] > 0.1, "not cos(θ + m) at θ = " + thetas[i]);
        } else {
          assertEquals(Math.cos(thetas[i] + M), phi[i], Math.max(tol, 1e-6));
        }
        if (i > 0) {
          assertTrue(phi[i] < phi[i - 1], "φ must decrease with θ at θ = " + thetas[i]);
        }
      }
      assertTrue(fallbacks > 100, "the sweep must reach the fallback region");
    }
  }

  @ParameterizedTest
  @MethodSource("types")
  void eachBranchIsContinuousUpToTheSwitchAndTheJumpIsTheDocumentedOne(DataType type) {
    double s = Math.PI - M;
    double[] deltas = {1e-2, 1e-3, 1e-4};
    double[] thetas = new double[2 * deltas.length];
    for (int i = 0; i < deltas.length; i++) {
      thetas[2 * i] = s - deltas[i];
      thetas[2 * i + 1] = s + deltas[i];
    }
    try (NDManager manager = NDManager.newBaseManager()) {
      double[] phi = phiViaHead(manager, thetas, type, M);
      double tol = type == DataType.FLOAT64 ? 1e-12 : 2e-6;
      double left = -1; // cos(θ + m) → cos π
      double right = -Math.cos(M) - M * Math.sin(M); // cos(π − m) − m·sin m = −1.1172954
      for (int i = 0; i < deltas.length; i++) {
        double d = deltas[i];
        // Each side approaches its own limit linearly or better (slopes ≤ 1 in θ):
        assertEquals(left, phi[2 * i], 2 * d * d + tol, "margin branch at −" + d);
        assertEquals(right, phi[2 * i + 1], 2 * d + tol, "fallback at +" + d);
        assertEquals(phiReference(Math.cos(thetas[2 * i]), M), phi[2 * i], tol);
        assertEquals(phiReference(Math.cos(thetas[2 * i + 1]), M), phi[2 * i + 1], tol);
      }
      // The documented jump: 1 − cos m − m·sin m = 1 − 0.8775826 − 0.2397128 = −0.1172954.
      assertEquals(-0.11729533, right - left, 1e-8);
      assertEquals(1 - Math.cos(M) - M * Math.sin(M), phi[5] - phi[4], 2e-4 + tol);
    }
  }

  @Test
  void gradientsAreFiniteWhereTheFeatureIsOnOrOppositeItsClassWeight() {
    // x0 = W_0 (θ = 0, sine floor active), x1 = −W_1 (θ = π, fallback), x2 = W_2 scaled.
    double[][] w = {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}};
    double[][] x = {{2, 0, 0}, {0, -3, 0}, {0, 0, 0.5}};
    HeadTestSupport.Evaluation e =
        HeadTestSupport.evaluate(
            () -> ArcFaceHead.builder().setClasses(3).build(), w, x, new float[] {0, 1, 2}, null);
    assertTrue(Double.isFinite(e.loss()));
    for (double[][] g : new double[][][] {e.gradX(), e.gradW()}) {
      for (double[] row : g) {
        for (double v : row) {
          assertTrue(Double.isFinite(v), "gradient " + v);
        }
      }
    }
  }

  @Test
  void defaultsAndValidation() {
    ArcFaceHead head = ArcFaceHead.builder().setClasses(2).build();
    assertEquals(30.0, head.getScale());
    assertEquals(0.5, head.getMargin());
    assertEquals(Math.cos(Math.PI - 0.5), head.getThreshold());
    assertEquals(0.5 * Math.sin(0.5), head.getFallbackPenalty(), 1e-16);
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> ArcFaceHead.builder().setClasses(2).optMargin(4).build());
    assertTrue(e.getMessage().contains("margin") && e.getMessage().contains("4.0"), e.getMessage());
  }
}
