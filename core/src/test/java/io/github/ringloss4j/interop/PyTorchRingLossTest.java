package io.github.ringloss4j.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.Gson;
import io.github.ringloss4j.nn.RingTestSupport;
import io.github.ringloss4j.penalty.Penalties;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The PyTorch module {@code bench/pytorch/ring_loss.py}, which a distributed PyTorch run trains
 * with, computes the library's ring term: its float64 values and gradients (written by {@code
 * bench/pytorch/fixtures/make_ring_fixtures.py} with torch 1.13) equal the library's autograd ones
 * for every penalty, so training can move between the two without changing the objective.
 */
class PyTorchRingLossTest {

  /** What the fixture holds. */
  record Fixture(String torch, double[][] features, List<Case> cases) {}

  /** One penalty at one λ and R. */
  record Case(
      String penalty, double lambda, double radius, double loss, double[][] grad_f, double grad_r) {
    @Override
    public String toString() {
      return penalty + " λ=" + lambda + " R=" + radius;
    }
  }

  static Fixture fixture() throws IOException {
    try (InputStream in =
        PyTorchRingLossTest.class.getResourceAsStream("/interop/pytorch-ring-loss.json")) {
      return new Gson().fromJson(new InputStreamReader(in, StandardCharsets.UTF_8), Fixture.class);
    }
  }

  static Stream<Case> cases() throws IOException {
    return fixture().cases().stream();
  }

  @Test
  void fixtureCoversEveryPenaltyFamily() throws IOException {
    // A fixture that lost cases would let a penalty drift unnoticed: squared, Huber, smooth-L1, the
    // Keras Huber, Cauchy, Geman-McClure and five Barron shapes, plus a second λ and R.
    assertEquals(12, fixture().cases().size());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void valuesAndGradientsEqualTheLibrarys(Case c) throws IOException {
    double[][] f = fixture().features();
    RingTestSupport.Evaluation java =
        RingTestSupport.evaluate(Penalties.parse(c.penalty()), c.radius(), c.lambda(), f);
    // Both sides compute in float64 by different formulas and orders (the library's stable forms,
    // e.g. Barron through expm1 and log1p); they agree to a few ulps of the values' scale.
    double tolerance = 1e-13;
    assertEquals(c.loss(), java.loss(), tolerance * Math.max(1, Math.abs(c.loss())), "loss");
    assertEquals(c.grad_r(), java.gradR(), tolerance, "dL/dR");
    for (int i = 0; i < f.length; i++) {
      for (int j = 0; j < f[i].length; j++) {
        assertEquals(
            c.grad_f()[i][j], java.gradF()[i][j], tolerance, "dL/df[" + i + "][" + j + "]");
      }
    }
  }
}
