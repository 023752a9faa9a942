package io.github.ringloss4j.app.recordio;

import io.github.ringloss4j.app.io.AtomicFiles;
import io.github.ringloss4j.app.io.IoConsumer;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes a packed data set in the layout of InsightFace's MS1M-style sets, streaming: images are
 * written as they are given and only one image is held at a time.
 *
 * <p>Layout, as InsightFace's {@code face2rec2.py} writes it: image {@code j} (0-based, in the
 * order added, which must be label order) is key {@code j + 1} with payload {@code IRHeader(flag 0,
 * label, id = key, 0)} + the encoded bytes unchanged; after the {@code n} images comes the header
 * record, key 0, {@code IRHeader(flag 2, labels [n + 1, n + 1 + C], id 0)} with no image, then one
 * record per class {@code c} at key {@code n + 1 + c} holding the key range {@code [first, end)} of
 * its images as two float32 labels. The index lists the keys in that order (1 … n, 0, n + 1 …), as
 * face2rec2's does; {@code property} is {@code C,height,width} and {@code classes.txt} holds the
 * class names. InsightFace's {@code MXFaceDataset} reads such a set as images {@code 1 … n}.
 *
 * <p>Decisions: every file goes through {@link AtomicFiles} (a synced temporary file renamed over
 * the target), so a failure leaves no partial file; the {@code .idx} is renamed just before the
 * {@code .rec}, then {@code property} and {@code classes.txt}, so a crash between these renames can
 * leave new files beside old ones, which {@link RecordFile#open} then most likely rejects (offsets
 * past the end, a bad magic) — re-run the writer. At most 2<sup>24</sup> − 1 keys (images plus
 * classes plus the header): the header and class records store keys as float32, exact only up to
 * 2<sup>24</sup>.
 */
public final class PackedDatasetWriter {

  /** The largest key count whose ranges float32 labels store exactly. */
  public static final int MAX_KEYS = (1 << 24) - 1;

  /** Receives the images of a data set, in label order. */
  public interface Sink {

    /**
     * Writes one image.
     *
     * @param label its class, not smaller than the previous image's
     * @param encoded the encoded image, stored unchanged
     * @throws IllegalArgumentException if the label is out of range or out of order, or the image
     *     is too large for a record, or there are too many images
     * @throws IOException if writing fails
     */
    void add(int label, byte[] encoded) throws IOException;
  }

  /**
   * What was written.
   *
   * @param images the number of images
   * @param classes the number of classes
   * @param recBytes the size of {@code train.rec}
   */
  public record Summary(int images, int classes, long recBytes) {}

  private PackedDatasetWriter() {}

  /**
   * Checks that a data set of this many images and classes can be written, so that callers who know
   * the counts fail before any work.
   *
   * @param images the number of images
   * @param classes the number of classes
   * @throws IllegalArgumentException if images + classes + 1 keys exceed {@value #MAX_KEYS}
   */
  public static void checkCapacity(long images, int classes) {
    if (images + classes + 1 > MAX_KEYS) {
      throw new IllegalArgumentException(
          "too many images: a packed data set holds at most "
              + MAX_KEYS
              + " keys (images + classes + 1), because InsightFace's header records store key"
              + " ranges as float32; got "
              + images
              + " images of "
              + classes
              + " classes");
    }
  }

  /**
   * Writes {@code train.rec}, {@code train.idx}, {@code property} and {@code classes.txt} into a
   * directory, replacing existing ones; the body adds the images.
   *
   * @param dir the data set directory, created if missing
   * @param classNames the class names in label order (valid and sorted, see {@link ClassNames})
   * @param height the image height for {@code property}
   * @param width the image width for {@code property}
   * @param body adds the images to the given sink, in label order
   * @return the counts
   * @throws IllegalArgumentException if the names are invalid, there are no images, or the body
   *     adds a bad image; nothing is then written
   * @throws IOException if the body or writing fails; nothing is then replaced
   */
  public static Summary write(
      Path dir, List<String> classNames, int height, int width, IoConsumer<Sink> body)
      throws IOException {
    ClassNames.check(classNames);
    DatasetProperty property = new DatasetProperty(classNames.size(), height, width);
    Records records = new Records(classNames.size());
    AtomicFiles.write(
        dir.resolve(RecordFile.REC_FILE),
        rec ->
            AtomicFiles.write(
                dir.resolve(RecordFile.IDX_FILE),
                idx -> {
                  records.start(rec, idx);
                  body.accept(records);
                  records.finish();
                }));
    AtomicFiles.writeString(dir.resolve(DatasetProperty.FILE_NAME), property.fileContent());
    AtomicFiles.writeString(dir.resolve(ClassNames.FILE_NAME), ClassNames.fileContent(classNames));
    return new Summary(records.images(), classNames.size(), records.position);
  }

  /** The records written so far and the class boundaries they imply. */
  private static final class Records implements Sink {
    private final int numClasses;

    /** {@code classStart[c]} is the first key of class c, for the classes seen so far. */
    private final int[] classStart;

    private int classesStarted;
    private int nextKey = 1;
    private long position;
    private OutputStream rec;
    private OutputStream idx;

    Records(int numClasses) {
      this.numClasses = numClasses;
      this.classStart = new int[numClasses + 1];
    }

    void start(OutputStream rec, OutputStream idx) {
      this.rec = rec;
      this.idx = idx;
    }

    int images() {
      return nextKey - 1;
    }

    @Override
    public void add(int label, byte[] encoded) throws IOException {
      if (label < 0 || label >= numClasses) {
        throw new IllegalArgumentException(
            "label " + label + " is outside [0, " + numClasses + ")");
      }
      if (label < classesStarted - 1) {
        throw new IllegalArgumentException(
            "images must be added in label order (class records hold key ranges), but label "
                + label
                + " follows label "
                + (classesStarted - 1));
      }
      checkCapacity(nextKey, numClasses);
      if (encoded.length > RecordIo.MAX_PAYLOAD - IrHeader.SIZE) {
        throw new IllegalArgumentException(
            "an image of " + encoded.length + " bytes does not fit in a RecordIO record");
      }
      while (classesStarted <= label) {
        classStart[classesStarted++] = nextKey;
      }
      writeRecord(nextKey, IrHeader.pack(label, nextKey, encoded));
      nextKey++;
    }

    void finish() throws IOException {
      if (images() == 0) {
        throw new IllegalArgumentException("no images to pack");
      }
      int imageEnd = nextKey;
      while (classesStarted <= numClasses) {
        classStart[classesStarted++] = imageEnd;
      }
      byte[] none = new byte[0];
      writeRecord(0, IrHeader.pack(new float[] {imageEnd, imageEnd + numClasses}, 0, none));
      for (int c = 0; c < numClasses; c++) {
        int key = imageEnd + c;
        writeRecord(key, IrHeader.pack(new float[] {classStart[c], classStart[c + 1]}, key, none));
      }
    }

    private void writeRecord(int key, byte[] payload) throws IOException {
      idx.write((key + "\t" + position + "\n").getBytes(StandardCharsets.US_ASCII));
      position += RecordIo.write(rec, payload);
    }
  }
}
