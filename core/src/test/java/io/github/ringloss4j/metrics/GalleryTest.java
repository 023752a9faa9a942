package io.github.ringloss4j.metrics;

import static io.github.ringloss4j.metrics.RocTest.assertMessage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * {@link Gallery}'s top-k against a brute force in double over every stored row, in the order score
 * descending then index ascending: random galleries, exact ties, near-ties below float32's
 * resolution, zero probes, many identical rows, every block size.
 */
class GalleryTest {

  /** The definition: every row scored by {@link Similarity#COSINE}, sorted, the first k. */
  static List<Gallery.Match> bruteForce(Gallery gallery, float[][] rows, float[] probe, int k) {
    List<Gallery.Match> all = new ArrayList<>();
    for (int g = 0; g < rows.length; g++) {
      all.add(
          new Gallery.Match(g, gallery.names().get(g), Similarity.COSINE.score(probe, rows[g])));
    }
    all.sort(
        Comparator.comparingDouble(Gallery.Match::score)
            .reversed()
            .thenComparingInt(Gallery.Match::index));
    return all.subList(0, Math.min(k, all.size()));
  }

  private static List<String> names(int n) {
    return IntStream.range(0, n).mapToObj(i -> "id" + i).toList();
  }

  private static Gallery built(NDManager manager, float[][] rows, int blockRows) {
    Gallery.Builder builder = Gallery.builder(manager, rows[0].length).blockRows(blockRows);
    for (int g = 0; g < rows.length; g++) {
      builder.add("id" + g, rows[g]);
    }
    return builder.build();
  }

  private static void assertSameAsBruteForce(
      float[][] rows, float[][] probes, int[] ks, int[] blockRows, String what) {
    try (NDManager manager = NDManager.newBaseManager()) {
      for (int block : blockRows) {
        try (Gallery gallery = built(manager, rows, block)) {
          float[][] stored = gallery.embeddings();
          for (int k : ks) {
            List<List<Gallery.Match>> got = gallery.search(probes, k);
            for (int p = 0; p < probes.length; p++) {
              assertEquals(
                  bruteForce(gallery, stored, probes[p], k),
                  got.get(p),
                  what + ", block " + block + ", k " + k + ", probe " + p);
            }
          }
        }
      }
    }
  }

  @Test
  void topKEqualsTheDoubleBruteForceOnRandomGalleries() {
    for (long seed = 1; seed <= 3; seed++) {
      Random rnd = new Random(seed);
      int d = 24;
      int n = 300;
      float[][] centres = new float[12][d];
      for (float[] c : centres) {
        for (int j = 0; j < d; j++) {
          c[j] = (float) rnd.nextGaussian();
        }
      }
      // Clustered rows, so that each probe has close competitors, some rows repeated exactly.
      float[][] rows = new float[n][d];
      for (int g = 0; g < n; g++) {
        if (g % 50 == 49) {
          rows[g] = rows[g - 17].clone();
          continue;
        }
        float[] c = centres[rnd.nextInt(centres.length)];
        for (int j = 0; j < d; j++) {
          rows[g][j] = c[j] + 0.7f * (float) rnd.nextGaussian();
        }
      }
      float[][] probes = new float[40][d];
      for (int p = 0; p < probes.length; p++) {
        float[] c = p % 10 == 0 ? rows[rnd.nextInt(n)] : centres[rnd.nextInt(centres.length)];
        for (int j = 0; j < d; j++) {
          probes[p][j] = c[j] + (p % 10 == 0 ? 0 : 0.7f * (float) rnd.nextGaussian());
        }
      }
      assertSameAsBruteForce(
          rows, probes, new int[] {1, 5, 17, 300, 400}, new int[] {7, 128, 16384}, "seed " + seed);
    }
  }

