package io.github.ringloss4j.head;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.loss.Loss;
import io.github.ringloss4j.loss.MagFaceRegularizer;
import io.github.ringloss4j.nn.RingOutputs;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class MagFaceHeadTest {

  static Stream<DataType> types() {
    return Stream.of(DataType.FLOAT32, DataType.FLOAT64);
  }

  static MagFaceHead small() {
    return MagFaceHead.builder()
        .setClasses(2)
        .optScale(2)
        .optNormBounds(1, 3)
        .optMarginBounds(0.2, 0.6)
        .optLambdaG(1)
        .build();
  }

  /**
   * The official forward and g in plain double (MagLinear, easy_margin=False; MagLoss), for one
   * sample: the logits, then g(a) as the last entry.
   */
  static double[] reference(MagFaceHead head, double[][] w, double[] x, int y) {
    double n = HeadTestSupport.norm(x);
    double a = Math.min(Math.max(n, head.getLowerNorm()), head.getUpperNorm());
    double m =
        (head.getUpperMargin() - head.getLowerMargin())
                / (head.getUpperNorm() - head.getLowerNorm())
                * (a - head.getLowerNorm())
            + head.getLowerMargin();
    double[] out = new double[w.length + 1];
    for (int j = 0; j < w.length; j++) {
      out[j] = head.getScale() * HeadTestSupport.cosine(x, w[j]);
    }
    double c = Math.max(-1, Math.min(1, HeadTestSupport.cosine(x, w[y])));
    double phi =
        c > Math.cos(Math.PI - m)
            ? c * Math.cos(m)
                - Math.sqrt(Math.max(1 - c * c, ArcFaceHead.SINE_SQUARED_FLOOR)) * Math.sin(m)
            : c - Math.sin(Math.PI - m) * m;
    out[y] = head.getScale() * phi;
    out[w.length] = 1 / a + a / (head.getUpperNorm() * head.getUpperNorm());
    return out;
  }

  @ParameterizedTest
  @MethodSource("types")
  void handExample(DataType type) {
    try (NDManager manager = NDManager.newBaseManager()) {
      // W0 = (1, 0), W1 = (0, 2): unit rows (1, 0), (0, 1). s = 2, [l_a, u_a] = [1, 3],
      // [l_m, u_m] = [0.2, 0.6], so m(a) = 0.2·(a − 1) + 0.2, λ_g = 1.
      //   x0 = (1.2, 1.6), y = 0: ‖x‖ = 2 = a, m = 0.4; x̂ = (0.6, 0.8), cos = (0.6, 0.8), sinθ0 =
      // 0.8.
      //     switch cos(π − 0.4) = −0.9210610 < 0.6: φ = 0.6·cos 0.4 − 0.8·sin 0.4
      //     = 0.6·0.9210609940 − 0.8·0.3894183423 = 0.2411019226; logits (0.4822038451, 1.6)
      //     g = 1/2 + 2/9 = 0.7222222222
      //   x1 = (0, −5), y = 1: ‖x‖ = 5, a = 3 (clipped), m = 0.6; x̂ = (0, −1), cos = (0, −1).
      //     switch cos(π − 0.6) = −0.8253356 ≥ −1: fallback φ = −1 − sin(π − 0.6)·0.6
      //     = −1 − 0.5646424734·0.6 = −1.3387854840; logits (0, −2.6775709681)
      //     g = 1/3 + 3/9 = 0.6666666667
      // λ_g·mean g = (0.7222222222 + 0.6666666667)/2 = 0.6944444444
      double[][] w = {{1, 0}, {0, 2}};
      double[][] x = {{1.2, 1.6}, {0, -5}};
      float[] y = {0, 1};
      MagFaceHead head = HeadTestSupport.init(manager, small(), w, 2, type);
      NDList out = HeadTestSupport.trainOutputs(manager, head, x, y, type);
      double tol = HeadTestSupport.tolerance(type);
      HeadTestSupport.assertMatrix(
          new double[][] {{0.4822038451096211, 1.6}, {0, -2.6775709680740425}},
          out.head(),
          tol,
          "margin logits");
      HeadTestSupport.assertMatrix(
          new double[][] {{1.2, 1.6}, {0, -2}}, HeadAccuracy.plainLogits(out), tol, "plain");
      HeadTestSupport.assertMatrix(
          new double[][] {{1.2, 1.6}, {0, -2}},
          HeadTestSupport.inferLogits(manager, head, x, type, false),
          tol,
          "inference");
      NDArray features = manager.create(x).toType(type, false);
      features.setName(RingOutputs.EMBEDDING);
      assertArrayEquals(
          new double[] {0.7222222222222222, 0.6666666666666666},
          head.regularizer(features).toType(DataType.FLOAT64, false).toDoubleArray(),
          tol);
      NDArray term =
          MagFaceRegularizer.onRingModel(head)
              .evaluate(new NDList(manager.create(y)), new NDList(features));
      assertEquals(0.6944444444444444, term.toType(DataType.FLOAT64, false).getDouble(), tol);
      // The one-call loss: CE on the margin logits + the term.
      NDArray logits = out.head();
      logits.setName(RingOutputs.LOGITS);
      double ce = HeadTestSupport.crossEntropy(manager, logits, y);
      Loss all = MagFaceRegularizer.magFaceLoss(head);
      double total =
          all.evaluate(new NDList(manager.create(y)), new NDList(logits, features))
              .toType(DataType.FLOAT64, false)
              .getDouble();
      assertEquals(ce + 0.6944444444444444, total, tol * 10);
    }
  }

  @ParameterizedTest
  @MethodSource("types")
  void matchesThePlainDoubleReferenceOnRandomInputs(DataType type) {
    Random random = new Random(5);
    int classes = 4;
    int d = 3;
    double[][] w = new double[classes][d];
    double[][] x = new double[40][d];
    float[] y = new float[x.length];
    for (double[] row : w) {
      for (int j = 0; j < d; j++) {
        row[j] = random.nextGaussian();
      }
    }
    for (int i = 0; i < x.length; i++) {
      // Norms from about 0.5 to 150: below l_a, inside, above u_a with the defaults.
      double scale = Math.exp(random.nextDouble() * 5.7 - 0.7);
      for (int j = 0; j < d; j++) {
        x[i][j] = random.nextGaussian() * scale;
      }
      y[i] = random.nextInt(classes);
    }
    // One sample opposite its class: the fallback branch.
    for (int j = 0; j < d; j++) {
      x[0][j] = -20 * w[(int) y[0]][j];
    }
    try (NDManager manager = NDManager.newBaseManager()) {
      MagFaceHead head =
          HeadTestSupport.init(
              manager, MagFaceHead.builder().setClasses(classes).build(), w, x.length, type);
      NDArray logits = HeadTestSupport.trainLogits(manager, head, x, y, type);
      double[] g =
          head.regularizer(manager.create(x).toType(type, false))
              .toType(DataType.FLOAT64, false)
              .toDoubleArray();
      double[][] expected = new double[x.length][];
      for (int i = 0; i < x.length; i++) {
        double[] r = reference(head, w, x[i], (int) y[i]);
        expected[i] = java.util.Arrays.copyOf(r, classes);
        assertEquals(r[classes], g[i], HeadTestSupport.tolerance(type), "g " + i);
      }
      // float32 logits at s = 64 carry s·2e−6 of rounding.
      HeadTestSupport.assertMatrix(
          expected, logits, type == DataType.FLOAT64 ? 1e-12 : 1e-5, "logits " + type);
      assertTrue(
          HeadTestSupport.cosine(x[0], w[(int) y[0]]) < -0.99, "sample 0 is in the fallback");
    }
  }
}
