package io.github.ringloss4j.app.recordio;

import io.github.ringloss4j.app.io.DataFormatException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.util.Objects;

/**
 * dmlc-core's RecordIO framing, which MXNet's {@code MXRecordIO} writes and InsightFace's {@code
 * train.rec} files use.
 *
 * <p>Format (dmlc-core {@code include/dmlc/recordio.h} and {@code src/recordio.cc}; MXNet's {@code
 * MXRecordIOWriterWriteRecord} calls {@code dmlc::RecordIOWriter::WriteRecord}):
 *
 * <ul>
 *   <li>A record is one or more <em>parts</em>. A part is the {@code uint32} magic {@value
 *       #MAGIC_HEX}, a {@code uint32 lrecord}, the part's data, and zero bytes padding the data to
 *       a multiple of 4. Integers are little-endian (dmlc writes them in native order, and every
 *       platform MXNet data sets come from is little-endian), so every part starts at a multiple of
 *       4 when the file does.
 *   <li>{@code lrecord}: the upper 3 bits are the continuation flag {@code cflag}, the lower 29
 *       bits the data length; a payload is shorter than 2<sup>29</sup> bytes.
 *   <li>Splitting: the writer looks for the 4 magic bytes at payload offsets 0, 4, 8, … (only
 *       positions that are multiples of 4 and have 4 bytes left). Each occurrence ends a part that
 *       holds the bytes since the previous occurrence (possibly none), with {@code cflag} 1 for the
 *       first part and 2 for later ones; the magic bytes themselves are not written. The bytes
 *       after the last occurrence form the final part with {@code cflag} 3, or, without any
 *       occurrence, the whole record is one part with {@code cflag} 0. Only the final part can need
 *       padding. Splitting keeps the magic out of the data at 4-byte aligned positions, so a reader
 *       can resynchronise on it.
 *   <li>Joining: a reader concatenates the parts' data and re-inserts the magic after every part
 *       with {@code cflag} 1 or 2.
 * </ul>
 *
 * <p>Reading is positional ({@link FileChannel#read(ByteBuffer, long)}), so any number of threads
 * may read records from one channel at once. A record's parts are first walked header by header,
 * each checked against the file size, and only then is the payload allocated, so a corrupt length
 * field costs an error message, never an {@link OutOfMemoryError}; the walk always advances at
 * least 8 bytes per part and stops at the end of the file, so it cannot loop. Parts must come in
 * the order the writer produces (0, or 1, 2…, 3); dmlc's reader does not check this, but anything
 * else means the index points into the middle of a record or the file is damaged. Records tile the
 * file as the writer leaves them, so a record must end exactly where the next one in the index
 * starts, or at the end of the file for the last ({@link RecordIndex#end}): a corrupt length that
 * still lands inside the file is found this way.
 */
public final class RecordIo {

  /** The magic number that starts every part. */
  public static final int MAGIC = 0xced7230a;

  /** The magic number in hexadecimal, for documentation and messages. */
  public static final String MAGIC_HEX = "0xced7230a";

  /** The largest payload a record can hold: the 29-bit length field's maximum. */
  public static final int MAX_PAYLOAD = (1 << 29) - 1;

  /** The bytes of a part header: the magic and {@code lrecord}. */
  static final int PART_HEADER_BYTES = 8;

  /** {@code cflag} of a record stored as one part. */
  static final int WHOLE = 0;

  /** {@code cflag} of the first part of a split record. */
  static final int FIRST = 1;

  /** {@code cflag} of a middle part of a split record. */
  static final int MIDDLE = 2;

  /** {@code cflag} of the last part of a split record. */
  static final int LAST = 3;

  private static final int LENGTH_BITS = 29;
  private static final int LENGTH_MASK = (1 << LENGTH_BITS) - 1;

  /** The magic as it appears in the file (little-endian). */
  private static final byte[] MAGIC_BYTES = {0x0a, 0x23, (byte) 0xd7, (byte) 0xce};

  private static final byte[] PADDING = new byte[3];

  private RecordIo() {}

