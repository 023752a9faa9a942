package io.github.ringloss4j.cli;

import io.github.ringloss4j.data.Datasets;
import io.github.ringloss4j.train.Checkpoint;
import io.github.ringloss4j.train.EpochMetrics;
import io.github.ringloss4j.train.TrainOptions;
import io.github.ringloss4j.train.TrainingRun;
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
      "Writes OUT/checkpoint.bin after every epoch (atomically), OUT/metrics.csv and metrics.json."
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

  @Override
  public Integer call() throws Exception {
    runtime.apply();
    if (stopAfter != null && stopAfter < 1) {
      throw new IllegalArgumentException("--stop-after must be >= 1, got " + stopAfter);
    }
    Checkpoint checkpoint = null;
    TrainOptions options;
    if (resume) {
      checkpoint = Checkpoint.read(out);
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
    List<EpochMetrics> history;
    try (Datasets.Splits splits = Datasets.open(options.data(), options.run().seed())) {
      history =
          new TrainingRun(options, splits.train(), splits.validation(), out, runtime.progress())
              .run(checkpoint, stopAfter == null ? Integer.MAX_VALUE : stopAfter);
    }
    EpochMetrics last = history.get(history.size() - 1);
    System.out.println(last.summary());
    System.out.println("checkpoint: " + out.resolve(Checkpoint.FILE_NAME));
    return 0;
  }
}
