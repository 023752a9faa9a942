package io.github.ringloss4j.app.recordio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.ringloss4j.app.data.ImageFolder;
import io.github.ringloss4j.app.data.ImageSpec;
import io.github.ringloss4j.app.data.PackedSource;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reader against data sets written by {@code src/test/resources/recordio/make_fixture.py}, an
 * independent Python writer following dmlc-core, MXNet and InsightFace byte by byte.
 */
class RecordFileTest {

  @TempDir Path tmp;

  /** One line of a fixture's expected.tsv. */
  record Expected(int item, long key, long offset, int label, byte[] image) {}

  static Path fixture(String name) {
    try {
      return Path.of(RecordFileTest.class.getResource("/recordio/fixture/" + name).toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  static List<Expected> expected(Path dir) throws IOException {
    List<Expected> out = new ArrayList<>();
    for (String line : Files.readAllLines(dir.resolve("expected.tsv"), StandardCharsets.US_ASCII)) {
      String[] f = line.split("\t");
      out.add(
          new Expected(
              Integer.parseInt(f[0]),
              Long.parseLong(f[1]),
              Long.parseLong(f[2]),
              Integer.parseInt(f[3]),
              HexFormat.of().parseHex(f[4])));
    }
    return out;
  }

  static void assertMatches(RecordFile file, List<Expected> expected) throws IOException {
    assertEquals(expected.size(), file.size());
    int[] labels = file.labels();
    for (Expected e : expected) {
      PackedImage image = file.read(e.item());
      assertEquals(e.key(), image.key(), "key of item " + e.item());
      assertEquals(e.key(), file.key(e.item()));
      assertEquals(e.offset(), image.offset());
      assertEquals(e.label(), image.label());
      assertEquals(e.label(), labels[e.item()]);
      assertArrayEquals(e.image(), image.image(), "image of key " + e.key());
    }
  }

  @Test
  void readsTheInsightFaceLayoutWithHeaderAndSplitRecord() throws IOException {
    Path dir = fixture("ms1m");
    try (RecordFile file = RecordFile.open(dir)) {
      assertTrue(file.hasHeaderRecord());
      assertEquals(new DatasetProperty(3, 6, 8), file.property());
      assertEquals(List.of("0", "1", "2"), file.classNames());
      assertMatches(file, expected(dir));
      assertEquals(dir.resolve("train.rec") + "#2", file.sourceOf(1));
    }
  }

  @Test
  void readsThePlainLayoutWhereEveryKeyIsAnImage() throws IOException {
    Path dir = fixture("plain");
    try (RecordFile file = RecordFile.open(dir.resolve("train.rec"))) {
      assertFalse(file.hasHeaderRecord());
      assertEquals(2, file.numClasses());
      assertMatches(file, expected(dir));
    }
  }

  @Test
  void rewritingEveryRecordGivesThePythonFileByteForByte() throws IOException {
    for (String name : List.of("ms1m", "plain")) {
      Path dir = fixture(name);
      byte[] original = Files.readAllBytes(dir.resolve("train.rec"));
      ByteArrayOutputStream rewritten = new ByteArrayOutputStream();
      Path rec = dir.resolve("train.rec");
      try (FileChannel ch = FileChannel.open(rec)) {
        for (String line : Files.readAllLines(dir.resolve("train.idx"))) {
          String[] f = line.split("\t");
          RecordLocation at = new RecordLocation(rec, Long.parseLong(f[0]), Long.parseLong(f[1]));
          assertEquals(rewritten.size(), at.offset(), name + " key " + at.key());
          RecordIo.write(rewritten, RecordIo.read(ch, ch.size(), at));
        }
      }
      assertArrayEquals(original, rewritten.toByteArray(), name);
    }
  }

  @Test
  void sourceDecodesRecordsLikeTheImageFolderDecodesFiles() throws IOException {
    ImageSpec spec = new ImageSpec(5, 7, 3);
    try (RecordFile file = RecordFile.open(fixture("ms1m"))) {
      PackedSource source = PackedSource.of(file, spec);
      assertEquals(5, source.size());
      assertArrayEquals(new int[] {3, 5, 7}, source.itemShape());
      assertArrayEquals(new int[] {0, 0, 1, 2, 2}, source.labels());
      for (int i = 0; i < source.size(); i++) {
        Path png = Files.write(tmp.resolve("item" + i + ".png"), file.read(i).image());
        assertArrayEquals(ImageFolder.loadImage(png, spec), source.load(i), "item " + i);
      }
    }
  }

  @Test
  void concurrentReadsGetTheirOwnRecords() throws Exception {
    Path dir = fixture("ms1m");
    List<Expected> expected = expected(dir);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try (RecordFile file = RecordFile.open(dir)) {
      List<Future<Boolean>> results = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        int seed = t;
        results.add(
            pool.submit(
                () -> {
                  java.util.Random random = new java.util.Random(seed);
                  for (int k = 0; k < 300; k++) {
                    Expected e = expected.get(random.nextInt(expected.size()));
                    if (!java.util.Arrays.equals(e.image(), file.read(e.item()).image())) {
                      return false;
                    }
                  }
                  return true;
                }));
      }
      for (Future<Boolean> r : results) {
        assertTrue(r.get());
      }
    } finally {
      pool.shutdown();
    }
  }
}
