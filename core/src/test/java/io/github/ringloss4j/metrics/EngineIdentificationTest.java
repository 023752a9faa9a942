package io.github.ringloss4j.metrics;

import static io.github.ringloss4j.metrics.RocTest.assertMessage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link EngineIdentification} against {@link Identification}, which defines the ranks: equal
 * results on random data, on the hand example with exact ties, on near-ties below float32's
 * resolution, at zero rows, and for every chunk size.
 */
class EngineIdentificationTest {

  private static final int[] RANKS = {1, 2, 3, 5, 10};

  private static NDArray matrix(NDManager manager, float[][] rows) {
    return manager.create(rows);
  }

  private static void assertSameAsJava(
      float[][] gallery, int[] galleryLabels, float[][] probes, int[] probeLabels, String what) {
    try (NDManager manager = NDManager.newBaseManager()) {
      NDArray g = matrix(manager, gallery);
      NDArray p = matrix(manager, probes);
      for (Similarity similarity : Similarity.values()) {
        Identification.Result expected =
            Identification.evaluate(
                gallery, galleryLabels, probes, probeLabels, similarity, RANKS, 64);
        // chunks of one probe and one gallery row on the small sets; fewer, larger ones on the
        // random set (every chunk is a few engine calls)
        int[][] chunkings =
            gallery.length <= 200
                ? new int[][] {{1, 1}, {3, 7}, {1024, 16384}}
                : new int[][] {{1, 128}, {16, 37}, {1024, 16384}};
        for (int[] chunks : chunkings) {
          Identification.Result actual =
              EngineIdentification.evaluate(
                  g, galleryLabels, p, probeLabels, similarity, RANKS, chunks[0], chunks[1]);
          assertEquals(
              expected,
              actual,
              what + ", " + similarity + ", chunks " + chunks[0] + "/" + chunks[1]);
        }
      }
    }
  }

  @Test
  void handExampleWithTies() {
    // The hand example of IdentificationTest: exact ties between the best mate and non-mates
    // (which count against the probe), a probe without a mate, ranks {2, 5, 3, 3}.
    float[][] gallery = {{1, 0}, {1, 0}, {0, 1}, {0, 1}, {0.6f, 0.8f}};
    float[][] probes = {{1, 0}, {1, 0}, {0.8f, 0.6f}, {1, 0}, {0, 2}};
    assertSameAsJava(gallery, new int[] {1, 2, 3, 1, 4}, probes, new int[] {1, 3, 2, 9, 4}, "hand");
    try (NDManager manager = NDManager.newBaseManager()) {
      Identification.Result r =
          EngineIdentification.evaluate(
              matrix(manager, gallery),
              new int[] {1, 2, 3, 1, 4},
              matrix(manager, probes),
              new int[] {1, 3, 2, 9, 4},
              Similarity.COSINE,
              new int[] {1, 2, 3, 4});
      assertEquals(0, r.rateAt(1));
      assertEquals(0.25, r.rateAt(2));
      assertEquals(0.75, r.rateAt(3));
      assertEquals(4, r.evaluatedProbes());
      assertEquals(1, r.skippedProbes());
    }
  }

  @Test
  void collapsedEmbeddingsRankNoProbeFirst() {
    // A diverged model: 60 samples of 12 identities (labels i % 12), every embedding the same
    // row, or all zero. The split puts one sample per identity in the gallery (12 rows) and the
    // other 48 in the probes. Every score ties, so each probe's 11 non-mates all count against
    // it: rank 1 + 11 = 12 for all 48 probes, for either score and either path. Rank-1, rank-5
    // and rank-11 are 0/48 = 0 and rank-12 is 48/48 = 1 (the optimistic rule gave 1 at every
    // rank).
    int[] labels = new int[60];
    for (int i = 0; i < labels.length; i++) {
      labels[i] = i % 12;
    }
    Identification.Split split = Identification.galleryProbeSplit(labels, 7);
    int[] galleryLabels = pick(labels, split.gallery());
    int[] probeLabels = pick(labels, split.probes());
    int[] ranks = {1, 5, 11, 12};
    double[] expected = {0, 0, 0, 1};
    for (float[] row : new float[][] {{0.3f, -1.2f, 0.5f, 2}, {0, 0, 0, 0}}) {
      float[][] gallery = repeat(row, galleryLabels.length);
      float[][] probes = repeat(row, probeLabels.length);
      try (NDManager manager = NDManager.newBaseManager()) {
        for (Similarity similarity : Similarity.values()) {
          String what = similarity + " on " + Arrays.toString(row);
          Identification.Result java =
              Identification.evaluate(
                  gallery, galleryLabels, probes, probeLabels, similarity, ranks, 16);
          Identification.Result engine =
              EngineIdentification.evaluate(
                  matrix(manager, gallery),
                  galleryLabels,
                  matrix(manager, probes),
                  probeLabels,
                  similarity,
                  ranks);
          assertArrayEquals(expected, java.rates(), what);
          assertEquals(java, engine, what);
          assertEquals(48, engine.evaluatedProbes(), what);
        }
      }
    }
  }

