package io.github.ringloss4j.app.io;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.util.stream.Stream;

/**
 * A new directory built under a temporary name beside its target and renamed onto it only when
 * complete, so that readers never see a partly written image folder (which {@link
 * io.github.ringloss4j.app.data.ImageFolder} would silently read as a smaller data set).
 *
 * <p>The temporary directory is {@code .<name>.tmp-<pid>-<host>-<random>} in the target's parent
 * (the same file system, so the rename is atomic), created with the default mode (the process umask
 * applies, typically giving {@code 0755}), which the target keeps. The target must not exist or
 * must be an empty directory, which the rename replaces. Files inside are written without syncing
 * each one: after a crash the temporary directory is left behind, never a half-filled target, and
 * the next staging of the same target deletes it once its process is gone ({@link Temporaries}).
 * Closing without {@link #commit()} deletes the temporary directory.
 */
public final class StagingDirectory implements Closeable {

  private static final SecureRandom RANDOM = new SecureRandom();

  private final Path target;
  private final Path temp;
  private boolean committed;

  private StagingDirectory(Path target, Path temp) {
    this.target = target;
    this.temp = temp;
  }

  /**
   * Creates the temporary directory for a target.
   *
   * @param target the directory to create
   * @return the staging directory
   * @throws FileAlreadyExistsException if the target exists and is not an empty directory
   * @throws IOException if the directory cannot be created
   */
  public static StagingDirectory create(Path target) throws IOException {
    Path absolute = target.toAbsolutePath().normalize();
    if (Files.exists(absolute) && !isEmptyDirectory(absolute)) {
      throw new FileAlreadyExistsException(
          target.toString(), null, "exists and is not an empty directory; choose a new folder");
    }
    Path parent = Files.createDirectories(absolute.getParent());
    String name = absolute.getFileName().toString();
    Temporaries.deleteStale(parent, name);
    String prefix = Temporaries.prefix(name);
    // Not Files.createTempDirectory, which makes the folder (and so the target) mode 0700.
    for (int attempt = 0; ; attempt++) {
      Path temp = parent.resolve(prefix + String.format("%016x", RANDOM.nextLong()));
      try {
        return new StagingDirectory(absolute, Files.createDirectory(temp));
      } catch (FileAlreadyExistsException e) {
        if (attempt >= 10) {
          throw e;
        }
      }
    }
  }

  /**
   * Whether a path is a directory without entries.
   *
   * @param dir the path
   * @return true for an empty directory
   * @throws IOException if the directory cannot be listed
   */
  public static boolean isEmptyDirectory(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return false;
    }
    try (Stream<Path> entries = Files.list(dir)) {
      return entries.findAny().isEmpty();
    }
  }

  /**
   * Where to write the content.
   *
   * @return the temporary directory
   */
  public Path path() {
    return temp;
  }

  /**
   * Renames the temporary directory onto the target.
   *
   * @throws IOException if the rename fails (for example when the target was filled meanwhile)
   */
  public void commit() throws IOException {
    Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
    committed = true;
  }

  /**
   * Deletes the temporary directory unless it was committed.
   *
   * @throws IOException if deleting fails
   */
  @Override
  public void close() throws IOException {
    if (committed || !Files.exists(temp)) {
      return;
    }
    Temporaries.deleteTree(temp);
  }
}
