package io.github.ringloss4j.metrics;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.lucene.codecs.Codec;
import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.lucene912.Lucene912Codec;
import org.apache.lucene.codecs.lucene99.Lucene99HnswVectorsFormat;
import org.apache.lucene.index.CorruptIndexException;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.FieldInfo;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.index.VectorEncoding;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.util.Bits;

/**
 * A gallery in a Lucene index directory, searched through Lucene's HNSW vector graph: an
 * approximate shortlist, <b>re-scored exactly</b>, so that every reported score is the exact one
 * and only recall can differ from {@link Gallery}'s exact search.
 *
 * <p><b>Layout.</b> One Lucene document per identity: its name (a {@code StringField}, stored and
 * indexed, so that it can be removed by name) and its unit template (a {@code KnnFloatVectorField}
 * with {@code DOT_PRODUCT}, which for unit vectors ranks as the cosine), stored by {@link
 * Gallery}'s rule (a row unit to float32 precision is kept bit for bit, any other divided by its
 * norm). The HNSW graph is built by {@code Lucene99HnswVectorsFormat} with the {@link Hnsw}
 * parameters, Lucene's defaults unless given. The dimension, the graph parameters and the caller's
 * metadata ({@link LuceneGalleryWriter#commit(Map)}) are stored in the commit's user data, so they
 * change atomically with the identities. Segments are merged only with their neighbours ({@code
 * LogByteSizeMergePolicy}), so document order stays enrolment order: an identity's {@link
 * Gallery.Match#index} is its position in enrolment order among the identities present, as in an
 * exact gallery enrolled with them.
 *
 * <p><b>Search.</b> For each probe, Lucene's {@code KnnFloatVectorQuery} returns a shortlist of k'
 * = max(shortlist, k) identities (default {@value #DEFAULT_SHORTLIST}); each is re-scored in double
 * against its stored float32 template with {@link Similarity#COSINE}, exactly as {@link Gallery}
 * scores it, and the k best are returned in {@link Gallery}'s order (score descending, then index
 * ascending). When k' ≥ n, every identity is re-scored: the search is exact. A zero probe scores 0
 * against every identity and gets the first k, as in {@link Gallery}. Searches may run
 * concurrently.
 *
 * <p><b>Writing.</b> {@link #writer} adds and removes identities; nothing is visible until {@link
 * LuceneGalleryWriter#commit}, which is atomic (Lucene writes the new segments, then a new {@code
 * segments_N} file that names them): a process killed during enrolment, or a writer closed without
 * a commit, leaves the previous commit as it was. One writer at a time (Lucene's {@code
 * write.lock}).
 *
 * <p>The index is untrusted input when opened: the dimension must agree with the vector field's,
 * the field must be float32 {@code DOT_PRODUCT}, every identity must have one template and a
 * distinct non-empty name; Lucene checks its own files' headers and checksums as it opens them.
 */
public final class LuceneGallery implements GallerySearch {

  /** The shortlist k' asked of the HNSW graph by default. */
  public static final int DEFAULT_SHORTLIST = 100;

  /** The largest dimension Lucene's HNSW format indexes. */
  public static final int MAX_DIMENSION = 1024;

  /** The name field. */
  static final String NAME = "name";

  /** The template field. */
  static final String TEMPLATE = "template";

  /** The prefix of the commit user data this class keeps; the caller's keys may not use it. */
  public static final String RESERVED_PREFIX = "ringloss4j.";

  static final String KEY_DIMENSION = RESERVED_PREFIX + "dimension";
  static final String KEY_MAX_CONN = RESERVED_PREFIX + "hnsw.max_conn";
  static final String KEY_BEAM_WIDTH = RESERVED_PREFIX + "hnsw.beam_width";

  /** Best first: the highest score, then the lowest index. */
  private static final Comparator<Gallery.Match> BEST_FIRST =
      Comparator.comparingDouble(Gallery.Match::score)
          .reversed()
          .thenComparingInt(Gallery.Match::index);

