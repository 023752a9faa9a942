package io.github.ringloss4j.metrics;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;

/**
 * Draws a reproducible verification protocol (genuine and impostor pairs split into folds) from a
 * labelled set.
 *
 * <p><b>Pairs.</b> A pair is two distinct sample indices i &lt; j, stored as {@code first = i},
 * {@code second = j}; it is genuine when {@code labels[i] == labels[j]} and an impostor otherwise.
 * The genuine pairs are a uniformly random subset of the requested size of all genuine pairs, and
 * likewise for the impostors; no pair occurs twice and no index is paired with itself. If fewer
 * distinct pairs of a kind exist than requested, an {@link IllegalArgumentException} states how
 * many exist.
 *
 * <p><b>Sampling.</b> Without enumerating the O(n²) pairs: a genuine pair is drawn by choosing a
 * label with probability proportional to its number of pairs n_c(n_c − 1)/2, then two distinct
 * members uniformly; an impostor pair by choosing a label with probability proportional to n_c(n −
 * n_c), one of its members uniformly and then one sample of any other label uniformly. Each draw is
 * thus uniform over the pairs of its kind, and a draw that repeats an earlier pair is rejected, so
 * the accepted sequence is a uniform random sample without replacement, in random order. When more
 * than half of the pairs of a kind are requested, rejection would slow down, so those pairs are
 * enumerated (at most twice the requested number) and a partial Fisher–Yates shuffle picks them,
 * again a uniform sample in random order.
 *
 * <p><b>Folds and order.</b> In that random order, the i-th genuine pair gets fold i mod folds and
 * the i-th impostor pair fold i mod folds, so every fold has ⌊G/folds⌋ or ⌈G/folds⌉ genuine and
 * ⌊I/folds⌋ or ⌈I/folds⌉ impostor pairs (a fold is empty only if folds exceeds both counts). The
 * output interleaves the two kinds: genuine 0, impostor 0, genuine 1, impostor 1, …, then the rest
 * of the longer kind.
 *
 * <p><b>Reproducibility.</b> All randomness comes from one {@link java.util.Random} seeded with
 * {@code seed}, whose algorithm is fixed by its specification, and labels are visited in ascending
 * order of label value; the same arguments therefore give identical output on every JVM.
 */
public final class PairSampler {

  private PairSampler() {}

  /**
   * Sampled verification pairs; the arrays are aligned, entry p describing pair p.
   *
   * @param first the smaller sample index of each pair
   * @param second the larger sample index of each pair
   * @param genuine whether each pair shares a label
   * @param fold the fold id of each pair
   */
  public record Pairs(int[] first, int[] second, boolean[] genuine, int[] fold) {

    /**
     * Copies the arrays so the pairs are immutable.
     *
     * @param first the smaller sample index of each pair
     * @param second the larger sample index of each pair
     * @param genuine whether each pair is genuine
     * @param fold the fold id of each pair
     * @throws IllegalArgumentException if an array is null or the lengths differ
     */
    public Pairs {
      Checks.notNull(first, "first");
      Checks.notNull(second, "second");
      Checks.notNull(genuine, "genuine");
      Checks.notNull(fold, "fold");
      Checks.sameLength(second.length, "second", first.length, "first");
      Checks.sameLength(genuine.length, "genuine", first.length, "first");
      Checks.sameLength(fold.length, "fold", first.length, "first");
      first = first.clone();
      second = second.clone();
      genuine = genuine.clone();
      fold = fold.clone();
    }

    /**
     * The number of pairs.
     *
     * @return the common length of the arrays
     */
    public int size() {
      return first.length;
    }

    /**
     * The smaller sample index of each pair.
     *
     * @return a copy
     */
    @Override
    public int[] first() {
      return first.clone();
    }

    /**
     * The larger sample index of each pair.
     *
     * @return a copy
     */
    @Override
    public int[] second() {
      return second.clone();
    }

    /**
     * Whether each pair is genuine.
     *
     * @return a copy
     */
    @Override
    public boolean[] genuine() {
      return genuine.clone();
    }

    /**
     * The fold id of each pair.
     *
     * @return a copy
     */
    @Override
    public int[] fold() {
      return fold.clone();
    }

    /**
     * Compares the arrays by content.
     *
     * @param other the object to compare with
     * @return true if {@code other} holds the same pairs in the same order
     */
    @Override
    public boolean equals(Object other) {
      return other instanceof Pairs p
          && Arrays.equals(first, p.first)
          && Arrays.equals(second, p.second)
          && Arrays.equals(genuine, p.genuine)
          && Arrays.equals(fold, p.fold);
    }

    /**
     * A hash of the contents, consistent with {@link #equals(Object)}.
     *
     * @return the hash code
     */
    @Override
    public int hashCode() {
      int hash = Arrays.hashCode(first);
      hash = 31 * hash + Arrays.hashCode(second);
      hash = 31 * hash + Arrays.hashCode(genuine);
      return 31 * hash + Arrays.hashCode(fold);
    }

