package io.github.ringloss4j.app.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class PairedEffectsTest {

  @Test
  void tQuantilesAgreeWithClosedFormsAndTables() {
    // ν = 1: P(|T| ≤ t) = 2θ/π, θ = atan t, so t = tan(0.95·π/2) = 12.7062.
    assertEquals(Math.tan(0.95 * Math.PI / 2), PairedEffects.tQuantile975(1), 1e-9);
    // ν = 2: P = sin θ = t/√(2 + t²) = 0.95 ⇒ t² = 0.9025·2/(1 − 0.9025) = 18.5128, t = 4.30265.
    assertEquals(Math.sqrt(0.9025 * 2 / 0.0975), PairedEffects.tQuantile975(2), 1e-9);
    // Table values (4 and 9 degrees of freedom; the normal limit).
    assertEquals(2.7764, PairedEffects.tQuantile975(4), 1e-4);
    assertEquals(2.2622, PairedEffects.tQuantile975(9), 1e-4);
    assertEquals(1.9600, PairedEffects.tQuantile975(100_000), 1e-3);
  }

  @Test
  void pairedDifferenceByHand() {
    // Differences over the shared seeds a, b, c: 0.83 − 0.82 = 0.01, 0.85 − 0.82 = 0.03,
    // 0.84 − 0.82 = 0.02 (seed d has no partner). Mean 0.02; sample sd √((0.01² + 0.01² + 0)/2) =
    // 0.01; se = 0.01/√3 = 0.0057735; t(2) = 4.30265; half-width 0.0248414.
    PairedEffects.Effect e =
        PairedEffects.of(
            "ring",
            "softmax",
            "acc",
            Map.of("a", 0.83, "b", 0.85, "c", 0.84, "d", 0.9),
            Map.of("a", 0.82, "b", 0.82, "c", 0.82));
    assertEquals(3, e.n());
    assertEquals(0.02, e.mean(), 1e-12);
    assertEquals(4.30265 * 0.01 / Math.sqrt(3), e.halfWidth(), 1e-6);
    assertEquals(0.02 - 0.0248414, e.low(), 1e-6);
  }

  @Test
  void onePairHasNoInterval() {
    PairedEffects.Effect e =
        PairedEffects.of("ring", "softmax", "acc", Map.of("a", 0.5), Map.of("a", 0.25));
    assertEquals(0.25, e.mean());
    assertTrue(Double.isNaN(e.halfWidth()));
    assertEquals(0, PairedEffects.of("x", "y", "z", Map.of("a", 1.0), Map.of()).n());
  }

  @Test
  void pValueByHand() {
    // The differences above: t = 0.02 / (0.01/√3) = 3.46410 on 2 degrees of freedom; for ν = 2,
    // P(|T| ≤ t) = t/√(2 + t²) = 3.46410/√14 = 0.925820, so p = 0.074180.
    PairedEffects.Effect e =
        PairedEffects.of(
            "ring",
            "softmax",
            "acc",
            Map.of("a", 0.83, "b", 0.85, "c", 0.84),
            Map.of("a", 0.82, "b", 0.82, "c", 0.82));
    assertEquals(1 - Math.sqrt(12) / Math.sqrt(14), e.p(), 1e-9);
    assertTrue(
        Double.isNaN(PairedEffects.of("x", "y", "z", Map.of("a", 1.0), Map.of("a", 0.0)).p()));
  }

  @Test
  void holmByHand() {
    // Sorted: 0.01, 0.03, 0.04 with m = 3: 3·0.01 = 0.03; 2·0.03 = 0.06; max(0.06, 1·0.04) =
    // 0.06 (kept monotone). A NaN is outside the family and stays NaN.
    assertArrayEquals(
        new double[] {0.03, 0.06, 0.06, Double.NaN},
        PairedEffects.holm(new double[] {0.01, 0.04, 0.03, Double.NaN}),
        1e-12);
    // Capped at 1: 2·0.7 = 1.4 → 1, and the larger stays 1.
    assertArrayEquals(new double[] {1, 1}, PairedEffects.holm(new double[] {0.7, 0.9}), 0);
  }
}
