package io.github.ringloss4j.metrics;

import static io.github.ringloss4j.metrics.RocTest.assertMessage;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

class SimilarityTest {

  @Test
  void handValues() {
    float[] a = {1, 2, 3};
    float[] b = {4, -5, 6};
    // a.b = 4 - 10 + 18 = 12; |a|^2 = 1 + 4 + 9 = 14; |b|^2 = 16 + 25 + 36 = 77;
    // cosine = 12 / sqrt(14 * 77) = 12 / sqrt(1078) = 12 / 32.8329... = 0.3654869...
    assertEquals(12.0 / Math.sqrt(1078.0), Similarity.COSINE.score(a, b), 1e-15);
    assertEquals(0.3654869, Similarity.COSINE.score(a, b), 1e-7);
    // a - b = (-3, 7, -3); squared norm 9 + 49 + 9 = 67; score = -sqrt(67) = -8.18535...
    assertEquals(-Math.sqrt(67.0), Similarity.EUCLIDEAN.score(a, b), 1e-15);
    assertEquals(-8.1853528, Similarity.EUCLIDEAN.score(a, b), 1e-7);
    // Parallel and antiparallel vectors: cosine +1 and -1.
    assertEquals(1.0, Similarity.COSINE.score(a, new float[] {2, 4, 6}), 1e-15);
    assertEquals(-1.0, Similarity.COSINE.score(a, new float[] {-1, -2, -3}), 1e-15);
  }

  @Test
  void zeroVectorsAndIdenticalVectors() {
    float[] zero = {0, 0, 0};
    float[] a = {1, 2, 3};
    assertEquals(0.0, Similarity.COSINE.score(zero, a));
    assertEquals(0.0, Similarity.COSINE.score(a, zero));
    assertEquals(0.0, Similarity.COSINE.score(zero, zero));
    // assertEquals on doubles compares bits: this also checks the score is +0.0, not -0.0.
    assertEquals(0.0, Similarity.EUCLIDEAN.score(a, a));
    assertEquals(-Math.sqrt(14.0), Similarity.EUCLIDEAN.score(zero, a), 1e-15);
  }

  @Test
  void bulkScoresEqualPairwiseScoresBitForBit() {
    Random random = new Random(2);
    float[][] queries = randomVectors(random, 9, 16);
    float[][] gallery = randomVectors(random, 13, 16);
    gallery[4] = new float[16];
    for (Similarity similarity : Similarity.values()) {
      double[][] out = new double[queries.length][gallery.length];
      similarity.scores(queries, gallery, out);
      for (int q = 0; q < queries.length; q++) {
        for (int g = 0; g < gallery.length; g++) {
          assertEquals(similarity.score(queries[q], gallery[g]), out[q][g]);
        }
      }
    }
  }

  @Test
  void validationNamesTheArgument() {
    float[] a = {1, 2};
    assertMessage(() -> Similarity.COSINE.score(null, a), "a must not be null");
    assertMessage(() -> Similarity.EUCLIDEAN.score(a, null), "b must not be null");
    assertMessage(
        () -> Similarity.COSINE.score(a, new float[3]), "b.length must equal a.length (2), got 3");
    float[][] two = {{1, 2}, {3, 4}};
    assertMessage(
        () -> Similarity.COSINE.scores(two, new float[][] {{1, 2}, {1, 2, 3}}, new double[2][2]),
        "gallery[1].length must equal 2",
        "got 3");
    assertMessage(
        () -> Similarity.COSINE.scores(two, two, new double[3][2]),
        "out.length must equal queries.length (2), got 3");
    assertMessage(
        () -> Similarity.EUCLIDEAN.scores(two, two, new double[][] {{0, 0}, {0}}),
        "out[1].length must equal gallery.length (2), got 1");
    assertMessage(() -> Similarity.COSINE.scores(null, two, new double[2][2]), "queries");
    assertMessage(
        () -> Similarity.COSINE.scores(new float[][] {{1, 2}, null}, two, new double[2][2]),
        "queries[1] must not be null");
  }

  static float[][] randomVectors(Random random, int count, int dimension) {
    float[][] vectors = new float[count][dimension];
    for (float[] vector : vectors) {
      for (int d = 0; d < dimension; d++) {
        vector[d] = (float) random.nextGaussian();
      }
    }
    return vectors;
  }
}
