package io.github.ringloss4j.app.data;

import static io.github.ringloss4j.app.io.OptionChecks.require;

import io.github.ringloss4j.app.io.MayChangeOnResume;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;
import picocli.CommandLine.Option;

/**
 * Which data a run reads, how it splits and presents them, and how many threads read them. One
 * group of the training options: picocli fills it from the command line, a checkpoint saves it;
 * each option's default is declared once, in its annotation.
 */
public final class DataOptions {

  @Option(
      names = "--data",
      paramLabel = "DIR",
      description =
          "Fashion-MNIST IDX files, an image folder (one sub-folder per identity) or a packed"
              + " set (InsightFace's train.rec, train.idx, property). Default: the Debian"
              + " package's /usr/share/datasets/fashion-mnist.")
  private Path directory;

  @Option(
      names = "--image-size",
      defaultValue = "28",
      description =
          "Input side for image folders and packed sets, 8 to 4096 (IDX data are 28×28 and refuse"
              + " another). Default: ${DEFAULT-VALUE}.")
  private int imageSize;

  @Option(
      names = "--channels",
      defaultValue = "1",
      description =
          "1 (grey) or 3 (colour) for image folders and packed sets. Default: ${DEFAULT-VALUE}.")
  private int channels;

  @Option(
      names = "--validation-fraction",
      defaultValue = "0.1",
      description = "Share of training data held out. Default: ${DEFAULT-VALUE}.")
  private double validationFraction;

  @Option(
      names = "--augment",
      description = "Random horizontal flip (and crop for image folders and packed sets).")
  private boolean augment;

  @Option(
      names = "--train-limit",
      defaultValue = "0",
      description = "Train on the first N items only (0: all). Default: ${DEFAULT-VALUE}.")
  private int trainLimit;

  /** Null in the options of runs saved before the option existed: no class left out. */
  @Option(
      names = "--exclude-classes",
      split = ",",
      paramLabel = "LABEL",
      description =
          "Leave these class labels (0-based) out of the training and validation data and of the"
              + " test set's accuracy; the other classes are relabelled in order, so the head has"
              + " as many classes as are kept (the open-set protocol of compare). Default: none.")
  private List<Integer> excludeClasses;

  /** Speed only: the same seed gives the same batches with any number of workers. */
  @MayChangeOnResume
  @Option(
      names = "--workers",
      paramLabel = "N",
      description =
          "Threads that decode, resize and augment images ahead of the model (training and"
              + " validation), at most 4 per core. Default: max(1, cores - engine threads"
              + " (--threads)), so that both together do not oversubscribe the cores; the batches"
              + " do not depend on it.")
  private Integer workers;

  /** Speed and memory only; see {@link BatchReader}. */
  @MayChangeOnResume
  @Option(
      names = "--prefetch",
      paramLabel = "N",
      defaultValue = "2",
      description =
          "Batches read ahead of the one being trained on; memory holds about N + 1 decoded"
              + " batches; at most 64. Default: ${DEFAULT-VALUE}.")
  private int prefetch = BatchReader.Settings.DEFAULT_PREFETCH;

  /**
   * The largest {@code --image-size}: one 3×4096×4096 image is 192 MiB of floats, and a side beyond
   * it overflows the engine's array sizes long before it could train.
   */
  public static final int MAX_IMAGE_SIZE = 4096;

  /**
   * {@code --workers} above this many per core are refused: decoding threads beyond it only wait.
   */
  public static final int MAX_WORKERS_PER_CORE = 4;

  /** The largest {@code --prefetch}: each batch read ahead is held decoded in memory. */
  public static final int MAX_PREFETCH = 64;

  /** For picocli and Gson, which fill the fields. */
  private DataOptions() {}

  /**
   * The data directory.
   *
   * @return {@code --data}, or null for the built-in Fashion-MNIST
   */
  public Path directory() {
    return directory;
  }

  /**
   * The side of the square input for image folders (IDX data is 28).
   *
   * @return {@code --image-size}
   */
  public int imageSize() {
    return imageSize;
  }

  /**
   * 1 (grey) or 3 (colour) for image folders.
   *
   * @return {@code --channels}
   */
  public int channels() {
    return channels;
  }

