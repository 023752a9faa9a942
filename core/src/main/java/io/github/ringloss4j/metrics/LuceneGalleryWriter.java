package io.github.ringloss4j.metrics;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.LogByteSizeMergePolicy;
import org.apache.lucene.index.SerialMergeScheduler;
import org.apache.lucene.index.Term;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;

/**
 * Adds and removes identities of a {@link LuceneGallery} index; {@link #commit} makes the changes
 * visible at once, and closing without a commit drops them.
 */
public final class LuceneGalleryWriter implements AutoCloseable {
  private final Path path;
  private final Directory directory;
  private final IndexWriter writer;
  private final int dimension;
  private final LuceneGallery.Hnsw hnsw;
  private final Set<String> present;
  private Map<String, String> userData;

  LuceneGalleryWriter(
      Path path,
      int dimension,
      LuceneGallery.Hnsw hnsw,
      Set<String> present,
      Map<String, String> userData)
      throws IOException {
    this.path = path;
    this.dimension = dimension;
    this.hnsw = hnsw;
    this.present = present;
    this.userData = userData;
    this.directory = FSDirectory.open(path);
    IndexWriterConfig config =
        new IndexWriterConfig()
            .setOpenMode(IndexWriterConfig.OpenMode.CREATE_OR_APPEND)
            .setCodec(LuceneGallery.codec(hnsw))
            // Neighbours only: document order stays enrolment order.
            .setMergePolicy(new LogByteSizeMergePolicy())
            .setMergeScheduler(new SerialMergeScheduler())
            .setRAMBufferSizeMB(256)
            .setCommitOnClose(false);
    try {
      this.writer = new IndexWriter(directory, config);
    } catch (IOException | RuntimeException e) {
      directory.close();
      throw e;
    }
  }

  /**
   * The number of identities once the changes are committed.
   *
   * @return n
   */
  public int size() {
    return present.size();
  }

  /**
   * Whether an identity is present (enrolled, or added and not removed).
   *
   * @param name the name
   * @return true if present
   */
  public boolean contains(String name) {
    return present.contains(name);
  }

  /**
   * Adds an identity.
   *
   * @param name its name, non-empty and not present
   * @param embedding its embedding, d finite values, not all zero (stored by {@link Gallery}'s
   *     rule)
   * @return this writer
   * @throws IllegalArgumentException naming the identity when the name is empty or taken, or the
   *     embedding has another dimension, is not finite or is zero
   * @throws IOException if writing fails
   */
  public LuceneGalleryWriter add(String name, float[] embedding) throws IOException {
    Checks.notNull(name, "name");
    String what = "identity '" + name + "'";
    if (name.isEmpty()) {
      throw new IllegalArgumentException("identity '': the name must not be empty");
    }
    float[] unit = Gallery.unitRow(embedding, dimension, what);
    if (present.contains(name)) {
      throw new IllegalArgumentException(what + ": the name is already enrolled");
    }
    Document doc = new Document();
    doc.add(new StringField(LuceneGallery.NAME, name, Field.Store.YES));
    doc.add(
        new KnnFloatVectorField(
            LuceneGallery.TEMPLATE, unit, VectorSimilarityFunction.DOT_PRODUCT));
    writer.addDocument(doc);
    present.add(name);
    return this;
  }

  /**
   * Removes an identity.
   *
   * @param name its name
   * @return this writer
   * @throws IllegalArgumentException if it is not present
   * @throws IOException if writing fails
   */
  public LuceneGalleryWriter remove(String name) throws IOException {
    Checks.notNull(name, "name");
    if (!present.remove(name)) {
      throw new IllegalArgumentException("identity '" + name + "' is not enrolled in " + path);
    }
    writer.deleteDocuments(new Term(LuceneGallery.NAME, name));
    return this;
  }

  /**
   * Commits the changes atomically, keeping the metadata of the previous commit.
   *
   * @throws IllegalStateException if no identity would be left
   * @throws IOException if writing fails; the previous commit then stays
   */
  public void commit() throws IOException {
    commit(userData);
  }

  /**
   * Commits the changes atomically with new metadata, which replaces the previous commit's.
   *
   * @param metadata the caller's keys and values, none starting with {@value
   *     LuceneGallery#RESERVED_PREFIX}
   * @throws IllegalArgumentException if a key is reserved
   * @throws IllegalStateException if no identity would be left
   * @throws IOException if writing fails; the previous commit then stays
   */
  public void commit(Map<String, String> metadata) throws IOException {
    Checks.notNull(metadata, "metadata");
    for (String key : metadata.keySet()) {
      if (key.startsWith(LuceneGallery.RESERVED_PREFIX)) {
        throw new IllegalArgumentException(
            "metadata key '"
                + key
                + "' is reserved (prefix "
                + LuceneGallery.RESERVED_PREFIX
                + ")");
      }
    }
    if (present.isEmpty()) {
      throw new IllegalStateException(
          "a gallery needs at least one identity: the commit would leave " + path + " empty");
    }
    writer.setLiveCommitData(commitData(metadata).entrySet());
    writer.commit();
    userData = Map.copyOf(metadata);
  }

  /**
   * A gallery that sees this writer's changes, committed or not (Lucene's near-real-time reader):
   * to search what is being enrolled, for instance to calibrate a threshold before the commit.
   *
   * @param shortlist k', as {@link LuceneGallery#open(Path, int)}
   * @return the gallery; close it before this writer
   * @throws IllegalStateException if no identity is present
   * @throws IOException if the index cannot be read
   */
  public LuceneGallery view(int shortlist) throws IOException {
    Checks.atLeast(shortlist, "shortlist", 1);
    if (present.isEmpty()) {
      throw new IllegalStateException("no identity to search in " + path);
    }
    DirectoryReader reader = DirectoryReader.open(writer);
    try {
      return new LuceneGallery(path, null, reader, commitData(userData), shortlist);
    } catch (IOException | RuntimeException e) {
      reader.close();
      throw e;
    }
  }

  /** This class's keys with the caller's metadata. */
  private Map<String, String> commitData(Map<String, String> metadata) {
    Map<String, String> data = new HashMap<>(metadata);
    data.put(LuceneGallery.KEY_DIMENSION, Integer.toString(dimension));
    data.put(LuceneGallery.KEY_MAX_CONN, Integer.toString(hnsw.maxConn()));
    data.put(LuceneGallery.KEY_BEAM_WIDTH, Integer.toString(hnsw.beamWidth()));
    return data;
  }

  /** Writes the pending documents to segment files without committing them (for tests). */
  void flush() throws IOException {
    writer.flush();
  }

  /**
   * Closes the writer, dropping the changes made since the last commit.
   *
   * @throws IOException if closing fails
   */
  @Override
  public void close() throws IOException {
    try (directory) {
      writer.rollback();
    }
  }
}
