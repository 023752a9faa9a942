package io.github.ringloss4j.app.cli;

import static io.github.ringloss4j.app.cli.CliEndToEndTest.fails;
import static io.github.ringloss4j.app.cli.CliEndToEndTest.ok;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.inference.Predictor;
import ai.djl.modality.cv.Image;
import ai.djl.modality.cv.ImageFactory;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ZooModel;
import io.github.ringloss4j.app.data.GalleryFiles;
import io.github.ringloss4j.app.io.DecodedNpy;
import io.github.ringloss4j.app.io.JsonFiles;
import io.github.ringloss4j.metrics.Gallery;
import io.github.ringloss4j.serving.EmbeddingModels;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ringloss enroll} and {@code identify} end to end on a small face folder: a model trained
 * and exported, four identities enrolled, a fifth left out and used (with other images of the four)
 * to calibrate the open-set threshold, then searched for.
 *
 * <p>The decisions asserted follow from the calibration rule, not from the model's quality: with 5
 * non-mated images and FPIR 0.01 &lt; 1/5, the rule may accept none of them, so the threshold is
 * just above the best score of every non-mated calibration image, and each of them is "unknown" by
 * construction.
 */
class GalleryCommandsTest {

  @TempDir static Path tmp;
  static Path faces;
  static Path run;
  static Path exported;
  static Path enrol;
  static Path calibration;
  static Path gallery;
  static CliEndToEndTest.Run enrolled;

  @BeforeAll
  static void enrolFourIdentities() throws Exception {
    faces = TinyData.faces(tmp.resolve("faces"), 5, 5, 13);
    run = tmp.resolve("run");
    ok(
        "train",
        "--data",
        faces.toString(),
        "--out",
        run.toString(),
        "--epochs",
        "2",
        "--batch-size",
        "5",
        "--embedding-size",
        "8",
        "--image-size",
        "16",
        "--channels",
        "3",
        "--validation-fraction",
        "0",
        "--no-progress");
    exported = tmp.resolve("exported");
    ok("export", run.toString(), "--out", exported.toString());
    // Enrolment: images 1–3 of id0..id3. Calibration: all of id4 (not enrolled: the non-mated
    // probes) and images 4–5 of id0..id3 (mated probes, other images than the enrolled ones).
    enrol = tmp.resolve("enrol");
    calibration = tmp.resolve("calibration");
    for (int id = 0; id < 5; id++) {
      for (int j = 1; j <= 5; j++) {
        String file = String.format(Locale.ROOT, "id%d_%04d.png", id, j);
        Path to = (id < 4 && j <= 3 ? enrol : calibration).resolve("id" + id).resolve(file);
        Files.createDirectories(to.getParent());
        Files.copy(faces.resolve("id" + id).resolve(file), to);
      }
    }
    gallery = tmp.resolve("gallery");
    enrolled =
        ok(
            "enroll",
            exported.toString(),
            enrol.toString(),
            "--out",
            gallery.toString(),
            "--calibrate",
            calibration.toString(),
            "--fpir",
            "0.01");
  }

  @Test
  void enrollWritesTheGalleryFiles() throws Exception {
    assertTrue(
        enrolled.out().contains("enrolled 4 identities from 12 images (d = 8)"), enrolled.out());
    assertTrue(
        enrolled.out().contains("5 images of 1 identities not enrolled, 8 images"), enrolled.out());
    assertTrue(enrolled.out().contains("FPIR 0.0000 (0 of 5 non-mated)"), enrolled.out());
    assertTrue(enrolled.out().contains("note: 5 non-mated images resolve FPIR"), enrolled.out());
    DecodedNpy npy = DecodedNpy.read(gallery.resolve(GalleryFiles.EMBEDDINGS));
    assertArrayEquals(new long[] {4, 8}, npy.shape());
    for (float[] row : npy.rows()) {
      double s = 0;
      for (float v : row) {
        s += (double) v * v;
      }
      assertEquals(1, Math.sqrt(s), 1e-6, "unit rows");
    }
    assertEquals(
        List.of("id0", "id1", "id2", "id3"),
        Files.readAllLines(gallery.resolve(GalleryFiles.NAMES), StandardCharsets.UTF_8));
    GalleryFiles.Info info =
        JsonFiles.read(gallery.resolve(GalleryFiles.INFO), GalleryFiles.Info.class);
    assertEquals(4, info.identities());
    assertEquals(12, info.enrolledImages());
    assertEquals("exported", info.model().kind());
    assertEquals(64, info.model().weightsSha256().length());
    assertTrue(Double.isFinite(info.threshold()));
    assertEquals(0.01, info.targetFpir());
    assertEquals(0.0, info.fpir());
    assertEquals(5, info.nonMatedImages());
    assertEquals(8, info.matedImages());
    assertTrue(info.fnir() >= 0 && info.fnir() <= 1);
  }

