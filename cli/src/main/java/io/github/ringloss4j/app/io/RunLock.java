package io.github.ringloss4j.app.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One writer per run directory: an exclusive lock that a command holds while it writes into a run
 * directory ({@code train} for the whole run, {@code evaluate}, {@code report}, {@code export} and
 * {@code enroll} while their output goes there). A second process is refused at once, with a {@link
 * HeldException} naming the holder.
 *
 * <p>How: the operating system's lock ({@link FileChannel#tryLock}) on {@value #FILE_NAME} in the
 * directory, into which the holder writes who it is (process id, host, start time, command line).
 * The operating system drops the lock when the process ends, however it ends, so a lock file left
 * by a killed process blocks nobody; the next holder takes it over. A holder deletes the file while
 * it still holds the lock and then releases it; an acquirer that locked a file deleted under it
 * notices (the path names another file, or none) and starts again.
 *
 * <p>Within one JVM the operating system's locks do not exclude each other (they belong to the
 * process), and closing any channel to the file would drop them: the directories locked by this JVM
 * are kept in a table, consulted before the file is opened.
 */
public final class RunLock implements AutoCloseable {

  /** The lock file's name inside the run directory. */
  public static final String FILE_NAME = ".ringloss.lock";

  /** What is read of a lock file: it is another process's text, not trusted. */
  private static final int MAX_HOLDER_BYTES = 4096;

  private static final int ATTEMPTS = 10;

  private static final Map<Path, RunLock> HELD = new ConcurrentHashMap<>();

  /** No lock: for outputs that lie outside any run directory. */
  public static final RunLock NONE = new RunLock(null, null, null, null, null, "");

  private final Path key;
  private final Path file;
  private final FileChannel channel;
  private final FileLock lock;
  private final Path createdFrom;
  private final String holder;

  private RunLock(
      Path key, Path file, FileChannel channel, FileLock lock, Path createdFrom, String holder) {
    this.key = key;
    this.file = file;
    this.channel = channel;
    this.lock = lock;
    this.createdFrom = createdFrom;
    this.holder = holder;
  }

  /**
   * The refusal: another process (or another command in this one) holds the directory's lock. Exit
   * code 5, as for other I/O failures: the command line is right and succeeds once the holder has
   * finished.
   */
  public static final class HeldException extends IOException {
    private static final long serialVersionUID = 1L;

    HeldException(String message) {
      super(message);
    }
  }

