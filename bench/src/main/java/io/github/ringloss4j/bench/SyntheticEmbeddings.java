package io.github.ringloss4j.bench;

import java.util.SplittableRandom;

/**
 * A synthetic gallery and its probes, reproducible row by row so that the engine path and the
 * pure-Java path can each build only their own copy.
 *
 * <p>Gallery row g is uniform in [−1, 1)^d from a generator seeded with (seed, g); probe p is a
 * noisy copy of the gallery row {@link #mate(int)} (noise uniform in [−0.5, 0.5)^d), so every probe
 * has exactly one mate and a well-defined rank.
 */
final class SyntheticEmbeddings {

  private static final long GOLDEN = 0x9E3779B97F4A7C15L;

  private final long seed;
  private final int gallerySize;
  private final int probeCount;
  private final int dim;
  private final int[] mates;

  SyntheticEmbeddings(long seed, int gallerySize, int probeCount, int dim) {
    if (gallerySize < 1 || probeCount < 1 || dim < 1) {
      throw new IllegalArgumentException(
          "gallerySize, probeCount and dim must be >= 1, got "
              + gallerySize
              + ", "
              + probeCount
              + ", "
              + dim);
    }
    this.seed = seed;
    this.gallerySize = gallerySize;
    this.probeCount = probeCount;
    this.dim = dim;
    SplittableRandom random = new SplittableRandom(seed ^ GOLDEN);
    this.mates = new int[probeCount];
    for (int p = 0; p < probeCount; p++) {
      mates[p] = random.nextInt(gallerySize);
    }
  }

  int gallerySize() {
    return gallerySize;
  }

  int probeCount() {
    return probeCount;
  }

  int dim() {
    return dim;
  }

  /** The gallery index of probe p's mate. */
  int mate(int probe) {
    return mates[probe];
  }

  /** Writes gallery row g into {@code out[offset .. offset + d)}. */
  void galleryRow(int g, float[] out, int offset) {
    SplittableRandom random = new SplittableRandom(seed * 1_000_003L + g);
    for (int j = 0; j < dim; j++) {
      out[offset + j] = (float) (random.nextDouble() * 2 - 1);
    }
  }

  /** Writes probe p into {@code out[offset .. offset + d)}. */
  void probe(int p, float[] out, int offset) {
    galleryRow(mates[p], out, offset);
    SplittableRandom noise = new SplittableRandom((seed + 7) * GOLDEN + p);
    for (int j = 0; j < dim; j++) {
      out[offset + j] += (float) (noise.nextDouble() - 0.5);
    }
  }

  /** The gallery as Java arrays, one row each. */
  float[][] galleryRows() {
    float[][] rows = new float[gallerySize][dim];
    for (int g = 0; g < gallerySize; g++) {
      galleryRow(g, rows[g], 0);
    }
    return rows;
  }

  /** The probes as Java arrays, one row each. */
  float[][] probeRows() {
    float[][] rows = new float[probeCount][dim];
    for (int p = 0; p < probeCount; p++) {
      probe(p, rows[p], 0);
    }
    return rows;
  }

  /**
   * Consecutive gallery rows, flattened.
   *
   * @param from the first row
   * @param rows how many rows
   * @return rows × dim values, row after row
   */
  float[] galleryRows(int from, int rows) {
    float[] values = new float[rows * dim];
    for (int r = 0; r < rows; r++) {
      galleryRow(from + r, values, r * dim);
    }
    return values;
  }

  /** Gallery labels: every gallery row is its own identity. */
  int[] galleryLabels() {
    int[] labels = new int[gallerySize];
    for (int g = 0; g < gallerySize; g++) {
      labels[g] = g;
    }
    return labels;
  }

  /** Probe labels: the identity of each probe's mate. */
  int[] probeLabels() {
    return mates.clone();
  }
}
