package io.github.ringloss4j.app.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.ringloss4j.app.eval.Method;
import io.github.ringloss4j.app.io.DataFormatException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HeadlineTableTest {

  @TempDir Path tmp;

  private static final List<Method> GRID =
      List.of(Method.parse("softmax"), Method.parse("ring@0.01"));

  private static String table() {
    // Closed: softmax 0.80, 0.70; ring 0.83, 0.72 (seeds 1000, 1001). Open: ring 0.60 vs 0.50 on
    // seed 1000 alone.
    List<RunResult> closed =
        List.of(
            ContrastsTest.cell("softmax", 1000, -1, 0.80, 0.2),
            ContrastsTest.cell("softmax", 1001, -1, 0.70, 0.3),
            ContrastsTest.cell("ring@0.01", 1000, -1, 0.83, 0.1),
            ContrastsTest.cell("ring@0.01", 1001, -1, 0.72, 0.1));
    List<RunResult> open =
        List.of(
            ContrastsTest.cell("softmax", 1000, 0, 0.50, 0.2),
            ContrastsTest.cell("ring@0.01", 1000, 0, 0.60, 0.1));
    return HeadlineTable.table(
        GRID,
        List.of(new ProtocolResults("closed set", closed), new ProtocolResults("open set", open)));
  }

  @Test
  void rowsHoldEachProtocolsAccuracyAndPairedDifference() {
    List<String> lines = table().lines().toList();
    assertEquals(
        "| method | closed set: 10-fold acc. | Δ vs softmax [95 % CI] | open set: 10-fold acc. |"
            + " Δ vs softmax [95 % CI] | CV ‖f‖, closed set | 7-px probes, closed set |",
        lines.get(0));
    // softmax: mean 0.75, sd of {0.80, 0.70} = 0.0707; CV mean 0.25, sd 0.0707; 7 px: 0.65 ±
    // 0.0707.
    assertEquals(
        "| softmax | 0.7500 ± 0.0707 | — | 0.5000 ± 0.0000 | — | 0.250 ± 0.071 | 0.6500 ± 0.0707 |",
        lines.get(2));
    // ring: differences 0.03, 0.02: mean 0.025, sd 0.0070711, se 0.005, t(1) = 12.7062, half-width
    // 0.063531: [−0.0385, 0.0885]. Open: one pair, +0.1000 (n = 1).
    assertEquals(
        "| ring@0.01 | 0.7750 ± 0.0778 | +0.0250 [-0.0385, 0.0885] | 0.6000 ± 0.0000 |"
            + " +0.1000 (n = 1) | 0.100 ± 0.000 | 0.6750 ± 0.0778 |",
        lines.get(3));
    assertEquals(4, lines.size());
  }

  @Test
  void theTableReplacesTheBlockAndKeepsTheRest() throws Exception {
    Path readme = tmp.resolve("README.md");
    // The markers quoted in the text do not count: only lines of their own.
    String before =
        "# R\n\ntext `"
            + HeadlineTable.BEGIN
            + "`\n"
            + HeadlineTable.BEGIN
            + "\n| old |\n"
            + HeadlineTable.END;
    Files.writeString(readme, before + "\n\nafter\n");
    HeadlineTable.writeInto(readme, table());
    String once = Files.readString(readme);
    assertEquals(
        "# R\n\ntext `"
            + HeadlineTable.BEGIN
            + "`\n"
            + HeadlineTable.BEGIN
            + "\n"
            + table()
            + HeadlineTable.END
            + "\n\nafter\n",
        once);
    HeadlineTable.writeInto(readme, table());
    assertEquals(once, Files.readString(readme), "a second write changes nothing");
  }

  @Test
  void aFileWithoutTheBlockIsNamed() throws Exception {
    Path readme = tmp.resolve("NOBLOCK.md");
    // The end line before the begin line is not a block either.
    Files.writeString(readme, HeadlineTable.END + "\n" + HeadlineTable.BEGIN + "\n");
    DataFormatException e =
        assertThrows(DataFormatException.class, () -> HeadlineTable.requireBlock(readme));
    assertTrue(e.getMessage().contains("NOBLOCK.md"), e.getMessage());
    assertTrue(e.getMessage().contains(HeadlineTable.BEGIN), e.getMessage());
  }
}
