package io.github.ringloss4j.app.io;

import java.io.IOException;
import java.io.Writer;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * Writes CSV files following RFC 4180.
 *
 * <p>Format: UTF-8, a header line then one line per row, each ended by CRLF as RFC 4180 specifies
 * (every common reader also accepts it); fields separated by commas; a field containing a comma, a
 * double quote, CR or LF is enclosed in double quotes with inner quotes doubled; other fields are
 * written as they are.
 *
 * <p>Decisions: every row must have as many fields as the header and no field may be null; this is
 * checked before the file is opened, so a bad row never leaves a partial file. The file is written
 * through {@link AtomicFiles}; {@link CsvStream} writes one row by row. Numbers should be formatted
 * with {@link #num(double)} and its overloads, which give the shortest text that parses back to the
 * same value ({@code NaN}, {@code Infinity} and {@code -Infinity} for non-finite values).
 */
public final class CsvWriter {

  private static final String EOL = "\r\n";

  private CsvWriter() {}

  /**
   * Writes a CSV file.
   *
   * @param file the file to create or replace
   * @param header the column names, at least one
   * @param rows the rows, each with {@code header.size()} fields
   * @throws IllegalArgumentException naming the row (0-based, not counting the header) and column
   *     of a wrong field count or a null field; nothing is written then
   * @throws IOException if writing fails; an existing file is then unchanged
   */
  public static void write(Path file, List<String> header, List<List<String>> rows)
      throws IOException {
    Objects.requireNonNull(header, "header");
    Objects.requireNonNull(rows, "rows");
    if (header.isEmpty()) {
      throw new IllegalArgumentException(file + ": CSV header must have at least one column");
    }
    check(file, "header", header, header.size());
    for (int r = 0; r < rows.size(); r++) {
      check(file, "row " + r, rows.get(r), header.size());
    }
    try (CsvStream csv = CsvStream.open(file, header)) {
      for (List<String> row : rows) {
        csv.row(row);
      }
      csv.commit();
    }
  }

  static void check(Path file, String what, List<String> fields, int width) {
    if (fields == null) {
      throw new IllegalArgumentException(file + ": CSV " + what + " is null");
    }
    if (fields.size() != width) {
      throw new IllegalArgumentException(
          file
              + ": CSV "
              + what
              + " has "
              + fields.size()
              + " fields, expected "
              + width
              + " like the header");
    }
    for (int c = 0; c < fields.size(); c++) {
      if (fields.get(c) == null) {
        throw new IllegalArgumentException(file + ": CSV " + what + " column " + c + " is null");
      }
    }
  }

  /**
   * Writes one line of fields, escaped and ended by CRLF, for a file written row by row (inside
   * {@link AtomicFiles#write}); the caller keeps every line as wide as its header.
   *
   * @param w the writer
   * @param fields the raw fields
   * @throws IOException if writing fails
   */
  public static void writeLine(Writer w, List<String> fields) throws IOException {
    for (int c = 0; c < fields.size(); c++) {
      if (c > 0) {
        w.write(',');
      }
      w.write(escape(fields.get(c)));
    }
    w.write(EOL);
  }

  /**
   * Quotes a field if RFC 4180 requires it.
   *
   * @param field the raw field
   * @return the field as it appears in the file
   */
  public static String escape(String field) {
    boolean quote = false;
    for (int i = 0; i < field.length() && !quote; i++) {
      char ch = field.charAt(i);
      quote = ch == ',' || ch == '"' || ch == '\r' || ch == '\n';
    }
    return quote ? '"' + field.replace("\"", "\"\"") + '"' : field;
  }

  /**
   * Formats a double so that it parses back exactly ({@link Double#toString(double)}).
   *
   * @param value the number
   * @return the text, e.g. {@code 0.1}, {@code 1.0E-5}, {@code NaN}
   */
  public static String num(double value) {
    return Double.toString(value);
  }

  /**
   * Formats a float so that it parses back exactly ({@link Float#toString(float)}); this overload
   * avoids the long digit strings a float widened to double would get.
   *
   * @param value the number
   * @return the text, e.g. {@code 0.1}
   */
  public static String num(float value) {
    return Float.toString(value);
  }

  /**
   * Formats an integer; this overload keeps {@code int} and {@code long} arguments from being
   * widened to {@code float} and rounded.
   *
   * @param value the number
   * @return the decimal text
   */
  public static String num(long value) {
    return Long.toString(value);
  }
}
