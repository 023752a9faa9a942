package io.github.ringloss4j.app.cli;

import static io.github.ringloss4j.app.cli.CliEndToEndTest.fails;
import static io.github.ringloss4j.app.cli.CliEndToEndTest.ok;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import ai.djl.modality.cv.Image;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.ParameterList;
import ai.djl.repository.zoo.ZooModel;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.github.ringloss4j.app.io.DecodedNpy;
import io.github.ringloss4j.app.model.ExportedModels;
import io.github.ringloss4j.app.model.ModelFactory;
import io.github.ringloss4j.app.train.Checkpoint;
import io.github.ringloss4j.app.train.TrainOptions;
import io.github.ringloss4j.nn.RingModelBlock;
import io.github.ringloss4j.serving.EmbeddingModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code embed}, {@code evaluate --bin} and {@code verify} on an exported model directory give the
 * run's own numbers, and {@code train --init-from} starts a run's backbone from one.
 */
class ExportedModelInputsTest {

  @TempDir static Path tmp;
  static Path faces;
  static Path run;

  /** The run exported with its raw embeddings (--no-l2), comparable with the run's. */
  static Path raw;

  /** The tiny run's training arguments, {@code more} pairs replacing an option's value. */
  static List<String> train(Path out, String... more) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "train",
                "--data",
                faces.toString(),
                "--out",
                out.toString(),
                "--epochs",
                "1",
                "--batch-size",
                "4",
                "--embedding-size",
                "8",
                "--image-size",
                "16",
                "--channels",
                "3",
                "--validation-fraction",
                "0.4",
                "--no-progress"));
    for (int i = 0; i < more.length; i += 2) {
      int at = args.indexOf(more[i]);
      if (at < 0) {
        args.add(more[i]);
        args.add(more[i + 1]);
      } else {
        args.set(at + 1, more[i + 1]);
      }
    }
    return args;
  }

  @BeforeAll
  static void trainAndExport() throws Exception {
    faces = TinyData.faces(tmp.resolve("faces"), 3, 5, 3);
    run = tmp.resolve("run");
    ok(train(run).toArray(new String[0]));
    raw = tmp.resolve("raw");
    ok("export", run.toString(), "--out", raw.toString(), "--no-l2");
  }

  @Test
  void embedOnAnExportWritesTheRunsEmbeddings() throws Exception {
    Path images = faces.resolve("id1");
    Path fromRun = tmp.resolve("embed-run");
    Path fromExport = tmp.resolve("embed-export");
    ok("embed", run.toString(), "--images", images.toString(), "--out", fromRun.toString());
    ok("embed", raw.toString(), "--images", images.toString(), "--out", fromExport.toString());
    for (String file : EmbedCommand.FILES) {
      assertTrue(Files.isRegularFile(fromExport.resolve(file)), file);
    }
    for (String file :
        List.of("embeddings.npy", "embeddings_normalized.npy", "norms.npy", "labels.npy")) {
      DecodedNpy expected = DecodedNpy.read(fromRun.resolve(file));
      DecodedNpy actual = DecodedNpy.read(fromExport.resolve(file));
      assertArrayEquals(expected.shape(), actual.shape(), file);
      if (expected.floats() != null) {
        assertArrayEquals(expected.floats(), actual.floats(), 1e-5f, file);
      } else {
        assertArrayEquals(expected.longs(), actual.longs(), file);
      }
    }
    // The CSV names the same sources in the same order.
    assertEquals(
        column(fromRun.resolve("embeddings.csv")), column(fromExport.resolve("embeddings.csv")));

    // The rules of embed hold for an export too: no silent overwrite, --overwrite replaces.
    fails(
        2,
        "--overwrite",
        "embed",
        raw.toString(),
        "--images",
        images.toString(),
        "--out",
        fromExport.toString());
    ok(
        "embed",
        raw.toString(),
        "--images",
        images.toString(),
        "--out",
        fromExport.toString(),
        "--overwrite");
    // An export has no data sets of its own: --data (or no --images) is a usage error.
    Path refused = tmp.resolve("embed-refused");
    fails(
        2,
        "--images FOLDER instead of --data",
        "embed",
        raw.toString(),
        "--data",
        faces.toString(),
        "--out",
        refused.toString());
    fails(2, "--images", "embed", raw.toString(), "--out", refused.toString());
    assertFalse(Files.exists(refused.resolve("embeddings.npy")));
  }

  private static List<String> column(Path csv) throws Exception {
    List<String> sources = new ArrayList<>();
    for (String line : Files.readAllLines(csv)) {
      sources.add(line.substring(0, line.indexOf(',')));
    }
    return sources;
  }

  @Test
  void verifyOnAnExportScoresAsTheRunDoes() {
    Path a = faces.resolve("id0").resolve("id0_0001.png");
    Path b = faces.resolve("id2").resolve("id2_0003.png");
    String[] threshold = {"--threshold", "0.25"};
    double fromRun = cosine(CliEndToEndTest.run(args("verify", run, a, b, threshold)));
    // The L2-normalised default export too: cosine ignores the norms.
    Path l2 = tmp.resolve("l2-for-verify");
    ok("export", run.toString(), "--out", l2.toString());
    for (Path model : List.of(raw, l2)) {
      assertEquals(
          fromRun, cosine(CliEndToEndTest.run(args("verify", model, a, b, threshold))), 2e-6);
    }
    // No evaluation file beside an export: the threshold must be given.
    fails(2, "--threshold", "verify", raw.toString(), a.toString(), b.toString());
  }

  private static String[] args(String command, Path model, Path a, Path b, String... more) {
    List<String> args =
        new ArrayList<>(List.of(command, model.toString(), a.toString(), b.toString()));
    args.addAll(List.of(more));
    return args.toArray(new String[0]);
  }

  private static double cosine(CliEndToEndTest.Run r) {
    assertTrue(r.exit() == 0 || r.exit() == VerifyCommand.EXIT_DIFFERENT, r.err());
    Matcher m = Pattern.compile("cosine (-?[0-9.]+)").matcher(r.out());
    assertTrue(m.find(), r.out());
    return Double.parseDouble(m.group(1));
  }

  @Test
  void evaluateBinOnAnExportGivesTheRunsFigures() throws Exception {
    Path lfw =
        Files.copy(VerificationSetsTest.FIXTURES.resolve("tiny_py3.bin"), tmp.resolve("lfw.bin"));
    Path fromRun = tmp.resolve("run-eval.json");
    Path fromExport = tmp.resolve("export-eval.json");
    ok("evaluate", run.toString(), "--bin", lfw.toString(), "--out", fromRun.toString());
    CliEndToEndTest.Run r =
        ok("evaluate", raw.toString(), "--bin", lfw.toString(), "--out", fromExport.toString());
    assertTrue(r.out().contains("lfw"), r.out());
    JsonObject expected = set(fromRun);
    JsonObject actual = set(fromExport);
    assertEquals(expected.get("pairs").getAsInt(), actual.get("pairs").getAsInt());
    for (String key : List.of("accuracy", "accuracy_std", "auc", "eer")) {
      assertEquals(expected.get(key).getAsDouble(), actual.get(key).getAsDouble(), 1e-6, key);
    }
    for (String key : List.of("fold_accuracies", "fold_thresholds")) {
      JsonArray e = expected.getAsJsonArray(key);
      JsonArray a = actual.getAsJsonArray(key);
      assertEquals(e.size(), a.size(), key);
      for (int i = 0; i < e.size(); i++) {
        assertEquals(e.get(i).getAsDouble(), a.get(i).getAsDouble(), 1e-5, key + " " + i);
      }
    }
    JsonObject file = JsonParser.parseString(Files.readString(fromExport)).getAsJsonObject();
    assertEquals("embedding-0000.params", file.get("checkpoint").getAsString());
    assertTrue(
        actual.get("preprocessing").getAsString().contains("exported model"),
        actual.get("preprocessing").getAsString());

    // The refusals, each a usage error naming its option, before any output is written.
    Path none = tmp.resolve("never.json");
    fails(2, "--out", "evaluate", raw.toString(), "--bin", lfw.toString());
    fails(2, "--bin", "evaluate", raw.toString(), "--out", none.toString());
    fails(
        2,
        "--data",
        "evaluate",
        raw.toString(),
        "--data",
        faces.toString(),
        "--bin",
        lfw.toString(),
        "--out",
        none.toString());
    fails(
        2,
        "--pairs",
        "evaluate",
        raw.toString(),
        "--pairs",
        faces.resolve("pairs.txt").toString(),
        "--bin",
        lfw.toString(),
        "--out",
        none.toString());
    assertFalse(Files.exists(none));
    assertFalse(Files.exists(raw.resolve("evaluation.json")));
  }

  private static JsonObject set(Path json) throws Exception {
    JsonObject file = JsonParser.parseString(Files.readString(json)).getAsJsonObject();
    JsonArray sets = file.getAsJsonArray("verification_sets");
    assertEquals(1, sets.size());
    return sets.get(0).getAsJsonObject();
  }

  /**
   * The backbone loaded from the export keeps every value, BatchNorm running statistics included,
   * through the initialisation of the rest of the model, as the run does it.
   */
  @Test
  void initFromLoadsEveryBackboneValueBeforeInitialisation() throws Exception {
    // The network's options; the input shape is given to the check as the run's data give it.
    TrainOptions options =
        TrainOptions.parse("--embedding-size", "8", "--init-from", raw.toString());
    RingModelBlock block = ModelFactory.block(options.model(), options.ring(), 3);
    try (Model model = Model.newInstance("init-from");
        ZooModel<Image, float[]> exported = EmbeddingModels.criteria(raw).loadModel()) {
      model.setBlock(block);
      ExportedModels.load(
          ExportedModels.check(options.model(), new int[] {3, 16, 16}),
          block.getEmbedding(),
          model.getNDManager());
      block.initialize(
          model.getNDManager(),
          DataType.FLOAT32,
          ModelFactory.inputShape(4, new int[] {3, 16, 16}));
      ParameterList expected = exported.getBlock().getParameters();
      ParameterList actual = block.getEmbedding().getParameters();
      assertEquals(expected.size(), actual.size());
      boolean runningStatistics = false;
      for (int i = 0; i < expected.size(); i++) {
        assertEquals(expected.keyAt(i), actual.keyAt(i));
        float[] e = expected.valueAt(i).getArray().toFloatArray();
        assertArrayEquals(e, actual.valueAt(i).getArray().toFloatArray(), expected.keyAt(i));
        if (expected.keyAt(i).endsWith("runningMean")) {
          // A trained mean, not the fresh 0: the check would see a statistic left behind.
          runningStatistics |= e[0] != 0;
        }
      }
      assertTrue(runningStatistics, "the export's running statistics are all at their start");
    }
  }

  /**
   * A run with --init-from and a learning rate too small to move the weights holds the export's
   * trainable parameters after its epoch (a randomly initialised one would not); it resumes from
   * its checkpoint without the directory, and another directory on resume is refused.
   */
  @Test
  void trainInitFromStartsTheBackboneFromTheExport() throws Exception {
    Path start = tmp.resolve("start");
    Files.createDirectories(start);
    Path init = start.resolve("model");
    ok("export", run.toString(), "--out", init.toString());
    Path tuned = tmp.resolve("tuned");
    ok(
        train(
                tuned,
                "--init-from",
                init.toString(),
                "--lr",
                "1e-12",
                "--momentum",
                "0",
                "--weight-decay",
                "0",
                "--epochs",
                "2",
                "--stop-after",
                "1",
                // Another seed than the exported run's: its own initialisation would be that run's.
                "--seed",
                "5")
            .toArray(new String[0]));
    try (Model model = Checkpoint.read(tuned).loadModel();
        ZooModel<Image, float[]> exported = EmbeddingModels.criteria(init).loadModel()) {
      ParameterList expected = exported.getBlock().getParameters();
      ParameterList actual = ((RingModelBlock) model.getBlock()).getEmbedding().getParameters();
      assertEquals(expected.size(), actual.size());
      int compared = 0;
      for (int i = 0; i < expected.size(); i++) {
        String key = expected.keyAt(i);
        if (key.endsWith("runningMean") || key.endsWith("runningVar")) {
          continue; // updated by every training forward pass, whatever the learning rate
        }
        assertArrayEquals(
            expected.valueAt(i).getArray().toFloatArray(),
            actual.valueAt(i).getArray().toFloatArray(),
            1e-6f,
            key);
        compared++;
      }
      assertTrue(compared > 0);
    }
    // Saved with the run: the resume continues the checkpoint without reading the directory.
    Path other = tmp.resolve("other");
    ok("export", run.toString(), "--out", other.toString());
    fails(
        2,
        "--init-from " + other + " (checkpoint: " + init + ")",
        "train",
        "--out",
        tuned.toString(),
        "--resume",
        "--init-from",
        other.toString(),
        "--no-progress");
    try (Stream<Path> files = Files.walk(start)) {
      for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
    ok("train", "--out", tuned.toString(), "--resume", "--no-progress");
    assertEquals(2, Checkpoint.read(tuned).epochsDone());
  }

  @Test
  void initFromAnotherNetworkIsRefusedNamingWhatDiffers() throws Exception {
    Path never = tmp.resolve("never");
    fails(
        2,
        "embedding size 8 (the run's --embedding-size: 4)",
        train(never, "--init-from", raw.toString(), "--embedding-size", "4")
            .toArray(new String[0]));
    fails(
        2,
        "input 3×16×16 (the run's data: 3×20×20",
        train(never, "--init-from", raw.toString(), "--image-size", "20").toArray(new String[0]));
    fails(
        2,
        "network cnn (the run's --model: resnet)",
        train(never, "--init-from", raw.toString(), "--model", "resnet").toArray(new String[0]));
    // InsightFace's normalisation is not what training feeds: refused, not silently mismatched.
    Path shifted = tmp.resolve("shifted");
    Files.createDirectories(shifted);
    try (Stream<Path> files = Files.list(raw)) {
      for (Path f : files.toList()) {
        Files.copy(f, shifted.resolve(f.getFileName()));
      }
    }
    Path properties = shifted.resolve("serving.properties");
    Files.writeString(
        properties,
        Files.readString(properties)
            .replace("mean=0.0,0.0,0.0", "mean=0.5,0.5,0.5")
            .replace("std=1.0,1.0,1.0", "std=0.5,0.5,0.5"));
    assertNotEquals(
        Files.readString(raw.resolve("serving.properties")), Files.readString(properties));
    fails(
        2,
        "training feeds x/255",
        train(never, "--init-from", shifted.toString()).toArray(new String[0]));
    // A directory that is not a model directory is an input error, exit 3.
    fails(
        3,
        "serving.properties",
        train(never, "--init-from", faces.toString()).toArray(new String[0]));
    assertFalse(Files.exists(never.resolve(Checkpoint.FILE_NAME)));
  }
}
