package io.github.ringloss4j.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import io.github.ringloss4j.app.cli.RingLossCli;
import io.github.ringloss4j.app.data.GalleryFiles;
import io.github.ringloss4j.app.data.Packing;
import io.github.ringloss4j.app.eval.ModelEmbedder;
import io.github.ringloss4j.app.io.DataFormatException;
import io.github.ringloss4j.app.recordio.ImageFormat;
import io.github.ringloss4j.app.recordio.SyntheticFaces;
import io.github.ringloss4j.backbone.Backbones;
import io.github.ringloss4j.serving.EmbeddingModels;
import io.github.ringloss4j.serving.Preprocessing;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The jobs in {@code local[2]}, one session for the class: on a folder of small PNG faces and a
 * randomly initialised CNN exported with the library, their rows against the application's own
 * embeddings and gallery.
 */
class SparkJobsTest {

  private static final double TOLERANCE = 1e-6;

  @TempDir static Path tmp;

  private static SparkSession spark;
  private static Path model;
  private static Path faces;

  /** The application's embeddings of {@link #faces}, by file name. */
  private static Map<String, float[]> expected;

  @BeforeAll
  static void setUp() throws IOException {
    // 3 identities of 3 PNG images in id0..id2/, and a contact sheet (PNG) in the root, which is
    // not an image of the folder.
    faces = tmp.resolve("faces");
    new SyntheticFaces(3, 3, 7).writeFolder(faces, ImageFormat.PNG);
    Backbones.Input input = Backbones.defaultInput("cnn");
    try (NDManager manager = NDManager.newBaseManager()) {
      Engine.getInstance().setRandomSeed(3);
      Block cnn = Backbones.create("cnn", 8);
      cnn.initialize(
          manager, DataType.FLOAT32, new Shape(1, input.channels(), input.height(), input.width()));
      // No L2: the norms are the raw ‖f‖, so a wrong norm shows.
      model = EmbeddingModels.export(cnn, "cnn", 8, Preprocessing.of(input), tmp.resolve("model"));
    }
    List<Path> files;
    try (Stream<Path> walk = Files.walk(faces)) {
      files =
          walk.filter(p -> p.toString().endsWith(".png"))
              .filter(p -> !p.getParent().equals(faces))
              .sorted()
              .toList();
    }
    expected = new HashMap<>();
    try (ModelEmbedder embedder = ModelEmbedder.open(model)) {
      float[][] rows = embedder.embed(files, 4);
      for (int i = 0; i < rows.length; i++) {
        expected.put(key(files.get(i).toString()), rows[i]);
      }
    }
    spark =
        SparkSession.builder()
            .master("local[2]")
            .appName("SparkJobsTest")
            .config("spark.ui.enabled", "false")
            .config("spark.sql.shuffle.partitions", "2")
            .config("spark.driver.host", "127.0.0.1")
            .config("spark.driver.bindAddress", "127.0.0.1")
            .getOrCreate();
  }

  @AfterAll
  static void tearDown() {
    if (spark != null) {
      spark.stop();
    }
  }

  @Test
  void folderVectorsAndNormsEqualTheApplicationsEmbeddings() throws IOException {
    String out = tmp.resolve("folder.parquet").toString();
    EmbedCorpus.Result r = embed(faces.toString(), out, "--batch-size", "2");
    assertEquals(9, r.embedded());
    assertEquals(0, r.failed());
    List<Row> rows = spark.read().parquet(out).collectAsList();
    assertEquals(9, rows.size());
    for (Row row : rows) {
      String source = row.getString(0);
      float[] vector = BuildGallery.floats(row.getList(3));
      assertClose(expected.get(key(source)), vector, source);
      assertEquals(key(source).split("/")[0], row.getString(1), "label of " + source);
      assertEquals(PartitionEmbedder.norm(vector), row.getFloat(2), TOLERANCE);
      assertTrue(row.getFloat(2) > 0 && Math.abs(row.getFloat(2) - 1) > 1e-3, "a raw norm");
      assertTrue(row.isNullAt(4));
    }
  }

