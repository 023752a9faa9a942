package io.github.ringloss4j.app.report;

import io.github.ringloss4j.app.eval.Method;
import io.github.ringloss4j.app.io.AtomicFiles;
import io.github.ringloss4j.app.io.DataFormatException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * The comparison in one table, for a README: per method and protocol the k-fold verification
 * accuracy and its paired difference to softmax with a 95 % interval, then the spread of the
 * feature norms and the accuracy at the smallest probe side on the first protocol.
 */
public final class HeadlineTable {

  private HeadlineTable() {}

  /** Where the table goes in a Markdown file: between these two lines, which stay. */
  public static final String BEGIN = "<!-- compare:headline -->";

  /** The line after the table. */
  public static final String END = "<!-- /compare:headline -->";

  /** Where the face protocol's table goes: between these two lines, which stay. */
  public static final String FACE_BEGIN = "<!-- compare:face-headline -->";

  /** The line after the face protocol's table. */
  public static final String FACE_END = "<!-- /compare:face-headline -->";

  /**
   * The face protocol's table: per method the k-fold accuracy over all pairs and on low–low pairs,
   * and FNIR at FPIR = 0.01, each with its paired difference to softmax (95 % interval), then the
   * spread of the norms and the mean norm of the most degraded images over that of clean ones.
   *
   * @param methods the methods, in table order
   * @param results the face protocol's runs
   * @return Markdown, ending with a line break
   */
  public static String faceTable(List<Method> methods, ProtocolResults results) {
    String kFold = results.kFold();
    List<String> strata =
        results.runs().get(0).face().strata().stream().map(FaceFigures.Stratum::name).toList();
    String worst = strata.get(strata.size() - 1);
    Map<String, ToDoubleFunction<RunResult>> columns = new LinkedHashMap<>();
    columns.put(kFold + " acc.", RunResult::foldAccuracy);
    columns.put(
        worst + " acc.",
        r -> {
          FaceFigures.Stratum s = r.face().stratum(worst);
          return s == null ? Double.NaN : s.foldAccuracy();
        });
    columns.put("FNIR@FPIR=0.01", r -> r.face().openSet().fnir());
    StringBuilder md = new StringBuilder("| method |");
    columns.keySet().forEach(c -> md.append(' ').append(c).append(" | Δ vs softmax [95 % CI] |"));
    md.append(" CV ‖f‖ | ‖f‖ most degraded / clean |\n|---|")
        .append("---|---|".repeat(columns.size()))
        .append("---|---|\n");
    for (Method method : methods) {
      String name = method.name();
      List<RunResult> mine = results.of(name);
      md.append("| ").append(name).append(" |");
      columns.forEach(
          (column, metric) ->
              md.append(' ')
                  .append(MeanStd.over(mine, metric).format("%.4f"))
                  .append(" | ")
                  .append(
                      name.equals(Contrasts.BASELINE)
                          ? "—"
                          : Contrasts.effect(results, name, Contrasts.BASELINE, column, metric)
                              .format("%.4f"))
                  .append(" |"));
      md.append(' ')
          .append(MeanStd.over(mine, RunResult::normCv).format("%.3f"))
          .append(" | ")
          .append(MeanStd.over(mine, FaceMarkdown::worstOverClean).format("%.3f"))
          .append(" |\n");
    }
    return md.toString();
  }

