package io.github.ringloss4j.app.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.ringloss4j.app.io.DataFormatException;
import io.github.ringloss4j.head.PartialFcMemory;
import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a run writes when writing fails, what a failed run leaves, and the memory estimate that
 * refuses a head before it is allocated.
 */
class RunOutputsTest {

  @TempDir Path tmp;

  @Test
  void aFailedWriteNamesThePathItWrote() {
    Path file = tmp.resolve("run").resolve("checkpoint.bin");
    // What a full disk gives: the system's reason alone.
    FileSystemException e =
        assertThrows(
            FileSystemException.class,
            () -> writingFails(file, new IOException("No space left on device")));
    assertEquals(file.toString(), e.getFile());
    assertEquals("No space left on device", e.getReason());
    assertTrue(e.getMessage().startsWith(file + ": No space left on device"), e.getMessage());
    // A failure that already names its path, or a malformed input, is kept as it is.
    for (IOException named :
        List.of(
            new FileSystemException(tmp.resolve("x").toString()),
            new DataFormatException(file, "bad"))) {
      assertSame(named, assertThrows(IOException.class, () -> writingFails(file, named)));
    }
  }

  private static void writingFails(Path file, IOException failure) throws IOException {
    TrainingRun.writing(
        file,
        f -> {
          throw failure;
        });
  }

  @Test
  void onlyTheEmptyDirectoriesARunMadeAreRemoved() throws IOException {
    Path before = Files.createDirectories(tmp.resolve("existing"));
    Path out = before.resolve("a").resolve("b").resolve("run");
    Path existing = CreatedDirectories.nearestExisting(out);
    assertEquals(before.toAbsolutePath().normalize(), existing);
    Files.createDirectories(out);
    CreatedDirectories.removeEmpty(out, existing);
    assertFalse(Files.exists(before.resolve("a")), "the directories the run made are gone");
    assertTrue(Files.isDirectory(before), "what existed before stays");

    // A directory that holds something, here another process's file, stays with its ancestors.
    Files.createDirectories(out);
    Files.writeString(before.resolve("a").resolve("theirs.txt"), "x");
    CreatedDirectories.removeEmpty(out, existing);
    assertFalse(Files.exists(out));
    assertTrue(Files.exists(before.resolve("a").resolve("theirs.txt")));

    // An existing run directory is never removed, even empty.
    Path run = Files.createDirectories(tmp.resolve("run"));
    CreatedDirectories.removeEmpty(run, CreatedDirectories.nearestExisting(run));
    assertTrue(Files.isDirectory(run));
  }

  @Test
  void theHeadsMemoryIsRefusedBeforeAllocationNamingTheFigure() throws IOException {
    TrainOptions sgd = TrainOptions.parse("--embedding-size", "128");
    // InsightFace's 20 million classes at d = 128: 10.24 GB per copy of the weights.
    PartialFcMemory head = PartialFcMemory.estimate(20_000_000, 128, 128, 1, true);
    MemoryBudget.Estimate estimate = MemoryBudget.estimate(head, sgd, false, 28 * 28, 2);
    assertEquals(3, estimate.copies(), "weights, gradient, SGD momentum");
    assertEquals(3 * 4L * 20_000_000 * 129, estimate.head());
    assertEquals(
        2,
        MemoryBudget.estimate(head, TrainOptions.parse("--momentum", "0"), false, 1, 2).copies(),
        "plain SGD keeps no state");
    assertEquals(
        4,
        MemoryBudget.estimate(head, TrainOptions.parse("--optimizer", "adam"), false, 1, 2)
            .copies(),
        "Adam keeps two moments");
    String old = System.getProperty(MemoryBudget.AVAILABLE_PROPERTY);
    try {
      System.setProperty(MemoryBudget.AVAILABLE_PROPERTY, Long.toString(16_000_000_000L));
      Path property = tmp.resolve("property");
      DataFormatException fromData =
          assertThrows(
              DataFormatException.class,
              () -> MemoryBudget.require(estimate, 20_000_000, 128, 128, property));
      assertTrue(fromData.getMessage().startsWith(property + ": "), fromData.getMessage());
      assertTrue(fromData.getMessage().contains("20,000,000 classes"), fromData.getMessage());
      assertTrue(fromData.getMessage().contains("at least 61.68 GB"), fromData.getMessage());
      assertTrue(fromData.getMessage().contains("state (3 copies"), fromData.getMessage());
      assertTrue(fromData.getMessage().contains(" bytes) 30.96 GB"), fromData.getMessage());
      assertTrue(fromData.getMessage().contains("16.00 GB of memory"), fromData.getMessage());
      IllegalArgumentException fromOptions =
          assertThrows(
              IllegalArgumentException.class,
              () -> MemoryBudget.require(estimate, 20_000_000, 128, 128, null));
      assertTrue(
          fromOptions.getMessage().startsWith("--embedding-size 128"), fromOptions.getMessage());
      System.setProperty(MemoryBudget.AVAILABLE_PROPERTY, Long.toString(estimate.total()));
      MemoryBudget.require(estimate, 20_000_000, 128, 128, property);
    } finally {
      if (old == null) {
        System.clearProperty(MemoryBudget.AVAILABLE_PROPERTY);
      } else {
        System.setProperty(MemoryBudget.AVAILABLE_PROPERTY, old);
      }
    }
    assertTrue(MemoryBudget.available() > 0);
  }
}
