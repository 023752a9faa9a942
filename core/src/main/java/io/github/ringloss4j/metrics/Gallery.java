package io.github.ringloss4j.metrics;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;

/**
 * A gallery of enrolled identities for 1:N search: one L2-normalised float32 embedding per
 * identity, with its name, held in engine memory in blocks, and <b>exact top-k search</b> by cosine
 * similarity at the speed of the engine's matrix product.
 *
 * <p><b>Enrolment.</b> An identity's embedding is its {@link #template}: the mean of its images'
 * L2-normalised embeddings, normalised again (each image counts once, whatever its norm). Every row
 * is stored unit-norm: a row given with |‖g‖ − 1| ≤ (d/2 + 2)·2⁻²⁴ (d the dimension) is kept bit
 * for bit, so that saving and loading a gallery is exact; any other row is divided by its norm in
 * double and rounded to float32. A zero row has no direction and is refused, as are duplicate
 * names.
 *
 * <p><b>Search.</b> The score of probe p against row g is {@link Similarity#COSINE}'s, computed in
 * double from the float32 values: s = p·g / (‖p‖‖g‖). The result of {@link #search} is the k rows
 * with the highest s, <b>exactly</b> those of a double-precision brute force over every row, in the
 * order <b>score descending, then gallery index ascending</b> (enrolment order): rows whose exact
 * scores are equal are returned in the order they were enrolled, the only deterministic rule that
 * needs nothing but the gallery. How, with the engine doing the bulk in float32:
 *
 * <ol>
 *   <li>One pass over the gallery's blocks: the engine computes each block of float32 scores s̃ of
 *       the probes (normalised in float32) against the stored rows, and Java scans it in place (a
 *       view of the engine's memory, as in {@link EngineIdentification}). With ε the proven bound
 *       on |s̃ − s| (shared with {@link EngineIdentification}: (4d + 16)·(2⁻²⁴ + 2⁻⁵³), twice the
 *       float32 error of a product of rows that are unit to within (d/2 + 2)·2⁻²⁴), each probe
 *       keeps every row with s̃ ≥ T̃ − 2ε, T̃ being the k-th largest float32 score seen so far.
 *   <li>The kept rows are re-scored exactly in double and the k best taken in the order above.
 * </ol>
 *
 * <p>Why nothing is missed: the k rows with the largest s̃ (all ≥ T̃, the final k-th largest) have
 * s ≥ T̃ − ε, so the k-th largest exact score t_k ≥ T̃ − ε; any row with s ≥ t_k — every row of the
 * exact top k, and every row tied with its last — therefore has s̃ ≥ s − ε ≥ T̃ − 2ε and is kept.
 * The running T̃ only grows during the pass, so a row dropped earlier was below the final cut too.
 * Near-ties below float32's resolution and exact ties are thus always decided on double scores. A
 * zero probe scores exactly 0 against every row (the cosine's definition) and gets the first k rows
 * without a pass; in degenerate galleries (many identical rows) the kept rows of a probe are
 * re-scored in batches as they accumulate, so memory stays bounded.
 *
 * <p><b>Open set.</b> {@link #identify} adds the decision: the best match is the probe's identity
 * when its score reaches the threshold ({@link OpenSetThreshold#accepts}), else the probe is
 * unknown. Calibrate the threshold with {@link OpenSetThreshold#calibrate} on probes of identities
 * that are not enrolled — a 1:1 verification threshold is not an open-set threshold (see there).
 *
 * <p><b>Cost.</b> One float32 product of the probes with the gallery, one Java comparison per
 * score, and a handful of exact re-scorings per probe; memory: the gallery (n·d·4 bytes) plus one
 * block of scores per step (probes × {@link Builder#blockRows} floats: 64 MiB for 1024 probes and
 * the default 16384 rows). Probes are searched {@value #PROBE_CHUNK} at a time.
 *
 * <p>The gallery owns a sub-manager of the manager it was built with; {@link #close} frees its
 * engine memory. Once built it is immutable, and searches may run concurrently from several
 * threads: each works in its own sub-manager and only reads the stored rows.
 */
public final class Gallery implements GallerySearch {

