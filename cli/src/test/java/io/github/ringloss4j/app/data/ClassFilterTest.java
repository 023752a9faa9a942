package io.github.ringloss4j.app.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ClassFilterTest {

  /** Item i has label labels[i] and, as its one pixel, the value i. */
  private static LabelledSource source(int... labels) {
    return new LabelledSource() {
      @Override
      public int size() {
        return labels.length;
      }

      @Override
      public int label(int index) {
        return labels[index];
      }

      @Override
      public List<String> classNames() {
        return List.of("a", "b", "c", "d");
      }

      @Override
      public int[] itemShape() {
        return new int[] {1, 1, 1};
      }

      @Override
      public String sourceOf(int index) {
        return "item" + index;
      }

      @Override
      public void read(int index, float[] destination, int offset, Random augmentation) {
        destination[offset] = index;
      }
    };
  }

  @Test
  void leavesClassesOutAndRelabelsTheRestInOrder() throws Exception {
    LabelledSource all = source(0, 1, 2, 3, 1, 0, 3);
    LabelledSource kept = ClassFilter.without(all, List.of(1));
    // Items 1 and 4 (class b) go; a, c, d become 0, 1, 2.
    assertEquals(List.of("a", "c", "d"), kept.classNames());
    assertArrayEquals(new int[] {0, 1, 2, 0, 2}, kept.labels());
    float[] pixel = new float[1];
    kept.read(3, pixel, 0, null);
    assertEquals(5f, pixel[0]);
    assertEquals("item6", kept.sourceOf(4));
  }

  @Test
  void nothingExcludedIsTheSourceItself() {
    LabelledSource all = source(0, 1);
    assertSame(all, ClassFilter.without(all, List.of()));
  }

  @Test
  void onlyKeepsTheHeldOutClassesWithTheirLabels() {
    Subset held = ClassFilter.only(source(0, 1, 2, 3, 1, 0, 3), List.of(1, 3));
    assertArrayEquals(new int[] {1, 3, 1, 3}, held.labels());
  }

  @Test
  void rejectsUnknownLabelsAndTooFewClasses() {
    LabelledSource all = source(0, 1, 2, 3);
    assertThrows(IllegalArgumentException.class, () -> ClassFilter.without(all, List.of(4)));
    assertThrows(IllegalArgumentException.class, () -> ClassFilter.without(all, List.of(0, 1, 2)));
  }
}