  /**
   * Takes the lock of a run directory, creating the directory when it does not exist (and removing
   * it again on {@link #close} when it is still empty then).
   *
   * @param dir the run directory
   * @param command the command line, written into the lock file for a refused process to read
   * @return the lock; close it when done
   * @throws HeldException naming the holder when another process or command holds it
   * @throws IOException when the directory or the lock file cannot be created
   */
  public static RunLock acquire(Path dir, String command) throws IOException {
    Path absolute = dir.toAbsolutePath().normalize();
    Path existing = absolute;
    while (existing != null && !Files.exists(existing)) {
      existing = existing.getParent();
    }
    Path createdFrom = existing == null || existing.equals(absolute) ? null : existing;
    Files.createDirectories(absolute);
    Path key = absolute.toRealPath();
    Path file = key.resolve(FILE_NAME);
    String token = UUID.randomUUID().toString();
    String text = holderText(command, token);
    RunLock placeholder = new RunLock(key, file, null, null, null, text);
    RunLock inThisJvm = HELD.putIfAbsent(key, placeholder);
    if (inThisJvm != null) {
      throw held(dir, file, inThisJvm.holder);
    }
    try {
      for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
        Object before = fileKey(file);
        if (before == null) {
          try {
            Files.createFile(file);
          } catch (FileAlreadyExistsException e) {
            // another process was quicker: lock its file
          }
          continue;
        }
        FileChannel channel;
        try {
          channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
        } catch (NoSuchFileException e) {
          continue;
        }
        FileLock lock = before.equals(fileKey(file)) ? tryLock(channel) : null;
        if (lock == null && before.equals(fileKey(file))) {
          channel.close();
          throw held(dir, file, readHolder(file));
        }
        if (lock != null && before.equals(fileKey(file))) {
          byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
          channel.truncate(0);
          channel.write(ByteBuffer.wrap(bytes), 0);
          RunLock taken = new RunLock(key, file, channel, lock, createdFrom, text);
          HELD.put(key, taken);
          return taken;
        }
        // The file was deleted (and perhaps made anew) by its previous holder: try again.
        if (lock != null) {
          lock.release();
        }
        channel.close();
      }
      throw new IOException(
          file + ": cannot take the run directory's lock: the lock file keeps being replaced");
    } catch (IOException | RuntimeException e) {
      HELD.remove(key, placeholder);
      // A lock file that cannot be made (a full disk, a path at the system's limit) leaves no
      // directory behind either.
      removeCreated(key, createdFrom);
      throw e;
    }
  }

  /** The operating system's lock, or null when another holds it. */
  private static FileLock tryLock(FileChannel channel) throws IOException {
    try {
      return channel.tryLock();
    } catch (OverlappingFileLockException e) {
      return null;
    }
  }

  /**
   * What identifies the file now at {@code file} (device and inode), or null when there is none.
   * Compared before opening and after locking, it shows that the channel locked the file the path
   * names, without opening the file again: closing any descriptor of a file drops the process's
   * locks on it.
   */
  private static Object fileKey(Path file) throws IOException {
    try {
      BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
      return a.fileKey() != null ? a.fileKey() : a.creationTime();
    } catch (NoSuchFileException e) {
      return null;
    }
  }

  /**
   * Takes the lock of {@code runDir} when it is an existing directory and {@code output} lies
   * inside it, and none otherwise: a command that reads a run but writes elsewhere need not exclude
   * its training (checkpoints are replaced atomically), and one given a missing run fails on
   * reading it.
   *
   * @param runDir the run directory the command reads
   * @param output the file or directory the command writes
   * @param command the command line, for the lock file
   * @return the lock, or a lock that holds nothing; close it when done
   * @throws HeldException naming the holder when another process or command holds it
   * @throws IOException when the lock file cannot be created
   */
  public static RunLock forOutput(Path runDir, Path output, String command) throws IOException {
    return Files.isDirectory(runDir) && isInside(output, runDir) ? acquire(runDir, command) : NONE;
  }

  /** Whether {@code path} is {@code dir} or lies below it, symbolic links resolved. */
  static boolean isInside(Path path, Path dir) throws IOException {
    return real(path).startsWith(real(dir));
  }

  /** The real path of the nearest existing ancestor, with the rest of the path appended. */
  private static Path real(Path path) throws IOException {
    Path absolute = path.toAbsolutePath().normalize();
    Path existing = absolute;
    while (existing.getParent() != null && !Files.exists(existing)) {
      existing = existing.getParent();
    }
    return existing.toRealPath().resolve(existing.relativize(absolute));
  }

  /**
   * Who holds this lock, as written into the lock file.
   *
   * @return the text, empty for the lock that holds nothing
   */
  public String holder() {
    return holder;
  }

  /** Deletes the lock file while still holding the lock, then releases it. */
  @Override
  public void close() throws IOException {
    if (channel == null) {
      return;
    }
    try {
      Files.deleteIfExists(file);
    } finally {
      try {
        lock.release();
        channel.close();
      } finally {
        HELD.remove(key, this);
        removeCreated(key, createdFrom);
      }
    }
  }

  /**
   * Removes the directories {@link #acquire} created, from {@code dir} up to {@code createdFrom}
   * (which existed), as long as nothing was written into them.
   */
  private static void removeCreated(Path dir, Path createdFrom) {
    if (createdFrom == null) {
      return;
    }
    for (Path p = dir; p != null && !p.equals(createdFrom) && p.startsWith(createdFrom); ) {
      try {
        Files.delete(p);
      } catch (IOException e) {
        return; // not empty (DirectoryNotEmptyException), or not ours to remove
      }
      p = p.getParent();
    }
  }

  private static String holderText(String command, String token) {
    return "pid "
        + ProcessHandle.current().pid()
        + "\nhost "
        + hostName()
        + "\nsince "
        + Instant.now().truncatedTo(ChronoUnit.SECONDS)
        + "\ncommand "
        + command.replaceAll("[\\r\\n]", " ")
        + "\ntoken "
        + token
        + "\n";
  }

  private static String hostName() {
    try {
      String name = Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
      if (!name.isEmpty()) {
        return name;
      }
    } catch (IOException | RuntimeException e) {
      // not Linux: ask Java
    }
    try {
      return java.net.InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return "an unknown host";
    }
  }

  /** The lock file's text, at most {@value #MAX_HOLDER_BYTES} bytes; empty when there is none. */
  private static String readHolder(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      return new String(in.readNBytes(MAX_HOLDER_BYTES), StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      return "";
    }
  }

  private static HeldException held(Path dir, Path file, String text) {
    String pid = field(text, "pid");
    String who =
        pid.isEmpty()
            ? "another process, which has not yet written who it is into " + file
            : "process "
                + pid
                + " on "
                + field(text, "host")
                + ", running since "
                + field(text, "since")
                + ": "
                + field(text, "command");
    return new HeldException(
        dir
            + " is in use by "
            + who
            + "; one process at a time writes a run directory: wait for it to finish (or stop it),"
            + " or choose another directory (lock file "
            + file
            + ")");
  }

  /** One line's value of a lock file's text, printable characters only, at most 300 of them. */
  private static String field(String text, String name) {
    for (String line : text.split("\n", -1)) {
      if (line.startsWith(name + " ")) {
        String value = line.substring(name.length() + 1).replaceAll("\\p{Cntrl}", "?");
        return value.length() > 300 ? value.substring(0, 300) + "…" : value;
      }
    }
    return "";
  }
}