  @Test
  void theLeftOutIdentityIsUnknownAtTheThreshold() throws Exception {
    GalleryFiles.Info info =
        JsonFiles.read(gallery.resolve(GalleryFiles.INFO), GalleryFiles.Info.class);
    Path[] outsiders = new Path[5];
    for (int j = 1; j <= 5; j++) {
      outsiders[j - 1] =
          faces.resolve("id4").resolve(String.format(Locale.ROOT, "id4_%04d.png", j));
    }
    String[] args = new String[4 + outsiders.length];
    args[0] = "identify";
    args[1] = exported.toString();
    args[2] = gallery.toString();
    args[3] = "--top=3";
    for (int j = 0; j < outsiders.length; j++) {
      args[4 + j] = outsiders[j].toString();
    }
    CliEndToEndTest.Run r = ok(args);
    assertTrue(r.out().startsWith("threshold "), r.out());
    for (Path p : outsiders) {
      Matcher m =
          Pattern.compile(
                  Pattern.quote(p.toString()) + ": unknown \\(best id\\d ([0-9.]+) < threshold")
              .matcher(r.out());
      assertTrue(m.find(), r.out());
      // The calibration rule: the threshold is above every non-mated calibration image's best
      // score.
      assertTrue(Double.parseDouble(m.group(1)) <= info.threshold() + 1e-6, r.out());
    }
    assertEquals(5 * 3, r.out().lines().filter(l -> l.startsWith("  ")).count(), "3 ranks each");
  }

  @Test
  void anEnrolledIdentityComesFirstAndTheDecisionFollowsTheRule() throws Exception {
    GalleryFiles.Info info =
        JsonFiles.read(gallery.resolve(GalleryFiles.INFO), GalleryFiles.Info.class);
    Path image = faces.resolve("id2").resolve("id2_0005.png");
    CliEndToEndTest.Run r =
        ok("identify", exported.toString(), gallery.toString(), image.toString());
    List<String> ranks = r.out().lines().filter(l -> l.startsWith("  ")).toList();
    assertEquals(4, ranks.size(), "--top 5 lists the 4 identities: " + r.out());
    String[] first = ranks.get(0).trim().split("\t");
    assertEquals("id2", first[1], r.out());
    double score = Double.parseDouble(first[2]);
    String decision = score >= info.threshold() ? ": id2 (" : ": unknown (best id2";
    assertTrue(r.out().contains(image + decision), r.out());

    // A service does the same with the core library alone: the gallery read with DJL's own .npy
    // decoder, the image embedded with the exported model through Criteria.
    try (NDManager manager = NDManager.newBaseManager();
        InputStream in = Files.newInputStream(gallery.resolve(GalleryFiles.EMBEDDINGS))) {
      List<String> names = Files.readAllLines(gallery.resolve(GalleryFiles.NAMES));
      Criteria<Image, float[]> criteria = EmbeddingModels.criteria(exported);
      try (Gallery g = Gallery.of(manager, names, NDList.decode(manager, in).singletonOrThrow());
          ZooModel<Image, float[]> model = criteria.loadModel();
          Predictor<Image, float[]> predictor = model.newPredictor()) {
        float[] probe = predictor.predict(ImageFactory.getInstance().fromFile(image));
        Gallery.Decision d = g.identify(probe, 5, info.threshold());
        assertEquals("id2", d.candidates().get(0).name());
        assertEquals(score, d.candidates().get(0).score(), 5e-7);
      }
    }
  }

