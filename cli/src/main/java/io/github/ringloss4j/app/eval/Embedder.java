package io.github.ringloss4j.app.eval;

import ai.djl.Model;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.ParameterStore;
import io.github.ringloss4j.app.data.BatchReader;
import io.github.ringloss4j.app.data.InputNormalization;
import io.github.ringloss4j.app.data.LabelledSource;
import io.github.ringloss4j.app.model.ModelFactory;
import io.github.ringloss4j.app.train.TrainOptions;
import io.github.ringloss4j.nn.RingOutputs;
import java.io.IOException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Runs a trained model in inference mode over a source, in batches, keeping only host arrays. */
public final class Embedder {

  private Embedder() {}

  /**
   * Embeddings, norms, labels and predicted classes of every item.
   *
   * @param features the raw embeddings f, [n][d]
   * @param norms ‖f‖ per item
   * @param labels the true labels
   * @param predicted the softmax head's argmax
   * @param sources where each item came from
   */
  public record Embedded(
      float[][] features, float[] norms, int[] labels, int[] predicted, String[] sources) {

    /**
     * The fraction of items whose predicted class is their label.
     *
     * @return the accuracy
     */
    public double accuracy() {
      int correct = 0;
      for (int i = 0; i < labels.length; i++) {
        correct += labels[i] == predicted[i] ? 1 : 0;
      }
      return labels.length == 0 ? Double.NaN : correct / (double) labels.length;
    }

    /**
     * The accuracy of the model's predictions on data whose classes are matched to the model's by
     * name: evaluation data need not list the training classes in the same order, nor all of them.
     * Without names on either side (unlabelled files) the labels are compared as they are.
     *
     * @param modelClasses the classes the model was trained on, indexed by its labels
     * @param dataClasses the data's classes, indexed by {@link #labels()}
     * @return the accuracy; NaN (not applicable) when some data class is not a training class,
     *     since the model cannot predict it
     */
    public double accuracy(List<String> modelClasses, List<String> dataClasses) {
      if (modelClasses.isEmpty() || dataClasses.isEmpty() || modelClasses.equals(dataClasses)) {
        return accuracy();
      }
      Map<String, Integer> modelLabel = new HashMap<>();
      for (int i = 0; i < modelClasses.size(); i++) {
        modelLabel.put(modelClasses.get(i), i);
      }
      int[] toModel = new int[dataClasses.size()];
      for (int i = 0; i < toModel.length; i++) {
        Integer m = modelLabel.get(dataClasses.get(i));
        if (m == null) {
          return Double.NaN;
        }
        toModel[i] = m;
      }
      int correct = 0;
      for (int i = 0; i < labels.length; i++) {
        correct += toModel[labels[i]] == predicted[i] ? 1 : 0;
      }
      return labels.length == 0 ? Double.NaN : correct / (double) labels.length;
    }
  }

  /**
   * The rows of one forward pass, handed to a {@link Sink} as soon as they are computed.
   *
   * @param first the index of the first row in the whole source
   * @param dim the embedding's dimension d
   * @param features the raw embeddings, row-major, [size × d]
   * @param norms ‖f‖ per row
   * @param labels the true labels (−1 for unlabelled files)
   * @param predicted the softmax head's argmax (−1 without a head)
   * @param sources where each row came from
   */
  public record Rows(
      int first,
      int dim,
      float[] features,
      float[] norms,
      int[] labels,
      int[] predicted,
      String[] sources) {

    /**
     * The number of rows.
     *
     * @return the rows in this pass
     */
    public int size() {
      return norms.length;
    }

    /**
     * One row's raw embedding.
     *
     * @param i the row within this pass
     * @return a copy of its d values
     */
    public float[] feature(int i) {
      return Arrays.copyOfRange(features, i * dim, (i + 1) * dim);
    }
  }

  /** Receives the rows of each forward pass in order, so that nothing per item need be kept. */
  @FunctionalInterface
  public interface Sink {
    /**
     * Takes one forward pass's rows.
     *
     * @param rows the rows
     * @throws IOException if writing them fails
     */
    void accept(Rows rows) throws IOException;
  }

  /** A {@link Sink} that keeps every row, for callers that need them all at once (pairs, plots). */
  public static final class Collector implements Sink {
    private final float[][] features;
    private final float[] norms;
    private final int[] labels;
    private final int[] predicted;
    private final String[] sources;

    /**
     * Room for a source's rows.
     *
     * @param n the number of rows the source has
     */
    public Collector(int n) {
      features = new float[n][];
      norms = new float[n];
      labels = new int[n];
      predicted = new int[n];
      sources = new String[n];
    }

