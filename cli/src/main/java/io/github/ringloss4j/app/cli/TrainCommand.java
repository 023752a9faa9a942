package io.github.ringloss4j.app.cli;

import ai.djl.Device;
import io.github.ringloss4j.app.data.Datasets;
import io.github.ringloss4j.app.data.ImageSpec;
import io.github.ringloss4j.app.io.OutputPaths;
import io.github.ringloss4j.app.io.RunLock;
import io.github.ringloss4j.app.model.ExportedModels;
import io.github.ringloss4j.app.train.Checkpoint;
import io.github.ringloss4j.app.train.EpochMetrics;
import io.github.ringloss4j.app.train.SetValidation;
import io.github.ringloss4j.app.train.TrainOptions;
import io.github.ringloss4j.app.train.TrainingRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ringloss train}: softmax alone (λ = 0) or softmax + λ·ring. */
@Command(
    name = "train",
    mixinStandardHelpOptions = true,
    description = {
      "Train softmax (--lambda 0) or softmax + λ·ring on Fashion-MNIST, an image folder or a"
          + " packed set.",
      "Writes OUT/checkpoint.bin after every epoch (atomically), OUT/metrics.csv and metrics.json;"
          + " with --val, OUT/validation_sets.csv/.json and OUT/best.bin."
    })
public final class TrainCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Mixin TrainOptions training;
  @Mixin RuntimeOptions runtime;

  @Option(
      names = "--out",
      defaultValue = "runs/train",
      paramLabel = "DIR",
      description = "Run directory. Default: ${DEFAULT-VALUE}.")
  Path out;

  @Option(
      names = "--resume",
      description =
          "Continue from OUT/checkpoint.bin with its saved options. Saved options given with it"
              + " must keep their values, except those that may change on resume (--epochs).")
  boolean resume;

  @Option(
      names = "--stop-after",
      paramLabel = "N",
      description =
          "Stop after N epochs of this invocation; continue later with --resume, which gives the"
              + " same result as an uninterrupted run.")
  Integer stopAfter;

  @Option(
      names = "--skip-bad-images",
      description =
          "Train on the readable images of an image folder when some are unreadable (their"
              + " headers are checked before training; without this option any bad one stops the"
              + " run, listing them). The skipped files are counted in the log.")
  boolean skipBadImages;

  @Override
  public Integer call() throws Exception {
    runtime.apply();
    if (stopAfter != null && stopAfter < 1) {
      throw new IllegalArgumentException("--stop-after must be >= 1, got " + stopAfter);
    }
    // Before any work: an hour of training that cannot save its checkpoint is an hour lost.
    OutputPaths.requireWritableDirectory(out, "--out");
    // One writer per run directory, for the whole run: a second train (or evaluate) on this --out
    // is refused at once, naming this process.
    RunLock lock = RunLock.acquire(out, CommandLines.current("train", out));
    try (lock) {
      return train();
    }
  }

  private int train() throws Exception {
    Checkpoint checkpoint = null;
    TrainOptions options;
    if (resume) {
      checkpoint = Checkpoint.read(out);
      checkpoint.requireWeightsFitOptions();
      // Options not given keep the checkpoint's values; given ones must match them, except those
      // marked @MayChangeOnResume (--epochs).
      options = checkpoint.options().resumedWith(training, spec.commandLine().getParseResult());
      if (options.run().epochs() < checkpoint.epochsDone()) {
        throw new IllegalArgumentException(
            "--epochs "
                + options.run().epochs()
                + " is below the "
                + checkpoint.epochsDone()
                + " epochs already trained in "
                + out);
      }
    } else {
      training.validate();
      options = training;
      if (Files.exists(out.resolve(Checkpoint.FILE_NAME))) {
        throw new IllegalArgumentException(
            "--out "
                + out
                + " already holds a checkpoint; use --resume to continue it or another --out");
      }
    }
    // Before the training data are read: the devices and the --val sets, every image decoded.
    Device[] devices = runtime.devices();
    ImageSpec input = Datasets.inputSpec(options.data());
    SetValidation.check(options.run(), input);
    if (checkpoint == null && options.model().initFrom() != null) {
      // The directory's network against the run's, before the data are read (the run checks it
      // again against the data's item shape when it loads it).
      ExportedModels.check(
          options.model(), new int[] {input.channels(), input.height(), input.width()});
    }
    List<EpochMetrics> history;
    try (Datasets.Splits splits =
        Datasets.openForTraining(options.data(), options.run().seed(), skipBadImages)) {
      history =
          new TrainingRun(options, splits.train(), splits.validation(), out, runtime.progress())
              .onDevices(devices)
              .classesFrom(splits.classesFrom())
              .run(checkpoint, stopAfter == null ? Integer.MAX_VALUE : stopAfter);
    }
    // The last epoch's line is already in the log; standard output gets where the result is.
    System.out.println(
        "epochs done: " + history.size() + "; checkpoint: " + out.resolve(Checkpoint.FILE_NAME));
    return 0;
  }
}
