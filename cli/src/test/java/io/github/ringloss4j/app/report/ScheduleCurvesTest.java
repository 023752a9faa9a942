package io.github.ringloss4j.app.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.ringloss4j.app.train.EpochMetrics;
import io.github.ringloss4j.app.train.TrainingRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScheduleCurvesTest {

  @TempDir Path tmp;

  private Path run(String name, double... valAccuracy) throws Exception {
    List<EpochMetrics> history = new ArrayList<>();
    for (int e = 0; e < valAccuracy.length; e++) {
      history.add(
          new EpochMetrics(
              e + 1,
              1,
              0,
              1,
              0.5,
              10,
              1,
              1,
              0,
              1,
              valAccuracy[e],
              10,
              1,
              Double.NaN,
              0.01,
              30,
              1000,
              0,
              0));
    }
    Path dir = tmp.resolve(name);
    Files.createDirectories(dir);
    TrainingRun.writeMetrics(dir, history);
    return dir;
  }

  @Test
  void eachEpochsValidationAccuracyIsAveragedOverTheRuns() throws Exception {
    Map<String, List<Path>> runs = new LinkedHashMap<>();
    runs.put("softmax", List.of(run("a", 0.80, 0.90), run("b", 0.70, 0.90)));
    // A run whose metrics are gone (only its summary kept) is left out.
    runs.put("ring@0.01", List.of(run("c", 0.85, 0.95), tmp.resolve("missing")));
    String md = ScheduleCurves.section(runs, tmp.resolve("report"), "closed set");
    assertTrue(md.contains("| epoch | softmax (n = 2) | ring@0.01 (n = 1) |"), md);
    // Epoch 1: softmax mean 0.75, sd of {0.80, 0.70} = 0.0707; epoch 2: 0.90 ± 0.
    assertTrue(md.contains("| 1 | 0.7500 ± 0.0707 | 0.8500 ± 0.0000 |"), md);
    assertTrue(md.contains("| 2 | 0.9000 ± 0.0000 | 0.9500 ± 0.0000 |"), md);
    assertTrue(Files.size(tmp.resolve("report/results/validation_curve.png")) > 1000);
  }

  @Test
  void noMetricsNoSection() throws Exception {
    assertEquals(
        "",
        ScheduleCurves.section(
            Map.of("softmax", List.of(tmp.resolve("none"))), tmp.resolve("r"), "open set"));
  }
}
