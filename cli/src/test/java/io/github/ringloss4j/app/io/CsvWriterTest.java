package io.github.ringloss4j.app.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CsvWriterTest {

  @TempDir Path dir;

  @Test
  void quotesOnlyWhatRfc4180Requires() throws IOException {
    Path file = dir.resolve("out/metrics.csv");
    CsvWriter.write(
        file,
        List.of("epoch", "note", "loss"),
        List.of(
            List.of("1", "plain", CsvWriter.num(0.1)),
            List.of("2", "a,b", CsvWriter.num(0.1f)),
            List.of("3", "say \"hi\"", CsvWriter.num(Double.NaN)),
            List.of("4", "two\nlines\r", CsvWriter.num(1e-7)),
            List.of("5", "", CsvWriter.num(12_345_678_901L))));
    assertEquals(
        "epoch,note,loss\r\n"
            + "1,plain,0.1\r\n"
            + "2,\"a,b\",0.1\r\n"
            + "3,\"say \"\"hi\"\"\",NaN\r\n"
            + "4,\"two\nlines\r\",1.0E-7\r\n"
            + "5,,12345678901\r\n",
        Files.readString(file, StandardCharsets.UTF_8));
  }

  @Test
  void aStreamEqualsTheWholeFileAndAnUncommittedOneLeavesTheTarget() throws IOException {
    List<String> header = List.of("name", "note");
    List<List<String>> rows = List.of(List.of("a", "x,y"), List.of("b", "say \"hi\""));
    Path whole = dir.resolve("whole.csv");
    CsvWriter.write(whole, header, rows);
    Path streamed = dir.resolve("streamed.csv");
    try (CsvStream csv = CsvStream.open(streamed, header)) {
      for (List<String> row : rows) {
        csv.row(row);
      }
      IllegalArgumentException wide =
          assertThrows(IllegalArgumentException.class, () -> csv.row(List.of("c")));
      assertTrue(wide.getMessage().contains("row 2 has 1 fields, expected 2"), wide.getMessage());
      csv.commit();
    }
    assertEquals(Files.readString(whole), Files.readString(streamed));
    try (CsvStream csv = CsvStream.open(streamed, header)) {
      csv.row(List.of("only", "this"));
      // Not committed: a failure on the way.
    }
    assertEquals(Files.readString(whole), Files.readString(streamed));
    try (var files = Files.list(dir)) {
      assertEquals(2, files.count(), "no temporary file is left");
    }
  }

  @Test
  void numbersRoundTrip() {
    double[] doubles = {0.1, 1.0 / 3, -2.5e-300, Double.MAX_VALUE, 123456.789};
    for (double d : doubles) {
      assertEquals(d, Double.parseDouble(CsvWriter.num(d)));
    }
    float[] floats = {0.1f, 1f / 3, 3.4028235e38f, 1.17549435E-38f};
    for (float f : floats) {
      assertEquals(f, Float.parseFloat(CsvWriter.num(f)));
    }
    // An int must not be widened to float and rounded.
    assertEquals("16777217", CsvWriter.num(16_777_217));
  }

  @Test
  void badRowsAreRejectedBeforeWriting() {
    Path file = dir.resolve("bad.csv");
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                CsvWriter.write(file, List.of("a", "b"), List.of(List.of("1", "2"), List.of("3"))));
    assertTrue(e.getMessage().contains("row 1 has 1 fields, expected 2"), e.getMessage());
    IllegalArgumentException nul =
        assertThrows(
            IllegalArgumentException.class,
            () -> CsvWriter.write(file, List.of("a", "b"), List.of(Arrays.asList("1", null))));
    assertTrue(nul.getMessage().contains("row 0 column 1 is null"), nul.getMessage());
    assertFalse(Files.exists(file));
  }
}
