package io.github.ringloss4j.app.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.github.ringloss4j.app.io.JsonFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code metrics.csv} and {@code metrics.json}: the same names, the same numbers. */
class MetricsFilesTest {

  @TempDir Path dir;

  /** Epoch e's metrics: distinct values, NaN validation and R as a run without them records. */
  static EpochMetrics epoch(int e, boolean validated, boolean ring) {
    double[] v = new double[EpochMetrics.HEADER.size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = e + i / 64.0;
    }
    v[0] = e;
    if (!validated) {
      for (String name :
          List.of(
              "val_softmax",
              "val_ring",
              "val_total",
              "val_accuracy",
              "val_norm_mean",
              "val_norm_std",
              "val_center")) {
        v[EpochMetrics.HEADER.indexOf(name)] = Double.NaN;
      }
    }
    if (!ring) {
      v[EpochMetrics.HEADER.indexOf("radius")] = Double.NaN;
    }
    return EpochMetrics.of(v);
  }

  @Test
  void jsonHoldsEveryEpochUnderTheCsvNames() throws IOException {
    List<EpochMetrics> history = List.of(epoch(1, false, false), epoch(2, true, true));
    TrainingRun.writeMetrics(dir, history);

    JsonArray json =
        JsonParser.parseString(Files.readString(dir.resolve("metrics.json"))).getAsJsonArray();
    assertEquals(2, json.size());
    for (int e = 0; e < 2; e++) {
      JsonObject o = json.get(e).getAsJsonObject();
      assertEquals(EpochMetrics.HEADER, new ArrayList<>(o.keySet()), "keys in CSV order");
    }
    assertTrue(json.get(0).getAsJsonObject().get("val_accuracy").isJsonNull(), "NaN as null");
    assertEquals(1, json.get(0).getAsJsonObject().get("epoch").getAsInt());

    EpochMetrics[] back = JsonFiles.read(dir.resolve("metrics.json"), EpochMetrics[].class);
    // Records compare doubles as Double.compare does: NaN equals NaN.
    assertArrayEquals(history.toArray(), back);

    List<String> csv = Files.readAllLines(dir.resolve("metrics.csv"));
    assertEquals(String.join(",", EpochMetrics.HEADER), csv.get(0));
    assertEquals(3, csv.size());
  }

  @Test
  void furtherColumnsFollowInBothFilesWhichStillReadAsEpochMetrics() throws IOException {
    List<EpochMetrics> history = List.of(epoch(1, true, true), epoch(2, true, true));
    TrainingRun.writeMetrics(
        dir,
        history,
        List.of("val_lfw_acc", "val_agedb_30_acc"),
        e -> e == 1 ? new double[] {0.5, Double.NaN} : new double[] {0.75, 0.625});
    List<String> csv = Files.readAllLines(dir.resolve("metrics.csv"));
    assertTrue(csv.get(0).endsWith(",val_magface,val_lfw_acc,val_agedb_30_acc"), csv.get(0));
    assertTrue(csv.get(2).endsWith(",0.75,0.625"), csv.get(2));
    JsonArray json =
        JsonParser.parseString(Files.readString(dir.resolve("metrics.json"))).getAsJsonArray();
    List<String> keys = new ArrayList<>(EpochMetrics.HEADER);
    keys.addAll(List.of("val_lfw_acc", "val_agedb_30_acc"));
    assertEquals(keys, new ArrayList<>(json.get(0).getAsJsonObject().keySet()));
    assertTrue(json.get(0).getAsJsonObject().get("val_agedb_30_acc").isJsonNull(), "NaN as null");
    assertEquals(0.625, json.get(1).getAsJsonObject().get("val_agedb_30_acc").getAsDouble());
    assertArrayEquals(
        history.toArray(), JsonFiles.read(dir.resolve("metrics.json"), EpochMetrics[].class));
  }
}
