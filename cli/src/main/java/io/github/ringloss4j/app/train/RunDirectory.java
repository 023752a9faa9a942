package io.github.ringloss4j.app.train;

import io.github.ringloss4j.app.data.Datasets;
import io.github.ringloss4j.app.io.RunLock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Trains a run into a directory, or reuses it when it already finished with the same options. */
public final class RunDirectory {

  private RunDirectory() {}

  /**
   * Makes sure {@code dir} holds a finished run of {@code options}: reuses a finished one, resumes
   * an interrupted one, trains a new one.
   *
   * @param options the options
   * @param dir the run directory
   * @param progress the progress display
   * @return true when it trained, false when it reused a finished run
   * @throws IOException if data or outputs cannot be read or written, or another process holds the
   *     directory ({@link RunLock.HeldException})
   * @throws IllegalArgumentException if {@code dir} holds a run with other options
   */
  public static boolean trainOrReuse(TrainOptions options, Path dir, Progress progress)
      throws IOException {
    // One writer per run directory, for the whole run.
    RunLock lock = RunLock.acquire(dir, "ringloss training " + dir);
    try (lock) {
      return trainOrReuseLocked(options, dir, progress);
    }
  }

  private static boolean trainOrReuseLocked(TrainOptions options, Path dir, Progress progress)
      throws IOException {
    Checkpoint previous =
        Files.exists(dir.resolve(Checkpoint.FILE_NAME)) ? Checkpoint.read(dir) : null;
    if (previous != null && !previous.options().equals(options)) {
      throw new IllegalArgumentException(
          dir + " holds a run with other options; remove it or choose another --out");
    }
    if (previous != null && previous.epochsDone() >= options.run().epochs()) {
      return false;
    }
    if (previous != null) {
      previous.requireWeightsFitOptions();
    }
    try (Datasets.Splits splits =
        Datasets.openForTraining(options.data(), options.run().seed(), false)) {
      new TrainingRun(options, splits.train(), splits.validation(), dir, progress)
          .classesFrom(splits.classesFrom())
          .run(previous);
    }
    return true;
  }
}
