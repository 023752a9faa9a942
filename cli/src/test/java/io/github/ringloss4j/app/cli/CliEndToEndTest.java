package io.github.ringloss4j.app.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.ringloss4j.app.io.DecodedNpy;
import io.github.ringloss4j.app.recordio.ImageFormat;
import io.github.ringloss4j.app.recordio.SyntheticFaces;
import io.github.ringloss4j.app.report.HeadlineTable;
import io.github.ringloss4j.app.train.Checkpoint;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The application end to end on data the tests write, checking what it writes, not only exits. */
class CliEndToEndTest {

  @TempDir static Path tmp;
  static Path idx;

  @BeforeAll
  static void data() throws Exception {
    idx = TinyData.idx(tmp.resolve("idx"), 90, 30, 1);
  }

  record Run(int exit, String out, String err) {}

  static Run run(String... args) {
    PrintStream oldOut = System.out;
    PrintStream oldErr = System.err;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      int exit = RingLossCli.execute(args);
      return new Run(
          exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(oldOut);
      System.setErr(oldErr);
    }
  }

  /** Runs a command that must succeed, showing its standard error when it does not. */
  static Run ok(String... args) {
    Run r = run(args);
    assertEquals(0, r.exit(), r.err());
    return r;
  }

  /** Runs a command that must fail with an exit code and an error message naming something. */
  static Run fails(int exit, String named, String... args) {
    Run r = run(args);
    assertEquals(exit, r.exit(), r.err());
    assertTrue(r.err().contains(named), r.err());
    return r;
  }

  static String[] train(Path out, int epochs) {
    List<String> args =
        new java.util.ArrayList<>(
            List.of(
                "train",
                "--data",
                idx.toString(),
                "--out",
                out.toString(),
                "--epochs",
                Integer.toString(epochs),
                "--batch-size",
                "16",
                "--embedding-size",
                "8",
                "--lr",
                "0.02",
                "--lambda",
                "0.1",
                "--no-progress"));
    return args.toArray(new String[0]);
  }

  @Test
  void trainEvaluateEmbedAndReportOnIdxData() throws Exception {
    Path run = tmp.resolve("run-idx");
    ok(train(run, 2));
    List<String> csv = Files.readAllLines(run.resolve("metrics.csv"));
    assertEquals(3, csv.size(), "header + one line per epoch: " + csv);
    assertTrue(csv.get(0).startsWith("epoch,train_softmax,train_ring"), csv.get(0));
    String[] last = csv.get(2).split(",");
    assertEquals("2", last[0].replace(".0", ""));
    double radius = Double.parseDouble(last[13]);
    assertTrue(radius > 0, "R recorded: " + csv.get(2));
    assertTrue(Files.readString(run.resolve("metrics.json")).contains("\"val_accuracy\""));
    Checkpoint checkpoint = Checkpoint.read(run);
    assertEquals(2, checkpoint.epochsDone());
    assertEquals(0.1, checkpoint.options().ring().lambda());

    Run evaluate = ok("evaluate", run.toString(), "--pairs-per-kind", "100", "--no-progress");
    String json = Files.readString(run.resolve("evaluation.json"));
    for (String key :
        List.of(
            "\"accuracy\"",
            "\"auc\"",
            "\"eer\"",
            "\"tar_at_far_1e-2\"",
            "\"kfold_accuracy_mean\"",
            "\"identification_rank1\"")) {
      assertTrue(json.contains(key), key + " in " + json);
    }
    assertTrue(evaluate.out().contains("cosine"), evaluate.out());

    Path emb = tmp.resolve("emb");
    ok("embed", run.toString(), "--out", emb.toString(), "--no-progress");
    float[][] vectors = DecodedNpy.read(emb.resolve("embeddings.npy")).rows();
    assertEquals(30, vectors.length);
    assertEquals(8, vectors[0].length);
    float[] norms = DecodedNpy.read(emb.resolve("norms.npy")).floats();
    double n0 = 0;
    for (float v : vectors[0]) {
      n0 += v * v;
    }
    assertEquals(Math.sqrt(n0), norms[0], 1e-4 * norms[0]);
    long[] labels = DecodedNpy.read(emb.resolve("labels.npy")).longs();
    assertArrayEquals(new long[] {0, 1, 2}, java.util.Arrays.copyOf(labels, 3));
    List<String> rows = Files.readAllLines(emb.resolve("embeddings.csv"));
    assertEquals(31, rows.size());
    assertTrue(rows.get(0).startsWith("source,label,norm,f0"), rows.get(0));

    Path report = tmp.resolve("report");
    ok(
        "report",
        run.toString(),
        "--out",
        report.toString(),
        "--pairs-per-kind",
        "100",
        "--no-progress");
    String md = Files.readString(report.resolve("report.md"));
    assertTrue(md.contains("| run-idx |"), md);
    assertTrue(md.contains("ringloss report"), "names the command: " + md);
    for (String png :
        List.of(
            "softmax_loss.png",
            "ring_loss.png",
            "accuracy.png",
            "norms.png",
            "norm_histogram.png",
            "roc.png")) {
      byte[] bytes = Files.readAllBytes(report.resolve(png));
      assertTrue(bytes.length > 1000 && bytes[1] == 'P' && bytes[2] == 'N' && bytes[3] == 'G', png);
    }
  }

