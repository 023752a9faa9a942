package io.github.ringloss4j.head;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.training.GradientCollector;
import ai.djl.training.loss.Loss;
import io.github.ringloss4j.loss.MagFaceRegularizer;
import io.github.ringloss4j.nn.RingOutputs;
import java.util.Random;
import java.util.function.DoubleFunction;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Central finite differences in float64 of L = CE(head(x), y) with respect to every feature x_ij,
 * every class weight W_jk and a learned scale, against autograd. The samples stay away from the
 * switches where a head is not differentiable: ArcFace's θ + m = π and its sine floor at cosθ = ±1,
 * SphereFace's breakpoints kπ/m; the tests assert it.
 *
 * <p>The norm-aware heads have their own checks: MagFace of the whole MagFace loss, CE + λ_g·mean
 * g(a), whose gradient reaches x also through a = ‖x‖ (margin and regulariser); AdaFace of CE on
 * its margin logits with the scaler ŝ held, as the official code detaches it (the running
 * statistics would otherwise move with every evaluation).
 */
class HeadGradientCheckTest {

  private static final double H = 1e-6;
  private static final double REL = 1e-5;
  private static final double ABS = 1e-8;
  private static final double SWITCH_MARGIN = 1e-2;
  private static final int CLASSES = 3;
  private static final int DIM = 3;

  /** A head family: builds a head given its (learned) scale's starting value. */
  record Case(String name, DoubleFunction<Block> factory, double scale, String scaleName) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Arguments> cases() {
    return Stream.of(
        Arguments.of(
            new Case(
                "l2softmax",
                s -> L2SoftmaxHead.builder().setClasses(CLASSES).optScale(s).build(),
                3,
                null)),
        Arguments.of(
            new Case(
                "l2softmax learned α",
                s ->
                    L2SoftmaxHead.builder()
                        .setClasses(CLASSES)
                        .optScale(s)
                        .optLearnScale(true)
                        .build(),
                3,
                L2SoftmaxHead.SCALE)),
        Arguments.of(
            new Case(
                "normface",
                s -> NormFaceHead.builder().setClasses(CLASSES).optScale(s).build(),
                4,
                null)),
        Arguments.of(
            new Case(
                "normface learned s",
                s ->
                    NormFaceHead.builder()
                        .setClasses(CLASSES)
                        .optScale(s)
                        .optLearnScale(true)
                        .build(),
                4,
                CosineMarginHead.SCALE)),
        Arguments.of(
            new Case(
                "cosface",
                s -> CosFaceHead.builder().setClasses(CLASSES).optScale(s).optMargin(0.35).build(),
                4,
                null)),
        Arguments.of(
            new Case(
                "arcface",
                s -> ArcFaceHead.builder().setClasses(CLASSES).optScale(s).optMargin(0.5).build(),
                4,
                null)),
        Arguments.of(
            new Case(
                "arcface learned s",
                s ->
                    ArcFaceHead.builder()
                        .setClasses(CLASSES)
                        .optScale(s)
                        .optMargin(0.5)
                        .optLearnScale(true)
                        .build(),
                4,
                CosineMarginHead.SCALE)),
        Arguments.of(
            new Case(
                "sphereface annealed",
                // A fresh head per evaluation: every loss is the first forward, λ = 1000/1.12.
                s -> SphereFaceHead.builder().setClasses(CLASSES).build(),
                1,
                null)),
        Arguments.of(
            new Case(
                "sphereface λ = 0",
                s ->
                    SphereFaceHead.builder()
                        .setClasses(CLASSES)
                        .optLambdaBase(0)
                        .optLambdaMin(0)
                        .build(),
                1,
                null)));
  }

  /** The distance of a target cosine from the nearest point where the head is not smooth. */
  static double distanceToSwitch(String name, double c) {
    double d = Double.POSITIVE_INFINITY;
    if (name.startsWith("arcface")) {
      d = Math.min(Math.abs(c - Math.cos(Math.PI - 0.5)), 1 - Math.abs(c));
    }
    if (name.startsWith("sphereface")) {
      for (int j = 1; j < 4; j++) {
        d = Math.min(d, Math.abs(c - Math.cos(j * Math.PI / 4)));
      }
      d = Math.min(d, 1 - Math.abs(c));
    }
    return d;
  }

  static double[][] randomMatrix(Random random, int rows, double scale) {
    double[][] a = new double[rows][DIM];
    for (double[] row : a) {
      for (int j = 0; j < DIM; j++) {
        row[j] = random.nextGaussian() * scale;
      }
    }
    return a;
  }

  static double minDistance(Case c, double[][] w, double[][] x, float[] y) {
    double d = Double.POSITIVE_INFINITY;
    for (int i = 0; i < x.length; i++) {
      d = Math.min(d, distanceToSwitch(c.name(), HeadTestSupport.cosine(x[i], w[(int) y[i]])));
    }
    return d;
  }

