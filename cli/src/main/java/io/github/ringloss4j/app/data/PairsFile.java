package io.github.ringloss4j.app.data;

import io.github.ringloss4j.app.io.DataFormatException;
import io.github.ringloss4j.app.io.TextLines;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A face-verification pairs list in the format of LFW's {@code pairs.txt}.
 *
 * <p>Format: UTF-8 text, whitespace-separated fields, one pair per line. A matched (genuine) pair
 * is {@code name i j} (two images of one person), a mismatched (impostor) pair is {@code name1 i
 * name2 j}; image indices are 1-based positive integers and refer to {@code
 * <root>/<name>/<name>_<iiii>.jpg}. The first non-empty line may be a header:
 *
 * <ul>
 *   <li>{@code folds n} (LFW {@code pairs.txt}: {@code 10 300}): the file then has {@code folds}
 *       blocks of {@code 2n} pair lines, each block being {@code n} matched lines followed by
 *       {@code n} mismatched lines; pair {@code k} (0-based, counting pair lines only) is in fold
 *       {@code k / (2n)}.
 *   <li>{@code n} alone (LFW {@code pairsDevTrain.txt}: {@code 1100}): the same with one fold.
 *   <li>absent (the first non-empty line has 3 or 4 fields): every line is a pair in any order and
 *       all pairs are in fold 0, so {@link #folds()} is 1.
 * </ul>
 *
 * <p>Decisions: blank lines are skipped anywhere and {@code line} numbers are physical 1-based
 * lines of the file; with a header the pair count and the matched/mismatched order are enforced,
 * because the folds of the standard protocol are defined by position. A mismatched line must name
 * two different people and a matched line two different images, since anything else is a typo that
 * would silently bias the accuracy. Names must not contain {@code /} or {@code \} or be {@code .}
 * or {@code ..}, so that {@link #resolve} stays inside the image root. Every error names {@code
 * file:line}. The file is read as a stream ({@link TextLines}: a UTF-8 byte-order mark dropped, a
 * line over {@value #MAX_LINE_BYTES} bytes refused) and at most {@value #MAX_PAIRS} pairs are
 * accepted, so that a huge file is refused instead of exhausting memory.
 */
public final class PairsFile {

  /**
   * One verification pair.
   *
   * @param name1 the first person's folder name
   * @param index1 the first image's 1-based index
   * @param name2 the second person's folder name (equal to {@code name1} for genuine pairs)
   * @param index2 the second image's 1-based index
   * @param genuine whether both images show the same person (a matched line)
   * @param fold the 0-based cross-validation fold
   * @param line the 1-based line of the pairs file the pair came from
   */
  public record Pair(
      String name1, int index1, String name2, int index2, boolean genuine, int fold, int line) {

    /**
     * Checks that names are present.
     *
     * @param name1 the first name
     * @param index1 the first index
     * @param name2 the second name
     * @param index2 the second index
     * @param genuine whether matched
     * @param fold the fold
     * @param line the line
     */
    public Pair {
      Objects.requireNonNull(name1, "name1");
      Objects.requireNonNull(name2, "name2");
    }
  }

  /** The image extensions tried by {@link #resolve}, in order. */
  public static final List<String> IMAGE_EXTENSIONS = List.of(".jpg", ".png", ".jpeg");

  /** The longest line accepted, in bytes. */
  static final int MAX_LINE_BYTES = 4096;

  /**
   * The most pairs accepted (LFW has 6,000; the bound keeps a huge file from exhausting memory).
   */
  static final int MAX_PAIRS = 10_000_000;

  private static final Pattern WHITESPACE = Pattern.compile("\\s+");
  private static final Pattern DIGITS = Pattern.compile("[0-9]+");

  private final Path file;
  private final int folds;
  private final List<Pair> pairs;

  private PairsFile(Path file, int folds, List<Pair> pairs) {
    this.file = file;
    this.folds = folds;
    this.pairs = List.copyOf(pairs);
  }

  /**
   * Reads and validates a pairs file.
   *
   * @param file the pairs file
   * @return the parsed pairs
   * @throws NoSuchFileException if the file does not exist
   * @throws DataFormatException naming {@code file:line} for any malformed line, a pair count that
   *     disagrees with the header, or pairs out of the matched-then-mismatched order
   * @throws IOException if the file cannot be read
   */
  public static PairsFile parse(Path file) throws IOException {
    TextLines lines;
    try {
      lines = TextLines.open(file, MAX_LINE_BYTES);
    } catch (NoSuchFileException e) {
      throw new NoSuchFileException(file.toString(), null, "pairs file not found");
    }
    try (lines) {
      return parse(file, lines);
    }
  }

  private static PairsFile parse(Path file, TextLines lines) throws IOException {
    int headerLine = -1;
    int folds = 1;
    int perHalf = -1;
    List<Pair> pairs = new ArrayList<>();
    // The same name on many lines is held once.
    Map<String, String> names = new HashMap<>();
    for (String line = lines.next(); line != null; line = lines.next()) {
      if (lines.lineNumber() > Integer.MAX_VALUE) {
        throw DataFormatException.atLine(
            file, lines.lineNumber(), "more than 2^31 - 1 lines: not a pairs file");
      }
      int lineNo = (int) lines.lineNumber();
      String text = line.strip();
      if (text.isEmpty()) {
        continue;
      }
      if (pairs.size() == MAX_PAIRS) {
        throw DataFormatException.atLine(
            file, lineNo, "more than " + MAX_PAIRS + " pairs: not a pairs file this reader takes");
      }
      String[] f = WHITESPACE.split(text);
      if (headerLine < 0 && pairs.isEmpty() && f.length <= 2) {
        if (!DIGITS.matcher(f[0]).matches() || (f.length == 2 && !DIGITS.matcher(f[1]).matches())) {
          throw DataFormatException.atLine(
              file,
              lineNo,
              "expected a header ('folds n' or 'n', positive integers), 3 fields (name i j) or 4"
                  + " fields (name1 i name2 j), got "
                  + f.length
                  + (f.length == 1 ? " field" : " fields"));
        }
        headerLine = lineNo;
        if (f.length == 2) {
          folds = positive(file, lineNo, f[0], "fold count (header field 1)");
          perHalf = positive(file, lineNo, f[1], "pairs per half-fold (header field 2)");
        } else {
          perHalf = positive(file, lineNo, f[0], "pairs per half (header field 1)");
        }
        continue;
      }
      if (f.length != 3 && f.length != 4) {
        throw DataFormatException.atLine(
            file,
            lineNo,
            "expected 3 fields (name i j) or 4 fields (name1 i name2 j), got " + f.length);
      }
      int position = pairs.size();
      int fold = 0;
      if (perHalf > 0) {
        long blockSize = 2L * perHalf;
        if (position >= folds * blockSize) {
          throw DataFormatException.atLine(
              file,
              lineNo,
              "more pair lines than the "
                  + folds
                  + " × 2 × "
                  + perHalf
                  + " = "
                  + folds * blockSize
                  + " announced by the header at line "
                  + headerLine);
        }
        fold = (int) (position / blockSize);
        int inBlock = (int) (position % blockSize);
        boolean shouldMatch = inBlock < perHalf;
        if (shouldMatch != (f.length == 3)) {
          throw DataFormatException.atLine(
              file,
              lineNo,
              "expected a "
                  + (shouldMatch
                      ? "matched pair (3 fields: name i j)"
                      : "mismatched pair (4 fields: name1 i name2 j)")
                  + " as pair "
                  + (inBlock + 1)
                  + " of fold "
                  + (fold + 1)
                  + " (each fold is "
                  + perHalf
                  + " matched then "
                  + perHalf
                  + " mismatched pairs), got "
                  + f.length
                  + " fields");
        }
      }
      pairs.add(parsePair(file, lineNo, f, fold, names));
    }
    if (perHalf > 0 && pairs.size() != folds * 2L * perHalf) {
      throw DataFormatException.atLine(
          file,
          headerLine,
          "header announces "
              + folds
              + " × 2 × "
              + perHalf
              + " = "
              + folds * 2L * perHalf
              + " pair lines, but the file has "
              + pairs.size());
    }
    if (pairs.isEmpty()) {
      throw new DataFormatException(file, "contains no pairs");
    }
    return new PairsFile(file, folds, pairs);
  }

  private static Pair parsePair(
      Path file, int lineNo, String[] f, int fold, Map<String, String> names)
      throws DataFormatException {
    if (f.length == 3) {
      String name = checkName(file, lineNo, f[0], 1, names);
      int i = positive(file, lineNo, f[1], "image index (field 2)");
      int j = positive(file, lineNo, f[2], "image index (field 3)");
      if (i == j) {
        throw DataFormatException.atLine(
            file, lineNo, "matched pair compares image " + i + " of '" + name + "' with itself");
      }
      return new Pair(name, i, name, j, true, fold, lineNo);
    }
    String name1 = checkName(file, lineNo, f[0], 1, names);
    int i = positive(file, lineNo, f[1], "image index (field 2)");
    String name2 = checkName(file, lineNo, f[2], 3, names);
    int j = positive(file, lineNo, f[3], "image index (field 4)");
    if (name1.equals(name2)) {
      throw DataFormatException.atLine(
          file,
          lineNo,
          "mismatched pair (4 fields) names '"
              + name1
              + "' twice; write a matched pair as 'name i j'");
    }
    return new Pair(name1, i, name2, j, false, fold, lineNo);
  }

  private static String checkName(
      Path file, int lineNo, String name, int field, Map<String, String> names)
      throws DataFormatException {
    if (name.equals(".") || name.equals("..") || name.contains("/") || name.contains("\\")) {
      throw DataFormatException.atLine(
          file,
          lineNo,
          "person name '" + name + "' (field " + field + ") must be a plain folder name");
    }
    return names.computeIfAbsent(name, n -> n);
  }

  private static int positive(Path file, int lineNo, String text, String what)
      throws DataFormatException {
    if (!DIGITS.matcher(text).matches()) {
      throw DataFormatException.atLine(
          file, lineNo, what + " '" + text + "' is not a positive integer");
    }
    int value;
    try {
      value = Integer.parseInt(text);
    } catch (NumberFormatException e) {
      throw DataFormatException.atLine(
          file, lineNo, what + " " + text + " is too large, expected at most " + Integer.MAX_VALUE);
    }
    if (value == 0) {
      throw DataFormatException.atLine(
          file,
          lineNo,
          what
              + " 0 is not a positive integer"
              + (what.startsWith("image index") ? " (image indices are 1-based)" : ""));
    }
    return value;
  }

  /**
   * The file that was parsed.
   *
   * @return the path
   */
  public Path file() {
    return file;
  }

  /**
   * The number of cross-validation folds: from the header, or 1 without a header.
   *
   * @return the fold count, at least 1
   */
  public int folds() {
    return folds;
  }

  /**
   * All pairs in file order.
   *
   * @return an unmodifiable list
   */
  public List<Pair> pairs() {
    return pairs;
  }

  /**
   * The path of one image: {@code <imageRoot>/<name>/<name>_<NNNN>.jpg} with the index zero-padded
   * to four digits; if that file is missing, the first existing of the {@code .png} and {@code
   * .jpeg} variants, else the {@code .jpg} path (so that an error names it).
   *
   * @param imageRoot the folder holding one sub-folder per person
   * @param name the person's folder name
   * @param index the 1-based image index
   * @return the image path, which exists unless none of the variants does
   */
  public Path resolve(Path imageRoot, String name, int index) {
    Path dir = imageRoot.resolve(name);
    String stem = name + "_" + String.format("%04d", index);
    for (String extension : IMAGE_EXTENSIONS) {
      Path candidate = dir.resolve(stem + extension);
      if (Files.isRegularFile(candidate)) {
        return candidate;
      }
    }
    return dir.resolve(stem + IMAGE_EXTENSIONS.get(0));
  }

  /**
   * Checks that every image referred to exists under {@code imageRoot}.
   *
   * @param imageRoot the folder holding one sub-folder per person
   * @throws NoSuchFileException if {@code imageRoot} does not exist
   * @throws DataFormatException naming the pairs file line of the first missing image, its expected
   *     path and how many images are missing in total
   */
  public void checkImagesExist(Path imageRoot) throws IOException {
    if (!Files.isDirectory(imageRoot)) {
      throw new NoSuchFileException(
          imageRoot.toString(), null, "image folder for " + file + " does not exist");
    }
    Pair firstPair = null;
    Path firstMissing = null;
    int missing = 0;
    for (Pair pair : pairs) {
      for (int k = 0; k < 2; k++) {
        Path image =
            k == 0
                ? resolve(imageRoot, pair.name1(), pair.index1())
                : resolve(imageRoot, pair.name2(), pair.index2());
        if (!Files.isRegularFile(image)) {
          missing++;
          if (firstMissing == null) {
            firstPair = pair;
            firstMissing = image;
          }
        }
      }
    }
    if (firstMissing != null) {
      throw DataFormatException.atLine(
          file,
          firstPair.line(),
          "image not found: "
              + firstMissing
              + " (also tried .png and .jpeg)"
              + (missing > 1 ? "; " + (missing - 1) + " more images are missing" : ""));
    }
  }
}
