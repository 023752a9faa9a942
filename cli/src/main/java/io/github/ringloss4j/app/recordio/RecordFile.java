package io.github.ringloss4j.app.recordio;

import io.github.ringloss4j.app.io.DataFormatException;
import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A packed (InsightFace / MXNet RecordIO) training set opened for random access to its images.
 *
 * <p>Which records are images follows InsightFace's {@code MXFaceDataset} ({@code
 * recognition/arcface_torch/dataset.py}): if the index has key 0 and that record's IRHeader flag is
 * positive, record 0 is a header whose first label is the end of the image keys, and the images are
 * keys {@code 1 … label[0] − 1} (MS1M-style sets, which also hold one record per identity after the
 * images; those are not read). Otherwise every key of the index is an image. Item {@code i} is the
 * {@code i}-th image key in increasing order. An image's class is read from its own IRHeader
 * ({@link IrHeader#classLabel()}) and must be a whole number in {@code [0, num_classes)} of the
 * {@code property} file. Unlike InsightFace, an index without key 0 is accepted (all keys are
 * images), and labels that are not whole numbers are rejected instead of truncated.
 *
 * <p>Checks when opening, all cheap: the {@code property} file; every index line (see {@link
 * RecordIndex}: offsets inside the file and distinct, unique keys, read as a stream); the framing
 * of the records at the lowest and the highest offset, which catches a wrong file and most
 * truncated downloads. A header record's key ranges are whole numbers, the index lists exactly the
 * keys they announce (0, the images, the class records), the last image key holds an image and the
 * first class record none (so a header that undercounts the images is refused, not obeyed), and the
 * class records are as many as the property file's classes; without a header record the class count
 * is at most the image count, and the labels must reach it ({@link #checkClassCount}). Only then is
 * {@code classes.txt} read (if present), so a class count no data back never sizes anything.
 * Everything else about a record (its framing, its length against the next record's offset, header,
 * label, and whether the image decodes) is checked when it is read, and reported as a {@link
 * DataFormatException} naming the {@code .rec} file, the record's key and the byte offset; training
 * and unpacking read every record first ({@code ImageHeaders.checked}).
 *
 * <p>Reads are positional on one {@link FileChannel}: the file is never mapped or read whole, a
 * read allocates only the record (after checking its length against the file), and any number of
 * threads may read at once. {@link #labels()} reads only the first bytes of every image record,
 * once. Close the file to release the channel.
 */
public final class RecordFile implements Closeable {

  /** The record file's name inside a data set directory. */
  public static final String REC_FILE = "train.rec";

  /** The index file's name inside a data set directory. */
  public static final String IDX_FILE = "train.idx";

  /** Enough of a payload for the header and one label. */
  private static final int LABEL_PREFIX = IrHeader.SIZE + 4;

  /** Enough of a payload for the header and two labels (a header record's key ranges). */
  private static final int HEADER_PREFIX = IrHeader.SIZE + 8;

  private final Path rec;
  private final Path propertyFile;
  private final FileChannel channel;
  private final long recSize;
  private final RecordIndex index;
  private final DatasetProperty property;
  private final List<String> classNames;
  private final boolean hasHeaderRecord;

  /** The index position of item 0; items are consecutive index entries. */
  private final int first;

  private final int size;
  private volatile int[] labels;

  private RecordFile(
      Path rec,
      Path propertyFile,
      FileChannel channel,
      long recSize,
      RecordIndex index,
      DatasetProperty property,
      List<String> classNames,
      boolean hasHeaderRecord,
      int first,
      int size) {
    this.rec = rec;
    this.propertyFile = propertyFile;
    this.channel = channel;
    this.recSize = recSize;
    this.index = index;
    this.property = property;
    this.classNames = classNames;
    this.hasHeaderRecord = hasHeaderRecord;
    this.first = first;
    this.size = size;
  }

  /**
   * Whether a directory looks like a packed data set, for choosing a reader.
   *
   * @param dir a directory
   * @return true when it holds a {@code train.rec}
   */
  public static boolean isPacked(Path dir) {
    return Files.isRegularFile(dir.resolve(REC_FILE));
  }

  /**
   * Opens a packed data set and checks its index and framing (see the class documentation).
   *
   * @param path the data set directory (with {@code train.rec}, {@code train.idx}, {@code
   *     property}), or a {@code NAME.rec} file with {@code NAME.idx} and {@code property} beside it
   * @return the open data set
   * @throws NoSuchFileException if a file is missing
   * @throws DataFormatException naming the file and line, or record and byte, of the first problem
   * @throws IOException if a file cannot be read
   */
  public static RecordFile open(Path path) throws IOException {
    if (!Files.exists(path)) {
      throw new NoSuchFileException(
          path.toString(), null, "expected a packed data set directory or a .rec file");
    }
    Path rec;
    Path idx;
    if (Files.isDirectory(path)) {
      rec = path.resolve(REC_FILE);
      idx = path.resolve(IDX_FILE);
    } else {
      String name = path.getFileName().toString();
      if (!name.endsWith(".rec")) {
        throw new DataFormatException(
            path, "is neither a packed data set directory nor a .rec file");
      }
      rec = path;
      idx = path.resolveSibling(name.substring(0, name.length() - 4) + ".idx");
    }
    for (Path required : List.of(rec, idx)) {
      if (!Files.isRegularFile(required)) {
        throw new NoSuchFileException(
            required.toString(),
            null,
            "a packed data set needs train.rec, train.idx and property (InsightFace layout)");
      }
    }
    Path dir = rec.toAbsolutePath().getParent();
    Path propertyFile = dir.resolve(DatasetProperty.FILE_NAME);
    DatasetProperty property = DatasetProperty.read(propertyFile);
    FileChannel channel = FileChannel.open(rec, StandardOpenOption.READ);
    try {
      long recSize = channel.size();
      RecordIndex index = RecordIndex.read(idx, rec, recSize);
      checkEnds(channel, recSize, rec, index);
      int first = 0;
      int size = index.size();
      int headerAt = index.indexOf(0);
      boolean hasHeaderRecord = false;
      if (headerAt >= 0) {
        RecordLocation at = RecordLocation.of(rec, index, headerAt);
        RecordIo.Prefix prefix = RecordIo.readPrefix(channel, recSize, at, HEADER_PREFIX);
        IrHeader header = IrHeader.parse(prefix.bytes(), prefix.recordLength(), at);
        if (header.flag() > 0) {
          int imageEnd = keyLabel(header, 0, 2, at);
          first = index.lowerBound(1);
          size = imageEnd - 1;
          checkImageKeys(index, first, imageEnd, at, idx);
          int keyEnd = imageEnd;
          if (header.flag() >= 2) {
            keyEnd = keyLabel(header, 1, imageEnd, at);
          }
          checkKeyCount(index, keyEnd, imageEnd, at, idx);
          checkImageBoundary(channel, recSize, rec, index, imageEnd, keyEnd, at);
          if (header.flag() >= 2) {
            checkClassRecords(property, propertyFile, keyEnd - imageEnd, at);
          }
          hasHeaderRecord = true;
        }
      }
      if (!hasHeaderRecord && property.numClasses() > size) {
        throw new DataFormatException(
            propertyFile,
            "num_classes is "
                + property.numClasses()
                + ", but "
                + idx
                + " lists only "
                + size
                + " images; every class needs at least one image");
      }
      // Only now is the class count known to be backed by the data: names are read after.
      Path classesFile = dir.resolve(ClassNames.FILE_NAME);
      List<String> names =
          Files.exists(classesFile)
              ? ClassNames.read(classesFile, property.numClasses())
              : ClassNames.numbered(property.numClasses());
      return new RecordFile(
          rec,
          propertyFile,
          channel,
          recSize,
          index,
          property,
          names,
          hasHeaderRecord,
          first,
          size);
    } catch (IOException | RuntimeException | Error e) {
      try {
        channel.close();
      } catch (IOException closeFailure) {
        e.addSuppressed(closeFailure);
      }
      throw e;
    }
  }

  /** Checks the framing of the records at the lowest and the highest offset. */
  private static void checkEnds(FileChannel channel, long recSize, Path rec, RecordIndex index)
      throws IOException {
    int lowest = 0;
    int highest = 0;
    for (int i = 1; i < index.size(); i++) {
      if (index.offset(i) < index.offset(lowest)) {
        lowest = i;
      }
      if (index.offset(i) > index.offset(highest)) {
        highest = i;
      }
    }
    for (int i : new int[] {lowest, highest}) {
      RecordIo.readPrefix(channel, recSize, RecordLocation.of(rec, index, i), 0);
    }
  }

  /**
   * A key range end a header record holds as a float label ({@code label[0]}: the end of the image
   * keys; {@code label[1]}: the end of the class records), which InsightFace truncates with {@code
   * int()}: a fraction is refused here, since it can only be damage.
   */
  private static int keyLabel(IrHeader header, int which, int least, RecordLocation at)
      throws DataFormatException {
    float end = header.label(which);
    if (end >= least && end <= Integer.MAX_VALUE && end == Math.rint(end)) {
      return (int) end;
    }
    throw at.error(
        "header record (IRHeader flag "
            + header.flag()
            + ") has label["
            + which
            + "] = "
            + end
            + "; InsightFace reads "
            + (which == 0
                ? "the images as keys 1 to label[0] - 1"
                : "the class records as keys" + " label[0] to label[1] - 1")
            + ", so it must be a whole number of at least "
            + least);
  }

  /**
   * The last key the header calls an image holds one, and the key after it (the first class record)
   * holds none: a header that under- or overcounts the images would otherwise silently leave images
   * out or read class records as images.
   */
  private static void checkImageBoundary(
      FileChannel channel,
      long recSize,
      Path rec,
      RecordIndex index,
      int imageEnd,
      int keyEnd,
      RecordLocation header)
      throws IOException {
    for (int key = imageEnd - 1; key <= imageEnd && key < keyEnd; key++) {
      RecordLocation at = RecordLocation.of(rec, index, index.indexOf(key));
      RecordIo.Prefix prefix = RecordIo.readPrefix(channel, recSize, at, LABEL_PREFIX);
      IrHeader h = IrHeader.parse(prefix.bytes(), prefix.recordLength(), at);
      boolean hasImage = prefix.recordLength() > h.imageOffset();
      if (hasImage != (key < imageEnd)) {
        throw header.error(
            "the header record says the images are keys 1 to "
                + (imageEnd - 1)
                + ", but record key "
                + key
                + (hasImage
                    ? " holds an image too: the header undercounts the images"
                    : " holds no image (it is a class record): the header overcounts the images"));
      }
    }
  }

  /** The class records a header announces are the classes of the property file. */
  private static void checkClassRecords(
      DatasetProperty property, Path propertyFile, int classRecords, RecordLocation at)
      throws DataFormatException {
    if (classRecords != property.numClasses()) {
      throw new DataFormatException(
          propertyFile,
          "num_classes is "
              + property.numClasses()
              + ", but the header record (key 0) of "
              + at.file()
              + " announces "
              + classRecords
              + " class records (keys label[0] to label[1] - 1); the property file does not"
              + " belong to this data set");
    }
  }

  /**
   * The index lists exactly the keys the header announces: 0, the images, and the class records if
   * any; more keys mean the header undercounts the images (which would silently be left out).
   */
  private static void checkKeyCount(
      RecordIndex index, int keyEnd, int imageEnd, RecordLocation at, Path idx)
      throws DataFormatException {
    int last = index.key(index.size() - 1);
    if (index.size() == keyEnd && last == keyEnd - 1) {
      return;
    }
    throw at.error(
        "the header record says the data set has keys 0 to "
            + (keyEnd - 1)
            + " (images 1 to "
            + (imageEnd - 1)
            + (keyEnd > imageEnd ? ", class records " + imageEnd + " to " + (keyEnd - 1) : "")
            + "), but "
            + idx
            + " lists "
            + index.size()
            + " keys up to "
            + last
            + "; the header record does not match the index");
  }

  private static void checkImageKeys(
      RecordIndex index, int first, int imageEnd, RecordLocation at, Path idx)
      throws DataFormatException {
    int found = index.lowerBound(imageEnd) - first;
    if (found == imageEnd - 1) {
      return;
    }
    int missing = 1;
    while (missing - 1 < found && index.key(first + missing - 1) == missing) {
      missing++;
    }
    throw at.error(
        "the header record says the images are keys 1 to "
            + (imageEnd - 1)
            + ", but key "
            + missing
            + " is not in "
            + idx);
  }

  /**
   * The number of images.
   *
   * @return at least 1
   */
  public int size() {
    return size;
  }

  /**
   * The number of classes, from the {@code property} file.
   *
   * @return at least 1
   */
  public int numClasses() {
    return property.numClasses();
  }

  /**
   * The class count and image size from the {@code property} file.
   *
   * @return the property
   */
  public DatasetProperty property() {
    return property;
  }

  /**
   * The class names: from {@code classes.txt}, else zero-padded labels.
   *
   * @return an unmodifiable list of {@link #numClasses()} names, indexed by label
   */
  public List<String> classNames() {
    return classNames;
  }

  /**
   * Whether record 0 is an InsightFace header record (MS1M-style layout).
   *
   * @return true when the images are keys {@code 1 … label[0] − 1}
   */
  public boolean hasHeaderRecord() {
    return hasHeaderRecord;
  }

  /**
   * The {@code .rec} file.
   *
   * @return its path as given
   */
  public Path recFile() {
    return rec;
  }

  /**
   * The key of an image.
   *
   * @param item the image, in [0, size())
   * @return its record key
   */
  public long key(int item) {
    return index.key(first + Objects.checkIndex(item, size));
  }

  /**
   * Where an image is stored, for embeddings and messages.
   *
   * @param item the image
   * @return {@code REC_PATH#KEY}
   */
  public String sourceOf(int item) {
    return rec + "#" + key(item);
  }

  /**
   * Reads one image record.
   *
   * @param item the image, in [0, size())
   * @return its key, offset, label and encoded bytes
   * @throws DataFormatException if the record's framing, header or label is bad, naming the file,
   *     the key and the byte offset
   * @throws IOException if reading fails
   */
  public PackedImage read(int item) throws IOException {
    RecordLocation at = location(item);
    byte[] payload = RecordIo.read(channel, recSize, at);
    IrHeader header = IrHeader.parse(payload, payload.length, at);
    int label = checkedLabel(header, at);
    byte[] image = Arrays.copyOfRange(payload, header.imageOffset(), payload.length);
    return new PackedImage(at.key(), at.offset(), label, image);
  }

  /**
   * The labels of all images, read from the first bytes of every image record on the first call
   * (one pass over the file in index order) and kept.
   *
   * @return a new array of {@link #size()} labels
   * @throws DataFormatException naming the first record whose framing, header or label is bad
   * @throws IOException if reading fails
   */
  public int[] labels() throws IOException {
    int[] known = labels;
    if (known == null) {
      synchronized (this) {
        if (labels == null) {
          int[] read = new int[size];
          for (int item = 0; item < size; item++) {
            RecordLocation at = location(item);
            RecordIo.Prefix prefix = RecordIo.readPrefix(channel, recSize, at, LABEL_PREFIX);
            read[item] =
                checkedLabel(IrHeader.parse(prefix.bytes(), prefix.recordLength(), at), at);
          }
          checkClassCount(read);
          labels = read;
        }
        known = labels;
      }
    }
    return known.clone();
  }

  /**
   * The location of an image's record, for error messages about its content.
   *
   * @param item the image
   * @return the file, key and offset
   */
  RecordLocation location(int item) {
    return RecordLocation.of(rec, index, first + Objects.checkIndex(item, size));
  }

  /**
   * An error about the content of an image that was read, naming its record.
   *
   * @param image the image
   * @param problem what is wrong
   * @return the exception, located at the record
   */
  public DataFormatException error(PackedImage image, String problem) {
    return new RecordLocation(rec, image.key(), image.offset()).error(problem);
  }

  /**
   * Checks the {@code property} file's class count against the images' labels: without a header
   * record (whose class records the count was checked against when opening) every class must have
   * an image, so the largest label must be the last class. A count larger than the labels would
   * build a classifier head for classes that do not exist.
   *
   * @param labels the labels of the images (all of them, or the readable ones)
   * @throws DataFormatException naming the property file and both counts when they disagree
   */
  public void checkClassCount(int[] labels) throws DataFormatException {
    if (hasHeaderRecord) {
      return;
    }
    int max = -1;
    for (int label : labels) {
      max = Math.max(max, label);
    }
    if (max + 1 != property.numClasses()) {
      throw new DataFormatException(
          propertyFile,
          "num_classes is "
              + property.numClasses()
              + ", but the labels of the "
              + labels.length
              + " images of "
              + rec
              + " go up to "
              + max
              + " ("
              + (max + 1)
              + " classes); the property file does not match the records");
    }
  }

  private int checkedLabel(IrHeader header, RecordLocation at) throws DataFormatException {
    float label = header.classLabel();
    if (label >= 0 && label < property.numClasses() && label == Math.rint(label)) {
      return (int) label;
    }
    throw at.error(
        "label "
            + label
            + " is not a class: labels are whole numbers in [0, "
            + property.numClasses()
            + ") for the "
            + property.numClasses()
            + " classes of the property file");
  }

  /**
   * Closes the {@code .rec} file.
   *
   * @throws IOException if closing fails
   */
  @Override
  public void close() throws IOException {
    channel.close();
  }
}
