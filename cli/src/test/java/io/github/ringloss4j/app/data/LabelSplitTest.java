package io.github.ringloss4j.app.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The stratified split image folders and packed sets share. */
class LabelSplitTest {

  @Test
  void unsortedLabelsAreSplitPerClassKeepingOneTrainingItem() {
    // Classes interleaved as a packed set may store them: 0 has 10 items, 1 has 5, 2 has 1.
    int[] labels = {0, 1, 0, 0, 2, 1, 0, 0, 1, 0, 0, 1, 0, 0, 1, 0};
    LabelSplit split = LabelSplit.stratified(labels, 0.2, 42);
    assertEquals(2, count(labels, split.validation(), 0));
    assertEquals(1, count(labels, split.validation(), 1));
    assertEquals(0, count(labels, split.validation(), 2));
    assertEquals(labels.length, split.train().length + split.validation().length);
    int[] all =
        IntStream.concat(Arrays.stream(split.train()), Arrays.stream(split.validation()))
            .sorted()
            .toArray();
    assertArrayEquals(IntStream.range(0, labels.length).toArray(), all, "each item once");
    assertTrue(isIncreasing(split.train()) && isIncreasing(split.validation()));
    LabelSplit again = LabelSplit.stratified(labels, 0.2, 42);
    assertArrayEquals(split.validation(), again.validation(), "the same seed, the same split");
    LabelSplit most = LabelSplit.stratified(labels, 0.99, 42);
    for (int label = 0; label < 3; label++) {
      assertEquals(1, count(labels, most.train(), label), "label " + label);
    }
    assertThrows(IllegalArgumentException.class, () -> LabelSplit.stratified(labels, 1, 1));
    assertThrows(IllegalArgumentException.class, () -> LabelSplit.stratified(new int[] {-1}, 0, 1));
  }

  @Test
  void aClassSplitDependsOnlyOnItsOwnMembers() {
    // Class 0's members are the same items in both; the other classes differ.
    int[] a = {0, 1, 0, 1, 0, 2, 0, 0, 0, 0, 0, 0};
    int[] b = {0, 3, 0, 3, 0, 3, 0, 0, 0, 0, 0, 0};
    assertArrayEquals(
        ofClass(a, LabelSplit.stratified(a, 0.3, 9).validation(), 0),
        ofClass(b, LabelSplit.stratified(b, 0.3, 9).validation(), 0));
    Random random = new Random(1);
    int[] many = random.ints(5000, 0, 40).toArray();
    int[] validation = LabelSplit.stratified(many, 0.1, 3).validation();
    assertEquals(500, validation.length, 25);
  }

  private static int[] ofClass(int[] labels, int[] items, int label) {
    return Arrays.stream(items).filter(i -> labels[i] == label).toArray();
  }

  private static long count(int[] labels, int[] items, int label) {
    return ofClass(labels, items, label).length;
  }

  private static boolean isIncreasing(int[] items) {
    for (int i = 1; i < items.length; i++) {
      if (items[i] <= items[i - 1]) {
        return false;
      }
    }
    return true;
  }
}
