package io.github.ringloss4j.app.data;

import io.github.ringloss4j.app.io.DataFormatException;
import io.github.ringloss4j.app.io.TextLines;
import io.github.ringloss4j.app.recordio.Degradation;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The recorded degradation of every image of a data set: the {@value Degradation#FILE_NAME} that
 * {@code ringloss synth} writes beside a set (in a folder's root, or in a packed set's directory),
 * matched to the items of a {@link LabelledSource} over that set.
 *
 * <p>Format: UTF-8 CSV (RFC 4180, as {@link io.github.ringloss4j.app.io.CsvWriter} writes it: a
 * field may be quoted, with inner quotes doubled; a quoted field cannot span lines), a header
 * naming at least the columns {@code identity, item, family, side, blur, jpeg_quality, noise,
 * level, quality} in any order (others, such as {@code label} and {@code image}, are ignored), then
 * one row per image. {@code item} names the image as its set does: for an image folder its path
 * relative to the folder with {@code /} separators ({@code id0003/0007.jpg}), for a packed set its
 * record key ({@code sourceOf} prints it after {@code #}). {@code side} and {@code jpeg_quality}
 * are empty for a clean image.
 *
 * <p>Decisions: the file is read as a stream of bounded lines ({@link TextLines}, {@value
 * #MAX_LINE_BYTES} bytes a line) and every line is checked, but only the rows of the source's items
 * are kept, so memory is bounded by the source, not by the file. A malformed line (wrong field
 * count, a number that does not parse or is out of range, a level that disagrees with its quality
 * bin) is a {@link DataFormatException} naming {@code file:LINE:} and the column; so is a second
 * row for one item, and a row whose identity is not the class its item has in the source (a quality
 * file of another set). An item of the source without a row is a {@link DataFormatException} naming
 * the item.
 */
public final class QualityRecords {

  /** The longest line accepted, in bytes. */
  static final int MAX_LINE_BYTES = 4096;

  /** The columns read: all of {@link Degradation#COLUMNS} but the label and image number. */
  private static final List<String> REQUIRED =
      Degradation.COLUMNS.stream().filter(c -> !c.equals("label") && !c.equals("image")).toList();

  /**
   * One image's recorded degradation.
   *
   * @param level 0 (clean) to {@value Degradation#MAX_LEVEL} (severe)
   * @param low whether the image is in the low-quality bin (level above 0)
   * @param side the side it was downsampled to, 0 when clean
   * @param blur the blur σ in pixels
   * @param jpegQuality the JPEG quality in percent, 0 when clean
   * @param noise the noise σ in 8-bit levels
   * @param family its identity's look-alike family
   */
  public record Quality(
      int level, boolean low, int side, double blur, int jpegQuality, double noise, int family) {}

  private final Path file;
  private final Path dataDir;

  private QualityRecords(Path file, Path dataDir) {
    this.file = file;
    this.dataDir = dataDir;
  }

  /**
   * The quality file of a data set, if it has one.
   *
   * @param dataDir the data set's directory (an image folder or a packed set)
   * @return its records, or null when there is no {@value Degradation#FILE_NAME}
   */
  public static QualityRecords read(Path dataDir) {
    Path file = dataDir.resolve(Degradation.FILE_NAME);
    return Files.isRegularFile(file) ? new QualityRecords(file, dataDir) : null;
  }

  /**
   * The recorded degradation of every item of a source over a data set.
   *
   * @param source the items (the set itself, or a subset of it)
   * @param dataDir the data set's directory
   * @return one record per item, or null when the set has no {@value Degradation#FILE_NAME}
   * @throws DataFormatException for a malformed line, or an item without a row
   * @throws IOException if the file cannot be read
   */
  public static Quality[] of(LabelledSource source, Path dataDir) throws IOException {
    QualityRecords records = read(dataDir);
    return records == null ? null : records.of(source);
  }

  /**
   * The file read.
   *
   * @return the path
   */
  public Path file() {
    return file;
  }

  /**
   * The recorded degradation of every item of a source.
   *
   * @param source the items (the set itself, or a subset of it)
   * @return one record per item, in the source's order
   * @throws DataFormatException for a malformed line, or an item without a row
   * @throws IOException if the file cannot be read
   */
  public Quality[] of(LabelledSource source) throws IOException {
    boolean packed = Datasets.isPacked(dataDir);
    Map<String, Integer> items = new HashMap<>(Math.max(16, source.size() * 2));
    for (int i = 0; i < source.size(); i++) {
      items.put(itemName(source.sourceOf(i), packed), i);
    }
    Quality[] quality = new Quality[source.size()];
    try (TextLines lines = TextLines.open(file, MAX_LINE_BYTES)) {
      String header = lines.next();
      if (header == null) {
        throw DataFormatException.atLine(file, 1, "empty file: expected a header line");
      }
      List<String> names = fields(header, 1);
      int[] column = new int[REQUIRED.size()];
      for (int c = 0; c < REQUIRED.size(); c++) {
        column[c] = names.indexOf(REQUIRED.get(c));
        if (column[c] < 0) {
          throw DataFormatException.atLine(
              file, 1, "header has no column '" + REQUIRED.get(c) + "'; it has " + names);
        }
      }
      for (String line = lines.next(); line != null; line = lines.next()) {
        long number = lines.lineNumber();
        if (line.isEmpty()) {
          continue;
        }
        List<String> f = fields(line, number);
        if (f.size() != names.size()) {
          throw DataFormatException.atLine(
              file, number, f.size() + " fields, expected " + names.size() + " like the header");
        }
        Row row = new Row(f, column, number);
        Quality q = row.parse();
        Integer index = items.get(row.text("item"));
        if (index == null) {
          continue;
        }
        if (quality[index] != null) {
          throw row.error("item", "a second row for item " + row.text("item"));
        }
        String identity = source.classNames().get(source.label(index));
        if (!identity.equals(row.text("identity"))) {
          throw row.error(
              "identity",
              "'"
                  + row.text("identity")
                  + "' but the data set's item "
                  + row.text("item")
                  + " is of class '"
                  + identity
                  + "' (a quality file of another set?)");
        }
        quality[index] = q;
      }
    }
    for (int i = 0; i < quality.length; i++) {
      if (quality[i] == null) {
        throw new DataFormatException(
            file, "has no row for item " + source.sourceOf(i) + " of the data set");
      }
    }
    return quality;
  }

  /** An item's name in the quality file. */
  private String itemName(String sourceOf, boolean packed) throws DataFormatException {
    if (packed) {
      int hash = sourceOf.lastIndexOf('#');
      if (hash < 0) {
        throw new DataFormatException(
            file, "item " + sourceOf + " is not a packed record (FILE#KEY) of " + dataDir);
      }
      return sourceOf.substring(hash + 1);
    }
    Path root = dataDir.toAbsolutePath().normalize();
    Path item = Path.of(sourceOf).toAbsolutePath().normalize();
    if (!item.startsWith(root)) {
      throw new DataFormatException(file, "item " + sourceOf + " is not inside " + dataDir);
    }
    List<String> parts = new ArrayList<>();
    for (Path part : root.relativize(item)) {
      parts.add(part.toString());
    }
    return String.join("/", parts);
  }

  /** Splits a line into RFC 4180 fields (quoted fields may hold commas and doubled quotes). */
  private List<String> fields(String line, long number) throws DataFormatException {
    List<String> fields = new ArrayList<>();
    StringBuilder field = new StringBuilder();
    int i = 0;
    while (true) {
      if (i < line.length() && line.charAt(i) == '"') {
        i++;
        while (true) {
          if (i >= line.length()) {
            throw DataFormatException.atLine(
                file, number, "field " + (fields.size() + 1) + " has no closing quote");
          }
          char ch = line.charAt(i++);
          if (ch == '"') {
            if (i < line.length() && line.charAt(i) == '"') {
              field.append('"');
              i++;
            } else {
              break;
            }
          } else {
            field.append(ch);
          }
        }
        if (i < line.length() && line.charAt(i) != ',') {
          throw DataFormatException.atLine(
              file, number, "field " + (fields.size() + 1) + " has text after its closing quote");
        }
      } else {
        while (i < line.length() && line.charAt(i) != ',') {
          field.append(line.charAt(i++));
        }
      }
      fields.add(field.toString());
      field.setLength(0);
      if (i >= line.length()) {
        return fields;
      }
      i++; // the comma
    }
  }

  /** One row's fields by column name, and the checks of their values. */
  private final class Row {
    private final List<String> fields;
    private final int[] column;
    private final long number;

    Row(List<String> fields, int[] column, long number) {
      this.fields = fields;
      this.column = column;
      this.number = number;
    }

    String text(String name) {
      return fields.get(column[REQUIRED.indexOf(name)]);
    }

    DataFormatException error(String name, String problem) {
      return DataFormatException.atLine(file, number, "column " + name + ": " + problem);
    }

    Quality parse() throws DataFormatException {
      if (text("identity").isEmpty()) {
        throw error("identity", "empty");
      }
      if (text("item").isEmpty()) {
        throw error("item", "empty");
      }
      int level = integer("level", 0, Degradation.MAX_LEVEL, false);
      String bin = text("quality");
      if (!bin.equals("high") && !bin.equals("low")) {
        throw error("quality", "expected high or low, got '" + bin + "'");
      }
      boolean low = bin.equals("low");
      if (low != (level > 0)) {
        throw error("quality", "'" + bin + "' disagrees with level " + level);
      }
      return new Quality(
          level,
          low,
          integer("side", 1, 1 << 16, !low),
          real("blur"),
          integer("jpeg_quality", 1, 100, !low),
          real("noise"),
          integer("family", 0, Integer.MAX_VALUE, false));
    }

    /** An integer in [lo, hi], or 0 for an empty field where {@code emptyAllowed}. */
    private int integer(String name, int lo, int hi, boolean emptyAllowed)
        throws DataFormatException {
      String t = text(name);
      if (t.isEmpty() && emptyAllowed) {
        return 0;
      }
      long value;
      try {
        value = Long.parseLong(t);
      } catch (NumberFormatException e) {
        throw error(name, "expected an integer, got '" + t + "'");
      }
      if (value < lo || value > hi) {
        throw error(name, value + " is outside [" + lo + ", " + hi + "]");
      }
      return (int) value;
    }

    /** A finite number ≥ 0. */
    private double real(String name) throws DataFormatException {
      String t = text(name);
      double value;
      try {
        value = Double.parseDouble(t);
      } catch (NumberFormatException e) {
        throw error(name, "expected a number, got '" + t + "'");
      }
      if (!(value >= 0 && Double.isFinite(value))) {
        throw error(name, "expected a finite number >= 0, got '" + t + "'");
      }
      return value;
    }
  }
}
