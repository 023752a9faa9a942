package io.github.ringloss4j.head;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/** The sampling of {@link ClassSampler}, on the Java side only (no engine). */
class ClassSamplerTest {

  @Test
  void targetSizeIsTheCeilingOfRTimesCReadInDecimal() {
    assertEquals(10_000, ClassSampler.targetSize(0.1, 100_000)); // 0.1·100,000 = 10,000
    assertEquals(3, ClassSampler.targetSize(0.25, 10)); // ⌈2.5⌉ = 3
    // 0.07·100 is 7.000000000000001 in binary floating point, whose ceiling would be 8.
    assertEquals(8, (int) Math.ceil(0.07 * 100));
    assertEquals(7, ClassSampler.targetSize(0.07, 100));
    assertEquals(1, ClassSampler.targetSize(1e-9, 10)); // ⌈1e−8⌉ = 1
    assertEquals(10, ClassSampler.targetSize(1, 10));
    assertEquals(1, ClassSampler.targetSize(1, 1));
  }

  /**
   * C = 10, r = 0.3, labels (7, 2, 7): positives {2, 7}, ⌈3⌉ = 3 classes: 2, 7 and one negative k ∉
   * {2, 7}; sorted, the labels map to the positions of 7 and 2 in S.
   */
  @Test
  void positivesAndOneNegative() {
    long[] labels = {7, 2, 7};
    int[] s = ClassSampler.sample(10, 0.3, 42, 0, labels);
    assertEquals(3, s.length);
    assertTrue(contains(s, 2) && contains(s, 7), Arrays.toString(s));
    assertSortedDistinctInRange(s, 10);
    long[] remapped = ClassSampler.remap(s, labels);
    for (int i = 0; i < labels.length; i++) {
      assertEquals(labels[i], s[(int) remapped[i]]);
    }
    // Whichever k was drawn, 2 precedes 7 in S, and both 7s map to the same position.
    assertTrue(remapped[1] < remapped[0], Arrays.toString(remapped));
    assertEquals(remapped[0], remapped[2]);
  }

  /**
   * C = 10, r = 0.1: ⌈1⌉ = 1 class, but the batch has the 3 positives {0, 4, 9}: S = {0, 4, 9}
   * exactly, and labels (9, 0, 4, 9) map to (2, 0, 1, 2).
   */
  @Test
  void positivesBeyondTheTargetAreAllKept() {
    long[] labels = {9, 0, 4, 9};
    int[] s = ClassSampler.sample(10, 0.1, 1, 5, labels);
    assertArrayEquals(new int[] {0, 4, 9}, s);
    assertArrayEquals(new long[] {2, 0, 1, 2}, ClassSampler.remap(s, labels));
  }

  /** r = 1: S = [0, C), and the labels are their own positions. */
  @Test
  void rateOneIsEveryClassAndTheIdentity() {
    long[] labels = {3, 1, 3};
    int[] s = ClassSampler.sample(5, 1, 8, 3, labels);
    assertArrayEquals(new int[] {0, 1, 2, 3, 4}, s);
    assertArrayEquals(labels, ClassSampler.remap(s, labels));
  }

  @Test
  void propertiesHoldOverManyDraws() {
    Random r = new Random(3);
    for (int trial = 0; trial < 500; trial++) {
      int classes = 1 + r.nextInt(60);
      double rate = (1 + r.nextInt(100)) / 100.0;
      long[] labels =
          LongStream.generate(() -> r.nextInt(classes)).limit(1 + r.nextInt(12)).toArray();
      long seed = r.nextLong();
      long step = r.nextInt(1000);
      int[] s = ClassSampler.sample(classes, rate, seed, step, labels);
      int positives = (int) Arrays.stream(labels).distinct().count();
      String what = "C=" + classes + " r=" + rate + " labels=" + Arrays.toString(labels);
      assertEquals(Math.max(ClassSampler.targetSize(rate, classes), positives), s.length, what);
      assertSortedDistinctInRange(s, classes);
      for (long y : labels) {
        assertTrue(contains(s, (int) y), what);
      }
      long[] remapped = ClassSampler.remap(s, labels);
      for (int i = 0; i < labels.length; i++) {
        assertEquals(labels[i], s[(int) remapped[i]], what);
      }
      assertArrayEquals(s, ClassSampler.sample(classes, rate, seed, step, labels), "deterministic");
    }
  }

  @Test
  void seedAndStepChangeTheDraw() {
    long[] labels = {5};
    int[] a = ClassSampler.sample(1000, 0.1, 1, 0, labels);
    assertFalse(Arrays.equals(a, ClassSampler.sample(1000, 0.1, 1, 1, labels)), "next step");
    assertFalse(Arrays.equals(a, ClassSampler.sample(1000, 0.1, 2, 0, labels)), "other seed");
  }

  /**
   * C = 20, positive {7}, r = 0.25: ⌈5⌉ = 5 classes, 4 negatives out of 19. Over 20,000 steps each
   * negative is in with probability 4/19, count ≈ 20,000·4/19 = 4210.5, σ =
   * √(20,000·(4/19)·(15/19)) = 57.7; every count within 5σ = 289, and 7 always in.
   */
  @Test
  void negativesAreUniform() {
    int[] counts = new int[20];
    for (int step = 0; step < 20_000; step++) {
      for (int c : ClassSampler.sample(20, 0.25, 99, step, new long[] {7})) {
        counts[c]++;
      }
    }
    assertEquals(20_000, counts[7]);
    double expected = 20_000 * 4.0 / 19;
    for (int c = 0; c < 20; c++) {
      if (c != 7) {
        assertEquals(expected, counts[c], 289, "class " + c);
      }
    }
  }

  /**
   * SplitMix64 from state 0 (the reference implementation's first output is 0xE220A8397B1DCDAF),
   * and the property the steps rely on: after k draws the state is s + k·γ, so a generator started
   * at s + k·γ continues the sequence of s.
   */
  @Test
  void splitMix64() {
    assertEquals(0xE220A8397B1DCDAFL, new ClassSampler.SplitMix64(0).nextLong());
    ClassSampler.SplitMix64 a = new ClassSampler.SplitMix64(123);
    for (int k = 0; k < 3; k++) {
      a.nextLong();
    }
    ClassSampler.SplitMix64 b = new ClassSampler.SplitMix64(123 + 3 * ClassSampler.GAMMA);
    for (int k = 0; k < 5; k++) {
      assertEquals(a.nextLong(), b.nextLong());
    }
    ClassSampler.SplitMix64 c = new ClassSampler.SplitMix64(5);
    assertTrue(IntStream.range(0, 1000).map(i -> c.nextInt(7)).allMatch(v -> v >= 0 && v < 7));
  }

  private static boolean contains(int[] sorted, int value) {
    return Arrays.binarySearch(sorted, value) >= 0;
  }

  private static void assertSortedDistinctInRange(int[] s, int classes) {
    for (int k = 0; k < s.length; k++) {
      assertTrue(s[k] >= 0 && s[k] < classes, Arrays.toString(s));
      if (k > 0) {
        assertTrue(s[k - 1] < s[k], "sorted, no duplicates: " + Arrays.toString(s));
      }
    }
  }
}
