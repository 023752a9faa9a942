package io.github.ringloss4j.app.io;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;

/**
 * Checks, before any work, that an output place can be written: a run that trains for an hour and
 * then cannot save its checkpoint has wasted the hour. Every command checks each of its outputs
 * with this one helper before it reads data or loads a model.
 *
 * <p>How: the nearest existing ancestor of the output must be a directory in which a file can be
 * created, which is tried for real (a hidden temporary file, deleted at once), because permission
 * bits do not tell: root ignores them, and a read-only mount or a full quota only shows on writing.
 * Nothing is created at the output itself, so a run that fails later leaves no empty directory.
 *
 * <p>Failures: an output naming an existing file where a directory is needed (or the reverse) is a
 * bad option value, an {@link IllegalArgumentException} (exit code 2); a place the operating system
 * refuses is an {@link IOException} (exit code 5) whose message names the option, the path and the
 * system's reason ("Permission denied", "Not a directory", "Read-only file system").
 */
public final class OutputPaths {

  private OutputPaths() {}

  /**
   * Fails unless {@code dir} is, or can be created as, a directory whose files can be written.
   *
   * @param dir the output directory, existing or not
   * @param option what names it, for the message: {@code --out}, {@code --report}
   * @throws IllegalArgumentException if {@code dir} is an existing file
   * @throws IOException naming the option, the path and the system's reason if it cannot be written
   */
  public static void requireWritableDirectory(Path dir, String option) throws IOException {
    if (Files.exists(dir) && !Files.isDirectory(dir)) {
      throw new IllegalArgumentException(
          option + " " + dir + " is an existing file; it must name a directory");
    }
    probe(dir, option + " " + dir);
  }

  /**
   * Where a path really leads: its nearest existing ancestor with every link resolved, followed by
   * the parts that do not exist yet. Two paths are compared this way so that a link (or {@code ..})
   * cannot make an output inside an input look outside it.
   *
   * @param path a path, existing or not
   * @return the absolute path with links resolved as far as the path exists
   * @throws IOException if an existing part cannot be resolved
   */
  public static Path realPath(Path path) throws IOException {
    Path absolute = path.toAbsolutePath().normalize();
    Path existing = absolute;
    while (existing.getParent() != null && !Files.exists(existing)) {
      existing = existing.getParent();
    }
    return existing.toRealPath().resolve(existing.relativize(absolute)).normalize();
  }

  /** Creates and deletes a file in the nearest existing ancestor of {@code dir}. */
  private static void probe(Path dir, String named) throws IOException {
    Path existing = dir.toAbsolutePath().normalize();
    while (existing.getParent() != null && !Files.exists(existing)) {
      existing = existing.getParent();
    }
    Path probe;
    try {
      // Inside a regular file this fails too, with the system's "Not a directory".
      probe = Files.createTempFile(existing, ".ringloss-write-check-", ".tmp");
    } catch (IOException e) {
      throw new IOException(named + ": cannot write there: " + reason(e, existing), e);
    }
    Files.deleteIfExists(probe);
  }

  /**
   * Fails unless {@code file} can be created or replaced (through {@link AtomicFiles}, that is in
   * its directory).
   *
   * @param file the output file, existing or not
   * @param option what names it, for the message
   * @throws IllegalArgumentException if {@code file} is an existing directory
   * @throws IOException naming the option, the path and the system's reason if it cannot be written
   */
  public static void requireWritableFile(Path file, String option) throws IOException {
    if (Files.isDirectory(file)) {
      throw new IllegalArgumentException(
          option + " " + file + " is a directory; it must name a file");
    }
    Path parent = file.toAbsolutePath().normalize().getParent();
    if (parent == null) {
      throw new IllegalArgumentException(option + " " + file + " is not a file path");
    }
    probe(parent, option + " " + file);
  }

  /** The system's reason, and the path it refused when that is not the output itself. */
  private static String reason(Exception e, Path tried) {
    String why =
        e instanceof IOException io
            ? systemReason(io)
            : e.getMessage() == null ? e.toString() : e.getMessage();
    return why + " (" + tried + ")";
  }

  /**
   * The operating system's reason for a failed file operation, as it would say it: Java keeps it in
   * {@link FileSystemException#getReason()} for most errors but maps some to exception types and
   * drops the text.
   *
   * @param e the failure
   * @return e.g. {@code Permission denied}, {@code Not a directory}; the message for other errors
   */
  public static String systemReason(IOException e) {
    if (e instanceof FileSystemException fs && fs.getReason() != null) {
      return fs.getReason();
    }
    if (e instanceof AccessDeniedException) {
      return "Permission denied";
    }
    if (e instanceof NoSuchFileException) {
      return "No such file or directory";
    }
    if (e instanceof NotDirectoryException) {
      return "Not a directory";
    }
    return e.getMessage() == null ? e.toString() : e.getMessage();
  }
}