  @Test
  void resumedRunEqualsUninterruptedRun() throws Exception {
    Path straight = tmp.resolve("straight");
    assertEquals(0, run(train(straight, 3)).exit());
    Path resumed = tmp.resolve("resumed");
    // An interruption after epoch 1 of 3, then a resume.
    List<String> first = new java.util.ArrayList<>(List.of(train(resumed, 3)));
    first.addAll(List.of("--stop-after", "1"));
    assertEquals(0, run(first.toArray(new String[0])).exit());
    assertEquals(1, Checkpoint.read(resumed).epochsDone());
    ok("train", "--out", resumed.toString(), "--resume", "--no-progress");
    Checkpoint a = Checkpoint.read(straight);
    Checkpoint b = Checkpoint.read(resumed);
    assertEquals(3, b.epochsDone());
    assertArrayEquals(a.modelParameters(), b.modelParameters(), "same weights and R");
    assertArrayEquals(a.optimizerState(), b.optimizerState(), "same optimiser state");
    for (int e = 0; e < 3; e++) {
      assertEquals(a.history().get(e).trainTotal(), b.history().get(e).trainTotal(), 0.0);
      assertEquals(a.history().get(e).radius(), b.history().get(e).radius(), 0.0);
    }
  }

  @Test
  void resumeRefusesChangedOptionsAndListsThem() throws Exception {
    Path run = tmp.resolve("resume-rule");
    List<String> first = new java.util.ArrayList<>(List.of(train(run, 2)));
    first.addAll(List.of("--stop-after", "1"));
    ok(first.toArray(new String[0]));
    byte[] saved = Files.readAllBytes(run.resolve(Checkpoint.FILE_NAME));
    // This once trained on silently with the saved λ = 0.1.
    Run refused =
        fails(
            2,
            "--lambda 0.5 (checkpoint: 0.1)",
            "train",
            "--out",
            run.toString(),
            "--resume",
            "--lambda",
            "0.5",
            "--penalty",
            "huber",
            "--no-progress");
    assertTrue(refused.err().contains("--penalty huber (checkpoint: squared)"), refused.err());
    assertArrayEquals(saved, Files.readAllBytes(run.resolve(Checkpoint.FILE_NAME)), "untouched");
    // Saved options given with their saved values, and options that may change, are accepted.
    ok(
        "train",
        "--out",
        run.toString(),
        "--resume",
        "--lambda",
        "0.1",
        "--batch-size",
        "16",
        "--epochs",
        "3",
        "--stop-after",
        "1",
        "--workers",
        "2",
        "--prefetch",
        "3",
        "--progress",
        "off");
    Checkpoint resumed = Checkpoint.read(run);
    assertEquals(2, resumed.epochsDone());
    assertEquals(3, resumed.options().run().epochs());
    assertEquals(0.1, resumed.options().ring().lambda());
    fails(
        2,
        "--epochs 1 is below the 2 epochs",
        "train",
        "--out",
        run.toString(),
        "--resume",
        "--epochs",
        "1",
        "--no-progress");
  }

