package io.github.ringloss4j.app.cli;

import static io.github.ringloss4j.app.cli.CliEndToEndTest.fails;
import static io.github.ringloss4j.app.cli.CliEndToEndTest.ok;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.github.ringloss4j.app.data.VerificationBin;
import io.github.ringloss4j.app.eval.EvaluationFile;
import io.github.ringloss4j.app.io.JsonFiles;
import io.github.ringloss4j.app.train.Checkpoint;
import io.github.ringloss4j.app.train.EpochMetrics;
import io.github.ringloss4j.app.train.SetValidation;
import io.github.ringloss4j.internal.ImagePixels;
import io.github.ringloss4j.metrics.InsightFaceVerification;
import io.github.ringloss4j.metrics.Roc;
import io.github.ringloss4j.nn.RingModelBlock;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code evaluate --bin} and {@code train --val} on the verification fixtures of {@code
 * verification/make_fixture.py} (12 pairs of tiny grey PNGs), with a tiny colour run; every figure
 * is checked against InsightFace's protocol computed here from the parts.
 */
class VerificationSetsTest {

  static final int SIDE = 16;
  static final Path FIXTURES = Path.of("src/test/resources/verification");

  @TempDir static Path tmp;
  static Path faces;
  static Path lfw;
  static Path cfp;
  static Path run;
  static CliEndToEndTest.Run trained;

