package io.github.ringloss4j.app.io;

import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.Objects;

/**
 * Writes files so that readers (and a crash) see either the complete old content or the complete
 * new content, never a partial file.
 *
 * <p>Procedure: the body writes to a new temporary file {@code .<name>.tmp-<pid>-<host>-<16 hex>}
 * ({@link Temporaries}, which also deletes the ones a killed process left) in the target's
 * directory (the same file system, so the final rename is atomic), which is flushed and forced to
 * disk with {@link FileChannel#force}, then renamed over the target with {@link
 * StandardCopyOption#ATOMIC_MOVE} and {@link StandardCopyOption#REPLACE_EXISTING}; finally the
 * directory is forced so that the rename itself survives a power loss (best effort: not every
 * platform can open a directory).
 *
 * <p>Decisions: on any failure of the body or of the writing (checked, unchecked or an error) the
 * temporary file is deleted and the exception rethrown, leaving an existing target untouched.
 * Missing parent directories are created. If the file system cannot rename atomically the write
 * fails instead of silently degrading. The new file gets default permissions (the process umask),
 * not those of a replaced target. A body may close the stream it is given; the real close happens
 * after the sync.
 */
public final class AtomicFiles {

  private static final SecureRandom RANDOM = new SecureRandom();

  /** Keeps temporary names within the usual 255-byte file name limit. */
  private static final int MAX_NAME_PART = 200;

  private AtomicFiles() {}

  /**
   * Atomically replaces {@code target} with what {@code body} writes.
   *
   * @param target the file to create or replace
   * @param body writes the complete content to the given (buffered) stream
   * @throws IOException if the body or the file system fails; the target is then unchanged
   */
  public static void write(Path target, IoConsumer<OutputStream> body) throws IOException {
    Objects.requireNonNull(body, "body");
    Path absolute = target.toAbsolutePath();
    Path dir = absolute.getParent();
    if (dir == null || absolute.getFileName() == null) {
      throw new IOException(target + ": not a file path");
    }
    if (Files.isDirectory(absolute)) {
      throw new IOException(target + ": is a directory, cannot replace it with a file");
    }
    Files.createDirectories(dir);
    String name = absolute.getFileName().toString();
    if (name.length() > MAX_NAME_PART) {
      name = name.substring(0, MAX_NAME_PART);
    }
    Temporaries.deleteStale(dir, name);
    FileChannel channel = null;
    Path temp = null;
    for (int attempt = 0; channel == null; attempt++) {
      temp = dir.resolve(Temporaries.prefix(name) + String.format("%016x", RANDOM.nextLong()));
      try {
        channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
      } catch (FileAlreadyExistsException e) {
        if (attempt >= 10) {
          throw e;
        }
      }
    }
    try {
      try (FileChannel ch = channel) {
        OutputStream buffered = new BufferedOutputStream(Channels.newOutputStream(ch), 1 << 16);
        body.accept(
            new FilterOutputStream(buffered) {
              @Override
              public void write(byte[] b, int off, int len) throws IOException {
                // FilterOutputStream would write byte by byte.
                out.write(b, off, len);
              }

              @Override
              public void close() throws IOException {
                // The channel must stay open for force(); closing is ours to do.
                flush();
              }
            });
        buffered.flush();
        ch.force(true);
      }
      try {
        Files.move(
            temp, absolute, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        throw new IOException(
            target + ": the file system cannot replace files atomically; write elsewhere", e);
      }
    } catch (Throwable t) {
      try {
        Files.deleteIfExists(temp);
      } catch (IOException | RuntimeException deleteFailure) {
        t.addSuppressed(deleteFailure);
      }
      throw t;
    }
    syncDirectory(dir);
  }

  /**
   * Atomically replaces {@code target} with {@code content} encoded as UTF-8.
   *
   * @param target the file to create or replace
   * @param content the complete content
   * @throws IOException if writing fails; the target is then unchanged
   */
  public static void writeString(Path target, String content) throws IOException {
    Objects.requireNonNull(content, "content");
    write(target, out -> out.write(content.getBytes(StandardCharsets.UTF_8)));
  }

  /**
   * Atomically replaces {@code target} with {@code content}.
   *
   * @param target the file to create or replace
   * @param content the complete content
   * @throws IOException if writing fails; the target is then unchanged
   */
  public static void writeBytes(Path target, byte[] content) throws IOException {
    Objects.requireNonNull(content, "content");
    write(target, out -> out.write(content));
  }

  private static void syncDirectory(Path dir) {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException | RuntimeException e) {
      // Not all platforms can open or sync a directory; the rename is already done.
    }
  }
}