  /**
   * The share of training data held out for validation.
   *
   * @return {@code --validation-fraction}
   */
  public double validationFraction() {
    return validationFraction;
  }

  /**
   * Random flip (and crop for image folders) while training.
   *
   * @return {@code --augment}
   */
  public boolean augment() {
    return augment;
  }

  /**
   * Train on n training items (0: all): a seeded sample of IDX data, the first n of an image
   * folder's training split.
   *
   * @return {@code --train-limit}
   */
  public int trainLimit() {
    return trainLimit;
  }

  /**
   * The class labels left out of the run's data, sorted, without repeats.
   *
   * @return {@code --exclude-classes}; empty when none (also for runs saved before the option)
   */
  public List<Integer> excludedClasses() {
    return excludeClasses == null ? List.of() : List.copyOf(new TreeSet<>(excludeClasses));
  }

  /**
   * How the batches are read: {@code --workers} (its default computed now, on this machine) and
   * {@code --prefetch}.
   *
   * @return the batch reader's settings
   */
  public BatchReader.Settings reading() {
    int cores = Runtime.getRuntime().availableProcessors();
    // Checked here, on the machine that reads, not in validate(): a checkpoint saved on a larger
    // machine stays readable, and --workers may change on resume.
    require(
        workers == null || workers <= MAX_WORKERS_PER_CORE * cores,
        "--workers",
        workers,
        "at most "
            + MAX_WORKERS_PER_CORE
            + " per core ("
            + MAX_WORKERS_PER_CORE * cores
            + " on this machine's "
            + cores
            + " cores)");
    return new BatchReader.Settings(
        workers != null ? workers : BatchReader.Settings.defaultWorkers(), prefetch);
  }

  /**
   * Checks the ranges the types do not.
   *
   * @throws IllegalArgumentException naming the first bad option
   */
  public void validate() {
    require(
        imageSize >= 8 && imageSize <= MAX_IMAGE_SIZE,
        "--image-size",
        imageSize,
        "in [8, " + MAX_IMAGE_SIZE + "]");
    require(channels == 1 || channels == 3, "--channels", channels, "1 or 3");
    require(
        validationFraction >= 0 && validationFraction < 1,
        "--validation-fraction",
        validationFraction,
        "in [0, 1)");
    require(trainLimit >= 0, "--train-limit", trainLimit, ">= 0");
    require(workers == null || workers >= 1, "--workers", workers, ">= 1");
    require(
        prefetch >= 1 && prefetch <= MAX_PREFETCH,
        "--prefetch",
        prefetch,
        "in [1, " + MAX_PREFETCH + "]");
    for (int label : excludedClasses()) {
      require(label >= 0, "--exclude-classes", label, ">= 0");
    }
  }

  /**
   * The options with which to read a run's data for evaluation or embedding: another directory when
   * given, a chosen validation fraction (it decides which items are held out), no augmentation and
   * no limit.
   *
   * @param otherDirectory a data directory, or null to keep this run's
   * @param fraction the validation fraction of the split
   * @return new options
   */
  public DataOptions forReading(Path otherDirectory, double fraction) {
    DataOptions o = new DataOptions();
    o.directory = otherDirectory != null ? otherDirectory : directory;
    o.imageSize = imageSize;
    o.channels = channels;
    o.validationFraction = fraction;
    o.augment = false;
    o.trainLimit = 0;
    o.excludeClasses = excludeClasses;
    o.workers = workers;
    o.prefetch = prefetch;
    o.validate();
    return o;
  }

  /**
   * Equal when the same data are read the same way: {@code --workers} and {@code --prefetch} only
   * change the speed, so a finished run is reused whatever they were.
   */
  @Override
  public boolean equals(Object o) {
    return o instanceof DataOptions d
        && Objects.equals(directory, d.directory)
        && imageSize == d.imageSize
        && channels == d.channels
        && Double.compare(validationFraction, d.validationFraction) == 0
        && augment == d.augment
        && trainLimit == d.trainLimit
        && excludedClasses().equals(d.excludedClasses());
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        directory, imageSize, channels, validationFraction, augment, trainLimit, excludedClasses());
  }
}
