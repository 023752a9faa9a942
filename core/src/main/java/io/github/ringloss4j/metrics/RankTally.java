package io.github.ringloss4j.metrics;

/**
 * The rank of a probe and the tally of ranks into the rank-k identification rates of {@link
 * Identification.Result}, for {@link Identification} and {@link EngineIdentification} alike: the
 * tie rule lives here and nowhere else.
 *
 * <p><b>Tie rule (pessimistic).</b> For a probe whose best mate scores m, a non-mate scoring s
 * counts against the probe when s ≥ m ({@link #countsAgainst}): its rank is 1 + #{non-mates with s
 * ≥ m}. A non-mate that ties with the best mate is therefore ranked before it, as if every tie were
 * broken against the probe. The reported rank-k rate is thus a lower bound on the rate under any
 * order of equal scores.
 *
 * <p>Why not the optimistic rule (s &gt; m), which this class used before: it ranks a probe first
 * whenever nothing scores strictly above its mate, so a collapsed model whose embeddings are all
 * equal (every score ties) reached rank-1 = 1.0, the best possible result for the worst possible
 * model. Why not the expected rank under a random order of the ties (1 + #{s &gt; m} + #{s = m}/2,
 * or the probability 1/(t + 1) of the mate coming first among t tied non-mates): it gives
 * fractional hits whose meaning depends on the number of ties, and a collapsed model with c
 * identities would still score 1/c, a plausible-looking number instead of the 0 it deserves. Exact
 * ties between distinct real-valued embeddings are rare, so the pessimistic rule changes nothing
 * for a healthy model and everything for a degenerate one.
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

  /**
   * The tie rule of the class comment: whether a non-mate's exact score counts against a probe,
   * i.e. ranks before the probe's best mate. Both identification paths decide every pair they rank
   * with this method; {@link EngineIdentification}'s float32 pre-filter only counts or discards
   * pairs that lie strictly above or below the best mate by more than its error bound, where any
   * tie rule agrees, and re-scores the rest exactly before calling it.
   *
   * @param nonMateScore the exact score of a gallery item whose label differs from the probe's
   * @param bestMateScore the exact best score among the probe's mates
   * @return true if {@code nonMateScore ≥ bestMateScore}
   */
  static boolean countsAgainst(double nonMateScore, double bestMateScore) {
    return nonMateScore >= bestMateScore;
  }

  /**
   * The rank of a probe with at least one mate, from its exact scores against the whole gallery: 1
   * + the number of non-mates that {@link #countsAgainst count against} its best mate.
   *
   * @param scores the probe's score against each gallery item
   * @param galleryLabels the label of each gallery item
   * @param label the probe's label, present in {@code galleryLabels}
   * @return the rank, at least 1
   */
  static int rank(double[] scores, int[] galleryLabels, int label) {
    double bestMate = Double.NEGATIVE_INFINITY;
    for (int g = 0; g < scores.length; g++) {
      if (galleryLabels[g] == label && scores[g] > bestMate) {
        bestMate = scores[g];
      }
    }
    int rank = 1;
    for (int g = 0; g < scores.length; g++) {
      if (galleryLabels[g] != label && countsAgainst(scores[g], bestMate)) {
        rank++;
      }
    }
    return rank;
  }

  /** Counts a probe of the given rank (1 = nothing scores at or above its best mate). */
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
