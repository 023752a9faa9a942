package io.github.ringloss4j.app.io;

import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A UTF-8 text file read line by line as a stream, each line bounded: the reader of the
 * application's line files ({@code names.txt}, pairs files), which may come from anywhere.
 *
 * <p>Decisions: a line ends at {@code \n}, and a {@code \r} just before it is dropped (a file
 * written on Windows reads the same); a UTF-8 byte-order mark at the very start is dropped (it is
 * not part of the first line's text); a line longer than the bound, or not valid UTF-8, is a {@link
 * DataFormatException} naming {@code file:line}, raised before more than the bound is held. Line
 * numbers are 1-based physical lines.
 */
public final class TextLines implements Closeable {

  /** The default bound on a line, in bytes. */
  public static final int DEFAULT_MAX_LINE_BYTES = 1 << 16;

  private static final byte[] BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};

  private final Path file;
  private final InputStream in;
  private final int maxLineBytes;
  private final CharsetDecoder decoder =
      StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT);
  private byte[] line;
  private long number;

  private TextLines(Path file, InputStream in, int maxLineBytes) {
    this.file = file;
    this.in = in;
    this.maxLineBytes = maxLineBytes;
    this.line = new byte[Math.min(maxLineBytes, 256)];
  }

  /**
   * Opens a file.
   *
   * @param file the file
   * @param maxLineBytes the longest line accepted, in bytes, without its line break
   * @return the reader, positioned before the first line
   * @throws java.nio.file.NoSuchFileException if the file does not exist
   * @throws IOException if it cannot be opened
   */
  public static TextLines open(Path file, int maxLineBytes) throws IOException {
    if (maxLineBytes < 1) {
      throw new IllegalArgumentException("maxLineBytes must be >= 1, got " + maxLineBytes);
    }
    InputStream in = new BufferedInputStream(Files.newInputStream(file));
    in.mark(BOM.length);
    byte[] start = in.readNBytes(BOM.length);
    if (start.length != BOM.length
        || start[0] != BOM[0]
        || start[1] != BOM[1]
        || start[2] != BOM[2]) {
      in.reset();
    }
    return new TextLines(file, in, maxLineBytes);
  }

  /**
   * The next line.
   *
   * @return its text without the line break, or null at the end of the file (a final line without a
   *     line break is a line)
   * @throws DataFormatException naming {@code file:line} when the line exceeds the bound or is not
   *     UTF-8
   * @throws IOException if reading fails
   */
  public String next() throws IOException {
    int length = 0;
    int b = in.read();
    if (b < 0) {
      return null;
    }
    number++;
    while (b >= 0 && b != '\n') {
      if (length == maxLineBytes) {
        throw DataFormatException.atLine(
            file, number, "line longer than " + maxLineBytes + " bytes: not a line of this file");
      }
      if (length == line.length) {
        byte[] grown = new byte[(int) Math.min(maxLineBytes, 2L * line.length)];
        System.arraycopy(line, 0, grown, 0, length);
        line = grown;
      }
      line[length++] = (byte) b;
      b = in.read();
    }
    if (length > 0 && line[length - 1] == '\r') {
      length--;
    }
    try {
      return decoder.decode(ByteBuffer.wrap(line, 0, length)).toString();
    } catch (CharacterCodingException e) {
      throw DataFormatException.atLine(file, number, "not valid UTF-8 text");
    }
  }

  /**
   * The 1-based number of the line last returned by {@link #next}.
   *
   * @return the line number, 0 before the first line
   */
  public long lineNumber() {
    return number;
  }

  /**
   * The file being read.
   *
   * @return the path as given
   */
  public Path file() {
    return file;
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
