package io.github.ringloss4j.app.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.ringloss4j.app.eval.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ContrastsTest {

  static RunResult cell(String method, long seed, int fold, double acc) {
    return cell(method, seed, fold, acc, 0.1);
  }

  /** A run whose 10-fold accuracy is acc at 28 px and acc − 0.1 at 7 px, with a given CV ‖f‖. */
  static RunResult cell(String method, long seed, int fold, double acc, double cv) {
    return new RunResult(
        method,
        seed,
        Double.NaN,
        acc,
        0.5,
        0.9,
        10,
        cv,
        Double.NaN,
        12,
        Map.of(28, acc, 7, acc - 0.1),
        10,
        fold,
        Map.of(28, 10.0, 7, 4.0),
        new double[] {0.7, 0.8, 0.9, 1, 1, 1, 1, 1, 1, 1},
        null);
  }

  @Test
  void contrastsAreAgainstSoftmaxAndTheHeadWithoutRing() {
    List<Method> grid = new ArrayList<>();
    for (String m : List.of("softmax", "ring@0.01", "sphereface", "sphereface+ring@0.01")) {
      grid.add(Method.parse(m));
    }
    List<String> pairs = Contrasts.of(grid).stream().map(p -> p[0] + " vs " + p[1]).toList();
    assertEquals(
        List.of(
            "ring@0.01 vs softmax",
            "sphereface vs softmax",
            "sphereface+ring@0.01 vs softmax",
            "sphereface+ring@0.01 vs sphereface"),
        pairs);
  }

  @Test
  void effectsPairRunsBySeedAndFold() {
    // softmax 0.80 / 0.70 and ring 0.83 / 0.72 on (seed 1000, fold 0) / (seed 1001, fold 1):
    // differences 0.03 and 0.02, mean 0.025; the 1001 ring run on fold 0 has no partner.
    List<RunResult> cells =
        List.of(
            cell("softmax", 1000, 0, 0.80),
            cell("softmax", 1001, 1, 0.70),
            cell("ring@0.01", 1000, 0, 0.83),
            cell("ring@0.01", 1001, 1, 0.72),
            cell("ring@0.01", 1001, 0, 0.99));
    List<PairedEffects.Effect> effects =
        Contrasts.effects(
            new ProtocolResults("open set", cells),
            List.of(Method.parse("softmax"), Method.parse("ring@0.01")));
    PairedEffects.Effect acc = effects.get(0);
    assertEquals("kfold_accuracy", acc.metric());
    assertEquals(2, acc.n());
    assertEquals(0.025, acc.mean(), 1e-12);
    // sd of {0.03, 0.02} = 0.0070711, se = 0.005, t(1) = 12.7062: half-width 0.063531.
    assertEquals(12.7062047 * 0.005, acc.halfWidth(), 1e-6);
    assertEquals("kfold_accuracy_7px", effects.get(3).metric());
  }
}
