package io.github.ringloss4j.app.cli;

import io.github.ringloss4j.app.data.LabelledSource;
import java.io.IOException;
import java.nio.file.Path;

/** PLACEHOLDER until QualityRecords is merged. */
final class QualityLevels {
  private QualityLevels() {}

  static int[] of(Path dir, LabelledSource source) throws IOException {
    return null;
  }
}
