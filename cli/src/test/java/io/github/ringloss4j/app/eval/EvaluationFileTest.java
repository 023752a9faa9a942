package io.github.ringloss4j.app.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.ringloss4j.app.io.DataFormatException;
import io.github.ringloss4j.app.train.Checkpoint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EvaluationFileTest {

  static final Checkpoint.Origin ORIGIN =
      new Checkpoint.Origin(Path.of("runs/a/checkpoint.bin"), 0x0a1b2c3d);

  @TempDir Path dir;

  static Evaluation.Verification verification(String score, double auc, double... thresholds) {
    return new Evaluation.Verification(
        score,
        auc,
        0.125,
        new double[] {0.75, 0.5, 0.25, 0.0},
        new boolean[] {true, true, true, false},
        0.875,
        0.0125,
        thresholds,
        new double[] {0, 0.5, 1},
        new double[] {0.5, 0.9, 1});
  }

  static Evaluation.Result result(double radius) {
    return new Evaluation.Result(
        0.9375,
        12.5,
        2.5,
        radius,
        List.of(
            verification("cosine", 0.96875, 0.25, 0.5, 0.75),
            verification("euclidean", 0.9, -3, -2)),
        300,
        320,
        "a protocol",
        0.8125,
        0.9375,
        10,
        90);
  }

  /** A file of {@link #result}, for {@link #ORIGIN}. */
  private Path written() throws IOException {
    Path file = dir.resolve(EvaluationFile.FILE_NAME);
    EvaluationFile.of(result(1), "c", ORIGIN).write(file);
    return file;
  }

  @Test
  void resultRoundTripsThroughTheFile() throws IOException {
    Path file = dir.resolve(EvaluationFile.FILE_NAME);
    EvaluationFile.of(result(Double.NaN), "ringloss evaluate runs/a", ORIGIN).write(file);
    String text = Files.readString(file);
    for (double far : Evaluation.FARS) {
      assertTrue(text.contains("\"tar_at_far_" + Evaluation.farName(far) + "\""), text);
    }
    assertTrue(text.contains("\"radius\": null"), text);
    assertTrue(text.contains("\"tar_at_far_1e-4\": null"), "unresolvable FAR: " + text);
    assertTrue(text.contains("\"genuine_pairs\": 300"), text);

    EvaluationFile back = EvaluationFile.read(file);
    assertEquals("ringloss evaluate runs/a", back.command());
    assertEquals("checkpoint.bin", back.checkpoint());
    assertEquals("0a1b2c3d", back.checkpointCrc32c());
    assertTrue(text.contains("\"checkpoint_crc32c\": \"0a1b2c3d\""), text);
    assertEquals(0.9375, back.accuracy());
    assertEquals(12.5, back.normMean());
    assertEquals(2.5, back.normStd());
    assertTrue(Double.isNaN(back.radius()));
    assertEquals("a protocol", back.pairsProtocol());
    assertEquals(300, back.genuinePairs());
    assertEquals(320, back.impostorPairs());
    assertEquals(0.8125, back.identificationRank1());
    assertEquals(0.9375, back.identificationRank5());
    assertEquals(10, back.identificationGallery());
    assertEquals(90, back.identificationProbes());
    EvaluationFile.Score cosine = back.score("cosine").orElseThrow();
    assertEquals(0.96875, cosine.auc());
    assertEquals(0.125, cosine.eer());
    assertEquals(0.75, cosine.tarAtFar1());
    assertEquals(0.5, cosine.tarAtFar2());
    assertEquals(0.25, cosine.tarAtFar3());
    assertTrue(Double.isNaN(cosine.tarAtFar4()));
    assertEquals(0.875, cosine.kfoldAccuracyMean());
    assertEquals(0.0125, cosine.kfoldAccuracyStd());
    assertArrayEquals(new double[] {0.25, 0.5, 0.75}, cosine.kfoldThresholds());
    assertEquals(0.5, cosine.meanThreshold());
    assertEquals(-2.5, back.score("euclidean").orElseThrow().meanThreshold());
    assertTrue(back.score("hamming").isEmpty());

    EvaluationFile.of(result(3.25), "c", ORIGIN).write(file);
    assertEquals(3.25, EvaluationFile.read(file).radius());
  }

  @Test
  void refusesTheLayoutOfEarlierVersionsSayingToEvaluateAgain() throws IOException {
    // As the hand-written writer of earlier versions laid it out.
    Path file =
        Files.writeString(
            dir.resolve(EvaluationFile.FILE_NAME),
            """
            {
              "command": "ringloss evaluate runs/a",
              "accuracy": 0.8747,
              "norm_mean": 15.766,
              "norm_std": 3.777,
              "radius": null,
              "pairs_protocol": "3000 genuine + 3000 impostor pairs, 10 folds",
              "genuine_pairs": 3000,
              "impostor_pairs": 3000,
              "verification": [
                {"score": "cosine", "auc": 0.9514, "eer": 0.1237, "tar_at_far_1e-1": 0.8, \
            "tar_at_far_1e-2": 0.3833, "tar_at_far_1e-3": 0.1, "tar_at_far_1e-4": null, \
            "kfold_accuracy_mean": 0.883, "kfold_accuracy_std": 0.0126, \
            "kfold_thresholds": [0.5, 0.52, 0.48]},
                {"score": "euclidean", "auc": 0.95, "eer": 0.13, "tar_at_far_1e-1": 0.8, \
            "tar_at_far_1e-2": 0.38, "tar_at_far_1e-3": 0.1, "tar_at_far_1e-4": null, \
            "kfold_accuracy_mean": 0.88, "kfold_accuracy_std": 0.0121, \
            "kfold_thresholds": [-7, -7.5]}
              ],
              "identification_rank1": 0.7196,
              "identification_rank5": 1,
              "identification_gallery": 10,
              "identification_probes": 9990
            }
            """);
    // It does not say which checkpoint it belongs to: its threshold could be another's.
    DataFormatException e =
        assertThrows(DataFormatException.class, () -> EvaluationFile.read(file));
    assertTrue(e.getMessage().startsWith(file + ": "), e.getMessage());
    assertTrue(e.getMessage().contains("does not record which checkpoint"), e.getMessage());
    assertTrue(e.getMessage().contains("run 'ringloss evaluate'"), e.getMessage());
  }

  @Test
  void readsAFileWithoutVerificationSets() throws IOException {
    Path file = written();
    String text = Files.readString(file);
    int sets = text.indexOf(",\n  \"verification_sets\"");
    assertTrue(sets > 0, text);
    Files.writeString(file, text.substring(0, sets) + "\n}\n");
    assertEquals(List.of(), EvaluationFile.read(file).verificationSets(), "before --bin existed");
  }

  @Test
  void eachCheckpointHasItsOwnFile() {
    Path run = dir.resolve("run");
    assertEquals(
        run.resolve(EvaluationFile.FILE_NAME),
        EvaluationFile.fileFor(run.resolve(Checkpoint.FILE_NAME)));
    assertEquals(
        run.resolve("evaluation-best.json"), EvaluationFile.fileFor(run.resolve("best.bin")));
    assertEquals(
        Path.of("evaluation-best.json").toAbsolutePath(),
        EvaluationFile.fileFor(Path.of("best.bin")),
        "a bare file name is in the working directory");
  }

  @Test
  void aFileOfAnotherCheckpointIsRefusedNamingBoth() throws IOException {
    Path file = written();
    EvaluationFile read = EvaluationFile.read(file);
    read.requireFor(file, ORIGIN);
    read.requireFor(file, new Checkpoint.Origin(Path.of("elsewhere/checkpoint.bin"), 0x0a1b2c3d));
    Checkpoint.Origin best = new Checkpoint.Origin(Path.of("runs/a/best.bin"), 0x0a1b2c3d);
    DataFormatException e =
        assertThrows(DataFormatException.class, () -> read.requireFor(file, best));
    assertTrue(e.getMessage().startsWith(file + ": "), e.getMessage());
    assertTrue(e.getMessage().contains("checkpoint.bin (CRC-32C 0a1b2c3d)"), e.getMessage());
    assertTrue(e.getMessage().contains("best.bin"), e.getMessage());
    Checkpoint.Origin retrained =
        new Checkpoint.Origin(Path.of("runs/a/checkpoint.bin"), 0x0a1b2c3e);
    e = assertThrows(DataFormatException.class, () -> read.requireFor(file, retrained));
    assertTrue(e.getMessage().contains("CRC-32C 0a1b2c3e"), e.getMessage());
  }

  @Test
  void missingFieldNamesTheFileTheFieldAndTheScore() throws IOException {
    Path file = written();
    String text = Files.readString(file);
    int cosine = text.indexOf("\"kfold_thresholds\"");
    int end = text.indexOf(']', cosine);
    // The cosine thresholds, the field that verify needs, dropped by a careless edit.
    Files.writeString(file, text.substring(0, cosine) + "\"x\": []" + text.substring(end + 1));
    DataFormatException e =
        assertThrows(DataFormatException.class, () -> EvaluationFile.read(file));
    assertEquals(
        file + ": missing field 'kfold_thresholds' in the object at $.verification[0]",
        e.getMessage());
  }
}
