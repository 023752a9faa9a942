package io.github.ringloss4j.head;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.nn.Block;
import java.util.Random;
import java.util.function.DoubleFunction;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Central finite differences in float64 of L = CE(head(x), y) with respect to every feature x_ij,
 * every class weight W_jk and a learned scale, against autograd. The samples stay away from the
 * switches where a head is not differentiable: ArcFace's θ + m = π and its sine floor at cosθ = ±1,
 * SphereFace's breakpoints kπ/m; the tests assert it.
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
}
