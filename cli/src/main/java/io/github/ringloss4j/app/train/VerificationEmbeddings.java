package io.github.ringloss4j.app.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import io.github.ringloss4j.app.data.ImageSpec;
import io.github.ringloss4j.app.data.InputNormalization;
import io.github.ringloss4j.app.data.VerificationBin;
import io.github.ringloss4j.app.data.VerificationImages;
import io.github.ringloss4j.app.io.DataFormatException;
import io.github.ringloss4j.metrics.InsightFaceVerification;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.IntStream;

/**
 * A verification set ({@code lfw.bin}, …) embedded by a run's embedding network: every image and
 * its mirror image, for InsightFace's protocol ({@link InsightFaceVerification}). Used by {@code
 * train --val} while training ({@link SetValidation}) and by {@code evaluate --bin}.
 *
 * <p>Only the embedding network runs ({@code RingModelBlock.getEmbedding()}): the head's logits,
 * the ring's penalties and norms are not computed, which matters with many identities, and the
 * network runs in inference mode, so that evaluating changes nothing the training depends on.
 * Images are read, decoded and embedded {@value #BATCH_IMAGES} at a time, each forward pass taking
 * the batch's views and their mirror images together; only the embeddings are kept. The
 * preprocessing is the run's own ({@link VerificationImages}).
 *
 * @param plain the embedding of each image, [2N][d], pair i being rows 2i and 2i + 1
 * @param flipped the embedding of each image's mirror image, [2N][d]
 * @param issame whether each pair shows one person, N entries
 * @param preprocessing what was done to the images, for the output
 */
