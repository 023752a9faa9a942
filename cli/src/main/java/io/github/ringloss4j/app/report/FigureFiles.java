package io.github.ringloss4j.app.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where a section's plots go and how results.md links them: {@code results/NAME}, or {@code
 * results/closed_set_NAME} when the report has several protocols.
 */
final class FigureFiles {
  private final Path dir;
  private final String prefix;

  /**
   * Creates the plots' directory.
   *
   * @param reportDir where results.md goes
   * @param label the protocol's name, or null when the report has a single protocol
   * @throws IOException if the directory cannot be made
   */
  FigureFiles(Path reportDir, String label) throws IOException {
    this.dir = reportDir.resolve("results");
    this.prefix = label == null ? "" : label.replaceAll("[^A-Za-z0-9]+", "_") + "_";
    Files.createDirectories(dir);
  }

  Path file(String name) {
    return dir.resolve(prefix + name);
  }

  String link(String alt, String name) {
    return "![" + alt + "](results/" + prefix + name + ")";
  }
}
