package io.github.ringloss4j.app.eval;

import ai.djl.ndarray.NDManager;
import io.github.ringloss4j.metrics.Gallery;
import io.github.ringloss4j.metrics.OpenSetThreshold;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * The open-set 1:N test of the face protocol, drawn once per test split and shared by every method:
 * half the test identities (a seeded draw) are enrolled, each with a gallery of one template, its
 * first high-quality image (its first image when it has none); their other images are the mated
 * probes, and every image of the other half, identities never enrolled, is a non-mated probe.
 *
 * <p>A run's figure is FNIR at FPIR = {@value #FPIR}: the threshold is set on the best gallery
 * scores of all non-mated probes ({@link OpenSetThreshold#atFpir}), one threshold as a deployment
 * would have, and FNIR is measured at it on all mated probes and on the high- and low-quality ones
 * apart (a mate tied at the top with another identity is a miss).
 *
 * @param gallery per enrolled identity, the item enrolled
 * @param mated the mated probes
 * @param mates each mated probe's gallery row
 * @param nonMated the non-mated probes
 * @param low each item's recorded quality bin, or null without records
 */
public record OpenSetSearch(
    int[] gallery, int[] mated, int[] mates, int[] nonMated, boolean[] low) {

  /** The false-positive identification rate the threshold is set at. */
  public static final double FPIR = 0.01;

  /**
   * One run's figures.
   *
   * @param fnir FNIR over all mated probes
   * @param fnirHigh FNIR over the high-quality mated probes (NaN without records or such probes)
   * @param fnirLow FNIR over the low-quality mated probes (NaN without records or such probes)
   * @param fpir the FPIR reached on the non-mated probes
   * @param threshold the cosine threshold
   */
  public record Result(
      double fnir, double fnirHigh, double fnirLow, double fpir, double threshold) {}

  /**
   * Draws the design.
   *
   * @param labels each test item's identity
   * @param low each item's quality bin (true: low), or null
   * @param seed the seed of the enrolled half
   * @return the design
   * @throws IllegalArgumentException when there are fewer than 2 test identities
   */
  public static OpenSetSearch draw(int[] labels, boolean[] low, long seed) {
    int[] identities = Arrays.stream(labels).distinct().sorted().toArray();
    if (identities.length < 2) {
      throw new IllegalArgumentException(
          "--test-identities: the open-set test needs at least 2 test identities, got "
              + identities.length);
    }
    SplittableRandom random = new SplittableRandom(seed);
    for (int i = identities.length - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = identities[i];
      identities[i] = identities[j];
      identities[j] = t;
    }
    int enrolledCount = identities.length / 2;
    int max = Arrays.stream(labels).max().getAsInt();
    int[] row = new int[max + 1];
    Arrays.fill(row, -1);
    for (int r = 0; r < enrolledCount; r++) {
      row[identities[r]] = r;
    }
    int[] gallery = new int[enrolledCount];
    Arrays.fill(gallery, -1);
    // The first high-quality image of each enrolled identity, else its first image.
    for (int i = 0; i < labels.length; i++) {
      int r = row[labels[i]];
      if (r >= 0 && (gallery[r] < 0 || (isLow(low, gallery[r]) && !isLow(low, i)))) {
        gallery[r] = i;
      }
    }
    List<Integer> mated = new ArrayList<>();
    List<Integer> mates = new ArrayList<>();
    List<Integer> nonMated = new ArrayList<>();
    for (int i = 0; i < labels.length; i++) {
      int r = row[labels[i]];
      if (r < 0) {
        nonMated.add(i);
      } else if (gallery[r] != i) {
        mated.add(i);
        mates.add(r);
      }
    }
    return new OpenSetSearch(gallery, ints(mated), ints(mates), ints(nonMated), low);
  }

  /**
   * How the test was drawn, for the report.
   *
   * @return one sentence
   */
  public String protocol() {
    return String.format(
        Locale.ROOT,
        "open-set 1:N: %d enrolled test identities (one template each, its first high-quality"
            + " image), %d mated probes, %d non-mated probes of the never-enrolled half;"
            + " FNIR at FPIR = %s",
        gallery.length,
        mated.length,
        nonMated.length,
        FPIR);
  }

  /**
   * Measures one run.
   *
   * @param features the raw embeddings of the test items
   * @return the run's figures
   */
  public Result evaluate(float[][] features) {
    try (NDManager manager = NDManager.newBaseManager()) {
      List<String> names = new ArrayList<>();
      float[][] templates = new float[gallery.length][];
      for (int r = 0; r < gallery.length; r++) {
        names.add("g" + r);
        templates[r] = Gallery.template(new float[][] {features[gallery[r]]});
      }
      try (Gallery g = Gallery.of(manager, names, templates)) {
        double[] best =
            g.search(rows(features, nonMated), 1).stream()
                .mapToDouble(m -> m.get(0).score())
                .toArray();
        double threshold = OpenSetThreshold.atFpir(best, FPIR);
        List<List<Gallery.Match>> top = g.search(rows(features, mated), 2);
        double[] first = new double[mated.length];
        for (int p = 0; p < mated.length; p++) {
          first[p] = OpenSetThreshold.firstRankMateScore(top.get(p), mates[p]);
        }
        return new Result(
            OpenSetThreshold.fnir(first, threshold),
            fnirOf(first, threshold, false),
            fnirOf(first, threshold, true),
            OpenSetThreshold.fpir(best, threshold),
            threshold);
      }
    }
  }

  /** FNIR over the mated probes of one quality; NaN without records or such probes. */
  private double fnirOf(double[] first, double threshold, boolean wantLow) {
    if (low == null) {
      return Double.NaN;
    }
    double[] kept =
        IntStream.range(0, mated.length)
            .filter(p -> low[mated[p]] == wantLow)
            .mapToDouble(p -> first[p])
            .toArray();
    return kept.length == 0 ? Double.NaN : OpenSetThreshold.fnir(kept, threshold);
  }

  private static boolean isLow(boolean[] low, int item) {
    return low != null && low[item];
  }

  private static float[][] rows(float[][] features, int[] items) {
    float[][] out = new float[items.length][];
    for (int i = 0; i < items.length; i++) {
      out[i] = features[items[i]];
    }
    return out;
  }

  private static int[] ints(List<Integer> list) {
    return list.stream().mapToInt(Integer::intValue).toArray();
  }
}