    /**
     * A summary, for logs; the arrays can be long, so only the counts are shown.
     *
     * @return a readable summary
     */
    @Override
    public String toString() {
      int genuineCount = 0;
      for (boolean g : genuine) {
        if (g) {
          genuineCount++;
        }
      }
      return "Pairs[size="
          + first.length
          + ", genuine="
          + genuineCount
          + ", impostor="
          + (first.length - genuineCount)
          + "]";
    }
  }

  /**
   * The number of distinct pairs of each kind a labelled set has: the most {@link #sample} can
   * draw.
   *
   * @param genuine same-label pairs, Σ n_c(n_c − 1)/2
   * @param impostor different-label pairs, n(n − 1)/2 − genuine
   */
  public record Available(long genuine, long impostor) {}

  /**
   * How many distinct genuine and impostor pairs the labels allow, so that a caller can adapt its
   * request (or name its own option) before {@link #sample} would refuse it.
   *
   * @param labels the identity label of each sample
   * @return the counts
   * @throws IllegalArgumentException if labels is null
   */
  public static Available available(int[] labels) {
    Checks.notNull(labels, "labels");
    return available(Groups.of(labels), labels.length);
  }

  private static Available available(Groups groups, long n) {
    long genuine = 0;
    for (int c = 0; c < groups.count(); c++) {
      long size = groups.size(c);
      genuine += size * (size - 1) / 2;
    }
    return new Available(genuine, n * (n - 1) / 2 - genuine);
  }

  /**
   * Samples genuine and impostor pairs and assigns folds, following the protocol in the class
   * documentation.
   *
   * @param labels the identity label of each sample
   * @param genuinePairs the number of genuine pairs, at least 0
   * @param impostorPairs the number of impostor pairs, at least 0
   * @param folds the number of folds, at least 1
   * @param seed the random seed
   * @return the pairs, genuine and impostor interleaved
   * @throws IllegalArgumentException if labels is null, a count is negative or larger than the
   *     number of distinct pairs of its kind, or folds &lt; 1
   */
  public static Pairs sample(
      int[] labels, int genuinePairs, int impostorPairs, int folds, long seed) {
    Checks.notNull(labels, "labels");
    Checks.atLeast(genuinePairs, "genuinePairs", 0);
    Checks.atLeast(impostorPairs, "impostorPairs", 0);
    Checks.atLeast(folds, "folds", 1);
    Groups groups = Groups.of(labels);
    long n = labels.length;
    Available available = available(groups, n);
    long genuineAvailable = available.genuine();
    long impostorAvailable = available.impostor();
    if (genuinePairs > genuineAvailable) {
      throw new IllegalArgumentException(
          "genuinePairs must be at most "
              + genuineAvailable
              + ", the number of distinct same-label pairs in labels, got "
              + genuinePairs);
    }
    if (impostorPairs > impostorAvailable) {
      throw new IllegalArgumentException(
          "impostorPairs must be at most "
              + impostorAvailable
              + ", the number of distinct different-label pairs in labels, got "
              + impostorPairs);
    }

    Random random = new Random(seed);
    long[] genuineKeys =
        denseIsBetter(genuinePairs, genuineAvailable)
            ? pick(enumerateGenuine(groups, n, genuineAvailable), genuinePairs, random)
            : sampleGenuine(groups, n, genuinePairs, random);
    long[] impostorKeys =
        denseIsBetter(impostorPairs, impostorAvailable)
            ? pick(enumerateImpostors(groups, n, impostorAvailable), impostorPairs, random)
            : sampleImpostors(groups, n, impostorPairs, random);

    int total = genuinePairs + impostorPairs;
    int[] first = new int[total];
    int[] second = new int[total];
    boolean[] genuine = new boolean[total];
    int[] fold = new int[total];
    int p = 0;
    for (int k = 0; k < Math.max(genuinePairs, impostorPairs); k++) {
      if (k < genuinePairs) {
        first[p] = (int) (genuineKeys[k] / n);
        second[p] = (int) (genuineKeys[k] % n);
        genuine[p] = true;
        fold[p] = k % folds;
        p++;
      }
      if (k < impostorPairs) {
        first[p] = (int) (impostorKeys[k] / n);
        second[p] = (int) (impostorKeys[k] % n);
        fold[p] = k % folds;
        p++;
      }
    }
    return new Pairs(first, second, genuine, fold);
  }

  /**
   * Whether to enumerate: past half of the pairs the expected number of rejected draws grows
   * without bound as the request nears the total, while the enumeration is at most twice the
   * request. Enumerations too large for one array fall back to rejection.
   */
  private static boolean denseIsBetter(int requested, long available) {
    return 2L * requested > available && available <= Integer.MAX_VALUE - 8;
  }

  /** Room for {@code requested} keys without rehashing, within HashSet's maximum capacity. */
  private static int initialCapacity(int requested) {
    return (int) Math.min(1 << 30, 2L * requested);
  }

  /** Pair i &lt; j of n samples as the single number i·n + j. */
  private static long key(int a, int b, long n) {
    return a < b ? a * n + b : b * n + a;
  }

