package io.github.ringloss4j.metrics;

import java.util.Arrays;
import java.util.List;

/**
 * The threshold of open-set identification (1:N search where the probe may not be enrolled), chosen
 * at a false-positive identification rate, and the error rates at a threshold.
 *
 * <p><b>Decision.</b> A search returns the gallery's best match for a probe; the match is accepted
 * as the probe's identity when its score is ≥ the threshold ({@link #accepts}), and the probe is
 * "unknown" otherwise.
 *
 * <ul>
 *   <li><b>FPIR</b>, false-positive identification rate: the fraction of <em>non-mated</em> probes
 *       (whose identity is not enrolled) whose best score reaches the threshold, i.e. that are
 *       wrongly given an enrolled identity: FPIR(t) = #{non-mated probes with best score ≥ t} / N.
 *   <li><b>FNIR</b>, false-negative identification rate: the fraction of <em>mated</em> probes
 *       (whose identity is enrolled) that do not get their identity: their mate does not rank first
 *       or scores below the threshold. A mate tied at the top with another identity is a miss
 *       ({@code RankTally}'s pessimistic rule), so FNIR is an upper bound under any tie order.
 * </ul>
 *
 * <p><b>A 1:1 threshold is not an open-set threshold.</b> A verification threshold set at a
 * false-accept rate FAR controls one comparison; a search compares the probe with all n enrolled
 * identities and keeps the best, so a non-mated probe is falsely accepted when <em>any</em> of the
 * n impostor scores passes: FPIR ≈ 1 − (1 − FAR)ⁿ ≈ n·FAR for independent scores, e.g. FAR = 10⁻³
 * with n = 1000 gives FPIR ≈ 63 %. The threshold must therefore be calibrated on the best scores of
 * non-mated searches against the gallery in use, and again when the gallery grows.
 *
 * <p><b>Calibration rule ({@link #atFpir}).</b> With N non-mated best scores sorted in decreasing
 * order b₁ ≥ b₂ ≥ … ≥ b_N and a target FPIR f, at most a = max{j : j/N ≤ f} of them may be
 * accepted. The threshold is the smallest value that accepts at most a of them: just above b_{a+1},
 * t = {@link Math#nextUp}(b_{a+1}), which rejects b_{a+1} and every score tied with it and accepts
 * every score above; among the thresholds meeting the target it is the one that accepts the most
 * mated probes. With ties at b_{a+1} the achieved FPIR is below f. With f ≥ 1 every probe may be
 * accepted and t = −∞. The measured FPIR has a resolution of 1/N: with N &lt; 1/f the rule can only
 * reach a = 0 (t above every non-mated score), and the calibration certifies FPIR = 0 on N probes,
 * not f; use at least a few times 1/f non-mated probes.
 */
public final class OpenSetThreshold {

  private OpenSetThreshold() {}

  /**
   * A calibrated threshold with the error rates measured at it.
   *
   * @param threshold t: a best score ≥ t is accepted
   * @param targetFpir the FPIR that was asked for
   * @param fpir the FPIR achieved on the non-mated probes, ≤ the target
   * @param nonMatedProbes N, the non-mated probes
   * @param fnir the FNIR at t on the mated probes, NaN without any
   * @param matedProbes the mated probes
   */
  public record Calibration(
      double threshold,
      double targetFpir,
      double fpir,
      int nonMatedProbes,
      double fnir,
      int matedProbes) {}

  /**
   * The decision rule: whether a best score is accepted at a threshold.
   *
   * @param bestScore the best match's score
   * @param threshold the threshold
   * @return {@code bestScore ≥ threshold}
   */
  public static boolean accepts(double bestScore, double threshold) {
    return bestScore >= threshold;
  }

  /**
   * The smallest threshold whose FPIR on these scores is ≤ the target (the class comment's rule).
   *
   * @param nonMatedBestScores the best score of each non-mated probe, finite, at least one
   * @param targetFpir the target f, in [0, 1]
   * @return the threshold, {@code Math.nextUp} of a score, or −∞ when f ≥ 1
   * @throws IllegalArgumentException naming the argument
   */
  public static double atFpir(double[] nonMatedBestScores, double targetFpir) {
    double[] sorted = nonMated(nonMatedBestScores);
    if (!(targetFpir >= 0 && targetFpir <= 1)) {
      throw new IllegalArgumentException("targetFpir must be in [0, 1], got " + targetFpir);
    }
    int n = sorted.length;
    // a = max{j : j/N ≤ f}, evaluated as the achieved rate is, j/N in double (target·N can round
    // either way: 0.29·100 = 28.999999999999996)
    int allowed = (int) Math.min(n, Math.floor(targetFpir * n));
    while (allowed < n && (allowed + 1) / (double) n <= targetFpir) {
      allowed++;
    }
    while (allowed > 0 && allowed / (double) n > targetFpir) {
      allowed--;
    }
    if (allowed == n) {
      return Double.NEGATIVE_INFINITY;
    }
    // sorted ascending: the (a+1)-th largest is at n − 1 − a
    return Math.nextUp(sorted[n - 1 - allowed]);
  }

