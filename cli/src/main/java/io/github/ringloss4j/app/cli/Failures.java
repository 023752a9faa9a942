package io.github.ringloss4j.app.cli;

import ai.djl.engine.EngineException;
import ai.djl.util.Utils;
import io.github.ringloss4j.app.io.DataFormatException;
import io.github.ringloss4j.app.io.OutputPaths;
import io.github.ringloss4j.interop.TorchFormatException;
import io.github.ringloss4j.training.DivergenceException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;

/**
 * The one mapping from a failure to what the user reads and the exit code: every anticipated
 * failure is one message naming the option or file, without a stack trace; only a true internal
 * error (exit code 1) prints one, because then the trace is what a bug report needs.
 *
 * <p>The exit codes ({@link RingLossCli}'s list and the README's table): 2 a bad option value
 * ({@link IllegalArgumentException}); 3 missing or malformed input ({@link DataFormatException},
 * {@link TorchFormatException}, {@link NoSuchFileException}); 4 training diverged ({@link
 * DivergenceException}); 5 an I/O failure: any other {@link IOException} (an output that cannot be
 * written, a disk that fails) and a native engine that cannot be unpacked or loaded ({@link
 * EngineException}).
 */
final class Failures {

  private Failures() {}

  /**
   * Reports a failure of a command.
   *
   * @param failure what the command threw
   * @param command the command's name, for option errors
   * @param err where the message goes
   * @return the exit code
   */
  static int report(Throwable failure, String command, PrintWriter err) {
    Throwable cause = failure instanceof UncheckedIOException ? failure.getCause() : failure;
    int code = exitCode(cause);
    switch (code) {
      case RingLossCli.EXIT_USAGE -> err.println("ringloss " + command + ": " + cause.getMessage());
      case RingLossCli.EXIT_DATA ->
          err.println(
              cause instanceof NoSuchFileException missing
                  ? "ringloss: missing "
                      + missing.getFile()
                      + (missing.getReason() != null ? ": " + missing.getReason() : "")
                  : "ringloss: " + cause.getMessage());
      case RingLossCli.EXIT_IO ->
          err.println(
              "ringloss: "
                  + (engineFailure(cause) != null
                      ? engineMessage(engineFailure(cause))
                      : messageOf(cause)));
      case RingLossCli.EXIT_DIVERGED -> err.println("ringloss: " + cause.getMessage());
      default -> {
        err.println("ringloss: internal error: " + cause);
        cause.printStackTrace(err);
      }
    }
    err.flush();
    return code;
  }

  /**
   * The exit code of a failure.
   *
   * @param cause what a command threw, unwrapped from {@link UncheckedIOException}
   * @return 2, 3, 4, 5, or 1 for an internal error
   */
  static int exitCode(Throwable cause) {
    if (cause instanceof DivergenceException) {
      return RingLossCli.EXIT_DIVERGED;
    }
    if (cause instanceof IllegalArgumentException) {
      return RingLossCli.EXIT_USAGE;
    }
    if (cause instanceof DataFormatException
        || cause instanceof TorchFormatException
        || cause instanceof NoSuchFileException) {
      return RingLossCli.EXIT_DATA;
    }
    if (cause instanceof IOException
        && cause.getCause() instanceof ai.djl.MalformedModelException) {
      // Parameters that do not fit the options of a checkpoint whose checksum held: a checkpoint
      // of another version, i.e. malformed input.
      return RingLossCli.EXIT_DATA;
    }
    if (cause instanceof IOException || engineFailure(cause) != null) {
      return RingLossCli.EXIT_IO;
    }
    return 1;
  }

  /**
   * The engine's failure to start in the cause chain, or null. DJL throws {@link EngineException}
   * for failed operations too (a shape mismatch in a matrix product), which are not the
   * environment's fault: a start-up failure is one raised while the engine is found and loaded (its
   * stack passes through {@code Engine.getEngine} or the PyTorch {@code LibUtils}), or one caused
   * by the file system or the native linker.
   */
  private static EngineException engineFailure(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (c instanceof EngineException e && isStartUp(e)) {
        return e;
      }
    }
    return null;
  }

  private static boolean isStartUp(EngineException e) {
    if (e.getCause() instanceof IOException || e.getCause() instanceof LinkageError) {
      return true;
    }
    for (StackTraceElement frame : e.getStackTrace()) {
      String where = frame.getClassName() + "." + frame.getMethodName();
      if (where.equals("ai.djl.engine.Engine.getEngine")
          || frame.getClassName().equals("ai.djl.pytorch.jni.LibUtils")) {
        return true;
      }
    }
    return false;
  }

  /**
   * What to say when the PyTorch engine cannot start: where its native cache is, why it failed (the
   * deepest cause, usually the file system's), and how to point the cache elsewhere.
   *
   * @param e the engine's exception
   * @return the message, several lines
   */
  static String engineMessage(EngineException e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String why = root == e ? messageOf(e) : messageOf(e) + ": " + messageOf(root);
    return "the PyTorch engine could not start: "
        + why
        + "\n  Its native libraries are unpacked into the cache "
        + Utils.getEngineCacheDir()
        + " (DJL_CACHE_DIR "
        + valueOf("DJL_CACHE_DIR")
        + ", ENGINE_CACHE_DIR "
        + valueOf("ENGINE_CACHE_DIR")
        + "), which must be writable and hold about 450 MB."
        + "\n  Point both at a writable directory, e.g."
        + " DJL_CACHE_DIR=$HOME/.cache/ringloss-djl ENGINE_CACHE_DIR=$HOME/.cache/ringloss-djl"
        + " (the ringloss launcher sets both, to target/djl-cache by default).";
  }

  private static String valueOf(String variable) {
    String value = Utils.getEnvOrSystemProperty(variable);
    return value == null ? "not set" : "= " + value;
  }

  /** An exception's message, or its class when it has none. */
  private static String messageOf(Throwable t) {
    if (t instanceof FileSystemException fs && fs.getFile() != null) {
      // "path: reason", also for the types whose message is the bare path.
      return fs.getFile()
          + (fs.getOtherFile() != null ? " -> " + fs.getOtherFile() : "")
          + ": "
          + OutputPaths.systemReason(fs);
    }
    return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
  }
}