  private static long[] sampleGenuine(Groups groups, long n, int requested, Random random) {
    long[] cumulative = new long[groups.count()];
    long total = 0;
    for (int c = 0; c < groups.count(); c++) {
      long size = groups.size(c);
      total += size * (size - 1) / 2;
      cumulative[c] = total;
    }
    long[] keys = new long[requested];
    Set<Long> seen = new HashSet<>(initialCapacity(requested));
    int accepted = 0;
    while (accepted < requested) {
      int c = upperBound(cumulative, uniformLong(random, total));
      int size = groups.size(c);
      int a = random.nextInt(size);
      int b = random.nextInt(size - 1);
      // Skipping a makes (a, b) uniform over ordered pairs of distinct members.
      if (b >= a) {
        b++;
      }
      long key = key(groups.member(c, a), groups.member(c, b), n);
      if (seen.add(key)) {
        keys[accepted++] = key;
      }
    }
    return keys;
  }

  private static long[] sampleImpostors(Groups groups, long n, int requested, Random random) {
    long[] cumulative = new long[groups.count()];
    long total = 0;
    for (int c = 0; c < groups.count(); c++) {
      long size = groups.size(c);
      total += size * (n - size);
      cumulative[c] = total;
    }
    long[] keys = new long[requested];
    Set<Long> seen = new HashSet<>(initialCapacity(requested));
    int accepted = 0;
    while (accepted < requested) {
      int c = upperBound(cumulative, uniformLong(random, total));
      int size = groups.size(c);
      int a = groups.member(c, random.nextInt(size));
      // A uniform position among the n - size samples outside c's contiguous block.
      int position = random.nextInt((int) (n - size));
      if (position >= groups.start(c)) {
        position += size;
      }
      long key = key(a, groups.sorted[position], n);
      if (seen.add(key)) {
        keys[accepted++] = key;
      }
    }
    return keys;
  }

  private static long[] enumerateGenuine(Groups groups, long n, long available) {
    long[] keys = new long[(int) available];
    int k = 0;
    for (int c = 0; c < groups.count(); c++) {
      for (int x = 0; x < groups.size(c); x++) {
        for (int y = x + 1; y < groups.size(c); y++) {
          keys[k++] = key(groups.member(c, x), groups.member(c, y), n);
        }
      }
    }
    return keys;
  }

  private static long[] enumerateImpostors(Groups groups, long n, long available) {
    long[] keys = new long[(int) available];
    int k = 0;
    for (int c = 0; c < groups.count(); c++) {
      int end = groups.start(c) + groups.size(c);
      for (int x = groups.start(c); x < end; x++) {
        for (int y = end; y < groups.sorted.length; y++) {
          keys[k++] = key(groups.sorted[x], groups.sorted[y], n);
        }
      }
    }
    return keys;
  }

  /** The first {@code requested} entries of a partial Fisher–Yates shuffle of {@code keys}. */
  private static long[] pick(long[] keys, int requested, Random random) {
    for (int k = 0; k < requested; k++) {
      int r = k + random.nextInt(keys.length - k);
      long swap = keys[k];
      keys[k] = keys[r];
      keys[r] = swap;
    }
    return Arrays.copyOf(keys, requested);
  }

  /** The first index whose cumulative weight exceeds r, for r in [0, last weight). */
  private static int upperBound(long[] cumulative, long r) {
    int low = 0;
    int high = cumulative.length - 1;
    while (low < high) {
      int mid = (low + high) >>> 1;
      if (cumulative[mid] > r) {
        high = mid;
      } else {
        low = mid + 1;
      }
    }
    return low;
  }

  /**
   * A uniform long in [0, bound), by rejection as in {@link Random#nextInt(int)}; written out
   * because only Random's own methods have a specified, version-independent algorithm.
   */
  private static long uniformLong(Random random, long bound) {
    long bits;
    long value;
    do {
      bits = random.nextLong() >>> 1;
      value = bits % bound;
    } while (bits - value + (bound - 1) < 0);
    return value;
  }

  /** Sample indices grouped by label: ascending labels, ascending indices within a label. */
  private static final class Groups {
    final int[] sorted;
    private final int[] starts;

    private Groups(int[] sorted, int[] starts) {
      this.sorted = sorted;
      this.starts = starts;
    }

    static Groups of(int[] labels) {
      long[] keys = new long[labels.length];
      for (int i = 0; i < labels.length; i++) {
        // Label in the high half, index in the low half: one primitive sort groups the labels.
        keys[i] = ((long) labels[i] << 32) | i;
      }
      Arrays.sort(keys);
      int[] sorted = new int[labels.length];
      int[] starts = new int[labels.length + 1];
      int count = 0;
      for (int k = 0; k < keys.length; k++) {
        sorted[k] = (int) keys[k];
        if (k == 0 || (keys[k] >> 32) != (keys[k - 1] >> 32)) {
          starts[count++] = k;
        }
      }
      starts[count] = labels.length;
      return new Groups(sorted, Arrays.copyOf(starts, count + 1));
    }

    int count() {
      return starts.length - 1;
    }

    int start(int c) {
      return starts[c];
    }

    int size(int c) {
      return starts[c + 1] - starts[c];
    }

    int member(int c, int k) {
      return sorted[starts[c] + k];
    }
  }
}
