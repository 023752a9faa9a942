package io.github.ringloss4j.metrics;

import static io.github.ringloss4j.metrics.RocTest.assertMessage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class IdentificationTest {

  // Gallery: g0 label 1 (1, 0), g1 label 2 (1, 0), g2 label 3 (0, 1), g3 label 1 (0, 1),
  // g4 label 4 (0.6, 0.8).
  private static final float[][] GALLERY = {{1, 0}, {1, 0}, {0, 1}, {0, 1}, {0.6f, 0.8f}};
  private static final int[] GALLERY_LABELS = {1, 2, 3, 1, 4};
  private static final float[][] PROBES = {{1, 0}, {1, 0}, {0.8f, 0.6f}, {1, 0}, {0, 2}};
  private static final int[] PROBE_LABELS = {1, 3, 2, 9, 4};

  @Test
  void handExampleWithTies() {
    // Cosine scores against g0..g4; ties count against the probe (pessimistic rule):
    //   p0 label 1 (1, 0):     1, 1, 0, 0, 0.6. Best mate g0 = 1; non-mate g1 ties at 1 and
    //                          counts: rank 2.
    //   p1 label 3 (1, 0):     1, 1, 0, 0, 0.6. Mate g2 = 0; g0, g1, g4 are above and g3 ties,
    //                          all four count: rank 5.
    //   p2 label 2 (0.8, 0.6): 0.8, 0.8, 0.6, 0.6, 0.96. Mate g1 = 0.8; g4 is above and g0
    //                          ties: rank 3.
    //   p3 label 9:            no mate in the gallery: skipped.
    //   p4 label 4 (0, 2):     0, 0, 1, 1, 0.8. Mate g4 = 0.8; g2 and g3 are above: rank 3.
    // Euclidean gives the same order and the same ties: e.g. p2 is at distance 0.632 from g0 and
    // g1, 0.283 from g4 and 0.894 from g2 and g3; p4 at 1 from g2 and g3, sqrt(1.8) = 1.342
    // from g4. Ranks {2, 5, 3, 3} over 4 evaluated probes: rank-1 0/4, rank-2 1/4 (p0),
    // rank-3 3/4 (p0, p2, p4), rank-4 3/4, rank-5 4/4.
    int[] ranks = {1, 2, 3, 4, 5};
    double[] expected = {0, 0.25, 0.75, 0.75, 1.0};
    for (Similarity similarity : Similarity.values()) {
      for (int chunk : new int[] {1, 2, 5, 100}) {
        Identification.Result result =
            Identification.evaluate(
                GALLERY, GALLERY_LABELS, PROBES, PROBE_LABELS, similarity, ranks, chunk);
        assertArrayEquals(expected, result.rates(), similarity + ", chunk " + chunk);
        assertEquals(4, result.evaluatedProbes());
        assertEquals(1, result.skippedProbes());
        assertEquals(0.25, result.rateAt(2));
        assertArrayEquals(ranks, result.ranks());
      }
    }
  }

  @Test
  void matchesBruteForceForEveryChunkSize() {
    for (long seed = 1; seed <= 4; seed++) {
      Random random = new Random(seed);
      int gallerySize = 60;
      int probeCount = 37;
      int dimension = 6;
      float[][] gallery = tiedVectors(random, gallerySize, dimension);
      float[][] probes = tiedVectors(random, probeCount, dimension);
      int[] galleryLabels = new int[gallerySize];
      for (int g = 0; g < gallerySize; g++) {
        galleryLabels[g] = random.nextInt(20);
      }
      int[] probeLabels = new int[probeCount];
      for (int p = 0; p < probeCount; p++) {
        // Labels up to 24: some probes have no mate.
        probeLabels[p] = random.nextInt(25);
      }
      int[] ranks = new int[gallerySize + 1];
      for (int k = 0; k < ranks.length; k++) {
        ranks[k] = k + 1;
      }
      for (Similarity similarity : Similarity.values()) {
        int[] bruteRanks = bruteForceRanks(gallery, galleryLabels, probes, probeLabels, similarity);
        int evaluated = 0;
        int[] hits = new int[ranks.length];
        for (int rank : bruteRanks) {
          if (rank > 0) {
            evaluated++;
            for (int k = 0; k < ranks.length; k++) {
              if (rank <= ranks[k]) {
                hits[k]++;
              }
            }
          }
        }
        double[] expected = new double[ranks.length];
        for (int k = 0; k < ranks.length; k++) {
          expected[k] = (double) hits[k] / evaluated;
        }
        for (int chunk : new int[] {1, 7, probeCount, 1000}) {
          Identification.Result result =
              Identification.evaluate(
                  gallery, galleryLabels, probes, probeLabels, similarity, ranks, chunk);
          String context = "seed " + seed + ", " + similarity + ", chunk " + chunk;
          assertArrayEquals(expected, result.rates(), context);
          assertEquals(evaluated, result.evaluatedProbes(), context);
          assertEquals(probeCount - evaluated, result.skippedProbes(), context);
        }
      }
    }
  }

  @Test
  void galleryProbeSplitFollowsTheProtocol() {
    int[] labels = {4, 7, 4, 4, -1, 7, 9, 4, 2, 2};
    Identification.Split split = Identification.galleryProbeSplit(labels, 3);
    assertEquals(split, Identification.galleryProbeSplit(labels, 3));
    int[] gallery = split.gallery();
    int[] probes = split.probes();
    // Labels 4 (4 samples), 7 (2) and 2 (2) give one gallery sample each; -1 and 9 are
    // singletons and go to the gallery only.
    assertEquals(5, gallery.length);
    assertEquals(5, probes.length);
    boolean[] used = new boolean[labels.length];
    Map<Integer, Integer> galleryPerLabel = new HashMap<>();
    for (int i = 0; i < gallery.length; i++) {
      assertTrue(i == 0 || gallery[i - 1] < gallery[i]);
      used[gallery[i]] = true;
      galleryPerLabel.merge(labels[gallery[i]], 1, Integer::sum);
    }
    for (int i = 0; i < probes.length; i++) {
      assertTrue(i == 0 || probes[i - 1] < probes[i]);
      assertTrue(!used[probes[i]], "index in both gallery and probes");
      used[probes[i]] = true;
      assertEquals(1, galleryPerLabel.get(labels[probes[i]]), "probe without exactly one mate");
    }
    for (boolean u : used) {
      assertTrue(u, "index missing from the split");
    }
    assertEquals(Map.of(4, 1, 7, 1, 9, 1, -1, 1, 2, 1), galleryPerLabel);
  }

  @Test
  void galleryProbeSplitDependsOnTheSeed() {
    int[] labels = new int[200];
    for (int i = 0; i < labels.length; i++) {
      labels[i] = i % 40;
    }
    Identification.Split a = Identification.galleryProbeSplit(labels, 1);
    Identification.Split b = Identification.galleryProbeSplit(labels, 2);
    assertEquals(40, a.gallery().length);
    assertEquals(160, a.probes().length);
    assertNotEquals(a, b);
  }

  @Test
  void validationNamesTheArgument() {
    int[] ranks = {1};
    Similarity cos = Similarity.COSINE;
    assertMessage(
        () ->
            Identification.evaluate(
                new float[0][], new int[0], PROBES, PROBE_LABELS, cos, ranks, 1),
        "gallery must not be empty");
    assertMessage(
        () -> Identification.evaluate(GALLERY, new int[4], PROBES, PROBE_LABELS, cos, ranks, 1),
        "galleryLabels.length must equal gallery.length (5), got 4");
    assertMessage(
        () -> Identification.evaluate(GALLERY, GALLERY_LABELS, PROBES, new int[2], cos, ranks, 1),
        "probeLabels.length must equal probes.length (5), got 2");
    assertMessage(
        () ->
            Identification.evaluate(
                GALLERY, GALLERY_LABELS, new float[][] {{1, 2, 3}}, new int[] {1}, cos, ranks, 1),
        "probes[0].length must equal 2",
        "got 3");
    assertMessage(
        () ->
            Identification.evaluate(
                GALLERY,
                GALLERY_LABELS,
                new float[][] {{1, Float.NaN}},
                new int[] {1},
                cos,
                ranks,
                1),
        "probes[0][1] must be finite, got NaN");
    assertMessage(
        () ->
            Identification.evaluate(
                GALLERY, GALLERY_LABELS, PROBES, PROBE_LABELS, cos, new int[] {1, 0}, 1),
        "ranks[1] must be >= 1, got 0");
    assertMessage(
        () ->
            Identification.evaluate(
                GALLERY, GALLERY_LABELS, PROBES, PROBE_LABELS, cos, new int[0], 1),
        "ranks must not be empty");
    assertMessage(
        () -> Identification.evaluate(GALLERY, GALLERY_LABELS, PROBES, PROBE_LABELS, cos, ranks, 0),
        "chunkSize must be >= 1, got 0");
    assertMessage(
        () ->
            Identification.evaluate(GALLERY, GALLERY_LABELS, PROBES, PROBE_LABELS, null, ranks, 1),
        "similarity must not be null");
    assertMessage(
        () ->
            Identification.evaluate(
                GALLERY, GALLERY_LABELS, new float[][] {{1, 0}}, new int[] {8}, cos, ranks, 1),
        "probeLabels must contain at least one label present in galleryLabels");
    Identification.Result result =
        Identification.evaluate(
            GALLERY, GALLERY_LABELS, PROBES, PROBE_LABELS, cos, new int[] {1, 3}, 2);
    assertMessage(() -> result.rateAt(2), "rank must be one of the requested ranks", "got 2");
    assertMessage(() -> Identification.galleryProbeSplit(null, 1), "labels must not be null");
  }

  /** Components in {-1, 0, 1}: many vectors coincide or are parallel, so scores tie exactly. */
  private static float[][] tiedVectors(Random random, int count, int dimension) {
    float[][] vectors = new float[count][dimension];
    for (float[] vector : vectors) {
      for (int d = 0; d < dimension; d++) {
        vector[d] = random.nextInt(3) - 1;
      }
    }
    return vectors;
  }

  /**
   * Sorts the gallery by descending score, non-mates before mates on equal scores (the pessimistic
   * tie rule), and returns 1 + the position of the first mate, or 0 when the probe has no mate.
   */
  private static int[] bruteForceRanks(
      float[][] gallery,
      int[] galleryLabels,
      float[][] probes,
      int[] probeLabels,
      Similarity similarity) {
    int[] ranks = new int[probes.length];
    for (int p = 0; p < probes.length; p++) {
      int label = probeLabels[p];
      List<Integer> order = new ArrayList<>();
      double[] scores = new double[gallery.length];
      for (int g = 0; g < gallery.length; g++) {
        order.add(g);
        scores[g] = similarity.score(probes[p], gallery[g]);
      }
      order.sort(
          (x, y) -> {
            int byScore = Double.compare(scores[y], scores[x]);
            if (byScore != 0) {
              return byScore;
            }
            return Boolean.compare(galleryLabels[x] == label, galleryLabels[y] == label);
          });
      for (int k = 0; k < order.size(); k++) {
        if (galleryLabels[order.get(k)] == label) {
          ranks[p] = k + 1;
          break;
        }
      }
    }
    return ranks;
  }
}