  /** Gallery rows per engine block by default, as {@link EngineIdentification}'s chunks. */
  public static final int DEFAULT_BLOCK_ROWS = EngineIdentification.DEFAULT_GALLERY_CHUNK;

  /** Probes scored together; a block of scores is at most this many rows. */
  public static final int PROBE_CHUNK = EngineIdentification.DEFAULT_PROBE_CHUNK;

  /**
   * Kept rows per probe beyond which they are re-scored at once rather than at the end of the pass
   * (only a gallery with many near-identical rows gets there): bounds the memory of a degenerate
   * search.
   */
  private static final int PENDING_LIMIT = 8192;

  /** Gallery rows read back per engine call for the exact re-scoring. */
  private static final int RESCORE_ROWS = 8192;

  /**
   * One result of a search.
   *
   * @param index the row of the gallery, in enrolment order
   * @param name the identity's name
   * @param score the exact cosine similarity of {@link Similarity#COSINE}
   */
  public record Match(int index, String name, double score) {}

  /**
   * An open-set identification: the top-k candidates and the decision at a threshold.
   *
   * @param candidates the top-k matches, best first
   * @param threshold the threshold the best score was compared with
   */
  public record Decision(List<Match> candidates, double threshold) {

    /**
     * Copies the candidates.
     *
     * @param candidates the top-k matches, best first, at least one
     * @param threshold the threshold
     * @throws IllegalArgumentException if there is no candidate
     */
    public Decision {
      candidates = List.copyOf(candidates);
      if (candidates.isEmpty()) {
        throw new IllegalArgumentException("candidates must hold at least the best match");
      }
    }

    /**
     * The identity: the best match when {@link OpenSetThreshold#accepts} its score, else empty
     * ("unknown").
     *
     * @return the accepted match, or empty
     */
    public Optional<Match> identity() {
      Match best = candidates.get(0);
      return OpenSetThreshold.accepts(best.score(), threshold)
          ? Optional.of(best)
          : Optional.empty();
    }

    /**
     * Whether the probe is judged not enrolled: its best score is below the threshold.
     *
     * @return true for "unknown"
     */
    public boolean isUnknown() {
      return identity().isEmpty();
    }
  }

  private final NDManager manager;
  private final int dimension;
  private final List<String> names;
  private final Map<String, Integer> indexByName;
  private final List<NDArray> blocks;
  private final long[] starts;

  private Gallery(
      NDManager manager,
      int dimension,
      List<String> names,
      Map<String, Integer> indexByName,
      List<NDArray> blocks) {
    this.manager = manager;
    this.dimension = dimension;
    this.names = Collections.unmodifiableList(names);
    this.indexByName = indexByName;
    this.blocks = List.copyOf(blocks);
    this.starts = new long[blocks.size() + 1];
    for (int b = 0; b < blocks.size(); b++) {
      starts[b + 1] = starts[b] + blocks.get(b).getShape().get(0);
    }
  }

  /**
   * The template of one identity: the mean of its images' L2-normalised embeddings, L2-normalised,
   * computed in double. Normalising each image first lets every image count once, whatever its norm
   * (a blurred face has a small one with Ring loss or without).
   *
   * @param imageEmbeddings the embeddings of the identity's images, at least one, all of one
   *     dimension, finite and non-zero
   * @return the unit template, float32
   * @throws IllegalArgumentException if there is no image, a row is zero, not finite or of another
   *     dimension, or the images' directions cancel (a zero mean)
   */
  public static float[] template(float[][] imageEmbeddings) {
    Checks.notNull(imageEmbeddings, "imageEmbeddings");
    if (imageEmbeddings.length == 0) {
      throw new IllegalArgumentException("imageEmbeddings must hold at least one embedding");
    }
    int d = Similarity.requireVector(imageEmbeddings, "imageEmbeddings", 0, -1, null);
    double[] sum = new double[d];
    for (int i = 0; i < imageEmbeddings.length; i++) {
      float[] e = imageEmbeddings[i];
      Similarity.requireVector(imageEmbeddings, "imageEmbeddings", i, d, "imageEmbeddings[0]");
      double norm = norm(e, "imageEmbeddings[" + i + "]");
      for (int j = 0; j < d; j++) {
        sum[j] += e[j] / norm;
      }
    }
    double norm = 0;
    for (double v : sum) {
      norm += v * v;
    }
    norm = Math.sqrt(norm);
    if (norm == 0) {
      throw new IllegalArgumentException(
          "the " + imageEmbeddings.length + " embeddings cancel out: their mean direction is zero");
    }
    float[] out = new float[d];
    for (int j = 0; j < d; j++) {
      out[j] = (float) (sum[j] / norm);
    }
    return out;
  }