  @Test
  void aCorruptImageIsReportedWithItsPathAndTheOthersAreEmbedded() throws IOException {
    Path broken = Files.createDirectories(tmp.resolve("broken/id0"));
    Files.copy(faces.resolve("id0/0.png"), broken.resolve("0.png"));
    Files.copy(faces.resolve("id0/1.png"), broken.resolve("1.png"));
    Files.write(broken.resolve("bad.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G', 1, 2, 3});
    String out = tmp.resolve("broken.parquet").toString();
    EmbedCorpus.Result r = embed(broken.getParent().toString(), out);
    assertEquals(2, r.embedded());
    assertEquals(1, r.failed());
    assertEquals(1, r.failures().size());
    assertTrue(r.failures().get(0).contains("id0/bad.png: cannot decode"), r.failures().get(0));
    for (Row row : spark.read().parquet(out).collectAsList()) {
      if (row.getString(0).endsWith("bad.png")) {
        assertNull(row.get(3));
        assertNotNull(row.getString(4));
      } else {
        assertClose(
            expected.get(key(row.getString(0))),
            BuildGallery.floats(row.getList(3)),
            row.getString(0));
      }
    }
  }

  @Test
  void aRerunIsRefusedAndOverwriteReplacesTheOutput() throws IOException {
    Path one = Files.createDirectories(tmp.resolve("one/id1"));
    Files.copy(faces.resolve("id1/0.png"), one.resolve("0.png"));
    String out = tmp.resolve("rerun.parquet").toString();
    String[] args = {
      "--model", model.toString(), "--input", one.getParent().toString(), "--output", out
    };
    assertEquals(1, EmbedCorpus.run(spark, args).embedded());
    IllegalArgumentException refused =
        assertThrows(IllegalArgumentException.class, () -> EmbedCorpus.run(spark, args));
    assertTrue(refused.getMessage().contains(out), refused.getMessage());
    assertTrue(refused.getMessage().contains("--overwrite"), refused.getMessage());
    assertEquals(2, JobArguments.exitCode(refused));
    EmbedCorpus.Result replaced = embed(faces.toString(), out, "--overwrite");
    assertEquals(9, replaced.embedded());
    assertEquals(9, spark.read().parquet(out).count());
  }

  @Test
  void aFolderThatIsNotAnExportIsRefusedBeforeAnyTask() {
    DataFormatException e =
        assertThrows(
            DataFormatException.class,
            () ->
                EmbedCorpus.run(
                    spark,
                    "--model",
                    faces.toString(),
                    "--input",
                    faces.toString(),
                    "--output",
                    tmp.resolve("never.parquet").toString()));
    assertTrue(e.getMessage().startsWith(faces.toString()), e.getMessage());
    assertEquals(3, JobArguments.exitCode(new RuntimeException("a task failed", e)));
    assertEquals(false, Files.exists(tmp.resolve("never.parquet")));
  }

  @Test
  void aModelShippedAsAnArchiveIsOpenedByItsName() throws IOException {
    // What spark-submit --archives model.zip#shipped does: each executor unpacks the archive and
    // the job names the folder, which is not a directory in the driver's working directory.
    Path zip = tmp.resolve("model.zip");
    try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(zip));
        Stream<Path> files = Files.list(model)) {
      for (Path f : files.sorted().toList()) {
        out.putNextEntry(new ZipEntry(f.getFileName().toString()));
        Files.copy(f, out);
        out.closeEntry();
      }
    }
    spark.sparkContext().addArchive(zip.toUri() + "#shipped");
    Path one = Files.createDirectories(tmp.resolve("shipped/id2"));
    Files.copy(faces.resolve("id2/2.png"), one.resolve("2.png"));
    String out = tmp.resolve("shipped.parquet").toString();
    EmbedCorpus.Result r =
        EmbedCorpus.run(
            spark, "--model", "shipped", "--input", one.getParent().toString(), "--output", out);
    assertEquals(1, r.embedded());
    Row row = spark.read().parquet(out).first();
    assertClose(expected.get("id2/2.png"), BuildGallery.floats(row.getList(3)), "shipped");
  }

  @Test
  void aPackedSetGivesTheVectorsOfTheFolderItWasPackedFrom() throws IOException {
    Path packed = tmp.resolve("packed");
    Packing.pack(faces, packed, false);
    String out = tmp.resolve("packed.parquet").toString();
    EmbedCorpus.Result r = embed(packed.toString(), out, "--partitions", "2");
    assertEquals(9, r.embedded());
    List<Row> rows = spark.read().parquet(out).collectAsList();
    List<String> unmatched = new ArrayList<>(expected.keySet());
    for (Row row : rows) {
      String label = row.getString(1);
      float[] vector = BuildGallery.floats(row.getList(3));
      String match =
          unmatched.stream()
              .filter(
                  n -> n.startsWith(label + "/") && maxDiff(expected.get(n), vector) < TOLERANCE)
              .findFirst()
              .orElseThrow(() -> new AssertionError(row.getString(0) + " matches no image"));
      unmatched.remove(match);
    }
    assertTrue(unmatched.isEmpty(), unmatched.toString());
  }

