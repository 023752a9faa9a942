package io.github.ringloss4j.metrics;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import io.github.ringloss4j.internal.Norms;
import java.nio.FloatBuffer;

/**
 * The engine side of exact scoring, shared by {@link EngineIdentification} (ranks) and {@link
 * Gallery} (top-k search): float32 score blocks computed by the engine and read in place, the
 * proven bound on their error, and the gathering of gallery rows for the exact re-scoring.
 *
 * <p><b>The bound.</b> For cosine scores of rows normalised in float32 (unit to within (d/2 + 2)·u,
 * u = 2⁻²⁴, d the dimension), the float32 product differs from the exact cosine by at most (2d +
 * 8)·u: the product's γ_d plus the two normalisations. {@link #cosineBound} is ε = twice that plus
 * the double path's own error, (4d + 16)·(u + 2⁻⁵³), so that |s̃ − s| ≤ ε holds with a factor-two
 * margin between a float32 score s̃ and the double score s of {@link Similarity#score}. Any
 * summation order satisfies γ_d, so the engine's blocked and fused kernels are covered.
 *
 * <p><b>Memory.</b> Every block of scores is computed in a step manager closed right after the
 * visitor has read it, so a pass holds one block at a time; arrays derived from a long-lived matrix
 * (slices, transposed views, gathered rows) are attached to the caller's short-lived manager at
 * once, because DJL creates them in the matrix's own manager, which would keep them for good.
 */
final class EngineScores {

  /** The unit roundoff of float32. */
  static final double U32 = 0x1p-24;

  /** The unit roundoff of double. */
  static final double U64 = 0x1p-53;

  /** Gallery rows gathered per engine call for the exact re-scoring. */
  static final int GATHER_CHUNK = 65536;

  private EngineScores() {}

  /**
   * ε of the class comment for cosine scores: a bound on |float32 score − exact score|.
   *
   * @param d the dimension
   * @return (4d + 16)·(u + 2⁻⁵³)
   */
  static double cosineBound(int d) {
    return (4.0 * d + 16) * (U32 + U64);
  }

  /**
   * Checks that an array is a float32 matrix.
   *
   * @param a the array
   * @param name its name, for the message
   * @throws IllegalArgumentException naming it otherwise
   */
  static void requireMatrix(NDArray a, String name) {
    if (a.getShape().dimension() != 2) {
      throw new IllegalArgumentException(
          name + " must be a [rows, dimension] matrix, got shape " + a.getShape());
    }
    if (a.getDataType() != DataType.FLOAT32) {
      throw new IllegalArgumentException(name + " must be float32, got " + a.getDataType());
    }
  }

  /**
   * Rows divided by their float32 norms; a zero row stays 0 and scores 0 against everything, as
   * {@link Similarity#COSINE} defines it.
   *
   * @param rows [r, d]
   * @return unit rows, in the manager of {@code rows}
   */
  static NDArray unitRows(NDArray rows) {
    NDArray norms = Norms.rowNorms(rows).reshape(rows.getShape().get(0), 1);
    return rows.div(NDArrays.where(norms.eq(0), norms.onesLike(), norms));
  }

  /**
   * Rows [from, to) of a matrix, detached from autograd, owned by {@code owner}: both the slice and
   * its detached view are new arrays of the matrix's manager until attached, and a long-lived
   * gallery's manager would otherwise keep one per chunk for good.
   *
   * @param matrix the matrix
   * @param from the first row
   * @param to past the last row
   * @param owner the manager that frees the result
   * @return the rows
   */
  static NDArray rows(NDArray matrix, long from, long to, NDManager owner) {
    NDArray slice = matrix.get(new NDIndex("{}:{}", from, to));
    slice.attach(owner);
    return slice.stopGradient();
  }

  /**
   * Block starts at a fixed stride: 0, chunk, 2·chunk, …, and n last.
   *
   * @param n the rows
   * @param chunk rows per block, at least 1
   * @return the n/chunk + 1 (rounded up) starts, the last being n
   */
  static long[] evenStarts(long n, int chunk) {
    int blocks = (int) ((n + chunk - 1) / chunk);
    long[] starts = new long[blocks + 1];
    for (int b = 0; b < blocks; b++) {
      starts[b] = (long) b * chunk;
    }
    starts[blocks] = n;
    return starts;
  }

  /** Computes one block of scores, row-major [probes, to − from], in the step's manager. */
  interface BlockScorer {
    NDArray scores(int block, long from, long to, NDManager step);
  }

  /** What a pass does with one block of scores, row-major [probes, cols], rows [g, gEnd). */
  interface BlockVisitor {
    void visit(FloatBuffer scores, long g, long gEnd, int cols);
  }

  /**
   * One pass over the gallery: each block's scores, computed in a step's manager (the probes lent
   * to it, so that results computed from them are freed with the step) and visited as a view of the
   * engine's memory, without a copy.
   *
   * @param prepared the probes as the scorer needs them, [probes, d]
   * @param scope the manager the probes belong to during the pass
   * @param starts the first row of each block, then the number of rows
   * @param scorer computes a block's scores from {@code prepared}
   * @param visitor reads them
   */
  static void forEachBlock(
      NDArray prepared, NDManager scope, long[] starts, BlockScorer scorer, BlockVisitor visitor) {
    for (int b = 0; b + 1 < starts.length; b++) {
      try (NDManager step = scope.newSubManager()) {
        prepared.tempAttach(step);
        long g = starts[b];
        long gEnd = starts[b + 1];
        FloatBuffer scores = scorer.scores(b, g, gEnd, step).toByteBuffer(true).asFloatBuffer();
        visitor.visit(scores, g, gEnd, (int) (gEnd - g));
      }
    }
  }

  /**
   * Rows of a matrix, read back in one gather.
   *
   * @param matrix [n, d] float32
   * @param indices the rows, each in [0, n)
   * @return indices.length × d values, row after row, in the order of {@code indices}
   */
  static float[] gather(NDArray matrix, long[] indices) {
    try (NDManager scope = matrix.getManager().newSubManager()) {
      NDArray index = scope.create(indices);
      NDArray view = matrix.stopGradient();
      view.attach(scope);
      return view.get(index).toFloatArray();
    }
  }
}
