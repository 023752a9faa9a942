package io.github.ringloss4j.app.data;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * A partition of labelled items into training and validation parts, stratified by class: the split
 * of image folders and packed sets alike.
 *
 * <p>Within each class the items, taken in increasing index order, are shuffled with a generator
 * seeded from the seed and the class label (so a class's split does not depend on the other
 * classes), and the first {@code round(validationFraction × n)} go to validation, but never all of
 * them: every class keeps at least one training item. Both parts list their items in increasing
 * index order. The same labels and seed always give the same split.
 *
 * @param train the training items' indices, increasing
 * @param validation the validation items' indices, increasing
 */
public record LabelSplit(int[] train, int[] validation) {

  /**
   * Splits items by their labels.
   *
   * @param labels each item's class, {@code >= 0}, in any order
   * @param validationFraction the share of each class to hold out, in [0, 1)
   * @param seed the shuffle seed
   * @return the split
   * @throws IllegalArgumentException if {@code validationFraction} is outside [0, 1) or a label is
   *     negative
   */
  public static LabelSplit stratified(int[] labels, double validationFraction, long seed) {
    if (!(validationFraction >= 0 && validationFraction < 1)) {
      throw new IllegalArgumentException(
          "validation fraction must be in [0, 1), got " + validationFraction);
    }
    int classes = 0;
    for (int i = 0; i < labels.length; i++) {
      if (labels[i] < 0) {
        throw new IllegalArgumentException("item " + i + " has the negative label " + labels[i]);
      }
      classes = Math.max(classes, labels[i] + 1);
    }
    // The members of each class in increasing index order (a counting sort), without one list
    // object per item: a packed set may hold millions.
    int[] start = new int[classes + 1];
    for (int label : labels) {
      start[label + 1]++;
    }
    for (int c = 0; c < classes; c++) {
      start[c + 1] += start[c];
    }
    int[] members = new int[labels.length];
    int[] next = start.clone();
    for (int i = 0; i < labels.length; i++) {
      members[next[labels[i]]++] = i;
    }
    boolean[] held = new boolean[labels.length];
    int heldCount = 0;
    for (int c = 0; c < classes; c++) {
      int n = start[c + 1] - start[c];
      int hold = Math.min((int) Math.round(validationFraction * n), n - 1);
      if (hold <= 0) {
        continue;
      }
      List<Integer> shuffled = new ArrayList<>(n);
      for (int k = start[c]; k < start[c + 1]; k++) {
        shuffled.add(members[k]);
      }
      Collections.shuffle(shuffled, new Random(Seeds.mix(seed, c)));
      for (int k = 0; k < hold; k++) {
        held[shuffled.get(k)] = true;
      }
      heldCount += hold;
    }
    int[] train = new int[labels.length - heldCount];
    int[] validation = new int[heldCount];
    int t = 0;
    int v = 0;
    for (int i = 0; i < labels.length; i++) {
      if (held[i]) {
        validation[v++] = i;
      } else {
        train[t++] = i;
      }
    }
    return new LabelSplit(train, validation);
  }
}