  @Test
  void imageFolderWithPairsFile() throws Exception {
    Path faces = TinyData.faces(tmp.resolve("faces"), 4, 5, 3);
    Path run = tmp.resolve("run-faces");
    ok(
        "train",
        "--data",
        faces.toString(),
        "--out",
        run.toString(),
        "--image-size",
        "16",
        "--channels",
        "3",
        "--epochs",
        "1",
        "--batch-size",
        "4",
        "--embedding-size",
        "4",
        "--validation-fraction",
        "0.2",
        "--augment",
        "--no-progress");
    assertEquals(List.of("id0", "id1", "id2", "id3"), Checkpoint.read(run).classNames());
    ok(
        "evaluate",
        run.toString(),
        "--data",
        faces.toString(),
        "--pairs",
        faces.resolve("pairs.txt").toString(),
        "--no-progress");
    String json = Files.readString(run.resolve("evaluation.json"));
    assertTrue(json.contains("\"genuine_pairs\": 6"), json);
    assertTrue(json.contains("\"impostor_pairs\": 6"), json);
    assertTrue(json.contains("2 folds"), json);

    // verify: an image against itself is the same identity at any threshold below 1.
    Path image = faces.resolve("id0").resolve("id0_0001.png");
    Run same =
        ok("verify", run.toString(), image.toString(), image.toString(), "--threshold", "0.999");
    assertTrue(same.out().contains("cosine 1.0000"), same.out());
    Run different =
        run(
            "verify",
            run.toString(),
            image.toString(),
            faces.resolve("id2").resolve("id2_0001.png").toString(),
            "--threshold",
            "1");
    assertEquals(VerifyCommand.EXIT_DIFFERENT, different.exit(), different.err());
    // Without --threshold the evaluation's thresholds are used.
    ok("verify", run.toString(), image.toString(), image.toString());
    // An evaluation.json without them is an error naming the file and the field.
    Path evaluation = run.resolve("evaluation.json");
    String complete = Files.readString(evaluation);
    Files.writeString(evaluation, complete.replaceFirst("\"kfold_thresholds\"", "\"thresholds\""));
    Run broken =
        fails(3, "evaluation.json", "verify", run.toString(), image.toString(), image.toString());
    assertTrue(broken.err().contains("missing field 'kfold_thresholds'"), broken.err());
    Files.writeString(evaluation, complete);

    // embed a flat folder of new images
    Path flat = Files.createDirectories(tmp.resolve("flat"));
    Files.copy(image, flat.resolve("a.png"));
    Files.copy(faces.resolve("id1").resolve("id1_0001.png"), flat.resolve("b.png"));
    Path emb = tmp.resolve("emb-flat");
    ok("embed", run.toString(), "--images", flat.toString(), "--out", emb.toString());
    assertEquals(2, DecodedNpy.read(emb.resolve("embeddings.npy")).rows().length);
    assertArrayEquals(new long[] {-1, -1}, DecodedNpy.read(emb.resolve("labels.npy")).longs());
    assertTrue(Files.readAllLines(emb.resolve("embeddings.csv")).get(1).contains("a.png"));
  }

