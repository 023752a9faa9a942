package io.github.ringloss4j.train;

import static io.github.ringloss4j.io.OptionChecks.require;

import io.github.ringloss4j.io.MayChangeOnResume;
import java.util.Objects;
import picocli.CommandLine.Option;

/**
 * How long and in which order a run trains: epochs, batch size and seed. One group of the training
 * options: picocli fills it from the command line, a checkpoint saves it; each option's default is
 * declared once, in its annotation.
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
      description = "Epochs; --resume may raise them. Default: ${DEFAULT-VALUE}.")
  private int epochs;

  @Option(
      names = "--batch-size",
      defaultValue = "128",
      description = "Batch size. Default: ${DEFAULT-VALUE}.")
  private int batchSize;

  @Option(
      names = "--seed",
      defaultValue = DEFAULT_SEED,
      description = "Seed; the same seed gives the same run. Default: ${DEFAULT-VALUE}.")
  private long seed;

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
   * Checks the ranges the types do not.
   *
   * @throws IllegalArgumentException naming the first bad option
   */
  public void validate() {
    require(epochs >= 1, "--epochs", epochs, ">= 1");
    require(batchSize >= 2, "--batch-size", batchSize, ">= 2");
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RunOptions r
        && epochs == r.epochs
        && batchSize == r.batchSize
        && seed == r.seed;
  }

  @Override
  public int hashCode() {
    return Objects.hash(epochs, batchSize, seed);
  }
}
