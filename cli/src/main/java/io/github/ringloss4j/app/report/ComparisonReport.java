package io.github.ringloss4j.app.report;

import io.github.ringloss4j.app.eval.Method;
import io.github.ringloss4j.app.io.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The method comparison's report: {@code results.md} (the header, each protocol's tables, the
 * schedule's validation curves, the reading) with its plots and CSV files, and the README's
 * headline table.
 */
public final class ComparisonReport {

  private ComparisonReport() {}

  /**
   * One protocol's runs and where its CSV files go.
   *
   * @param results its runs
   * @param csvDir where its {@code compare.csv} and {@code compare_effects.csv} go
   */
  public record Part(ProtocolResults results, Path csvDir) {}

  /**
   * Writes {@code results.md}, its plots and the CSV files.
   *
   * @param header the head of the report
   * @param parts the protocols, in order
   * @param methods the methods, in table order
   * @param curves the runs whose validation curves are shown, by name ({@link ScheduleCurves})
   * @param notes Markdown appended as the reading, or null
   * @param reportDir where {@code results.md} and {@code results/} go
   * @return the file written
   * @throws IOException if the notes cannot be read or an output written
   */
  public static Path write(
      ComparisonHeader header,
      List<Part> parts,
      List<Method> methods,
      Map<String, List<Path>> curves,
      Path notes,
      Path reportDir)
      throws IOException {
    StringBuilder md = new StringBuilder(header.markdown());
    for (Part part : parts) {
      md.append(
          ProtocolMarkdown.section(
              part.results(), methods, part.csvDir(), reportDir, parts.size() > 1));
    }
    md.append(ScheduleCurves.section(curves, reportDir, parts.get(0).results().label()));
    if (notes != null) {
      md.append(Files.readString(notes).strip()).append('\n');
    }
    Path file = reportDir.resolve("results.md");
    AtomicFiles.writeString(file, md.toString());
    return file;
  }

  /**
   * Rewrites the headline table in a Markdown file ({@link HeadlineTable}).
   *
   * @param readme e.g. README.md
   * @param parts the protocols, in order
   * @param methods the methods, in table order
   * @throws IOException if the file lacks the table's block or cannot be rewritten
   */
  public static void writeHeadline(Path readme, List<Part> parts, List<Method> methods)
      throws IOException {
    if (FaceMarkdown.isFace(parts.get(0).results())) {
      HeadlineTable.writeFaceInto(readme, HeadlineTable.faceTable(methods, parts.get(0).results()));
      return;
    }
    HeadlineTable.writeInto(
        readme, HeadlineTable.table(methods, parts.stream().map(Part::results).toList()));
  }
}