  @Test
  void malformedInputsGiveClearErrorsAndNoPartialOutput() throws Exception {
    Path bad = Files.createDirectories(tmp.resolve("bad-idx"));
    for (String f :
        List.of(
            "train-images-idx3-ubyte.gz",
            "train-labels-idx1-ubyte.gz",
            "t10k-images-idx3-ubyte.gz",
            "t10k-labels-idx1-ubyte.gz")) {
      Files.copy(idx.resolve(f), bad.resolve(f));
    }
    // Truncate the training images: the header says 90 images.
    byte[] whole = Files.readAllBytes(idx.resolve("train-images-idx3-ubyte.gz"));
    java.io.ByteArrayOutputStream raw = new java.io.ByteArrayOutputStream();
    try (java.util.zip.GZIPInputStream in =
        new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(whole))) {
      in.transferTo(raw);
    }
    byte[] truncated = java.util.Arrays.copyOf(raw.toByteArray(), 16 + 784 * 10 + 5);
    try (java.io.OutputStream o =
        new java.util.zip.GZIPOutputStream(
            Files.newOutputStream(bad.resolve("train-images-idx3-ubyte.gz")))) {
      o.write(truncated);
    }
    Path out = tmp.resolve("bad-run");
    Run r =
        fails(
            3,
            "train-images-idx3-ubyte.gz",
            "train",
            "--data",
            bad.toString(),
            "--out",
            out.toString(),
            "--no-progress");
    assertTrue(r.err().contains("truncated"), r.err());
    assertFalse(Files.exists(out.resolve(Checkpoint.FILE_NAME)), "no checkpoint from a failed run");

    Path faces = TinyData.faces(tmp.resolve("faces-bad"), 3, 3, 5);
    Files.writeString(faces.resolve("pairs.txt"), "2\t3\nid0\t1\n");
    Path run = tmp.resolve("run-faces-bad");
    assertEquals(
        0,
        run(
                "train",
                "--data",
                faces.toString(),
                "--out",
                run.toString(),
                "--image-size",
                "16",
                "--epochs",
                "1",
                "--batch-size",
                "4",
                "--embedding-size",
                "4",
                "--no-progress")
            .exit());
    fails(
        3,
        "pairs.txt:2",
        "evaluate",
        run.toString(),
        "--data",
        faces.toString(),
        "--pairs",
        faces.resolve("pairs.txt").toString(),
        "--no-progress");
    assertFalse(Files.exists(run.resolve("evaluation.json")), "no evaluation from bad pairs");

    Files.writeString(faces.resolve("id1").resolve("id1_0002.png"), "not an image");
    fails(
        3,
        "id1_0002.png",
        "train",
        "--data",
        faces.toString(),
        "--out",
        tmp.resolve("corrupt").toString(),
        "--image-size",
        "16",
        "--epochs",
        "1",
        "--no-progress");

    Files.createDirectories(faces.resolve("empty"));
    fails(
        3,
        "empty",
        "train",
        "--data",
        faces.toString(),
        "--out",
        tmp.resolve("empty").toString(),
        "--no-progress");

    fails(3, "nowhere", "evaluate", tmp.resolve("nowhere").toString());

    fails(
        2,
        "--lambda",
        "train",
        "--data",
        idx.toString(),
        "--lambda",
        "-1",
        "--out",
        tmp.resolve("x").toString());

