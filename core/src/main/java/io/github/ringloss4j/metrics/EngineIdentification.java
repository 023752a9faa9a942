package io.github.ringloss4j.metrics;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.github.ringloss4j.internal.Norms;
import io.github.ringloss4j.internal.Scalars;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Closed-set identification of {@link Identification}, scored by the engine: the same ranks, bit
 * for bit, at the speed of the engine's matrix product, for galleries of 10⁵–10⁶ embeddings.
 *
 * <p>{@link Identification#evaluate} scores every pair in double precision on one Java thread,
 * about 1.5 GFLOP/s; the engine's float32 matrix product runs at 50–100 GFLOP/s on two cores
 * ({@code docs/performance.md}). Float32 scores alone would not give the same ranks: near-ties
 * between the best mate and a non-mate can flip. So the engine only decides what it can decide for
 * certain, and the rest is re-scored exactly:
 *
 * <ol>
 *   <li>The best mate's score m. When the probes of a chunk have at most {@value
 *       #MATES_SCORED_IN_JAVA} mates each (a gallery of one or a few samples per identity, the
 *       usual set-up), m is scored exactly in Java from the mates' rows alone. Otherwise a first
 *       pass over the gallery finds m̃, the best float32 score among each probe's mates.
 *   <li>One pass over the gallery in chunks: the engine computes a block of float32 scores s̃,
 *       which is read in place (a view of the engine's memory, no copy) and scanned in Java. With ε
 *       a bound on |s̃ − s| (s the exact double score of {@link Similarity#score}), a non-mate with
 *       s̃ &gt; m + 2ε certainly scores above the best mate and is counted; one with s̃ &lt; m − 2ε
 *       certainly scores below it and is not. The few pairs with |s̃ − m| ≤ 2ε are kept and
 *       re-scored exactly (with m̃, the exact best mate is always among them). The rank is 1 + the
 *       certain count + the re-scored non-mates that count against the exact best mate.
 * </ol>
 *
 * <p><b>Ties.</b> The rank follows {@link Identification}'s pessimistic tie rule, decided by the
 * same code ({@code RankTally.countsAgainst}): a non-mate whose exact score equals the best mate's
 * counts against the probe. Such a non-mate always lies in the band, so the tie is decided on exact
 * scores, never on float32 ones; the pre-filter only decides pairs that are strictly above or below
 * by more than the error bound, where every tie rule agrees. A collapsed model (all embeddings
 * equal) puts every pair in the band and gets the same rank-1 of 0 as the Java path.
 *
 * <p>The bound: cosine scores are dot products of rows normalised in float32, whose error is at
 * most (2d + 8)·u for unit rows (u = 2⁻²⁴, d the dimension; the product's γ_d plus the two
 * normalisations); ε takes twice that, plus the double path's own error ({@code
 * EngineScores.cosineBound}, shared with {@link Gallery}'s top-k search). {@link
 * Similarity#EUCLIDEAN} is ranked by the negated squared distance 2p·g − ‖p‖² − ‖g‖², whose error
 * is bounded the same way relative to ‖p‖² + max‖g‖². With real embeddings the band holds a handful
 * of pairs per probe; a zero probe (all its cosines are 0) puts the whole gallery in it, which
 * stays correct and costs one exact pass.
 *
 * <p>Cost: one matrix product over the gallery (two with many mates per probe), plus one Java
 * comparison per score: about 1.5 times the bare product ({@code docs/performance.md}), against
 * some sixty times for the pure-Java path. Memory: the gallery as given, plus per step one probe
 * chunk × gallery chunk of float32 scores (64 MiB with the default chunks) and one normalised
 * gallery chunk; every temporary lives in a sub-manager closed per step.
 */
public final class EngineIdentification {

  /** Probes scored at once by default: a 1024 × 16384 block of scores is 64 MiB of float32. */
  public static final int DEFAULT_PROBE_CHUNK = 1024;

  /** Gallery rows scored at once by default. */
  public static final int DEFAULT_GALLERY_CHUNK = 16384;

  /**
   * Mates per probe up to which the exact best-mate scores are computed in Java, which saves the
   * engine's first pass over the gallery.
   */
  private static final int MATES_SCORED_IN_JAVA = 64;

  private EngineIdentification() {}

  /**
   * The rank-k identification rates, with default chunk sizes.
   *
   * @param gallery the gallery embeddings, float32 [n, d], finite, n ≥ 1
   * @param galleryLabels the label of each gallery row
   * @param probes the probe embeddings, float32 [p, d], finite
   * @param probeLabels the label of each probe row
   * @param similarity the score; the same definition as {@link Similarity#score}
   * @param ranks the ranks k at which to report the rate, each at least 1
   * @return the same result as {@link Identification#evaluate} on the same embeddings
   * @throws IllegalArgumentException as {@link Identification#evaluate}, naming the argument
   */
  public static Identification.Result evaluate(
      NDArray gallery,
      int[] galleryLabels,
      NDArray probes,
      int[] probeLabels,
      Similarity similarity,
      int[] ranks) {
    return evaluate(
        gallery,
        galleryLabels,
        probes,
        probeLabels,
        similarity,
        ranks,
        DEFAULT_PROBE_CHUNK,
        DEFAULT_GALLERY_CHUNK);
  }

  /**
   * The rank-k identification rates.
   *
   * @param gallery the gallery embeddings, float32 [n, d], finite, n ≥ 1
   * @param galleryLabels the label of each gallery row
   * @param probes the probe embeddings, float32 [p, d], finite
   * @param probeLabels the label of each probe row
   * @param similarity the score; the same definition as {@link Similarity#score}
   * @param ranks the ranks k at which to report the rate, each at least 1
   * @param probeChunk probes scored at once, at least 1
   * @param galleryChunk gallery rows scored at once, at least 1
   * @return the same result as {@link Identification#evaluate} on the same embeddings
   * @throws IllegalArgumentException as {@link Identification#evaluate}, naming the argument
   */
  public static Identification.Result evaluate(
      NDArray gallery,
      int[] galleryLabels,
      NDArray probes,
      int[] probeLabels,
      Similarity similarity,
      int[] ranks,
      int probeChunk,
      int galleryChunk) {
    Checks.notNull(gallery, "gallery");
    Checks.notNull(galleryLabels, "galleryLabels");
    Checks.notNull(probes, "probes");
    Checks.notNull(probeLabels, "probeLabels");
    Checks.notNull(similarity, "similarity");
    Checks.notNull(ranks, "ranks");
    EngineScores.requireMatrix(gallery, "gallery");
    EngineScores.requireMatrix(probes, "probes");
    long n = gallery.getShape().get(0);
    int d = (int) gallery.getShape().get(1);
    if (n == 0) {
      throw new IllegalArgumentException("gallery must not be empty");
    }
    if (probes.getShape().get(1) != d) {
      throw new IllegalArgumentException(
          "probes must have the gallery's dimension " + d + ", got shape " + probes.getShape());
    }
    Checks.sameLength(galleryLabels.length, "galleryLabels", (int) n, "gallery rows");
    int p = (int) probes.getShape().get(0);
    Checks.sameLength(probeLabels.length, "probeLabels", p, "probe rows");
    RankTally tally = new RankTally(ranks);
    Checks.atLeast(probeChunk, "probeChunk", 1);
    Checks.atLeast(galleryChunk, "galleryChunk", 1);
    requireFinite(gallery, "gallery");
    requireFinite(probes, "probes");

    Scorer scorer = new Scorer(gallery, galleryLabels, similarity, galleryChunk);
    for (int start = 0; start < p; start += probeChunk) {
      int end = (int) Math.min((long) start + probeChunk, p);
      long[] chunkRanks = scorer.ranks(probes, probeLabels, start, end);
      for (long rank : chunkRanks) {
        if (rank == 0) {
          tally.skip();
        } else {
          tally.add(rank);
        }
      }
    }
    return tally.result(p);
  }

  private static void requireFinite(NDArray a, String name) {
    try (NDManager scope = a.getManager().newSubManager()) {
      NDArray view = a.stopGradient();
      view.attach(scope);
      // Two reductions and no temporary on the healthy path: a NaN or ∞ anywhere makes the maximum
      // or the minimum NaN or infinite.
      float largest = view.max().getFloat();
      float smallest = view.min().getFloat();
      if (largest <= 1e18f && smallest >= -1e18f) {
        return;
      }
      NDArray bad = view.isNaN().logicalOr(view.isInfinite());
      if (bad.any().getBoolean()) {
        long[] where = bad.nonzero().get(0).toLongArray();
        throw new IllegalArgumentException(
            name + "[" + where[0] + "][" + where[1] + "] must be finite, got a NaN or infinity");
      }
      // 2p·g − ‖p‖² − ‖g‖² must not overflow float32 for the Euclidean score.
      throw new IllegalArgumentException(
          name
              + " has a component above 1e18 in magnitude, beyond the engine path's float32"
              + " range; use Identification.evaluate");
    }
  }

  /** The passes over one gallery, and the exact re-scoring. */
  private static final class Scorer {
    private final NDArray gallery;
    private final int[] galleryLabels;
    private final Similarity similarity;
    private final int galleryChunk;
    private final long n;
    private final int d;
    private final double galleryMaxSquaredNorm;
    private final RowsByLabel mates;

    Scorer(NDArray gallery, int[] galleryLabels, Similarity similarity, int galleryChunk) {
      this.gallery = gallery;
      this.galleryLabels = galleryLabels;
      this.similarity = similarity;
      this.galleryChunk = galleryChunk;
      this.n = gallery.getShape().get(0);
      this.d = (int) gallery.getShape().get(1);
      double maxSquared = 0;
      if (similarity == Similarity.EUCLIDEAN) {
        try (NDManager scope = gallery.getManager().newSubManager()) {
          NDArray view = gallery.stopGradient();
          view.attach(scope);
          double norm = Norms.rowNorms(view).max().getFloat();
          // the float32 norm may be low by (d/2 + 1)·u relative
          maxSquared = norm * norm * (1 + (d + 4) * EngineScores.U32);
        }
      }
      this.galleryMaxSquaredNorm = maxSquared;
      this.mates = new RowsByLabel(galleryLabels);
    }

    /**
     * The rank of each probe in [start, end), 0 for a probe without a mate in the gallery.
     *
     * @param probes all probes
     * @param probeLabels all probe labels
     * @param start first probe
     * @param end past the last probe
     * @return the ranks
     */
    long[] ranks(NDArray probes, int[] probeLabels, int start, int end) {
      int rows = end - start;
      int[] labels = Arrays.copyOfRange(probeLabels, start, end);
      float[] probeValues;
      double[] exactBest = null;
      long[] certain = new long[rows];
      List<List<Long>> band = new ArrayList<>(rows);
      for (int i = 0; i < rows; i++) {
        band.add(new ArrayList<>());
      }
      try (NDManager scope = probes.getManager().newSubManager()) {
        NDArray chunk = EngineScores.rows(probes, start, end, scope);
        probeValues = chunk.toFloatArray();
        NDArray prepared = prepare(chunk);
        long matePairs = 0;
        for (int label : labels) {
          matePairs += mates.count(label);
        }
        float[] centre;
        if (matePairs <= (long) MATES_SCORED_IN_JAVA * rows) {
          // Few mates (a gallery of one or a few samples per identity, the usual set-up): the
          // exact best mate is scored directly, and one pass over the gallery suffices.
          exactBest = exactBestMates(labels, probeValues);
          centre = new float[rows];
          for (int i = 0; i < rows; i++) {
            centre[i] = (float) engineScale(exactBest[i]);
          }
        } else {
          centre = bestMateOnEngine(prepared, labels, scope);
        }
        float[] high = new float[rows];
        float[] low = new float[rows];
        for (int i = 0; i < rows; i++) {
          // 2ε rounded up; the band edges and every comparison in float32, as the scores are
          float width = Math.nextUp((float) (2 * bound(probeValues, i)));
          boolean skipped = mates.count(labels[i]) == 0;
          high[i] = skipped ? Float.POSITIVE_INFINITY : centre[i] + width;
          low[i] = skipped ? Float.POSITIVE_INFINITY : centre[i] - width;
        }
        boolean collectMates = exactBest == null;
        forEachBlock(
            prepared,
            scope,
            (scores, g, gEnd, cols) -> {
              for (int i = 0; i < rows; i++) {
                classify(
                    scores,
                    i * cols,
                    cols,
                    g,
                    labels[i],
                    high[i],
                    low[i],
                    collectMates,
                    i,
                    certain,
                    band.get(i));
              }
            });
      }
      return exactRanks(labels, probeValues, exactBest, certain, band);
    }

    /**
     * Sorts one probe's scores against one gallery chunk, read straight from the engine's memory:
     * non-mates above the band are counted, pairs in the band kept for exact re-scoring (mates only
     * when the best mate is not yet known exactly). Comparisons in float32, as the engine's would
     * be.
     */
    private void classify(
        FloatBuffer scores,
        int offset,
        int cols,
        long g,
        int label,
        float high,
        float low,
        boolean collectMates,
        int row,
        long[] certain,
        List<Long> band) {
      long count = 0;
      for (int c = 0; c < cols; c++) {
        float v = scores.get(offset + c);
        if (v >= low) {
          int galleryRow = (int) (g + c);
          if (galleryLabels[galleryRow] == label) {
            // a mate never scores above the band: its float score is at most the best mate's
            if (collectMates) {
              band.add((long) galleryRow);
            }
          } else if (v > high) {
            count++;
          } else {
            band.add((long) galleryRow);
          }
        }
      }
      certain[row] += count;
    }

    /**
     * A score of {@link Similarity#score} on the engine's scale: cosines as they are, Euclidean
     * scores −‖p − g‖ as the negated squared distance −‖p − g‖² the engine computes.
     */
    private double engineScale(double score) {
      return similarity == Similarity.COSINE ? score : -score * score;
    }

    /** Step 1 of the class comment, many mates: each probe's best float32 score among them. */
    private float[] bestMateOnEngine(NDArray prepared, int[] labels, NDManager scope) {
      int rows = labels.length;
      float[] best = new float[rows];
      Arrays.fill(best, Float.NEGATIVE_INFINITY);
      int[][] mateRows = new int[rows][];
      for (int i = 0; i < rows; i++) {
        mateRows[i] = mates.rows(labels[i]);
      }
      forEachBlock(
          prepared,
          scope,
          (scores, g, gEnd, cols) -> {
            for (int i = 0; i < rows; i++) {
              for (int m : mateRows[i]) {
                if (m >= g && m < gEnd) {
                  best[i] = Math.max(best[i], scores.get(i * cols + (int) (m - g)));
                }
              }
            }
          });
      return best;
    }

    /**
     * One pass over the gallery in chunks of {@code galleryChunk} rows ({@link
     * EngineScores#forEachBlock}).
     */
    private void forEachBlock(
        NDArray prepared, NDManager scope, EngineScores.BlockVisitor visitor) {
      EngineScores.forEachBlock(
          prepared,
          scope,
          EngineScores.evenStarts(n, galleryChunk),
          (block, g, gEnd, step) -> scores(prepared, g, gEnd, step),
          visitor);
    }

    /** The exact best-mate score of each probe, −∞ for a probe without a mate. */
    private double[] exactBestMates(int[] labels, float[] probeValues) {
      List<List<Long>> wanted = new ArrayList<>();
      for (int label : labels) {
        List<Long> rowsOfLabel = new ArrayList<>();
        for (int g : mates.rows(label)) {
          rowsOfLabel.add((long) g);
        }
        wanted.add(rowsOfLabel);
      }
      Map<Long, float[]> galleryRows = fetchRows(wanted);
      double[] best = new double[labels.length];
      for (int i = 0; i < labels.length; i++) {
        float[] probe = Arrays.copyOfRange(probeValues, i * d, (i + 1) * d);
        best[i] = Double.NEGATIVE_INFINITY;
        for (int g : mates.rows(labels[i])) {
          best[i] = Math.max(best[i], similarity.score(probe, galleryRows.get((long) g)));
        }
      }
      return best;
    }

    /**
     * The band's pairs re-scored with {@link Similarity#score}, and the ranks.
     *
     * @param exactBest each probe's exact best-mate score, or null to take it from the band
     */
    private long[] exactRanks(
        int[] labels,
        float[] probeValues,
        double[] exactBest,
        long[] certain,
        List<List<Long>> band) {
      int rows = labels.length;
      Map<Long, float[]> galleryRows = fetchRows(band);
      long[] result = new long[rows];
      for (int i = 0; i < rows; i++) {
        if (mates.count(labels[i]) == 0) {
          continue; // no mate: skipped
        }
        float[] probe = Arrays.copyOfRange(probeValues, i * d, (i + 1) * d);
        List<Long> candidates = band.get(i);
        double[] exact = new double[candidates.size()];
        double bestMate = exactBest == null ? Double.NEGATIVE_INFINITY : exactBest[i];
        for (int k = 0; k < exact.length; k++) {
          long g = candidates.get(k);
          exact[k] = similarity.score(probe, galleryRows.get(g));
          if (exactBest == null && galleryLabels[(int) g] == labels[i] && exact[k] > bestMate) {
            bestMate = exact[k];
          }
        }
        if (bestMate == Double.NEGATIVE_INFINITY) {
          throw new IllegalStateException(
              "the best mate of probe row "
                  + i
                  + " fell outside the exact re-scoring band; please report this");
        }
        long rank = 1 + certain[i];
        for (int k = 0; k < exact.length; k++) {
          if (galleryLabels[candidates.get(k).intValue()] != labels[i]
              && RankTally.countsAgainst(exact[k], bestMate)) {
            rank++;
          }
        }
        result[i] = rank;
      }
      return result;
    }

    /** The gallery rows the lists name, read back in one gather per chunk of indices. */
    private Map<Long, float[]> fetchRows(List<List<Long>> wanted) {
      long[] indices =
          wanted.stream()
              .flatMap(List::stream)
              .mapToLong(Long::longValue)
              .distinct()
              .sorted()
              .toArray();
      Map<Long, float[]> rows = new HashMap<>();
      for (int from = 0; from < indices.length; from += EngineScores.GATHER_CHUNK) {
        long[] part =
            Arrays.copyOfRange(
                indices, from, Math.min(from + EngineScores.GATHER_CHUNK, indices.length));
        float[] values = EngineScores.gather(gallery, part);
        for (int k = 0; k < part.length; k++) {
          rows.put(part[k], Arrays.copyOfRange(values, k * d, (k + 1) * d));
        }
      }
      return rows;
    }

    /** The probes as the score needs them: unit rows for cosine, as they are for Euclidean. */
    private NDArray prepare(NDArray rows) {
      return similarity == Similarity.COSINE ? EngineScores.unitRows(rows) : rows;
    }

    /**
     * Float32 scores of the prepared probes against gallery rows [g, gEnd), row-major [probes, gEnd
     * − g], owned by {@code step}.
     */
    private NDArray scores(NDArray prepared, long g, long gEnd, NDManager step) {
      NDArray part = EngineScores.rows(gallery, g, gEnd, step);
      if (similarity == Similarity.COSINE) {
        return prepared.matMul(EngineScores.unitRows(part).transpose());
      }
      // −‖p − g‖² = 2p·g − ‖p‖² − ‖g‖²
      NDArray dots = Scalars.mul(prepared.matMul(part.transpose()), 2);
      NDArray probeSquares = prepared.square().sum(new int[] {1}, true);
      NDArray gallerySquares = part.square().sum(new int[] {1}).reshape(1, gEnd - g);
      return dots.sub(probeSquares).sub(gallerySquares);
    }

    /** ε for probe row i: a bound on |float32 score − exact score|, see the class comment. */
    private double bound(float[] probeValues, int i) {
      double factor = EngineScores.cosineBound(d);
      if (similarity == Similarity.COSINE) {
        return factor;
      }
      double squared = 0;
      for (int j = i * d; j < (i + 1) * d; j++) {
        squared += (double) probeValues[j] * probeValues[j];
      }
      return 2 * factor * (squared + galleryMaxSquaredNorm);
    }
  }

  /** The gallery rows of each label: the rows sorted by label, and a binary search. */
  private static final class RowsByLabel {
    private final int[] sortedLabels;
    private final int[] rows;

    RowsByLabel(int[] labels) {
      long[] keys = new long[labels.length];
      for (int i = 0; i < labels.length; i++) {
        // label in the high half, row in the low half: one primitive sort groups the labels
        keys[i] = ((long) labels[i] << 32) | i;
      }
      Arrays.sort(keys);
      sortedLabels = new int[keys.length];
      rows = new int[keys.length];
      for (int i = 0; i < keys.length; i++) {
        sortedLabels[i] = (int) (keys[i] >> 32);
        rows[i] = (int) keys[i];
      }
    }

    int count(int label) {
      return upper(label) - lower(label);
    }

    int[] rows(int label) {
      return Arrays.copyOfRange(rows, lower(label), upper(label));
    }

    private int lower(int label) {
      int lo = 0;
      int hi = sortedLabels.length;
      while (lo < hi) {
        int mid = (lo + hi) >>> 1;
        if (sortedLabels[mid] < label) {
          lo = mid + 1;
        } else {
          hi = mid;
        }
      }
      return lo;
    }

    private int upper(int label) {
      return label == Integer.MAX_VALUE ? sortedLabels.length : lower(label + 1);
    }
  }
}