  /**
   * FPIR at a threshold: the fraction of non-mated best scores it {@link #accepts}.
   *
   * @param nonMatedBestScores the best score of each non-mated probe, finite, at least one
   * @param threshold the threshold
   * @return #{b ≥ t} / N
   * @throws IllegalArgumentException naming the argument
   */
  public static double fpir(double[] nonMatedBestScores, double threshold) {
    double[] scores = nonMated(nonMatedBestScores);
    int accepted = 0;
    for (double b : scores) {
      accepted += accepts(b, threshold) ? 1 : 0;
    }
    return accepted / (double) scores.length;
  }

  /**
   * FNIR at a threshold.
   *
   * @param firstRankMateScores per mated probe, its mate's score when the mate ranks first alone,
   *     NaN when it does not ({@link #firstRankMateScore})
   * @param threshold the threshold
   * @return #{NaN or score &lt; t} / M, NaN when there is no mated probe
   * @throws IllegalArgumentException if the array is null
   */
  public static double fnir(double[] firstRankMateScores, double threshold) {
    Checks.notNull(firstRankMateScores, "firstRankMateScores");
    if (firstRankMateScores.length == 0) {
      return Double.NaN;
    }
    int missed = 0;
    for (double s : firstRankMateScores) {
      // NaN (the mate is not first) is never accepted
      missed += accepts(s, threshold) ? 0 : 1;
    }
    return missed / (double) firstRankMateScores.length;
  }

  /**
   * A mated probe's outcome, independent of the threshold: its mate's score when the mate is the
   * best match and no other identity scores as high ({@code RankTally.countsAgainst}), else NaN.
   *
   * @param top the probe's top matches, best first, at least two when the gallery has two rows
   * @param mate the gallery index of the probe's identity
   * @return the mate's score, or NaN
   */
  public static double firstRankMateScore(List<Gallery.Match> top, int mate) {
    Checks.notNull(top, "top");
    if (top.isEmpty() || top.get(0).index() != mate) {
      return Double.NaN;
    }
    double score = top.get(0).score();
    if (top.size() > 1 && RankTally.countsAgainst(top.get(1).score(), score)) {
      return Double.NaN;
    }
    return score;
  }

  /**
   * Calibrates a threshold on a gallery: searches the non-mated probes (top 1) and sets the
   * threshold at the target FPIR ({@link #atFpir}); searches the mated probes (top 2, for ties) and
   * measures FNIR there. Mated probes should be other images than those enrolled, or FNIR is
   * optimistic.
   *
   * @param gallery the gallery the threshold is for
   * @param nonMatedProbes embeddings of probes whose identity is not enrolled, at least one
   * @param matedProbes embeddings of probes whose identity is enrolled, possibly none
   * @param mates the gallery index of each mated probe's identity
   * @param targetFpir the target FPIR, in [0, 1]
   * @return the threshold and the rates at it
   * @throws IllegalArgumentException naming the argument
   */
  public static Calibration calibrate(
      GallerySearch gallery,
      float[][] nonMatedProbes,
      float[][] matedProbes,
      int[] mates,
      double targetFpir) {
    Checks.notNull(gallery, "gallery");
    Checks.notNull(nonMatedProbes, "nonMatedProbes");
    Checks.notNull(matedProbes, "matedProbes");
    Checks.notNull(mates, "mates");
    Checks.sameLength(mates.length, "mates", matedProbes.length, "matedProbes");
    for (int i = 0; i < mates.length; i++) {
      if (mates[i] < 0 || mates[i] >= gallery.size()) {
        throw new IllegalArgumentException(
            "mates["
                + i
                + "] must be a gallery index in [0, "
                + gallery.size()
                + "), got "
                + mates[i]);
      }
    }
    if (nonMatedProbes.length == 0) {
      throw new IllegalArgumentException(
          "nonMatedProbes must hold at least one probe: FPIR is measured on them");
    }
    double[] best =
        gallery.search(nonMatedProbes, 1).stream().mapToDouble(m -> m.get(0).score()).toArray();
    double threshold = atFpir(best, targetFpir);
    List<List<Gallery.Match>> matedTop = gallery.search(matedProbes, 2);
    double[] firstRank = new double[mates.length];
    for (int i = 0; i < mates.length; i++) {
      firstRank[i] = firstRankMateScore(matedTop.get(i), mates[i]);
    }
    return new Calibration(
        threshold,
        targetFpir,
        fpir(best, threshold),
        best.length,
        fnir(firstRank, threshold),
        mates.length);
  }

  /** The scores sorted ascending, after the checks. */
  private static double[] nonMated(double[] scores) {
    Checks.notNull(scores, "nonMatedBestScores");
    if (scores.length == 0) {
      throw new IllegalArgumentException(
          "nonMatedBestScores must hold at least one score: FPIR is measured on them");
    }
    Checks.finite(scores, "nonMatedBestScores");
    double[] sorted = scores.clone();
    Arrays.sort(sorted);
    return sorted;
  }
}
