package io.github.ringloss4j.metrics;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;

/**
 * Closed-set identification: each probe is ranked against a labelled gallery, and the rank-k
 * identification rate is the fraction of probes whose identity is found within the first k.
 *
 * <p><b>Rank.</b> For a probe with label y, let m be the best score among the gallery items
 * labelled y (its mates). Its rank is 1 + #{gallery items with a label ≠ y whose score is ≥ m}.
 * Ties count against the probe: a non-mate that scores exactly m is ranked before the mate. This is
 * the pessimistic convention, so the rate is a lower bound under any order of equal scores, and a
 * collapsed model (every embedding equal, every score tied) gets rank-1 = 0 rather than 1; the rule
 * and why it was chosen over the optimistic and the expected rank are documented once, in {@code
 * RankTally}, which both this class and {@link EngineIdentification} use. Further mates never
 * affect the rank.
 *
 * <p><b>Rate.</b> The rank-k rate is #{probes with rank ≤ k} / #{evaluated probes}. A probe whose
 * label has no mate in the gallery cannot be identified in the closed-set sense; it is skipped,
 * counted in {@link Result#skippedProbes()} and excluded from both numerator and denominator.
 *
 * <p><b>Memory.</b> Probes are scored in chunks of {@code chunkSize} rows against the whole
 * gallery, so the score buffer holds at most chunkSize × gallerySize doubles. The scores equal
 * those of {@link Similarity#score} bit for bit, so the ranks do not depend on the chunk size.
 */
public final class Identification {

  private Identification() {}

  /**
   * The identification rates at the requested ranks.
   *
   * @param ranks the requested ranks k, in the order they were given
   * @param rates the rank-k identification rate for each entry of {@code ranks}
   * @param evaluatedProbes the number of probes with at least one mate in the gallery, the
   *     denominator of every rate
   * @param skippedProbes the number of probes whose label does not occur in the gallery
   */
  public record Result(int[] ranks, double[] rates, int evaluatedProbes, int skippedProbes) {

    /**
     * Copies the arrays so the result is immutable.
     *
     * @param ranks the requested ranks
     * @param rates the rate at each requested rank
     * @param evaluatedProbes the number of probes with a mate
     * @param skippedProbes the number of probes without a mate
     * @throws IllegalArgumentException if an array is null or their lengths differ
     */
    public Result {
      Checks.notNull(ranks, "ranks");
      Checks.notNull(rates, "rates");
      Checks.sameLength(rates.length, "rates", ranks.length, "ranks");
      ranks = ranks.clone();
      rates = rates.clone();
    }

    /**
     * The requested ranks.
     *
     * @return a copy, in the order they were requested
     */
    @Override
    public int[] ranks() {
      return ranks.clone();
    }

    /**
     * The rank-k rate for each requested rank.
     *
     * @return a copy, aligned with {@link #ranks()}
     */
    @Override
    public double[] rates() {
      return rates.clone();
    }

    /**
     * The rate at one of the requested ranks.
     *
     * @param rank a rank that was requested
     * @return its identification rate
     * @throws IllegalArgumentException if the rank was not requested
     */
    public double rateAt(int rank) {
      for (int k = 0; k < ranks.length; k++) {
        if (ranks[k] == rank) {
          return rates[k];
        }
      }
      throw new IllegalArgumentException(
          "rank must be one of the requested ranks " + Arrays.toString(ranks) + ", got " + rank);
    }

    /**
     * Compares the arrays by content.
     *
     * @param other the object to compare with
     * @return true if {@code other} is a result with equal contents
     */
    @Override
    public boolean equals(Object other) {
      return other instanceof Result r
          && Arrays.equals(ranks, r.ranks)
          && Arrays.equals(rates, r.rates)
          && evaluatedProbes == r.evaluatedProbes
          && skippedProbes == r.skippedProbes;
    }

    /**
     * A hash of the contents, consistent with {@link #equals(Object)}.
     *
     * @return the hash code
     */
    @Override
    public int hashCode() {
      int hash = Arrays.hashCode(ranks);
      hash = 31 * hash + Arrays.hashCode(rates);
      hash = 31 * hash + evaluatedProbes;
      return 31 * hash + skippedProbes;
    }

    /**
     * The contents, for logs.
     *
     * @return a readable representation
     */
    @Override
    public String toString() {
      return "Result[ranks="
          + Arrays.toString(ranks)
          + ", rates="
          + Arrays.toString(rates)
          + ", evaluatedProbes="
          + evaluatedProbes
          + ", skippedProbes="
          + skippedProbes
          + "]";
    }
  }

  /**
   * A gallery/probe split of a labelled set, as sample indices.
   *
   * @param gallery the indices of the gallery samples, ascending
   * @param probes the indices of the probe samples, ascending
   */
  public record Split(int[] gallery, int[] probes) {

    /**
     * Copies the arrays so the split is immutable.
     *
     * @param gallery the gallery indices
     * @param probes the probe indices
     * @throws IllegalArgumentException if an array is null
     */
    public Split {
      Checks.notNull(gallery, "gallery");
      Checks.notNull(probes, "probes");
      gallery = gallery.clone();
      probes = probes.clone();
    }

    /**
     * The gallery indices.
     *
     * @return a copy, ascending
     */
    @Override
    public int[] gallery() {
      return gallery.clone();
    }

    /**
     * The probe indices.
     *
     * @return a copy, ascending
     */
    @Override
    public int[] probes() {
      return probes.clone();
    }

    /**
     * Compares the arrays by content.
     *
     * @param other the object to compare with
     * @return true if {@code other} is a split with the same indices
     */
    @Override
    public boolean equals(Object other) {
      return other instanceof Split s
          && Arrays.equals(gallery, s.gallery)
          && Arrays.equals(probes, s.probes);
    }