  /**
   * Writes one record, split exactly as {@code dmlc::RecordIOWriter::WriteRecord} splits it.
   *
   * @param out the stream, positioned at a multiple of 4 bytes from the file start
   * @param payload the record's payload
   * @return the number of bytes written, a multiple of 4
   * @throws IllegalArgumentException if the payload is longer than {@link #MAX_PAYLOAD}
   * @throws IOException if writing fails
   */
  public static long write(OutputStream out, byte[] payload) throws IOException {
    Objects.requireNonNull(out, "out");
    if (payload.length > MAX_PAYLOAD) {
      throw new IllegalArgumentException(
          "a RecordIO record holds at most " + MAX_PAYLOAD + " bytes, got " + payload.length);
    }
    int alignedEnd = payload.length & ~3;
    int start = 0;
    long written = 0;
    for (int i = 0; i < alignedEnd; i += 4) {
      if (isMagicAt(payload, i)) {
        written += writePart(out, start == 0 ? FIRST : MIDDLE, payload, start, i - start);
        start = i + 4;
      }
    }
    written += writePart(out, start == 0 ? WHOLE : LAST, payload, start, payload.length - start);
    return written;
  }

  private static boolean isMagicAt(byte[] b, int i) {
    return b[i] == MAGIC_BYTES[0]
        && b[i + 1] == MAGIC_BYTES[1]
        && b[i + 2] == MAGIC_BYTES[2]
        && b[i + 3] == MAGIC_BYTES[3];
  }

  private static long writePart(OutputStream out, int cflag, byte[] data, int from, int length)
      throws IOException {
    byte[] header =
        ByteBuffer.allocate(PART_HEADER_BYTES)
            .order(ByteOrder.LITTLE_ENDIAN)
            .putInt(MAGIC)
            .putInt(cflag << LENGTH_BITS | length)
            .array();
    out.write(header);
    out.write(data, from, length);
    int padding = padded(length) - length;
    out.write(PADDING, 0, padding);
    return PART_HEADER_BYTES + (long) length + padding;
  }

  /** The data length rounded up to a multiple of 4. */
  static int padded(int length) {
    return (length + 3) & ~3;
  }

  /**
   * The first bytes of a record's payload and its full length.
   *
   * @param bytes the first {@code min(limit, recordLength)} payload bytes
   * @param recordLength the whole payload's length
   */
  record Prefix(byte[] bytes, int recordLength) {}

  /**
   * Reads a whole record's payload.
   *
   * @param channel the {@code .rec} file
   * @param fileSize its size, which every part must fit in
   * @param at the record's file, key and offset
   * @return the payload with split parts re-joined
   * @throws io.github.ringloss4j.app.io.DataFormatException if the framing is broken, naming the
   *     file, the record and the byte offset
   * @throws IOException if reading fails
   */
  static byte[] read(FileChannel channel, long fileSize, RecordLocation at) throws IOException {
    return readPrefix(channel, fileSize, at, MAX_PAYLOAD).bytes();
  }

