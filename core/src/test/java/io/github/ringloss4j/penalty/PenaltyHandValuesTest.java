package io.github.ringloss4j.penalty;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.types.DataType;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every penalty at hand-computed points, in float32 and float64, NDArray and reference paths. */
class PenaltyHandValuesTest {

  static Stream<Arguments> cases() {
    return Stream.of(
        // squared: ½·3² = 4.5; ½·(−0.5)² = 0.125
        Arguments.of(SquaredPenalty.INSTANCE, 3.0, 4.5),
        Arguments.of(SquaredPenalty.INSTANCE, -0.5, 0.125),
        // Huber δ=1: |0.5| ≤ 1 → ½·0.25 = 0.125; |3| > 1 → 1·(3 − ½) = 2.5; symmetric at −3
        Arguments.of(new HuberPenalty(1), 0.5, 0.125),
        Arguments.of(new HuberPenalty(1), 3.0, 2.5),
        Arguments.of(new HuberPenalty(1), -3.0, 2.5),
        // Huber δ=2 at −5: 2·(5 − 1) = 8; at the kink 2: ½·4 = 2 = 2·(2 − 1)
        Arguments.of(new HuberPenalty(2), -5.0, 8.0),
        Arguments.of(new HuberPenalty(2), 2.0, 2.0),
        // smooth-L1 = Huber δ=1: 4 → 4 − ½ = 3.5
        Arguments.of(HuberPenalty.smoothL1(), 4.0, 3.5),
        // Keras Huber δ=1 tests the signed e: −3 < 1 → ½·9 = 4.5 (textbook Huber: 2.5); 3 → 2.5
        Arguments.of(new KerasHuberPenalty(1), -3.0, 4.5),
        Arguments.of(new KerasHuberPenalty(1), 3.0, 2.5),
        Arguments.of(new KerasHuberPenalty(1), 0.5, 0.125),
        // Cauchy c=1: ½·ln(1 + 1) = 0.34657359027997264; ½·ln(1 + 4) = 0.8047189562170501
        Arguments.of(new CauchyPenalty(1), 1.0, 0.34657359027997264),
        Arguments.of(new CauchyPenalty(1), -2.0, 0.8047189562170501),
        // Cauchy c=2.3849 at e=c: (c²/2)·ln 2 = 2.843874005·0.693147181 = 1.9712232484334697
        Arguments.of(new CauchyPenalty(2.3849), 2.3849, 1.9712232484334697),
        // Geman-McClure c=1: ½·1·1/(1+1) = 0.25; ½·4·1/(1+4) = 0.4
        Arguments.of(new GemanMcClurePenalty(1), 1.0, 0.25),
        Arguments.of(new GemanMcClurePenalty(1), -2.0, 0.4),
        // Keras form a=0.5: 0.5·e²/(e² + 1) at e=2: 0.5·4/5 = 0.4 (c = √(2a) = 1)
        Arguments.of(GemanMcClurePenalty.kerasForm(0.5), 2.0, 0.4),
        // Keras form a=2 at e=2: 2·4/(4 + 4) = 1
        Arguments.of(GemanMcClurePenalty.kerasForm(2), 2.0, 1.0),
        // Barron α=2 c=1: ½·9 = 4.5
        Arguments.of(new BarronPenalty(2, 1), 3.0, 4.5),
        // Barron α=1 c=1 at 1: √2 − 1 = 0.41421356237309515; c=2 at 2: 4·(√2 − 1)
        Arguments.of(new BarronPenalty(1, 1), 1.0, 0.41421356237309515),
        Arguments.of(new BarronPenalty(1, 2), 2.0, 1.6568542494923806),
        // Barron α=0 c=1 at 2: ln(½·4 + 1) = ln 3 = 1.0986122886681098
        Arguments.of(new BarronPenalty(0, 1), 2.0, 1.0986122886681098),
        // Barron α=−2 c=1 at 2: 2·4/(4 + 4) = 1
        Arguments.of(new BarronPenalty(-2, 1), 2.0, 1.0),
        // Barron α=−∞ c=1 at 2: 1 − exp(−2) = 0.8646647167633873
        Arguments.of(new BarronPenalty(Double.NEGATIVE_INFINITY, 1), 2.0, 0.8646647167633873),
        // Barron α=4 c=1 at 2: β=2, (2/4)·((4/2 + 1)² − 1) = ½·8 = 4
        Arguments.of(new BarronPenalty(4, 1), 2.0, 4.0),
        // Barron α=−1 c=1 at 1: β=3, (3/−1)·((1/3 + 1)^(−½) − 1) = −3·(0.8660254 − 1)
        Arguments.of(new BarronPenalty(-1, 1), 1.0, 0.4019237886466839));
  }

  @ParameterizedTest(name = "{0} at {1}")
  @MethodSource("cases")
  void referenceMatchesHandValue(ReferencePenalty penalty, double e, double expected) {
    assertEquals(expected, penalty.value(e), 1e-15 * Math.max(1, expected));
  }

  @ParameterizedTest(name = "{0} at {1}")
  @MethodSource("cases")
  void float64MatchesHandValue(ReferencePenalty penalty, double e, double expected) {
    assertEquals(
        expected,
        PenaltyEval.apply(penalty, DataType.FLOAT64, e),
        4e-16 * Math.max(1, expected) * 4);
  }

  @ParameterizedTest(name = "{0} at {1}")
  @MethodSource("cases")
  void float32MatchesHandValue(ReferencePenalty penalty, double e, double expected) {
    assertEquals(
        expected, PenaltyEval.apply(penalty, DataType.FLOAT32, e), 4e-7 * Math.max(1, expected));
  }
}