  @Test
  void exactTiesComeInGalleryOrder() {
    // Rows 0, 2 and 4 are the same vector under three names: the probe scores them equally, so
    // they come in gallery order 0, 2, 4 — before row 1, which is slightly further.
    float[] a = {0.6f, 0.8f, 0f};
    float[][] rows = {a, {0.8f, 0.6f, 0f}, a.clone(), {0f, 0f, 1f}, a.clone()};
    float[] probe = {0.61f, 0.79f, 0.02f};
    try (NDManager manager = NDManager.newBaseManager();
        Gallery gallery = Gallery.of(manager, List.of("a", "b", "a2", "c", "a3"), rows)) {
      List<Gallery.Match> top = gallery.search(probe, 4);
      assertEquals(List.of(0, 2, 4, 1), top.stream().map(Gallery.Match::index).toList());
      assertEquals(top.get(0).score(), top.get(1).score());
      assertEquals(top.get(0).score(), top.get(2).score());
      assertTrue(top.get(3).score() < top.get(0).score());
      assertEquals(List.of("a", "a2", "a3", "b"), top.stream().map(Gallery.Match::name).toList());
    }
    assertSameAsBruteForce(
        rows, new float[][] {probe}, new int[] {1, 2, 3, 5}, new int[] {1, 2}, "ties");
  }

  @Test
  void nearTiesBelowFloat32ResolutionAreDecidedExactly() {
    // Every row is one unit vector with one component moved by one float32 ulp, up or down, or an
    // exact copy: their cosines with a probe differ by ~1e−8, far below the float32 product's
    // error (~1e−5 at d = 33), so only the exact re-scoring can order them; the copies tie exactly
    // and come in gallery order. Rows this close to unit are stored bit for bit.
    Random rnd = new Random(11);
    int d = 33;
    float[] base = new float[d];
    double s = 0;
    for (int j = 0; j < d; j++) {
      base[j] = (float) rnd.nextGaussian();
      s += (double) base[j] * base[j];
    }
    for (int j = 0; j < d; j++) {
      base[j] = (float) (base[j] / Math.sqrt(s));
    }
    int n = 200;
    float[][] rows = new float[n][];
    for (int g = 0; g < n; g++) {
      float[] row = base.clone();
      int j = rnd.nextInt(d);
      int kind = g % 3;
      row[j] = kind == 0 ? row[j] : kind == 1 ? Math.nextUp(row[j]) : Math.nextDown(row[j]);
      rows[g] = row;
    }
    float[][] probes = new float[6][];
    for (int p = 0; p < probes.length; p++) {
      float[] probe = base.clone();
      probe[p] = probe[p] * (1 + 1e-3f * (p - 3));
      probes[p] = probe;
    }
    assertSameAsBruteForce(
        rows, probes, new int[] {1, 3, 10, 50}, new int[] {1, 13, 16384}, "near ties");
    try (NDManager manager = NDManager.newBaseManager();
        Gallery gallery = Gallery.of(manager, names(n), rows)) {
      assertArrayEquals(rows, gallery.embeddings(), "unit rows are kept bit for bit");
    }
  }

  @Test
  void aZeroProbeScoresZeroEverywhereAndGetsTheFirstRows() {
    float[][] rows = {{1, 2, 3}, {-1, 0, 2}, {0, 0, 5}};
    float[][] probes = {{0, 0, 0}, {1, 2, 2.5f}, {0, 0, 0}};
    try (NDManager manager = NDManager.newBaseManager();
        Gallery gallery = Gallery.of(manager, names(3), rows)) {
      List<Gallery.Match> top = gallery.search(probes[0], 2);
      assertEquals(
          List.of(new Gallery.Match(0, "id0", 0.0), new Gallery.Match(1, "id1", 0.0)), top);
    }
    assertSameAsBruteForce(rows, probes, new int[] {1, 2, 3}, new int[] {1, 16384}, "zero probes");
  }