  /**
   * The HNSW graph's parameters, as {@code Lucene99HnswVectorsFormat} takes them.
   *
   * @param maxConn M, the neighbours per node, in [1, 512] (Lucene's default 16)
   * @param beamWidth the candidates considered per insertion, in [1, 3200] (Lucene's default 100)
   */
  public record Hnsw(int maxConn, int beamWidth) {

    /** Lucene's defaults: M = 16, beam width 100. */
    public static final Hnsw DEFAULTS =
        new Hnsw(
            Lucene99HnswVectorsFormat.DEFAULT_MAX_CONN,
            Lucene99HnswVectorsFormat.DEFAULT_BEAM_WIDTH);

    /**
     * Checks the ranges.
     *
     * @param maxConn M, in [1, 512]
     * @param beamWidth the beam width, in [1, 3200]
     * @throws IllegalArgumentException naming the parameter
     */
    public Hnsw {
      Checks.atLeast(maxConn, "maxConn", 1);
      Checks.atLeast(beamWidth, "beamWidth", 1);
      if (maxConn > Lucene99HnswVectorsFormat.MAXIMUM_MAX_CONN) {
        throw new IllegalArgumentException(
            "maxConn must be <= "
                + Lucene99HnswVectorsFormat.MAXIMUM_MAX_CONN
                + ", got "
                + maxConn);
      }
      if (beamWidth > Lucene99HnswVectorsFormat.MAXIMUM_BEAM_WIDTH) {
        throw new IllegalArgumentException(
            "beamWidth must be <= "
                + Lucene99HnswVectorsFormat.MAXIMUM_BEAM_WIDTH
                + ", got "
                + beamWidth);
      }
    }
  }

  private final Path path;
  private final Directory directory;
  private final DirectoryReader reader;
  private final IndexSearcher searcher;
  private final int dimension;
  private final Hnsw hnsw;
  private final int shortlist;
  private final Map<String, String> userData;
  private final List<String> names;
  private final Map<String, Integer> indexByName;

  /** Per leaf, the identity index of each document, −1 for a deleted one. */
  private final int[][] indexOfDoc;

  /**
   * A gallery over a reader.
   *
   * @param directory the directory to close with the reader, or null when the caller owns it
   * @param data the commit's user data (this class's keys and the caller's)
   */
  LuceneGallery(
      Path path,
      Directory directory,
      DirectoryReader reader,
      Map<String, String> data,
      int shortlist)
      throws IOException {
    this.path = path;
    this.directory = directory;
    this.reader = reader;
    this.searcher = new IndexSearcher(reader);
    this.shortlist = shortlist;
    this.dimension = intKey(data, KEY_DIMENSION, 1, MAX_DIMENSION);
    this.hnsw =
        new Hnsw(
            intKey(data, KEY_MAX_CONN, 1, Lucene99HnswVectorsFormat.MAXIMUM_MAX_CONN),
            intKey(data, KEY_BEAM_WIDTH, 1, Lucene99HnswVectorsFormat.MAXIMUM_BEAM_WIDTH));
    Map<String, String> own = new HashMap<>();
    data.forEach(
        (k, v) -> {
          if (!k.startsWith(RESERVED_PREFIX)) {
            own.put(k, v);
          }
        });
    this.userData = Collections.unmodifiableMap(own);
    List<String> all = new ArrayList<>();
    Map<String, Integer> byName = new HashMap<>();
    List<LeafReaderContext> leaves = reader.leaves();
    this.indexOfDoc = new int[leaves.size()][];
    for (LeafReaderContext leaf : leaves) {
      int maxDoc = leaf.reader().maxDoc();
      Bits live = leaf.reader().getLiveDocs();
      checkField(leaf);
      boolean[] hasVector = new boolean[maxDoc];
      FloatVectorValues vectors = leaf.reader().getFloatVectorValues(TEMPLATE);
      if (vectors != null) {
        for (int d = vectors.nextDoc(); d != DocIdSetIterator.NO_MORE_DOCS; d = vectors.nextDoc()) {
          hasVector[d] = true;
        }
      }
      StoredFields stored = leaf.reader().storedFields();
      int[] indices = new int[maxDoc];
      for (int d = 0; d < maxDoc; d++) {
        if (live != null && !live.get(d)) {
          indices[d] = -1;
          continue;
        }
        String name = stored.document(d, Set.of(NAME)).get(NAME);
        if (name == null || name.isEmpty() || !hasVector[d]) {
          throw malformed(
              "document " + (leaf.docBase + d) + " has no " + (hasVector[d] ? "name" : "template"));
        }
        Integer before = byName.putIfAbsent(name, all.size());
        if (before != null) {
          throw malformed("the name '" + name + "' is enrolled twice");
        }
        indices[d] = all.size();
        all.add(name);
      }
      indexOfDoc[leaf.ord] = indices;
    }
    if (all.isEmpty()) {
      throw malformed("the index holds no identity");
    }
    this.names = Collections.unmodifiableList(all);
    this.indexByName = byName;
  }

