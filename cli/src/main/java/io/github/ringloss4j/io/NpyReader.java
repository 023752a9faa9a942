package io.github.ringloss4j.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Reads the subset of NumPy {@code .npy} files that {@link NpyWriter} writes and that the
 * application needs: little-endian {@code '<f4'}, {@code '<i4'} and {@code '<i8'} arrays in C
 * order.
 *
 * <p>Format: magic {@code \x93NUMPY}, major and minor version ({@code 1.0}: 2-byte little-endian
 * header length; {@code 2.0}: 4-byte), then an ASCII Python dict literal with exactly the keys
 * {@code 'descr'}, {@code 'fortran_order'} and {@code 'shape'} (in any order, with any spacing and
 * an optional trailing comma), then the data.
 *
 * <p>Decisions: anything outside this subset (other dtypes, big-endian data, Fortran order for more
 * than one dimension, other versions) is a {@link DataFormatException} naming the file and the byte
 * offset; the file length must equal the header plus the declared data exactly, checked before the
 * data array is allocated.
 */
public final class NpyReader {

  /**
   * A parsed {@code .npy} header.
   *
   * @param descr the dtype string, one of {@code <f4}, {@code <i4}, {@code <i8}
   * @param fortranOrder the {@code fortran_order} flag (only false, or true with at most one
   *     dimension, is accepted)
   * @param shape the dimensions; empty for a scalar
   * @param dataOffset the byte offset where the data starts
   */
  public record Header(String descr, boolean fortranOrder, int[] shape, long dataOffset) {

    /**
     * Copies the shape so that the record is immutable.
     *
     * @param descr the dtype string
     * @param fortranOrder the fortran_order flag
     * @param shape the dimensions
     * @param dataOffset where the data starts
     */
    public Header {
      Objects.requireNonNull(descr, "descr");
      shape = shape.clone();
    }

    /**
     * The dimensions.
     *
     * @return a copy of the shape
     */
    @Override
    public int[] shape() {
      return shape.clone();
    }

    /**
     * The number of elements, the product of the shape.
     *
     * @return the element count (1 for a scalar)
     */
    public long elementCount() {
      long n = 1;
      for (int d : shape) {
        n *= d;
      }
      return n;
    }

    /**
     * The size of one element in bytes.
     *
     * @return 4 or 8
     */
    public int itemSize() {
      return descr.equals("<i8") ? 8 : 4;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Header other
          && descr.equals(other.descr)
          && fortranOrder == other.fortranOrder
          && Arrays.equals(shape, other.shape)
          && dataOffset == other.dataOffset;
    }

    @Override
    public int hashCode() {
      return Objects.hash(descr, fortranOrder, Arrays.hashCode(shape), dataOffset);
    }

    @Override
    public String toString() {
      return "Header[descr="
          + descr
          + ", fortranOrder="
          + fortranOrder
          + ", shape="
          + Arrays.toString(shape)
          + ", dataOffset="
          + dataOffset
          + "]";
    }
  }

  private static final int CHUNK = 1 << 16;
  private static final int MAX_ARRAY_LENGTH = Integer.MAX_VALUE - 8;
  private static final List<String> SUPPORTED = List.of("<f4", "<i4", "<i8");

  private NpyReader() {}

  /**
   * Reads and validates the header, including that the file length matches it.
   *
   * @param file the {@code .npy} file
   * @return the header
   * @throws NoSuchFileException if the file does not exist
   * @throws DataFormatException if the file is not a supported {@code .npy} file
   * @throws IOException if the file cannot be read
   */
  public static Header readHeader(Path file) throws IOException {
    try (FileChannel ch = open(file)) {
      return readHeader(file, ch);
    }
  }

  /**
   * Reads a float32 array of any shape, flattened in C order.
   *
   * @param file the {@code .npy} file
   * @return the elements
   * @throws DataFormatException if the file is not a supported {@code .npy} file or its dtype is
   *     not {@code '<f4'}
   * @throws IOException if the file cannot be read
   */
  public static float[] readFloat32(Path file) throws IOException {
    try (FileChannel ch = open(file)) {
      Header h = readHeader(file, ch);
      requireDescr(file, h, "<f4");
      float[] out = new float[(int) h.elementCount()];
      readData(file, ch, h, (buf, start, count) -> buf.asFloatBuffer().get(out, start, count));
      return out;
    }
  }