  @Test
  void manyIdenticalRowsAreRescoredInBatchesAndStayExact() {
    // 20 000 copies of one direction (a collapsed model): every row ties for every probe, so each
    // probe keeps every row; they are re-scored in batches as they pile up. The top 3 are rows 0,
    // 1, 2 with equal scores. Rows 5000 and 15000 point slightly closer to the first probe.
    int n = 20_000;
    float[][] rows = new float[n][];
    for (int g = 0; g < n; g++) {
      rows[g] = new float[] {0.6f, 0.8f, 0f, 0f};
    }
    rows[5000] = new float[] {0.6f, 0.8f, 0.001f, 0f};
    rows[15000] = rows[5000].clone();
    float[][] probes = {{0.6f, 0.8f, 0.01f, 0f}, {0.6f, 0.8f, -0.01f, 0.5f}};
    assertSameAsBruteForce(rows, probes, new int[] {1, 3}, new int[] {4096}, "collapsed");
    try (NDManager manager = NDManager.newBaseManager();
        Gallery gallery = Gallery.of(manager, names(n), rows)) {
      assertEquals(
          List.of(5000, 15000, 0),
          gallery.search(probes[0], 3).stream().map(Gallery.Match::index).toList());
      assertEquals(
          List.of(0, 1, 2),
          gallery.search(probes[1], 3).stream().map(Gallery.Match::index).toList());
    }
  }

  @Test
  void concurrentSearchesGiveTheSequentialResults() throws Exception {
    Random rnd = new Random(5);
    float[][] rows = new float[500][16];
    for (float[] r : rows) {
      for (int j = 0; j < r.length; j++) {
        r[j] = (float) rnd.nextGaussian();
      }
    }
    float[][] probes = new float[64][16];
    for (float[] p : probes) {
      for (int j = 0; j < p.length; j++) {
        p[j] = (float) rnd.nextGaussian();
      }
    }
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try (NDManager manager = NDManager.newBaseManager();
        Gallery gallery = built(manager, rows, 64)) {
      List<List<Gallery.Match>> expected = gallery.search(probes, 5);
      List<Future<List<Gallery.Match>>> futures = new ArrayList<>();
      for (int p = 0; p < probes.length; p++) {
        float[] probe = probes[p];
        futures.add(pool.submit(() -> gallery.search(probe, 5)));
      }
      for (int p = 0; p < probes.length; p++) {
        assertEquals(expected.get(p), futures.get(p).get(), "probe " + p);
      }
    } finally {
      pool.shutdown();
    }
  }

  @Test
  void templatesAreTheNormalisedMeanOfNormalisedEmbeddings() {
    // (2, 0) and (0, 5) normalise to (1, 0) and (0, 1); their mean (0.5, 0.5) normalised is
    // (1/√2, 1/√2): each image counts once whatever its norm.
    float[] t = Gallery.template(new float[][] {{2, 0}, {0, 5}});
    assertArrayEquals(new float[] {(float) Math.sqrt(0.5), (float) Math.sqrt(0.5)}, t);
    assertArrayEquals(new float[] {0.6f, 0.8f}, Gallery.template(new float[][] {{3, 4}}));
    assertMessage(() -> Gallery.template(new float[][] {{1, 0}, {-2, 0}}), "cancel out");
    assertMessage(
        () -> Gallery.template(new float[][] {{1, 0}, {0, 0}}), "imageEmbeddings[1]", "zero");
  }

  @Test
  void savedRowsLoadBackBitForBitFromAnEngineArray() {
    Random rnd = new Random(3);
    float[][] rows = new float[50][10];
    for (float[] r : rows) {
      for (int j = 0; j < r.length; j++) {
        r[j] = (float) rnd.nextGaussian() * 3;
      }
    }
    try (NDManager manager = NDManager.newBaseManager();
        Gallery gallery = Gallery.of(manager, names(50), rows)) {
      float[][] stored = gallery.embeddings();
      NDArray array = manager.create(stored);
      try (Gallery loaded = Gallery.of(manager, gallery.names(), array)) {
        assertArrayEquals(stored, loaded.embeddings());
        assertEquals(gallery.search(rows[7], 3), loaded.search(rows[7], 3));
        assertEquals(7, loaded.indexOf("id7"));
        assertEquals(-1, loaded.indexOf("nobody"));
      }
      for (float[] r : stored) {
        double s = 0;
        for (float v : r) {
          s += (double) v * v;
        }
        assertEquals(1, Math.sqrt(s), 1e-6);
      }
    }
  }