  /**
   * A builder that streams rows into engine blocks: the Java heap holds one block at a time.
   *
   * @param manager the manager whose sub-manager will own the gallery
   * @param dimension the embedding dimension d, at least 1
   * @return the builder
   */
  public static Builder builder(NDManager manager, int dimension) {
    return new Builder(manager, dimension);
  }

  /**
   * A gallery of the given rows.
   *
   * @param manager the manager whose sub-manager will own the gallery
   * @param names one name per row, distinct and non-empty
   * @param embeddings one embedding per identity, e.g. {@link #template}s
   * @return the gallery
   * @throws IllegalArgumentException as {@link Builder#add}, naming the row, or if the lengths
   *     differ or there is no row
   */
  public static Gallery of(NDManager manager, List<String> names, float[][] embeddings) {
    Checks.notNull(names, "names");
    Checks.notNull(embeddings, "embeddings");
    Checks.sameLength(names.size(), "names", embeddings.length, "embeddings");
    if (embeddings.length == 0) {
      throw new IllegalArgumentException("embeddings must hold at least one identity");
    }
    int d = Similarity.requireVector(embeddings, "embeddings", 0, -1, null);
    Builder builder = builder(manager, d);
    try {
      for (int i = 0; i < embeddings.length; i++) {
        Similarity.requireVector(embeddings, "embeddings", i, d, "embeddings[0]");
        builder.add(names.get(i), embeddings[i]);
      }
      return builder.build();
    } catch (RuntimeException e) {
      builder.discard();
      throw e;
    }
  }

  /**
   * A gallery of the rows of an engine array, for instance the {@code embeddings.npy} that {@code
   * ringloss enroll} writes, read with DJL's {@code NDList.decode(manager, in)}. The rows are read
   * back block by block; the array is not changed and may be closed afterwards.
   *
   * @param manager the manager whose sub-manager will own the gallery
   * @param names one name per row, distinct and non-empty
   * @param embeddings [n, d] float32, n ≥ 1
   * @return the gallery
   * @throws IllegalArgumentException as {@link Builder#add}, naming the row, or if the shapes
   *     differ
   */
  public static Gallery of(NDManager manager, List<String> names, NDArray embeddings) {
    Checks.notNull(names, "names");
    Checks.notNull(embeddings, "embeddings");
    EngineScores.requireMatrix(embeddings, "embeddings");
    long n = embeddings.getShape().get(0);
    int d = (int) embeddings.getShape().get(1);
    Checks.sameLength(names.size(), "names", (int) n, "embeddings rows");
    if (n == 0) {
      throw new IllegalArgumentException("embeddings must hold at least one identity");
    }
    Builder builder = builder(manager, d);
    try {
      for (long from = 0; from < n; from += DEFAULT_BLOCK_ROWS) {
        long to = Math.min(from + DEFAULT_BLOCK_ROWS, n);
        float[] values;
        try (NDManager scope = embeddings.getManager().newSubManager()) {
          values = EngineScores.rows(embeddings, from, to, scope).toFloatArray();
        }
        for (int r = 0; r < to - from; r++) {
          builder.add(names.get((int) (from + r)), Arrays.copyOfRange(values, r * d, (r + 1) * d));
        }
      }
      return builder.build();
    } catch (RuntimeException e) {
      builder.discard();
      throw e;
    }
  }

  @Override
  public int size() {
    return (int) starts[starts.length - 1];
  }

  @Override
  public int dimension() {
    return dimension;
  }

  @Override
  public List<String> names() {
    return names;
  }

  @Override
  public int indexOf(String name) {
    Integer i = indexByName.get(name);
    return i == null ? -1 : i;
  }

