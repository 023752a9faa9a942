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
    try (Pending pending = open(target)) {
      body.accept(pending.stream());
      pending.commit();
    }
  }

  /**
   * Opens a temporary file that will replace {@code target} when committed, for content written
   * piece by piece (several files filled side by side, a stream of batches): what {@link #write}
   * does in one call.
   *
   * @param target the file to create or replace
   * @return the pending file; close it in every case (closing before {@link Pending#commit} deletes
   *     the temporary file and leaves the target untouched)
   * @throws IOException if the temporary file cannot be created
   */
  public static Pending open(Path target) throws IOException {
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
    for (int attempt = 0; ; attempt++) {
      Path temp = dir.resolve(Temporaries.prefix(name) + String.format("%016x", RANDOM.nextLong()));
      try {
        return new Pending(
            target,
            absolute,
            temp,
            FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE));
      } catch (FileAlreadyExistsException e) {
        if (attempt >= 10) {
          throw e;
        }
      }
    }
  }

  /**
   * A temporary file being written in the target's directory: {@link #commit} forces it to disk and
   * renames it over the target; {@link #close} without a commit (a failure on the way) deletes it.
   */
  public static final class Pending implements AutoCloseable {
    private final Path target;
    private final Path absolute;
    private final Path temp;
    private final FileChannel channel;
    private final OutputStream buffered;
    private final OutputStream stream;
    private boolean done;

    private Pending(Path target, Path absolute, Path temp, FileChannel channel) {
      this.target = target;
      this.absolute = absolute;
      this.temp = temp;
      this.channel = channel;
      this.buffered = new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16);
      this.stream =
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
          };
    }

    /**
     * The (buffered) stream into the temporary file; a writer may close it, the real close happens
     * at commit.
     *
     * @return the stream
     */
    public OutputStream stream() {
      return stream;
    }

    /**
     * Flushes the content to disk and atomically renames it over the target.
     *
     * @throws IOException if writing, syncing or renaming fails; the target is then unchanged and
     *     {@link #close} deletes the temporary file
     */
    public void commit() throws IOException {
      if (done) {
        throw new IllegalStateException(target + ": already committed or closed");
      }
      try (FileChannel ch = channel) {
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
      done = true;
      syncDirectory(absolute.getParent());
    }

    /**
     * Deletes the temporary file unless it was committed.
     *
     * @throws IOException if it cannot be deleted
     */
    @Override
    public void close() throws IOException {
      if (done) {
        return;
      }
      done = true;
      try {
        channel.close();
      } finally {
        Files.deleteIfExists(temp);
      }
    }
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
