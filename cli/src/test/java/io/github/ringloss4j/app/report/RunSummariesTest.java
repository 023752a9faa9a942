package io.github.ringloss4j.app.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.github.ringloss4j.app.train.TrainOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunSummariesTest {

  @TempDir Path tmp;

  @Test
  void summaryRoundTripsAndIsIgnoredWhenTheRunOrItsEvaluationDiffer() throws Exception {
    TrainOptions options = TrainOptions.parse("--seed", "1000", "--exclude-classes", "0,1");
    RunResult c = ContrastsTest.cell("ring@0.01", 1000, 0, 0.8);
    RunSummaries.write(tmp, options, "pairs A", c);
    assertTrue(Files.size(tmp.resolve(RunSummaries.FILE_NAME)) < 10_000, "a small file");
    RunResult back = RunSummaries.read(tmp, options, "pairs A");
    assertEquals(c.method(), back.method());
    assertEquals(c.fold(), back.fold());
    assertTrue(Double.isNaN(back.accuracy()), "NaN survives");
    assertEquals(c.lowResolution(), back.lowResolution());
    assertEquals(c.normByResolution(), back.normByResolution());
    assertArrayEquals(c.normDecileAccuracy(), back.normDecileAccuracy());
    assertNull(RunSummaries.read(tmp, options, "pairs B"));
    assertNull(
        RunSummaries.read(
            tmp, TrainOptions.parse("--seed", "1000", "--exclude-classes", "2,3"), "pairs A"));
    assertNull(RunSummaries.read(tmp.resolve("none"), options, "pairs A"));
  }

  @Test
  void aSummaryLargerThanTheBoundIsNotRead() throws Exception {
    TrainOptions options = TrainOptions.parse("--seed", "1000");
    RunSummaries.write(tmp, options, "pairs A", ContrastsTest.cell("softmax", 1000, -1, 0.8));
    long size = Files.size(tmp.resolve(RunSummaries.FILE_NAME));
    assertNotNull(RunSummaries.read(tmp, options, "pairs A", size));
    // Sized before it is read: one byte under its size, the same valid file is not used.
    assertNull(RunSummaries.read(tmp, options, "pairs A", size - 1));
    assertTrue(RunSummaries.MAX_BYTES < 64L << 20, "far below the heap");
  }

  @Test
  void aSummaryWithoutFiguresMarksARunKeptForItsMetrics() throws Exception {
    TrainOptions options = TrainOptions.parse("--seed", "1000", "--epochs", "3");
    assertFalse(RunSummaries.exists(tmp, options, "curve only"));
    RunSummaries.write(tmp, options, "curve only", null);
    assertTrue(RunSummaries.exists(tmp, options, "curve only"));
    assertNull(RunSummaries.read(tmp, options, "curve only"));
    assertFalse(RunSummaries.exists(tmp, options, "other"));
  }

  @Test
  void theCommittedSummariesAreRead() throws Exception {
    // A summary as the committed ones under docs/results are: NaN written as NaN, camelCase keys.
    Path committed =
        Path.of("../docs/results/closed/softmax/seed1000/" + RunSummaries.FILE_NAME)
            .toAbsolutePath()
            .normalize();
    assertTrue(Files.isRegularFile(committed), committed.toString());
    JsonObject o = JsonParser.parseString(Files.readString(committed)).getAsJsonObject();
    TrainOptions parsed = TrainOptions.fromJson(o.get("options").toString());
    String evaluation = o.get("evaluation").getAsString();
    RunResult r = RunSummaries.read(committed.getParent(), parsed, evaluation);
    assertNotNull(r, "read " + committed);
    assertEquals("softmax", r.method());
    assertTrue(Double.isNaN(r.radius()), "softmax has no R");
    assertEquals(RunResult.NORM_BINS, r.normDecileAccuracy().length);
  }
}
