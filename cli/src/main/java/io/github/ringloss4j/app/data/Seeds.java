package io.github.ringloss4j.app.data;

/**
 * Independent generator seeds derived from a run's seed, so that each random choice (a class's
 * split, a sample's augmentation) depends only on the seed and its own coordinates, never on the
 * order in which other choices were made or on which thread makes it.
 */
final class Seeds {

  private Seeds() {}

  /**
   * A seed for stream {@code stream} of {@code seed}: the SplitMix64 finaliser of their mix, so
   * that neighbouring (seed, stream) pairs give unrelated seeds (java.util.Random's first outputs
   * for neighbouring seeds are correlated).
   *
   * @param seed the parent seed
   * @param stream the stream's coordinate, e.g. a label or a position
   * @return the derived seed
   */
  static long mix(long seed, long stream) {
    long z = seed + 0x9E3779B97F4A7C15L * (stream + 1L);
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
