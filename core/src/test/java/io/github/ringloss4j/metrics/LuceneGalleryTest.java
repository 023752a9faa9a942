package io.github.ringloss4j.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link LuceneGallery} against {@link Gallery}'s exact search on the same templates: the same
 * top-k with a generous shortlist, exact scores with any shortlist; adding and removing identities;
 * the previous commit surviving an enrolment that fails or is never committed; malformed indexes.
 */
class LuceneGalleryTest {

  private static final int N = 3000;
  private static final int D = 64;
  private static float[][] rows;
  private static float[][] probes;

  @TempDir static Path shared;
  private static Path index;

  @BeforeAll
  static void build() throws IOException {
    Random random = new Random(20);
    rows = unitRows(random, N);
    probes = unitRows(random, 40);
    index = shared.resolve("index");
    try (LuceneGalleryWriter writer = LuceneGallery.writer(index, D, LuceneGallery.Hnsw.DEFAULTS)) {
      for (int g = 0; g < N; g++) {
        writer.add("id" + g, rows[g]);
      }
      writer.commit(Map.of("model", "m1"));
    }
  }

  private static float[][] unitRows(Random random, int n) {
    float[][] out = new float[n][D];
    for (float[] row : out) {
      double norm = 0;
      for (int j = 0; j < D; j++) {
        row[j] = (float) random.nextGaussian();
        norm += row[j] * row[j];
      }
      for (int j = 0; j < D; j++) {
        row[j] /= (float) Math.sqrt(norm);
      }
    }
    return out;
  }

  private static List<String> names(int n) {
    return IntStream.range(0, n).mapToObj(i -> "id" + i).toList();
  }

  @Test
  void generousShortlistsGiveTheExactTopKWithExactScores() throws IOException {
    try (NDManager manager = NDManager.newBaseManager();
        Gallery exact = Gallery.of(manager, names(N), rows);
        LuceneGallery lucene = LuceneGallery.open(index)) {
      assertEquals(N, lucene.size());
      assertEquals(D, lucene.dimension());
      assertEquals(names(N), lucene.names());
      assertEquals(Map.of("model", "m1"), lucene.userData());
      List<List<Gallery.Match>> expected = exact.search(probes, 10);
      // Through the HNSW graph (a shortlist of a third of the gallery), and exhaustively (k' ≥ n).
      assertEquals(expected, lucene.search(probes, 10, 1000));
      assertEquals(expected, lucene.search(probes, 10, N));
      assertEquals(expected.get(3), lucene.search(probes[3], 10));
    }
  }

  @Test
  void aShortShortlistMayMissButEveryScoreIsExact() throws IOException {
    try (LuceneGallery lucene = LuceneGallery.open(index, 10)) {
      List<List<Gallery.Match>> found = lucene.search(probes, 10);
      for (int p = 0; p < probes.length; p++) {
        List<Gallery.Match> top = found.get(p);
        assertEquals(10, top.size());
        for (int r = 0; r < top.size(); r++) {
          Gallery.Match m = top.get(r);
          assertEquals("id" + m.index(), m.name());
          assertEquals(Similarity.COSINE.score(probes[p], rows[m.index()]), m.score());
          if (r > 0) {
            assertTrue(top.get(r - 1).score() >= m.score());
          }
        }
      }
    }
  }

  @Test
  void addingAndRemovingKeepEnrolmentOrderAndMatchAnExactGalleryOfTheSameIdentities(
      @TempDir Path dir) throws IOException {
    Path small = dir.resolve("small");
    try (LuceneGalleryWriter writer = LuceneGallery.writer(small, D, null)) {
      for (int g = 0; g < 50; g++) {
        writer.add("id" + g, rows[g]);
      }
      writer.commit(Map.of("model", "m1"));
    }
    try (LuceneGalleryWriter writer = LuceneGallery.writer(small, D, null)) {
      assertEquals(50, writer.size());
      RocTest.assertMessage(() -> add(writer, "id7", rows[7]), "'id7'", "already enrolled");
      for (int g = 50; g < 80; g++) {
        writer.add("id" + g, rows[g]);
      }
      writer.remove("id3").remove("id60");
      RocTest.assertMessage(() -> remove(writer, "id3"), "'id3'", "not enrolled");
      try (LuceneGallery view = writer.view(100)) {
        assertEquals(78, view.size(), "the uncommitted changes are searched");
        assertEquals(-1, view.indexOf("id60"));
        assertEquals("id70", view.search(rows[70], 1).get(0).name());
      }
      try (LuceneGallery before = LuceneGallery.open(small)) {
        assertEquals(50, before.size(), "and only they");
      }
      writer.commit();
    }
    List<String> kept = new ArrayList<>(names(80));
    kept.remove("id3");
    kept.remove("id60");
    float[][] keptRows =
        kept.stream().map(n -> rows[Integer.parseInt(n.substring(2))]).toArray(float[][]::new);
    try (NDManager manager = NDManager.newBaseManager();
        Gallery exact = Gallery.of(manager, kept, keptRows);
        LuceneGallery lucene = LuceneGallery.open(small, 5)) {
      assertEquals(kept, lucene.names());
      assertEquals(Map.of("model", "m1"), lucene.userData(), "commit() keeps the metadata");
      assertEquals(-1, lucene.indexOf("id3"));
      assertEquals(kept.indexOf("id70"), lucene.indexOf("id70"));
      assertEquals(exact.search(probes, 5), lucene.search(probes, 5, 78));
      // The removed identity's own template finds someone else.
      assertFalse(lucene.search(rows[3], 1).get(0).name().equals("id3"));
    }
  }

