package io.github.ringloss4j.app.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Writes NumPy {@code .npy} files (format version 1.0) that {@code numpy.load} reads directly.
 *
 * <p>Format: the 6-byte magic {@code \x93NUMPY}, version bytes {@code 0x01 0x00}, a 2-byte
 * little-endian header length, then an ASCII header that is the Python dict literal numpy itself
 * writes, e.g. {@code {'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }}, padded with
 * spaces and ended by {@code \n} so that the 10-byte preamble plus the header is a multiple of 64
 * bytes; then the elements little-endian in C (row-major) order. A 1-D shape is written {@code
 * (n,)}.
 *
 * <p>Decisions: like numpy 1.23 and later, the dict is followed by {@code 21 - digits(shape[0])}
 * spare spaces (room for numpy to grow the first axis in place) before the padding to the next
 * multiple of 64, so the header is byte-for-byte what current numpy writes; older numpy, which
 * omits the spare spaces, and every reader parse it the same way. Arguments are validated before
 * the file is opened and the file is written through {@link AtomicFiles}, so a failure never leaves
 * a partial {@code .npy} behind. A 2-D array with zero rows is written with shape {@code (0, 0)},
 * since its width is unknown.
 */
public final class NpyWriter {

  /** The magic string at the start of every {@code .npy} file. */
  static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};

  /** The alignment of the data start that numpy uses. */
  static final int ALIGNMENT = 64;

  /** numpy's room for the first axis to grow to this many digits when appending in place. */
  static final int GROWTH_AXIS_MAX_DIGITS = 21;

  private NpyWriter() {}

  /**
   * Writes a 2-D float32 array ({@code '<f4'}, shape {@code (rows.length, rows[0].length)}).
   *
   * @param file the file to create or replace
   * @param rows the rows, all of one length
   * @throws IllegalArgumentException naming the first row whose length differs from row 0's (or
   *     that is null); nothing is written then
   * @throws IOException if writing fails; an existing file is then unchanged
   */
  public static void writeFloat32(Path file, float[][] rows) throws IOException {
    Objects.requireNonNull(rows, "rows");
    int cols = rows.length == 0 || rows[0] == null ? 0 : rows[0].length;
    for (int r = 0; r < rows.length; r++) {
      if (rows[r] == null || rows[r].length != cols) {
        throw new IllegalArgumentException(
            file
                + ": row "
                + r
                + (rows[r] == null ? " is null" : " has " + rows[r].length + " values")
                + ", expected "
                + cols
                + " like row 0; all rows of a 2-D array must have the same length");
      }
    }
    try (NpyStream npy = NpyStream.float32(file, rows.length, cols)) {
      for (float[] row : rows) {
        npy.putFloats(row, 0, cols);
      }
      npy.commit();
    }
  }

  /**
   * Writes a 1-D float32 array ({@code '<f4'}, shape {@code (n,)}).
   *
   * @param file the file to create or replace
   * @param values the values
   * @throws IOException if writing fails; an existing file is then unchanged
   */
  public static void writeFloat32(Path file, float[] values) throws IOException {
    Objects.requireNonNull(values, "values");
    try (NpyStream npy = NpyStream.float32(file, values.length)) {
      npy.putFloats(values, 0, values.length);
      npy.commit();
    }
  }

  /**
   * Writes a 1-D int64 array ({@code '<i8'}, shape {@code (n,)}).
   *
   * @param file the file to create or replace
   * @param values the values
   * @throws IOException if writing fails; an existing file is then unchanged
   */
  public static void writeInt64(Path file, long[] values) throws IOException {
    Objects.requireNonNull(values, "values");
    try (NpyStream npy = NpyStream.int64(file, values.length)) {
      for (long v : values) {
        npy.putLong(v);
      }
      npy.commit();
    }
  }

  /**
   * The complete preamble and header for an array: magic, version 1.0, header length and the padded
   * dict.
   *
   * @param descr the numpy dtype string, e.g. {@code <f4}
   * @param shape the dimensions
   * @return the bytes that precede the data, a multiple of {@value #ALIGNMENT} long
   */
  static byte[] header(String descr, int... shape) {
    StringBuilder dict =
        new StringBuilder("{'descr': '")
            .append(descr)
            .append("', 'fortran_order': False, 'shape': ")
            .append(shapeLiteral(shape))
            .append(", }");
    if (shape.length > 0) {
      dict.append(" ".repeat(GROWTH_AXIS_MAX_DIGITS - Integer.toString(shape[0]).length()));
    }
    int preamble = MAGIC.length + 2 + 2;
    int unpadded = preamble + dict.length() + 1;
    int total = (unpadded + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
    dict.append(" ".repeat(total - unpadded)).append('\n');
    int headerLength = dict.length();
    if (headerLength > 0xFFFF) {
      throw new IllegalArgumentException("npy header too long for format 1.0: " + headerLength);
    }
    ByteBuffer buf = ByteBuffer.allocate(total).order(ByteOrder.LITTLE_ENDIAN);
    buf.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) headerLength);
    buf.put(dict.toString().getBytes(StandardCharsets.US_ASCII));
    return buf.array();
  }

  /**
   * Formats a shape as Python formats a tuple of ints: {@code ()}, {@code (5,)}, {@code (2, 3)}.
   */
  static String shapeLiteral(int... shape) {
    if (shape.length == 1) {
      return "(" + shape[0] + ",)";
    }
    StringBuilder sb = new StringBuilder("(");
    for (int i = 0; i < shape.length; i++) {
      sb.append(i == 0 ? "" : ", ").append(shape[i]);
    }
    return sb.append(')').toString();
  }
}