  /**
   * The stored unit rows, copied to the Java heap (n·d floats), e.g. to save them.
   *
   * @return [n][d]
   */
  public float[][] embeddings() {
    float[][] rows = new float[size()][];
    for (int b = 0; b < blocks.size(); b++) {
      float[] values = blocks.get(b).toFloatArray();
      for (int r = 0; r < starts[b + 1] - starts[b]; r++) {
        rows[(int) starts[b] + r] = Arrays.copyOfRange(values, r * dimension, (r + 1) * dimension);
      }
    }
    return rows;
  }

  /**
   * The exact top-k of one probe (see the class comment).
   *
   * @param probe the probe's embedding, d finite values (any norm)
   * @param k how many matches, at least 1; min(k, n) are returned
   * @return the matches, best first
   * @throws IllegalArgumentException naming the probe or k
   */
  @Override
  public List<Match> search(float[] probe, int k) {
    checkProbe(probe, "probe");
    return search(new float[][] {probe}, k).get(0);
  }

  /**
   * The exact top-k of each probe (see the class comment).
   *
   * @param probes the probes' embeddings, each d finite values (any norm)
   * @param k how many matches per probe, at least 1; min(k, n) are returned
   * @return per probe, the matches, best first
   * @throws IllegalArgumentException naming the probe row or k
   */
  @Override
  public List<List<Match>> search(float[][] probes, int k) {
    Checks.notNull(probes, "probes");
    Checks.atLeast(k, "k", 1);
    for (int i = 0; i < probes.length; i++) {
      checkProbe(probes[i], "probes[" + i + "]");
    }
    int top = Math.min(k, size());
    List<List<Match>> out = new ArrayList<>(probes.length);
    for (int start = 0; start < probes.length; start += PROBE_CHUNK) {
      out.addAll(searchChunk(probes, start, Math.min(start + PROBE_CHUNK, probes.length), top));
    }
    return out;
  }

  /** Frees the gallery's engine memory. */
  @Override
  public void close() {
    manager.close();
  }

  private List<List<Match>> searchChunk(float[][] probes, int start, int end, int k) {
    int rows = end - start;
    List<List<Match>> results = new ArrayList<>(Collections.nCopies(rows, List.of()));
    List<Integer> live = new ArrayList<>();
    for (int i = 0; i < rows; i++) {
      if (isZero(probes[start + i])) {
        // Every cosine of a zero vector is exactly 0: the first k rows, in gallery order.
        List<Match> first = new ArrayList<>(k);
        for (int g = 0; g < k; g++) {
          first.add(new Match(g, names.get(g), 0.0));
        }
        results.set(i, first);
      } else {
        live.add(i);
      }
    }
    if (live.isEmpty()) {
      return results;
    }
    Candidates[] candidates = new Candidates[live.size()];
    float[] values = new float[live.size() * dimension];
    float width = (float) (2 * EngineScores.cosineBound(dimension));
    for (int r = 0; r < candidates.length; r++) {
      float[] probe = probes[start + live.get(r)];
      System.arraycopy(probe, 0, values, r * dimension, dimension);
      candidates[r] = new Candidates(probe, k, Math.nextUp(width));
    }
    try (NDManager scope = manager.newSubManager()) {
      NDArray prepared =
          EngineScores.unitRows(scope.create(values, new Shape(candidates.length, dimension)));
      EngineScores.forEachBlock(
          prepared,
          scope,
          starts,
          (block, g, gEnd, step) -> {
            // The transposed view is created in the gallery's manager: move it to the step's.
            NDArray transposed = blocks.get(block).transpose();
            transposed.attach(step);
            return prepared.matMul(transposed);
          },
          (scores, g, gEnd, cols) -> {
            for (int r = 0; r < candidates.length; r++) {
              if (candidates[r].scan(scores, r * cols, cols, g)) {
                rescore(List.of(candidates[r]));
              }
            }
          });
    }
    rescore(Arrays.asList(candidates));
    for (int r = 0; r < candidates.length; r++) {
      results.set(live.get(r), candidates[r].best(names));
    }
    return results;
  }