  @Test
  void aRunDirectoryWorksAsTheModelAndIsFlaggedAsAnotherModel() {
    Path image = faces.resolve("id1").resolve("id1_0004.png");
    CliEndToEndTest.Run r = ok("identify", run.toString(), gallery.toString(), image.toString());
    assertTrue(r.out().lines().anyMatch(l -> l.startsWith("  1\tid1\t")), r.out());
    assertTrue(r.err().contains("weights differ"), r.err());
  }

  @Test
  void withoutCalibrationIdentifyListsTheBestMatches() {
    Path plain = tmp.resolve("plain");
    CliEndToEndTest.Run e =
        ok("enroll", exported.toString(), enrol.toString(), "--out", plain.toString());
    assertTrue(e.out().contains("no open-set threshold"), e.out());
    Path image = faces.resolve("id3").resolve("id3_0001.png");
    CliEndToEndTest.Run r = ok("identify", exported.toString(), plain.toString(), image.toString());
    assertTrue(r.out().contains(image + ": best id3 "), r.out());
    CliEndToEndTest.Run forced =
        ok("identify", exported.toString(), plain.toString(), image.toString(), "--threshold", "1");
    assertTrue(forced.out().contains(image + ": unknown (best id3 "), forced.out());
    // A threshold is a cosine: anything else would accept every probe or none, silently.
    for (String t : List.of("2", "-1.5", "NaN", "Infinity")) {
      CliEndToEndTest.fails(
          2,
          "--threshold",
          "identify",
          exported.toString(),
          plain.toString(),
          image.toString(),
          "--threshold",
          t);
    }
  }

  @Test
  void badOptionsAndDataAreRefusedNamingThem() {
    fails(
        2,
        "--fpir",
        "enroll",
        exported.toString(),
        enrol.toString(),
        "--out",
        tmp.resolve("x").toString(),
        "--calibrate",
        calibration.toString(),
        "--fpir",
        "1.5");
    fails(
        2,
        "--fpir needs --calibrate",
        "enroll",
        exported.toString(),
        enrol.toString(),
        "--out",
        tmp.resolve("x").toString(),
        "--fpir",
        "0.1");
    fails(2, "--out", "enroll", exported.toString(), enrol.toString(), "--out", gallery.toString());
    // Calibration images of enrolled identities only: no FPIR can be measured (exit 3).
    fails(
        3,
        enrol.toString(),
        "enroll",
        exported.toString(),
        enrol.toString(),
        "--out",
        tmp.resolve("y").toString(),
        "--calibrate",
        enrol.toString());
    fails(
        2,
        "--top",
        "identify",
        exported.toString(),
        gallery.toString(),
        "--top",
        "0",
        faces.resolve("id0").resolve("id0_0001.png").toString());
    fails(
        3,
        "gallery.json",
        "identify",
        exported.toString(),
        enrol.toString(),
        faces.resolve("id0").resolve("id0_0001.png").toString());
  }

  /** A copy of the gallery with one file's text changed. */
  private static Path tampered(String name, String file, UnaryOperator<String> change)
      throws IOException {
    Path copy = tmp.resolve("tampered").resolve(name);
    Files.createDirectories(copy);
    for (String f : List.of(GalleryFiles.EMBEDDINGS, GalleryFiles.NAMES, GalleryFiles.INFO)) {
      Files.copy(gallery.resolve(f), copy.resolve(f));
    }
    if (file != null) {
      Path p = copy.resolve(file);
      Files.writeString(p, change.apply(Files.readString(p)));
    }
    return copy;
  }

  private static CliEndToEndTest.Run identify(Path galleryDir, String... named) {
    Path image = faces.resolve("id2").resolve("id2_0005.png");
    CliEndToEndTest.Run r =
        CliEndToEndTest.run(
            "identify", exported.toString(), galleryDir.toString(), image.toString());
    if (named.length > 0) {
      assertEquals(3, r.exit(), r.err());
      for (String n : named) {
        assertTrue(r.err().contains(n), n + " in " + r.err());
      }
      assertFalse(r.err().contains("\tat "), r.err());
    }
    return r;
  }