  @Test
  void theGalleryEqualsEnrollsAndIdentifyReadsIt() throws IOException {
    String rows = tmp.resolve("gallery-rows.parquet").toString();
    embed(faces.toString(), rows);
    Path built = tmp.resolve("built-gallery");
    BuildGallery.Result r =
        BuildGallery.run(
            spark, "--model", model.toString(), "--input", rows, "--out", built.toString());
    assertEquals(3, r.identities());
    assertEquals(9, r.images());
    Path enrolled = tmp.resolve("enrolled-gallery");
    assertEquals(
        0,
        RingLossCli.execute(
            "enroll", model.toString(), faces.toString(), "--out", enrolled.toString()));
    try (NDManager manager = NDManager.newBaseManager()) {
      GalleryFiles.Loaded a = GalleryFiles.read(manager, built);
      GalleryFiles.Loaded b = GalleryFiles.read(manager, enrolled);
      assertEquals(b.gallery().names(), a.gallery().names());
      assertEquals(b.info().model(), a.info().model());
      assertEquals(b.info().enrolledImages(), a.info().enrolledImages());
      float[][] x = a.gallery().embeddings();
      float[][] y = b.gallery().embeddings();
      for (int i = 0; i < y.length; i++) {
        assertClose(y[i], x[i], "template " + i);
      }
      a.gallery().close();
      b.gallery().close();
    }
    assertEquals(
        0,
        RingLossCli.execute(
            "identify", model.toString(), built.toString(), faces.resolve("id2/0.png").toString()));
  }

  @Test
  void aParquetColumnOfImageBytesIsEmbedded() throws IOException {
    String table = tmp.resolve("images.parquet").toString();
    spark
        .read()
        .format("binaryFile")
        .option("recursiveFileLookup", "true")
        .load(faces.resolve("id*").toString())
        .selectExpr("content AS img", "path AS name", "element_at(split(path, '/'), -2) AS who")
        .write()
        .parquet(table);
    String out = tmp.resolve("from-parquet.parquet").toString();
    EmbedCorpus.Result r =
        embed(table, out, "--column", "img", "--label-column", "who", "--source-column", "name");
    assertEquals(9, r.embedded());
    for (Row row : spark.read().parquet(out).collectAsList()) {
      String name = key(row.getString(0));
      assertClose(expected.get(name), BuildGallery.floats(row.getList(3)), name);
      assertEquals(name.split("/")[0], row.getString(1));
    }
  }

  /** {@link EmbedCorpus#run} with the test's model. */
  private static EmbedCorpus.Result embed(String input, String output, String... more)
      throws IOException {
    List<String> args =
        new ArrayList<>(List.of("--model", model.toString(), "--input", input, "--output", output));
    args.addAll(List.of(more));
    return EmbedCorpus.run(spark, args.toArray(new String[0]));
  }

  /** FOLDER/FILE: the last two names of a path or {@code file:} URI. */
  private static String key(String path) {
    int last = path.lastIndexOf('/');
    return path.substring(path.lastIndexOf('/', last - 1) + 1);
  }

  /**
   * The largest difference over the vector's norm where that exceeds 1: the raw embeddings have
   * norms of several units, and the same image in a batch of another size may come out a few float
   * rounding steps apart (libtorch picks its kernels by shape).
   */
  private static double maxDiff(float[] a, float[] b) {
    if (a.length != b.length) {
      return Double.POSITIVE_INFINITY;
    }
    double m = 0;
    for (int j = 0; j < a.length; j++) {
      m = Math.max(m, Math.abs(a[j] - b[j]));
    }
    return m / Math.max(1, PartitionEmbedder.norm(a));
  }

  private static void assertClose(float[] want, float[] got, String what) {
    assertNotNull(want, what + ": no expected vector");
    assertEquals(want.length, got.length, what + ": length");
    assertTrue(maxDiff(want, got) < TOLERANCE, what + ": differs by " + maxDiff(want, got));
  }
}
