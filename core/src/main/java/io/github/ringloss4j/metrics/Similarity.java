package io.github.ringloss4j.metrics;

/**
 * A similarity score between two embeddings; higher means more likely the same identity.
 *
 * <ul>
 *   <li>{@link #COSINE}: s(a, b) = a·b / (‖a‖₂ ‖b‖₂), defined as 0 when either norm is 0.
 *   <li>{@link #EUCLIDEAN}: s(a, b) = −‖a − b‖₂, negated so that higher is more similar.
 * </ul>
 *
 * <p>Every sum is accumulated in {@code double} from the {@code float} components, in index order.
 * A float squared cannot overflow or underflow a double, so no scaling is needed. The cosine is not
 * clamped to [−1, 1]: rounding can push it past ±1 by an ulp, and clamping would create ties that
 * the exact arithmetic does not have. {@link #scores} produces bit-for-bit the same values as
 * {@link #score}, so chunked and pairwise evaluations agree exactly. Non-finite components give
 * non-finite scores; callers that rank scores should reject them first.
 */
public enum Similarity {
  /** Cosine similarity a·b / (‖a‖‖b‖), 0 when either vector is zero. */
  COSINE,
  /** Negated Euclidean distance −‖a − b‖₂. */
  EUCLIDEAN;

  /**
   * The similarity of two vectors of equal length.
   *
   * @param a the first vector
   * @param b the second vector, of the same length as {@code a}
   * @return the score; higher means more similar
   * @throws IllegalArgumentException if a vector is null or the lengths differ
   */
  public double score(float[] a, float[] b) {
    if (a == null) {
      throw new IllegalArgumentException("a must not be null");
    }
    if (b == null) {
      throw new IllegalArgumentException("b must not be null");
    }
    if (b.length != a.length) {
      throw new IllegalArgumentException(
          "b.length must equal a.length (" + a.length + "), got " + b.length);
    }
    if (this == COSINE) {
      return cosine(dot(a, b), norm(a), norm(b));
    }
    return negatedDistance(a, b);
  }

  /**
   * Scores every query against every gallery vector: {@code out[q][g] = score(queries[q],
   * gallery[g])}. For {@link #COSINE} the norms are computed once per vector rather than once per
   * pair.
   *
   * @param queries the query vectors, all of one dimension d
   * @param gallery the gallery vectors, all of dimension d
   * @param out the destination, {@code queries.length} rows of {@code gallery.length} entries
   * @throws IllegalArgumentException if an argument is null, the dimensions differ, or {@code out}
   *     has the wrong shape
   */
  public void scores(float[][] queries, float[][] gallery, double[][] out) {
    if (queries == null) {
      throw new IllegalArgumentException("queries must not be null");
    }
    if (gallery == null) {
      throw new IllegalArgumentException("gallery must not be null");
    }
    if (out == null) {
      throw new IllegalArgumentException("out must not be null");
    }
    int dimension = -1;
    String dimensionSource = null;
    if (queries.length > 0) {
      dimension = requireVector(queries, "queries", 0, -1, null);
      dimensionSource = "queries[0]";
    } else if (gallery.length > 0) {
      dimension = requireVector(gallery, "gallery", 0, -1, null);
      dimensionSource = "gallery[0]";
    }
    for (int q = 0; q < queries.length; q++) {
      requireVector(queries, "queries", q, dimension, dimensionSource);
    }
    for (int g = 0; g < gallery.length; g++) {
      requireVector(gallery, "gallery", g, dimension, dimensionSource);
    }
    if (out.length != queries.length) {
      throw new IllegalArgumentException(
          "out.length must equal queries.length (" + queries.length + "), got " + out.length);
    }
    for (int q = 0; q < out.length; q++) {
      if (out[q] == null) {
        throw new IllegalArgumentException("out[" + q + "] must not be null");
      }
      if (out[q].length != gallery.length) {
        throw new IllegalArgumentException(
            "out["
                + q
                + "].length must equal gallery.length ("
                + gallery.length
                + "), got "
                + out[q].length);
      }
    }
    scoreRows(queries, 0, queries.length, gallery, galleryNorms(gallery), out);
  }

  /**
   * The norms that {@link #scoreRows} needs for the gallery: the Euclidean norms for {@link
   * #COSINE}, {@code null} for {@link #EUCLIDEAN}, which does not use them. Arguments are trusted.
   */
  double[] galleryNorms(float[][] gallery) {
    if (this != COSINE) {
      return null;
    }
    double[] norms = new double[gallery.length];
    for (int g = 0; g < gallery.length; g++) {
      norms[g] = norm(gallery[g]);
    }
    return norms;
  }

  /**
   * Fills {@code out[q - from][g]} with the score of {@code queries[q]} against {@code gallery[g]}
   * for q in [from, to). Arguments are trusted: the callers validated them.
   */
  void scoreRows(
      float[][] queries,
      int from,
      int to,
      float[][] gallery,
      double[] galleryNorms,
      double[][] out) {
    for (int q = from; q < to; q++) {
      float[] query = queries[q];
      double[] row = out[q - from];
      if (this == COSINE) {
        double queryNorm = norm(query);
        for (int g = 0; g < gallery.length; g++) {
          row[g] = cosine(dot(query, gallery[g]), queryNorm, galleryNorms[g]);
        }
      } else {
        for (int g = 0; g < gallery.length; g++) {
          row[g] = negatedDistance(query, gallery[g]);
        }
      }
    }
  }

  /**
   * Checks that {@code vectors[index]} is non-null and, when {@code dimension >= 0}, has that
   * length; returns its length.
   */
  static int requireVector(
      float[][] vectors, String name, int index, int dimension, String dimensionSource) {
    float[] vector = vectors[index];
    if (vector == null) {
      throw new IllegalArgumentException(name + "[" + index + "] must not be null");
    }
    if (dimension >= 0 && vector.length != dimension) {
      throw new IllegalArgumentException(
          name
              + "["
              + index
              + "].length must equal "
              + dimension
              + " (the length of "
              + dimensionSource
              + "), got "
              + vector.length);
    }
    return vector.length;
  }

  private static double dot(float[] a, float[] b) {
    double sum = 0.0;
    for (int i = 0; i < a.length; i++) {
      sum += (double) a[i] * b[i];
    }
    return sum;
  }

  private static double norm(float[] a) {
    double sum = 0.0;
    for (int i = 0; i < a.length; i++) {
      sum += (double) a[i] * a[i];
    }
    return Math.sqrt(sum);
  }

  private static double cosine(double dot, double normA, double normB) {
    if (normA == 0.0 || normB == 0.0) {
      return 0.0;
    }
    return dot / (normA * normB);
  }

  private static double negatedDistance(float[] a, float[] b) {
    double sum = 0.0;
    for (int i = 0; i < a.length; i++) {
      double d = (double) a[i] - b[i];
      sum += d * d;
    }
    // 0.0 - x rather than -x: identical vectors then score +0.0, not -0.0, which would compare
    // unequal to 0.0 under Double.compare and in boxed equality.
    return 0.0 - Math.sqrt(sum);
  }
}
