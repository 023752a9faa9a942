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

    /**
     * L2-normalised copies of the embeddings (a zero vector stays zero).
     *
     * @return [n][d]
     */
    public float[][] normalised() {
      float[][] out = new float[features.length][];
      for (int i = 0; i < features.length; i++) {
        double s = 0;
        for (float v : features[i]) {
          s += (double) v * v;
        }
        double inv = s > 0 ? 1 / Math.sqrt(s) : 0;
        out[i] = new float[features[i].length];
        for (int j = 0; j < out[i].length; j++) {
          out[i][j] = (float) (features[i][j] * inv);
        }
      }
      return out;
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
    int n = source.size();
    float[][] features = new float[n][];
    float[] norms = new float[n];
    int[] labels = new int[n];
    int[] predicted = new int[n];
    String[] sources = new String[n];
    try (BatchReader reader = BatchReader.inOrder(input.applyTo(source), batchSize, reading)) {
      for (int from = 0; reader.hasNext(); ) {
        BatchReader.Batch batch = reader.next();
        int size = batch.size();
        for (int i = from; i < from + size; i++) {
          labels[i] = source.label(i);
          sources[i] = source.sourceOf(i);
        }
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
          float[] f =
              RingOutputs.get(out, RingOutputs.EMBEDDING)
                  .toType(DataType.FLOAT32, false)
                  .toFloatArray();
          float[] nm =
              RingOutputs.get(out, RingOutputs.NORMS)
                  .toType(DataType.FLOAT32, false)
                  .toFloatArray();
          long[] arg =
              RingOutputs.get(out, RingOutputs.LOGITS)
                  .argMax(1)
                  .toType(DataType.INT64, false)
                  .toLongArray();
          int d = f.length / size;
          for (int i = 0; i < size; i++) {
            features[from + i] = Arrays.copyOfRange(f, i * d, (i + 1) * d);
            norms[from + i] = nm[i];
            predicted[from + i] = (int) arg[i];
          }
        }
        from += size;
      }
    }
    return new Embedded(features, norms, labels, predicted, sources);
  }
}
