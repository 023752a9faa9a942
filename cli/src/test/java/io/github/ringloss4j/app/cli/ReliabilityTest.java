package io.github.ringloss4j.app.cli;

import static io.github.ringloss4j.app.cli.CliEndToEndTest.fails;
import static io.github.ringloss4j.app.cli.CliEndToEndTest.ok;
import static io.github.ringloss4j.app.cli.CliEndToEndTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.github.ringloss4j.app.io.DecodedNpy;
import io.github.ringloss4j.app.train.Checkpoint;
import io.github.ringloss4j.nn.RingModelBlock;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reliability issue's end-to-end checks: what the application says and writes when a model has
 * collapsed, when evaluation data differ from the training data, when outputs cannot be written,
 * when images are unreadable, and how a run without a ring reports itself.
 */
class ReliabilityTest {

  @TempDir static Path tmp;
  static Path idx;
  static Path faces;
  static Path facesRun;

  @BeforeAll
  static void data() throws IOException {
    idx = TinyData.idx(tmp.resolve("idx"), 90, 30, 1);
    faces = TinyData.faces(tmp.resolve("faces"), 4, 6, 3);
    facesRun = tmp.resolve("faces-run");
    // Trivially separable classes, trained until every test image is right (asserted below): a
    // name-matched accuracy must then be 1, and an index-matched one on reordered classes 0.
    ok(facesTrain(faces, facesRun, "--epochs", "6", "--validation-fraction", "0.34"));
  }