public record VerificationEmbeddings(
    float[][] plain, float[][] flipped, boolean[] issame, String preprocessing) {

  /** Images per forward pass (twice as many rows with their mirror images). */
  public static final int BATCH_IMAGES = 32;

  /**
   * Reads a set and checks that InsightFace's protocol can score it.
   *
   * @param file the {@code .bin} file
   * @return the set
   * @throws java.nio.file.NoSuchFileException if the file does not exist
   * @throws DataFormatException naming the file when it is malformed or has fewer pairs than folds
   * @throws IOException if it cannot be read
   */
  public static VerificationBin readSet(Path file) throws IOException {
    VerificationBin bin = VerificationBin.read(file);
    if (bin.pairCount() < InsightFaceVerification.FOLDS) {
      throw new DataFormatException(
          file,
          "holds "
              + bin.pairCount()
              + " pairs; InsightFace's protocol needs at least "
              + InsightFaceVerification.FOLDS
              + " (one per fold)");
    }
    return bin;
  }

  /** Embeds every image of a set. */
  @FunctionalInterface
  public interface SetEmbedder {
    /**
     * Embeds every image of a set.
     *
     * @param bin the set
     * @return its embeddings, a row per image
     * @throws IOException naming the file and the image when one cannot be decoded
     */
    VerificationEmbeddings embed(VerificationBin bin) throws IOException;
  }

  /**
   * A set's embeddings with each distinct image decoded and embedded once ({@link
   * VerificationBin#firstOccurrences}), a repeated image getting its first occurrence's rows: the
   * work is bounded by the distinct images, not by the pairs, which a pickle's memo can make
   * 100,000 of one image in 400 KB.
   *
   * @param bin the set
   * @param embedder embeds every image of a set
   * @return the embeddings of every image of {@code bin}, with its flags
   * @throws IOException as the embedder
   */
  public static VerificationEmbeddings distinct(VerificationBin bin, SetEmbedder embedder)
      throws IOException {
    int[] first = bin.firstOccurrences();
    int[] distinct = IntStream.range(0, first.length).filter(i -> first[i] == i).toArray();
    if (distinct.length == first.length) {
      return embedder.embed(bin);
    }
    VerificationEmbeddings once = embedder.embed(bin.images(distinct));
    int[] row = new int[first.length];
    for (int k = 0; k < distinct.length; k++) {
      row[distinct[k]] = k;
    }
    float[][] plain = new float[first.length][];
    float[][] flipped = new float[first.length][];
    for (int i = 0; i < first.length; i++) {
      plain[i] = once.plain()[row[first[i]]];
      flipped[i] = once.flipped()[row[first[i]]];
    }
    return new VerificationEmbeddings(plain, flipped, bin.issame(), once.preprocessing());
  }

  /**
   * Embeds every image of a set and its mirror image, each distinct image once ({@link #distinct}).
   *
   * @param bin the set
   * @param embedding the embedding network, e.g. {@code RingModelBlock.getEmbedding()}
   * @param manager where the batches are created (and on which device they run)
   * @param spec the run's input shape
   * @param input the run's input normalisation
   * @return the embeddings
   * @throws IOException naming the file and the image when an image cannot be decoded
   */
  public static VerificationEmbeddings of(
      VerificationBin bin,
      Block embedding,
      NDManager manager,
      ImageSpec spec,
      InputNormalization input)
      throws IOException {
    return distinct(bin, set -> everyImage(set, embedding, manager, spec, input));
  }

  private static VerificationEmbeddings everyImage(
      VerificationBin bin,
      Block embedding,
      NDManager manager,
      ImageSpec spec,
      InputNormalization input)
      throws IOException {
    VerificationImages images = new VerificationImages(bin, spec, input);
    int n = images.count();
    int item = spec.size();
    float[][] plain = new float[n][];
    float[][] flipped = new float[n][];
    // Rows [0, size) are the views, rows [size, 2·size) their mirror images.
    float[] batch = new float[2 * BATCH_IMAGES * item];
    float[] mirrors = new float[BATCH_IMAGES * item];
    for (int from = 0; from < n; from += BATCH_IMAGES) {
      int size = Math.min(BATCH_IMAGES, n - from);
      for (int i = 0; i < size; i++) {
        images.read(from + i, batch, mirrors, i * item);
      }
      System.arraycopy(mirrors, 0, batch, size * item, size * item);
      float[] f = forward(embedding, manager, batch, 2 * size, spec);
      int d = f.length / (2 * size);
      for (int i = 0; i < size; i++) {
        plain[from + i] = Arrays.copyOfRange(f, i * d, (i + 1) * d);
        flipped[from + i] = Arrays.copyOfRange(f, (size + i) * d, (size + i + 1) * d);
      }
    }
    return new VerificationEmbeddings(plain, flipped, bin.issame(), images.preprocessing());
  }

  private static float[] forward(
      Block embedding, NDManager manager, float[] batch, int rows, ImageSpec spec) {
    try (NDManager scope = manager.newSubManager()) {
      NDArray x =
          scope.create(
              rows == batch.length / spec.size() ? batch : Arrays.copyOf(batch, rows * spec.size()),
              new Shape(rows, spec.channels(), spec.height(), spec.width()));
      NDList out = embedding.forward(new ParameterStore(scope, false), new NDList(x), false);
      return out.head().toType(DataType.FLOAT32, false).toFloatArray();
    }
  }

  /**
   * Whether every component is finite; InsightFace's protocol cannot score the set otherwise.
   *
   * @return true when no embedding holds a NaN or an infinity
   */
  public boolean finite() {
    return finite(plain) && finite(flipped);
  }

  private static boolean finite(float[][] rows) {
    for (float[] row : rows) {
      for (float v : row) {
        if (!Float.isFinite(v)) {
          return false;
        }
      }
    }
    return true;
  }

  /**
   * InsightFace's fused embeddings: each image's and its mirror image's summed and L2-normalised.
   *
   * @return [2N][d] unit rows
   * @throws IllegalArgumentException if an embedding is not finite, see {@link #finite}
   */
  public double[][] fused() {
    return InsightFaceVerification.fuseFlips(plain, flipped);
  }

  /**
   * InsightFace's protocol on the fused embeddings: 10 folds in file order, the best threshold of
   * the other nine, mean ± population standard deviation of the fold accuracies.
   *
   * @return the protocol's result
   * @throws IllegalArgumentException if an embedding is not finite or the set has fewer than 10
   *     pairs
   */
  public InsightFaceVerification.Result protocol() {
    return InsightFaceVerification.evaluate(fused(), issame);
  }

  /**
   * A set's short name, its file name without {@code .bin}: {@code lfw}, {@code cfp_fp}; any
   * character other than a letter, digit, {@code _} or {@code -} becomes {@code _}, so that it can
   * name a metrics column ({@code val_lfw_acc}).
   *
   * @param file the set's file
   * @return the name
   */
  public static String name(Path file) {
    String name = file.getFileName().toString();
    if (name.toLowerCase(Locale.ROOT).endsWith(".bin")) {
      name = name.substring(0, name.length() - 4);
    }
    return name.isEmpty() ? "_" : name.replaceAll("[^A-Za-z0-9_-]", "_");
  }
}
