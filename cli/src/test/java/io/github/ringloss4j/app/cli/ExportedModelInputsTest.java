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
import io.github.ringloss4j.app.data.Datasets;
import io.github.ringloss4j.app.data.ImageFiles;
import io.github.ringloss4j.app.data.InputNormalization;
import io.github.ringloss4j.app.eval.Embedder;
import io.github.ringloss4j.app.io.DecodedNpy;
import io.github.ringloss4j.app.model.ExportedModels;
import io.github.ringloss4j.app.model.ModelFactory;
import io.github.ringloss4j.app.train.Checkpoint;
import io.github.ringloss4j.app.train.SetValidation;
import io.github.ringloss4j.app.train.TrainOptions;
import io.github.ringloss4j.nn.RingModelBlock;
import io.github.ringloss4j.serving.EmbeddingModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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

  /** A run fed InsightFace's normalisation, (x/255 − 0.5) / 0.5, and its raw export. */
  static Path normalised;

  static Path normalisedRaw;

  /** The .bin set the normalised run validates on while it trains. */
  static Path normalisedSet;

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
    normalised = tmp.resolve("normalised");
    normalisedSet =
        Files.copy(
            VerificationSetsTest.FIXTURES.resolve("tiny_py3.bin"), tmp.resolve("normalised.bin"));
    ok(
        train(
                normalised,
                "--input-mean",
                "0.5",
                "--input-std",
                "0.5",
                "--val",
                normalisedSet.toString())
            .toArray(new String[0]));
    normalisedRaw = tmp.resolve("normalised-raw");
    ok("export", normalised.toString(), "--out", normalisedRaw.toString(), "--no-l2");
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
    assertSameEmbeddings(fromRun, fromExport);
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

  /** Two {@code embed} outputs hold the same embeddings, within float rounding. */
  private static void assertSameEmbeddings(Path fromRun, Path fromExport) throws Exception {
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
    JsonObject actual = set(fromExport);
    assertSameFigures(set(fromRun), actual);
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

  /** Two evaluations of one .bin set give the same figures, within float rounding. */
  private static void assertSameFigures(JsonObject expected, JsonObject actual) {
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
        keeping(
            init,
            tuned,
            "--epochs",
            "2",
            "--stop-after",
            "1",
            // Another seed than the exported run's: its own initialisation would be that run's.
            "--seed",
            "5"));
    assertBackboneKept(init, tuned);
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

  /**
   * The arguments of a run from {@code --init-from init} whose learning rate is too small to move
   * the weights.
   */
  private static String[] keeping(Path init, Path out, String... more) {
    List<String> options =
        new ArrayList<>(
            List.of(
                "--init-from",
                init.toString(),
                "--lr",
                "1e-12",
                "--momentum",
                "0",
                "--weight-decay",
                "0"));
    options.addAll(List.of(more));
    return train(out, options.toArray(new String[0])).toArray(new String[0]);
  }

  /** The tuned run's backbone holds the directory's trainable parameters. */
  private static void assertBackboneKept(Path init, Path tuned) throws Exception {
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
  }

  /**
   * A copy of an export directory whose {@code serving.properties} records another normalisation:
   * every channel's mean {@code to[0]} and std {@code to[1]} instead of {@code from}'s.
   */
  private static Path renormalised(Path export, Path copy, String[] from, String... to)
      throws Exception {
    Path properties = copyOf(export, copy).resolve("serving.properties");
    String text = Files.readString(properties);
    for (int k = 0; k < 2; k++) {
      String key = k == 0 ? "mean=" : "std=";
      text =
          text.replace(
              key + String.join(",", from[k], from[k], from[k]),
              key + String.join(",", to[k], to[k], to[k]));
    }
    Files.writeString(properties, text);
    assertNotEquals(
        Files.readString(export.resolve("serving.properties")), Files.readString(properties));
    return copy;
  }

  private static Path copyOf(Path export, Path copy) throws Exception {
    Files.createDirectories(copy);
    try (Stream<Path> files = Files.list(export)) {
      for (Path f : files.toList()) {
        Files.copy(f, copy.resolve(f.getFileName()));
      }
    }
    return copy;
  }

  /** The default normalisation as {@code serving.properties} writes it: x/255 as it is. */
  private static final String[] X_255 = {"0.0", "1.0"};

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
    // A directory recording InsightFace's normalisation.
    Path shifted = renormalised(raw, tmp.resolve("shifted"), X_255, "0.5", "0.5");
    // Its normalisation becomes the run's: a value given otherwise is refused, naming both.
    fails(
        2,
        "--input-std 1.0 (the directory's: 0.5,0.5,0.5)",
        train(never, "--init-from", shifted.toString(), "--input-std", "1").toArray(new String[0]));
    // A directory that is not a model directory is an input error, exit 3.
    fails(
        3,
        "serving.properties",
        train(never, "--init-from", faces.toString()).toArray(new String[0]));
    assertFalse(Files.exists(never.resolve(Checkpoint.FILE_NAME)));
  }

  /**
   * A run trained on InsightFace's (x/255 − 0.5) / 0.5 feeds it in every command: its export
   * records it, and the run's {@code embed} and {@code evaluate --bin} give its export's numbers.
   * The check can fail: the same directory recording x/255 embeds otherwise.
   */
  @Test
  void aNormalisedRunAndItsExportFeedTheNetworkAlike() throws Exception {
    String properties = Files.readString(normalisedRaw.resolve("serving.properties"));
    assertTrue(properties.contains("mean=0.5,0.5,0.5"), properties);
    assertTrue(properties.contains("std=0.5,0.5,0.5"), properties);
    Path images = faces.resolve("id1");
    Path fromRun = embedded(normalised, images, "normalised-embed-run");
    assertSameEmbeddings(fromRun, embedded(normalisedRaw, images, "normalised-embed-export"));
    Path unnormalised =
        renormalised(
            normalisedRaw, tmp.resolve("unnormalised"), new String[] {"0.5", "0.5"}, X_255);
    double most =
        maxDifference(
            floats(fromRun), floats(embedded(unnormalised, images, "unnormalised-embed")));
    assertTrue(most > 1e-3, "the normalisation changes nothing: " + most);

    Path lfw = normalisedSet;
    Path runFigures = tmp.resolve("normalised-run-eval.json");
    Path exportFigures = tmp.resolve("normalised-export-eval.json");
    ok("evaluate", normalised.toString(), "--bin", lfw.toString(), "--out", runFigures.toString());
    ok(
        "evaluate",
        normalisedRaw.toString(),
        "--bin",
        lfw.toString(),
        "--out",
        exportFigures.toString());
    JsonObject run = set(runFigures);
    assertSameFigures(run, set(exportFigures));
    // train --val evaluated the same network on the same inputs at the end of its epoch.
    SetValidation.SetAccuracy during = SetValidation.readLog(normalised).get(0).sets().get(0);
    assertEquals(run.get("accuracy").getAsDouble(), during.accuracy(), 1e-9);
    assertEquals(run.get("accuracy_std").getAsDouble(), during.std(), 1e-9);
    assertTrue(
        run.get("preprocessing").getAsString().contains("pixels (x/255 − [0.5, 0.5, 0.5])"),
        run.get("preprocessing").getAsString());
  }

  private static float[] floats(Path embedded) throws Exception {
    return DecodedNpy.read(embedded.resolve("embeddings.npy")).floats();
  }

  private static double maxDifference(float[] a, float[] b) {
    assertEquals(a.length, b.length);
    double most = 0;
    for (int i = 0; i < a.length; i++) {
      most = Math.max(most, Math.abs(a[i] - b[i]));
    }
    return most;
  }

  private static Path embedded(Path model, Path images, String name) {
    Path out = tmp.resolve(name);
    ok("embed", model.toString(), "--images", images.toString(), "--out", out.toString());
    return out;
  }

  /**
   * {@code --init-from} an export recording (x/255 − 0.5) / 0.5 fine-tunes on those inputs: the run
   * takes the directory's normalisation (an explicit equal value is accepted), keeps its weights,
   * embeds as it does without needing it afterwards, and a changed normalisation on resume is
   * refused.
   */
  @Test
  void initFromANormalisedExportFineTunesOnItsInputs() throws Exception {
    Path start = tmp.resolve("normalised-start");
    Path init = copyOf(normalisedRaw, start);
    Path tuned = tmp.resolve("normalised-tuned");
    ok(keeping(init, tuned, "--input-mean", "0.5", "--seed", "5"));
    assertBackboneKept(init, tuned);
    float[] half = {0.5f, 0.5f, 0.5f};
    assertEquals(
        new InputNormalization(half, half), Checkpoint.read(tuned).options().inputNormalization());
    Path images = faces.resolve("id2");
    Path fromDirectory = embedded(init, images, "normalised-init-embed");
    // The training passes moved the BatchNorm running statistics; the directory's are put back
    // below, so that only the weights (kept) and the inputs decide.
    Map<String, float[]> statistics = new HashMap<>();
    try (ZooModel<Image, float[]> exported = EmbeddingModels.criteria(init).loadModel()) {
      ParameterList theirs = exported.getBlock().getParameters();
      for (int i = 0; i < theirs.size(); i++) {
        if (theirs.keyAt(i).endsWith("runningMean") || theirs.keyAt(i).endsWith("runningVar")) {
          statistics.put(theirs.keyAt(i), theirs.valueAt(i).getArray().toFloatArray());
        }
      }
    }
    assertFalse(statistics.isEmpty());
    try (Stream<Path> files = Files.walk(start)) {
      for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
    // Without the directory: the run feeds its saved normalisation to the directory's network.
    Checkpoint checkpoint = Checkpoint.read(tuned);
    List<Path> files = new ArrayList<>();
    for (String source : column(fromDirectory.resolve("embeddings.csv"))) {
      if (!source.equals("source")) {
        files.add(Path.of(source));
      }
    }
    try (Model model = checkpoint.loadModel()) {
      ParameterList ours = ((RingModelBlock) model.getBlock()).getEmbedding().getParameters();
      for (int i = 0; i < ours.size(); i++) {
        float[] value = statistics.remove(ours.keyAt(i));
        if (value != null) {
          ours.valueAt(i).getArray().set(value);
        }
      }
      assertTrue(statistics.isEmpty(), statistics.keySet().toString());
      float[][] actual =
          Embedder.embed(
                  model,
                  checkpoint.options().inputNormalization(),
                  new ImageFiles(files, Datasets.inputSpec(checkpoint.options().data())),
                  4)
              .features();
      float[] expected = floats(fromDirectory);
      int d = actual[0].length;
      assertEquals(expected.length, actual.length * d);
      for (int i = 0; i < actual.length; i++) {
        assertArrayEquals(
            Arrays.copyOfRange(expected, i * d, (i + 1) * d), actual[i], 1e-5f, files.get(i) + "");
      }
    }
    // And embed, evaluate, export use the run alone.
    embedded(tuned, images, "normalised-tuned-embed");
    Path export = tmp.resolve("normalised-tuned-export");
    ok("export", tuned.toString(), "--out", export.toString());
    assertTrue(Files.readString(export.resolve("serving.properties")).contains("mean=0.5,0.5,0.5"));
    fails(
        2,
        "--input-mean 0.25 (checkpoint: 0.5,0.5,0.5)",
        "train",
        "--out",
        tuned.toString(),
        "--resume",
        "--epochs",
        "2",
        "--input-mean",
        "0.25",
        "--no-progress");
    assertEquals(1, Checkpoint.read(tuned).epochsDone());
  }

  @Test
  void badNormalisationValuesAreRefusedNamingTheOption() {
    Path never = tmp.resolve("never-normalised");
    for (String[] bad :
        new String[][] {
          {"--input-std", "0", "--input-std must be finite and > 0, got 0.0"},
          {"--input-std", "-0.5", "--input-std must be finite and > 0"},
          {"--input-mean", "NaN", "--input-mean must be finite"},
          {"--input-mean", "0.1,0.2", "--input-mean must be one value, or one per channel (3)"},
          {"--input-std", "x", "--input-std"}
        }) {
      fails(2, bad[2], train(never, bad[0], bad[1]).toArray(new String[0]));
    }
    assertFalse(Files.exists(never));
  }
}
