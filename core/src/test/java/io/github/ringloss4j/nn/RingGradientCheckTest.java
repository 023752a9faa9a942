package io.github.ringloss4j.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.ringloss4j.penalty.BarronPenalty;
import io.github.ringloss4j.penalty.CauchyPenalty;
import io.github.ringloss4j.penalty.GemanMcClurePenalty;
import io.github.ringloss4j.penalty.HuberPenalty;
import io.github.ringloss4j.penalty.KerasHuberPenalty;
import io.github.ringloss4j.penalty.Penalty;
import io.github.ringloss4j.penalty.PenaltyReferences;
import io.github.ringloss4j.penalty.SquaredPenalty;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Central finite differences in float64 of L = λ·mean_i ρ(‖f_i‖ − R) with respect to every f_ij and
 * R, against autograd and against the analytic gradient built from the reference ρ′:
 *
 * <pre>
 *   ∂L/∂f_i = (λ/m)·ρ′(e_i)·f_i/‖f_i‖,     ∂L/∂R = −(λ/m)·Σ_i ρ′(e_i).
 * </pre>
 */
class RingGradientCheckTest {

  private static final double LAMBDA = 0.7;
  private static final double H = 1e-6;
  private static final double KINK_MARGIN = 1e-3;

  static Stream<Penalty> penalties() {
    return Stream.of(
        SquaredPenalty.INSTANCE,
        new HuberPenalty(1),
        new HuberPenalty(0.4),
        new KerasHuberPenalty(1),
        new CauchyPenalty(CauchyPenalty.DEFAULT_SCALE),
        new GemanMcClurePenalty(1),
        new GemanMcClurePenalty(2.5),
        new BarronPenalty(2, 1),
        new BarronPenalty(1, 1),
        new BarronPenalty(0, 1),
        new BarronPenalty(-2, 1),
        new BarronPenalty(Double.NEGATIVE_INFINITY, 1.5),
        new BarronPenalty(1.5, 0.8),
        new BarronPenalty(0.5, 1),
        new BarronPenalty(-1, 2),
        new BarronPenalty(4, 1));
  }

  /**
   * Features with norms spread over [0.5, 4.5] around R = 2.5, none within the margin of a kink.
   */
  static double[][] features(Penalty penalty, double radius, long seed) {
    Random random = new Random(seed);
    double[][] f = new double[5][3];
    for (int i = 0; i < f.length; i++) {
      while (true) {
        double norm = 0.5 + 4 * random.nextDouble();
        double[] dir = {random.nextGaussian(), random.nextGaussian(), random.nextGaussian()};
        double len = Math.sqrt(dir[0] * dir[0] + dir[1] * dir[1] + dir[2] * dir[2]);
        if (distanceToKink(penalty, norm - radius) > 2 * KINK_MARGIN) {
          for (int j = 0; j < 3; j++) {
            f[i][j] = dir[j] / len * norm;
          }
          break;
        }
      }
    }
    return f;
  }

  static double distanceToKink(Penalty penalty, double e) {
    double d = Double.POSITIVE_INFINITY;
    for (double k : PenaltyReferences.kinks(penalty)) {
      d = Math.min(d, Math.abs(e - k));
    }
    return d;
  }

  static double norm(double[] v) {
    double s = 0;
    for (double x : v) {
      s += x * x;
    }
    return Math.sqrt(s);
  }

  static void assertClose(double expected, double actual, double rel, String what) {
    double tolerance = rel * Math.max(Math.abs(expected), Math.abs(actual)) + 1e-9;
    assertEquals(expected, actual, tolerance, what);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("penalties")
  void gradientsMatchFiniteDifferencesAndAnalyticForm(Penalty penalty) {
    double radius = 2.5;
    double[][] f = features(penalty, radius, 42);
    RingTestSupport.Evaluation auto = RingTestSupport.evaluate(penalty, radius, LAMBDA, f);
    int m = f.length;

    // The sample stays away from the kinks even after the finite-difference steps.
    for (double[] row : f) {
      assertTrue(distanceToKink(penalty, norm(row) - radius) > KINK_MARGIN, "sample near a kink");
    }

    double analyticR = 0;
    for (int i = 0; i < m; i++) {
      double n = norm(f[i]);
      double d = PenaltyReferences.derivative(penalty, n - radius);
      analyticR -= LAMBDA / m * d;
      for (int j = 0; j < f[i].length; j++) {
        double analytic = LAMBDA / m * d * f[i][j] / n;
        double[][] plus = copy(f);
        double[][] minus = copy(f);
        plus[i][j] += H;
        minus[i][j] -= H;
        double fd =
            (RingTestSupport.lossOnly(penalty, radius, LAMBDA, plus)
                    - RingTestSupport.lossOnly(penalty, radius, LAMBDA, minus))
                / (2 * H);
        String at = penalty + " dL/df[" + i + "][" + j + "]";
        assertClose(fd, auto.gradF()[i][j], 1e-6, at + " autograd vs finite difference");
        assertClose(analytic, auto.gradF()[i][j], 1e-12, at + " autograd vs analytic");
      }
    }
    double fdR =
        (RingTestSupport.lossOnly(penalty, radius + H, LAMBDA, f)
                - RingTestSupport.lossOnly(penalty, radius - H, LAMBDA, f))
            / (2 * H);
    assertClose(fdR, auto.gradR(), 1e-6, penalty + " dL/dR autograd vs finite difference");
    assertClose(analyticR, auto.gradR(), 1e-12, penalty + " dL/dR autograd vs analytic");
  }

  private static double[][] copy(double[][] f) {
    double[][] c = new double[f.length][];
    for (int i = 0; i < f.length; i++) {
      c[i] = f[i].clone();
    }
    return c;
  }
}
