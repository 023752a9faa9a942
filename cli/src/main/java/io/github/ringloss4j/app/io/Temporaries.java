package io.github.ringloss4j.app.io;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Names of temporary files and folders that say which process made them, so that the ones a killed
 * process left behind can be found and deleted by the next write into the same place.
 *
 * <p>Format: {@code .<name>.tmp-<pid>-<host>-<random>} beside the target {@code <name>}, where
 * {@code pid} is the writing process and {@code host} 8 hexadecimal digits of a hash of the host
 * name ({@code /proc/sys/kernel/hostname}). A temporary is stale, and {@link #deleteStale} deletes
 * it, only when it was made on this host by a process that no longer runs ({@link ProcessHandle}):
 * a live writer's temporary is never touched, nor one made on another host sharing the folder (a
 * network file system, or another container with its own host name), whose processes this one
 * cannot see. Temporaries without the process part (from older versions) are left alone, since
 * nothing proves that their writer is gone. A reused process id only keeps a stale temporary a
 * little longer.
 */
public final class Temporaries {

  private static final Logger LOG = LoggerFactory.getLogger(Temporaries.class);

  private static final long PID = ProcessHandle.current().pid();

  private static final String HOST = String.format("%08x", hostName().hashCode());

  private Temporaries() {}

  /**
   * The start of this process's temporary names for a target.
   *
   * @param name the target's file name
   * @return {@code .<name>.tmp-<pid>-<host>-}; the caller appends something unique
   */
  public static String prefix(String name) {
    return common(name) + PID + "-" + HOST + "-";
  }

  private static String common(String name) {
    return "." + name + ".tmp-";
  }

  /**
   * Deletes the temporaries of a target that a process of this host left behind and that no longer
   * runs (see the class documentation); best effort, a failure is only logged.
   *
   * @param dir the target's directory
   * @param name the target's file name
   */
  public static void deleteStale(Path dir, String name) {
    String start = common(name);
    List<Path> stale = new ArrayList<>();
    try (DirectoryStream<Path> entries =
        Files.newDirectoryStream(dir, p -> p.getFileName().toString().startsWith(start))) {
      for (Path p : entries) {
        if (isStale(p.getFileName().toString().substring(start.length()))) {
          stale.add(p);
        }
      }
    } catch (IOException | RuntimeException e) {
      return;
    }
    for (Path p : stale) {
      try {
        deleteTree(p);
        LOG.info("deleted {}, left behind by a process that no longer runs", p);
      } catch (IOException | RuntimeException e) {
        LOG.warn("could not delete the stale temporary {}: {}", p, e.toString());
      }
    }
  }

  /** Whether {@code <pid>-<host>-<random>} names a dead process of this host. */
  private static boolean isStale(String tail) {
    String[] parts = tail.split("-", 3);
    if (parts.length != 3 || !parts[1].equals(HOST) || !parts[0].matches("[0-9]{1,18}")) {
      return false;
    }
    long pid = Long.parseLong(parts[0]);
    return pid != PID && ProcessHandle.of(pid).isEmpty();
  }

  /**
   * Deletes a file or a folder with everything in it.
   *
   * @param root the file or folder
   * @throws IOException if something cannot be deleted
   */
  public static void deleteTree(Path root) throws IOException {
    List<Path> paths;
    try (Stream<Path> walk = Files.walk(root)) {
      paths = walk.sorted(Comparator.reverseOrder()).toList();
    } catch (NoSuchFileException e) {
      return;
    }
    for (Path p : paths) {
      Files.deleteIfExists(p);
    }
  }

  private static String hostName() {
    try {
      return Files.readString(Path.of("/proc/sys/kernel/hostname"), StandardCharsets.UTF_8).strip();
    } catch (IOException | RuntimeException e) {
      String env = System.getenv("HOSTNAME");
      return env == null ? "" : env;
    }
  }
}
