package io.github.ringloss4j.app.data;

import io.github.ringloss4j.app.io.DataFormatException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * The Fashion-MNIST data set (Xiao, Rasul, Vollgraf 2017): 60,000 training and 10,000 test
 * greyscale 28×28 images of ten clothing classes, stored as four IDX files.
 *
 * <p>Format: a directory holding {@code train-images-idx3-ubyte}, {@code train-labels-idx1-ubyte},
 * {@code t10k-images-idx3-ubyte} and {@code t10k-labels-idx1-ubyte}, each optionally with a {@code
 * .gz} suffix, read by {@link IdxReader}. The Debian package {@code dataset-fashion-mnist} installs
 * them (gzip-compressed) in {@link #DEFAULT_DIR}.
 *
 * <p>Decisions:
 *
 * <ul>
 *   <li>When both {@code NAME.gz} and {@code NAME} exist the {@code .gz} file is used, since that
 *       is what the distribution ships and a stray uncompressed copy may be partial.
 *   <li>Every image file must hold 28×28 images and its label file exactly as many labels, each in
 *       [0, 9]; anything else is reported naming the file(s), counts or item index, because a
 *       silently mismatched data set trains a wrong model without any visible error.
 *   <li>The whole data set is loaded eagerly (about 55 MB as bytes).
 * </ul>
 */
public final class FashionMnist {

  /** Where the Debian package {@code dataset-fashion-mnist} installs the data set. */
  public static final Path DEFAULT_DIR = Path.of("/usr/share/datasets/fashion-mnist");

  /** Class names indexed by label, as published with the data set. */
  public static final List<String> CLASS_NAMES =
      List.of(
          "T-shirt/top",
          "Trouser",
          "Pullover",
          "Dress",
          "Coat",
          "Sandal",
          "Shirt",
          "Sneaker",
          "Bag",
          "Ankle boot");

  /** The number of classes, labels are {@code 0 .. NUM_CLASSES - 1}. */
  public static final int NUM_CLASSES = 10;

  /** The height and width of every image. */
  public static final int IMAGE_SIDE = 28;

  /** Base name of the training images file. */
  public static final String TRAIN_IMAGES = "train-images-idx3-ubyte";

  /** Base name of the training labels file. */
  public static final String TRAIN_LABELS = "train-labels-idx1-ubyte";

  /** Base name of the test images file. */
  public static final String TEST_IMAGES = "t10k-images-idx3-ubyte";

  /** Base name of the test labels file. */
  public static final String TEST_LABELS = "t10k-labels-idx1-ubyte";

  private final Path directory;
  private final LabelledImages train;
  private final LabelledImages test;

  private FashionMnist(Path directory, LabelledImages train, LabelledImages test) {
    this.directory = directory;
    this.train = train;
    this.test = test;
  }

  /**
   * Loads and validates the four files from {@code dir}.
   *
   * @param dir the directory holding the IDX files
   * @return the data set
   * @throws NoSuchFileException if the directory or one of the files is missing; the message says
   *     how to install the data set ({@link #missingDirectoryMessage(Path)})
   * @throws DataFormatException if a file is malformed, images are not 28×28, image and label
   *     counts differ, or a label is outside [0, 9]
   * @throws IOException if a file cannot be read
   */
  public static FashionMnist load(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      throw new NoSuchFileException(dir.toString(), null, missingDirectoryMessage(dir));
    }
    LabelledImages train = loadPart(dir, TRAIN_IMAGES, TRAIN_LABELS);
    LabelledImages test = loadPart(dir, TEST_IMAGES, TEST_LABELS);
    return new FashionMnist(dir, train, test);
  }

  /**
   * The explanation shown when the data set directory is missing: how to install it or point the
   * application elsewhere.
   *
   * @param dir the directory that was looked for
   * @return a one-sentence, user-facing message (without the path prefix)
   */
  public static String missingDirectoryMessage(Path dir) {
    return "Fashion-MNIST directory not found; install it with `sudo apt-get install"
        + " dataset-fashion-mnist` (files go to "
        + DEFAULT_DIR
        + ") or pass --data DIR naming a directory that holds "
        + TRAIN_IMAGES
        + ".gz, "
        + TRAIN_LABELS
        + ".gz, "
        + TEST_IMAGES
        + ".gz and "
        + TEST_LABELS
        + ".gz (or the uncompressed files)";
  }

  /**
   * Finds {@code baseName.gz} or, failing that, {@code baseName} in {@code dir}.
   *
   * @param dir the directory
   * @param baseName a file name without the {@code .gz} suffix, e.g. {@link #TRAIN_IMAGES}
   * @return the path of the file to read
   * @throws NoSuchFileException naming {@code dir/baseName.gz} if neither exists
   */
  public static Path locate(Path dir, String baseName) throws NoSuchFileException {
    Path gz = dir.resolve(baseName + ".gz");
    if (Files.isRegularFile(gz)) {
      return gz;
    }
    Path plain = dir.resolve(baseName);
    if (Files.isRegularFile(plain)) {
      return plain;
    }
    throw new NoSuchFileException(
        gz.toString(),
        null,
        "Fashion-MNIST file missing: neither "
            + baseName
            + ".gz nor "
            + baseName
            + " is in "
            + dir
            + "; reinstall with `sudo apt-get install --reinstall dataset-fashion-mnist` or pass"
            + " --data DIR");
  }

  private static LabelledImages loadPart(Path dir, String imagesName, String labelsName)
      throws IOException {
    Path imagesFile = locate(dir, imagesName);
    Path labelsFile = locate(dir, labelsName);
    Images images = IdxReader.readImages(imagesFile);
    if (images.rows() != IMAGE_SIDE || images.cols() != IMAGE_SIDE) {
      throw DataFormatException.atByte(
          imagesFile,
          8,
          "images are "
              + images.rows()
              + "×"
              + images.cols()
              + ", expected "
              + IMAGE_SIDE
              + "×"
              + IMAGE_SIDE
              + " Fashion-MNIST images");
    }
    byte[] rawLabels = IdxReader.readLabels(labelsFile);
    if (rawLabels.length != images.count()) {
      throw new DataFormatException(
          imagesFile,
          "holds "
              + images.count()
              + " images but "
              + labelsFile
              + " holds "
              + rawLabels.length
              + " labels; expected one label per image");
    }
    int[] labels = new int[rawLabels.length];
    for (int i = 0; i < labels.length; i++) {
      int label = rawLabels[i] & 0xFF;
      if (label >= NUM_CLASSES) {
        throw DataFormatException.atItem(
            labelsFile, i, "label " + label + " out of range, expected 0.." + (NUM_CLASSES - 1));
      }
      labels[i] = label;
    }
    return new LabelledImages(images, labels);
  }

  /**
   * The directory the data set was loaded from.
   *
   * @return the directory
   */
  public Path directory() {
    return directory;
  }

  /**
   * The training set (60,000 examples in the published data set).
   *
   * @return the training images and labels
   */
  public LabelledImages train() {
    return train;
  }

  /**
   * The test set (10,000 examples in the published data set).
   *
   * @return the test images and labels
   */
  public LabelledImages test() {
    return test;
  }
}
