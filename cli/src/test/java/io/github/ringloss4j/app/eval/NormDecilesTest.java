package io.github.ringloss4j.app.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.junit.jupiter.api.Test;

class NormDecilesTest {

  @Test
  void binsBySmallerNormWithEachFoldsThreshold() {
    // Six pairs, two folds with thresholds 0.5 (fold 0) and 0.7 (fold 1), smaller norms 3, 1, 2,
    // 6, 5, 4. Sorted by norm: pairs 1, 2, 0 | 5, 4, 3.
    double[] scores = {0.6, 0.4, 0.9, 0.8, 0.6, 0.2};
    boolean[] genuine = {true, true, true, true, false, false};
    int[] fold = {0, 0, 1, 1, 0, 1};
    double[] norm = {3, 1, 2, 6, 5, 4};
    // Pair 0: 0.6 ≥ 0.5 accepted, genuine: right. Pair 1: 0.4 < 0.5 rejected, genuine: wrong.
    // Pair 2: 0.9 ≥ 0.7, right. Low bin: 2/3.
    // Pair 3: 0.8 ≥ 0.7, right. Pair 4: 0.6 ≥ 0.5 accepted, impostor: wrong. Pair 5: 0.2 < 0.7
    // rejected, impostor: right. High bin: 2/3.
    assertArrayEquals(
        new double[] {2 / 3.0, 2 / 3.0},
        NormDeciles.accuracy(scores, genuine, fold, new double[] {0.5, 0.7}, norm, 2),
        1e-12);
    // Three bins: {1, 2} → 1/2, {0, 5} → 2/2, {4, 3} → 1/2.
    assertArrayEquals(
        new double[] {0.5, 1, 0.5},
        NormDeciles.accuracy(scores, genuine, fold, new double[] {0.5, 0.7}, norm, 3),
        1e-12);
  }
}