  static void assertClose(double autograd, double fd, String what) {
    double tolerance = REL * Math.max(Math.abs(autograd), Math.abs(fd)) + ABS;
    assertEquals(
        fd, autograd, tolerance, what + ": finite difference " + fd + " vs autograd " + autograd);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void gradientsMatchCentralFiniteDifferences(Case c) {
    Random random = new Random(17);
    double[][] w;
    double[][] x;
    float[] y = {0, 1, 2, 1, 0, 2};
    // Draw until every target cosine is well away from the head's switches; the margin covers the
    // finite-difference steps (a step of 1e−6 in x or W moves a cosine by far less than 1e−2).
    do {
      w = randomMatrix(random, CLASSES, 1);
      x = randomMatrix(random, y.length, 1.5);
      // One sample nearly opposite its class weight: ArcFace's fallback region, SphereFace's k = 3.
      for (int j = 0; j < DIM; j++) {
        x[5][j] = -1.5 * w[2][j] + 0.2 * random.nextGaussian();
      }
    } while (minDistance(c, w, x, y) < 2 * SWITCH_MARGIN);
    assertTrue(minDistance(c, w, x, y) > SWITCH_MARGIN, "sample near a switch");
    assertTrue(
        HeadTestSupport.cosine(x[5], w[2]) < Math.cos(Math.PI - 0.5) - SWITCH_MARGIN,
        "one sample in ArcFace's fallback region");
    Supplier<Block> head = () -> c.factory().apply(c.scale());
    HeadTestSupport.Evaluation auto = HeadTestSupport.evaluate(head, w, x, y, c.scaleName());
    assertTrue(Double.isFinite(auto.loss()));
    // ∂L/∂x_ij = (1/m)·∂ℓ_i/∂x_ij: all 2·m·d perturbed samples in one batch.
    int m = x.length;
    double[][] perturbed = new double[2 * m * DIM][];
    float[] labels = new float[perturbed.length];
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < DIM; j++) {
        int row = 2 * (i * DIM + j);
        perturbed[row] = x[i].clone();
        perturbed[row][j] += H;
        perturbed[row + 1] = x[i].clone();
        perturbed[row + 1][j] -= H;
        labels[row] = y[i];
        labels[row + 1] = y[i];
      }
    }
    double[] losses = HeadTestSupport.perSampleLosses(head, w, perturbed, labels);
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < DIM; j++) {
        int row = 2 * (i * DIM + j);
        double fd = (losses[row] - losses[row + 1]) / (2 * H * m);
        assertClose(auto.gradX()[i][j], fd, c + " ∂L/∂x[" + i + "][" + j + "]");
      }
    }
    for (int k = 0; k < CLASSES; k++) {
      for (int j = 0; j < DIM; j++) {
        double[][] plus = HeadTestSupport.copy(w);
        double[][] minus = HeadTestSupport.copy(w);
        plus[k][j] += H;
        minus[k][j] -= H;
        double fd =
            (HeadTestSupport.lossOnly(head, plus, x, y)
                    - HeadTestSupport.lossOnly(head, minus, x, y))
                / (2 * H);
        assertClose(auto.gradW()[k][j], fd, c + " ∂L/∂W[" + k + "][" + j + "]");
      }
    }
    if (c.scaleName() != null) {
      Supplier<Block> up = () -> c.factory().apply(c.scale() + H);
      Supplier<Block> down = () -> c.factory().apply(c.scale() - H);
      double fd =
          (HeadTestSupport.lossOnly(up, w, x, y) - HeadTestSupport.lossOnly(down, w, x, y))
              / (2 * H);
      assertClose(auto.gradScale(), fd, c + " ∂L/∂scale");
    }
  }

  /** A scalar loss of the features x and class weights W, as arrays in float64. */
  interface ArrayLoss {
    NDArray apply(NDArray x, NDArray w);
  }

  private static double value(ArrayLoss loss, double[][] w, double[][] x) {
    try (NDManager manager = NDManager.newBaseManager()) {
      return loss.apply(manager.create(x), manager.create(w)).getDouble();
    }
  }

  /** Autograd of {@code loss} against central finite differences in every x_ij and W_kj. */
  static void checkGradients(String name, ArrayLoss loss, double[][] w, double[][] x) {
    double[][] gradX;
    double[][] gradW;
    try (NDManager manager = NDManager.newBaseManager()) {
      NDArray xs = manager.create(x);
      NDArray ws = manager.create(w);
      xs.setRequiresGradient(true);
      ws.setRequiresGradient(true);
      try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
        NDArray l = loss.apply(xs, ws);
        assertTrue(Double.isFinite(l.getDouble()), name);
        collector.backward(l);
      }
      gradX = HeadTestSupport.toMatrix(xs.getGradient());
      gradW = HeadTestSupport.toMatrix(ws.getGradient());
    }
    double[][][] points = {x, w};
    double[][][] grads = {gradX, gradW};
    for (int p = 0; p < 2; p++) {
      for (int i = 0; i < points[p].length; i++) {
        for (int j = 0; j < DIM; j++) {
          double[][] plus = HeadTestSupport.copy(points[p]);
          double[][] minus = HeadTestSupport.copy(points[p]);
          plus[i][j] += H;
          minus[i][j] -= H;
          double fd =
              p == 0
                  ? (value(loss, w, plus) - value(loss, w, minus)) / (2 * H)
                  : (value(loss, plus, x) - value(loss, minus, x)) / (2 * H);
          assertClose(
              grads[p][i][j], fd, name + " ∂L/∂" + (p == 0 ? "x" : "W") + "[" + i + "][" + j + "]");
        }
      }
    }
  }

  @Test
  void magFaceLossGradientsIncludeTheNormPath() {
    MagFaceHead head =
        MagFaceHead.builder()
            .setClasses(CLASSES)
            .optScale(4)
            .optNormBounds(1, 3)
            .optMarginBounds(0.2, 0.6)
            .optLambdaG(2)
            .build();
    float[] y = {0, 1, 2, 1, 0, 2, 1};
    Random random = new Random(23);
    double[][] w;
    double[][] x;
    double distance;
    do {
      w = randomMatrix(random, CLASSES, 1);
      x = randomMatrix(random, y.length, 1.2);
      for (int j = 0; j < DIM; j++) {
        x[5][j] = -1.2 * w[2][j] + 0.2 * random.nextGaussian(); // the fallback branch
        x[6][j] = 3 * x[6][j]; // most likely above u_a: a clipped, no norm gradient
      }
      distance = Double.POSITIVE_INFINITY;
      for (int i = 0; i < x.length; i++) {
        double n = HeadTestSupport.norm(x[i]);
        double a = Math.min(Math.max(n, 1), 3);
        double m = 0.2 * (a - 1) + 0.2;
        double c = HeadTestSupport.cosine(x[i], w[(int) y[i]]);
        distance =
            Math.min(
                distance,
                Math.min(
                    Math.min(Math.abs(n - 1), Math.abs(n - 3)),
                    Math.min(Math.abs(c - Math.cos(Math.PI - m)), 1 - Math.abs(c))));
      }
    } while (distance < 2 * SWITCH_MARGIN);
    assertTrue(HeadTestSupport.norm(x[6]) > 3 && HeadTestSupport.norm(x[0]) < 3);
    float[] labels = y;
    ArrayLoss loss =
        (xs, ws) -> {
          NDManager manager = xs.getManager();
          NDArray cos = HeadSupport.cosines(xs, ws);
          NDArray logits = head.trainingOutputs(xs, cos, manager.create(labels)).head();
          NDArray ce =
              Loss.softmaxCrossEntropyLoss()
                  .evaluate(new NDList(manager.create(labels)), new NDList(logits));
          xs.setName(RingOutputs.EMBEDDING);
          NDArray g =
              MagFaceRegularizer.onRingModel(head)
                  .evaluate(new NDList(manager.create(labels)), new NDList(xs));
          return ce.add(g);
        };
    checkGradients("magface", loss, w, x);
  }

  @Test
  void adaFaceGradientsWithTheScalerHeld() {
    AdaFaceHead head = AdaFaceHead.builder().setClasses(CLASSES).optScale(4).optMargin(0.4).build();
    float[] y = {0, 1, 2, 1, 0, 2};
    double[] scaler = {-1, -0.4, 0, 0.3, 0.9, 1};
    Random random = new Random(29);
    double[][] w;
    double[][] x;
    double distance;
    do {
      w = randomMatrix(random, CLASSES, 1);
      x = randomMatrix(random, y.length, 1.5);
      distance = Double.POSITIVE_INFINITY;
      for (int i = 0; i < x.length; i++) {
        for (int k = 0; k < CLASSES; k++) {
          double c = HeadTestSupport.cosine(x[i], w[k]);
          distance = Math.min(distance, 1 - AdaFaceHead.EPS - Math.abs(c));
          if (k == y[i]) {
            double theta = Math.acos(c) - 0.4 * scaler[i];
            distance =
                Math.min(
                    distance, Math.min(theta - AdaFaceHead.EPS, Math.PI - AdaFaceHead.EPS - theta));
          }
        }
      }
    } while (distance < 2 * SWITCH_MARGIN);
    ArrayLoss loss =
        (xs, ws) -> {
          NDManager manager = xs.getManager();
          NDArray oneHot = manager.create(y).oneHot(CLASSES, xs.getDataType());
          NDArray logits =
              head.marginLogits(HeadSupport.cosines(xs, ws), oneHot, manager.create(scaler));
          return Loss.softmaxCrossEntropyLoss()
              .evaluate(new NDList(manager.create(y)), new NDList(logits));
        };
    checkGradients("adaface", loss, w, x);
  }
}
