package io.github.ringloss4j.metrics;

/**
 * Counts probe ranks into the rank-k identification rates of {@link Identification.Result}, for
 * {@link Identification} and {@link EngineIdentification} alike.
 */
final class RankTally {

  private final int[] ranks;
  private final int[] counts;
  private int evaluated;
  private int skipped;

  /**
   * A tally for the requested ranks.
   *
   * @param ranks the ranks k at which to report the rate
   * @throws IllegalArgumentException if ranks is empty or a rank is below 1
   */
  RankTally(int[] ranks) {
    if (ranks.length == 0) {
      throw new IllegalArgumentException("ranks must not be empty");
    }
    for (int k = 0; k < ranks.length; k++) {
      Checks.atLeast(ranks[k], "ranks[" + k + "]", 1);
    }
    this.ranks = ranks;
    this.counts = new int[ranks.length];
  }

  /** Counts a probe of the given rank (1 = its best mate scores highest). */
  void add(long rank) {
    evaluated++;
    for (int k = 0; k < ranks.length; k++) {
      if (rank <= ranks[k]) {
        counts[k]++;
      }
    }
  }

  /** Counts a probe without a mate in the gallery. */
  void skip() {
    skipped++;
  }

  /**
   * The rates.
   *
   * @param probeCount all probes, for the message when none had a mate
   * @return the result
   * @throws IllegalArgumentException if no probe had a mate in the gallery
   */
  Identification.Result result(int probeCount) {
    if (evaluated == 0) {
      throw new IllegalArgumentException(
          "probeLabels must contain at least one label present in galleryLabels, got none of "
              + probeCount
              + " probes");
    }
    double[] rates = new double[ranks.length];
    for (int k = 0; k < ranks.length; k++) {
      rates[k] = (double) counts[k] / evaluated;
    }
    return new Identification.Result(ranks, rates, evaluated, skipped);
  }
}
