package io.github.ringloss4j.app.data;

import io.github.ringloss4j.app.io.DataFormatException;
import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads IDX files, the format of MNIST and Fashion-MNIST.
 *
 * <p>Format (<a href="http://yann.lecun.com/exdb/mnist/">LeCun et al.</a>): a 4-byte big-endian
 * magic number {@code 0x0000TTDD} where {@code TT} is the element type ({@code 0x08} = unsigned
 * byte) and {@code DD} the number of dimensions, then one 4-byte big-endian size per dimension,
 * then the elements in row-major order. Only the two kinds that the data sets use are accepted:
 * {@code 0x00000803} (unsigned-byte images {@code [n, rows, cols]}, 16-byte header) and {@code
 * 0x00000801} (unsigned-byte labels {@code [n]}, 8-byte header).
 *
 * <p>Decisions:
 *
 * <ul>
 *   <li>Gzip is detected from the first two bytes ({@code 0x1f 0x8b}), never from the file name, so
 *       a renamed file still reads. Byte offsets in error messages then count decompressed bytes; a
 *       damaged gzip stream (including its CRC trailer, which is always checked because the stream
 *       is read to its end) is reported as corrupt gzip data naming the file.
 *   <li>The file must hold exactly what the header declares: missing data is reported as truncated
 *       (with the item where the data stops) and extra bytes after the last item are an error,
 *       because either means the header and data disagree.
 *   <li>A corrupt header cannot cause a huge allocation: sizes must be non-negative (and image
 *       sides positive), the total must fit a Java array, an uncompressed file's declared length is
 *       checked against its size before any data is read, and gzip data is read in small chunks so
 *       memory grows only with data actually present.
 *   <li>An image count of 0 is accepted (a valid, empty IDX file).
 * </ul>
 */
public final class IdxReader {

  /** Magic number of an IDX file of unsigned-byte 3-D data (images). */
  public static final int IMAGES_MAGIC = 0x00000803;

  /** Magic number of an IDX file of unsigned-byte 1-D data (labels). */
  public static final int LABELS_MAGIC = 0x00000801;

  /** The largest array length the JVM reliably allocates. */
  static final int MAX_ARRAY_LENGTH = Integer.MAX_VALUE - 8;

  private static final String[] IMAGE_DIMENSION_NAMES = {"image count", "rows", "columns"};
  private static final String[] LABEL_DIMENSION_NAMES = {"label count"};

  private IdxReader() {}

  /**
   * Reads an IDX unsigned-byte image file ({@code [n, rows, cols]}), plain or gzip-compressed.
   *
   * @param file the file
   * @return the images
   * @throws DataFormatException if the content is not a well-formed IDX image file, naming the file
   *     and the byte offset or item of the problem
   * @throws NoSuchFileException if the file does not exist
   * @throws IOException if the file cannot be read
   */
  public static Images readImages(Path file) throws IOException {
    int[] dims = new int[3];
    byte[] data = read(file, IMAGES_MAGIC, IMAGE_DIMENSION_NAMES, dims);
    return new Images(dims[0], dims[1], dims[2], data);
  }

  /**
   * Reads an IDX unsigned-byte label file ({@code [n]}), plain or gzip-compressed.
   *
   * @param file the file
   * @return the labels, one byte each; read them as unsigned with {@code b & 0xFF}
   * @throws DataFormatException if the content is not a well-formed IDX label file, naming the file
   *     and the byte offset or item of the problem
   * @throws NoSuchFileException if the file does not exist
   * @throws IOException if the file cannot be read
   */
  public static byte[] readLabels(Path file) throws IOException {
    return read(file, LABELS_MAGIC, LABEL_DIMENSION_NAMES, new int[1]);
  }

