package io.github.ringloss4j.metrics;

import static io.github.ringloss4j.metrics.RocTest.assertMessage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class EmbeddingDiagnosticsTest {

  @Test
  void healthyEmbeddingsHaveNoProblems() {
    Random random = new Random(5);
    float[][] rows = new float[200][16];
    for (float[] row : rows) {
      for (int j = 0; j < row.length; j++) {
        row[j] = (float) random.nextGaussian();
      }
    }
    assertEquals(List.of(), EmbeddingDiagnostics.problems(rows));
    assertEquals(List.of(), EmbeddingDiagnostics.problems(new float[0][]));
    // One row: nothing to compare it with, and it is not zero.
    assertEquals(List.of(), EmbeddingDiagnostics.problems(new float[][] {{1, 2}}));
  }

  @Test
  void identicalRowsAreReported() {
    float[][] rows = new float[50][];
    for (int i = 0; i < rows.length; i++) {
      rows[i] = new float[] {0.3f, -1.2f, 0.5f};
    }
    assertEquals(
        List.of(
            "all 50 rows are identical: the model maps every input to one point, so every score"
                + " ties"),
        EmbeddingDiagnostics.problems(rows));
  }

  @Test
  void allZeroRowsAreReportedOnce() {
    // 0 and -0 compare equal: still one point.
    float[][] rows = {{0, 0}, {-0f, 0}, {0, -0f}};
    assertEquals(
        List.of(
            "all 3 rows are identical (all zero): the model maps every input to one point, so"
                + " every score ties"),
        EmbeddingDiagnostics.problems(rows));
  }

  @Test
  void nonFiniteComponentsAreReportedAndLeftOut() {
    float[][] rows = {{1, 2}, {Float.NaN, 0}, {1, 2}, {3, Float.POSITIVE_INFINITY}};
    List<String> problems = EmbeddingDiagnostics.problems(rows);
    assertEquals(
        List.of(
            "2 of 4 rows have a NaN or infinite component (first: row 1, component 0 = NaN)",
            "all 2 finite rows are identical: the model maps every input to one point, so every"
                + " score ties"),
        problems);
  }

  @Test
  void nearlyIdenticalRowsAreReported() {
    // Rows (1, 1) ± 1e-4 on the first component, alternately: each component's mean is (1, 1);
    // the first has population variance (1e-4)² = 1e-8, the second 0; the mean squared norm is
    // about 2, so the ratio 5e-9 is below 1e-6. The second component is constant as well.
    float[][] rows = new float[10][];
    for (int i = 0; i < rows.length; i++) {
      rows[i] = new float[] {1 + (i % 2 == 0 ? 1e-4f : -1e-4f), 1};
    }
    List<String> problems = EmbeddingDiagnostics.problems(rows);
    assertEquals(2, problems.size(), problems.toString());
    assertTrue(problems.get(0).startsWith("the 10 rows are nearly identical"), problems.get(0));
    assertEquals(
        "1 of 2 components are constant across all 10 rows (first: component 1 = 1.0): they carry"
            + " no information",
        problems.get(1));
  }

  @Test
  void constantComponentsAndZeroRowsAreReported() {
    // Component 2 is 7 in every row; row 1 is all zero except that constant, so no row is zero.
    float[][] rows = {{1, 0, 7}, {0, 0, 7}, {0, 3, 7}};
    assertEquals(
        List.of(
            "1 of 3 components are constant across all 3 rows (first: component 2 = 7.0): they"
                + " carry no information"),
        EmbeddingDiagnostics.problems(rows));
    float[][] withZero = {{1, 0}, {0, 0}, {0, 3}, {0, 0}};
    assertEquals(
        List.of("2 of 4 rows are all zero (first: row 1): their cosine is 0 against everything"),
        EmbeddingDiagnostics.problems(withZero));
  }

  @Test
  void rejectsBadArguments() {
    assertMessage(() -> EmbeddingDiagnostics.problems(null), "rows must not be null");
    assertMessage(
        () -> EmbeddingDiagnostics.problems(new float[][] {{1, 2}, {3}}),
        "rows[1].length must equal 2");
  }
}