    Run penalty =
        run(
            "train",
            "--data",
            idx.toString(),
            "--penalty",
            "hubert",
            "--out",
            tmp.resolve("y").toString());
    assertEquals(2, penalty.exit(), penalty.err());
    assertTrue(penalty.err().contains("squared"), "lists the valid penalties: " + penalty.err());
    try (Stream<Path> files = Files.list(tmp)) {
      assertTrue(
          files.noneMatch(p -> p.getFileName().toString().contains(".tmp")), "no temp files left");
    }
  }

  @Test
  void compareOnATinyGrid() throws Exception {
    Path runs = tmp.resolve("compare-runs");
    Path report = tmp.resolve("compare-report");
    Path notes =
        Files.writeString(tmp.resolve("notes.md"), "## Reading\n\nTiny data, no conclusions.\n");
    Run compare =
        ok(
            "compare",
            "--data",
            idx.toString(),
            "--methods",
            "softmax,ring@0.1,arcface,center@0.01",
            "--seeds",
            "2",
            "--epochs",
            "1",
            "--train-limit",
            "60",
            "--resolutions",
            "14,7",
            "--pairs-per-kind",
            "50",
            "--out",
            runs.toString(),
            "--report",
            report.toString(),
            "--notes",
            notes.toString(),
            "--no-progress");
    List<String> csv = Files.readAllLines(runs.resolve("compare.csv"));
    assertEquals(1 + 4 * 2, csv.size(), "a row per method and seed: " + csv);
    assertTrue(csv.get(0).contains("kfold_accuracy_7px"), csv.get(0));
    String md = Files.readString(report.resolve("results.md"));
    for (String method :
        List.of("| softmax | 2 |", "| ring@0.1 | 2 |", "| arcface | 2 |", "| center@0.01 | 2 |")) {
      assertTrue(md.contains(method), method + " in " + md);
    }
    assertTrue(md.contains("| 28 px | 14 px | 7 px |"), md);
    assertTrue(md.contains("Tiny data, no conclusions."), md);
    assertTrue(md.contains("ringloss compare"), md);
    assertTrue(Files.size(report.resolve("results").resolve("verification.png")) > 1000);
    assertTrue(Files.size(report.resolve("results").resolve("low_resolution.png")) > 1000);
    assertTrue(md.contains("| ring@0.1 | softmax | 2 |"), md);
    assertTrue(md.contains("Verification accuracy by norm decile"), md);
    assertTrue(md.contains("Feature norm by resolution"), md);
    for (String png : List.of("effects.png", "norm_resolution.png", "norm_deciles.png")) {
      assertTrue(Files.size(report.resolve("results").resolve(png)) > 1000, png);
    }
    assertTrue(Files.readString(runs.resolve("compare_effects.csv")).contains("ring@0.1,softmax"));
    assertTrue(
        Files.isRegularFile(runs.resolve("softmax").resolve("seed1000").resolve("summary.json")));
    // A second call reuses every finished run: the checkpoint is not rewritten.
    Path checkpoint = runs.resolve("softmax").resolve("seed1000").resolve("checkpoint.bin");
    java.nio.file.attribute.FileTime written = Files.getLastModifiedTime(checkpoint);
    byte[] bytes = Files.readAllBytes(checkpoint);
    Run again =
        ok(
            "compare",
            "--data",
            idx.toString(),
            "--methods",
            "softmax",
            "--seeds",
            "1",
            "--epochs",
            "1",
            "--train-limit",
            "60",
            "--resolutions",
            "7",
            "--pairs-per-kind",
            "50",
            "--out",
            runs.toString(),
            "--report",
            report.toString(),
            "--no-progress");
    assertEquals(written, Files.getLastModifiedTime(checkpoint));
    assertArrayEquals(bytes, Files.readAllBytes(checkpoint));
    assertTrue(again.out().contains("accuracy"), again.out());
    fails(2, "tripletface", "compare", "--methods", "tripletface", "--out", runs.toString());
  }

  /** A grid of softmax and ring@0.1, 2 seeds, on 80 training images, reported into its --out. */
  private static List<String> tinyCompare(String protocol, Path data, Path runs, int epochs) {
    return List.of(
        "compare",
        "--protocol",
        protocol,
        "--data",
        data.toString(),
        "--methods",
        "softmax,ring@0.1",
        "--seeds",
        "2",
        "--epochs",
        Integer.toString(epochs),
        "--train-limit",
        "80",
        "--resolutions",
        "7",
        "--pairs-per-kind",
        "20",
        "--out",
        runs.toString(),
        "--no-progress");
  }

  @Test
  void compareOpenSetHoldsOutTwoClassesPerFold() throws Exception {
    Path ten = TinyData.idx(tmp.resolve("idx10"), 200, 100, 3, 10);
    Path runs = tmp.resolve("open-runs");
    List<String> args = tinyCompare("open", ten, runs, 1);
    ok(args.toArray(String[]::new));
    // Seed number k holds out fold k mod 5: {0,1} for seed 1000, {2,3} for seed 1001.
    Path run = runs.resolve("ring@0.1").resolve("heldout01").resolve("seed1000");
    assertTrue(Files.isRegularFile(run.resolve("summary.json")));
    assertTrue(
        Files.readString(run.resolve("summary.json")).contains("\"excludeClasses\": ["),
        "the class filter is saved with the run");
    assertTrue(Files.isDirectory(runs.resolve("softmax").resolve("heldout23").resolve("seed1001")));
    List<String> csv = Files.readAllLines(runs.resolve("compare.csv"));
    assertEquals(1 + 2 * 2, csv.size(), csv.toString());
    String md = Files.readString(runs.resolve("results.md"));
    assertTrue(md.contains("Open set"), md);
    assertTrue(md.contains("| ring@0.1 | softmax | 2 |"), md);
    // A second sitting reuses the summaries without reading the checkpoints.
    Run again = ok(args.toArray(String[]::new));
    assertTrue(again.out().contains("reused"), again.out());
  }

  @Test
  @Tag("slow")
  void compareBothProtocolsWritesOneReportAndTheReadmeTable() throws Exception {
    Path ten = TinyData.idx(tmp.resolve("idx10-both"), 200, 100, 3, 10);
    Path runs = tmp.resolve("both-runs");
    Path readme = tmp.resolve("README.md");
    Files.writeString(
        readme,
        "# Title\n\n"
            + HeadlineTable.BEGIN
            + "\nold table\n"
            + HeadlineTable.END
            + "\n\nMore text.\n");
    List<String> args = new java.util.ArrayList<>(tinyCompare("both", ten, runs, 2));
    args.addAll(List.of("--readme", readme.toString(), "--schedule-check", "3"));
    ok(args.toArray(String[]::new));
    assertTrue(Files.isRegularFile(runs.resolve("closed/softmax/seed1001/summary.json")));
    assertTrue(Files.isRegularFile(runs.resolve("open/ring@0.1/heldout23/seed1001/summary.json")));
    assertTrue(Files.isRegularFile(runs.resolve("closed/compare.csv")));
    assertTrue(Files.isRegularFile(runs.resolve("open/compare_effects.csv")));
    String md = Files.readString(runs.resolve("results.md"));
    // The data and the machine as they were, not Fashion-MNIST's sizes: 200 training images
    // limited to 80, 100 test images, 10 per class in each fold's two.
    for (String told :
        List.of(
            "Data: the data in " + ten + ", 80 training images per run",
            "the 100 test images for evaluation",
            "The training sample (80 images) is drawn from the 8 classes only",
            "drawn from the fold's 20 test images",
            "DJL " + ai.djl.engine.Engine.getDjlVersion() + " with PyTorch ")) {
      assertTrue(md.contains(told), told + " in\n" + md);
    }
    for (String heading :
        List.of(
            "## Results, closed set",
            "## Results, open set",
            "## Effect sizes, closed set",
            "## Effect sizes, open set",
            "## Feature norm by resolution, open set",
            "## The schedule: validation accuracy by epoch, closed set")) {
      assertTrue(md.contains(heading), heading + " in\n" + md);
    }
    // Two epochs of the two seeds of each method, in the schedule table.
    assertTrue(
        md.contains(
            "| epoch | softmax (n = 2) | ring@0.1 (n = 2) | softmax, 3 epochs (seed 1000) (n = 1) |"),
        md);
    assertTrue(md.contains("\n| 2 | "), md);
    // The longer schedule's third epoch, past the grid's two.
    assertTrue(md.contains("\n| 3 | — | — | "), md);
    assertTrue(
        Files.isRegularFile(
            runs.resolve("closed/schedule-check/softmax-3-epochs/seed1000/metrics.json")));
    for (String png :
        List.of(
            "closed_set_verification.png",
            "open_set_effects.png",
            "open_set_norm_resolution.png",
            "validation_curve.png")) {
      assertTrue(Files.size(runs.resolve("results").resolve(png)) > 1000, png);
      assertTrue(md.contains("](results/" + png + ")"), png);
    }
    String text = Files.readString(readme);
    assertFalse(text.contains("old table"), text);
    assertTrue(text.startsWith("# Title\n\n" + HeadlineTable.BEGIN + "\n| method |"), text);
    assertTrue(text.endsWith(HeadlineTable.END + "\n\nMore text.\n"), text);
    assertTrue(text.contains("| ring@0.1 | "), text);
    // A second sitting trains nothing, the schedule check included (its summary has no numbers).
    Path check = runs.resolve("closed/schedule-check/softmax-3-epochs/seed1000");
    Files.delete(check.resolve("checkpoint.bin"));
    Run again = ok(args.toArray(String[]::new));
    assertTrue(again.out().contains("reused " + check.resolve("summary.json")), again.out());
    assertFalse(Files.exists(check.resolve("checkpoint.bin")));
    // Refused before any training: a README without the block.
    Files.writeString(readme, "# No block\n");
    Run r = run(args.toArray(String[]::new));
    assertTrue(r.exit() != 0, r.err());
    assertTrue(r.err().contains(readme.toString()), r.err());
    assertTrue(r.err().contains(HeadlineTable.BEGIN), r.err());
    fails(2, "closed, open or both", "compare", "--protocol", "half", "--out", runs.toString());
    fails(2, "--schedule-check", "compare", "--epochs", "2", "--schedule-check", "2");
    fails(
        2,
        "--protocol closed or both",
        "compare",
        "--protocol",
        "open",
        "--epochs",
        "2",
        "--schedule-check",
        "3");
  }

  /** The metrics that do not measure time. */
  private static List<Double> results(io.github.ringloss4j.app.train.EpochMetrics m) {
    return List.of(
        m.trainSoftmax(),
        m.trainRing(),
        m.trainAccuracy(),
        m.trainNormMean(),
        m.trainNormStd(),
        m.valTotal(),
        m.valAccuracy(),
        m.valNormMean(),
        m.radius(),
        m.learningRate());
  }

  @Test
  void packedSetTrainsTheSameWithOneOrThreeWorkers() throws Exception {
    Path packed = tmp.resolve("packed");
    new SyntheticFaces(4, 8, 11).writePacked(packed, ImageFormat.JPEG);
    List<Checkpoint> runs = new java.util.ArrayList<>();
    for (String workers : List.of("1", "3")) {
      Path run = tmp.resolve("packed-run-" + workers);
      ok(
          "train",
          "--data",
          packed.toString(),
          "--out",
          run.toString(),
          "--image-size",
          "16",
          "--channels",
          "3",
          "--epochs",
          "2",
          "--batch-size",
          "4",
          "--embedding-size",
          "4",
          "--validation-fraction",
          "0.5",
          "--augment",
          "--workers",
          workers,
          "--prefetch",
          workers.equals("1") ? "1" : "3",
          "--no-progress");
      runs.add(Checkpoint.read(run));
    }
    Checkpoint one = runs.get(0);
    Checkpoint three = runs.get(1);
    assertEquals(List.of("id0", "id1", "id2", "id3"), one.classNames());
    assertArrayEquals(one.modelParameters(), three.modelParameters(), "same weights and R");
    assertArrayEquals(one.optimizerState(), three.optimizerState(), "same optimiser state");
    for (int e = 0; e < 2; e++) {
      assertEquals(results(one.history().get(e)), results(three.history().get(e)), "epoch " + e);
    }
    // Held out: 4 of the 8 images per identity, which evaluate and embed read back.
    Path run = tmp.resolve("packed-run-3");
    ok("evaluate", run.toString(), "--pairs-per-kind", "20", "--no-progress");
    Path emb = tmp.resolve("emb-packed");
    ok("embed", run.toString(), "--out", emb.toString(), "--no-progress");
    List<String> rows = Files.readAllLines(emb.resolve("embeddings.csv"));
    assertEquals(1 + 16, rows.size());
    assertTrue(rows.get(1).contains("train.rec#"), rows.get(1));
    fails(
        2,
        "not a packed set",
        "evaluate",
        run.toString(),
        "--pairs",
        tmp.resolve("none.txt").toString(),
        "--no-progress");
  }

  @Test
  void aRecordThatDoesNotDecodeIsNamedWithExitCode3() throws Exception {
    Path packed = tmp.resolve("packed-bad");
    SyntheticFaces faces = new SyntheticFaces(2, 3, 5);
    io.github.ringloss4j.app.recordio.PackedDatasetWriter.write(
        packed,
        faces.classNames(),
        SyntheticFaces.SIDE,
        SyntheticFaces.SIDE,
        sink -> {
          for (int i = 0; i < 6; i++) {
            byte[] image = faces.encoded(i / 3, i % 3, ImageFormat.PNG);
            sink.add(i / 3, i == 4 ? java.util.Arrays.copyOf(image, image.length / 2) : image);
          }
        });
    Run r =
        fails(
            3,
            "record key 5",
            "train",
            "--data",
            packed.toString(),
            "--out",
            tmp.resolve("packed-bad-run").toString(),
            "--image-size",
            "16",
            "--validation-fraction",
            "0",
            "--workers",
            "2",
            "--no-progress");
    assertTrue(r.err().contains(packed.resolve("train.rec") + " at byte "), r.err());
    // Found by the pre-check of every record, before training.
    assertTrue(r.err().contains("1 of 6 images cannot be read"), r.err());
    assertTrue(r.err().contains("does not end with the PNG IEND chunk"), r.err());
    assertTrue(
        Thread.getAllStackTraces().keySet().stream()
            .noneMatch(
                t ->
                    t.isAlive()
                        && t.getName()
                            .startsWith(io.github.ringloss4j.app.data.BatchReader.THREAD_PREFIX)),
        "the failed run's data workers have stopped");
  }

  @Test
  void aFaceNetworkTrainsOnAPackedSetOfAlignedFaces() throws Exception {
    Path packed = tmp.resolve("packed-faces");
    new SyntheticFaces(3, 4, 2).writePacked(packed, ImageFormat.JPEG);
    Path run = tmp.resolve("mobilefacenet");
    // 9 training images in batches of 4 would end each epoch with one image, on which its batch
    // norm over 1×1 maps cannot train (PyTorch refuses it): that image is left out.
    ok(
        "train",
        "--data",
        packed.toString(),
        "--out",
        run.toString(),
        "--model",
        "mobilefacenet",
        "--image-size",
        "112",
        "--channels",
        "3",
        "--epochs",
        "1",
        "--batch-size",
        "4",
        "--embedding-size",
        "8",
        "--validation-fraction",
        "0.25",
        "--no-progress");
    Checkpoint checkpoint = Checkpoint.read(run);
    assertEquals(
        io.github.ringloss4j.app.model.Backbone.MOBILEFACENET,
        checkpoint.options().model().backbone());
    assertTrue(Double.isFinite(checkpoint.history().get(0).valTotal()));
  }

  @Test
  void faceNetworksNeedFaceSizedColourInput() {
    Run r =
        fails(
            2,
            "--image-size",
            "train",
            "--data",
            idx.toString(),
            "--model",
            "iresnet18",
            "--out",
            tmp.resolve("iresnet-on-idx").toString(),
            "--no-progress");
    assertTrue(r.err().contains("--model iresnet18"), r.err());
    assertTrue(r.err().contains("3×112×112"), r.err());
    assertFalse(Files.exists(tmp.resolve("iresnet-on-idx").resolve(Checkpoint.FILE_NAME)));
  }

  @Test
  void everyCommandHasHelp() {
    for (String command :
        List.of("demo", "train", "evaluate", "embed", "verify", "compare", "report")) {
      Run help = run(command, "--help");
      assertEquals(0, help.exit(), command);
      assertTrue(help.out().contains("Usage: ringloss " + command), help.out());
    }
  }
}