  /**
   * Reads a 2-D float32 array.
   *
   * @param file the {@code .npy} file
   * @return the rows
   * @throws DataFormatException if the file is not a supported {@code .npy} file, its dtype is not
   *     {@code '<f4'} or it is not 2-D
   * @throws IOException if the file cannot be read
   */
  public static float[][] readFloat32Matrix(Path file) throws IOException {
    Header h = readHeader(file);
    if (h.shape().length != 2) {
      throw DataFormatException.atByte(
          file,
          NpyWriter.MAGIC.length + 2,
          "shape " + Arrays.toString(h.shape()) + " is not 2-D, expected (rows, columns)");
    }
    float[] flat = readFloat32(file);
    int rows = h.shape()[0];
    int cols = h.shape()[1];
    float[][] out = new float[rows][];
    for (int r = 0; r < rows; r++) {
      out[r] = Arrays.copyOfRange(flat, r * cols, (r + 1) * cols);
    }
    return out;
  }

  /**
   * Reads an int32 array of any shape, flattened in C order.
   *
   * @param file the {@code .npy} file
   * @return the elements
   * @throws DataFormatException if the file is not a supported {@code .npy} file or its dtype is
   *     not {@code '<i4'}
   * @throws IOException if the file cannot be read
   */
  public static int[] readInt32(Path file) throws IOException {
    try (FileChannel ch = open(file)) {
      Header h = readHeader(file, ch);
      requireDescr(file, h, "<i4");
      int[] out = new int[(int) h.elementCount()];
      readData(file, ch, h, (buf, start, count) -> buf.asIntBuffer().get(out, start, count));
      return out;
    }
  }

  /**
   * Reads an int64 array of any shape, flattened in C order.
   *
   * @param file the {@code .npy} file
   * @return the elements
   * @throws DataFormatException if the file is not a supported {@code .npy} file or its dtype is
   *     not {@code '<i8'}
   * @throws IOException if the file cannot be read
   */
  public static long[] readInt64(Path file) throws IOException {
    try (FileChannel ch = open(file)) {
      Header h = readHeader(file, ch);
      requireDescr(file, h, "<i8");
      long[] out = new long[(int) h.elementCount()];
      readData(file, ch, h, (buf, start, count) -> buf.asLongBuffer().get(out, start, count));
      return out;
    }
  }

  private static FileChannel open(Path file) throws IOException {
    if (Files.isDirectory(file)) {
      throw new DataFormatException(file, "is a directory, expected a .npy file");
    }
    try {
      return FileChannel.open(file, StandardOpenOption.READ);
    } catch (NoSuchFileException e) {
      throw new NoSuchFileException(file.toString(), null, ".npy file not found");
    }
  }

  private static void requireDescr(Path file, Header h, String expected)
      throws DataFormatException {
    if (!h.descr().equals(expected)) {
      throw DataFormatException.atByte(
          file,
          NpyWriter.MAGIC.length + 2,
          "dtype '" + h.descr() + "', expected '" + expected + "'");
    }
  }