  @Test
  void aTamperedGalleryJsonIsRefusedNamingTheFileAndTheKey() throws IOException {
    String info = GalleryFiles.INFO;
    Object[][] cases = {
      {
        "threshold",
        (UnaryOperator<String>) t -> t.replaceFirst("\"threshold\": [^,]+", "\"threshold\": -5"),
        "'threshold' is -5"
      },
      {
        "duplicated",
        (UnaryOperator<String>) t -> t.replaceFirst("\\{", "{\"threshold\": 0.5,"),
        "duplicated key 'threshold'"
      },
      {
        "identities",
        (UnaryOperator<String>) t -> t.replaceFirst("\"identities\": 4", "\"identities\": 5"),
        "'identities' is 5 but"
      },
      {
        "dimension",
        (UnaryOperator<String>) t -> t.replaceFirst("\"dimension\": 8", "\"dimension\": \"8\""),
        "$.dimension"
      },
      {
        "fpir",
        (UnaryOperator<String>)
            t -> t.replaceFirst("\"target_fpir\": [^,]+", "\"target_fpir\": null"),
        "'target_fpir' is null"
      },
      {
        "size",
        (UnaryOperator<String>)
            t -> t.replaceFirst("\"embedding_size\": 8", "\"embedding_size\": 9"),
        "'model.embedding_size' is 9"
      },
    };
    for (Object[] c : cases) {
      @SuppressWarnings("unchecked")
      UnaryOperator<String> change = (UnaryOperator<String>) c[1];
      Path dir = tampered((String) c[0], info, change);
      identify(dir, dir.resolve(info).toString(), (String) c[2]);
    }
  }

  @Test
  void namesAreOnePerRowAndAByteOrderMarkIsDropped() throws IOException {
    String names = GalleryFiles.NAMES;
    CliEndToEndTest.Run bom = identify(tampered("bom", names, t -> "\uFEFF" + t));
    assertEquals(0, bom.exit(), bom.err());
    assertEquals(identify(gallery).out(), bom.out());
    Path extra = tampered("extra", names, t -> t + "id9\n");
    identify(
        extra, extra.resolve(names) + ":5: more names than the 4 rows of", GalleryFiles.EMBEDDINGS);
    Path fewer = tampered("fewer", names, t -> t.substring(0, t.lastIndexOf("id3")));
    identify(fewer, fewer.resolve(names) + ": 3 names for the 4 rows of", GalleryFiles.EMBEDDINGS);
    Path twice = tampered("twice", names, t -> t.replace("id3", "id0"));
    identify(twice, twice.resolve(names) + ":4: the name 'id0' is also on line 1");
  }

  @Test
  void embeddingsAreReadWithTheirByteOrderAndTheirHeaderCheckedFirst() throws IOException {
    // The same gallery as big-endian float32: the same scores, where DJL read it as little-endian.
    Path big = tampered("big-endian", null, null);
    Path npy = big.resolve(GalleryFiles.EMBEDDINGS);
    byte[] bytes = Files.readAllBytes(npy);
    String header = new String(bytes, 0, 128, StandardCharsets.US_ASCII);
    assertTrue(header.contains("'descr': '<f4'"), header);
    byte[] swapped = bytes.clone();
    swapped[header.indexOf("<f4")] = '>';
    for (int at = 128; at < bytes.length; at += 4) {
      for (int k = 0; k < 4; k++) {
        swapped[at + k] = bytes[at + 3 - k];
      }
    }
    Files.write(npy, swapped);
    assertEquals(identify(gallery).out(), identify(big).out());
    // A 2.7 KB file whose header claims (4000000, 8): refused before the rows are allocated.
    Path bomb = tampered("bomb", null, null);
    Path bombNpy = bomb.resolve(GalleryFiles.EMBEDDINGS);
    byte[] claim = Arrays.copyOf(bytes, 2700);
    String dict = header.substring(10).replace("(4, 8), }", "(4000000, 8), }");
    dict = dict.replace("      \n", "\n");
    assertEquals(118, dict.length(), dict);
    System.arraycopy(dict.getBytes(StandardCharsets.US_ASCII), 0, claim, 10, 118);
    Files.write(bombNpy, claim);
    identify(bomb, bombNpy.toString(), "needs 128000000 bytes of data but the file holds 2572");
    // ... and identities/dimension are checked against the header before the names are read.
    Path wide = tampered("trailing", null, null);
    Files.write(wide.resolve(GalleryFiles.EMBEDDINGS), Arrays.copyOf(bytes, bytes.length + 4));
    identify(wide, wide.resolve(GalleryFiles.EMBEDDINGS).toString(), "trailing bytes");
  }

