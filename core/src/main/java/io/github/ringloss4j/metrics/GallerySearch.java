package io.github.ringloss4j.metrics;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * 1:N search over a gallery of enrolled identities, whatever holds it: {@link Gallery} (exact
 * search in engine memory) or {@link LuceneGallery} (Lucene's HNSW vector index, an approximate
 * shortlist re-scored exactly). A service picks one and searches through this interface.
 *
 * <p>Both report the <b>exact</b> cosine ({@link Similarity#COSINE}, in double from the stored
 * float32 unit templates) of every match they return, in the order score descending, then gallery
 * index ascending (enrolment order among the current identities); they can differ only in which
 * identities they find (the recall of an approximate search).
 */
public interface GallerySearch extends AutoCloseable {

  /**
   * The number of identities n.
   *
   * @return n
   */
  int size();

  /**
   * The embedding dimension d.
   *
   * @return d
   */
  int dimension();

  /**
   * The names, in gallery (enrolment) order: {@link Gallery.Match#index} indexes this list.
   *
   * @return an unmodifiable list
   */
  List<String> names();

  /**
   * The index of an identity.
   *
   * @param name the name
   * @return its index, or −1 when it is not enrolled
   */
  int indexOf(String name);

  /**
   * The top-k of each probe, best first.
   *
   * @param probes the probes' embeddings, each d finite values (any norm)
   * @param k how many matches per probe, at least 1; min(k, n) are returned
   * @return per probe, the matches, best first
   * @throws IllegalArgumentException naming the probe row or k
   */
  List<List<Gallery.Match>> search(float[][] probes, int k);

  /**
   * The top-k of one probe, best first.
   *
   * @param probe the probe's embedding, d finite values (any norm)
   * @param k how many matches, at least 1; min(k, n) are returned
   * @return the matches, best first
   * @throws IllegalArgumentException naming the probe or k
   */
  default List<Gallery.Match> search(float[] probe, int k) {
    return search(new float[][] {probe}, k).get(0);
  }

  /**
   * Open-set identification of one probe: its top-k and whether the best is accepted.
   *
   * @param probe the probe's embedding, d finite values
   * @param k how many candidates to return, at least 1
   * @param threshold the open-set threshold, e.g. from {@link OpenSetThreshold#calibrate}; not NaN
   * @return the candidates and the decision
   * @throws IllegalArgumentException naming the probe, k or the threshold
   */
  default Gallery.Decision identify(float[] probe, int k, double threshold) {
    checkThreshold(threshold);
    return new Gallery.Decision(search(probe, k), threshold);
  }

  /**
   * Open-set identification of many probes in one batched search ({@link #search(float[][], int)}):
   * the same decisions as {@link #identify(float[], int, double)} one probe at a time.
   *
   * @param probes the probes' embeddings, each d finite values
   * @param k how many candidates to return per probe, at least 1
   * @param threshold the open-set threshold, e.g. from {@link OpenSetThreshold#calibrate}; not NaN
   * @return one decision per probe, in the probes' order
   * @throws IllegalArgumentException naming the probe row, k or the threshold
   */
  default List<Gallery.Decision> identify(float[][] probes, int k, double threshold) {
    checkThreshold(threshold);
    List<List<Gallery.Match>> found = search(probes, k);
    List<Gallery.Decision> out = new ArrayList<>(found.size());
    for (List<Gallery.Match> candidates : found) {
      out.add(new Gallery.Decision(candidates, threshold));
    }
    return out;
  }

  /**
   * Frees what the gallery holds (engine memory, open index files).
   *
   * @throws IOException if closing the index fails
   */
  @Override
  void close() throws IOException;

  private static void checkThreshold(double threshold) {
    if (Double.isNaN(threshold)) {
      throw new IllegalArgumentException("threshold must be a number, got NaN");
    }
  }
}