  /**
   * The table.
   *
   * @param methods the methods, in table order
   * @param protocols the protocols, the first one also giving the norm and low-resolution columns
   * @return Markdown, ending with a line break
   */
  public static String table(List<Method> methods, List<ProtocolResults> protocols) {
    ProtocolResults first = protocols.get(0);
    List<Integer> sides = first.sides();
    int smallest = sides.get(sides.size() - 1);
    String kFold = first.kFold();
    StringBuilder md = new StringBuilder("| method |");
    StringBuilder rule = new StringBuilder("|---|");
    for (ProtocolResults p : protocols) {
      md.append(' ')
          .append(p.label())
          .append(": ")
          .append(kFold)
          .append(" acc. | Δ vs softmax [95 % CI] |");
      rule.append("---|---|");
    }
    md.append(" CV ‖f‖, ")
        .append(first.label())
        .append(" | ")
        .append(smallest)
        .append("-px probes, ")
        .append(first.label())
        .append(" |\n");
    rule.append("---|---|\n");
    md.append(rule);
    for (Method method : methods) {
      String name = method.name();
      md.append("| ").append(name).append(" |");
      for (ProtocolResults p : protocols) {
        md.append(' ').append(MeanStd.over(p.of(name), RunResult::foldAccuracy).format("%.4f"));
        md.append(" | ");
        md.append(
            name.equals(Contrasts.BASELINE)
                ? "—"
                : Contrasts.effect(
                        p, name, Contrasts.BASELINE, "kfold_accuracy", RunResult::foldAccuracy)
                    .format("%.4f"));
        md.append(" |");
      }
      List<RunResult> mine = first.of(name);
      md.append(' ')
          .append(MeanStd.over(mine, RunResult::normCv).format("%.3f"))
          .append(" | ")
          .append(MeanStd.over(mine, r -> r.lowResolutionAt(smallest)).format("%.4f"))
          .append(" |\n");
    }
    return md.toString();
  }

  /**
   * Checks that a Markdown file has the block the table goes in.
   *
   * @param file e.g. README.md
   * @throws DataFormatException naming the file when it lacks the two lines, in that order
   * @throws IOException if the file cannot be read
   */
  public static void requireBlock(Path file) throws IOException {
    block(file, Files.readString(file), BEGIN, END);
  }

  /**
   * Checks that a Markdown file has the block the face protocol's table goes in.
   *
   * @param file e.g. README.md
   * @throws DataFormatException naming the file when it lacks the two lines, in that order
   * @throws IOException if the file cannot be read
   */
  public static void requireFaceBlock(Path file) throws IOException {
    block(file, Files.readString(file), FACE_BEGIN, FACE_END);
  }

  /**
   * Replaces what lies between {@link #BEGIN} and {@link #END} in a Markdown file, atomically.
   *
   * @param file e.g. README.md
   * @param table the new content
   * @throws DataFormatException naming the file when it lacks the two lines, in that order
   * @throws IOException if the file cannot be read or written
   */
  public static void writeInto(Path file, String table) throws IOException {
    writeInto(file, table, BEGIN, END);
  }

  /**
   * Replaces what lies between {@link #FACE_BEGIN} and {@link #FACE_END} in a Markdown file.
   *
   * @param file e.g. README.md
   * @param table the new content
   * @throws DataFormatException naming the file when it lacks the two lines, in that order
   * @throws IOException if the file cannot be read or written
   */
  public static void writeFaceInto(Path file, String table) throws IOException {
    writeInto(file, table, FACE_BEGIN, FACE_END);
  }

  private static void writeInto(Path file, String table, String begin, String end)
      throws IOException {
    String text = Files.readString(file);
    int[] block = block(file, text, begin, end);
    AtomicFiles.writeString(file, text.substring(0, block[0]) + table + text.substring(block[1]));
  }

  /**
   * Where the block's content starts (after the BEGIN line) and ends (at the END line). Each marker
   * counts only as a line of its own: a README may quote it in its text, as this project's does.
   */
  private static int[] block(Path file, String text, String first, String last)
      throws DataFormatException {
    int begin = line(text, first, 0);
    int from = begin < 0 ? -1 : Math.min(begin + first.length() + 1, text.length());
    int end = begin < 0 ? -1 : line(text, last, from);
    if (end < 0) {
      throw new DataFormatException(
          file,
          "has no block to put the table in: a line " + first + " and, after it, a line " + last);
    }
    return new int[] {from, end};
  }

  /** Where a line that is exactly {@code marker} starts, looking from {@code from}; −1 if none. */
  private static int line(String text, String marker, int from) {
    for (int at = text.indexOf(marker, from); at >= 0; at = text.indexOf(marker, at + 1)) {
      int after = at + marker.length();
      if ((at == 0 || text.charAt(at - 1) == '\n')
          && (after == text.length() || text.charAt(after) == '\n')) {
        return at;
      }
    }
    return -1;
  }
}