    /**
     * A hash of the contents, consistent with {@link #equals(Object)}.
     *
     * @return the hash code
     */
    @Override
    public int hashCode() {
      return 31 * Arrays.hashCode(gallery) + Arrays.hashCode(probes);
    }

    /**
     * A summary, for logs; only the sizes are shown.
     *
     * @return a readable summary
     */
    @Override
    public String toString() {
      return "Split[gallery=" + gallery.length + ", probes=" + probes.length + "]";
    }
  }

  /**
   * Ranks every probe against the gallery and reports the rank-k identification rates; see the
   * class documentation for the rank definition and the handling of probes without mates.
   *
   * @param gallery the gallery embeddings, non-empty, all of one dimension, finite
   * @param galleryLabels the label of each gallery embedding
   * @param probes the probe embeddings, of the gallery's dimension, finite
   * @param probeLabels the label of each probe
   * @param similarity the score function
   * @param ranks the ranks k at which to report the rate, each at least 1
   * @param chunkSize the number of probes scored at once, at least 1
   * @return the rates, the number of evaluated probes and the number skipped
   * @throws IllegalArgumentException if an argument is null, a length or dimension does not match,
   *     an embedding component is not finite, a rank or chunkSize is below 1, the gallery is empty,
   *     or no probe has a mate in the gallery
   */
  public static Result evaluate(
      float[][] gallery,
      int[] galleryLabels,
      float[][] probes,
      int[] probeLabels,
      Similarity similarity,
      int[] ranks,
      int chunkSize) {
    Checks.notNull(gallery, "gallery");
    Checks.notNull(galleryLabels, "galleryLabels");
    Checks.notNull(probes, "probes");
    Checks.notNull(probeLabels, "probeLabels");
    Checks.notNull(similarity, "similarity");
    Checks.notNull(ranks, "ranks");
    if (gallery.length == 0) {
      throw new IllegalArgumentException("gallery must not be empty");
    }
    Checks.sameLength(galleryLabels.length, "galleryLabels", gallery.length, "gallery");
    Checks.sameLength(probeLabels.length, "probeLabels", probes.length, "probes");
    int dimension = Similarity.requireVector(gallery, "gallery", 0, -1, null);
    for (int g = 0; g < gallery.length; g++) {
      Similarity.requireVector(gallery, "gallery", g, dimension, "gallery[0]");
    }
    for (int p = 0; p < probes.length; p++) {
      Similarity.requireVector(probes, "probes", p, dimension, "gallery[0]");
    }
    Checks.finite(gallery, "gallery");
    Checks.finite(probes, "probes");
    RankTally tally = new RankTally(ranks);
    Checks.atLeast(chunkSize, "chunkSize", 1);

    Set<Integer> galleryIdentities = new HashSet<>();
    for (int label : galleryLabels) {
      galleryIdentities.add(label);
    }
    double[] galleryNorms = similarity.galleryNorms(gallery);
    double[][] buffer = new double[Math.min(chunkSize, Math.max(probes.length, 1))][];
    for (int r = 0; r < buffer.length; r++) {
      buffer[r] = new double[gallery.length];
    }
    int start = 0;
    while (start < probes.length) {
      // In long: start + chunkSize may exceed Integer.MAX_VALUE.
      int end = (int) Math.min((long) start + chunkSize, probes.length);
      similarity.scoreRows(probes, start, end, gallery, galleryNorms, buffer);
      for (int p = start; p < end; p++) {
        int label = probeLabels[p];
        if (galleryIdentities.contains(label)) {
          tally.add(RankTally.rank(buffer[p - start], galleryLabels, label));
        } else {
          tally.skip();
        }
      }
      start = end;
    }
    return tally.result(probes.length);
  }

  /**
   * Splits a labelled set into a gallery and probes. Labels are visited in ascending order; for
   * each label with at least two samples, one of them, chosen uniformly with a {@link
   * java.util.Random} seeded with {@code seed}, goes to the gallery and the others become probes. A
   * label with a single sample goes to the gallery only, where it acts as a distractor for every
   * probe. Every probe therefore has exactly one mate in the gallery. The same labels and seed give
   * the same split on every JVM.
   *
   * @param labels the label of each sample
   * @param seed the random seed
   * @return the gallery and probe indices, each ascending
   * @throws IllegalArgumentException if labels is null
   */
  public static Split galleryProbeSplit(int[] labels, long seed) {
    Checks.notNull(labels, "labels");
    long[] keys = new long[labels.length];
    for (int i = 0; i < labels.length; i++) {
      // Label in the high half, index in the low half: one primitive sort groups the labels.
      keys[i] = ((long) labels[i] << 32) | i;
    }
    Arrays.sort(keys);
    Random random = new Random(seed);
    int[] gallery = new int[labels.length];
    int[] probes = new int[labels.length];
    int galleryCount = 0;
    int probeCount = 0;
    int start = 0;
    while (start < keys.length) {
      int end = start + 1;
      while (end < keys.length && (keys[end] >> 32) == (keys[start] >> 32)) {
        end++;
      }
      int chosen = start + (end - start >= 2 ? random.nextInt(end - start) : 0);
      for (int k = start; k < end; k++) {
        if (k == chosen) {
          gallery[galleryCount++] = (int) keys[k];
        } else {
          probes[probeCount++] = (int) keys[k];
        }
      }
      start = end;
    }
    gallery = Arrays.copyOf(gallery, galleryCount);
    probes = Arrays.copyOf(probes, probeCount);
    Arrays.sort(gallery);
    Arrays.sort(probes);
    return new Split(gallery, probes);
  }
}
