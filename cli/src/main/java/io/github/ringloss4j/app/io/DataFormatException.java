package io.github.ringloss4j.app.io;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A data file exists but its content is not what the reader expects.
 *
 * <p>The message always starts with the file path, followed where known by the location of the
 * problem in one of three forms, and then by what is wrong and what was expected:
 *
 * <ul>
 *   <li>{@code /d/pairs.txt:17: expected 3 fields ...} (a 1-based text line),
 *   <li>{@code /d/train-images-idx3-ubyte.gz at byte 0: bad magic number ...} (a 0-based byte
 *       offset; for gzip files the offset counts decompressed bytes),
 *   <li>{@code /d/train-labels-idx1-ubyte.gz item 42: label 11 out of range ...} (a 0-based item
 *       index).
 * </ul>
 *
 * <p>It is a checked {@link IOException} so that command-line code can report it like any other
 * input problem; the structured location is also available through the accessors.
 */
public class DataFormatException extends IOException {

  private static final long serialVersionUID = 1L;

  /** The offending file; transient because {@link Path} is not serialisable. */
  private final transient Path file;

  /** The 1-based line, or -1. */
  private final long line;

  /** The 0-based byte offset, or -1. */
  private final long byteOffset;

  /** The 0-based item index, or -1. */
  private final long item;

  private DataFormatException(
      Path file,
      String location,
      long line,
      long byteOffset,
      long item,
      String problem,
      Throwable cause) {
    super(file + location + ": " + problem, cause);
    this.file = file;
    this.line = line;
    this.byteOffset = byteOffset;
    this.item = item;
  }

  /**
   * Creates an exception about a whole file, without a more precise location.
   *
   * @param file the offending file
   * @param problem what is wrong and what was expected
   */
  public DataFormatException(Path file, String problem) {
    this(file, "", -1, -1, -1, problem, null);
  }

  /**
   * Creates an exception about a whole file, without a more precise location, with a cause.
   *
   * @param file the offending file
   * @param problem what is wrong and what was expected
   * @param cause the underlying exception
   */
  public DataFormatException(Path file, String problem, Throwable cause) {
    this(file, "", -1, -1, -1, problem, cause);
  }

  /**
   * Creates an exception located at a text line; the message starts with {@code file:line: }.
   *
   * @param file the offending file
   * @param line the 1-based line number
   * @param problem what is wrong and what was expected
   * @return the exception
   */
  public static DataFormatException atLine(Path file, long line, String problem) {
    return new DataFormatException(file, ":" + line, line, -1, -1, problem, null);
  }

  /**
   * Creates an exception located at a byte offset; the message starts with {@code file at byte N:
   * }.
   *
   * @param file the offending file
   * @param byteOffset the 0-based byte offset (of the decompressed data for gzip files)
   * @param problem what is wrong and what was expected
   * @return the exception
   */
  public static DataFormatException atByte(Path file, long byteOffset, String problem) {
    return new DataFormatException(
        file, " at byte " + byteOffset, -1, byteOffset, -1, problem, null);
  }

  /**
   * Creates an exception located at an item (an image, a label, a row); the message starts with
   * {@code file item N: }.
   *
   * @param file the offending file
   * @param item the 0-based item index
   * @param problem what is wrong and what was expected
   * @return the exception
   */
  public static DataFormatException atItem(Path file, long item, String problem) {
    return new DataFormatException(file, " item " + item, -1, -1, item, problem, null);
  }

  /**
   * Creates an exception located at an item, with the exception that revealed the problem (a
   * decoder's, for an image held in memory).
   *
   * @param file the offending file
   * @param item the 0-based item index
   * @param problem what is wrong and what was expected
   * @param cause the underlying exception, or null
   * @return the exception
   */
  public static DataFormatException atItem(Path file, long item, String problem, Throwable cause) {
    return new DataFormatException(file, " item " + item, -1, -1, item, problem, cause);
  }

  /**
   * The offending file.
   *
   * @return the path as given to the reader, or {@code null} after deserialisation
   */
  public Path file() {
    return file;
  }

  /**
   * The 1-based line of the problem.
   *
   * @return the line, or -1 when the problem is not located at a line
   */
  public long line() {
    return line;
  }

  /**
   * The 0-based byte offset of the problem (decompressed bytes for gzip input).
   *
   * @return the offset, or -1 when the problem is not located at a byte offset
   */
  public long byteOffset() {
    return byteOffset;
  }

  /**
   * The 0-based item index of the problem.
   *
   * @return the item, or -1 when the problem is not located at an item
   */
  public long item() {
    return item;
  }
}