  /**
   * Re-scores the kept rows of some probes exactly, reading each gallery row back once, {@value
   * #RESCORE_ROWS} rows per engine call, and clears them.
   */
  private void rescore(List<Candidates> probes) {
    long[] union =
        probes.stream()
            .flatMapToLong(c -> Arrays.stream(c.pending, 0, c.size))
            .sorted()
            .distinct()
            .toArray();
    int[] next = new int[probes.size()];
    for (int from = 0; from < union.length; from += RESCORE_ROWS) {
      int to = Math.min(from + RESCORE_ROWS, union.length);
      float[] values = gatherRows(union, from, to);
      long last = union[to - 1];
      for (int p = 0; p < probes.size(); p++) {
        Candidates c = probes.get(p);
        // Each probe's kept rows are in increasing order (scanned so), as is the union.
        while (next[p] < c.size && c.pending[next[p]] <= last) {
          long g = c.pending[next[p]++];
          int at = Arrays.binarySearch(union, from, to, g) - from;
          float[] row = Arrays.copyOfRange(values, at * dimension, (at + 1) * dimension);
          c.offerExact((int) g, Similarity.COSINE.score(c.probe, row));
        }
      }
    }
    for (Candidates c : probes) {
      c.size = 0;
    }
  }

  /** Rows union[from, to) (sorted, distinct) of the gallery, row after row. */
  private float[] gatherRows(long[] union, int from, int to) {
    float[] out = new float[(to - from) * dimension];
    int at = from;
    while (at < to) {
      int block = Arrays.binarySearch(starts, union[at]);
      block = block >= 0 ? block : -block - 2;
      int blockEnd = at;
      while (blockEnd < to && union[blockEnd] < starts[block + 1]) {
        blockEnd++;
      }
      long[] local = new long[blockEnd - at];
      for (int i = 0; i < local.length; i++) {
        local[i] = union[at + i] - starts[block];
      }
      float[] values = EngineScores.gather(blocks.get(block), local);
      System.arraycopy(values, 0, out, (at - from) * dimension, values.length);
      at = blockEnd;
    }
    return out;
  }

  private void checkProbe(float[] probe, String name) {
    checkProbe(probe, dimension, name);
  }

  /**
   * A gallery row as it is stored (see the class comment): the embedding itself when it is unit to
   * float32 precision (kept bit for bit, so that saving and loading is exact), else divided by its
   * norm in double and rounded to float32. Shared with {@link LuceneGallery}, whose rows are stored
   * by the same rule.
   *
   * @param embedding the embedding
   * @param dimension the gallery's d
   * @param what the identity, for messages
   * @return a new unit row
   * @throws IllegalArgumentException naming the identity when the embedding has another dimension,
   *     is not finite or is zero
   */
  static float[] unitRow(float[] embedding, int dimension, String what) {
    Checks.notNull(embedding, "embedding");
    if (embedding.length != dimension) {
      throw new IllegalArgumentException(
          what + ": embedding has " + embedding.length + " values, the gallery " + dimension);
    }
    double norm;
    try {
      norm = norm(embedding, "embedding");
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(what + ": " + e.getMessage(), e);
    }
    if (Math.abs(norm - 1) <= (dimension / 2.0 + 2) * EngineScores.U32) {
      // Already unit to float32 precision (a saved gallery): kept bit for bit.
      return embedding.clone();
    }
    float[] out = new float[dimension];
    for (int j = 0; j < dimension; j++) {
      out[j] = (float) (embedding[j] / norm);
    }
    return out;
  }

  /**
   * Checks a probe against the gallery's dimension.
   *
   * @param probe the probe
   * @param dimension d
   * @param name the probe, for messages
   */
  static void checkProbe(float[] probe, int dimension, String name) {
    if (probe == null) {
      throw new IllegalArgumentException(name + " must not be null");
    }
    if (probe.length != dimension) {
      throw new IllegalArgumentException(
          name
              + " must have the gallery's dimension "
              + dimension
              + ", got "
              + probe.length
              + " values");
    }
    for (int j = 0; j < probe.length; j++) {
      if (!Float.isFinite(probe[j])) {
        throw new IllegalArgumentException(name + "[" + j + "] must be finite, got " + probe[j]);
      }
    }
  }

