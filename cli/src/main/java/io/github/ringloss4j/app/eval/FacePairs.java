package io.github.ringloss4j.app.eval;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * The verification pairs of the face protocol, drawn once per test split and shared by every
 * method, <em>stratified by recorded image quality</em>: high–high, high–low and low–low pairs,
 * each stratum with as many genuine and impostor pairs as asked (or as the data allow), so that a
 * method's accuracy on low-quality pairs is measured on the same pairs as every other method's,
 * whatever its own norms say.
 *
 * <p>Within a stratum and a kind the pairs are distinct, uniform over the stratum's pairs of that
 * kind (a genuine pair: an identity drawn with probability proportional to its number of such
 * pairs, then one of them uniformly; an impostor pair: two items of the right qualities drawn
 * uniformly until their identities differ), then dealt round-robin into the folds in a shuffled
 * order, so every fold holds about the same share of every stratum and kind. Without quality
 * records there is one stratum, {@value #ALL}.
 *
 * @param pairs the pairs, strata one after the other
 * @param stratum each pair's stratum, an index into {@code names}
 * @param names the strata's names, in order
 */
public record FacePairs(Evaluation.PairSet pairs, int[] stratum, List<String> names) {

  /** The stratum name without quality records. */
  public static final String ALL = "all";

  /** The strata's names, with quality records. */
  public static final List<String> STRATA = List.of("high-high", "high-low", "low-low");

  /**
   * Draws the pairs.
   *
   * @param labels each test item's identity
   * @param low each item's recorded quality bin (true: low), or null without records
   * @param perKind genuine and impostor pairs to draw per stratum
   * @param seed the seed
   * @return the pairs
   * @throws IllegalArgumentException naming {@code --pairs-per-kind} when a stratum allows fewer
   *     than 2 pairs of a kind
   */
  public static FacePairs draw(int[] labels, boolean[] low, int perKind, long seed) {
    List<String> names = low == null ? List.of(ALL) : STRATA;
    int identities = Arrays.stream(labels).max().orElse(-1) + 1;
    // Per identity, its items of each quality (0: high, 1: low); and all items of each quality.
    int[][] counts = new int[2][identities];
    for (int i = 0; i < labels.length; i++) {
      counts[quality(low, i)][labels[i]]++;
    }
    int[][][] items = new int[2][identities][];
    int[][] filled = new int[2][identities];
    for (int q = 0; q < 2; q++) {
      for (int c = 0; c < identities; c++) {
        items[q][c] = new int[counts[q][c]];
      }
    }
    int lowCount = Arrays.stream(counts[1]).sum();
    int[][] pool = {new int[labels.length - lowCount], new int[lowCount]};
    int[] poolFill = new int[2];
    for (int i = 0; i < labels.length; i++) {
      int q = quality(low, i);
      items[q][labels[i]][filled[q][labels[i]]++] = i;
      pool[q][poolFill[q]++] = i;
    }
    SplittableRandom random = new SplittableRandom(seed);
    List<int[]> first = new ArrayList<>();
    List<int[]> second = new ArrayList<>();
    List<boolean[]> genuine = new ArrayList<>();
    int[][] kinds = new int[names.size()][2];
    for (int s = 0; s < names.size(); s++) {
      int qa = s == 2 ? 1 : 0;
      int qb = s == 0 ? 0 : 1;
      long[] weights = new long[identities];
      long genuineAvailable = 0;
      long sameQualitySameIdentity = 0;
      for (int c = 0; c < identities; c++) {
        long a = items[qa][c].length;
        long b = items[qb][c].length;
        weights[c] = qa == qb ? a * (a - 1) / 2 : a * b;
        genuineAvailable += weights[c];
        sameQualitySameIdentity += a * b;
      }
      long na = pool[qa].length;
      long nb = pool[qb].length;
      long impostorAvailable =
          qa == qb ? na * (na - 1) / 2 - genuineAvailable : na * nb - sameQualitySameIdentity;
      int g = (int) Math.min(perKind, genuineAvailable);
      int im = (int) Math.min(perKind, impostorAvailable);
      if (g < 2 || im < 2) {
        throw new IllegalArgumentException(
            String.format(
                Locale.ROOT,
                "--pairs-per-kind %d: the %s stratum of the test identities allows only %d"
                    + " genuine and %d impostor pairs; verification needs at least 2 of each",
                perKind,
                names.get(s),
                genuineAvailable,
                impostorAvailable));
      }
      kinds[s][0] = g;
      kinds[s][1] = im;
      long[] drawn = genuine(items[qa], items[qb], qa == qb, weights, genuineAvailable, g, random);
      long[] impostors = impostors(pool[qa], pool[qb], qa == qb, labels, im, random);
      first.add(items(drawn, impostors, true));
      second.add(items(drawn, impostors, false));
      boolean[] kind = new boolean[drawn.length + impostors.length];
      Arrays.fill(kind, 0, drawn.length, true);
      genuine.add(kind);
    }
    int folds = 10;
    for (int[] k : kinds) {
      folds = Math.min(folds, Math.min(k[0], k[1]));
    }
    int total = first.stream().mapToInt(a -> a.length).sum();
    int[] a = new int[total];
    int[] b = new int[total];
    boolean[] same = new boolean[total];
    int[] fold = new int[total];
    int[] stratum = new int[total];
    int at = 0;
    for (int s = 0; s < names.size(); s++) {
      int n = first.get(s).length;
      System.arraycopy(first.get(s), 0, a, at, n);
      System.arraycopy(second.get(s), 0, b, at, n);
      System.arraycopy(genuine.get(s), 0, same, at, n);
      Arrays.fill(stratum, at, at + n, s);
      // Each kind dealt round-robin into the folds in a shuffled order.
      deal(fold, at, kinds[s][0], folds, random);
      deal(fold, at + kinds[s][0], kinds[s][1], folds, random);
      at += n;
    }
    StringBuilder text = new StringBuilder();
    for (int s = 0; s < names.size(); s++) {
      text.append(s == 0 ? "" : ", ")
          .append(kinds[s][0])
          .append(" genuine + ")
          .append(kinds[s][1])
          .append(" impostor ")
          .append(names.get(s))
          .append(" pairs");
    }
    String protocol =
        text
            + String.format(
                Locale.ROOT,
                " drawn uniformly within each stratum from the test identities (seed %d, at most"
                    + " %d of a kind per stratum), %d folds",
                seed,
                perKind,
                folds);
    return new FacePairs(
        new Evaluation.PairSet(a, b, same, fold, folds, protocol), stratum, List.copyOf(names));
  }

  /**
   * The pairs of one stratum.
   *
   * @param s the stratum
   * @return its pairs' indices into {@link #pairs}
   */
  public int[] of(int s) {
    return IntStream.range(0, stratum.length).filter(p -> stratum[p] == s).toArray();
  }

  private static int quality(boolean[] low, int item) {
    return low != null && low[item] ? 1 : 0;
  }

  /** Genuine pairs, distinct, packed as first·2³² + second. */
  private static long[] genuine(
      int[][] byA,
      int[][] byB,
      boolean same,
      long[] weights,
      long available,
      int count,
      SplittableRandom random) {
    long[] cumulative = new long[weights.length];
    long sum = 0;
    for (int c = 0; c < weights.length; c++) {
      sum += weights[c];
      cumulative[c] = sum;
    }
    DistinctPairs out = new DistinctPairs(count, same);
    while (!out.full()) {
      long r = random.nextLong(available);
      int c = Arrays.binarySearch(cumulative, r + 1);
      c = c >= 0 ? c : -c - 1;
      while (c > 0 && cumulative[c - 1] >= r + 1) {
        c--;
      }
      int x = byA[c][random.nextInt(byA[c].length)];
      int y = byB[c][random.nextInt(byB[c].length)];
      if (x != y) {
        out.offer(x, y);
      }
    }
    return out.keys;
  }

  /** Impostor pairs, distinct, packed as first·2³² + second. */
  private static long[] impostors(
      int[] poolA, int[] poolB, boolean same, int[] labels, int count, SplittableRandom random) {
    DistinctPairs out = new DistinctPairs(count, same);
    while (!out.full()) {
      int x = poolA[random.nextInt(poolA.length)];
      int y = poolB[random.nextInt(poolB.length)];
      if (labels[x] != labels[y]) {
        out.offer(x, y);
      }
    }
    return out.keys;
  }

  /**
   * Distinct pairs, drawn one at a time, packed as first·2³² + second; a pair within one pool is
   * unordered and kept with its smaller item first, so (x, y) and (y, x) are one pair.
   */
  private static final class DistinctPairs {
    private final Set<Long> seen = new HashSet<>();
    private final long[] keys;
    private final boolean unordered;
    private int n;

    DistinctPairs(int count, boolean unordered) {
      this.keys = new long[count];
      this.unordered = unordered;
    }

    boolean full() {
      return n == keys.length;
    }

    /** Keeps the pair unless it was drawn before. */
    void offer(int x, int y) {
      long key = unordered && x > y ? ((long) y << 32) | x : ((long) x << 32) | y;
      if (seen.add(key)) {
        keys[n++] = key;
      }
    }
  }

  /** One item of every pair, genuine pairs first: the first ({@code first}) or the second. */
  private static int[] items(long[] genuine, long[] impostors, boolean first) {
    int[] out = new int[genuine.length + impostors.length];
    for (int i = 0; i < out.length; i++) {
      long key = i < genuine.length ? genuine[i] : impostors[i - genuine.length];
      out[i] = first ? (int) (key >>> 32) : (int) key;
    }
    return out;
  }

  /** Folds for {@code n} pairs from {@code from}: round-robin over a shuffled order. */
  private static void deal(int[] fold, int from, int n, int folds, SplittableRandom random) {
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    for (int i = n - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    for (int r = 0; r < n; r++) {
      fold[from + order[r]] = r % folds;
    }
  }
}
