package io.github.ringloss4j.app.eval;

import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.inference.Predictor;
import ai.djl.modality.cv.Image;
import ai.djl.modality.cv.ImageFactory;
import ai.djl.repository.zoo.ModelNotFoundException;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.TranslateException;
import io.github.ringloss4j.app.data.Datasets;
import io.github.ringloss4j.app.data.GalleryFiles;
import io.github.ringloss4j.app.data.ImageFiles;
import io.github.ringloss4j.app.data.ImageSpec;
import io.github.ringloss4j.app.io.DataFormatException;
import io.github.ringloss4j.app.train.Checkpoint;
import io.github.ringloss4j.app.train.TrainOptions;
import io.github.ringloss4j.serving.ModelDirectory;
import io.github.ringloss4j.serving.ServingConfig;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Embeds image files with a model given on the command line, which is either
 *
 * <ul>
 *   <li>an <b>exported</b> model directory ({@code ringloss export}, recognised by its {@value
 *       ServingConfig#FILE}), checked as untrusted data and loaded with {@code
 *       EmbeddingModels.criteria} exactly as a Java service loads it, images read with DJL's {@code
 *       ImageFactory}: the embedding as the export configured it (flip-sum, L2); or
 *   <li>a training <b>run</b> directory or checkpoint, read with the run's own preprocessing (as
 *       {@code embed} and {@code verify} do): the raw embedding.
 * </ul>
 *
 * <p>Both give the same directions for the same network ({@code ExportCommandTest}); what a gallery
 * stores and compares is the direction alone.
 */
public final class ModelEmbedder implements AutoCloseable {

  private final GalleryFiles.Model info;
  private final ZooModel<Image, float[]> zoo;
  private final Predictor<Image, float[]> predictor;
  private final Model run;
  private final ImageSpec spec;

  private ModelEmbedder(
      GalleryFiles.Model info,
      ZooModel<Image, float[]> zoo,
      Predictor<Image, float[]> predictor,
      Model run,
      ImageSpec spec) {
    this.info = info;
    this.zoo = zoo;
    this.predictor = predictor;
    this.run = run;
    this.spec = spec;
  }

  /**
   * Opens a model.
   *
   * @param model an exported model directory, a run directory or a checkpoint file
   * @return the embedder; close it
   * @throws java.nio.file.NoSuchFileException when there is no model there
   * @throws DataFormatException naming the file when the model cannot be loaded
   * @throws IOException when it cannot be read
   */
  public static ModelEmbedder open(Path model) throws IOException {
    Path absolute = model.toAbsolutePath().normalize();
    if (ModelDirectory.isExport(absolute)) {
      return exported(absolute);
    }
    Checkpoint checkpoint = Checkpoint.read(absolute);
    TrainOptions o = checkpoint.options();
    ImageSpec spec = Datasets.inputSpec(o.data());
    GalleryFiles.Model info =
        new GalleryFiles.Model(
            "run",
            absolute.toString(),
            o.model().backbone().toString(),
            o.model().embeddingSize(),
            "the run's own: "
                + spec.channels()
                + "×"
                + spec.height()
                + "×"
                + spec.width()
                + ", pixels / 255",
            sha256(checkpoint.modelParameters()));
    return new ModelEmbedder(info, null, null, checkpoint.loadModel(), spec);
  }

  private static ModelEmbedder exported(Path dir) throws IOException {
    ModelDirectory export;
    try {
      export = ModelDirectory.open(dir);
    } catch (MalformedModelException e) {
      throw refused(dir, e);
    }
    ServingConfig config = export.config();
    GalleryFiles.Model info =
        new GalleryFiles.Model(
            "exported",
            export.path().toString(),
            config.backbone(),
            config.embeddingSize(),
            config.preprocessing().toString(),
            sha256(export.parameters()));
    ZooModel<Image, float[]> zoo;
    try {
      zoo = export.criteria().loadModel();
    } catch (ModelNotFoundException | MalformedModelException | IllegalArgumentException e) {
      throw new DataFormatException(dir, "cannot load the exported model: " + e.getMessage(), e);
    }
    return new ModelEmbedder(info, zoo, zoo.newPredictor(), null, null);
  }

  /**
   * The library's refusal as the application's input error, located at the file it names ({@code
   * ModelDirectory}'s messages start with the directory or its configuration file).
   */
  private static DataFormatException refused(Path dir, MalformedModelException e) {
    String message = e.getMessage();
    for (Path file : List.of(dir.resolve(ServingConfig.FILE), dir)) {
      String prefix = file + ": ";
      if (message.startsWith(prefix)) {
        return new DataFormatException(file, message.substring(prefix.length()), e);
      }
    }
    return new DataFormatException(dir, message, e);
  }

  /**
   * What the model is, for the gallery's information file.
   *
   * @return the description
   */
  public GalleryFiles.Model info() {
    return info;
  }

  /**
   * Embeds images.
   *
   * @param images the image files
   * @param batchSize images per forward pass, at least 1
   * @return one embedding per image, in order
   * @throws DataFormatException naming an image that cannot be decoded
   * @throws IOException if an image cannot be read
   */
  public float[][] embed(List<Path> images, int batchSize) throws IOException {
    if (run != null) {
      return Embedder.embed(run, new ImageFiles(images, spec), batchSize).features();
    }
    float[][] out = new float[images.size()][];
    for (int from = 0; from < images.size(); from += batchSize) {
      int to = Math.min(from + batchSize, images.size());
      List<Image> batch = new ArrayList<>(to - from);
      for (Path file : images.subList(from, to)) {
        try {
          batch.add(ImageFactory.getInstance().fromFile(file));
        } catch (IOException | RuntimeException e) {
          throw new DataFormatException(file, "cannot decode the image: " + e.getMessage(), e);
        }
      }
      List<float[]> embedded;
      try {
        embedded = predictor.batchPredict(batch);
      } catch (TranslateException e) {
        throw new DataFormatException(
            images.get(from), "the model failed on this batch: " + e.getMessage(), e);
      }
      for (int i = 0; i < embedded.size(); i++) {
        out[from + i] = embedded.get(i);
      }
    }
    return out;
  }

  /** Frees the model. */
  @Override
  public void close() {
    if (predictor != null) {
      predictor.close();
      zoo.close();
    }
    if (run != null) {
      run.close();
    }
  }

  private static String sha256(Path file) throws IOException {
    MessageDigest digest = sha256();
    try (InputStream in = new DigestInputStream(Files.newInputStream(file), digest)) {
      in.transferTo(java.io.OutputStream.nullOutputStream());
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  private static String sha256(byte[] bytes) {
    return HexFormat.of().formatHex(sha256().digest(bytes));
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  }
}