  static boolean isZero(float[] v) {
    for (float x : v) {
      if (x != 0) {
        return false;
      }
    }
    return true;
  }

  private static double norm(float[] v, String what) {
    double s = 0;
    for (int j = 0; j < v.length; j++) {
      if (!Float.isFinite(v[j])) {
        throw new IllegalArgumentException(what + "[" + j + "] must be finite, got " + v[j]);
      }
      s += (double) v[j] * v[j];
    }
    if (s == 0) {
      throw new IllegalArgumentException(what + " is a zero vector: it has no direction");
    }
    return Math.sqrt(s);
  }

  /**
   * One probe's state during a search: the k largest float32 scores seen (a min-heap, whose top is
   * T̃), the rows kept for the exact re-scoring with their float32 scores, and the exact k best
   * found so far.
   */
  private static final class Candidates {
    /** Worst first: the lowest score, then the highest index. */
    private static final Comparator<Match> WORST_FIRST =
        Comparator.comparingDouble(Match::score)
            .thenComparing(Comparator.comparingInt(Match::index).reversed());

    final float[] probe;
    private final int k;
    private final float width;
    private final float[] heap;
    private int heapSize;
    private float cutoff = Float.NEGATIVE_INFINITY;

    /** The kept rows, in increasing order, and their float32 scores. */
    long[] pending = new long[16];

    private float[] pendingScores = new float[16];
    int size;
    private final PriorityQueue<Match> exact;

    Candidates(float[] probe, int k, float width) {
      this.probe = probe;
      this.k = k;
      this.width = width;
      this.heap = new float[k];
      this.exact = new PriorityQueue<>(k + 1, WORST_FIRST);
    }

    /**
     * Scans this probe's row of a score block; returns true when so many rows are kept that they
     * should be re-scored now. Comparisons in float32, as the scores are.
     */
    boolean scan(FloatBuffer scores, int offset, int cols, long g) {
      float cut = cutoff;
      for (int c = 0; c < cols; c++) {
        float v = scores.get(offset + c);
        if (v >= cut) {
          keep(g + c, v);
          cut = cutoff;
        }
      }
      if (size > PENDING_LIMIT) {
        prune();
        return size > PENDING_LIMIT / 2;
      }
      return false;
    }

    private void keep(long row, float v) {
      if (size == pending.length) {
        prune();
        if (size > pending.length / 2) {
          pending = Arrays.copyOf(pending, 2 * pending.length);
          pendingScores = Arrays.copyOf(pendingScores, 2 * pendingScores.length);
        }
      }
      pending[size] = row;
      pendingScores[size++] = v;
      if (heapSize < k) {
        heap[heapSize] = v;
        siftUp(heapSize++);
        if (heapSize == k) {
          updateCutoff();
        }
      } else if (v > heap[0]) {
        heap[0] = v;
        siftDown(0);
        updateCutoff();
      }
    }

    /** T̃ − 2ε, rounded down to float32 so that no row with s̃ ≥ T̃ − 2ε fails the comparison. */
    private void updateCutoff() {
      double exactCut = (double) heap[0] - width;
      float cut = (float) exactCut;
      cutoff = cut > exactCut ? Math.nextDown(cut) : cut;
    }

    /** Drops the kept rows that are now below the cut (it only rises), keeping the order. */
    private void prune() {
      int w = 0;
      for (int i = 0; i < size; i++) {
        if (pendingScores[i] >= cutoff) {
          pending[w] = pending[i];
          pendingScores[w++] = pendingScores[i];
        }
      }
      size = w;
    }

    /** Offers an exactly re-scored row to the exact k best. */
    void offerExact(int index, double score) {
      exact.add(new Match(index, null, score));
      if (exact.size() > k) {
        exact.poll();
      }
    }

    /** The exact k best, best first, named. */
    List<Match> best(List<String> names) {
      List<Match> out = new ArrayList<>(exact);
      out.sort(WORST_FIRST.reversed());
      List<Match> named = new ArrayList<>(out.size());
      for (Match m : out) {
        named.add(new Match(m.index(), names.get(m.index()), m.score()));
      }
      return named;
    }

