package io.github.ringloss4j.io;

import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads a text file line by line with a bound on each line, so that a huge file (or one without
 * line breaks) costs an error message naming the line, never an {@link OutOfMemoryError}: only one
 * line is held at a time, and a line longer than the bound stops the reading.
 *
 * <p>Lines end at {@code \n}; a {@code \r} before it is kept (callers that accept CRLF strip it).
 * Bytes that are not valid in the charset are a {@link DataFormatException} naming the line, never
 * replaced by U+FFFD.
 */
public final class BoundedLines implements Closeable {

  private final Path file;
  private final Reader in;
  private final int maxChars;
  private final StringBuilder line = new StringBuilder();
  private final char[] buffer = new char[1 << 14];
  private int position;
  private int limit;
  private long number;

  private BoundedLines(Path file, Reader in, int maxChars) {
    this.file = file;
    this.in = in;
    this.maxChars = maxChars;
  }

  /**
   * Opens a file.
   *
   * @param file the file
   * @param charset its encoding; malformed input is an error
   * @param maxChars the longest line accepted, in characters, without its line end
   * @return the reader; close it
   * @throws IOException if the file cannot be opened
   */
  public static BoundedLines open(Path file, Charset charset, int maxChars) throws IOException {
    Reader reader =
        new InputStreamReader(
            new BufferedInputStream(Files.newInputStream(file), 1 << 16),
            charset
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT));
    return new BoundedLines(file, reader, maxChars);
  }

  /**
   * The next line.
   *
   * @return the line without its {@code \n}, or null at the end of the file (a last line without a
   *     line end is returned too)
   * @throws DataFormatException naming the file and line if the line is longer than the bound or
   *     not valid in the charset
   * @throws IOException if reading fails
   */
  public String next() throws IOException {
    line.setLength(0);
    number++;
    try {
      while (true) {
        if (position == limit) {
          limit = in.read(buffer);
          position = 0;
          if (limit < 0) {
            limit = 0;
            return line.length() == 0 ? null : line.toString();
          }
        }
        int start = position;
        while (position < limit && buffer[position] != '\n') {
          position++;
        }
        if (line.length() + position - start > maxChars) {
          throw DataFormatException.atLine(
              file,
              number,
              "the line is longer than "
                  + maxChars
                  + " characters; this is not the file expected here");
        }
        line.append(buffer, start, position - start);
        if (position < limit) {
          position++;
          return line.toString();
        }
      }
    } catch (CharacterCodingException e) {
      throw DataFormatException.atLine(file, number, "bytes that are not valid text: " + e);
    }
  }

  /**
   * The number of the line {@link #next} returned last.
   *
   * @return 1 for the first line
   */
  public long lineNumber() {
    return number;
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
