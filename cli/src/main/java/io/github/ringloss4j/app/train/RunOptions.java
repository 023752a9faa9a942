package io.github.ringloss4j.app.train;

import static io.github.ringloss4j.app.io.OptionChecks.require;

import io.github.ringloss4j.app.io.MayChangeOnResume;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import picocli.CommandLine.Option;

/**
 * How long and in which order a run trains: epochs, batch size and seed, and the verification sets
 * it is validated on while it trains ({@link SetValidation}). One group of the training options:
 * picocli fills it from the command line, a checkpoint saves it; each option's default is declared
 * once, in its annotation.
 */
public final class RunOptions {

  /** The default of {@code --epochs}, shared with {@code demo}. */
  public static final String DEFAULT_EPOCHS = "3";

  /** The default of {@code --seed}, shared with {@code demo}. */
  public static final String DEFAULT_SEED = "42";

  /** A resumed run may train more (or fewer, but not fewer than done) epochs. */
  @MayChangeOnResume
  @Option(
      names = "--epochs",
      defaultValue = DEFAULT_EPOCHS,
      description =
          "Epochs; --resume may change them (not below those done). The cosine and step schedules"
              + " span all epochs, so a run resumed with other epochs follows neither length's"
              + " schedule: a warning says so. Default: ${DEFAULT-VALUE}.")
  private int epochs;

  @Option(
      names = "--batch-size",
      defaultValue = "128",
      description =
          "Batch size; at most the training images (a larger value trains on all of them in one"
              + " batch, and the log says so). Default: ${DEFAULT-VALUE}.")
  private int batchSize;

  @Option(
      names = "--seed",
      defaultValue = DEFAULT_SEED,
      description = "Seed; the same seed gives the same run. Default: ${DEFAULT-VALUE}.")
  private long seed;

  /**
   * The verification sets evaluated while training. Not changeable on resume: they decide which
   * checkpoint is {@code best.bin} and which columns the metrics files have, and a mean over other
   * sets would not compare with the best so far.
   */
  @Option(
      names = "--val",
      split = ",",
      paramLabel = "FILE",
      description =
          "InsightFace verification sets (.bin: lfw.bin,cfp_fp.bin,…) evaluated at every epoch end"
              + " (and every --val-every steps) with InsightFace's protocol; their accuracies go to"
              + " the log and the metrics files, and OUT/best.bin keeps the checkpoint with the best"
              + " mean accuracy.")
  private List<Path> val;

  /** Only how often the sets are evaluated: it changes no weight, so a resume may change it. */
  @MayChangeOnResume
  @Option(
      names = "--val-every",
      defaultValue = "0",
      paramLabel = "N",
      description =
          "Also evaluate the --val sets every N training steps (0: at epoch ends only). Default:"
              + " ${DEFAULT-VALUE}.")
  private int valEvery;

  /** For picocli and Gson, which fill the fields. */
  private RunOptions() {}

  /**
   * The number of epochs.
   *
   * @return {@code --epochs}
   */
  public int epochs() {
    return epochs;
  }

  /**
   * The batch size.
   *
   * @return {@code --batch-size}
   */
  public int batchSize() {
    return batchSize;
  }

  /**
   * The seed of initialisation, shuffling, splitting and augmentation.
   *
   * @return {@code --seed}
   */
  public long seed() {
    return seed;
  }

  /**
   * The verification sets evaluated while training.
   *
   * @return {@code --val}, empty when none was given
   */
  public List<Path> val() {
    return val == null ? List.of() : List.copyOf(val);
  }

  /**
   * How often, in training steps, the {@code --val} sets are evaluated besides each epoch end.
   *
   * @return {@code --val-every}, 0 for epoch ends only
   */
  public int valEvery() {
    return valEvery;
  }

  /**
   * Checks the ranges the types do not.
   *
   * @throws IllegalArgumentException naming the first bad option
   */
  public void validate() {
    require(epochs >= 1, "--epochs", epochs, ">= 1");
    require(batchSize >= 2, "--batch-size", batchSize, ">= 2");
    require(valEvery >= 0, "--val-every", valEvery, ">= 0");
    require(valEvery == 0 || !val().isEmpty(), "--val-every", valEvery, "0 without --val");
    Set<String> names = new HashSet<>();
    for (Path file : val()) {
      // Each set's name makes its metrics columns, so two sets must not share one.
      String name = VerificationEmbeddings.name(file);
      require(names.add(name), "--val", val(), "files with distinct names ('" + name + "' twice)");
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RunOptions r
        && epochs == r.epochs
        && batchSize == r.batchSize
        && seed == r.seed
        && val().equals(r.val())
        && valEvery == r.valEvery;
  }

  @Override
  public int hashCode() {
    return Objects.hash(epochs, batchSize, seed, val(), valEvery);
  }
}