  /**
   * Opens the last commit of a gallery index, with the default shortlist.
   *
   * @param dir the index directory
   * @return the gallery; close it
   * @throws IOException if the directory holds no index (Lucene's {@code IndexNotFoundException}),
   *     the index is malformed ({@code CorruptIndexException} among others) or cannot be read
   */
  public static LuceneGallery open(Path dir) throws IOException {
    return open(dir, DEFAULT_SHORTLIST);
  }

  /**
   * Opens the last commit of a gallery index.
   *
   * @param dir the index directory
   * @param shortlist k', the identities asked of the HNSW graph per probe (at least k is asked)
   * @return the gallery; close it
   * @throws IllegalArgumentException if the shortlist is below 1
   * @throws IOException as {@link #open(Path)}
   */
  public static LuceneGallery open(Path dir, int shortlist) throws IOException {
    Checks.notNull(dir, "dir");
    Checks.atLeast(shortlist, "shortlist", 1);
    Directory directory = FSDirectory.open(dir);
    DirectoryReader reader = null;
    try {
      reader = DirectoryReader.open(directory);
      return new LuceneGallery(
          dir, directory, reader, reader.getIndexCommit().getUserData(), shortlist);
    } catch (IOException | RuntimeException e) {
      try (directory) {
        if (reader != null) {
          reader.close();
        }
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      if (e instanceof IllegalArgumentException || e instanceof IllegalStateException) {
        // Lucene's own complaints about what it reads (an unknown codec, a bad field), for
        // example: the index is malformed.
        throw new CorruptIndexException(e.getMessage(), dir.toString(), e);
      }
      throw e;
    }
  }

  /**
   * A writer that adds identities to the index in {@code dir}, or creates it.
   *
   * @param dir the index directory (created when missing)
   * @param dimension d, in [1, {@value #MAX_DIMENSION}]; an existing index must have it
   * @param hnsw the graph parameters for a new index; for an existing one, null or its own
   * @return the writer; close it (uncommitted changes are then dropped)
   * @throws IllegalArgumentException if d or the graph parameters differ from an existing index's,
   *     naming both
   * @throws IOException as {@link #open(Path)}, or if the index is locked by another writer
   */
  public static LuceneGalleryWriter writer(Path dir, int dimension, Hnsw hnsw) throws IOException {
    Checks.notNull(dir, "dir");
    Checks.atLeast(dimension, "dimension", 1);
    if (dimension > MAX_DIMENSION) {
      throw new IllegalArgumentException(
          "dimension must be <= " + MAX_DIMENSION + " (Lucene's HNSW format), got " + dimension);
    }
    Set<String> present = new HashSet<>();
    Map<String, String> userData = Map.of();
    Hnsw graph = hnsw == null ? Hnsw.DEFAULTS : hnsw;
    boolean exists;
    try (Directory probe = FSDirectory.open(dir)) {
      exists = DirectoryReader.indexExists(probe);
    }
    if (exists) {
      try (LuceneGallery existing = open(dir)) {
        if (existing.dimension() != dimension) {
          throw new IllegalArgumentException(
              "the index "
                  + dir
                  + " holds d = "
                  + existing.dimension()
                  + ", the identities to add d = "
                  + dimension);
        }
        if (hnsw != null && !hnsw.equals(existing.hnsw())) {
          throw new IllegalArgumentException(
              "the index " + dir + " was built with " + existing.hnsw() + ", not " + hnsw);
        }
        graph = existing.hnsw();
        present.addAll(existing.names());
        userData = existing.userData();
      }
    }
    return new LuceneGalleryWriter(dir, dimension, graph, present, userData);
  }

  /**
   * The HNSW parameters the index was built with.
   *
   * @return M and the beam width
   */
  public Hnsw hnsw() {
    return hnsw;
  }

  /**
   * The shortlist k' asked of the graph per probe.
   *
   * @return k'
   */
  public int shortlist() {
    return shortlist;
  }

  /**
   * The caller's metadata of the commit ({@link LuceneGalleryWriter#commit(Map)}).
   *
   * @return an unmodifiable map
   */
  public Map<String, String> userData() {
    return userData;
  }

  @Override
  public int size() {
    return names.size();
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
   * The top-k of each probe from a shortlist of max({@link #shortlist()}, k), re-scored exactly.
   *
   * @param probes the probes' embeddings, each d finite values (any norm)
   * @param k how many matches per probe, at least 1; min(k, n) are returned
   * @return per probe, the matches, best first
   * @throws IllegalArgumentException naming the probe row or k
   * @throws UncheckedIOException if the index cannot be read
   */
  @Override
  public List<List<Gallery.Match>> search(float[][] probes, int k) {
    return search(probes, k, shortlist);
  }

  /**
   * The top-k of each probe from a shortlist of max(shortlist, k), re-scored exactly.
   *
   * @param probes the probes' embeddings, each d finite values (any norm)
   * @param k how many matches per probe, at least 1; min(k, n) are returned
   * @param shortlist k', at least 1; k' ≥ n searches exactly
   * @return per probe, the matches, best first
   * @throws IllegalArgumentException naming the probe row, k or the shortlist
   * @throws UncheckedIOException if the index cannot be read
   */
  public List<List<Gallery.Match>> search(float[][] probes, int k, int shortlist) {
    Checks.notNull(probes, "probes");
    Checks.atLeast(k, "k", 1);
    Checks.atLeast(shortlist, "shortlist", 1);
    for (int i = 0; i < probes.length; i++) {
      Gallery.checkProbe(probes[i], dimension, "probes[" + i + "]");
    }
    int top = Math.min(k, size());
    int wanted = Math.max(shortlist, top);
    List<List<Gallery.Match>> out = new ArrayList<>(probes.length);
    try {
      for (float[] probe : probes) {
        out.add(searchOne(probe, top, wanted));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(path + ": " + e.getMessage(), e);
    }
    return out;
  }

  private List<Gallery.Match> searchOne(float[] probe, int top, int wanted) throws IOException {
    List<Gallery.Match> scored = new ArrayList<>();
    if (Gallery.isZero(probe)) {
      for (int g = 0; g < top; g++) {
        scored.add(new Gallery.Match(g, names.get(g), 0.0));
      }
      return scored;
    }
    if (wanted >= size()) {
      // The shortlist would hold every identity: score them all, exactly.
      for (LeafReaderContext leaf : reader.leaves()) {
        rescore(probe, leaf, liveDocs(leaf), scored);
      }
    } else {
      float[] unit = Gallery.unitRow(probe, dimension, "probe");
      TopDocs found = searcher.search(new KnnFloatVectorQuery(TEMPLATE, unit, wanted), wanted);
      int[] global = new int[found.scoreDocs.length];
      for (int i = 0; i < global.length; i++) {
        global[i] = found.scoreDocs[i].doc;
      }
      Arrays.sort(global);
      int from = 0;
      for (LeafReaderContext leaf : reader.leaves()) {
        int end = from;
        int limit = leaf.docBase + leaf.reader().maxDoc();
        while (end < global.length && global[end] < limit) {
          end++;
        }
        int[] local = new int[end - from];
        for (int j = 0; j < local.length; j++) {
          local[j] = global[from + j] - leaf.docBase;
        }
        rescore(probe, leaf, local, scored);
        from = end;
      }
    }
    scored.sort(BEST_FIRST);
    return new ArrayList<>(scored.subList(0, Math.min(top, scored.size())));
  }

  /** The live documents of a leaf, in order. */
  private int[] liveDocs(LeafReaderContext leaf) {
    int[] indices = indexOfDoc[leaf.ord];
    int count = 0;
    for (int index : indices) {
      count += index >= 0 ? 1 : 0;
    }
    int[] docs = new int[count];
    int at = 0;
    for (int d = 0; d < indices.length; d++) {
      if (indices[d] >= 0) {
        docs[at++] = d;
      }
    }
    return docs;
  }

  /** Scores the given documents (increasing) of a leaf exactly against their stored templates. */
  private void rescore(float[] probe, LeafReaderContext leaf, int[] docs, List<Gallery.Match> out)
      throws IOException {
    if (docs.length == 0) {
      return;
    }
    FloatVectorValues vectors = leaf.reader().getFloatVectorValues(TEMPLATE);
    int[] indices = indexOfDoc[leaf.ord];
    for (int d : docs) {
      int at = vectors.docID() < d ? vectors.advance(d) : vectors.docID();
      if (at != d) {
        throw malformed("document " + (leaf.docBase + d) + " has no template");
      }
      int index = indices[d];
      out.add(
          new Gallery.Match(
              index, names.get(index), Similarity.COSINE.score(probe, vectors.vectorValue())));
    }
  }

  /** Closes the index. */
  @Override
  public void close() throws IOException {
    if (directory == null) {
      reader.close();
      return;
    }
    try (directory) {
      reader.close();
    }
  }

  private void checkField(LeafReaderContext leaf) throws CorruptIndexException {
    FieldInfo field = leaf.reader().getFieldInfos().fieldInfo(TEMPLATE);
    if (field == null) {
      return; // a segment whose documents are all deleted may lack it; checked per document
    }
    if (field.getVectorDimension() != dimension
        || field.getVectorEncoding() != VectorEncoding.FLOAT32
        || field.getVectorSimilarityFunction() != VectorSimilarityFunction.DOT_PRODUCT) {
      throw malformed(
          "the field '"
              + TEMPLATE
              + "' holds "
              + field.getVectorEncoding()
              + " "
              + field.getVectorSimilarityFunction()
              + " vectors of d = "
              + field.getVectorDimension()
              + ", expected FLOAT32 DOT_PRODUCT of d = "
              + dimension);
    }
  }

  private CorruptIndexException malformed(String message) {
    return new CorruptIndexException(message, path.toString());
  }

  private int intKey(Map<String, String> data, String key, int min, int max)
      throws CorruptIndexException {
    String value = data.get(key);
    if (value == null) {
      throw malformed("the commit has no '" + key + "': not a ringloss4j gallery");
    }
    try {
      int v = Integer.parseInt(value);
      if (v >= min && v <= max) {
        return v;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw malformed(
        "the commit's '"
            + key
            + "' is '"
            + value
            + "', expected an integer in ["
            + min
            + ", "
            + max
            + "]");
  }

  static Codec codec(Hnsw hnsw) {
    KnnVectorsFormat format = new Lucene99HnswVectorsFormat(hnsw.maxConn(), hnsw.beamWidth());
    // Lucene912Codec's name is written to the index, so readers need no codec of ours: the
    // per-field vector format is recorded by name, its parameters only matter when writing.
    return new Lucene912Codec() {
      @Override
      public KnnVectorsFormat getKnnVectorsFormatForField(String field) {
        return format;
      }
    };
  }
}
