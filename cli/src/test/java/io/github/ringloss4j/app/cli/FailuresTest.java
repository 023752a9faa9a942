package io.github.ringloss4j.app.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.EngineException;
import io.github.ringloss4j.app.io.DataFormatException;
import io.github.ringloss4j.interop.TorchFormatException;
import io.github.ringloss4j.training.DivergenceException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The one mapping from failures to messages and exit codes. */
class FailuresTest {

  record Reported(int exit, String text) {}

  static Reported report(Throwable failure) {
    StringWriter text = new StringWriter();
    int exit = Failures.report(failure, "train", new PrintWriter(text));
    return new Reported(exit, text.toString());
  }

  /** What the engine throws when DJL_CACHE_DIR points where nothing can be written. */
  @Test
  void anUnwritableNativeCacheSaysWhereAndHowToMoveIt() {
    EngineException e =
        new EngineException(
            "Failed to extract PyTorch native library", new NoSuchFileException("/proc/djl-cache"));
    Reported r = report(new IllegalStateException("engine", e));
    assertEquals(RingLossCli.EXIT_IO, r.exit());
    assertTrue(r.text().contains("PyTorch engine could not start"), r.text());
    assertTrue(r.text().contains("/proc/djl-cache: No such file or directory"), "why: " + r.text());
    assertTrue(r.text().contains("DJL_CACHE_DIR"), r.text());
    assertTrue(r.text().contains("ENGINE_CACHE_DIR"), r.text());
    assertTrue(r.text().contains("launcher sets both"), r.text());
    assertFalse(r.text().contains("\tat "), "no stack trace: " + r.text());
    assertTrue(r.text().lines().count() <= 4, "a few lines, not 34: " + r.text());
  }

  @Test
  void aFailedEngineOperationIsNoCacheProblem() {
    // DJL reports a failed operation with the same exception type as a failed start.
    EngineException op =
        new EngineException("mat1 and mat2 shapes cannot be multiplied (30x3136 and 256x256)");
    Reported r = report(op);
    assertEquals(1, r.exit(), r.text());
    assertFalse(r.text().contains("DJL_CACHE_DIR"), r.text());
  }

  @Test
  void everyAnticipatedFailureIsOneMessageWithItsExitCode() {
    Path file = Path.of("/data/train-images-idx3-ubyte.gz");
    assertEquals(2, report(new IllegalArgumentException("--lr must be > 0, got -1")).exit());
    assertEquals(3, report(DataFormatException.atByte(file, 16, "truncated")).exit());
    assertEquals(3, report(new NoSuchFileException(file.toString())).exit());
    Reported pth =
        report(new TorchFormatException(Path.of("/m/a.pth"), "entry a/data.pkl", "refused"));
    assertEquals(3, pth.exit());
    assertEquals("ringloss: /m/a.pth entry a/data.pkl: refused", pth.text().strip());
    assertEquals(4, report(new DivergenceException(7, "Training diverged at step 7")).exit());
    Reported denied = report(new AccessDeniedException("/runs/a/checkpoint.bin"));
    assertEquals(RingLossCli.EXIT_IO, denied.exit());
    assertTrue(denied.text().contains("/runs/a/checkpoint.bin: Permission denied"), denied.text());
    Reported io = report(new UncheckedIOException(new IOException("/runs/a: No space left")));
    assertEquals(RingLossCli.EXIT_IO, io.exit());
    assertTrue(io.text().contains("No space left"), io.text());
    for (Throwable t :
        new Throwable[] {
          new IllegalArgumentException("x"),
          DataFormatException.atByte(file, 16, "truncated"),
          new IOException("disk")
        }) {
      assertFalse(report(t).text().contains("\tat "), t.toString());
    }
    // A true internal error keeps its trace: that is what a bug report needs.
    Reported bug = report(new NullPointerException("a bug"));
    assertEquals(1, bug.exit());
    assertTrue(bug.text().contains("\tat "), bug.text());
  }
}
