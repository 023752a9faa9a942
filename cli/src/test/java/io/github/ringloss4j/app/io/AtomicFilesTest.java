package io.github.ringloss4j.app.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {

  @TempDir Path dir;

  private List<String> names(Path folder) throws IOException {
    try (Stream<Path> s = Files.list(folder)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void failingBodyLeavesTargetAndNoTemporaryFile() throws IOException {
    Path target = Files.writeString(dir.resolve("embeddings.npy"), "old content");
    IOException failure = new IOException("disk full (simulated)");
    IOException thrown =
        assertThrows(
            IOException.class,
            () ->
                AtomicFiles.write(
                    target,
                    out -> {
                      out.write(new byte[100_000]);
                      throw failure;
                    }));
    assertSame(failure, thrown);
    assertEquals("old content", Files.readString(target));
    assertEquals(List.of("embeddings.npy"), names(dir));
  }

  @Test
  void uncheckedFailureAlsoCleansUp() throws IOException {
    Path target = dir.resolve("new.csv");
    assertThrows(
        IllegalStateException.class,
        () ->
            AtomicFiles.write(
                target,
                out -> {
                  out.write(1);
                  throw new IllegalStateException("bug in the body");
                }));
    assertFalse(Files.exists(target));
    assertEquals(List.of(), names(dir));
  }

  @Test
  void writesCreatesParentsAndReplaces() throws IOException {
    Path target = dir.resolve("a/b/report.txt");
    AtomicFiles.writeString(target, "first ✓");
    assertEquals("first ✓", Files.readString(target, StandardCharsets.UTF_8));
    AtomicFiles.write(
        target,
        out -> {
          out.write("second".getBytes(StandardCharsets.US_ASCII));
          // Closing early must not prevent the sync and rename.
          out.close();
        });
    assertEquals("second", Files.readString(target));
    assertEquals(List.of("report.txt"), names(target.getParent()));
    AtomicFiles.writeBytes(target, new byte[] {1, 2, 3});
    assertEquals(3, Files.size(target));
  }

  @Test
  void refusesToReplaceADirectory() throws IOException {
    Path sub = Files.createDirectories(dir.resolve("sub"));
    IOException e = assertThrows(IOException.class, () -> AtomicFiles.writeString(sub, "x"));
    assertTrue(e.getMessage().contains(sub.toString()), e.getMessage());
    assertTrue(Files.isDirectory(sub));
  }
}
