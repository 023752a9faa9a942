package io.github.ringloss4j.app.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Reads NumPy {@code .npy} files strictly: the application's reader of the arrays {@link NpyWriter}
 * writes (a gallery's {@code embeddings.npy}), for files that may come from anywhere.
 *
 * <p>Format (numpy's {@code format.py}): the magic {@code \x93NUMPY}, a major and a minor version
 * byte, the header length (2 bytes little-endian for version 1, 4 bytes for versions 2 and 3), then
 * the header: a Python dict literal with exactly the keys {@code 'descr'}, {@code 'fortran_order'}
 * and {@code 'shape'}, padded with spaces and ended by a newline; then the elements.
 *
 * <p>Decisions, each refusal a {@link DataFormatException} naming the file and the byte:
 *
 * <ul>
 *   <li>The header is parsed as a small grammar, not evaluated: strings in single or double quotes
 *       without escapes, {@code True}/{@code False}, a tuple of decimal integers without signs or
 *       leading zeros; a missing, repeated or unknown key is refused, as is anything after the dict
 *       but spaces and the final newline. Headers beyond {@value #MAX_HEADER} bytes are refused
 *       (numpy itself refuses those over 10,000 bytes by default).
 *   <li>Two types are read: a 2-D float32 matrix ({@link #readFloat32Matrix}) and a 1-D int64
 *       vector ({@link #readInt64Vector}, e.g. {@code embed}'s {@code labels.npy}), little-endian
 *       as is and big-endian converted (numpy writes it for {@code astype('>f4')}); any other type
 *       or rank is refused, naming it, never reinterpreted. {@code fortran_order: True}
 *       (column-major elements) is read and transposed.
 *   <li>The declared shape times the element's bytes must equal the bytes after the header exactly,
 *       checked before anything is allocated: a header claiming more than the file holds, a
 *       truncated file and trailing bytes are all refused. Memory is therefore never more than the
 *       file's size.
 * </ul>
 */
public final class NpyReader {

  /** The longest header accepted, in bytes. */
  public static final int MAX_HEADER = 1 << 16;

  private static final int CHUNK = 1 << 16;

  private NpyReader() {}

  /**
   * A parsed header.
   *
   * @param descr the dtype, e.g. {@code <f4}
   * @param fortranOrder whether the elements are in column-major order
   * @param shape the dimensions
   * @param dataOffset where the elements start, in bytes from the start of the file
   */
  public record Header(String descr, boolean fortranOrder, long[] shape, long dataOffset) {}

  /**
   * A 2-D float32 array.
   *
   * @param rows the rows, {@code shape[0]} of {@code shape[1]} values each
   * @param columns {@code shape[1]}, known even without rows
   */
  public record Matrix(float[][] rows, int columns) {}

  /**
   * Reads a 2-D float32 array.
   *
   * @param file the {@code .npy} file
   * @return its rows
   * @throws NoSuchFileException if the file does not exist
   * @throws DataFormatException naming the file and byte when it is not a 2-D float32 {@code .npy}
   *     array whose size matches its header
   * @throws IOException if it cannot be read
   */
  public static Matrix readFloat32Matrix(Path file) throws IOException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      Header header = readHeader(file, channel);
      long[] shape = checkFloat32Matrix(file, header, channel.size());
      int rows = (int) shape[0];
      int columns = (int) shape[1];
      ByteOrder order = order(header);
      float[][] out = new float[rows][columns];
      ByteBuffer buf = ByteBuffer.allocate(CHUNK).order(order);
      buf.limit(0);
      channel.position(header.dataOffset());
      long n = (long) rows * columns;
      long left = n * Float.BYTES;
      for (long k = 0; k < n; k++) {
        if (!buf.hasRemaining()) {
          // CHUNK and the data are multiples of 4 bytes: a float never straddles two reads.
          buf.clear().limit((int) Math.min(CHUNK, left));
          fill(file, channel, buf);
          buf.flip();
          left -= buf.remaining();
        }
        float v = buf.getFloat();
        if (header.fortranOrder()) {
          out[(int) (k % rows)][(int) (k / rows)] = v;
        } else {
          out[(int) (k / columns)][(int) (k % columns)] = v;
        }
      }
      return new Matrix(out, columns);
    }
  }

  /**
   * Reads a 1-D int64 array.
   *
   * @param file the {@code .npy} file
   * @return its elements
   * @throws NoSuchFileException if the file does not exist
   * @throws DataFormatException naming the file and byte when it is not a 1-D int64 {@code .npy}
   *     array whose size matches its header
   * @throws IOException if it cannot be read
   */
  public static long[] readInt64Vector(Path file) throws IOException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      Header header = readHeader(file, channel);
      long[] shape = checkArray(file, header, channel.size(), "i8", "int64", 1);
      long[] out = new long[(int) shape[0]];
      ByteBuffer buf = ByteBuffer.allocate(CHUNK).order(order(header));
      buf.limit(0);
      channel.position(header.dataOffset());
      long left = out.length * (long) Long.BYTES;
      for (int k = 0; k < out.length; k++) {
        if (!buf.hasRemaining()) {
          // CHUNK and the data are multiples of 8 bytes: a value never straddles two reads.
          buf.clear().limit((int) Math.min(CHUNK, left));
          fill(file, channel, buf);
          buf.flip();
          left -= buf.remaining();
        }
        out[k] = buf.getLong();
      }
      return out;
    }
  }

  private static ByteOrder order(Header header) {
    return header.descr().charAt(0) == '>' ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
  }

  /**
   * Reads and checks a 2-D float32 array's header without reading its elements.
   *
   * @param file the {@code .npy} file
   * @return {@code {rows, columns}}
   * @throws NoSuchFileException if the file does not exist
   * @throws DataFormatException as {@link #readFloat32Matrix}
   * @throws IOException if it cannot be read
   */
  public static long[] float32MatrixShape(Path file) throws IOException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      return checkFloat32Matrix(file, readHeader(file, channel), channel.size());
    }
  }

  private static long[] checkFloat32Matrix(Path file, Header header, long size)
      throws DataFormatException {
    return checkArray(file, header, size, "f4", "float32", 2);
  }

  /**
   * Checks the dtype (either byte order of {@code code}), the rank, and that the shape's bytes are
   * exactly the data's, before anything is allocated.
   */
  private static long[] checkArray(
      Path file, Header header, long size, String code, String type, int rank)
      throws DataFormatException {
    if (!header.descr().equals("<" + code) && !header.descr().equals(">" + code)) {
      throw DataFormatException.atByte(
          file,
          0,
          "dtype '"
              + printable(header.descr())
              + "': expected "
              + type
              + " ('<"
              + code
              + "' or '>"
              + code
              + "'); other types are not converted");
    }
    long[] shape = header.shape();
    if (shape.length != rank) {
      throw DataFormatException.atByte(
          file,
          0,
          "shape "
              + Arrays.toString(shape)
              + (rank == 2 ? ": expected a 2-D array (rows, columns)" : ": expected a 1-D array"));
    }
    long data = size - header.dataOffset();
    // Each dimension is below 10^18 (at most 18 digits), so a product that overflows exceeds data.
    long expected;
    try {
      expected = Integer.parseInt(code.substring(1));
      for (long d : shape) {
        expected = Math.multiplyExact(expected, d);
      }
    } catch (ArithmeticException e) {
      expected = Long.MAX_VALUE;
    }
    if (expected != data) {
      throw DataFormatException.atByte(
          file,
          header.dataOffset(),
          "the header's shape "
              + Arrays.toString(shape).replace('[', '(').replace(']', ')')
              + " of "
              + type
              + " needs "
              + (expected == Long.MAX_VALUE ? "more than 2^63" : Long.toString(expected))
              + " bytes of data but the file holds "
              + data
              + (expected > data ? ": truncated, or a corrupt header" : ": trailing bytes"));
    }
    for (long d : shape) {
      if (d > Integer.MAX_VALUE - 8) {
        throw DataFormatException.atByte(
            file, 0, "shape " + Arrays.toString(shape) + " is beyond a Java array's length");
      }
    }
    return shape;
  }

  /**
   * Reads the preamble and the header dict.
   *
   * @param file the file, for messages
   * @param channel positioned at 0
   * @return the header
   */
  static Header readHeader(Path file, FileChannel channel) throws IOException {
    long size = channel.size();
    ByteBuffer pre = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
    channel.position(0);
    while (pre.hasRemaining() && channel.read(pre) >= 0) {
      // reads up to 12 bytes
    }
    pre.flip();
    byte[] magic = new byte[Math.min(NpyWriter.MAGIC.length, pre.remaining())];
    pre.get(magic);
    if (!Arrays.equals(magic, NpyWriter.MAGIC)) {
      throw DataFormatException.atByte(
          file, 0, "not a .npy file: it does not start with the magic \\x93NUMPY");
    }
    if (pre.remaining() < 2) {
      throw DataFormatException.atByte(file, 6, "truncated: the file ends in its version");
    }
    int major = pre.get() & 0xFF;
    int minor = pre.get() & 0xFF;
    if (major < 1 || major > 3 || minor != 0) {
      throw DataFormatException.atByte(
          file, 6, "format version " + major + "." + minor + ": expected 1.0, 2.0 or 3.0");
    }
    int lengthBytes = major == 1 ? 2 : 4;
    if (pre.remaining() < lengthBytes) {
      throw DataFormatException.atByte(file, 8, "truncated: the file ends in its header length");
    }
    long headerLength = major == 1 ? pre.getShort() & 0xFFFF : pre.getInt() & 0xFFFFFFFFL;
    long start = 8L + lengthBytes;
    if (headerLength > MAX_HEADER) {
      throw DataFormatException.atByte(
          file, 8, "header length " + headerLength + " exceeds " + MAX_HEADER + " bytes");
    }
    if (start + headerLength > size) {
      throw DataFormatException.atByte(
          file,
          8,
          "header length "
              + headerLength
              + " runs past the end of the file ("
              + size
              + " bytes): truncated");
    }
    ByteBuffer text = ByteBuffer.allocate((int) headerLength);
    channel.position(start);
    fill(file, channel, text);
    byte[] bytes = text.array();
    for (int i = 0; i < bytes.length; i++) {
      if (bytes[i] < 0x20 && bytes[i] != '\n' || bytes[i] >= 0x7F) {
        throw DataFormatException.atByte(
            file, start + i, "the header holds a byte that is not printable ASCII");
      }
    }
    Header h = new Parser(file, new String(bytes, StandardCharsets.US_ASCII), start).header();
    return new Header(h.descr(), h.fortranOrder(), h.shape(), start + headerLength);
  }

  /** Fills the buffer from the channel, or fails as truncated. */
  private static void fill(Path file, FileChannel channel, ByteBuffer buf) throws IOException {
    while (buf.hasRemaining()) {
      long at = channel.position();
      if (channel.read(buf) < 0) {
        throw DataFormatException.atByte(file, at, "truncated: the file ends early");
      }
    }
  }

  /** A strict parser of numpy's header dict. */
  private static final class Parser {
    private final Path file;
    private final String s;
    private final long base;
    private int i;

    Parser(Path file, String s, long base) {
      this.file = file;
      this.s = s;
      this.base = base;
    }

    Header header() throws DataFormatException {
      String descr = null;
      Boolean fortran = null;
      long[] shape = null;
      skipSpaces();
      expect('{');
      while (true) {
        skipSpaces();
        if (peek() == '}') {
          i++;
          break;
        }
        int keyAt = i;
        String key = string();
        skipSpaces();
        expect(':');
        skipSpaces();
        switch (key) {
          case "descr" -> {
            requireNew(descr, key, keyAt);
            descr = string();
          }
          case "fortran_order" -> {
            requireNew(fortran, key, keyAt);
            fortran = bool();
          }
          case "shape" -> {
            requireNew(shape, key, keyAt);
            shape = tuple();
          }
          default -> throw fail(keyAt, "unexpected key '" + printable(key) + "'");
        }
        skipSpaces();
        if (peek() == ',') {
          i++;
        } else if (peek() != '}') {
          throw fail(i, "expected ',' or '}' in the header dict");
        }
      }
      if (descr == null || fortran == null || shape == null) {
        throw fail(
            i,
            "the header dict lacks "
                + (descr == null ? "'descr'" : fortran == null ? "'fortran_order'" : "'shape'"));
      }
      int end = i;
      while (end < s.length() && s.charAt(end) == ' ') {
        end++;
      }
      if (end != s.length() - 1 || s.charAt(end) != '\n') {
        throw fail(end, "expected only spaces and a final newline after the header dict");
      }
      return new Header(descr, fortran, shape, 0);
    }

    private void requireNew(Object seen, String key, int at) throws DataFormatException {
      if (seen != null) {
        throw fail(at, "the key '" + key + "' appears twice in the header dict");
      }
    }

    private String string() throws DataFormatException {
      char quote = peek();
      if (quote != '\'' && quote != '"') {
        throw fail(i, "expected a quoted string");
      }
      int close = s.indexOf(quote, i + 1);
      if (close < 0) {
        throw fail(i, "unterminated string");
      }
      String value = s.substring(i + 1, close);
      if (value.indexOf('\\') >= 0 || value.indexOf('\n') >= 0) {
        throw fail(i, "escapes are not accepted in header strings");
      }
      i = close + 1;
      return value;
    }

    private boolean bool() throws DataFormatException {
      if (s.startsWith("True", i)) {
        i += 4;
        return true;
      }
      if (s.startsWith("False", i)) {
        i += 5;
        return false;
      }
      throw fail(i, "expected True or False for 'fortran_order'");
    }

    private long[] tuple() throws DataFormatException {
      expect('(');
      List<Long> dims = new ArrayList<>();
      boolean comma = false;
      while (true) {
        skipSpaces();
        if (peek() == ')') {
          i++;
          break;
        }
        if (!dims.isEmpty() && !comma) {
          throw fail(i, "expected ',' or ')' in the shape");
        }
        dims.add(integer());
        skipSpaces();
        comma = peek() == ',';
        if (comma) {
          i++;
        }
      }
      if (dims.size() == 1 && !comma) {
        throw fail(i - 1, "a one-element shape is written (n,)");
      }
      return dims.stream().mapToLong(Long::longValue).toArray();
    }

    private long integer() throws DataFormatException {
      int from = i;
      while (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
        i++;
      }
      String digits = s.substring(from, i);
      if (digits.isEmpty()) {
        throw fail(from, "expected a non-negative decimal integer in the shape");
      }
      if (digits.length() > 18 || digits.length() > 1 && digits.charAt(0) == '0') {
        throw fail(from, "shape dimension '" + digits + "' is not a plain integer below 10^18");
      }
      return Long.parseLong(digits);
    }

    private void expect(char c) throws DataFormatException {
      if (peek() != c) {
        throw fail(i, "expected '" + c + "' in the header dict");
      }
      i++;
    }

    private char peek() {
      return i < s.length() ? s.charAt(i) : '\0';
    }

    private void skipSpaces() {
      while (i < s.length() && s.charAt(i) == ' ') {
        i++;
      }
    }

    private DataFormatException fail(int at, String problem) {
      return DataFormatException.atByte(file, base + at, problem);
    }
  }

  private static String printable(String s) {
    StringBuilder b = new StringBuilder();
    for (int k = 0; k < s.length() && k < 40; k++) {
      char c = s.charAt(k);
      b.append(
          c >= 0x20 && c < 0x7F
              ? String.valueOf(c)
              : String.format(Locale.ROOT, "\\x%02x", (int) c));
    }
    return s.length() > 40 ? b + "…" : b.toString();
  }
}
