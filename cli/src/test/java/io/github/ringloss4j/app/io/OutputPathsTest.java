package io.github.ringloss4j.app.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The writability check. Tests run as root, whom permission bits do not stop, so the unwritable
 * places are ones no one can write: a path under a regular file, and sysfs.
 */
class OutputPathsTest {

  @TempDir Path tmp;

  /** A place no user can create files in, root included: sysfs refuses new entries. */
  static final Path SYSFS = Path.of("/sys/ringloss-output-check");

  private List<Path> listing() throws IOException {
    try (var files = Files.list(tmp)) {
      return files.sorted().toList();
    }
  }

  @Test
  void writablePlacesPassAndNothingIsLeftThere() throws IOException {
    Path file = Files.writeString(tmp.resolve("existing.json"), "{}");
    List<Path> before = listing();
    OutputPaths.requireWritableDirectory(tmp.resolve("a/b/c"), "--out");
    OutputPaths.requireWritableDirectory(tmp, "--out");
    OutputPaths.requireWritableFile(tmp.resolve("new/evaluation.json"), "--out");
    OutputPaths.requireWritableFile(file, "--out");
    assertEquals(before, listing(), "no probe file, no directory created");
  }

  @Test
  void aPathUnderAFileGivesTheSystemsReason() throws IOException {
    Path file = Files.writeString(tmp.resolve("somefile"), "x");
    IOException e =
        assertThrows(
            IOException.class,
            () -> OutputPaths.requireWritableDirectory(file.resolve("out"), "--out"));
    assertTrue(e.getMessage().startsWith("--out " + file.resolve("out")), e.getMessage());
    assertTrue(e.getMessage().contains("Not a directory"), e.getMessage());
    IOException f =
        assertThrows(
            IOException.class,
            () -> OutputPaths.requireWritableFile(file.resolve("evaluation.json"), "--out"));
    assertTrue(f.getMessage().contains("Not a directory"), f.getMessage());
  }

  @Test
  void aReadOnlyFileSystemGivesTheSystemsReason() {
    IOException e =
        assertThrows(
            IOException.class, () -> OutputPaths.requireWritableDirectory(SYSFS, "--report"));
    assertTrue(
        e.getMessage().startsWith("--report " + SYSFS + ": cannot write there"), e.getMessage());
    assertTrue(
        e.getMessage().contains("Permission denied") || e.getMessage().contains("not permitted"),
        e.getMessage());
    assertFalse(Files.exists(SYSFS));
  }

  @Test
  void anExistingFileOfTheWrongKindIsABadOptionValue() throws IOException {
    Path file = Files.writeString(tmp.resolve("emb"), "x");
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> OutputPaths.requireWritableDirectory(file, "--out"));
    assertTrue(e.getMessage().contains("is an existing file"), e.getMessage());
    assertThrows(
        IllegalArgumentException.class, () -> OutputPaths.requireWritableFile(tmp, "--out"));
  }
}
