package io.github.ringloss4j.penalty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.types.DataType;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class PenaltyPropertiesTest {

  static Stream<ReferencePenalty> penalties() {
    return AllPenalties.all().stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("penalties")
  void zeroAtZero(ReferencePenalty penalty) {
    assertEquals(0.0, penalty.value(0));
    assertEquals(0.0, penalty.derivative(0));
    assertEquals(0.0, PenaltyEval.apply(penalty, DataType.FLOAT32, 0.0));
    assertEquals(0.0, PenaltyEval.apply(penalty, DataType.FLOAT64, 0.0));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("penalties")
  void derivativeHasTheSignOfTheResidualAndSymmetryHolds(ReferencePenalty penalty) {
    for (double e = -20; e <= 20; e += 0.37) {
      if (penalty.isSymmetric()) {
        assertEquals(Math.signum(e), Math.signum(penalty.derivative(e)), penalty + " at " + e);
        assertEquals(penalty.value(e), penalty.value(-e), 0.0, penalty + " symmetric at " + e);
      }
      assertTrue(penalty.value(e) >= 0, penalty + " non-negative at " + e);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("penalties")
  void quadraticNearZero(ReferencePenalty penalty) {
    // Every penalty is ½e² to first order, so λ means the same whichever is chosen.
    double e = 1e-4;
    assertEquals(0.5 * e * e, penalty.value(e), 1e-6 * 0.5 * e * e * 1e3, penalty.toString());
  }

  @Test
  void huberWithHugeDeltaIsSquared() {
    for (ReferencePenalty huge :
        new ReferencePenalty[] {
          new HuberPenalty(1e12), new HuberPenalty(Double.POSITIVE_INFINITY)
        }) {
      double[] e = {-300, -2, -0.1, 0, 0.5, 7, 1e5};
      double[] nd = PenaltyEval.apply(huge, DataType.FLOAT64, e);
      double[] sq = PenaltyEval.apply(SquaredPenalty.INSTANCE, DataType.FLOAT64, e);
      for (int i = 0; i < e.length; i++) {
        assertEquals(sq[i], nd[i], 0.0, huge + " at " + e[i]);
        assertEquals(SquaredPenalty.INSTANCE.derivative(e[i]), huge.derivative(e[i]), 0.0);
      }
    }
  }

  @Test
  void barronSpecialCasesAreTheirNamedPenalties() {
    double[] e = {-9, -1.3, -0.2, 0.01, 0.7, 2, 15};
    for (double c : new double[] {0.5, 1, 3}) {
      // α=2 is ½e² whatever c (scaled by c²): Squared.
      assertSame(SquaredPenalty.INSTANCE, new BarronPenalty(2, c), e);
      // α=0 with scale c is c²·ln(1 + ½(e/c)²) = Cauchy with scale c·√2.
      assertSame(new CauchyPenalty(c * Math.sqrt(2)), new BarronPenalty(0, c), e);
      // α=−2 with scale c is 2e²c²/(e² + 4c²) = Geman-McClure with scale 2c.
      assertSame(new GemanMcClurePenalty(2 * c), new BarronPenalty(-2, c), e);
    }
  }

  private static void assertSame(ReferencePenalty expected, ReferencePenalty actual, double[] e) {
    double[] a = PenaltyEval.apply(expected, DataType.FLOAT64, e);
    double[] b = PenaltyEval.apply(actual, DataType.FLOAT64, e);
    for (int i = 0; i < e.length; i++) {
      assertEquals(a[i], b[i], 1e-14 * Math.abs(a[i]), actual + " vs " + expected + " at " + e[i]);
      double d = expected.derivative(e[i]);
      assertEquals(d, actual.derivative(e[i]), 1e-14 * Math.abs(d), actual + " derivative");
    }
  }

  @Test
  void barronIsContinuousThroughItsSpecialValues() {
    double[] e = {-6, -1, -0.05, 0.3, 2.5, 40};
    for (double alpha : new double[] {2, 1, 0, -2}) {
      double[] at = PenaltyEval.apply(new BarronPenalty(alpha, 1.2), DataType.FLOAT64, e);
      for (double delta : new double[] {1e-3, 1e-6, 1e-9, -1e-9, -1e-6, -1e-3}) {
        double[] near =
            PenaltyEval.apply(new BarronPenalty(alpha + delta, 1.2), DataType.FLOAT64, e);
        for (int i = 0; i < e.length; i++) {
          // |ρ(α+δ) − ρ(α)| is O(δ·ρ·ln(1 + z)) and, next to α = 2 where β = |δ|, O(δ·ρ·ln(1/δ)).
          double log = 2 + Math.log1p(e[i] * e[i]) + Math.abs(Math.log(Math.abs(delta)));
          double bound = 2 * Math.abs(delta) * at[i] * log + 1e-13 * at[i];
          assertEquals(at[i], near[i], bound, "alpha=" + alpha + "+" + delta + " at " + e[i]);
        }
      }
    }
    double[] welsch =
        PenaltyEval.apply(new BarronPenalty(Double.NEGATIVE_INFINITY, 1), DataType.FLOAT64, e);
    double[] veryNegative = PenaltyEval.apply(new BarronPenalty(-1e7, 1), DataType.FLOAT64, e);
    for (int i = 0; i < e.length; i++) {
      assertEquals(welsch[i], veryNegative[i], 1e-6, "alpha=-1e7 approaches -inf at " + e[i]);
    }
  }

  @Test
  void parseKnowsEveryNameAndRejectsUnknownOnes() {
    assertEquals("Squared()", Penalties.parse("squared").toString());
    assertEquals("Squared()", Penalties.parse("L2").toString());
    assertEquals("Huber(delta=0.5)", Penalties.parse("huber(delta=0.5)").toString());
    assertEquals("Huber(delta=1.0)", Penalties.parse("smoothl1").toString());
    assertEquals("Cauchy(scale=2.3849)", Penalties.parse("cauchy").toString());
    assertEquals("GemanMcClure(scale=1.0)", Penalties.parse("geman").toString());
    assertEquals(
        "Barron(alpha=-Infinity, scale=2.0)",
        Penalties.parse("barron(alpha=-inf, scale=2)").toString());
    assertEquals("KerasHuber(delta=1.0)", Penalties.parse("keras-huber").toString());
    IllegalArgumentException unknown =
        assertThrows(IllegalArgumentException.class, () -> Penalties.parse("hubert"));
    assertTrue(unknown.getMessage().contains("hubert"), unknown.getMessage());
    for (String name : Penalties.NAMES) {
      assertTrue(
          unknown.getMessage().contains(name), "lists " + name + ": " + unknown.getMessage());
    }
    IllegalArgumentException badKey =
        assertThrows(IllegalArgumentException.class, () -> Penalties.parse("huber(scale=2)"));
    assertTrue(badKey.getMessage().contains("delta"), badKey.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Penalties.parse("huber(delta=-1)"));
    assertThrows(IllegalArgumentException.class, () -> Penalties.parse("cauchy(scale=abc)"));
  }

  @Test
  void kerasPresetReproducesThePackage() {
    // The package's 'huber' and its older 'smoothl1' are the asymmetric Huber: −3 → ½·9 = 4.5.
    assertEquals(4.5, PenaltyReferences.value(Penalties.keras("huber"), -3));
    assertEquals(4.5, PenaltyReferences.value(Penalties.keras("smoothl1"), -3));
    assertEquals(4.5, PenaltyReferences.value(Penalties.keras("l2"), -3));
    // 'geman' is 0.5·e²/(e² + 1): at 1, 0.25
    assertEquals(0.25, PenaltyReferences.value(Penalties.keras("geman"), 1), 1e-16);
    // 'cauchy' with c = 2.3849
    assertEquals(
        new CauchyPenalty(2.3849).value(1.7),
        PenaltyReferences.value(Penalties.keras("cauchy"), 1.7));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Penalties.keras("tukey"));
    assertTrue(e.getMessage().contains("silently"), e.getMessage());
  }
}
