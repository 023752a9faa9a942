package io.github.ringloss4j.app.recordio;

import io.github.ringloss4j.app.io.DataFormatException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * MXNet's image record header, {@code IRHeader} in {@code python/mxnet/recordio.py}, which starts
 * the payload of every record InsightFace writes.
 *
 * <p>Format: {@code struct.pack('IfQQ', flag, label, id, id2)}, 24 bytes little-endian: {@code
 * uint32 flag}, {@code float32 label}, {@code uint64 id}, {@code uint64 id2}. When {@code flag > 0}
 * the header's label field is unused (MXNet's {@code pack} writes 0) and {@code flag} {@code
 * float32} labels follow the header; the encoded image (JPEG or PNG) comes after them. The image
 * record's class, as InsightFace's {@code MXFaceDataset} reads it, is {@code label} when {@code
 * flag == 0}, else the first of the following labels ({@code face2rec2.py} writes {@code [class,
 * aligned]}).
 *
 * <p>Only what this package needs is kept: the flag, the class label, the id and where the image
 * starts.
 */
public final class IrHeader {

  /** The bytes of the fixed part of the header. */
  public static final int SIZE = 24;

  private final long flag;
  private final float classLabel;
  private final float secondLabel;
  private final long id;

  private IrHeader(long flag, float classLabel, float secondLabel, long id) {
    this.flag = flag;
    this.classLabel = classLabel;
    this.secondLabel = secondLabel;
    this.id = id;
  }

  /**
   * Parses the header at the start of a payload.
   *
   * @param bytes the payload or at least its first {@code SIZE + 4} bytes ({@code SIZE + 8} for
   *     {@link #label}(1))
   * @param recordLength the whole payload's length
   * @param at the record, for error messages
   * @return the header
   * @throws DataFormatException if the payload is shorter than the header, or than the labels the
   *     flag announces
   */
  static IrHeader parse(byte[] bytes, int recordLength, RecordLocation at)
      throws DataFormatException {
    if (recordLength < SIZE) {
      throw at.error(
          "the payload has "
              + recordLength
              + " bytes, fewer than the 24 of MXNet's IRHeader (uint32 flag, float32 label,"
              + " uint64 id, uint64 id2)");
    }
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    long flag = Integer.toUnsignedLong(b.getInt(0));
    float label = b.getFloat(4);
    long id = b.getLong(8);
    if (flag > 0) {
      long labelsEnd = SIZE + 4 * flag;
      if (labelsEnd > recordLength) {
        throw at.error(
            "IRHeader flag "
                + flag
                + " announces that many float32 labels after the header, but the payload has"
                + " only "
                + (recordLength - SIZE)
                + " bytes after it");
      }
      label = b.getFloat(SIZE);
    }
    float second = flag >= 2 && bytes.length >= SIZE + 8 ? b.getFloat(SIZE + 4) : Float.NaN;
    return new IrHeader(flag, label, second, id);
  }

  /**
   * The flag: 0, or the number of float32 labels after the fixed header.
   *
   * @return the flag as an unsigned value
   */
  public long flag() {
    return flag;
  }

  /**
   * The class label as InsightFace reads it: the header's label when the flag is 0, else the first
   * label after the header.
   *
   * @return the label, not checked
   */
  public float classLabel() {
    return classLabel;
  }

  /**
   * One of the first two labels, as a header record's key ranges are read.
   *
   * @param which 0 for {@link #classLabel()}, 1 for the second label after the header
   * @return the label, or NaN when the record has no such label (or it was not read)
   */
  public float label(int which) {
    return which == 0 ? classLabel : secondLabel;
  }

  /**
   * The record id ({@code face2rec2.py} and this package's writer store the key).
   *
   * @return the id
   */
  public long id() {
    return id;
  }

  /**
   * Where the encoded image starts in the payload.
   *
   * @return {@code 24 + 4 × flag}
   */
  public int imageOffset() {
    return (int) (SIZE + 4 * flag);
  }

  /**
   * A payload with a scalar label, as MXNet's {@code pack(IRHeader(0, label, id, 0), image)} writes
   * it.
   *
   * @param label the class label
   * @param id the record id
   * @param image the encoded image, or an empty array
   * @return the header followed by the image
   */
  public static byte[] pack(float label, long id, byte[] image) {
    return header(0, label, id, 0, image.length).put(image).array();
  }

  /**
   * A payload with a label array, as MXNet's {@code pack(IRHeader(0, labels, id, 0), image)} writes
   * it: flag = the number of labels, header label 0, the labels, then the image.
   *
   * @param labels the labels, at least one
   * @param id the record id
   * @param image the encoded image, or an empty array
   * @return the header, the labels and the image
   * @throws IllegalArgumentException if {@code labels} is empty
   */
  public static byte[] pack(float[] labels, long id, byte[] image) {
    if (labels.length == 0) {
      throw new IllegalArgumentException("a label array needs at least one label");
    }
    ByteBuffer b = header(labels.length, 0f, id, 4 * labels.length, image.length);
    for (float label : labels) {
      b.putFloat(label);
    }
    return b.put(image).array();
  }

  private static ByteBuffer header(int flag, float label, long id, int labelBytes, int imageBytes) {
    return ByteBuffer.allocate(Math.addExact(SIZE + labelBytes, imageBytes))
        .order(ByteOrder.LITTLE_ENDIAN)
        .putInt(flag)
        .putFloat(label)
        .putLong(id)
        .putLong(0L);
  }
}