  @Test
  void identifyAcceptsTheBestMatchFromTheThresholdOn() {
    float[][] rows = {{1, 0}, {0, 1}};
    float[] probe = {0.8f, 0.6f};
    try (NDManager manager = NDManager.newBaseManager();
        Gallery gallery = Gallery.of(manager, List.of("x", "y"), rows)) {
      double best = gallery.search(probe, 1).get(0).score();
      Gallery.Decision at = gallery.identify(probe, 2, best);
      assertEquals("x", at.identity().orElseThrow().name());
      assertEquals(2, at.candidates().size());
      Gallery.Decision above = gallery.identify(probe, 2, Math.nextUp(best));
      assertTrue(above.isUnknown());
      assertEquals("x", above.candidates().get(0).name(), "the candidates are still listed");
      assertFalse(gallery.identify(probe, 1, Double.NEGATIVE_INFINITY).isUnknown());
      assertMessage(() -> gallery.identify(probe, 1, Double.NaN), "threshold");
    }
  }

  @Test
  void batchIdentifyEqualsOneProbeAtATime() {
    Random rnd = new Random(4);
    int d = 8;
    float[][] rows = new float[60][d];
    for (float[] row : rows) {
      for (int j = 0; j < d; j++) {
        row[j] = (float) rnd.nextGaussian();
      }
    }
    // A zero probe and probes equal to a row (accepted at any threshold below 1) among them.
    float[][] probes = new float[40][d];
    for (int p = 0; p < probes.length; p++) {
      if (p % 7 == 0) {
        probes[p] = rows[p % rows.length].clone();
      } else if (p != 5) {
        for (int j = 0; j < d; j++) {
          probes[p][j] = (float) rnd.nextGaussian();
        }
      }
    }
    double threshold = 0.6;
    try (NDManager manager = NDManager.newBaseManager();
        Gallery gallery = Gallery.of(manager, names(rows.length), rows)) {
      List<Gallery.Decision> batch = gallery.identify(probes, 3, threshold);
      assertEquals(probes.length, batch.size());
      int accepted = 0;
      for (int p = 0; p < probes.length; p++) {
        assertEquals(gallery.identify(probes[p], 3, threshold), batch.get(p), "probe " + p);
        accepted += batch.get(p).isUnknown() ? 0 : 1;
      }
      assertTrue(accepted > 0 && accepted < probes.length, "both decisions occur: " + accepted);
      assertMessage(() -> gallery.identify(probes, 1, Double.NaN), "threshold");
      assertMessage(() -> gallery.identify(new float[][] {{1}}, 1, 0.5), "probes[0]");
      assertEquals(List.of(), gallery.identify(new float[0][], 1, 0.5));
    }
  }

  @Test
  void rejectsBadInputNamingIt() {
    try (NDManager manager = NDManager.newBaseManager()) {
      assertMessage(
          () -> Gallery.of(manager, List.of("a", "a"), new float[][] {{1, 0}, {0, 1}}),
          "identity 1 ('a')",
          "already enrolled");
      assertMessage(
          () -> Gallery.of(manager, List.of("a", "b"), new float[][] {{1, 0}, {0, 0}}),
          "identity 1 ('b')",
          "zero");
      assertMessage(
          () -> Gallery.of(manager, List.of("a", ""), new float[][] {{1, 0}, {0, 1}}),
          "must not be empty");
      assertMessage(
          () -> Gallery.of(manager, List.of("a"), new float[][] {{Float.NaN, 0}}),
          "must be finite");
      assertMessage(() -> Gallery.of(manager, List.of("a", "b"), new float[][] {{1, 0}}), "names");
      try (Gallery g = Gallery.of(manager, List.of("a", "b"), new float[][] {{1, 0}, {0, 1}})) {
        assertMessage(() -> g.search(new float[] {1, 0, 0}, 1), "probe", "dimension 2");
        assertMessage(() -> g.search(new float[] {1, Float.NaN}, 1), "probe[1]", "finite");
        assertMessage(() -> g.search(new float[][] {{1, 0}, {1}}, 1), "probes[1]");
        assertMessage(() -> g.search(new float[] {1, 0}, 0), "k must be >= 1");
        assertEquals(2, g.search(new float[] {1, 0}, 10).size(), "k is capped at n");
      }
    }
  }
}
