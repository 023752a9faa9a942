package io.github.ringloss4j.app.cli;

import static io.github.ringloss4j.app.cli.CliEndToEndTest.ok;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.ringloss4j.app.eval.Method;
import io.github.ringloss4j.app.train.Checkpoint;
import io.github.ringloss4j.app.train.EpochMetrics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * MagFace and AdaFace through the application: compare's method names, training with and without
 * ring loss, MagFace's regulariser as its own metrics column, AdaFace's running statistics across a
 * resume.
 */
class NormAwareHeadsTest {

  @TempDir static Path tmp;
  static Path idx;

  @BeforeAll
  static void data() throws Exception {
    idx = TinyData.idx(tmp.resolve("idx"), 90, 30, 7);
  }

  static List<String> train(Path out, Method method, int epochs) {
    return new ArrayList<>(
        List.of(
            "train",
            "--data",
            idx.toString(),
            "--out",
            out.toString(),
            "--epochs",
            Integer.toString(epochs),
            "--batch-size",
            "16",
            "--embedding-size",
            "8",
            "--lr",
            "0.01",
            "--weight-decay",
            "0.0005",
            "--head",
            method.head().text(),
            "--lambda",
            Double.toString(method.lambda()),
            "--no-progress"));
  }

  private static double column(Path run, String name) throws Exception {
    List<String> csv = Files.readAllLines(run.resolve("metrics.csv"));
    int at = List.of(csv.get(0).split(",")).indexOf(name);
    assertTrue(at >= 0, name + " in " + csv.get(0));
    return Double.parseDouble(csv.get(csv.size() - 1).split(",", -1)[at]);
  }

  @Test
  void magFaceTrainsWithItsRegulariserAsALossTerm() throws Exception {
    Method magface = Method.parse("magface");
    assertEquals("magface", magface.head().text());
    Path run = tmp.resolve("magface");
    ok(train(run, magface, 1).toArray(new String[0]));
    // λ_g·g(a) lies between λ_g·2/u_a (at a = u_a) and λ_g·(1/l_a + l_a/u_a²) (at a = l_a).
    for (String column : List.of("train_magface", "val_magface")) {
      double value = column(run, column);
      assertTrue(
          value >= 35 * 2 / 110.0 - 1e-5 && value <= 35 * (0.1 + 10 / 12100.0) + 1e-5,
          column + " " + value);
    }
    EpochMetrics m = Checkpoint.read(run).history().get(0);
    assertEquals(m.trainSoftmax() + m.trainRing() + m.trainMagface(), m.trainTotal(), 1e-9);
    ok("evaluate", run.toString(), "--pairs-per-kind", "40");
  }

  @Test
  void adaFaceWithRingResumesExactly() throws Exception {
    Method adaface = Method.parse("adaface(m=0.4)+ring@0.01");
    assertEquals("adaface(m=0.4)", adaface.head().text());
    assertEquals(0.01, adaface.lambda());
    Path straight = tmp.resolve("adaface");
    ok(train(straight, adaface, 2).toArray(new String[0]));
    assertEquals(0, column(straight, "train_magface"));
    Path resumed = tmp.resolve("adaface-resumed");
    List<String> first = train(resumed, adaface, 2);
    first.addAll(List.of("--stop-after", "1"));
    ok(first.toArray(new String[0]));
    ok("train", "--out", resumed.toString(), "--resume", "--no-progress");
    Checkpoint a = Checkpoint.read(straight);
    Checkpoint b = Checkpoint.read(resumed);
    // The weights, R and AdaFace's running mean and std of the norms.
    assertArrayEquals(a.modelParameters(), b.modelParameters());
    assertArrayEquals(a.optimizerState(), b.optimizerState());
    assertEquals(a.history().get(1).trainTotal(), b.history().get(1).trainTotal(), 0.0);
    ok("evaluate", resumed.toString(), "--pairs-per-kind", "40");
  }
}