  @Test
  void aFailedOrUncommittedEnrolmentLeavesThePreviousCommit(@TempDir Path dir) throws IOException {
    Path gallery = dir.resolve("g");
    try (LuceneGalleryWriter writer = LuceneGallery.writer(gallery, D, null)) {
      for (int g = 0; g < 20; g++) {
        writer.add("id" + g, rows[g]);
      }
      writer.commit(Map.of("model", "m1"));
    }
    // An enrolment whose source fails after some identities: the writer is closed uncommitted.
    Iterator<Integer> failing =
        Stream.iterate(20, g -> g + 1)
            .map(
                g -> {
                  if (g == 35) {
                    throw new IllegalStateException("disk image unreadable");
                  }
                  return g;
                })
            .iterator();
    assertThrows(
        IllegalStateException.class,
        () -> {
          try (LuceneGalleryWriter writer = LuceneGallery.writer(gallery, D, null)) {
            while (failing.hasNext()) {
              int g = failing.next();
              writer.add("id" + g, rows[g]);
            }
            writer.commit(Map.of("model", "m2"));
          }
        });
    assertReopensAsBefore(gallery);
    // A process killed mid-enrolment: the writer is never closed (it holds the lock), its
    // documents are flushed to segment files, but no commit names them.
    LuceneGalleryWriter killed = LuceneGallery.writer(gallery, D, null);
    try {
      for (int g = 20; g < 600; g++) {
        killed.add("id" + g, rows[g]);
      }
      killed.flush();
      try (Stream<Path> files = Files.list(gallery)) {
        // The uncommitted segment (a compound file, being small) is on disk.
        assertTrue(files.anyMatch(f -> f.toString().matches(".*_[1-9a-z]\\.(cfs|vec)")));
      }
      assertReopensAsBefore(gallery);
    } finally {
      killed.close();
    }
    assertReopensAsBefore(gallery);
  }

  private static void assertReopensAsBefore(Path gallery) throws IOException {
    try (LuceneGallery lucene = LuceneGallery.open(gallery)) {
      assertEquals(names(20), lucene.names());
      assertEquals(Map.of("model", "m1"), lucene.userData());
      assertEquals("id4", lucene.search(rows[4], 1).get(0).name());
    }
  }

  @Test
  void optionsAndMismatchesAreRefusedNamingThem(@TempDir Path dir) throws IOException {
    RocTest.assertMessage(() -> new LuceneGallery.Hnsw(0, 100), "maxConn", "0");
    RocTest.assertMessage(() -> new LuceneGallery.Hnsw(16, 5000), "beamWidth", "5000");
    RocTest.assertMessage(() -> writer(dir.resolve("x"), 2000, null), "dimension", "2000");
    try (LuceneGalleryWriter writer =
        LuceneGallery.writer(dir.resolve("y"), D, new LuceneGallery.Hnsw(8, 50))) {
      writer.add("a", rows[0]);
      RocTest.assertMessage(() -> add(writer, "b", new float[D]), "'b'", "zero");
      RocTest.assertMessage(
          () -> commit(writer, Map.of("ringloss4j.x", "1")), "ringloss4j.x", "reserved");
      writer.commit();
      writer.remove("a");
      assertThrows(IllegalStateException.class, writer::commit);
    }
    RocTest.assertMessage(() -> writer(dir.resolve("y"), 32, null), "d = 64", "d = 32");
    RocTest.assertMessage(
        () -> writer(dir.resolve("y"), D, LuceneGallery.Hnsw.DEFAULTS), "maxConn=8", "maxConn=16");
    try (LuceneGallery lucene = LuceneGallery.open(dir.resolve("y"))) {
      assertEquals(new LuceneGallery.Hnsw(8, 50), lucene.hnsw());
      assertEquals(List.of("a"), lucene.names());
      RocTest.assertMessage(() -> lucene.search(new float[3], 1), "dimension 64");
      RocTest.assertMessage(() -> lucene.search(probes, 1, 0), "shortlist");
      // A zero probe: cosine 0 against every identity, the first ones, as the exact gallery.
      assertEquals(List.of(new Gallery.Match(0, "a", 0.0)), lucene.search(new float[D], 3));
    }
  }

  @Test
  void aMissingOrCorruptedIndexIsAnIoExceptionNamingTheDirectory(@TempDir Path dir)
      throws IOException {
    Path empty = Files.createDirectories(dir.resolve("empty"));
    IOException none = assertThrows(IOException.class, () -> LuceneGallery.open(empty));
    assertTrue(none.getMessage().contains(empty.toString()), none.getMessage());
    Path broken = dir.resolve("broken");
    try (LuceneGalleryWriter writer = LuceneGallery.writer(broken, D, null)) {
      writer.add("a", rows[0]).add("b", rows[1]);
      writer.commit();
    }
    try (Stream<Path> files = Files.list(broken)) {
      for (Path f :
          files.filter(p -> p.getFileName().toString().startsWith("segments_")).toList()) {
        byte[] bytes = Files.readAllBytes(f);
        bytes[bytes.length / 2] ^= 0x5a;
        Files.write(f, bytes);
      }
    }
    IOException corrupt = assertThrows(IOException.class, () -> LuceneGallery.open(broken));
    assertTrue(corrupt.getMessage().contains(broken.toString()), corrupt.getMessage());
  }

  private static void add(LuceneGalleryWriter writer, String name, float[] row) {
    try {
      writer.add(name, row);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  private static void remove(LuceneGalleryWriter writer, String name) {
    try {
      writer.remove(name);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  private static void commit(LuceneGalleryWriter writer, Map<String, String> data) {
    try {
      writer.commit(data);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  private static void writer(Path dir, int d, LuceneGallery.Hnsw hnsw) {
    try {
      LuceneGallery.writer(dir, d, hnsw).close();
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }
}