    private void siftUp(int i) {
      float v = heap[i];
      while (i > 0) {
        int parent = (i - 1) >>> 1;
        if (heap[parent] <= v) {
          break;
        }
        heap[i] = heap[parent];
        i = parent;
      }
      heap[i] = v;
    }

    private void siftDown(int i) {
      float v = heap[i];
      int half = heapSize >>> 1;
      while (i < half) {
        int child = 2 * i + 1;
        if (child + 1 < heapSize && heap[child + 1] < heap[child]) {
          child++;
        }
        if (heap[child] >= v) {
          break;
        }
        heap[i] = heap[child];
        i = child;
      }
      heap[i] = v;
    }
  }

  /**
   * Streams identities into a gallery: rows are normalised as they come (see the class comment) and
   * moved to the engine {@link #blockRows} at a time.
   */
  public static final class Builder {
    private final NDManager manager;
    private final int dimension;
    private int blockRows = DEFAULT_BLOCK_ROWS;
    private final List<String> names = new ArrayList<>();
    private final Map<String, Integer> indexByName = new HashMap<>();
    private final List<NDArray> blocks = new ArrayList<>();
    private float[] buffer;
    private int buffered;
    private boolean done;

    private Builder(NDManager parent, int dimension) {
      Checks.notNull(parent, "manager");
      Checks.atLeast(dimension, "dimension", 1);
      this.manager = parent.newSubManager();
      this.dimension = dimension;
    }

    /**
     * Gallery rows per engine block (default {@value #DEFAULT_BLOCK_ROWS}); a search holds one
     * block of probes × rows float32 scores at a time.
     *
     * @param rows at least 1
     * @return this builder
     * @throws IllegalStateException once a row was added
     */
    public Builder blockRows(int rows) {
      Checks.atLeast(rows, "blockRows", 1);
      if (!names.isEmpty()) {
        throw new IllegalStateException("blockRows must be set before the first add");
      }
      this.blockRows = rows;
      return this;
    }

    /**
     * Adds an identity.
     *
     * @param name its name, non-empty and not yet enrolled
     * @param embedding its embedding, d finite values, not all zero (normalised here)
     * @return this builder
     * @throws IllegalArgumentException naming the identity when the name is empty or taken, or the
     *     embedding has another dimension, is not finite or is zero
     * @throws IllegalStateException after {@link #build}
     */
    public Builder add(String name, float[] embedding) {
      if (done) {
        throw new IllegalStateException("the gallery was already built");
      }
      Checks.notNull(name, "name");
      Checks.notNull(embedding, "embedding");
      if (name.isEmpty()) {
        throw new IllegalArgumentException(what(name) + ": the name must not be empty");
      }
      float[] unit = unitRow(embedding, dimension, what(name));
      if (indexByName.putIfAbsent(name, names.size()) != null) {
        throw new IllegalArgumentException(
            what(name) + ": the name is already enrolled as identity " + indexByName.get(name));
      }
      if (buffer == null) {
        buffer = new float[blockRows * dimension];
      }
      System.arraycopy(unit, 0, buffer, buffered * dimension, dimension);
      names.add(name);
      if (++buffered == blockRows) {
        flush();
      }
      return this;
    }

    /** The identity being added, for messages. */
    private String what(String name) {
      return "identity " + names.size() + " ('" + name + "')";
    }

    /**
     * The gallery; the builder cannot be used afterwards.
     *
     * @return the gallery
     * @throws IllegalStateException if no identity was added, or on a second call
     */
    public Gallery build() {
      if (done) {
        throw new IllegalStateException("the gallery was already built");
      }
      if (names.isEmpty()) {
        throw new IllegalStateException("a gallery needs at least one identity");
      }
      flush();
      done = true;
      buffer = null;
      return new Gallery(manager, dimension, new ArrayList<>(names), indexByName, blocks);
    }

    /** Frees what was built so far (a failed enrolment). */
    void discard() {
      done = true;
      manager.close();
    }

    private void flush() {
      if (buffered == 0) {
        return;
      }
      float[] values = buffered == blockRows ? buffer : Arrays.copyOf(buffer, buffered * dimension);
      blocks.add(manager.create(values, new Shape(buffered, dimension)));
      buffered = 0;
    }
  }
}
