package io.github.ringloss4j.app.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import io.github.ringloss4j.app.eval.Embedder;
import io.github.ringloss4j.app.eval.Evaluation;
import io.github.ringloss4j.app.eval.RunSummary;
import io.github.ringloss4j.app.train.Checkpoint;
import io.github.ringloss4j.app.train.EpochMetrics;
import io.github.ringloss4j.app.train.TrainOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The report from hand-made runs: its tables, and plots that are referenced and exist. */
class RunReportTest {

  private static final Pattern IMAGE = Pattern.compile("!\\[[^\\]]*\\]\\(([^)]+)\\)");

  @TempDir Path dir;

  /** One epoch; NaN validation when {@code validated} is false, as a run without it records. */
  private static EpochMetrics epoch(int e, boolean validated, double radius, double seconds) {
    double val = validated ? 1 : Double.NaN;
    return new EpochMetrics(
        e,
        2.0 / e,
        0.1 / e,
        2.1 / e,
        0.5 + 0.1 * e,
        10 + e,
        3.0 / e,
        val * 2.2 / e,
        val * 0.2 / e,
        val * 2.4 / e,
        val * (0.4 + 0.1 * e),
        val * (11 + e),
        val * 2.0 / e,
        radius,
        0.01,
        seconds,
        1000,
        0,
        val * 0);
  }

  /** 40 2-D features of two classes around a circle of radius about 3. */
  private static Embedder.Embedded embedded(long seed) {
    Random random = new Random(seed);
    int n = 40;
    float[][] features = new float[n][];
    float[] norms = new float[n];
    int[] labels = new int[n];
    String[] sources = new String[n];
    for (int i = 0; i < n; i++) {
      labels[i] = i % 2;
      double angle = Math.PI * labels[i] + 0.3 * random.nextGaussian();
      double norm = 3 + 0.2 * random.nextGaussian();
      features[i] =
          new float[] {(float) (norm * Math.cos(angle)), (float) (norm * Math.sin(angle))};
      norms[i] = (float) Math.hypot(features[i][0], features[i][1]);
      sources[i] = "item " + i;
    }
    return new Embedder.Embedded(features, norms, labels, labels.clone(), sources);
  }

  private static Evaluation.Verification verification(String score, double auc) {
    return new Evaluation.Verification(
        score,
        auc,
        0.125,
        new double[] {0.75, 0.5, 0.25, 0.0},
        new boolean[] {true, true, false, false},
        0.875,
        0.0125,
        new double[] {0.5, 0.5},
        new double[] {0, 0.01, 0.5, 1},
        new double[] {0.25, 0.5, 0.9, 1});
  }

  private RunSummary run(String name, double lambda, boolean validated) throws IOException {
    TrainOptions options =
        TrainOptions.parse(
            "--lambda", Double.toString(lambda), "--embedding-size", "2", "--epochs", "2");
    double radius = lambda > 0 ? 3.25 : Double.NaN;
    List<EpochMetrics> history =
        List.of(
            epoch(1, validated, lambda > 0 ? 2.5 : Double.NaN, 2.25),
            epoch(2, validated, radius, 4.5));
    Checkpoint checkpoint =
        new Checkpoint(options, List.of("left", "right"), history, new byte[0], new byte[0]);
    Evaluation.Result result =
        new Evaluation.Result(
            0.9375,
            12.5,
            2.5,
            radius,
            List.of(verification("cosine", 0.96875), verification("euclidean", 0.9)),
            300,
            300,
            "300 genuine + 300 impostor pairs (test)",
            0.8125,
            0.9375,
            2,
            38);
    Path runDir = Files.createDirectories(dir.resolve("runs").resolve(name));
    return new RunSummary(name, runDir, checkpoint, embedded(name.hashCode()), result);
  }

  private static Set<String> referencedImages(String markdown) {
    Set<String> images = new TreeSet<>();
    Matcher m = IMAGE.matcher(markdown);
    while (m.find()) {
      images.add(m.group(1));
    }
    return images;
  }