  @Test
  void aLuceneGalleryIdentifiesAsTheExactOneGrowsAndShrinks() throws Exception {
    Path lucene = tmp.resolve("lucene");
    CliEndToEndTest.Run e =
        ok(
            "enroll",
            exported.toString(),
            enrol.toString(),
            "--out",
            lucene.toString(),
            "--index",
            "lucene",
            "--hnsw-m",
            "8",
            "--calibrate",
            calibration.toString(),
            "--fpir",
            "0.01");
    assertTrue(e.out().contains("enrolled 4 identities from 12 images (d = 8)"), e.out());
    assertTrue(e.out().contains("(index/, gallery.json): 4 identities"), e.out());
    assertTrue(Files.isDirectory(lucene.resolve(GalleryFiles.LUCENE_INDEX)));
    assertFalse(Files.exists(lucene.resolve(GalleryFiles.EMBEDDINGS)));
    GalleryFiles.Info info =
        JsonFiles.read(lucene.resolve(GalleryFiles.INFO), GalleryFiles.Info.class);
    GalleryFiles.Info exact =
        JsonFiles.read(gallery.resolve(GalleryFiles.INFO), GalleryFiles.Info.class);
    assertEquals(GalleryFiles.LUCENE, info.index());
    assertEquals(GalleryFiles.EXACT, exact.index());
    // The same model, identities and calibration: the same threshold (the scores are exact).
    assertEquals(exact.threshold(), info.threshold());
    assertEquals(exact.model(), info.model());
    String[] images = {
      faces.resolve("id1").resolve("id1_0004.png").toString(),
      faces.resolve("id4").resolve("id4_0002.png").toString()
    };
    String expected = identified(exported, gallery, images, "--top", "4").out();
    assertEquals(expected, identified(exported, lucene, images, "--top", "4").out());
    assertEquals(
        expected, identified(exported, lucene, images, "--top", "4", "--shortlist", "2").out());

    // Enrolling more: id4 joins; the old threshold is kept with a warning.
    Path more = tmp.resolve("more");
    Files.createDirectories(more.resolve("id4"));
    for (int j = 1; j <= 5; j++) {
      String file = String.format(Locale.ROOT, "id4_%04d.png", j);
      Files.copy(faces.resolve("id4").resolve(file), more.resolve("id4").resolve(file));
    }
    String[] again = {
      "enroll",
      exported.toString(),
      more.toString(),
      "--out",
      lucene.toString(),
      "--index",
      "lucene"
    };
    CliEndToEndTest.Run added = ok(again);
    assertTrue(added.out().contains("): 5 identities"), added.out());
    assertTrue(added.err().contains("calibrated with 4 identities; with 5 now"), added.err());
    info = JsonFiles.read(lucene.resolve(GalleryFiles.INFO), GalleryFiles.Info.class);
    assertEquals(5, info.identities());
    assertEquals(17, info.enrolledImages());
    CliEndToEndTest.Run found = identified(exported, lucene, new String[] {images[1]});
    assertTrue(found.out().contains(images[1] + ": id4 ("), found.out());
    fails(2, "identity 'id4' of DIR", again);
    fails(
        2,
        "maxConn=8",
        "enroll",
        exported.toString(),
        more.toString(),
        "--out",
        lucene.toString(),
        "--index",
        "lucene",
        "--hnsw-m",
        "16");
    // Another model: refused, naming both.
    fails(
        2,
        "was enrolled with the exported model " + exported.toAbsolutePath(),
        "enroll",
        run.toString(),
        more.toString(),
        "--out",
        lucene.toString(),
        "--index",
        "lucene");

    // Removing id4 gives the first gallery back.
    CliEndToEndTest.Run removed = ok("unenroll", lucene.toString(), "id4");
    assertTrue(removed.out().contains("removed 1 identities"), removed.out());
    assertEquals(expected, identified(exported, lucene, images, "--top", "4").out());
    fails(2, "NAME 'nobody'", "unenroll", lucene.toString(), "nobody");
    fails(2, "is an exact gallery", "unenroll", gallery.toString(), "id0");
    fails(2, "empty", "unenroll", lucene.toString(), "id0", "id1", "id2", "id3");
    assertEquals(expected, identified(exported, lucene, images, "--top", "4").out());
  }

