package io.github.ringloss4j.metrics;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Checks a set of embeddings for the signs of a degenerate (diverged or collapsed) model, so that
 * an evaluation can warn instead of printing numbers that look plausible.
 *
 * <p>A diverged run can produce embeddings that are all identical; every score then ties, and
 * before the pessimistic tie rule of {@link Identification} such a model was reported at rank-1 =
 * 1.0. The metrics themselves now score it as it deserves, but a human should still be told why.
 * {@link #problems} reports, one sentence each:
 *
 * <ul>
 *   <li>non-finite components: the number of rows with a NaN or an infinity, and the first one;
 *   <li>all rows identical (compared with {@code ==}, so 0 and −0 are equal): the model maps every
 *       input to one point, and every score ties;
 *   <li>otherwise, rows that are nearly identical: the total variance across rows (the sum over
 *       components of each component's population variance) is below {@value #NEAR_COLLAPSE_RATIO}
 *       times the mean squared row norm, i.e. the spread around the mean row is below 0.1 % of the
 *       rows' typical length. A trained model spreads its embeddings over the sphere, where this
 *       ratio is of the order of 1; 10⁻⁶ leaves room for nothing but noise;
 *   <li>components that are constant across all rows (zero variance, e.g. a dead unit before the
 *       embedding layer): they carry no information;
 *   <li>rows that are all zero: their cosine is defined as 0 against everything ({@link
 *       Similarity#COSINE}), so they match nothing and tie with each other.
 * </ul>
 *
 * <p>The variance and constant-component checks need at least two rows and are skipped otherwise;
 * rows with a non-finite component are left out of the other checks, which then speak of the
 * remaining rows. An empty list means none of these problems was found: it does not mean the model
 * is good. Cost: one pass over the rows in double precision (Welford's update per component), O(n
 * d) time and O(d) memory.
 */
public final class EmbeddingDiagnostics {

  /**
   * The ratio of total variance to mean squared norm below which the rows are reported as nearly
   * identical.
   */
  public static final double NEAR_COLLAPSE_RATIO = 1e-6;

  private EmbeddingDiagnostics() {}

  /**
   * The problems of the class comment found in the rows, as sentences for a log or a report.
   *
   * @param rows the embeddings, one per row, all of one dimension
   * @return the problems, empty when none was found
   * @throws IllegalArgumentException if rows or a row is null, or the rows differ in dimension
   */
  public static List<String> problems(float[][] rows) {
    Checks.notNull(rows, "rows");
    int d = rows.length == 0 ? 0 : Similarity.requireVector(rows, "rows", 0, -1, null);
    for (int i = 1; i < rows.length; i++) {
      Similarity.requireVector(rows, "rows", i, d, "rows[0]");
    }
    List<String> problems = new ArrayList<>();
    int nonFiniteRows = 0;
    int firstBadRow = -1;
    int firstBadComponent = -1;
    int zeroRows = 0;
    int firstZeroRow = -1;
    // Welford's update per component over the finite rows, in double.
    long n = 0;
    double[] mean = new double[d];
    double[] m2 = new double[d];
    double squaredNorms = 0;
    float[] first = null;
    boolean allEqual = true;
    boolean[] varies = new boolean[d];
    for (int i = 0; i < rows.length; i++) {
      float[] row = rows[i];
      int bad = firstNonFinite(row);
      if (bad >= 0) {
        if (nonFiniteRows++ == 0) {
          firstBadRow = i;
          firstBadComponent = bad;
        }
        continue;
      }
      n++;
      boolean zero = true;
      for (int j = 0; j < d; j++) {
        double x = row[j];
        double delta = x - mean[j];
        mean[j] += delta / n;
        m2[j] += delta * (x - mean[j]);
        squaredNorms += x * x;
        zero &= row[j] == 0;
        if (first != null && row[j] != first[j]) {
          varies[j] = true;
          allEqual = false;
        }
      }
      if (first == null) {
        first = row;
      }
      if (zero && zeroRows++ == 0) {
        firstZeroRow = i;
      }
    }
    if (nonFiniteRows > 0) {
      problems.add(
          String.format(
              Locale.ROOT,
              "%d of %d rows have a NaN or infinite component (first: row %d, component %d = %s)",
              nonFiniteRows,
              rows.length,
              firstBadRow,
              firstBadComponent,
              rows[firstBadRow][firstBadComponent]));
    }
    String which = nonFiniteRows > 0 ? "finite rows" : "rows";
    if (n >= 2 && allEqual) {
      problems.add(
          String.format(
              Locale.ROOT,
              "all %d %s are identical%s: the model maps every input to one point, so every score"
                  + " ties",
              n,
              which,
              zeroRows == n ? " (all zero)" : ""));
      return problems;
    }
    if (n >= 2) {
      double totalVariance = 0;
      for (int j = 0; j < d; j++) {
        totalVariance += m2[j] / n;
      }
      double meanSquaredNorm = squaredNorms / n;
      if (totalVariance < NEAR_COLLAPSE_RATIO * meanSquaredNorm) {
        problems.add(
            String.format(
                Locale.ROOT,
                "the %d %s are nearly identical: total variance across rows %.3g is below %.0e"
                    + " times the mean squared norm %.3g, so the scores differ by noise only",
                n,
                which,
                totalVariance,
                NEAR_COLLAPSE_RATIO,
                meanSquaredNorm));
      }
      int constant = 0;
      int firstConstant = -1;
      for (int j = 0; j < d; j++) {
        if (!varies[j] && constant++ == 0) {
          firstConstant = j;
        }
      }
      if (constant > 0) {
        problems.add(
            String.format(
                Locale.ROOT,
                "%d of %d components are constant across all %d %s (first: component %d = %s):"
                    + " they carry no information",
                constant,
                d,
                n,
                which,
                firstConstant,
                first[firstConstant]));
      }
    }
    if (zeroRows > 0) {
      problems.add(
          String.format(
              Locale.ROOT,
              "%d of %d rows are all zero (first: row %d): their cosine is 0 against everything",
              zeroRows,
              rows.length,
              firstZeroRow));
    }
    return problems;
  }

  private static int firstNonFinite(float[] row) {
    for (int j = 0; j < row.length; j++) {
      if (!Float.isFinite(row[j])) {
        return j;
      }
    }
    return -1;
  }
}
