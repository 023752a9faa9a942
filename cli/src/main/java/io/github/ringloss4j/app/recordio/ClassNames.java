package io.github.ringloss4j.app.recordio;

import io.github.ringloss4j.app.io.DataFormatException;
import io.github.ringloss4j.app.io.TextLines;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.RandomAccess;

/**
 * The {@code classes.txt} file this tool adds to a packed data set: the class (identity folder)
 * names, so that unpacking restores the folder names. InsightFace ignores the file.
 *
 * <p>Format: UTF-8 text, one name per line in label order (line {@code i + 1} names label {@code
 * i}), each line ended by {@code \n}; exactly {@code num_classes} lines. Names are in strictly
 * increasing {@link String#compareTo} order, the order in which {@link
 * io.github.ringloss4j.app.data.ImageFolder} assigns labels, so an unpacked folder gets the same
 * labels back. A name must be usable as one folder name that {@code ImageFolder} does not skip: not
 * empty, not starting with {@code .}, without {@code /}, NUL, line breaks or U+FFFD (which a file
 * name only gets when the JVM decodes it in a non-UTF-8 locale). The file is read as a stream, one
 * line of at most 255 bytes at a time, and never holds more names than the class count.
 *
 * <p>Without the file, class {@code i} is named by {@code i} zero-padded to the width of the
 * largest label ({@code 00000} … {@code 85741}), which also sorts in label order.
 */
public final class ClassNames {

  /** The file name inside a data set directory. */
  public static final String FILE_NAME = "classes.txt";

  /** The longest name read: a folder name has at most 255 bytes. */
  private static final int MAX_NAME = 255;

  private ClassNames() {}

  /**
   * The names used when a data set has no {@code classes.txt}.
   *
   * @param numClasses the class count
   * @return {@code numClasses} zero-padded decimal labels
   */
  public static List<String> numbered(int numClasses) {
    int width = Integer.toString(Math.max(0, numClasses - 1)).length();
    // Made on demand: a list of names costs nothing however many classes there are.
    return new Numbered(numClasses, width);
  }

  /** Zero-padded labels, computed when asked for. */
  private static final class Numbered extends AbstractList<String> implements RandomAccess {
    private final int size;
    private final int width;

    Numbered(int size, int width) {
      this.size = size;
      this.width = width;
    }

    @Override
    public String get(int index) {
      return zeroPadded(Objects.checkIndex(index, size), width);
    }

    @Override
    public int size() {
      return size;
    }
  }

  /**
   * A non-negative number padded with zeros.
   *
   * @param value the number
   * @param width the least number of digits
   * @return the digits
   */
  public static String zeroPadded(long value, int width) {
    String digits = Long.toString(value);
    return "0".repeat(Math.max(0, width - digits.length())) + digits;
  }

  /**
   * Why a name cannot be a class name.
   *
   * @param name the candidate
   * @return the problem, or null when the name is fine
   */
  public static String problem(String name) {
    if (name.isEmpty()) {
      return "a class name is empty";
    }
    if (name.startsWith(".")) {
      return "class name '" + name + "' starts with '.' (image folders skip such folders)";
    }
    if (name.indexOf('\uFFFD') >= 0) {
      return "class name '"
          + name
          + "' contains U+FFFD, the replacement character: the folder name is not valid in the"
          + " file name encoding of this process ("
          + System.getProperty("sun.jnu.encoding", "unknown")
          + "); run with a UTF-8 locale (the ringloss launcher does, e.g. LC_ALL=C.UTF-8)";
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c == '/' || c == '\0' || c == '\n' || c == '\r') {
        return "class name '"
            + name.replace("\n", "\\n").replace("\r", "\\r")
            + "' contains '/', NUL or a line break";
      }
    }
    return null;
  }

  /**
   * Checks names for writing: each valid and the list strictly increasing.
   *
   * @param names the names in label order
   * @throws IllegalArgumentException naming the first bad name
   */
  static void check(List<String> names) {
    for (int i = 0; i < names.size(); i++) {
      String problem = problemAt(names, i);
      if (problem != null) {
        throw new IllegalArgumentException("label " + i + ": " + problem);
      }
    }
  }

  /** The problem with the {@code i}-th name of a list, including its order, or null. */
  private static String problemAt(List<String> names, int i) {
    String problem = problem(names.get(i));
    if (problem == null && i > 0 && names.get(i - 1).compareTo(names.get(i)) >= 0) {
      problem =
          "'"
              + names.get(i)
              + "' does not sort after '"
              + names.get(i - 1)
              + "'; class names must be unique and sorted, so that an unpacked folder keeps the"
              + " labels";
    }
    return problem;
  }

  /**
   * Reads and checks a {@code classes.txt}.
   *
   * @param file the file
   * @param numClasses the class count from the {@code property} file
   * @return the names in label order
   * @throws DataFormatException naming the file and line of a bad or out-of-order name, or when the
   *     line count differs from {@code numClasses}
   * @throws IOException if the file cannot be read
   */
  static List<String> read(Path file, int numClasses) throws IOException {
    // A folder name has at most 255 bytes: anything larger is not this file.
    if (Files.size(file) > 256L * numClasses) {
      throw new DataFormatException(
          file, "is " + Files.size(file) + " bytes, too large for " + numClasses + " class names");
    }
    List<String> names = new ArrayList<>();
    try (TextLines in = TextLines.open(file, MAX_NAME)) {
      String name;
      while ((name = in.next()) != null) {
        if (names.size() == numClasses) {
          throw DataFormatException.atLine(
              file,
              in.lineNumber(),
              "more class names than the " + numClasses + " classes of the property file");
        }
        names.add(name);
        String problem = problemAt(names, names.size() - 1);
        if (problem != null) {
          throw DataFormatException.atLine(file, in.lineNumber(), problem);
        }
      }
    }
    if (names.size() != numClasses) {
      throw new DataFormatException(
          file,
          "has "
              + names.size()
              + " class names, but the property file says "
              + numClasses
              + " classes");
    }
    return List.copyOf(names);
  }

  /**
   * The file content for some names.
   *
   * @param names the names in label order
   * @return one name per line, each ended by {@code \n}
   */
  static String fileContent(List<String> names) {
    return String.join("\n", names) + "\n";
  }
}