  /**
   * Reads the first {@code limit} bytes of a record's payload (all of it when shorter), after
   * checking the framing of the whole record; a limit of 0 only checks the framing.
   *
   * @param channel the {@code .rec} file
   * @param fileSize its size, which every part must fit in
   * @param at the record's file, key and offset
   * @param limit the most bytes to return
   * @return the bytes and the full payload length
   * @throws io.github.ringloss4j.app.io.DataFormatException if the framing is broken, naming the
   *     file, the record and the byte offset
   * @throws IOException if reading fails
   */
  static Prefix readPrefix(FileChannel channel, long fileSize, RecordLocation at, int limit)
      throws IOException {
    ByteBuffer header = ByteBuffer.allocate(PART_HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
    long position = at.offset();
    long length = 0;
    int parts = 0;
    while (true) {
      int lrecord = readPartHeader(channel, fileSize, position, at, header);
      int cflag = lrecord >>> LENGTH_BITS;
      int partLength = lrecord & LENGTH_MASK;
      boolean starts = parts == 0;
      if (starts ? cflag != WHOLE && cflag != FIRST : cflag != MIDDLE && cflag != LAST) {
        throw at.error(
            position,
            "continuation flag "
                + cflag
                + (starts
                    ? " where a record starts (expected 0, or 1 for a split record); the index"
                        + " points into the middle of a record"
                    : " inside a split record (expected 2 or 3 after part " + parts + ")"));
      }
      long end = position + PART_HEADER_BYTES + padded(partLength);
      if (end > fileSize) {
        throw at.error(
            position,
            "a part of "
                + partLength
                + " bytes needs the file to reach byte "
                + end
                + ", but it has "
                + fileSize
                + " bytes; the file is truncated or the length field is corrupt");
      }
      boolean last = cflag == WHOLE || cflag == LAST;
      length += partLength + (last ? 0 : MAGIC_BYTES.length);
      parts++;
      if (length > MAX_PAYLOAD) {
        // Only a damaged chain of parts gets here: each part alone is below the limit.
        throw at.error(
            "the parts of this split record add up to more than " + MAX_PAYLOAD + " bytes");
      }
      if (last) {
        checkEnd(end, fileSize, at);
        break;
      }
      position = end;
    }
    byte[] out = new byte[(int) Math.min(length, limit)];
    if (parts == 1) {
      readFully(channel, ByteBuffer.wrap(out), at.offset() + PART_HEADER_BYTES, at);
    } else {
      joinParts(channel, fileSize, at, parts, out, header);
    }
    return new Prefix(out, (int) length);
  }

  /**
   * Checks that a record fills its room exactly: its padded parts end where the next record starts
   * (or the file ends). A shortened or lengthened length field shows here, and only here when it
   * still points at padding or image bytes rather than at a part header.
   */
  private static void checkEnd(long end, long fileSize, RecordLocation at)
      throws DataFormatException {
    if (at.end() < 0 || end == at.end()) {
      return;
    }
    throw at.error(
        "the record's parts end at byte "
            + end
            + ", but "
            + (at.end() == fileSize
                ? "the file ends at byte " + fileSize + " (the last record fills the file)"
                : "the next record in the index starts at byte " + at.end())
            + "; a length field is corrupt, bytes were cut or inserted, or the index "
            + (at.index() == null ? "" : at.index() + " ")
            + "lists the wrong offsets");
  }

  /** Copies the data of a split record's parts into {@code out}, re-inserting the magic. */
  private static void joinParts(
      FileChannel channel,
      long fileSize,
      RecordLocation at,
      int parts,
      byte[] out,
      ByteBuffer header)
      throws IOException {
    long position = at.offset();
    int filled = 0;
    for (int part = 0; part < parts && filled < out.length; part++) {
      int partLength = readPartHeader(channel, fileSize, position, at, header) & LENGTH_MASK;
      int take = Math.min(partLength, out.length - filled);
      readFully(channel, ByteBuffer.wrap(out, filled, take), position + PART_HEADER_BYTES, at);
      filled += take;
      if (part < parts - 1) {
        int magic = Math.min(MAGIC_BYTES.length, out.length - filled);
        System.arraycopy(MAGIC_BYTES, 0, out, filled, magic);
        filled += magic;
      }
      position += PART_HEADER_BYTES + padded(partLength);
    }
    if (filled != out.length) {
      throw at.error("the record's parts changed while it was read");
    }
  }

  private static int readPartHeader(
      FileChannel channel, long fileSize, long position, RecordLocation at, ByteBuffer header)
      throws IOException {
    if (position + PART_HEADER_BYTES > fileSize) {
      throw at.error(
          position,
          "the file ends at byte "
              + fileSize
              + ", inside the 8-byte part header expected here; the file is truncated");
    }
    header.clear();
    readFully(channel, header, position, at);
    int magic = header.getInt(0);
    if (magic != MAGIC) {
      throw at.error(
          position,
          String.format(
              "bad magic 0x%08x, expected %s: no RecordIO record starts here (a wrong index"
                  + " offset, or not a RecordIO file)",
              magic, MAGIC_HEX));
    }
    return header.getInt(4);
  }

  private static void readFully(
      FileChannel channel, ByteBuffer buffer, long position, RecordLocation at) throws IOException {
    long next = position;
    while (buffer.hasRemaining()) {
      int n = channel.read(buffer, next);
      if (n < 0) {
        throw at.error(next, "the file ended early; it was truncated while being read");
      }
      next += n;
    }
  }
}