  private static Set<String> pngFiles(Path out) throws IOException {
    try (Stream<Path> files = Files.list(out)) {
      return files
          .map(p -> p.getFileName().toString())
          .filter(f -> f.endsWith(".png"))
          .collect(Collectors.toCollection(TreeSet::new));
    }
  }

  @Test
  void tablesHoldEachRunsNumbersAndEveryPlotIsLinkedAndWritten() throws IOException {
    Path out = dir.resolve("report");
    Path report =
        RunReport.write(
            List.of(run("soft", 0, true), run("ringy", 0.1, false)), out, "ringloss report x");
    String md = Files.readString(report);

    assertTrue(md.contains("Produced by `ringloss report x`"), md);
    Engine engine = Engine.getInstance();
    assertTrue(
        md.contains(
            "DJL "
                + Engine.getDjlVersion()
                + " with the "
                + engine.getEngineName()
                + " "
                + engine.getVersion()
                + " engine"),
        "versions asked of the engine: " + md);
    // 2.25 s + 4.5 s of training
    assertTrue(
        md.contains("| soft | softmax | cnn | 2 | 2 | 128 | sgd | 0.01 (cosine) | 7 s |"), md);
    assertTrue(
        md.contains(
            "| ringy | softmax + ring (λ=0.1, squared) | cnn | 2 | 2 | 128 | sgd | 0.01 (cosine)"
                + " | 7 s |"),
        md);
    // CV = 2.5 / 12.5; TAR@1e-2 resolvable, TAR@1e-3 not; R only for the ring run.
    assertTrue(
        md.contains(
            "| soft | 0.9375 | 12.500 | 2.500 | 0.200 | — | 0.9688 | 0.1250 | 0.5000 | n/a |"
                + " 0.8750 ± 0.0125 | 0.8125 | 0.9375 |"),
        md);
    assertTrue(
        md.contains(
            "| ringy | 0.9375 | 12.500 | 2.500 | 0.200 | 3.250 | 0.9688 | 0.1250 | 0.5000 | n/a |"
                + " 0.8750 ± 0.0125 | 0.8125 | 0.9375 |"),
        md);
    assertTrue(md.contains("300 genuine + 300 impostor pairs (test)"), md);
    assertTrue(md.contains("Test-set ‖f‖ of the 2-d runs"), md);
    assertTrue(md.contains("### ringy\n\n```\n"), md);

    Set<String> expected =
        new TreeSet<>(
            List.of(
                "softmax_loss.png",
                "ring_loss.png",
                "accuracy.png",
                "norms.png",
                "norm_histogram.png",
                "roc.png",
                "scatter_soft.png",
                "scatter_ringy.png"));
    assertEquals(expected, referencedImages(md));
    assertEquals(expected, pngFiles(out), "every plot written is linked, and no other");
    for (String png : expected) {
      PlotsTest.assertValidPng(out.resolve(png));
    }
  }

  @Test
  void withoutRingOrValidationThoseLinesAndPlotsAreLeftOut() throws IOException {
    Path out = Files.createDirectories(dir.resolve("report"));
    // A plot from an earlier report in the same directory.
    Files.writeString(out.resolve("accuracy.png"), "stale");
    Path report =
        RunReport.write(List.of(run("a", 0, false), run("b", 0, false)), out, "ringloss report");
    String md = Files.readString(report);

    Set<String> images = referencedImages(md);
    assertFalse(images.contains("ring_loss.png"), md);
    assertFalse(images.contains("accuracy.png"), md);
    assertFalse(Files.exists(out.resolve("accuracy.png")), "the stale plot is removed");
    assertFalse(Files.exists(out.resolve("ring_loss.png")));
    List<String> missing = new ArrayList<>();
    for (String png : images) {
      if (!Files.isRegularFile(out.resolve(png))) {
        missing.add(png);
      }
    }
    assertEquals(List.of(), missing);
    assertTrue(md.contains("| a | 0.9375 | 12.500 | 2.500 | 0.200 | — |"), md);
    assertTrue(md.contains("| b | 0.9375 | 12.500 | 2.500 | 0.200 | — |"), md);
  }
}
