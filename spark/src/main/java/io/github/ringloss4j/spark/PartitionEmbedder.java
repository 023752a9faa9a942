package io.github.ringloss4j.spark;

import ai.djl.MalformedModelException;
import ai.djl.inference.Predictor;
import ai.djl.modality.cv.Image;
import ai.djl.modality.cv.ImageFactory;
import ai.djl.repository.zoo.ModelNotFoundException;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.TranslateException;
import io.github.ringloss4j.app.io.DataFormatException;
import io.github.ringloss4j.serving.EmbeddingModels;
import io.github.ringloss4j.serving.EmbeddingNetworks;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.spark.SparkFiles;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Embeds one partition of {@link Corpus#IMAGES} rows into {@link Corpus#EMBEDDINGS} rows: the
 * exported model is opened once in the partition with {@link EmbeddingModels#criteria} (one {@code
 * Predictor}, closed when the partition ends), and the images go through {@code batchPredict} in
 * batches. An image that does not decode, or on which the model fails, becomes a row with its
 * {@code error} and no vector, and is logged with its source; the others are embedded.
 *
 * <p>Only the model's location and the options are serialised to executors; the location is read on
 * each executor: a directory there (a local path, shared storage mounted alike, or the folder
 * {@code --archives model.zip#model} unpacks in the executor's working directory), else the name
 * given to {@code SparkFiles}.
 */
final class PartitionEmbedder implements MapPartitionsFunction<Row, Row> {

  private static final long serialVersionUID = 1L;

  private static final Logger logger = LoggerFactory.getLogger(PartitionEmbedder.class);

  private final String model;
  private final int batchSize;
  private final boolean allowTorchScript;

  PartitionEmbedder(String model, int batchSize, boolean allowTorchScript) {
    this.model = model;
    this.batchSize = batchSize;
    this.allowTorchScript = allowTorchScript;
  }

  /**
   * The model directory on this executor.
   *
   * @param model the location given to the job
   * @return the directory
   */
  static Path resolve(String model) {
    Path given = Paths.get(model);
    if (Files.isDirectory(given)) {
      return given;
    }
    return Paths.get(SparkFiles.get(model));
  }

  @Override
  public Iterator<Row> call(Iterator<Row> images) throws Exception {
    if (!images.hasNext()) {
      return images;
    }
    EmbeddingNetworks networks = EmbeddingNetworks.builtIn();
    if (allowTorchScript) {
      networks = networks.withTorchScript();
    }
    Path dir = resolve(model);
    ZooModel<Image, float[]> zoo;
    try {
      zoo = EmbeddingModels.criteria(dir, networks).loadModel();
    } catch (ModelNotFoundException | MalformedModelException e) {
      throw new DataFormatException(dir, "cannot load the exported model: " + e.getMessage(), e);
    }
    Batches batches = new Batches(images, zoo, zoo.newPredictor(), batchSize);
    TaskContext task = TaskContext.get();
    if (task != null) {
      task.addTaskCompletionListener(
          (org.apache.spark.util.TaskCompletionListener) context -> batches.close());
    }
    return batches;
  }

  /** The partition's rows, embedded a batch at a time as they are asked for. */
  private static final class Batches implements Iterator<Row> {
    private final Iterator<Row> input;
    private final ZooModel<Image, float[]> zoo;
    private final Predictor<Image, float[]> predictor;
    private final int batchSize;
    private final ArrayDeque<Row> ready = new ArrayDeque<>();
    private boolean closed;

    Batches(
        Iterator<Row> input,
        ZooModel<Image, float[]> zoo,
        Predictor<Image, float[]> predictor,
        int batchSize) {
      this.input = input;
      this.zoo = zoo;
      this.predictor = predictor;
      this.batchSize = batchSize;
    }

    @Override
    public boolean hasNext() {
      if (ready.isEmpty() && !closed) {
        if (input.hasNext()) {
          embedBatch();
        } else {
          close();
        }
      }
      return !ready.isEmpty();
    }

    @Override
    public Row next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      return ready.poll();
    }

    synchronized void close() {
      if (!closed) {
        closed = true;
        predictor.close();
        zoo.close();
      }
    }

    private void embedBatch() {
      List<Row> rows = new ArrayList<>(batchSize);
      List<Image> decoded = new ArrayList<>(batchSize);
      Row[] out = new Row[batchSize];
      int n = 0;
      while (n < batchSize && input.hasNext()) {
        Row row = input.next();
        String source = row.getString(0);
        String label = row.isNullAt(1) ? null : row.getString(1);
        String error = row.isNullAt(3) ? null : row.getString(3);
        if (error == null) {
          byte[] bytes = row.isNullAt(2) ? null : (byte[]) row.get(2);
          try {
            if (bytes == null) {
              throw new IOException("no image bytes");
            }
            decoded.add(
                ImageFactory.getInstance().fromInputStream(new ByteArrayInputStream(bytes)));
            rows.add(row);
          } catch (IOException | RuntimeException e) {
            error = "cannot decode the image: " + e.getMessage();
          }
        }
        if (error != null) {
          out[n] = failed(source, label, error);
        }
        n++;
      }
      List<float[]> vectors = predict(decoded, rows);
      int next = 0;
      for (int i = 0; i < n; i++) {
        if (out[i] == null) {
          Row row = rows.get(next);
          float[] vector = vectors.get(next++);
          out[i] =
              vector == null
                  ? failed(row.getString(0), row.getString(1), "the model failed on this image")
                  : RowFactory.create(
                      row.getString(0), row.getString(1), norm(vector), vector, null);
        }
        ready.add(out[i]);
      }
    }

    /** The batch's vectors; when the batch fails, each image alone (null where that fails). */
    private List<float[]> predict(List<Image> images, List<Row> rows) {
      if (images.isEmpty()) {
        return List.of();
      }
      try {
        return predictor.batchPredict(images);
      } catch (TranslateException | RuntimeException batchFailure) {
        List<float[]> vectors = new ArrayList<>(images.size());
        for (int i = 0; i < images.size(); i++) {
          try {
            vectors.add(predictor.predict(images.get(i)));
          } catch (TranslateException | RuntimeException e) {
            logger.warn("{}: the model failed on this image: {}", rows.get(i).getString(0), e);
            vectors.add(null);
          }
        }
        return vectors;
      }
    }

    private static Row failed(String source, String label, String error) {
      logger.warn("{}: {}", source, error);
      return RowFactory.create(source, label, null, null, error);
    }
  }

  /**
   * The Euclidean norm, summed in double.
   *
   * @param vector the embedding
   * @return ‖vector‖
   */
  static float norm(float[] vector) {
    double s = 0;
    for (float v : vector) {
      s += (double) v * v;
    }
    return (float) Math.sqrt(s);
  }
}