  private static Header readHeader(Path file, FileChannel ch) throws IOException {
    long size = ch.size();
    if (size == 0) {
      throw DataFormatException.atByte(file, 0, "empty file, expected a .npy file");
    }
    ByteBuffer pre = readFully(ch, 0, (int) Math.min(size, 12));
    byte[] magic = new byte[Math.min(pre.remaining(), NpyWriter.MAGIC.length)];
    pre.get(magic);
    if (!Arrays.equals(magic, NpyWriter.MAGIC)) {
      throw DataFormatException.atByte(
          file, 0, "not a .npy file: expected the magic string \\x93NUMPY at the start");
    }
    if (pre.remaining() < 4) {
      throw DataFormatException.atByte(
          file, size, "truncated: the file ends inside the .npy preamble");
    }
    int major = pre.get() & 0xFF;
    int minor = pre.get() & 0xFF;
    int lengthBytes;
    if (major == 1 && minor == 0) {
      lengthBytes = 2;
    } else if (major == 2 && minor == 0) {
      lengthBytes = 4;
    } else {
      throw DataFormatException.atByte(
          file,
          6,
          "unsupported .npy format version " + major + "." + minor + ", expected 1.0 or 2.0");
    }
    if (pre.remaining() < lengthBytes) {
      throw DataFormatException.atByte(
          file, size, "truncated: the file ends inside the .npy header length field");
    }
    pre.order(ByteOrder.LITTLE_ENDIAN);
    long headerLength = lengthBytes == 2 ? pre.getShort() & 0xFFFF : pre.getInt() & 0xFFFFFFFFL;
    int headerStart = 8 + lengthBytes;
    if (headerStart + headerLength > size) {
      throw DataFormatException.atByte(
          file,
          size,
          "truncated: the header length field announces "
              + headerLength
              + " header bytes after byte "
              + headerStart
              + ", but the file has "
              + size
              + " bytes");
    }
    if (headerLength > 1 << 20) {
      throw DataFormatException.atByte(
          file, 8, "header length " + headerLength + " is implausibly large (over 1 MiB)");
    }
    ByteBuffer headerBytes = readFully(ch, headerStart, (int) headerLength);
    String text = StandardCharsets.ISO_8859_1.decode(headerBytes).toString();
    Header h = new DictParser(file, text, headerStart).parse(headerStart + headerLength);
    long count;
    try {
      count = 1;
      for (int d : h.shape()) {
        count = Math.multiplyExact(count, d);
      }
      if (count > MAX_ARRAY_LENGTH) {
        throw new ArithmeticException();
      }
    } catch (ArithmeticException e) {
      throw DataFormatException.atByte(
          file,
          headerStart,
          "shape " + Arrays.toString(h.shape()) + " has too many elements for a Java array");
    }
    long expected = h.dataOffset() + count * h.itemSize();
    if (size != expected) {
      throw DataFormatException.atByte(
          file,
          Math.min(size, expected),
          (size < expected ? "truncated" : "trailing bytes")
              + ": shape "
              + Arrays.toString(h.shape())
              + " of '"
              + h.descr()
              + "' needs "
              + count * h.itemSize()
              + " data bytes after the "
              + h.dataOffset()
              + "-byte header, found "
              + (size - h.dataOffset()));
    }
    return h;
  }

