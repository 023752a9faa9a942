package io.github.ringloss4j.app.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.ringloss4j.metrics.Identification;
import io.github.ringloss4j.metrics.Similarity;
import java.util.Random;
import org.junit.jupiter.api.Test;

class EvaluationTest {

  /** Noisy class centres: most probes at rank 1, some further down. */
  private static float[][] embeddings(int[] labels, int d, long seed) {
    Random random = new Random(seed);
    int classes = 0;
    for (int label : labels) {
      classes = Math.max(classes, label + 1);
    }
    float[][] centres = new float[classes][d];
    for (float[] c : centres) {
      for (int j = 0; j < d; j++) {
        c[j] = (float) random.nextGaussian();
      }
    }
    float[][] f = new float[labels.length][d];
    for (int i = 0; i < f.length; i++) {
      for (int j = 0; j < d; j++) {
        f[i][j] = centres[labels[i]][j] + (float) (1.2 * random.nextGaussian());
      }
    }
    return f;
  }

  private static float[][] rows(float[][] f, int[] indices) {
    float[][] out = new float[indices.length][];
    for (int i = 0; i < indices.length; i++) {
      out[i] = f[indices[i]];
    }
    return out;
  }

  private static int[] labels(int[] labels, int[] indices) {
    int[] out = new int[indices.length];
    for (int i = 0; i < indices.length; i++) {
      out[i] = labels[indices[i]];
    }
    return out;
  }

  @Test
  void engineIdentificationGivesThePureJavaFigures() {
    int n = 600;
    int[] labels = new int[n];
    Random random = new Random(5);
    for (int i = 0; i < n; i++) {
      labels[i] = random.nextInt(12);
    }
    float[][] f = embeddings(labels, 16, 11);
    Identification.Split split = Identification.galleryProbeSplit(labels, 7);
    // Exact ties: class 1's gallery row is twice class 0's, so their cosines to any probe are
    // equal to the last bit, and ties must count in the probe's favour on both paths.
    int g0 = -1;
    int g1 = -1;
    for (int g : split.gallery()) {
      g0 = labels[g] == 0 ? g : g0;
      g1 = labels[g] == 1 ? g : g1;
    }
    for (int j = 0; j < f[g0].length; j++) {
      f[g1][j] = 2 * f[g0][j];
    }

    Identification.Result engine = Evaluation.identify(f, labels, split);
    Identification.Result java =
        Identification.evaluate(
            rows(f, split.gallery()),
            labels(labels, split.gallery()),
            rows(f, split.probes()),
            labels(labels, split.probes()),
            Similarity.COSINE,
            new int[] {1, 5},
            1024);
    assertArrayEquals(new int[] {1, 5}, engine.ranks());
    assertArrayEquals(java.rates(), engine.rates(), 0.0);
    assertEquals(java.evaluatedProbes(), engine.evaluatedProbes());
    assertEquals(java.skippedProbes(), engine.skippedProbes());
    double rank1 = engine.rateAt(1);
    assertTrue(rank1 > 0.2 && rank1 < 0.95, "a set where ranks differ: rank-1 " + rank1);
    assertTrue(engine.rateAt(5) > rank1, "rank-5 " + engine.rateAt(5));
  }

  @Test
  void aSetWithoutProbesHasNoIdentificationRatherThanAnError() {
    // Every class has one item: the data allow no probe, which is not an error of the user's.
    int[] labels = {0, 1, 2};
    float[][] f = embeddings(labels, 4, 1);
    Identification.Split split = Identification.galleryProbeSplit(labels, 7);
    Identification.Result r = Evaluation.identify(f, labels, split);
    assertEquals(0, r.evaluatedProbes());
    assertTrue(Double.isNaN(r.rateAt(1)), "n/a, not 0 or 1");
  }
}
