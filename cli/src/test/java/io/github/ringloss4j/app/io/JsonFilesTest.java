package io.github.ringloss4j.app.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.annotations.SerializedName;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonFilesTest {

  @TempDir Path dir;

  record Inner(String name, double value, @SerializedName("tar_at_far_1e-3") double tar) {}

  record Outer(
      String command,
      int count,
      double meanNorm,
      double radius,
      Double boxed,
      double[] thresholds,
      List<Inner> scores) {}

  private static Outer sample() {
    return new Outer(
        "ringloss evaluate --lambda=0.1 \"runs/a b\" <x> & y",
        3,
        12.5,
        Double.NaN,
        Double.POSITIVE_INFINITY,
        new double[] {0.25, Double.NEGATIVE_INFINITY, -1e-7},
        List.of(new Inner("cosine", 0.875, 1e-3), new Inner("euclidean", Double.NaN, 0)));
  }

  @Test
  void recordsRoundTripWithNonFiniteNumbersAsNull() throws IOException {
    Path file = dir.resolve("out.json");
    JsonFiles.write(file, sample());
    String text = Files.readString(file);
    assertFalse(text.contains("NaN") || text.contains("Infinity"), text);
    assertTrue(text.contains("\"radius\": null"), text);
    assertTrue(text.contains("\"boxed\": null"), text);
    assertTrue(text.contains("\"mean_norm\": 12.5"), "snake_case keys: " + text);
    assertTrue(text.contains("\"tar_at_far_1e-3\": 0.001"), "@SerializedName: " + text);
    assertTrue(text.contains("--lambda=0.1 \\\"runs/a b\\\" <x> & y"), "no HTML escapes: " + text);
    assertTrue(text.endsWith("}\n"), text);

    Outer back = JsonFiles.read(file, Outer.class);
    assertEquals(sample().command(), back.command());
    assertEquals(3, back.count());
    assertEquals(12.5, back.meanNorm());
    assertTrue(Double.isNaN(back.radius()), "NaN comes back as NaN");
    assertTrue(Double.isNaN(back.boxed()), "an infinity comes back as NaN");
    assertArrayEquals(new double[] {0.25, Double.NaN, -1e-7}, back.thresholds());
    assertEquals(sample().scores(), back.scores());
  }

  @Test
  void arraysOfRecordsRoundTrip() throws IOException {
    Path file = dir.resolve("list.json");
    Inner[] values = {new Inner("a", 1, 2), new Inner("b", Double.NaN, -3)};
    JsonFiles.write(file, values);
    assertTrue(Files.readString(file).startsWith("["));
    assertArrayEquals(values, JsonFiles.read(file, Inner[].class));
  }

  @Test
  void missingFieldIsAnErrorNamingTheFileTheFieldAndWhere() throws IOException {
    Path file = dir.resolve("evaluation.json");
    String complete = JsonFiles.toJson(sample());
    // The second score without its value: the field that Gson alone would read as 0.0.
    Files.writeString(file, complete.replaceFirst("\"value\": NaN|\"value\": null", "\"x\": 1"));
    DataFormatException e =
        assertThrows(DataFormatException.class, () -> JsonFiles.read(file, Outer.class));
    assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
    assertTrue(e.getMessage().contains("missing field 'value'"), e.getMessage());
    assertTrue(e.getMessage().contains("$.scores[1]"), e.getMessage());

    Files.writeString(file, complete.replace("\"mean_norm\": 12.5,", ""));
    e = assertThrows(DataFormatException.class, () -> JsonFiles.read(file, Outer.class));
    assertTrue(e.getMessage().contains("missing field 'mean_norm'"), e.getMessage());
  }

  @Test
  void nullIsOnlyANumber() throws IOException {
    Path file = dir.resolve("nulls.json");
    Files.writeString(file, JsonFiles.toJson(sample()).replace("\"count\": 3", "\"count\": null"));
    DataFormatException e =
        assertThrows(DataFormatException.class, () -> JsonFiles.read(file, Outer.class));
    assertTrue(e.getMessage().contains("field 'count' is null"), e.getMessage());

    IllegalArgumentException write =
        assertThrows(
            IllegalArgumentException.class, () -> JsonFiles.write(file, new Inner(null, 1, 2)));
    assertTrue(write.getMessage().contains("Inner.name is null"), write.getMessage());
  }

  record Grown(String name, @JsonFiles.EmptyWhenAbsent List<Inner> added) {}

  record Misused(@JsonFiles.EmptyWhenAbsent String name) {}

  @Test
  void aListAddedLaterReadsEmptyFromOlderFilesButNeverFromNull() throws IOException {
    Path file = Files.writeString(dir.resolve("older.json"), "{\"name\": \"a\"}");
    assertEquals(new Grown("a", List.of()), JsonFiles.read(file, Grown.class));
    Grown grown = new Grown("b", List.of(new Inner("c", 1, 2)));
    JsonFiles.write(file, grown);
    assertEquals(grown, JsonFiles.read(file, Grown.class));
    JsonFiles.write(file, new Grown("d", List.of()));
    assertTrue(Files.readString(file).contains("\"added\": []"), "always written");
    Files.writeString(file, "{\"name\": \"a\", \"added\": null}");
    DataFormatException e =
        assertThrows(DataFormatException.class, () -> JsonFiles.read(file, Grown.class));
    assertTrue(e.getMessage().contains("field 'added' is null"), e.getMessage());
    // Only a list has a default that cannot pass for a value.
    IllegalStateException misused =
        assertThrows(IllegalStateException.class, () -> JsonFiles.toJson(new Misused("x")));
    assertTrue(misused.getMessage().contains("Misused.name"), misused.getMessage());
  }

  record Kinded(String name, @JsonFiles.KindWhenAbsent("exact") String index) {}

  record MisusedKind(@JsonFiles.KindWhenAbsent("x") double loss) {}

  @Test
  void aKindAddedLaterReadsAsTheOldKindFromOlderFilesButNeverFromNull() throws IOException {
    Path file = Files.writeString(dir.resolve("kind.json"), "{\"name\": \"a\"}");
    assertEquals(new Kinded("a", "exact"), JsonFiles.read(file, Kinded.class));
    JsonFiles.write(file, new Kinded("b", "lucene"));
    assertEquals(new Kinded("b", "lucene"), JsonFiles.read(file, Kinded.class));
    Files.writeString(file, "{\"name\": \"a\", \"index\": null}");
    DataFormatException e =
        assertThrows(DataFormatException.class, () -> JsonFiles.read(file, Kinded.class));
    assertTrue(e.getMessage().contains("index"), e.getMessage());
    IllegalStateException misused =
        assertThrows(IllegalStateException.class, () -> JsonFiles.toJson(new MisusedKind(1)));
    assertTrue(misused.getMessage().contains("MisusedKind.loss"), misused.getMessage());
    // A copy of a file's text reads as the file does, naming the file.
    DataFormatException copy =
        assertThrows(
            DataFormatException.class, () -> JsonFiles.read(file, "{\"index\": 1}", Kinded.class));
    assertTrue(copy.getMessage().startsWith(file.toString()), copy.getMessage());
  }

  record Term(double loss, @JsonFiles.ZeroWhenAbsent double added) {}

  record MisusedZero(@JsonFiles.ZeroWhenAbsent String name) {}

  record Strict(double loss, double other) {}

  @Test
  void aTermAddedLaterReadsZeroFromOlderFilesAndNullStaysNaN() throws IOException {
    // Runs written before a loss term existed had none of it: 0 is their true value.
    Path file = Files.writeString(dir.resolve("term.json"), "{\"loss\": 1.5}");
    assertEquals(new Term(1.5, 0), JsonFiles.read(file, Term.class));
    Files.writeString(file, "{\"loss\": 1.5, \"added\": 0.25}");
    assertEquals(new Term(1.5, 0.25), JsonFiles.read(file, Term.class));
    // A double written as null is NaN, as everywhere in these files, not 0.
    Files.writeString(file, "{\"loss\": 1.5, \"added\": null}");
    assertTrue(Double.isNaN(JsonFiles.read(file, Term.class).added()));
    // Without the mark a missing number is still refused.
    Files.writeString(file, "{\"loss\": 1}");
    DataFormatException missing =
        assertThrows(DataFormatException.class, () -> JsonFiles.read(file, Strict.class));
    assertTrue(missing.getMessage().contains("missing field 'other'"), missing.getMessage());
    IllegalStateException misused =
        assertThrows(IllegalStateException.class, () -> JsonFiles.toJson(new MisusedZero("x")));
    assertTrue(misused.getMessage().contains("MisusedZero.name"), misused.getMessage());
  }

  @Test
  void unknownFieldsAreIgnored() throws IOException {
    Path file =
        Files.writeString(
            dir.resolve("newer.json"),
            "{\"name\": \"a\", \"added_later\": {\"x\": [1, 2]}, \"value\": 1, \"tar_at_far_1e-3\":"
                + " 0.5}");
    assertEquals(new Inner("a", 1, 0.5), JsonFiles.read(file, Inner.class));
  }

  @Test
  void malformedFilesAreErrorsNamingTheFile() throws IOException {
    for (String content :
        List.of(
            "",
            "{\"name\": \"a\", \"value\": NaN, \"tar_at_far_1e-3\": 0}",
            "{\"name\": \"a\", \"value\": \"high\", \"tar_at_far_1e-3\": 0}",
            "{\"name\": \"a\", \"value\": 1, \"tar_at_far_1e-3\": 0",
            "{\"name\": \"a\", \"value\": 1, \"tar_at_far_1e-3\": 0} trailing",
            "[]")) {
      Path file = Files.writeString(dir.resolve("bad.json"), content);
      DataFormatException e =
          assertThrows(DataFormatException.class, () -> JsonFiles.read(file, Inner.class), content);
      assertTrue(e.getMessage().startsWith(file + ": "), e.getMessage());
      assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
    }
    Path latin1 = Files.write(dir.resolve("latin1.json"), new byte[] {'"', (byte) 0xe9, '"'});
    DataFormatException e =
        assertThrows(DataFormatException.class, () -> JsonFiles.read(latin1, Inner.class));
    assertEquals(latin1 + ": not UTF-8 text", e.getMessage());
    assertThrows(
        NoSuchFileException.class, () -> JsonFiles.read(dir.resolve("none.json"), Inner.class));
  }

  record Typed(int count, long big, boolean flag, String name) {}

  @Test
  void typesAreExactAndAKeyAppearsOnce() throws IOException {
    Path ok =
        Files.writeString(
            dir.resolve("ok.json"),
            "\uFEFF{\"count\": 128, \"big\": -5, \"flag\": true, \"name\": \"x\"}");
    assertEquals(new Typed(128, -5, true, "x"), JsonFiles.read(ok, Typed.class));
    String[][] cases = {
      {"{\"count\": \"128\", \"big\": 1, \"flag\": true, \"name\": \"x\"}", "integer"},
      {"{\"count\": 128.0, \"big\": 1, \"flag\": true, \"name\": \"x\"}", "128.0 at $.count"},
      {"{\"count\": 1e2, \"big\": 1, \"flag\": true, \"name\": \"x\"}", "integer"},
      {"{\"count\": 3000000000, \"big\": 1, \"flag\": true, \"name\": \"x\"}", "in range"},
      {"{\"count\": 1, \"big\": 1, \"flag\": \"true\", \"name\": \"x\"}", "true or false"},
      {"{\"count\": 1, \"big\": 1, \"flag\": 1, \"name\": \"x\"}", "true or false"},
      {"{\"count\": 1, \"big\": 1, \"flag\": true, \"name\": 5}", "expected a string"},
      {
        "{\"count\": 1, \"count\": 2, \"big\": 1, \"flag\": true, \"name\": \"x\"}",
        "duplicated key 'count'"
      },
    };
    for (String[] c : cases) {
      Path file = Files.writeString(dir.resolve("typed.json"), c[0]);
      DataFormatException e =
          assertThrows(DataFormatException.class, () -> JsonFiles.read(file, Typed.class), c[0]);
      assertTrue(e.getMessage().startsWith(file + ": "), e.getMessage());
      assertTrue(e.getMessage().contains(c[1]), c[1] + " in " + e.getMessage());
    }
  }

  @Test
  void replacingAFileLeavesNoTemporaryFile() throws IOException {
    Path file = Files.writeString(dir.resolve("metrics.json"), "old");
    JsonFiles.write(file, new Inner("new", 1, 2));
    assertEquals(new Inner("new", 1, 2), JsonFiles.read(file, Inner.class));
    try (Stream<Path> files = Files.list(dir)) {
      assertEquals(List.of(file), files.toList());
    }
  }
}
