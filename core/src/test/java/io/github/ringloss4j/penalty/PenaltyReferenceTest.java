package io.github.ringloss4j.penalty;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.types.DataType;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Each NDArray penalty against its plain-double reference over a sweep that includes the kinks. */
class PenaltyReferenceTest {

  static Stream<ReferencePenalty> penalties() {
    return AllPenalties.all().stream();
  }

  /** −50…50 on a fine grid, tiny residuals, the kinks and their float neighbours. */
  static double[] sweep(ReferencePenalty penalty) {
    List<Double> values = new ArrayList<>();
    for (int i = -500; i <= 500; i++) {
      values.add(i * 0.1);
    }
    for (double tiny : new double[] {1e-3, 1e-6, 1e-9, 1e-12, 1e-20, 1e-150}) {
      values.add(tiny);
      values.add(-tiny);
    }
    for (double k : penalty.kinks()) {
      values.add(k);
      values.add(Math.nextUp(k));
      values.add(Math.nextDown(k));
      values.add(k + 1e-7);
      values.add(k - 1e-7);
    }
    values.add(1e6);
    values.add(-1e6);
    return values.stream().mapToDouble(Double::doubleValue).toArray();
  }

  /**
   * How many ulps of relative error the formula itself amplifies. 1 for every closed form; for
   * Barron's generic branch ρ ∝ L·expm1(y)/y with L = log1p(z/β), y = αL/2, the engine's one-ulp
   * errors in log and exp are multiplied by about 1 + |y| + |L|.
   */
  static double conditioning(ReferencePenalty penalty, double e) {
    if (penalty instanceof BarronPenalty) {
      BarronPenalty b = (BarronPenalty) penalty;
      double a = b.alpha();
      if (a != 2 && a != 1 && a != 0 && a != -2 && a != Double.NEGATIVE_INFINITY) {
        double z = (e / b.scale()) * (e / b.scale());
        double l = Math.log1p(z / Math.abs(a - 2));
        return 1 + Math.abs(0.5 * a * l) + Math.abs(l);
      }
    }
    return 1;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("penalties")
  void float64AgreesWithReference(ReferencePenalty penalty) {
    double[] e = sweep(penalty);
    double[] nd = PenaltyEval.apply(penalty, DataType.FLOAT64, e);
    for (int i = 0; i < e.length; i++) {
      double ref = penalty.value(e[i]);
      double tolerance = 8 * conditioning(penalty, e[i]) * Math.ulp(ref) + 1e-300;
      assertEquals(ref, nd[i], tolerance, penalty + " at e=" + e[i]);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("penalties")
  void float32AgreesWithReference(ReferencePenalty penalty) {
    double[] e = sweep(penalty);
    double[] nd = PenaltyEval.apply(penalty, DataType.FLOAT32, e);
    for (int i = 0; i < e.length; i++) {
      // Compare with the reference at the float32-rounded residual, then allow float32 rounding.
      double ef = (float) e[i];
      double ref = penalty.value(ef);
      double tolerance = 8 * conditioning(penalty, ef) * Math.ulp((float) ref) + 1e-37;
      assertEquals(ref, nd[i], tolerance, penalty + " at e=" + ef);
    }
  }
}