  private static byte[] read(Path file, int expectedMagic, String[] dimNames, int[] dims)
      throws IOException {
    if (Files.isDirectory(file)) {
      throw new DataFormatException(file, "is a directory, expected an IDX file");
    }
    long fileSize;
    InputStream raw;
    try {
      fileSize = Files.size(file);
      raw = Files.newInputStream(file);
    } catch (NoSuchFileException e) {
      throw new NoSuchFileException(file.toString(), null, "IDX file not found");
    }
    try (BufferedInputStream buffered = new BufferedInputStream(raw, 1 << 16)) {
      buffered.mark(2);
      boolean gzip = buffered.read() == 0x1f && buffered.read() == 0x8b;
      buffered.reset();
      if (!gzip) {
        return readIdx(file, buffered, fileSize, false, expectedMagic, dimNames, dims);
      }
      try (InputStream in = new GZIPInputStream(buffered, 1 << 16)) {
        try {
          // The uncompressed size is unknown (-1) until the stream has been read.
          return readIdx(file, in, -1, true, expectedMagic, dimNames, dims);
        } catch (DataFormatException e) {
          // A damaged deflate stream can decode to garbage that fails a format check before the
          // CRC is reached; corruption is the real cause then, so look for it before reporting.
          in.transferTo(OutputStream.nullOutputStream());
          throw e;
        }
      }
    } catch (ZipException | EOFException e) {
      // Our own reads never throw EOFException (readNBytes returns short instead), so both
      // exceptions can only come from the gzip layer.
      throw new DataFormatException(
          file,
          "corrupt or truncated gzip data ("
              + (e.getMessage() == null ? "unexpected end of the data" : e.getMessage())
              + ")",
          e);
    }
  }

  private static byte[] readIdx(
      Path file,
      InputStream in,
      long knownSize,
      boolean gzip,
      int expectedMagic,
      String[] dimNames,
      int[] dims)
      throws IOException {
    String offsets = gzip ? " (offsets count decompressed bytes)" : "";
    int headerLength = 4 + 4 * dimNames.length;
    String headerDescription =
        headerLength
            + " bytes (4-byte magic and "
            + dimNames.length
            + " 4-byte dimension size"
            + (dimNames.length == 1 ? ")" : "s)");
    byte[] header = in.readNBytes(headerLength);
    if (header.length == 0) {
      throw DataFormatException.atByte(
          file,
          0,
          "empty file, expected an IDX header starting with magic number "
              + hex(expectedMagic)
              + " ("
              + describe(expectedMagic)
              + ")"
              + offsets);
    }
    if (header.length >= 4) {
      checkMagic(file, bigEndianInt(header, 0), expectedMagic, offsets);
    }
    if (header.length < headerLength) {
      throw DataFormatException.atByte(
          file,
          header.length,
          "truncated header: expected "
              + headerDescription
              + ", found "
              + header.length
              + " bytes"
              + offsets);
    }
    for (int d = 0; d < dimNames.length; d++) {
      int size = bigEndianInt(header, 4 + 4 * d);
      boolean isCount = d == 0;
      if (size < 0 || (!isCount && size == 0)) {
        throw DataFormatException.atByte(
            file,
            4 + 4 * d,
            "bad "
                + dimNames[d]
                + " "
                + size
                + " in the header, expected "
                + (isCount ? "a non-negative" : "a positive")
                + " 32-bit size"
                + offsets);
      }
      dims[d] = size;
    }
    // Multiply the per-item sides first so that an absurd image size is caught even when the
    // count is 0. Each factor is below 2^31 and the running product stays at most
    // MAX_ARRAY_LENGTH, so no step overflows a long.
    long itemSizeLong = 1;
    long total = -1;
    for (int d = dimNames.length - 1; d >= 0; d--) {
      long product = itemSizeLong * dims[d];
      if (product > MAX_ARRAY_LENGTH) {
        throw DataFormatException.atByte(
            file,
            4,
            "header declares "
                + dimensionProduct(dims, dimNames.length)
                + " bytes of data, more than a Java array can hold ("
                + MAX_ARRAY_LENGTH
                + "); the header is corrupt or the file is not an IDX file"
                + offsets);
      }
      if (d == 0) {
        total = product;
      } else {
        itemSizeLong = product;
      }
    }
    int expected = (int) total;
    int itemSize = (int) itemSizeLong;
    if (knownSize >= 0 && knownSize < headerLength + total) {
      throw truncated(
          file,
          headerLength,
          expected,
          knownSize - headerLength,
          itemSize,
          dims[0],
          dimNames.length,
          offsets);
    }
    if (knownSize > headerLength + total) {
      throw trailing(
          file, headerLength + total, knownSize - headerLength - total, dims[0], offsets);
    }
    byte[] data = in.readNBytes(expected);
    if (data.length < expected) {
      throw truncated(
          file, headerLength, expected, data.length, itemSize, dims[0], dimNames.length, offsets);
    }
    if (in.read() != -1) {
      long extra = 1 + in.transferTo(OutputStream.nullOutputStream());
      throw trailing(file, headerLength + total, extra, dims[0], offsets);
    }
    return data;
  }