  static String[] facesTrain(Path data, Path out, String... more) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "train",
                "--data",
                data.toString(),
                "--out",
                out.toString(),
                "--image-size",
                "16",
                "--channels",
                "3",
                "--batch-size",
                "4",
                "--embedding-size",
                "4",
                "--lr",
                "0.05",
                "--no-progress"));
    args.addAll(List.of(more));
    return args.toArray(new String[0]);
  }

  /** A short run on the tiny IDX data. */
  static String[] idxTrain(Path out, int epochs, String lambda) {
    return new String[] {
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
      lambda,
      "--no-progress"
    };
  }

  static JsonObject json(Path file) throws IOException {
    return JsonParser.parseString(Files.readString(file)).getAsJsonObject();
  }

  static List<Path> tree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return List.of();
    }
    try (Stream<Path> files = Files.walk(dir)) {
      return files.sorted().toList();
    }
  }

  static Path copyClasses(Path target, String... renames) throws IOException {
    // pairs "source=target": copies faces/source as target/<target>
    for (String rename : renames) {
      String[] st = rename.split("=");
      Path to = Files.createDirectories(target.resolve(st[1]));
      try (Stream<Path> images = Files.list(faces.resolve(st[0]))) {
        for (Path image : images.toList()) {
          Files.copy(image, to.resolve(image.getFileName()));
        }
      }
    }
    return target;
  }

  /** Item 1: a model whose embedding is a constant is reported as such, not as perfect. */
  @Test
  void aCollapsedModelIsReportedWithAWarningAndNoPerfectRank() throws Exception {
    Path run = tmp.resolve("collapsed");
    ok(idxTrain(run, 1, "0.1"));
    Path file = run.resolve(Checkpoint.FILE_NAME);
    Checkpoint trained = Checkpoint.read(run);
    byte[] collapsed;
    try (Model model = trained.loadModel()) {
      RingModelBlock block = (RingModelBlock) model.getBlock();
      // The last linear layer's weights at 0: every input maps to its bias, one point.
      Parameter last = null;
      for (Pair<String, Parameter> p : block.getEmbedding().getParameters()) {
        if (p.getKey().endsWith("weight") && p.getValue().getArray().getShape().dimension() == 2) {
          last = p.getValue();
        }
      }
      NDArray weight = last.getArray();
      weight.muli(0);
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      block.saveParameters(new DataOutputStream(bytes));
      collapsed = bytes.toByteArray();
    }
    new Checkpoint(
            trained.options(),
            trained.classNames(),
            trained.history(),
            collapsed,
            trained.optimizerState())
        .write(file);
    CliEndToEndTest.Run r = ok("evaluate", run.toString(), "--pairs-per-kind", "100");
    assertTrue(
        r.out().contains("WARNING: degenerate embeddings: all 30 rows are identical"), r.out());
    assertTrue(r.err().contains("degenerate embeddings"), "logged: " + r.err());
    double rank1 = json(run.resolve("evaluation.json")).get("identification_rank1").getAsDouble();
    assertTrue(rank1 < 1.0, "ties are no match: rank-1 " + rank1);
  }

  /** Items 5 and 6: classes matched by name, accuracy n/a on new classes, k-fold with its k. */
  @Test
  void otherDataAreMatchedByClassNameAndFoldsAreCounted() throws Exception {
    CliEndToEndTest.Run own = ok("evaluate", facesRun.toString());
    JsonObject ownJson = json(facesRun.resolve("evaluation.json"));
    assertEquals(1.0, ownJson.get("accuracy").getAsDouble(), own.out());
    // 2 test images in each of 4 classes: 4 genuine pairs, so 4 folds, said everywhere.
    assertTrue(own.out().contains("4-fold acc"), own.out());
    assertFalse(own.out().contains("10-fold"), own.out());
    assertTrue(own.out().contains("the data allow only 4 genuine"), own.out());

    // Two training classes, in another order of labels: id1 is label 0 here, id3 label 1.
    Path reordered = copyClasses(tmp.resolve("reordered"), "id3=id3", "id1=id1");
    Path out = tmp.resolve("reordered.json");
    ok("evaluate", facesRun.toString(), "--data", reordered.toString(), "--out", out.toString());
    assertEquals(1.0, json(out).get("accuracy").getAsDouble(), "matched by name, not by index");

    // A class the model never saw: accuracy does not apply.
    Path stranger = copyClasses(tmp.resolve("stranger"), "id0=id0", "id2=zz-stranger");
    Path out2 = tmp.resolve("stranger.json");
    CliEndToEndTest.Run r =
        ok(
            "evaluate",
            facesRun.toString(),
            "--data",
            stranger.toString(),
            "--out",
            out2.toString());
    assertTrue(json(out2).get("accuracy").isJsonNull(), Files.readString(out2));
    assertTrue(r.out().contains("accuracy n/a"), r.out());

    // IDX data are 28×28 grey whatever the run took: refused, not fed to the model.
    CliEndToEndTest.Run shape =
        fails(
            RingLossCli.EXIT_DATA,
            idx.toString(),
            "evaluate",
            facesRun.toString(),
            "--data",
            idx.toString(),
            "--out",
            tmp.resolve("shape.json").toString());
    assertTrue(shape.err().contains("the run's model takes 16×16×3"), shape.err());
    fails(
        RingLossCli.EXIT_DATA,
        "the run's model takes",
        "embed",
        facesRun.toString(),
        "--data",
        idx.toString(),
        "--out",
        tmp.resolve("shape-emb").toString());

    // A pairs file's own folds: 2.
    CliEndToEndTest.Run pairs =
        ok(
            "evaluate",
            facesRun.toString(),
            "--data",
            faces.toString(),
            "--pairs",
            faces.resolve("pairs.txt").toString(),
            "--out",
            tmp.resolve("pairs.json").toString());
    assertTrue(pairs.out().contains("2-fold acc"), pairs.out());
    assertFalse(pairs.out().contains("10-fold"), pairs.out());

    Path report = tmp.resolve("report");
    ok("report", facesRun.toString(), "--out", report.toString());
    String md = Files.readString(report.resolve("report.md"));
    assertTrue(md.contains("| 4-fold acc. |"), md);
    assertFalse(md.contains("10-fold"), md);
  }

  /** Item 8: too few classes, single-image classes, drawn pairs within what the data allow. */
  @Test
  void smallFoldersAreRefusedOrReportedBeforeTraining() throws Exception {
    Path one = copyClasses(tmp.resolve("one-class"), "id0=only");
    Path out = tmp.resolve("one-class-run");
    CliEndToEndTest.Run r = fails(RingLossCli.EXIT_DATA, one.toString(), facesTrain(one, out));
    assertTrue(r.err().contains("at least two classes"), r.err());
    assertFalse(Files.exists(out), "nothing written");

    Path single = copyClasses(tmp.resolve("single"), "id0=a", "id1=b");
    Files.createDirectories(single.resolve("c"));
    Files.copy(faces.resolve("id2/id2_0001.png"), single.resolve("c/only.png"));
    CliEndToEndTest.Run warned =
        ok(
            "train",
            "--data",
            single.toString(),
            "--out",
            tmp.resolve("single-run").toString(),
            "--image-size",
            "8",
            "--epochs",
            "1",
            "--no-progress");
    assertTrue(warned.err().contains("1 of 3 classes have a single image"), warned.err());
    assertTrue(warned.err().contains(": c"), warned.err());
  }

  /** Item 9: every output place is checked before any work, with the system's reason. */
  @Test
  void unwritableOutputsFailBeforeAnyWorkWithExitCode5() throws Exception {
    Path file = Files.writeString(tmp.resolve("somefile"), "x");
    List<Path> before = tree(tmp);
    CliEndToEndTest.Run train =
        fails(
            RingLossCli.EXIT_IO,
            "--out " + file.resolve("out"),
            "train",
            "--data",
            idx.toString(),
            "--out",
            file.resolve("out").toString(),
            "--no-progress");
    assertTrue(train.err().contains("Not a directory"), train.err());
    // Root writes anywhere a permission bit forbids; sysfs refuses everyone.
    CliEndToEndTest.Run sys =
        fails(
            RingLossCli.EXIT_IO,
            "/sys/ringloss-test-run",
            "train",
            "--data",
            idx.toString(),
            "--out",
            "/sys/ringloss-test-run");
    assertTrue(
        sys.err().contains("Permission denied") || sys.err().contains("not permitted"), sys.err());
    fails(
        RingLossCli.EXIT_IO,
        "--out " + file.resolve("e.json"),
        "evaluate",
        facesRun.toString(),
        "--out",
        file.resolve("e.json").toString());
    fails(
        RingLossCli.EXIT_IO,
        "--out " + file.resolve("r"),
        "report",
        facesRun.toString(),
        "--out",
        file.resolve("r").toString());
    fails(
        RingLossCli.EXIT_IO,
        "--report " + file.resolve("c"),
        "compare",
        "--data",
        idx.toString(),
        "--out",
        tmp.resolve("compare-runs").toString(),
        "--report",
        file.resolve("c").toString());
    fails(
        RingLossCli.EXIT_IO,
        "--out " + file.resolve("emb"),
        "embed",
        facesRun.toString(),
        "--out",
        file.resolve("emb").toString());
    // A file where a directory is needed is a bad option value.
    CliEndToEndTest.Run embedIntoFile =
        fails(
            RingLossCli.EXIT_USAGE,
            "is an existing file",
            "embed",
            facesRun.toString(),
            "--out",
            file.toString());
    assertFalse(embedIntoFile.err().contains("\tat "), embedIntoFile.err());
    assertEquals(before, tree(tmp), "nothing written anywhere");

    // Embeddings are not replaced silently.
    Path emb = tmp.resolve("emb");
    ok("embed", facesRun.toString(), "--out", emb.toString());
    byte[] first = Files.readAllBytes(emb.resolve("embeddings.npy"));
    fails(
        RingLossCli.EXIT_USAGE,
        "--overwrite",
        "embed",
        facesRun.toString(),
        "--out",
        emb.toString(),
        "--split",
        "train");
    assertTrue(Arrays.equals(first, Files.readAllBytes(emb.resolve("embeddings.npy"))));
    ok("embed", facesRun.toString(), "--out", emb.toString(), "--split", "train", "--overwrite");
    assertFalse(Arrays.equals(first, Files.readAllBytes(emb.resolve("embeddings.npy"))));
  }

  /** A split that selects nothing is refused, not written as an empty result. */
  @Test
  void embeddingAnEmptySplitIsRefusedAndAllEmbedsEveryItem() throws Exception {
    // One image per identity: round(0.34 × 1) = 0 held out, so the test split is empty.
    Path single = copyClasses(tmp.resolve("single-image"), "id0=a", "id1=b", "id2=c");
    for (String id : List.of("a", "b", "c")) {
      try (Stream<Path> images = Files.list(single.resolve(id))) {
        for (Path image : images.sorted().skip(1).toList()) {
          Files.delete(image);
        }
      }
    }
    Path out = tmp.resolve("single-emb");
    fails(
        RingLossCli.EXIT_USAGE,
        "--split test selects no item of " + single,
        "embed",
        facesRun.toString(),
        "--data",
        single.toString(),
        "--out",
        out.toString());
    assertFalse(Files.exists(out.resolve("embeddings.npy")));
    ok(
        "embed",
        facesRun.toString(),
        "--data",
        single.toString(),
        "--out",
        out.toString(),
        "--split",
        "all");
    assertEquals(3, DecodedNpy.read(out.resolve("labels.npy")).longs().length);
  }

  /** Item 10: every unreadable image is named before training, or skipped on request. */
  @Test
  void unreadableImagesAreAllNamedBeforeTraining() throws Exception {
    Path data = copyClasses(tmp.resolve("bad-images"), "id0=a", "id1=b", "id2=c");
    Path empty = Files.write(data.resolve("a/empty.png"), new byte[0]);
    byte[] png = Files.readAllBytes(data.resolve("b/id1_0001.png"));
    Path header = Files.write(data.resolve("b/header.png"), Arrays.copyOf(png, 24));
    Path text = Files.writeString(data.resolve("c/notes.jpg"), "a text file, not a JPEG\n");
    Path out = tmp.resolve("bad-images-run");
    List<String> args =
        new ArrayList<>(
            List.of(
                "train",
                "--data",
                data.toString(),
                "--out",
                out.toString(),
                "--image-size",
                "8",
                "--epochs",
                "1",
                "--no-progress"));
    CliEndToEndTest.Run r =
        fails(RingLossCli.EXIT_DATA, "3 of 21 images cannot be read", args.toArray(new String[0]));
    for (Path bad : List.of(empty, header, text)) {
      assertTrue(r.err().contains(bad.toString()), bad + " named: " + r.err());
    }
    assertFalse(r.err().contains("\tat "), r.err());
    assertFalse(Files.exists(out), "nothing written");

    args.add("--skip-bad-images");
    CliEndToEndTest.Run skipped = ok(args.toArray(new String[0]));
    assertTrue(skipped.err().contains("leaving out 3 unreadable of 21 images"), skipped.err());
    assertEquals(1, Checkpoint.read(out).epochsDone());
  }

  /** Items 13 and 14: a run without a ring prints no R, stores none, and its last line once. */
  @Test
  void aRunWithoutRingHasNoRadiusAndItsLastLineOnce() throws Exception {
    Path run = tmp.resolve("softmax");
    CliEndToEndTest.Run r = ok(idxTrain(run, 2, "0"));
    String all = r.out() + r.err();
    assertFalse(all.contains("R NaN"), all);
    assertFalse(all.contains("initialised"), all);
    assertTrue(all.contains("R — (no ring)"), all);
    assertEquals(1, all.split("epoch 2: ", -1).length - 1, "the last epoch's line once: " + all);
    List<String> csv = Files.readAllLines(run.resolve("metrics.csv"));
    int radius = Arrays.asList(csv.get(0).split(",")).indexOf("radius");
    for (String line : csv.subList(1, csv.size())) {
      assertEquals("", line.split(",", -1)[radius], "an empty cell for no R: " + line);
      assertFalse(line.contains("NaN"), line);
    }
  }
}