  /**
   * 48 images, 3 of each identity's 8 held out (enough pairs for the test-data evaluation's 10
   * folds): 30 in batches of 5, 6 steps per epoch.
   */
  static List<String> train(Path out, boolean validate) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "train",
                "--data",
                faces.toString(),
                "--out",
                out.toString(),
                "--image-size",
                Integer.toString(SIDE),
                "--channels",
                "3",
                "--epochs",
                "2",
                "--batch-size",
                "5",
                "--embedding-size",
                "8",
                "--validation-fraction",
                "0.375",
                "--progress",
                "lines"));
    if (validate) {
      args.addAll(List.of("--val", lfw + "," + cfp, "--val-every", "3"));
    }
    return args;
  }

  @BeforeAll
  static void trainWithValidationSets() throws Exception {
    faces = TinyData.faces(tmp.resolve("faces"), 6, 8, 11);
    Path sets = Files.createDirectories(tmp.resolve("sets"));
    // The same 12 pairs in Python 3's and Python 2's dialects, under InsightFace's set names.
    lfw = Files.copy(FIXTURES.resolve("tiny_py3.bin"), sets.resolve("lfw.bin"));
    cfp = Files.copy(FIXTURES.resolve("tiny_py2.bin"), sets.resolve("cfp_fp.bin"));
    run = tmp.resolve("run");
    trained = ok(train(run, true).toArray(new String[0]));
  }

  /**
   * InsightFace's figures, computed here: ImageIO, ImagePixels, the network one image at a time.
   */
  record Expected(InsightFaceVerification.Result protocol, Roc roc) {}

  static Expected independently(Path checkpoint, Path set) throws Exception {
    VerificationBin bin = VerificationBin.read(set);
    int n = bin.imageCount();
    float[][] plain = new float[n][];
    float[][] flipped = new float[n][];
    try (Model model = Checkpoint.read(checkpoint).loadModel();
        NDManager manager = model.getNDManager().newSubManager()) {
      Block embedding = ((RingModelBlock) model.getBlock()).getEmbedding();
      for (int i = 0; i < n; i++) {
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(bin.image(i)));
        BufferedImage view =
            ImagePixels.render(ImagePixels.toRgb(image), SIDE, SIDE, SIDE, SIDE, 0, 0);
        plain[i] = embed(embedding, manager, ImagePixels.toChw(view, 3, false));
        flipped[i] = embed(embedding, manager, ImagePixels.toChw(view, 3, true));
      }
    }
    double[][] fused = InsightFaceVerification.fuseFlips(plain, flipped);
    double[] distances = InsightFaceVerification.squaredDistances(fused);
    double[] scores = new double[distances.length];
    for (int p = 0; p < scores.length; p++) {
      scores[p] = -distances[p];
    }
    return new Expected(
        InsightFaceVerification.evaluate(fused, bin.issame()), Roc.of(scores, bin.issame()));
  }

  private static float[] embed(Block embedding, NDManager manager, float[] chw) {
    NDList out =
        embedding.forward(
            new ParameterStore(manager, false),
            new NDList(manager.create(chw, new Shape(1, 3, SIDE, SIDE))),
            false);
    return out.head().toFloatArray();
  }

  @Test
  void evaluateBinReportsInsightFacesProtocolAsComputedFromTheParts() throws Exception {
    CliEndToEndTest.Run r =
        ok(
            "evaluate",
            run.toString(),
            "--bin",
            lfw + "," + cfp,
            "--pairs-per-kind",
            "10",
            "--no-progress");
    List<EvaluationFile.VerificationSet> sets =
        EvaluationFile.read(run.resolve(EvaluationFile.FILE_NAME)).verificationSets();
    assertEquals(List.of("lfw", "cfp_fp"), sets.stream().map(s -> s.name()).toList());
    for (EvaluationFile.VerificationSet set : sets) {
      Expected e = independently(run, Path.of(set.file()));
      assertEquals(12, set.pairs());
      assertEquals(e.protocol().meanAccuracy(), set.accuracy(), 0.0, set.name());
      assertEquals(e.protocol().standardDeviation(), set.accuracyStd(), 0.0, set.name());
      assertArrayEquals(e.protocol().accuracies(), set.foldAccuracies(), 0.0, set.name());
      assertArrayEquals(e.protocol().thresholds(), set.foldThresholds(), 0.0, set.name());
      assertEquals(e.roc().auc(), set.auc(), 0.0, set.name());
      assertEquals(e.roc().equalErrorRate(), set.eer(), 0.0, set.name());
      // 4 impostor pairs: no FAR below 1/4 is resolvable, so every TAR is null.
      assertEquals(Double.NaN, set.tarAtFar1());
      assertTrue(set.preprocessing().contains("resized to 16×16 RGB"), set.preprocessing());
      assertTrue(
          set.preprocessing().contains("not InsightFace's ((x/255) − 0.5)/0.5"),
          set.preprocessing());
      String line =
          String.format(
              Locale.ROOT,
              "%-9s accuracy %.4f ± %.4f (InsightFace's protocol: 12 pairs",
              set.name(),
              set.accuracy(),
              set.accuracyStd());
      assertTrue(r.out().contains(line), line + " in " + r.out());
    }
    assertTrue(r.out().contains("16×16 grey, 4×4 grey images resized to 16×16 RGB"), r.out());
    // The test-data evaluation is still there.
    assertTrue(r.out().contains("identification rank-1"), r.out());

    // The epoch end's evaluation during training scored the very weights of checkpoint.bin.
    SetValidation.Row last = SetValidation.readLog(run).get(3);
    assertEquals(sets.get(0).accuracy(), last.sets().get(0).accuracy(), 0.0);
    assertEquals(sets.get(1).accuracy(), last.sets().get(1).accuracy(), 0.0);
  }

  @Test
  void trainingValidatesOnTheSetsAndKeepsTheBestCheckpoint() throws Exception {
    List<SetValidation.Row> rows = SetValidation.readLog(run);
    // --val-every 3 with 6 steps per epoch: step 3, the end of epoch 1, step 9, the end of epoch 2.
    assertEquals(List.of(3L, 6L, 9L, 12L), rows.stream().map(SetValidation.Row::step).toList());
    assertEquals(
        List.of(false, true, false, true), rows.stream().map(SetValidation.Row::epochEnd).toList());
    assertEquals(List.of(1, 1, 2, 2), rows.stream().map(SetValidation.Row::epoch).toList());
    SetValidation.Row best = null;
    for (SetValidation.Row row : rows) {
      assertEquals(
          (row.sets().get(0).accuracy() + row.sets().get(1).accuracy()) / 2,
          row.meanAccuracy(),
          1e-15);
      boolean better = best == null || row.meanAccuracy() > best.meanAccuracy();
      assertEquals(better, row.best(), "step " + row.step());
      best = better ? row : best;
    }
    // best.bin holds the weights that scored the best mean: scored here from the parts.
    Path bestFile = run.resolve(SetValidation.BEST_FILE_NAME);
    Expected again = independently(bestFile, lfw);
    assertEquals(best.sets().get(0).accuracy(), again.protocol().meanAccuracy(), 0.0);
    assertEquals(best.sets().get(0).std(), again.protocol().standardDeviation(), 0.0);
    Checkpoint bestCheckpoint = Checkpoint.read(bestFile);
    assertEquals(best.step() / 6, bestCheckpoint.epochsDone(), "epochs completed by then");
    if (best.step() == 12) {
      assertArrayEquals(
          Checkpoint.read(run).modelParameters(), bestCheckpoint.modelParameters(), "epoch 2");
    }

    // The epoch ends' accuracies are columns of both metrics files.
    List<String> csv = Files.readAllLines(run.resolve("metrics.csv"));
    assertTrue(csv.get(0).endsWith(",val_magface,val_lfw_acc,val_cfp_fp_acc"), csv.get(0));
    for (int epoch = 1; epoch <= 2; epoch++) {
      String[] cells = csv.get(epoch).split(",");
      SetValidation.Row end = rows.get(2 * epoch - 1);
      assertEquals(end.sets().get(0).accuracy(), Double.parseDouble(cells[cells.length - 2]));
      assertEquals(end.sets().get(1).accuracy(), Double.parseDouble(cells[cells.length - 1]));
    }
    JsonObject second =
        JsonParser.parseString(Files.readString(run.resolve("metrics.json")))
            .getAsJsonArray()
            .get(1)
            .getAsJsonObject();
    assertEquals(rows.get(3).sets().get(1).accuracy(), second.get("val_cfp_fp_acc").getAsDouble());
    // … and metrics.json still reads as the epoch metrics.
    EpochMetrics[] metrics = JsonFiles.read(run.resolve("metrics.json"), EpochMetrics[].class);
    assertEquals(Checkpoint.read(run).history(), List.of(metrics));
    assertEquals(
        5, Files.readAllLines(run.resolve(SetValidation.LOG_NAME + ".csv")).size(), "header + 4");

    // Logged, and shown on the progress lines once known.
    String err = trained.err();
    assertTrue(err.contains("step 3 (epoch 1): lfw "), err);
    assertTrue(err.contains("step 12 (end of epoch 2): lfw "), err);
    assertTrue(
        err.contains("Validation sets lfw.bin, cfp_fp.bin: 16×16 grey, 4×4 grey images"), err);
    assertTrue(err.contains("epoch 2/2: 30/30 images") && err.contains("| lfw 0."), err);

    // The report plots them per step.
    Path report = tmp.resolve("report");
    ok("report", run.toString(), "--out", report.toString(), "--pairs-per-kind", "10");
    assertTrue(Files.size(report.resolve("validation_sets.png")) > 1000);
    assertTrue(
        Files.readString(report.resolve("report.md")).contains("(validation_sets.png)"), "linked");
  }

  @Test
  void validatingChangesNoWeightAndAResumeReplaysTheSameEvaluations() throws Exception {
    Path plain = tmp.resolve("without-val");
    ok(train(plain, false).toArray(new String[0]));
    assertArrayEquals(
        Checkpoint.read(run).modelParameters(),
        Checkpoint.read(plain).modelParameters(),
        "the evaluations ran in inference mode and touched nothing");
    assertFalse(Files.exists(plain.resolve(SetValidation.BEST_FILE_NAME)));
    assertFalse(Files.exists(plain.resolve(SetValidation.LOG_NAME + ".json")));

    Path resumed = tmp.resolve("resumed");
    List<String> first = train(resumed, true);
    first.addAll(List.of("--stop-after", "1"));
    ok(first.toArray(new String[0]));
    List<SetValidation.Row> before = SetValidation.readLog(resumed);
    assertEquals(2, before.size());
    // As if killed after epoch 1's checkpoint, before its evaluation: the resume evaluates it.
    JsonFiles.write(resumed.resolve(SetValidation.LOG_NAME + ".json"), before.subList(0, 1));
    // The sets decide best.bin and the columns: they cannot change on resume; the cadence can.
    fails(
        2,
        "--val " + lfw + " (checkpoint: " + lfw + "," + cfp + ")",
        "train",
        "--out",
        resumed.toString(),
        "--resume",
        "--val",
        lfw.toString());
    ok("train", "--out", resumed.toString(), "--resume", "--val-every", "3", "--no-progress");
    assertEquals(SetValidation.readLog(run), SetValidation.readLog(resumed));
    List<String> straight = Files.readAllLines(run.resolve("metrics.csv"));
    List<String> again = Files.readAllLines(resumed.resolve("metrics.csv"));
    assertEquals(straight.get(0), again.get(0));
    for (int line = 1; line <= 2; line++) {
      // The accuracy columns; the timing columns differ from run to run.
      String[] a = straight.get(line).split(",");
      String[] b = again.get(line).split(",");
      assertEquals(a[a.length - 1] + a[a.length - 2], b[b.length - 1] + b[b.length - 2]);
    }
    assertArrayEquals(
        Checkpoint.read(run.resolve(SetValidation.BEST_FILE_NAME)).modelParameters(),
        Checkpoint.read(resumed.resolve(SetValidation.BEST_FILE_NAME)).modelParameters());
  }

  @Test
  void badSetsFailBeforeTrainingNamingTheFile() throws Exception {
    Path few = tmp.resolve("sets").resolve("few.bin");
    Files.copy(FIXTURES.resolve("bytes256_py3_p4.bin"), few);
    List<String> args = train(tmp.resolve("bad"), false);
    args.addAll(List.of("--val", few.toString()));
    fails(3, few + ": holds 1 pairs", args.toArray(new String[0]));
    assertFalse(Files.exists(tmp.resolve("bad").resolve(Checkpoint.FILE_NAME)));
    fails(
        3,
        "nowhere.bin",
        "evaluate",
        run.toString(),
        "--bin",
        tmp.resolve("nowhere.bin").toString(),
        "--pairs-per-kind",
        "10");
  }
}