  @Test
  void collapsedEmbeddingsWithoutNonMatesRankFirst() {
    // The pessimistic value is not always 0: a probe with no non-mate in the gallery has nothing
    // to lose a tie to, so its rank is 1 + 0 = 1 even when everything is collapsed.
    float[][] rows = {{1, 1}, {1, 1}, {1, 1}};
    int[] labels = {4, 4, 4};
    try (NDManager manager = NDManager.newBaseManager()) {
      for (Similarity similarity : Similarity.values()) {
        Identification.Result engine =
            EngineIdentification.evaluate(
                matrix(manager, rows), labels, matrix(manager, rows), labels, similarity, RANKS);
        assertEquals(1.0, engine.rateAt(1), similarity.toString());
      }
    }
    assertSameAsJava(rows, labels, rows, labels, "one identity");
  }

  @Test
  void exactTieInTheRescoringBandCountsAgainstTheProbe() {
    // Gallery: g0 the mate (label 1), g1 an exact copy of it with label 2, g2 a far non-mate
    // (label 3). The probe (label 1) is close to both copies: their float32 scores land in the
    // band and the exact re-scoring finds them equal, so g1 counts: rank 1 + 1 = 2. g2 scores
    // lower by far more than the band: it is discarded by the pre-filter. Rank-1 0, rank-2 1.
    float[][] gallery = {{0.6f, 0.8f, 0.1f}, {0.6f, 0.8f, 0.1f}, {-1, 0, 0}};
    int[] galleryLabels = {1, 2, 3};
    float[][] probes = {{0.61f, 0.79f, 0.12f}};
    int[] probeLabels = {1};
    try (NDManager manager = NDManager.newBaseManager()) {
      for (Similarity similarity : Similarity.values()) {
        Identification.Result engine =
            EngineIdentification.evaluate(
                matrix(manager, gallery),
                galleryLabels,
                matrix(manager, probes),
                probeLabels,
                similarity,
                new int[] {1, 2},
                1,
                1);
        assertEquals(0.0, engine.rateAt(1), similarity.toString());
        assertEquals(1.0, engine.rateAt(2), similarity.toString());
      }
    }
    assertSameAsJava(gallery, galleryLabels, probes, probeLabels, "exact copy");
  }

  private static int[] pick(int[] values, int[] indices) {
    int[] out = new int[indices.length];
    for (int i = 0; i < indices.length; i++) {
      out[i] = values[indices[i]];
    }
    return out;
  }

  private static float[][] repeat(float[] row, int count) {
    float[][] rows = new float[count][];
    for (int i = 0; i < count; i++) {
      rows[i] = row.clone();
    }
    return rows;
  }

  @Test
  void randomGalleriesGiveTheJavaResult() {
    // about 10 mates per probe: the best mate is scored exactly, one pass over the gallery
    randomGalleries(400, 24, 40);
  }

  @Test
  void galleriesWithManyMatesPerProbeGiveTheJavaResult() {
    // about 140 mates per probe, above MATES_SCORED_IN_JAVA: the engine's first pass finds them
    randomGalleries(700, 16, 5);
  }

  private static void randomGalleries(int n, int d, int identities) {
    for (long seed = 1; seed <= 3; seed++) {
      Random rnd = new Random(seed);
      float[][] centres = new float[identities][d];
      for (float[] c : centres) {
        for (int j = 0; j < d; j++) {
          c[j] = (float) rnd.nextGaussian();
        }
      }
      float[][] gallery = new float[n][d];
      int[] galleryLabels = new int[n];
      for (int i = 0; i < n; i++) {
        galleryLabels[i] = rnd.nextInt(identities);
        for (int j = 0; j < d; j++) {
          gallery[i][j] = centres[galleryLabels[i]][j] + 1.5f * (float) rnd.nextGaussian();
        }
      }
      float[][] probes = new float[150][d];
      int[] probeLabels = new int[probes.length];
      for (int i = 0; i < probes.length; i++) {
        probeLabels[i] = rnd.nextInt(identities + 5); // some without a mate
        float[] c = centres[probeLabels[i] % identities];
        for (int j = 0; j < d; j++) {
          probes[i][j] = c[j] + 1.5f * (float) rnd.nextGaussian();
        }
      }
      assertSameAsJava(gallery, galleryLabels, probes, probeLabels, "seed " + seed);
    }
  }