  @Test
  void luceneOptionsAndIndexesAreCheckedNamingThem() throws IOException {
    String image = faces.resolve("id1").resolve("id1_0004.png").toString();
    String[] enroll = {"enroll", exported.toString(), enrol.toString(), "--out"};
    Path out = tmp.resolve("refused");
    fails(2, "--index", concat(enroll, out.toString(), "--index", "hnsw"));
    fails(2, "--hnsw-m", concat(enroll, out.toString(), "--hnsw-m", "8"));
    fails(2, "--hnsw-m", concat(enroll, out.toString(), "--index", "lucene", "--hnsw-m", "0"));
    fails(
        2,
        "--hnsw-beam",
        concat(enroll, out.toString(), "--index", "lucene", "--hnsw-beam", "9999"));
    fails(2, "is an exact gallery", concat(enroll, gallery.toString(), "--index", "lucene"));
    fails(
        2,
        "--shortlist",
        "identify",
        exported.toString(),
        gallery.toString(),
        image,
        "--shortlist",
        "5");
    // A gallery.json written before "index" existed is an exact gallery; an unknown kind is
    // refused.
    Path older =
        tampered("older", GalleryFiles.INFO, t -> t.replaceFirst(",\\s*\"index\": \"exact\"", ""));
    assertFalse(Files.readString(older.resolve(GalleryFiles.INFO)).contains("index"));
    assertEquals(identify(gallery).out(), identify(older).out());
    Path unknown =
        tampered("unknown-kind", GalleryFiles.INFO, t -> t.replace("\"exact\"", "\"hnsw\""));
    identify(unknown, unknown.resolve(GalleryFiles.INFO) + ": 'index' is 'hnsw'");
    Path broken = tmp.resolve("broken-lucene");
    ok(concat(enroll, broken.toString(), "--index", "lucene"));
    fails(
        2,
        "--shortlist",
        "identify",
        exported.toString(),
        broken.toString(),
        image,
        "--shortlist",
        "0");
    Path index = broken.resolve(GalleryFiles.LUCENE_INDEX);
    try (var files = Files.list(index)) {
      for (Path f :
          files.filter(p -> p.getFileName().toString().startsWith("segments_")).toList()) {
        byte[] bytes = Files.readAllBytes(f);
        bytes[bytes.length / 2] ^= 0x5a;
        Files.write(f, bytes);
      }
    }
    fails(
        3,
        index + ": not a readable Lucene gallery index",
        "identify",
        exported.toString(),
        broken.toString(),
        image);
  }

  private static String[] concat(String[] head, String... tail) {
    String[] all = Arrays.copyOf(head, head.length + tail.length);
    System.arraycopy(tail, 0, all, head.length, tail.length);
    return all;
  }

  private static CliEndToEndTest.Run identified(
      Path model, Path galleryDir, String[] images, String... options) {
    List<String> args = new java.util.ArrayList<>();
    args.add("identify");
    args.add(model.toString());
    args.add(galleryDir.toString());
    args.addAll(List.of(images));
    args.addAll(List.of(options));
    return ok(args.toArray(new String[0]));
  }
}