    @Override
    public void accept(Rows rows) {
      for (int i = 0; i < rows.size(); i++) {
        int at = rows.first() + i;
        features[at] = rows.feature(i);
        norms[at] = rows.norms()[i];
        labels[at] = rows.labels()[i];
        predicted[at] = rows.predicted()[i];
        sources[at] = rows.sources()[i];
      }
    }

    /**
     * What was collected.
     *
     * @return the embeddings
     */
    public Embedded embedded() {
      return new Embedded(features, norms, labels, predicted, sources);
    }
  }

  /** The largest batch a run's images are embedded in by default. */
  public static final int MAX_BATCH = 256;

  /**
   * The batch to embed a run's images in: its training batch, at most {@value #MAX_BATCH}. The
   * engine keeps every intermediate array of a forward pass until its batch ends, so memory grows
   * as batch × activations per image: 256 images of 112 × 112 through MobileFaceNet took 22 GB; a
   * batch the run trained at, with its gradients, fits.
   *
   * @param options the run's options
   * @return the batch
   */
  public static int batchFor(TrainOptions options) {
    return Math.min(MAX_BATCH, options.run().batchSize());
  }

  /**
   * Embeds every item of a source, read by the {@link BatchReader} with the default workers.
   *
   * @param model a model from {@code Checkpoint.loadModel}
   * @param input the run's input normalisation ({@link TrainOptions#inputNormalization})
   * @param source the items, values {@code x / 255}
   * @param batchSize items per forward pass
   * @return the embeddings
   * @throws IOException if an item cannot be read
   */
  public static Embedded embed(
      Model model, InputNormalization input, LabelledSource source, int batchSize)
      throws IOException {
    return embed(model, input, source, batchSize, BatchReader.Settings.defaults());
  }

  /**
   * Embeds every item of a source; the items are decoded and normalised on worker threads ahead of
   * the model.
   *
   * @param model a model from {@code Checkpoint.loadModel}
   * @param input the run's input normalisation ({@link TrainOptions#inputNormalization})
   * @param source the items, values {@code x / 255}
   * @param batchSize items per forward pass
   * @param reading the batch reader's workers and read-ahead
   * @return the embeddings
   * @throws IOException if an item cannot be read
   */
  public static Embedded embed(
      Model model,
      InputNormalization input,
      LabelledSource source,
      int batchSize,
      BatchReader.Settings reading)
      throws IOException {
    Collector all = new Collector(source.size());
    embed(model, input, source, batchSize, reading, all);
    return all.embedded();
  }

  /**
   * Embeds every item of a source and hands each forward pass's rows to a sink, keeping nothing per
   * item: memory stays that of one batch however large the source.
   *
   * @param model a model from {@code Checkpoint.loadModel}
   * @param input the run's input normalisation ({@link TrainOptions#inputNormalization})
   * @param source the items, values {@code x / 255}
   * @param batchSize items per forward pass
   * @param reading the batch reader's workers and read-ahead
   * @param sink receives the rows in order
   * @throws IOException if an item cannot be read or the sink fails
   */
  public static void embed(
      Model model,
      InputNormalization input,
      LabelledSource source,
      int batchSize,
      BatchReader.Settings reading,
      Sink sink)
      throws IOException {
    try (BatchReader reader = BatchReader.inOrder(input.applyTo(source), batchSize, reading)) {
      for (int from = 0; reader.hasNext(); ) {
        BatchReader.Batch batch = reader.next();
        int size = batch.size();
        int[] labels = new int[size];
        String[] sources = new String[size];
        for (int i = 0; i < size; i++) {
          labels[i] = source.label(from + i);
          sources[i] = source.sourceOf(from + i);
        }
        float[] f;
        float[] nm;
        long[] arg;
        try (NDManager manager = model.getNDManager().newSubManager()) {
          NDList out =
              model
                  .getBlock()
                  .forward(
                      new ParameterStore(manager, false),
                      new NDList(
                          manager.create(
                              batch.images(), ModelFactory.inputShape(size, source.itemShape()))),
                      false);
          f =
              RingOutputs.get(out, RingOutputs.EMBEDDING)
                  .toType(DataType.FLOAT32, false)
                  .toFloatArray();
          nm =
              RingOutputs.get(out, RingOutputs.NORMS)
                  .toType(DataType.FLOAT32, false)
                  .toFloatArray();
          arg =
              RingOutputs.get(out, RingOutputs.LOGITS)
                  .argMax(1)
                  .toType(DataType.INT64, false)
                  .toLongArray();
        }
        int[] predicted = new int[size];
        for (int i = 0; i < size; i++) {
          predicted[i] = (int) arg[i];
        }
        sink.accept(new Rows(from, f.length / size, f, nm, labels, predicted, sources));
        from += size;
      }
    }
  }
}
