package io.github.ringloss4j.app.data;

import java.util.Random;

/** Seeded shuffles of item indices: the data split and each epoch's batch order. */
public final class Permutations {

  private Permutations() {}

  /**
   * A Fisher–Yates shuffle of {@code 0 … n−1}; the same generator state gives the same order.
   *
   * @param n the number of items
   * @param random the generator
   * @return the shuffled indices
   */
  public static int[] of(int n, Random random) {
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
    return order;
  }
}
