package io.github.ringloss4j.head;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Arrays;
import java.util.BitSet;

/**
 * The class subset of Partial FC (An et al., ICCV 2021 workshops): every positive class of the
 * batch, plus negatives drawn uniformly without replacement, as a sorted index set, and the labels
 * remapped into it.
 *
 * <pre>
 *   P = the distinct labels of the batch (positives)
 *   n = max(⌈r·C⌉, |P|)
 *   S = P ∪ (n − |P| classes drawn uniformly without replacement from [0, C) \ P),  sorted
 *   y'_i = the position of y_i in S
 * </pre>
 *
 * <p>InsightFace's {@code partial_fc_v2.py} draws a uniform key per class, sets the positives' keys
 * to 2 and keeps the top n; this draws the n − |P| negatives with Floyd's algorithm (Bentley and
 * Floyd, "A sample of brilliance", CACM 1987), which gives the same distribution, a uniform subset
 * of the negatives, in O(n) draws instead of C. (InsightFace floors r·C; here it is ⌈r·C⌉, with r
 * read as the decimal it prints as, so r = 0.07 of C = 100 is 7 classes, not 8 from 0.07·100 =
 * 7.000000000000001.)
 *
 * <p>The random numbers are SplitMix64 (Steele, Lea, Flood, "Fast splittable pseudorandom number
 * generators", OOPSLA 2014), written out here so that the sequence does not depend on the JDK. Step
 * t starts from the state seed + t·2³²·γ (γ = 0x9E3779B97F4A7C15, the generator's increment), which
 * is the state of one SplitMix64 sequence from seed after t·2³² draws. A step draws about n − |P|
 * &lt; 2³¹ numbers (one per negative, plus rare rejections), so the steps read disjoint stretches
 * of that one sequence; and a subset is a function of (seed, step, labels) alone, which is what
 * makes a resumed run draw what the uninterrupted one would have.
 */
final class ClassSampler {

  /** SplitMix64's increment, the odd integer closest to 2⁶⁴/φ. */
  static final long GAMMA = 0x9E3779B97F4A7C15L;

  private ClassSampler() {}

  /**
   * The number of classes ⌈r·C⌉ before the positives are counted, r taken as the decimal it prints
   * as.
   *
   * @param rate r in (0, 1]
   * @param classes C ≥ 1
   * @return ⌈r·C⌉, in [1, C]
   */
  static int targetSize(double rate, int classes) {
    BigDecimal exact = BigDecimal.valueOf(rate).multiply(BigDecimal.valueOf(classes));
    int n = exact.setScale(0, RoundingMode.CEILING).intValueExact();
    return Math.max(1, Math.min(classes, n));
  }

  /**
   * The distinct labels, ascending.
   *
   * @param labels class indices, already checked to be in [0, classes)
   * @return the positives P
   */
  static int[] positives(long[] labels) {
    return Arrays.stream(labels).distinct().sorted().mapToInt(Math::toIntExact).toArray();
  }

  /**
   * The sampled class set S of one step.
   *
   * @param classes C
   * @param rate r in (0, 1]
   * @param seed the sampler's seed
   * @param step the step t, ≥ 0
   * @param labels the batch's class indices, in [0, C)
   * @return S, ascending and without duplicates, of size max(⌈r·C⌉, |P|)
   */
  static int[] sample(int classes, double rate, long seed, long step, long[] labels) {
    int[] positives = positives(labels);
    int size = Math.max(targetSize(rate, classes), positives.length);
    BitSet chosen = new BitSet(classes);
    if (size == classes) {
      chosen.set(0, classes);
    } else {
      for (int p : positives) {
        chosen.set(p);
      }
      int negatives = classes - positives.length;
      BitSet ranks = floyd(negatives, size - positives.length, seed, step);
      // The r-th negative (0-based) is r plus the number of positives at or below it.
      int below = 0;
      for (int r = ranks.nextSetBit(0); r >= 0; r = ranks.nextSetBit(r + 1)) {
        while (below < positives.length && positives[below] <= r + below) {
          below++;
        }
        chosen.set(r + below);
      }
    }
    return chosen.stream().toArray();
  }

  /**
   * k distinct integers drawn uniformly from [0, n): Floyd's algorithm, one draw per element.
   *
   * @return the drawn integers as set bits
   */
  private static BitSet floyd(int n, int k, long seed, long step) {
    SplitMix64 random = new SplitMix64(seed + step * (GAMMA << 32));
    BitSet drawn = new BitSet(n);
    for (int j = n - k; j < n; j++) {
      int t = random.nextInt(j + 1);
      drawn.set(drawn.get(t) ? j : t);
    }
    return drawn;
  }

  /**
   * Each label's position in the sampled set.
   *
   * @param subset S, ascending
   * @param labels class indices, each in S
   * @return y'_i with S[y'_i] = y_i
   */
  static long[] remap(int[] subset, long[] labels) {
    long[] remapped = new long[labels.length];
    for (int i = 0; i < labels.length; i++) {
      int position = Arrays.binarySearch(subset, Math.toIntExact(labels[i]));
      if (position < 0) {
        throw new IllegalStateException("label " + labels[i] + " is not in the sampled classes");
      }
      remapped[i] = position;
    }
    return remapped;
  }

  /** SplitMix64: a 64-bit state advanced by γ, output through a fixed mixing function. */
  static final class SplitMix64 {
    private long state;

    SplitMix64(long state) {
      this.state = state;
    }

    long nextLong() {
      long z = (state += GAMMA);
      z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
      z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
      return z ^ (z >>> 31);
    }

    /** Uniform in [0, bound) by rejection, as {@code java.util.Random.nextInt(int)} does. */
    int nextInt(int bound) {
      while (true) {
        int bits = (int) (nextLong() >>> 33);
        int value = bits % bound;
        if (bits - value + (bound - 1) >= 0) {
          return value;
        }
      }
    }
  }
}
