package io.github.ringloss4j.app.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A value the converters reject is reported in one line that names the option, with exit code 2,
 * before anything runs.
 */
class OptionErrorsTest {

  @TempDir Path tmp;

  private void rejected(String option, String value, String message) {
    Path out = tmp.resolve("run");
    CliEndToEndTest.Run r =
        CliEndToEndTest.run("train", "--out", out.toString(), option, value, "--no-progress");
    assertEquals(RingLossCli.EXIT_USAGE, r.exit(), r.err());
    assertTrue(r.err().contains("ringloss train: " + option + ": " + message), r.err());
    assertFalse(r.err().contains("Usage:"), "one line, not the usage: " + r.err());
    assertFalse(Files.exists(out), "nothing written");
  }

  @Test
  void penaltyParameters() {
    rejected("--penalty", "huber(delta=-1)", "delta must be > 0");
    rejected("--penalty", "hubert", "unknown penalty 'hubert'");
  }

  @Test
  void headParameters() {
    rejected("--head", "cosface(m=x)", "head 'cosface(m=x)': m must be a number, got 'x'");
    rejected("--head", "tripletface", "unknown head 'tripletface'");
  }

  @Test
  void closedSetsListTheirNames() {
    rejected("--optimizer", "sgdx", "must be one of sgd, adam, got 'sgdx'");
    rejected("--schedule", "linear", "must be one of cosine, step, constant, got 'linear'");
    rejected(
        "--model",
        "vgg",
        "must be one of cnn, resnet, iresnet18, iresnet34, iresnet50, iresnet100, mobilefacenet,"
            + " got 'vgg'");
    rejected("--progress", "bar", "must be one of auto, lines, off, got 'bar'");
  }

  @Test
  void radiusOptions() {
    rejected("--radius-init", "middle", "must be 'first-batch' or a number >= 0, got 'middle'");
    rejected("--radius-init", "-1", "must be 'first-batch' or a number >= 0, got '-1'");
    rejected("--radius-lr-mult", "fast", "must be a number > 0 or auto, got 'fast'");
  }

  @Test
  void numbers() {
    rejected("--epochs", "three", "'three' is not an int");
  }

  @Test
  void theDemoChecksEveryRunsValuesBeforeTheFirstTrains() {
    Path out = tmp.resolve("demo");
    CliEndToEndTest.Run r =
        CliEndToEndTest.run(
            "demo", "--out", out.toString(), "--lambda-2d", "Infinity", "--no-progress");
    assertEquals(RingLossCli.EXIT_USAGE, r.exit(), r.err());
    assertTrue(r.err().contains("ringloss demo: --lambda-2d: "), r.err());
    assertFalse(Files.exists(out.resolve("softmax")), "no run trained: " + r.out());
  }
}
