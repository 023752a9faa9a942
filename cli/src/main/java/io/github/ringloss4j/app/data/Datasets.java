package io.github.ringloss4j.app.data;

import io.github.ringloss4j.app.io.DataFormatException;
import io.github.ringloss4j.app.recordio.DatasetProperty;
import io.github.ringloss4j.app.recordio.RecordFile;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Random;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens the data a run names: Fashion-MNIST IDX files (the built-in default, from Debian's {@code
 * dataset-fashion-mnist}), a packed set (InsightFace's {@code train.rec}, {@code train.idx}, {@code
 * property}) or an image folder with one sub-folder per identity.
 *
 * <p>A directory that holds {@code train-images-idx3-ubyte[.gz]} is read as IDX data, one that
 * holds {@code train.rec} as a packed set, any other directory as an image folder. Splits are
 * deterministic for a seed; image folders and packed sets share the stratified split ({@link
 * LabelSplit}).
 *
 * <p>Memory: IDX data are small and held as they are (Fashion-MNIST's 70,000 images are 55 MB of
 * bytes). Of image folders and packed sets only an index is held, each image's label and where it
 * is (a path, about 170 bytes; or a record's key and offset, about 24 bytes), and images are
 * decoded when a batch needs them ({@link BatchReader}), so decoded images never accumulate.
 */
public final class Datasets {

  private static final Logger LOG = LoggerFactory.getLogger(Datasets.class);

  /** How many single-image classes the warning names before "and N more". */
  private static final int LISTED = 20;

  private Datasets() {}

  /**
   * The training and validation items and, for IDX data, the test set; closing them closes the
   * packed set's file, which stays open (and is read by several threads) until then.
   */
  public static final class Splits implements Closeable {
    private final LabelledSource train;
    private final LabelledSource validation;
    private final LabelledSource test;
    private final LabelledSource all;
    private final Path classesFrom;
    private final Closeable resource;

    private Splits(
        LabelledSource train,
        LabelledSource validation,
        LabelledSource test,
        LabelledSource all,
        Path classesFrom,
        Closeable resource) {
      this.train = train;
      this.validation = validation;
      this.test = test;
      this.all = all;
      this.classesFrom = classesFrom;
      this.resource = resource;
    }

    /**
     * Every item of the data (IDX data: of its training file), without the excluded classes.
     *
     * @return the items the splits are drawn from
     */
    public LabelledSource all() {
      return all;
    }

    /**
     * Where the number of classes comes from, for messages about it.
     *
     * @return a packed set's {@code property} file, an image folder, or null for IDX data (whose
     *     labels are fixed at 10)
     */
    public Path classesFrom() {
      return classesFrom;
    }

    /**
     * The items to train on.
     *
     * @return the training split
     */
    public LabelledSource train() {
      return train;
    }

    /**
     * The held-out items.
     *
     * @return the validation split
     */
    public LabelledSource validation() {
      return validation;
    }

    /**
     * The official test set (IDX data), or the validation items (image folders, packed sets).
     *
     * @return the test items
     */
    public LabelledSource test() {
      return test;
    }

    /**
     * Releases the data's open file, if any; the sources cannot be read afterwards.
     *
     * @throws IOException if closing fails
     */
    @Override
    public void close() throws IOException {
      if (resource != null) {
        resource.close();
      }
    }
  }

  /**
   * The directory a run reads: {@code data}, or the built-in Fashion-MNIST location.
   *
   * @param data the option value, or null
   * @return the directory
   * @throws NoSuchFileException with the install hint when the directory is missing
   */
  public static Path directory(Path data) throws IOException {
    Path dir = data == null ? FashionMnist.DEFAULT_DIR : data;
    if (!Files.isDirectory(dir)) {
      throw new NoSuchFileException(
          dir.toString(),
          null,
          data == null
              ? FashionMnist.missingDirectoryMessage(dir)
              : "--data must name a directory of Fashion-MNIST IDX files, an image folder or a"
                  + " packed set");
    }
    return dir;
  }

  /**
   * Whether a directory holds IDX data.
   *
   * @param dir the directory
   * @return true when it has {@code train-images-idx3-ubyte} or its gzip
   */
  public static boolean isIdx(Path dir) {
    return Files.exists(dir.resolve("train-images-idx3-ubyte.gz"))
        || Files.exists(dir.resolve("train-images-idx3-ubyte"));
  }

  /**
   * Whether a directory holds a packed set (and no IDX data, which take precedence).
   *
   * @param dir the directory
   * @return true when it has {@code train.rec}
   */
  public static boolean isPacked(Path dir) {
    return !isIdx(dir) && RecordFile.isPacked(dir);
  }

  /**
   * The input shape a run's model expects, for images from outside its data set: 28×28 grey for IDX
   * data (the built-in default included), else the run's image size and channels.
   *
   * @param o the run's data options
   * @return the shape
   */
  public static ImageSpec inputSpec(DataOptions o) {
    Path dir = o.directory();
    boolean idx = dir == null || (Files.isDirectory(dir) && isIdx(dir));
    return idx
        ? new ImageSpec(FashionMnist.IMAGE_SIDE, FashionMnist.IMAGE_SIDE, 1)
        : new ImageSpec(o.imageSize(), o.imageSize(), o.channels());
  }

  /**
   * Fails unless a source's items have the shape a run's model takes. Image folders are resized to
   * it, but IDX files are 28×28 grey whatever the run trained on, and a model fed another shape
   * would fail deep in the engine.
   *
   * @param source the items to embed
   * @param run the run's data options, which fix its input
   * @param dir where the items come from, for the message
   * @throws DataFormatException naming {@code dir} and both shapes
   */
  public static void requireModelInput(LabelledSource source, DataOptions run, Path dir)
      throws DataFormatException {
    ImageSpec spec = inputSpec(run);
    int[] model = {spec.channels(), spec.height(), spec.width()};
    if (!Arrays.equals(source.itemShape(), model)) {
      throw new DataFormatException(
          dir,
          "holds "
              + shape(source.itemShape())
              + " images but the run's model takes "
              + shape(model)
              + "; evaluate or embed it on data like those it was trained on");
    }
  }

  private static String shape(int[] chw) {
    return chw[1] + "×" + chw[2] + (chw[0] == 1 ? " grey" : "×" + chw[0]);
  }

  /**
   * Opens and splits the data.
   *
   * @param o the run's data options (directory, image size, channels, validation fraction, limit)
   * @param seed the run's seed, which draws the split
   * @return the splits; close them when done
   * @throws IOException naming the file when data are missing or malformed
   */
  public static Splits open(DataOptions o, long seed) throws IOException {
    return open(o, seed, false);
  }

  /**
   * Opens and splits the data to train on, checked for what training needs before it starts: every
   * image header readable ({@link ImageHeaders}), at least two classes; classes with a single item
   * are named in a warning (they cannot be held out, nor give a genuine pair).
   *
   * @param o the run's data options
   * @param seed the run's seed, which draws the split
   * @param skipBadImages leave unreadable images of an image folder out instead of failing
   * @return the splits
   * @throws DataFormatException naming the data directory when it has fewer than two classes, or
   *     every unreadable image
   * @throws IOException naming the file when data are missing or malformed
   */
  public static Splits openForTraining(DataOptions o, long seed, boolean skipBadImages)
      throws IOException {
    Path dir = directory(o.directory());
    if (isIdx(dir) && (o.imageSize() != FashionMnist.IMAGE_SIDE || o.channels() != 1)) {
      // Not silently ignored: the run would not be what its options say.
      throw new IllegalArgumentException(
          (o.imageSize() != FashionMnist.IMAGE_SIDE
                  ? "--image-size " + o.imageSize()
                  : "--channels " + o.channels())
              + " applies to image folders and packed sets; the IDX data in "
              + dir
              + " are 28×28 grey (--image-size 28 --channels 1, the defaults)");
    }
    Splits splits = open(o, seed, skipBadImages);
    try {
      checkClasses(splits, o, dir);
    } catch (IOException | RuntimeException e) {
      try {
        splits.close();
      } catch (IOException closing) {
        e.addSuppressed(closing);
      }
      throw e;
    }
    return splits;
  }

  /** The training checks of {@link #openForTraining}, on data already split. */
  private static void checkClasses(Splits splits, DataOptions o, Path dir)
      throws DataFormatException {
    List<String> names = splits.train().classNames();
    int[] counts = new int[names.size()];
    for (LabelledSource part : List.of(splits.train(), splits.validation())) {
      for (int label : part.labels()) {
        counts[label]++;
      }
    }
    List<String> present = new ArrayList<>();
    List<String> single = new ArrayList<>();
    for (int label = 0; label < counts.length; label++) {
      if (counts[label] > 0) {
        present.add(names.get(label));
      }
      if (counts[label] == 1) {
        single.add(names.get(label));
      }
    }
    int classesInData = classes(splits.all);
    if (classesInData < 2) {
      throw new DataFormatException(
          dir,
          "has "
              + (present.isEmpty() ? "no class" : "one class ('" + present.get(0) + "')")
              + "; training a classifier head needs at least two classes (one sub-folder each)");
    }
    int trainClasses = classes(splits.train());
    if (trainClasses < 2) {
      // The data have the classes: the split or the limit left them out of training.
      throw new IllegalArgumentException(
          (o.trainLimit() > 0
                  ? "--train-limit " + o.trainLimit() + " with --validation-fraction "
                  : "--validation-fraction ")
              + o.validationFraction()
              + " leaves "
              + splits.train().size()
              + " training image"
              + (splits.train().size() == 1 ? "" : "s")
              + " ("
              + trainClasses
              + (trainClasses == 1 ? " class" : " classes")
              + ") of the "
              + splits.all.size()
              + " in "
              + dir
              + ", "
              + splits.validation().size()
              + " held out for validation; training needs images of at least two classes");
    }
    if (!single.isEmpty()) {
      LOG.warn(
          "{} of {} classes have a single image, which can be neither held out nor paired: {}",
          single.size(),
          present.size(),
          single.size() <= LISTED
              ? String.join(", ", single)
              : String.join(", ", single.subList(0, LISTED))
                  + " and "
                  + (single.size() - LISTED)
                  + " more");
    }
  }

  /** The number of distinct labels of a source. */
  private static int classes(LabelledSource source) {
    BitSet seen = new BitSet();
    for (int i = 0; i < source.size(); i++) {
      seen.set(source.label(i));
    }
    return seen.cardinality();
  }

  /**
   * Opens and splits the data; an image folder's headers are checked first ({@link ImageHeaders}).
   *
   * @param o the run's data options (directory, image size, channels, validation fraction, limit)
   * @param seed the run's seed, which draws the split
   * @param skipBadImages leave unreadable images of an image folder out instead of failing
   * @return the splits
   * @throws IOException naming the file when data are missing or malformed
   */
  public static Splits open(DataOptions o, long seed, boolean skipBadImages) throws IOException {
    Path dir = directory(o.directory());
    if (isIdx(dir)) {
      FashionMnist data = FashionMnist.load(dir);
      LabelledSource all =
          ClassFilter.without(
              new IdxSource(data.train(), dir.resolve("train-images-idx3-ubyte")),
              o.excludedClasses());
      LabelledSource test =
          ClassFilter.without(
              new IdxSource(data.test(), dir.resolve("t10k-images-idx3-ubyte")),
              o.excludedClasses());
      int[] order = Permutations.of(all.size(), new Random(seed));
      if (o.trainLimit() > 0 && o.trainLimit() < order.length) {
        order = Arrays.copyOf(order, o.trainLimit());
      }
      int validationCount = (int) Math.round(order.length * o.validationFraction());
      int[] validation = Arrays.copyOfRange(order, 0, validationCount);
      int[] train = Arrays.copyOfRange(order, validationCount, order.length);
      Arrays.sort(validation);
      return new Splits(new Subset(all, train), new Subset(all, validation), test, all, null, null);
    }
    ImageSpec spec = new ImageSpec(o.imageSize(), o.imageSize(), o.channels());
    if (isPacked(dir)) {
      // Kept open for the run: the workers read records from it concurrently.
      RecordFile file = RecordFile.open(dir);
      try {
        LabelledSource all =
            ClassFilter.without(
                PackedSource.checked(file, spec, skipBadImages), o.excludedClasses());
        return split(all, all.labels(), o, seed, dir.resolve(DatasetProperty.FILE_NAME), file);
      } catch (IOException | RuntimeException | Error e) {
        try {
          file.close();
        } catch (IOException closing) {
          e.addSuppressed(closing);
        }
        throw e;
      }
    }
    ImageFolder folder = ImageHeaders.checked(ImageFolder.scan(dir), skipBadImages);
    LabelledSource all =
        ClassFilter.without(
            SkippingSource.of(new FolderSource(folder, spec), skipBadImages), o.excludedClasses());
    return split(all, all.labels(), o, seed, dir, null);
  }

  /** The stratified split; the training part limited to its first {@code --train-limit} items. */
  private static Splits split(
      LabelledSource all,
      int[] labels,
      DataOptions o,
      long seed,
      Path classesFrom,
      Closeable resource) {
    LabelSplit split = LabelSplit.stratified(labels, o.validationFraction(), seed);
    int[] train = split.train();
    if (o.trainLimit() > 0 && o.trainLimit() < train.length) {
      train = Arrays.copyOf(train, o.trainLimit());
    }
    LabelledSource validation = new Subset(all, split.validation());
    return new Splits(new Subset(all, train), validation, validation, all, classesFrom, resource);
  }

  /** Fashion-MNIST (or any IDX) images and labels. */
  static final class IdxSource implements LabelledSource {
    private final Images images;
    private final int[] labels;
    private final Path file;
    private final int pixelsPerItem;

    IdxSource(LabelledImages data, Path file) {
      this.images = data.images();
      this.labels = data.labels();
      this.file = file;
      this.pixelsPerItem = images.rows() * images.cols();
    }

    @Override
    public int size() {
      return labels.length;
    }

    @Override
    public int label(int index) {
      return labels[index];
    }

    @Override
    public List<String> classNames() {
      return FashionMnist.CLASS_NAMES;
    }

    @Override
    public int[] itemShape() {
      return new int[] {1, images.rows(), images.cols()};
    }

    @Override
    public String sourceOf(int index) {
      return file.getFileName() + "#" + index;
    }

    @Override
    public void read(int index, float[] destination, int offset, Random augmentation) {
      byte[] pixels = images.pixels();
      int base = index * pixelsPerItem;
      boolean flip = augmentation != null && augmentation.nextBoolean();
      int cols = images.cols();
      for (int p = 0; p < pixelsPerItem; p++) {
        int source = flip ? (p / cols) * cols + (cols - 1 - p % cols) : p;
        destination[offset + p] = (pixels[base + source] & 0xff) / 255f;
      }
    }
  }

  /**
   * The images of a folder, decoded on every read: nothing decoded is kept, so memory does not grow
   * with the folder (the batch reader decodes ahead of the model on worker threads instead).
   */
  static final class FolderSource implements LabelledSource {
    private final ImageFolder folder;
    private final List<ImageFolder.Entry> entries;
    private final ImageSpec spec;

    FolderSource(ImageFolder folder, ImageSpec spec) {
      this.folder = folder;
      this.entries = folder.entries();
      this.spec = spec;
    }

    @Override
    public int size() {
      return entries.size();
    }

    @Override
    public int label(int index) {
      return entries.get(index).label();
    }

    @Override
    public List<String> classNames() {
      return folder.classNames();
    }

    @Override
    public int[] itemShape() {
      return new int[] {spec.channels(), spec.height(), spec.width()};
    }

    @Override
    public String sourceOf(int index) {
      return entries.get(index).path().toString();
    }

    @Override
    public void read(int index, float[] destination, int offset, Random augmentation)
        throws IOException {
      ImageFolder.Entry entry = entries.get(index);
      float[] pixels =
          augmentation == null
              ? folder.load(entry, spec)
              : folder.loadAugmented(entry, spec, augmentation);
      System.arraycopy(pixels, 0, destination, offset, pixels.length);
    }
  }
}
