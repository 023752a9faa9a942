package io.github.ringloss4j.app.recordio;

import io.github.ringloss4j.app.io.DataFormatException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * The {@code property} file of an InsightFace data set: the class count and the image size.
 *
 * <p>Format: one line {@code num_classes,height,width} of decimal integers, e.g. {@code
 * 85742,112,112} for MS1MV2, optionally followed by a line end (InsightFace's {@code load_property}
 * splits each line at commas and reads {@code image_size = [height, width]}). Spaces around a
 * number are allowed; every value must be positive and the file must have exactly one non-blank
 * line, since InsightFace silently takes the last of several.
 *
 * @param numClasses the number of identities; labels are in [0, numClasses)
 * @param height the image height in pixels
 * @param width the image width in pixels
 */
public record DatasetProperty(int numClasses, int height, int width) {

  /** The file name inside a data set directory. */
  public static final String FILE_NAME = "property";

  /** Larger files are not property files; this bounds what a wrong path makes us read. */
  private static final long MAX_BYTES = 4096;

  /**
   * Checks the values.
   *
   * @param numClasses the number of identities
   * @param height the image height
   * @param width the image width
   * @throws IllegalArgumentException if a value is not positive
   */
  public DatasetProperty {
    if (numClasses < 1 || height < 1 || width < 1) {
      throw new IllegalArgumentException(
          "class count and image size must be positive, got " + line(numClasses, height, width));
    }
  }

  /**
   * Reads a property file.
   *
   * @param file the file
   * @return its values
   * @throws NoSuchFileException if the file does not exist
   * @throws DataFormatException naming the file and line when it is not one line of three positive
   *     integers
   * @throws IOException if the file cannot be read
   */
  public static DatasetProperty read(Path file) throws IOException {
    if (!Files.exists(file)) {
      throw new NoSuchFileException(
          file.toString(),
          null,
          "a packed data set needs its property file (num_classes,height,width)");
    }
    if (Files.size(file) > MAX_BYTES) {
      throw new DataFormatException(
          file, "is " + Files.size(file) + " bytes; expected one line num_classes,height,width");
    }
    String[] lines =
        new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1).split("\n", -1);
    DatasetProperty found = null;
    for (int i = 0; i < lines.length; i++) {
      if (lines[i].isBlank()) {
        continue;
      }
      if (found != null) {
        throw DataFormatException.atLine(
            file, i + 1, "a second line; expected one line num_classes,height,width");
      }
      found = parse(file, i + 1, lines[i].strip());
    }
    if (found == null) {
      throw new DataFormatException(file, "is empty; expected one line num_classes,height,width");
    }
    return found;
  }

  private static DatasetProperty parse(Path file, int line, String text)
      throws DataFormatException {
    String[] fields = text.split(",", -1);
    if (fields.length != 3) {
      throw DataFormatException.atLine(
          file,
          line,
          "expected num_classes,height,width (3 comma-separated integers), found "
              + fields.length
              + " field(s) in '"
              + text
              + "'");
    }
    int[] values = new int[3];
    String[] names = {"num_classes", "height", "width"};
    for (int i = 0; i < 3; i++) {
      try {
        values[i] = Integer.parseInt(fields[i].strip());
      } catch (NumberFormatException e) {
        values[i] = 0;
      }
      if (values[i] < 1) {
        throw DataFormatException.atLine(
            file, line, names[i] + " '" + fields[i].strip() + "' is not a positive integer");
      }
    }
    return new DatasetProperty(values[0], values[1], values[2]);
  }

  /**
   * The file content.
   *
   * @return {@code num_classes,height,width} followed by a line end
   */
  public String fileContent() {
    return line(numClasses, height, width) + "\n";
  }

  private static String line(int numClasses, int height, int width) {
    return numClasses + "," + height + "," + width;
  }
}
