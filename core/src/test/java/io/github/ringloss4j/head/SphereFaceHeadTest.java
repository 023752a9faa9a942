package io.github.ringloss4j.head;

import static io.github.ringloss4j.head.HeadTestSupport.W;
import static io.github.ringloss4j.head.HeadTestSupport.X;
import static io.github.ringloss4j.head.HeadTestSupport.Y;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class SphereFaceHeadTest {

  static Stream<DataType> types() {
    return Stream.of(DataType.FLOAT32, DataType.FLOAT64);
  }

  /** ψ by its definition in θ: k = ⌊mθ/π⌋ (k = m − 1 at θ = π), (−1)^k·cos(mθ) − 2k. */
  static double psiReference(double theta, int m) {
    int k = Math.min((int) Math.floor(m * theta / Math.PI), m - 1);
    return (k % 2 == 0 ? 1 : -1) * Math.cos(m * theta) - 2 * k;
  }

  /** The annealing schedule the paper's code uses, written out. */
  static double lambda(long iter) {
    return Math.max(5, 1000 / (1 + 0.12 * iter));
  }

  static SphereFaceHead pure() {
    // λ_base = λ_min = 0: λ = 0, the un-annealed A-softmax target ‖x‖·ψ(θ_y).
    return SphereFaceHead.builder().setClasses(3).optLambdaBase(0).optLambdaMin(0).build();
  }

  @ParameterizedTest
  @MethodSource("types")
  void handExampleWithoutAnnealing(DataType type) {
    try (NDManager manager = NDManager.newBaseManager()) {
      SphereFaceHead head = HeadTestSupport.init(manager, pure(), W, 3, type);
      // Non-target logits ‖x‖·cosθ_j: 5·(0.6, 0.8, 0.28) = (3, 4, 1.4); 5·(−0.8, 0.6, 0.96) =
      // (−4, 3, 4.8); 1·(0, −1, −0.8).
      // Targets ‖x‖·ψ(θ_y), ψ = (−1)^k·T4(c) − 2k, T4(c) = 8c⁴ − 8c² + 1, k = #{c ≤ cos(jπ/4)}:
      //   x0: c = 0.6 ≤ cos(π/4) = 0.7071 only: k = 1; T4 = 1.0368 − 2.88 + 1 = −0.8432;
      //       ψ = 0.8432 − 2 = −1.1568; logit 5·(−1.1568) = −5.784
      //   x1: c = 0.96: k = 0; T4 = 6.79477248 − 7.3728 + 1 = 0.42197248; logit 2.1098624
      //   x2: c = −1 ≤ all three: k = 3; T4 = 1; ψ = −1 − 6 = −7; logit −7
      double[][] expected = {{-5.784, 4, 1.4}, {-4, 3, 2.1098624}, {0, -7, -0.8}};
      NDArray logits = HeadTestSupport.trainLogits(manager, head, X, Y, type);
      assertEquals(type, logits.getDataType());
      HeadTestSupport.assertMatrix(expected, logits, HeadTestSupport.tolerance(type), "logits");
      // CE: x0: log(e^−5.784 + e^4 + e^1.4) − (−5.784) = 4.0716971 + 5.784 = 9.8556971
      //     x1: log(e^−4 + e^3 + e^2.1098624) − 2.1098624 = 3.3446609 − 2.1098624 = 1.2347985
      //     x2: log(e^0 + e^−7 + e^−0.8) − (−7) = 0.3717296 + 7 = 7.3717296
      //     mean = 18.4622252/3 = 6.1540751
      double loss = HeadTestSupport.crossEntropy(manager, logits, Y);
      assertEquals(6.154075079952953, loss, type == DataType.FLOAT64 ? 1e-12 : 1e-5);
      // Inference: ‖x‖·cosθ_j for every class.
      double[][] plain = {{3, 4, 1.4}, {-4, 3, 4.8}, {0, -1, -0.8}};
      HeadTestSupport.assertMatrix(
          plain,
          HeadTestSupport.inferLogits(manager, head, X, type, false),
          HeadTestSupport.tolerance(type),
          "inference logits");
    }
  }

  @ParameterizedTest
  @MethodSource("types")
  void handExampleWithThePapersFirstLambda(DataType type) {
    try (NDManager manager = NDManager.newBaseManager()) {
      SphereFaceHead head =
          HeadTestSupport.init(manager, SphereFaceHead.builder().setClasses(3).build(), W, 3, type);
      // First training forward: iter = 1, λ = 1000/1.12 = 892.8571429.
      // target = ‖x‖·(λ·c + ψ)/(1 + λ):
      //   x0: 5·(892.8571429·0.6 − 1.1568)/893.8571429 = 5·534.5574857/893.8571429 = 2.9901729
      //   x1: 5·(892.8571429·0.96 + 0.4219725)/893.8571429 = 4.7969904
      //   x2: 1·(892.8571429·(−1) − 7)/893.8571429 = −1.0067125
      double[][] expected = {
        {2.9901729263, 4, 1.4}, {-4, 3, 4.7969904166}, {0, -1.006712482, -0.8}
      };
      NDArray logits = HeadTestSupport.trainLogits(manager, head, X, Y, type);
      HeadTestSupport.assertMatrix(
          expected, logits, type == DataType.FLOAT64 ? 1e-10 : 2e-6, "logits");
      assertEquals(1000 / 1.12, head.getLambda(), 1e-9);
      double loss = HeadTestSupport.crossEntropy(manager, logits, Y);
      assertEquals(1.0432200164639924, loss, type == DataType.FLOAT64 ? 1e-9 : 1e-6);
    }
  }

  @Test
  void psiIsDecreasingContinuousAndCos4ThetaOnTheFirstInterval() {
    int n = 4001;
    double[] thetas = new double[n];
    double[] cosines = new double[n];
    for (int i = 0; i < n; i++) {
      thetas[i] = Math.PI * i / (n - 1);
      cosines[i] = Math.cos(thetas[i]);
    }
    // The definition in plain double: strictly decreasing, ψ(kπ/4) = 1 − 2k at the breakpoints.
    for (int i = 1; i < n; i++) {
      assertTrue(psiReference(thetas[i], 4) < psiReference(thetas[i - 1], 4), "θ = " + thetas[i]);
    }
    for (int k = 0; k <= 4; k++) {
      assertEquals(1 - 2 * k, psiReference(k * Math.PI / 4, 4), 1e-12, "ψ(" + k + "π/4)");
    }
    // The NDArray path (Chebyshev polynomial and comparisons, no acos) against the definition.
    try (NDManager manager = NDManager.newBaseManager()) {
      for (DataType type : new DataType[] {DataType.FLOAT64, DataType.FLOAT32}) {
        SphereFaceHead head = SphereFaceHead.builder().setClasses(2).build();
        double[] psi =
            head.psi(manager.create(cosines).toType(type, false))
                .toType(DataType.FLOAT64, false)
                .toDoubleArray();
        // float32 c carries 6e−8; ψ′ in c is bounded by |T4′| ≤ 32 on [−1, 1].
        double tol = type == DataType.FLOAT64 ? 1e-12 : 4e-6;
        for (int i = 0; i < n; i++) {
          assertEquals(psiReference(thetas[i], 4), psi[i], tol, type + " θ = " + thetas[i]);
          if (thetas[i] <= Math.PI / 4) {
            assertEquals(Math.cos(4 * thetas[i]), psi[i], tol, type + " cos4θ at θ = " + thetas[i]);
          }
          if (i > 0 && type == DataType.FLOAT64) {
            assertTrue(psi[i] < psi[i - 1], "NDArray ψ decreasing at θ = " + thetas[i]);
          }
          if (i > 0 && type == DataType.FLOAT32) {
            assertTrue(psi[i] <= psi[i - 1] + 1e-6, "float32 ψ non-increasing at θ = " + thetas[i]);
          }
        }
      }
    }
  }

  @Test
  void otherMarginsFollowTheSameDefinition() {
    try (NDManager manager = NDManager.newBaseManager()) {
      for (int m = 1; m <= 5; m++) {
        SphereFaceHead head = SphereFaceHead.builder().setClasses(2).optMargin(m).build();
        double[] thetas = new double[721];
        double[] cosines = new double[thetas.length];
        for (int i = 0; i < thetas.length; i++) {
          thetas[i] = Math.PI * i / (thetas.length - 1);
          cosines[i] = Math.cos(thetas[i]);
        }
        double[] psi = head.psi(manager.create(cosines)).toDoubleArray();
        for (int i = 0; i < thetas.length; i++) {
          assertEquals(
              psiReference(thetas[i], m), psi[i], 1e-11, "m = " + m + ", θ = " + thetas[i]);
        }
      }
    }
  }

  @Test
  void lambdaFollowsTheScheduleAndSurvivesSaveAndLoad()
      throws IOException, MalformedModelException {
    double[][] x = {{3, 4}};
    float[] y = {0};
    try (NDManager manager = NDManager.newBaseManager()) {
      SphereFaceHead head =
          HeadTestSupport.init(
              manager, SphereFaceHead.builder().setClasses(3).build(), W, 1, DataType.FLOAT64);
      assertEquals(1000, head.getLambda(), 0.0, "before any training forward");
      // Inference forwards do not count.
      HeadTestSupport.inferLogits(manager, head, x, DataType.FLOAT64, false);
      HeadTestSupport.inferLogits(manager, head, x, DataType.FLOAT64, true);
      assertEquals(0, head.getIteration());
      for (int k = 1; k <= 30; k++) {
        double target =
            HeadTestSupport.toMatrix(
                HeadTestSupport.trainLogits(manager, head, x, y, DataType.FLOAT64))[0][0];
        assertEquals(k, head.getIteration());
        assertEquals(lambda(k), head.getLambda(), 1e-12, "λ after " + k + " forwards");
        // The k-th forward used λ(k): x0 = (3, 4), c = 0.6, ψ = −1.1568.
        double l = lambda(k);
        assertEquals(5 * (l * 0.6 - 1.1568) / (1 + l), target, 1e-12, "target at " + k);
      }
      // The floor: 1000/(1 + 0.12k) = 5 at k = 1658.3.
      assertEquals(1000 / (1 + 0.12 * 1658), head.lambdaAt(1658), 1e-12);
      assertEquals(5, head.lambdaAt(1659), 0.0);
      assertEquals(5, head.lambdaAt(1_000_000), 0.0);

      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      head.saveParameters(new DataOutputStream(bytes));
      SphereFaceHead loaded = SphereFaceHead.builder().setClasses(3).build();
      loaded.loadParameters(
          manager, new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
      assertEquals(30, loaded.getIteration());
      assertEquals(lambda(30), loaded.getLambda(), 1e-12);
      double target =
          HeadTestSupport.toMatrix(
              HeadTestSupport.trainLogits(manager, loaded, x, y, DataType.FLOAT64))[0][0];
      assertEquals(lambda(31), loaded.getLambda(), 1e-12, "the schedule continues");
      assertEquals(5 * (lambda(31) * 0.6 - 1.1568) / (1 + lambda(31)), target, 1e-12);

      SphereFaceHead wrong = SphereFaceHead.builder().setClasses(4).build();
      assertThrows(
          MalformedModelException.class,
          () ->
              wrong.loadParameters(
                  manager, new DataInputStream(new ByteArrayInputStream(bytes.toByteArray()))));
    }
  }

  @Test
  void zeroFeatureGivesFiniteLogitsAndGradients() {
    double[][] x = {{0, 0}, {3, 4}};
    HeadTestSupport.Evaluation e =
        HeadTestSupport.evaluate(SphereFaceHeadTest::pure, W, x, new float[] {1, 0}, null);
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
  void validation() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> SphereFaceHead.builder().setClasses(2).optMargin(0).build());
    assertTrue(e.getMessage().contains("margin") && e.getMessage().contains("0"), e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> SphereFaceHead.builder().setClasses(2).optGamma(-1).build());
    assertTrue(e.getMessage().contains("gamma") && e.getMessage().contains("-1"), e.getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () -> SphereFaceHead.builder().setClasses(2).optLambdaMin(Double.NaN).build());
  }
}