  private static ByteBuffer readFully(FileChannel ch, long position, int length)
      throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(length);
    while (buf.hasRemaining()) {
      if (ch.read(buf, position + buf.position()) < 0) {
        break;
      }
    }
    return buf.flip();
  }

  @FunctionalInterface
  private interface ChunkSink {
    void accept(ByteBuffer littleEndian, int start, int count);
  }

  private static void readData(Path file, FileChannel ch, Header h, ChunkSink sink)
      throws IOException {
    int itemSize = h.itemSize();
    long total = h.elementCount();
    ByteBuffer buf = ByteBuffer.allocate(CHUNK).order(ByteOrder.LITTLE_ENDIAN);
    long position = h.dataOffset();
    int done = 0;
    while (done < total) {
      int items = (int) Math.min(total - done, CHUNK / itemSize);
      buf.clear().limit(items * itemSize);
      while (buf.hasRemaining()) {
        int n = ch.read(buf, position);
        if (n < 0) {
          throw DataFormatException.atByte(
              file, position, "truncated: the file ended while reading element " + done);
        }
        position += n;
      }
      buf.flip();
      sink.accept(buf, done, items);
      done += items;
    }
  }

  /** A strict parser for the header dict subset numpy writes. */
  private static final class DictParser {
    private final Path file;
    private final String text;
    private final int base;
    private int pos;

    DictParser(Path file, String text, int base) {
      this.file = file;
      this.text = text;
      this.base = base;
    }

    Header parse(long dataOffset) throws DataFormatException {
      String descr = null;
      Boolean fortran = null;
      int[] shape = null;
      skipSpace();
      expect('{');
      while (true) {
        skipSpace();
        if (peek() == '}') {
          pos++;
          break;
        }
        int keyAt = pos;
        String key = string();
        skipSpace();
        expect(':');
        skipSpace();
        switch (key) {
          case "descr" -> {
            duplicate(descr != null, key, keyAt);
            int at = pos;
            descr = string();
            if (!SUPPORTED.contains(descr)) {
              throw error(
                  at,
                  "unsupported dtype '"
                      + descr
                      + "', expected one of "
                      + SUPPORTED
                      + " (little-endian float32, int32 or int64)");
            }
          }
          case "fortran_order" -> {
            duplicate(fortran != null, key, keyAt);
            fortran = bool();
          }
          case "shape" -> {
            duplicate(shape != null, key, keyAt);
            shape = tuple();
          }
          default ->
              throw error(
                  keyAt,
                  "unexpected key '" + key + "', expected 'descr', 'fortran_order', 'shape'");
        }
        skipSpace();
        if (peek() == ',') {
          pos++;
        } else if (peek() != '}') {
          throw error(pos, "expected ',' or '}' in the header dict");
        }
      }
      skipSpace();
      if (pos != text.length()) {
        throw error(pos, "unexpected text after the header dict");
      }
      if (descr == null || fortran == null || shape == null) {
        throw error(
            0,
            "header dict lacks "
                + (descr == null ? "'descr'" : fortran == null ? "'fortran_order'" : "'shape'"));
      }
      if (fortran && shape.length > 1) {
        throw error(
            0,
            "Fortran-order arrays are not supported; save a C-order array"
                + " (numpy.ascontiguousarray)");
      }
      return new Header(descr, fortran, shape, dataOffset);
    }

    private void duplicate(boolean seen, String key, int at) throws DataFormatException {
      if (seen) {
        throw error(at, "duplicate key '" + key + "'");
      }
    }

    private char peek() {
      return pos < text.length() ? text.charAt(pos) : '\0';
    }

    private void skipSpace() {
      while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
        pos++;
      }
    }

    private void expect(char c) throws DataFormatException {
      if (peek() != c) {
        throw error(pos, "expected '" + c + "' in the header dict");
      }
      pos++;
    }

    private String string() throws DataFormatException {
      char quote = peek();
      if (quote != '\'' && quote != '"') {
        throw error(pos, "expected a quoted string in the header dict");
      }
      int end = text.indexOf(quote, pos + 1);
      if (end < 0) {
        throw error(pos, "unterminated string in the header dict");
      }
      String s = text.substring(pos + 1, end);
      pos = end + 1;
      return s;
    }

    private boolean bool() throws DataFormatException {
      if (text.startsWith("True", pos)) {
        pos += 4;
        return true;
      }
      if (text.startsWith("False", pos)) {
        pos += 5;
        return false;
      }
      throw error(pos, "expected True or False for 'fortran_order'");
    }

    private int[] tuple() throws DataFormatException {
      expect('(');
      List<Integer> dims = new ArrayList<>();
      skipSpace();
      if (peek() == ')') {
        pos++;
        return new int[0];
      }
      while (true) {
        int start = pos;
        while (pos < text.length() && text.charAt(pos) >= '0' && text.charAt(pos) <= '9') {
          pos++;
        }
        if (start == pos) {
          throw error(start, "expected a non-negative integer in 'shape'");
        }
        try {
          dims.add(Integer.parseInt(text.substring(start, pos)));
        } catch (NumberFormatException e) {
          throw error(start, "dimension " + text.substring(start, pos) + " is too large");
        }
        skipSpace();
        if (peek() == ',') {
          pos++;
          skipSpace();
          if (peek() == ')') {
            pos++;
            break;
          }
        } else if (peek() == ')') {
          if (dims.size() == 1) {
            // Python's "(5)" is the integer 5, not a tuple; numpy writes "(5,)".
            throw error(pos, "a 1-D shape must be written '(n,)'");
          }
          pos++;
          break;
        } else {
          throw error(pos, "expected ',' or ')' in 'shape'");
        }
      }
      return dims.stream().mapToInt(Integer::intValue).toArray();
    }

    private DataFormatException error(int at, String problem) {
      return DataFormatException.atByte(file, base + at, problem);
    }
  }
}