  @Test
  void nearTiesBelowFloat32ResolutionAreDecidedExactly() {
    // Every non-mate is the mate with one component moved by one float32 ulp, up or down, or an
    // exact copy: their cosines differ from the mate's by ~1e−8, below the float32 product's
    // error, so only the exact re-scoring can order them. Duplicates tie exactly and count against
    // the probe.
    Random rnd = new Random(11);
    int d = 33;
    float[] mate = new float[d];
    for (int j = 0; j < d; j++) {
      mate[j] = (float) rnd.nextGaussian();
    }
    int n = 200;
    float[][] gallery = new float[n][];
    int[] galleryLabels = new int[n];
    gallery[0] = mate;
    galleryLabels[0] = 0;
    for (int i = 1; i < n; i++) {
      float[] row = mate.clone();
      int j = rnd.nextInt(d);
      int kind = i % 3;
      row[j] = kind == 0 ? row[j] : kind == 1 ? Math.nextUp(row[j]) : Math.nextDown(row[j]);
      gallery[i] = row;
      galleryLabels[i] = i;
    }
    float[][] probes = new float[6][];
    int[] probeLabels = new int[6];
    for (int i = 0; i < probes.length; i++) {
      float[] probe = mate.clone();
      probe[i] = probe[i] * (1 + 1e-3f * (i - 3));
      probes[i] = probe;
      probeLabels[i] = i == 5 ? 7 : 0;
    }
    assertSameAsJava(gallery, galleryLabels, probes, probeLabels, "near ties");
  }

  @Test
  void zeroRowsScoreZeroAsInJava() {
    float[][] gallery = {{0, 0, 0}, {1, 2, 3}, {-1, 0, 2}, {0, 0, 0}};
    int[] galleryLabels = {1, 2, 3, 4};
    float[][] probes = {{0, 0, 0}, {1, 2, 2.5f}, {0, 0, 0}};
    int[] probeLabels = {1, 2, 3};
    assertSameAsJava(gallery, galleryLabels, probes, probeLabels, "zero rows");
  }

  @Test
  void rejectsBadInputNamingTheArgument() {
    try (NDManager manager = NDManager.newBaseManager()) {
      NDArray g = manager.create(new float[][] {{1, 0}, {0, 1}});
      NDArray p = manager.create(new float[][] {{1, 0}});
      int[] gl = {1, 2};
      int[] pl = {1};
      Similarity c = Similarity.COSINE;
      assertMessage(
          () ->
              EngineIdentification.evaluate(
                  manager.create(new float[][] {{1, 0}, {Float.NaN, 1}}), gl, p, pl, c, RANKS),
          "gallery[1][0] must be finite");
      assertMessage(
          () -> EngineIdentification.evaluate(g, gl, manager.ones(new Shape(1, 3)), pl, c, RANKS),
          "probes must have the gallery's dimension 2");
      assertMessage(
          () -> EngineIdentification.evaluate(g, new int[] {1}, p, pl, c, RANKS), "galleryLabels");
      assertMessage(
          () ->
              EngineIdentification.evaluate(
                  g.toType(ai.djl.ndarray.types.DataType.FLOAT64, false), gl, p, pl, c, RANKS),
          "gallery must be float32");
      assertMessage(
          () -> EngineIdentification.evaluate(manager.ones(new Shape(4)), gl, p, pl, c, RANKS),
          "gallery must be a [rows, dimension] matrix");
      assertMessage(
          () -> EngineIdentification.evaluate(g, gl, p, pl, c, new int[] {0}), "ranks[0]");
      assertMessage(
          () -> EngineIdentification.evaluate(g, gl, p, new int[] {9}, c, RANKS),
          "probeLabels must contain at least one label present in galleryLabels");
      assertMessage(
          () ->
              EngineIdentification.evaluate(
                  manager.zeros(new Shape(0, 2)), new int[0], p, pl, c, RANKS),
          "gallery must not be empty");
    }
  }
}
