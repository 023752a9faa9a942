package io.github.ringloss4j.app.eval;

import io.github.ringloss4j.app.io.CsvStream;
import io.github.ringloss4j.app.io.NpyStream;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The files {@code ringloss embed} writes, filled batch by batch as a {@link Embedder.Sink}: {@code
 * embeddings.csv} (source, label, norm, raw vector, L2-normalised vector), {@code embeddings.npy}
 * and {@code embeddings_normalized.npy} (float32, [n, d]), {@code norms.npy} (float32, [n]) and
 * {@code labels.npy} (int64, [n]).
 *
 * <p>Nothing per item is kept, so a corpus of any size embeds in the memory of one batch (holding
 * 200,000 rows as CSV text took more than 4 GiB of heap). The count n is declared up front (the
 * {@code .npy} headers come first) and d is read off the first batch. Each file is written to a
 * temporary file and renamed over its target only when all five are complete ({@link #commit}), so
 * a failure or a kill midway leaves any earlier output as it was.
 */
public final class EmbeddingFiles implements Embedder.Sink, AutoCloseable {

  /** The files, in the order they are committed. */
  public static final List<String> FILES =
      List.of(
          "embeddings.csv",
          "embeddings.npy",
          "embeddings_normalized.npy",
          "norms.npy",
          "labels.npy");

  private final Path out;
  private final int count;
  private final boolean outExisted;
  private boolean committed;
  private int dim = -1;
  private long written;
  private CsvStream csv;
  private NpyStream raw;
  private NpyStream unit;
  private NpyStream norms;
  private NpyStream labels;

  /**
   * Output for a known number of rows.
   *
   * @param out the directory
   * @param count the rows that will arrive
   */
  public EmbeddingFiles(Path out, int count) {
    this.out = out;
    this.count = count;
    this.outExisted = Files.isDirectory(out);
  }

  private void open(int d) throws IOException {
    dim = d;
    List<String> header = new ArrayList<>(List.of("source", "label", "norm"));
    for (int j = 0; j < d; j++) {
      header.add("f" + j);
    }
    for (int j = 0; j < d; j++) {
      header.add("u" + j);
    }
    csv = CsvStream.open(out.resolve(FILES.get(0)), header);
    raw = NpyStream.float32(out.resolve(FILES.get(1)), count, d);
    unit = NpyStream.float32(out.resolve(FILES.get(2)), count, d);
    norms = NpyStream.float32(out.resolve(FILES.get(3)), count);
    labels = NpyStream.int64(out.resolve(FILES.get(4)), count);
  }

  @Override
  public void accept(Embedder.Rows rows) throws IOException {
    if (dim < 0) {
      open(rows.dim());
    } else if (rows.dim() != dim) {
      throw new IllegalStateException(
          "embedding dimension changed from " + dim + " to " + rows.dim() + " at row " + written);
    }
    float[] u = new float[dim];
    List<String> fields = new ArrayList<>(3 + 2 * dim);
    for (int i = 0; i < rows.size(); i++) {
      int at = i * dim;
      double s = 0;
      for (int j = 0; j < dim; j++) {
        double v = rows.features()[at + j];
        s += v * v;
      }
      // L2-normalised in double; a zero vector stays zero.
      double inv = s > 0 ? 1 / Math.sqrt(s) : 0;
      for (int j = 0; j < dim; j++) {
        u[j] = (float) (rows.features()[at + j] * inv);
      }
      fields.clear();
      fields.add(rows.sources()[i]);
      fields.add(Integer.toString(rows.labels()[i]));
      fields.add(Float.toString(rows.norms()[i]));
      for (int j = 0; j < dim; j++) {
        fields.add(Float.toString(rows.features()[at + j]));
      }
      for (float v : u) {
        fields.add(Float.toString(v));
      }
      csv.row(fields);
      raw.putFloats(rows.features(), at, dim);
      unit.putFloats(u, 0, dim);
      norms.putFloats(rows.norms(), i, 1);
      labels.putLong(rows.labels()[i]);
    }
    written += rows.size();
  }

  /**
   * The rows written so far.
   *
   * @return the count
   */
  public long written() {
    return written;
  }

  /**
   * The embedding's dimension, once the first rows have arrived.
   *
   * @return d, or 0 before any row
   */
  public int dimension() {
    return Math.max(dim, 0);
  }

  /**
   * Renames the five complete files over their targets.
   *
   * @throws IllegalStateException if fewer rows arrived than declared; nothing is replaced then
   * @throws IOException if writing fails
   */
  public void commit() throws IOException {
    if (dim < 0) {
      open(0);
    }
    if (written != count) {
      throw new IllegalStateException(
          out + ": " + written + " rows embedded, " + count + " were declared");
    }
    csv.commit();
    raw.commit();
    unit.commit();
    norms.commit();
    labels.commit();
    committed = true;
  }

  /**
   * Deletes what was not committed, and OUT itself when this output created it and it is empty: a
   * failed run leaves nothing behind.
   *
   * @throws IOException if a temporary file cannot be deleted
   */
  @Override
  public void close() throws IOException {
    IOException first = null;
    for (Closeable c : new Closeable[] {csv, raw, unit, norms, labels}) {
      try {
        if (c != null) {
          c.close();
        }
      } catch (IOException e) {
        if (first == null) {
          first = e;
        } else {
          first.addSuppressed(e);
        }
      }
    }
    if (!committed && !outExisted) {
      try {
        Files.deleteIfExists(out);
      } catch (DirectoryNotEmptyException e) {
        // Something else was put there meanwhile: not ours to remove.
      }
    }
    if (first != null) {
      throw first;
    }
  }
}