  private static DataFormatException truncated(
      Path file,
      int headerLength,
      int expected,
      long found,
      int itemSize,
      int count,
      int rank,
      String offsets) {
    String what = rank == 1 ? "label bytes" : "bytes of pixel data";
    long item = found / itemSize;
    String stops =
        rank == 1
            ? "data stops at item " + item + " of " + count
            : "data stops in item " + item + " of " + count + " (" + itemSize + " bytes each)";
    return DataFormatException.atByte(
        file,
        headerLength + found,
        "truncated: expected "
            + expected
            + " "
            + what
            + " after the "
            + headerLength
            + "-byte header, found "
            + found
            + "; "
            + stops
            + offsets);
  }

  private static DataFormatException trailing(
      Path file, long end, long extra, int count, String offsets) {
    return DataFormatException.atByte(
        file,
        end,
        extra
            + " trailing byte"
            + (extra == 1 ? "" : "s")
            + " after the last of the "
            + count
            + " items declared by the header, expected end of file"
            + offsets);
  }

  private static void checkMagic(Path file, int magic, int expectedMagic, String offsets)
      throws DataFormatException {
    if (magic == expectedMagic) {
      return;
    }
    throw DataFormatException.atByte(
        file,
        0,
        "bad magic number "
            + hex(magic)
            + ", expected "
            + hex(expectedMagic)
            + " ("
            + describe(expectedMagic)
            + "); found "
            + describe(magic)
            + offsets);
  }

  /** Describes what a magic number announces, so that a swapped file name is obvious. */
  static String describe(int magic) {
    if (magic == IMAGES_MAGIC) {
      return "IDX unsigned-byte images";
    }
    if (magic == LABELS_MAGIC) {
      return "IDX unsigned-byte labels";
    }
    if ((magic >>> 16) != 0) {
      return "no IDX file (an IDX magic number starts with two zero bytes)";
    }
    String type =
        switch ((magic >>> 8) & 0xFF) {
          case 0x08 -> "unsigned-byte";
          case 0x09 -> "signed-byte";
          case 0x0B -> "short";
          case 0x0C -> "int";
          case 0x0D -> "float";
          case 0x0E -> "double";
          default -> null;
        };
    if (type == null) {
      return "no IDX file (unknown element type "
          + String.format("0x%02X", (magic >>> 8) & 0xFF)
          + ")";
    }
    int rank = magic & 0xFF;
    return "IDX " + type + " data with " + rank + " dimension" + (rank == 1 ? "" : "s");
  }

  private static String dimensionProduct(int[] dims, int rank) {
    StringBuilder sb = new StringBuilder();
    BigInteger product = BigInteger.ONE;
    for (int d = 0; d < rank; d++) {
      product = product.multiply(BigInteger.valueOf(dims[d]));
      sb.append(d == 0 ? "" : " × ").append(dims[d]);
    }
    return sb.append(" = ").append(product).toString();
  }

  private static String hex(int value) {
    return String.format("0x%08X", value);
  }

  private static int bigEndianInt(byte[] b, int off) {
    return ((b[off] & 0xFF) << 24)
        | ((b[off + 1] & 0xFF) << 16)
        | ((b[off + 2] & 0xFF) << 8)
        | (b[off + 3] & 0xFF);
  }
}
