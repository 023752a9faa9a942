package io.github.ringloss4j.app.io;

import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * A CSV file written row by row in {@link CsvWriter}'s format, for tables too large to hold: each
 * row is checked against the header as it arrives, and the file replaces the target only on {@link
 * #commit} ({@link AtomicFiles.Pending}); closing it before then leaves the target untouched.
 */
public final class CsvStream implements Closeable {

  private final Path file;
  private final int width;
  private final AtomicFiles.Pending pending;
  private final Writer writer;
  private long rows;

  private CsvStream(Path file, List<String> header) throws IOException {
    if (header.isEmpty()) {
      throw new IllegalArgumentException(file + ": CSV header must have at least one column");
    }
    CsvWriter.check(file, "header", header, header.size());
    this.file = file;
    this.width = header.size();
    this.pending = AtomicFiles.open(file);
    this.writer = new OutputStreamWriter(pending.stream(), StandardCharsets.UTF_8);
    try {
      CsvWriter.writeLine(writer, header);
    } catch (IOException | RuntimeException e) {
      pending.close();
      throw e;
    }
  }

  /**
   * Opens a CSV file and writes its header.
   *
   * @param file the file to create or replace on commit
   * @param header the column names, at least one, none null
   * @return the stream
   * @throws IllegalArgumentException if the header is empty or holds a null
   * @throws IOException if the temporary file cannot be created
   */
  public static CsvStream open(Path file, List<String> header) throws IOException {
    return new CsvStream(file, header);
  }

  /**
   * Appends a row.
   *
   * @param fields the raw fields, as many as the header's, none null
   * @throws IllegalArgumentException naming the row (0-based, not counting the header) and column
   *     of a wrong field count or a null field
   * @throws IOException if writing fails
   */
  public void row(List<String> fields) throws IOException {
    CsvWriter.check(file, "row " + rows, fields, width);
    CsvWriter.writeLine(writer, fields);
    rows++;
  }

  /**
   * Replaces the target with the complete file.
   *
   * @throws IOException if writing fails; the target is then unchanged
   */
  public void commit() throws IOException {
    writer.flush();
    pending.commit();
  }

  /**
   * Deletes the temporary file unless committed.
   *
   * @throws IOException if it cannot be deleted
   */
  @Override
  public void close() throws IOException {
    pending.close();
  }
}
