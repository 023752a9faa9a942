package io.github.ringloss4j.app.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunLockTest {

  @TempDir Path tmp;

  @Test
  void aSecondHolderIsRefusedAtOnceNamingTheFirst() throws IOException {
    Path run = Files.createDirectories(tmp.resolve("run"));
    try (RunLock first = RunLock.acquire(run, "ringloss train --out " + run)) {
      assertTrue(Files.isRegularFile(run.resolve(RunLock.FILE_NAME)));
      RunLock.HeldException e =
          assertThrows(
              RunLock.HeldException.class, () -> RunLock.acquire(run, "ringloss evaluate"));
      assertTrue(e.getMessage().startsWith(run + " is in use by process "), e.getMessage());
      assertTrue(
          e.getMessage().contains("process " + ProcessHandle.current().pid() + " on "),
          e.getMessage());
      assertTrue(e.getMessage().contains("ringloss train --out " + run), e.getMessage());
      // The same directory by another path is the same lock.
      assertThrows(
          RunLock.HeldException.class,
          () -> RunLock.acquire(run.resolve("..").resolve("run"), "again"));
      assertTrue(first.holder().contains("pid " + ProcessHandle.current().pid()));
    }
    assertFalse(Files.exists(run.resolve(RunLock.FILE_NAME)), "removed on release");
    try (RunLock again = RunLock.acquire(run, "ringloss evaluate")) {
      assertTrue(again.holder().contains("ringloss evaluate"));
    }
  }

  @Test
  void aStaleLockFileBlocksNobody() throws IOException {
    Path run = Files.createDirectories(tmp.resolve("stale"));
    // As a killed process leaves it: its text, but no lock of the operating system.
    Files.writeString(
        run.resolve(RunLock.FILE_NAME), "pid 999999\nhost elsewhere\ncommand ringloss train\n");
    try (RunLock lock = RunLock.acquire(run, "ringloss train --resume")) {
      assertEquals(lock.holder(), Files.readString(run.resolve(RunLock.FILE_NAME)));
    }
  }

  @Test
  void aDirectoryItCreatedIsRemovedWhenNothingWasWrittenIntoIt() throws IOException {
    Path run = tmp.resolve("new/run");
    try (RunLock lock = RunLock.acquire(run, "ringloss train")) {
      assertEquals(lock.holder(), Files.readString(run.resolve(RunLock.FILE_NAME)));
    }
    assertFalse(Files.exists(tmp.resolve("new")), "as before: a failed run leaves no directory");

    try (RunLock lock = RunLock.acquire(run, "ringloss train")) {
      Files.writeString(run.resolve("checkpoint.bin"), lock.holder());
    }
    assertTrue(Files.exists(run.resolve("checkpoint.bin")));
    assertFalse(Files.exists(run.resolve(RunLock.FILE_NAME)));
  }

  @Test
  void anOutputOutsideTheRunTakesNoLock() throws IOException {
    Path run = Files.createDirectories(tmp.resolve("read"));
    try (RunLock outside = RunLock.forOutput(run, tmp.resolve("elsewhere.json"), "evaluate");
        RunLock inside = RunLock.forOutput(run, run.resolve("evaluation.json"), "evaluate")) {
      assertEquals("", outside.holder());
      assertTrue(inside.holder().contains("evaluate"));
      assertThrows(
          RunLock.HeldException.class,
          () -> RunLock.forOutput(run, run.resolve("model"), "export"));
    }
    try (RunLock missing = RunLock.forOutput(tmp.resolve("none"), tmp.resolve("none/x"), "e")) {
      assertEquals("", missing.holder());
      assertFalse(Files.exists(tmp.resolve("none")), "a missing run is left for its reader");
    }
  }

  /** Holds a run directory's lock until its standard input closes: the other process. */
  public static final class Holder {
    public static void main(String[] args) throws IOException {
      try (RunLock lock = RunLock.acquire(Path.of(args[0]), "ringloss train --out " + args[0])) {
        System.out.println(lock.holder().isEmpty() ? "not locked" : "locked");
        System.out.flush();
        while (System.in.read() != -1) {
          // hold
        }
      }
    }
  }

  @Test
  void anotherProcessIsRefusedAndItsLockDiesWithIt() throws Exception {
    Path run = Files.createDirectories(tmp.resolve("shared"));
    // The tests run on the module path; the other process runs the same classes on the class path.
    String classPath =
        Stream.of(System.getProperty("jdk.module.path"), System.getProperty("java.class.path"))
            .filter(Objects::nonNull)
            .collect(Collectors.joining(File.pathSeparator));
    Process other =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                classPath,
                Holder.class.getName(),
                run.toString())
            .redirectErrorStream(true)
            .start();
    try {
      BufferedReader out =
          new BufferedReader(new InputStreamReader(other.getInputStream(), StandardCharsets.UTF_8));
      assertEquals("locked", out.readLine());
      RunLock.HeldException e =
          assertThrows(RunLock.HeldException.class, () -> RunLock.acquire(run, "ringloss train"));
      assertTrue(e.getMessage().contains("process " + other.pid() + " on "), e.getMessage());
      assertTrue(e.getMessage().contains("ringloss train --out " + run), e.getMessage());
    } finally {
      other.destroyForcibly(); // kill -9: no clean-up, the lock file stays
      assertTrue(other.waitFor(30, TimeUnit.SECONDS));
    }
    assertTrue(Files.exists(run.resolve(RunLock.FILE_NAME)), "left by the killed process");
    try (RunLock lock = RunLock.acquire(run, "ringloss train --resume")) {
      assertTrue(lock.holder().contains("--resume"));
    }
  }
}
