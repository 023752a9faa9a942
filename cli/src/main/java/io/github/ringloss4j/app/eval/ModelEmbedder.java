package io.github.ringloss4j.app.eval;

import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.inference.Predictor;
import ai.djl.modality.cv.Image;
import ai.djl.modality.cv.ImageFactory;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.repository.zoo.ModelNotFoundException;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.Batchifier;
import ai.djl.translate.TranslateException;
import ai.djl.translate.Translator;
import ai.djl.translate.TranslatorContext;
import io.github.ringloss4j.app.data.BatchReader;
import io.github.ringloss4j.app.data.Datasets;
import io.github.ringloss4j.app.data.GalleryFiles;
import io.github.ringloss4j.app.data.ImageFiles;
import io.github.ringloss4j.app.data.ImageSpec;
import io.github.ringloss4j.app.data.VerificationBin;
import io.github.ringloss4j.app.data.VerificationImages;
import io.github.ringloss4j.app.io.DataFormatException;
import io.github.ringloss4j.app.model.ExportedModels;
import io.github.ringloss4j.app.train.Checkpoint;
import io.github.ringloss4j.app.train.TrainOptions;
import io.github.ringloss4j.app.train.VerificationEmbeddings;
import io.github.ringloss4j.backbone.Backbones;
import io.github.ringloss4j.nn.RingModelBlock;
import io.github.ringloss4j.serving.EmbeddingNetworks;
import io.github.ringloss4j.serving.EmbeddingTranslator;
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
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

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
  private final ModelDirectory export;
  private final ServingConfig config;
  private final Checkpoint checkpoint;
  private final Model run;
  private final ImageSpec spec;

  private ModelEmbedder(
      GalleryFiles.Model info,
      ZooModel<Image, float[]> zoo,
      Predictor<Image, float[]> predictor,
      ModelDirectory export,
      Checkpoint checkpoint,
      Model run,
      ImageSpec spec) {
    this.info = info;
    this.zoo = zoo;
    this.predictor = predictor;
    this.export = export;
    this.config = export == null ? null : export.config();
    this.checkpoint = checkpoint;
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
    return open(model, EmbeddingNetworks.builtIn());
  }

  /**
   * Opens a model, an exported directory being allowed to name the given networks.
   *
   * @param model an exported model directory, a run directory or a checkpoint file
   * @param networks what an exported directory may name ({@code withTorchScript()} to allow a
   *     TorchScript directory)
   * @return the embedder; close it
   * @throws java.nio.file.NoSuchFileException when there is no model there
   * @throws DataFormatException naming the file when the model cannot be loaded
   * @throws IOException when it cannot be read
   */
  public static ModelEmbedder open(Path model, EmbeddingNetworks networks) throws IOException {
    Path absolute = model.toAbsolutePath().normalize();
    if (ModelDirectory.isExport(absolute)) {
      return exported(absolute, networks);
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
                + (o.inputNormalization().isIdentity()
                    ? ", pixels / 255"
                    : ", pixels " + o.inputNormalization()),
            sha256(checkpoint.modelParameters()));
    return new ModelEmbedder(info, null, null, null, checkpoint, checkpoint.loadModel(), spec);
  }

  private static ModelEmbedder exported(Path dir, EmbeddingNetworks networks) throws IOException {
    ModelDirectory export = ExportedModels.open(dir, networks);
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
    return new ModelEmbedder(info, zoo, zoo.newPredictor(), export, null, null, null);
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
   * Whether the model is an exported model directory rather than a run or checkpoint.
   *
   * @return true for an export
   */
  public boolean isExport() {
    return config != null;
  }

  /**
   * The exported model directory the model was read from.
   *
   * @return the checked directory, empty for a run
   */
  public Optional<ModelDirectory> export() {
    return Optional.ofNullable(export);
  }

  /**
   * The checkpoint the model was read from.
   *
   * @return the checkpoint, empty for an exported model directory
   */
  public Optional<Checkpoint> checkpoint() {
    return Optional.ofNullable(checkpoint);
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
    return embedded(images, batchSize).features();
  }

  /**
   * Embeds images, with the norms and sources {@code embed} writes: a run's raw embeddings and its
   * head's predictions, or the export's embeddings as it configured them (flip-sum, L2), whose
   * norms are 1 when it L2-normalises; labels are −1 and an export has no predictions (−1).
   *
   * @param images the image files
   * @param batchSize images per forward pass, at least 1
   * @return one row per image, in order
   * @throws DataFormatException naming an image that cannot be decoded
   * @throws IOException if an image cannot be read
   */
  public Embedder.Embedded embedded(List<Path> images, int batchSize) throws IOException {
    Embedder.Collector all = new Embedder.Collector(images.size());
    embed(images, batchSize, all);
    return all.embedded();
  }

  /**
   * Embeds images as {@link #embedded} does, handing each batch's rows to a sink and keeping
   * nothing per image.
   *
   * @param images the image files
   * @param batchSize images per forward pass, at least 1
   * @param sink receives the rows in order
   * @throws DataFormatException naming an image that cannot be decoded
   * @throws IOException if an image cannot be read or the sink fails
   */
  public void embed(List<Path> images, int batchSize, Embedder.Sink sink) throws IOException {
    if (run != null) {
      Embedder.embed(
          run,
          checkpoint.options().inputNormalization(),
          new ImageFiles(images, spec),
          batchSize,
          BatchReader.Settings.defaults(),
          sink);
      return;
    }
    predict(
        predictor,
        images.size(),
        batchSize,
        new Images() {
          @Override
          public Image image(int index) throws IOException {
            Path file = images.get(index);
            try {
              return ImageFactory.getInstance().fromFile(file);
            } catch (IOException | RuntimeException e) {
              throw new DataFormatException(file, "cannot decode the image: " + e.getMessage(), e);
            }
          }

          @Override
          public DataFormatException failed(int first, Exception e) {
            return new DataFormatException(
                images.get(first), "the model failed on this batch: " + e.getMessage(), e);
          }
        },
        (first, embedded) -> {
          int size = embedded.size();
          int d = size == 0 ? 0 : embedded.get(0).length;
          float[] features = new float[size * d];
          float[] norms = new float[size];
          String[] sources = new String[size];
          for (int i = 0; i < size; i++) {
            float[] f = embedded.get(i);
            System.arraycopy(f, 0, features, i * d, d);
            double s = 0;
            for (float v : f) {
              s += (double) v * v;
            }
            norms[i] = (float) Math.sqrt(s);
            sources[i] = images.get(first + i).toString();
          }
          int[] none = new int[size];
          Arrays.fill(none, -1);
          sink.accept(new Embedder.Rows(first, d, features, norms, none, none.clone(), sources));
        });
  }

  /**
   * Embeds an InsightFace verification set for its protocol ({@link BinEvaluation}): each distinct
   * image and its mirror image once ({@link VerificationEmbeddings#distinct}). A run's images get
   * the run's preprocessing ({@link VerificationEmbeddings#of}); an export's are decoded to DJL
   * images (with the application's checked decoder) and go through the export's translator, its
   * resize, crop and normalisation, as a service's would, the mirror image being the flip of the
   * network's input, as InsightFace flips; the protocol fuses and normalises them itself, so the
   * export's flip-sum and L2 settings do not apply.
   *
   * @param bin the set
   * @return its embeddings
   * @throws DataFormatException naming the file and image when an image cannot be decoded
   * @throws IOException if decoding fails otherwise
   */
  public VerificationEmbeddings verificationSet(VerificationBin bin) throws IOException {
    if (run != null) {
      return VerificationEmbeddings.of(
          bin,
          ((RingModelBlock) run.getBlock()).getEmbedding(),
          run.getNDManager(),
          spec,
          checkpoint.options().inputNormalization());
    }
    return VerificationEmbeddings.distinct(bin, this::exportedSet);
  }

  private VerificationEmbeddings exportedSet(VerificationBin bin) throws IOException {
    Backbones.Input input = config.preprocessing().input();
    VerificationImages images =
        new VerificationImages(bin, new ImageSpec(input.height(), input.width(), input.channels()));
    int n = images.count();
    float[][] rows = new float[n][];
    try (Predictor<Image, float[]> pairs = zoo.newPredictor(new WithMirror(config))) {
      predict(
          pairs,
          n,
          VerificationEmbeddings.BATCH_IMAGES,
          new Images() {
            @Override
            public Image image(int index) throws IOException {
              return ImageFactory.getInstance().fromImage(images.decoded(index));
            }

            @Override
            public DataFormatException failed(int first, Exception e) {
              return DataFormatException.atItem(
                  bin.file(), first, "the model failed on this batch: " + e.getMessage(), e);
            }
          },
          (first, embedded) -> {
            for (int i = 0; i < embedded.size(); i++) {
              rows[first + i] = embedded.get(i);
            }
          });
    }
    float[][] plain = new float[n][];
    float[][] flipped = new float[n][];
    for (int i = 0; i < n; i++) {
      int d = rows[i].length / 2;
      plain[i] = Arrays.copyOfRange(rows[i], 0, d);
      flipped[i] = Arrays.copyOfRange(rows[i], d, 2 * d);
    }
    return new VerificationEmbeddings(
        plain,
        flipped,
        bin.issame(),
        images.sourceShapes()
            + " images through the exported model's preprocessing (resize and centre crop to "
            + input
            + ", (x/255 − "
            + Arrays.toString(config.preprocessing().mean())
            + ") / "
            + Arrays.toString(config.preprocessing().std())
            + "); each image's embedding is fused with its mirror image's");
  }

  /** The images a batch loop reads, and how a failed batch is reported. */
  private interface Images {
    Image image(int index) throws IOException;

    DataFormatException failed(int first, Exception e);
  }

  /** Takes the embeddings of one batch, the first at index {@code first}. */
  private interface Batches {
    void accept(int first, List<float[]> embedded) throws IOException;
  }

  private static void predict(
      Predictor<Image, float[]> predictor, int n, int batchSize, Images images, Batches out)
      throws IOException {
    for (int from = 0; from < n; from += batchSize) {
      int to = Math.min(from + batchSize, n);
      List<Image> batch = new ArrayList<>(to - from);
      for (int i = from; i < to; i++) {
        batch.add(images.image(i));
      }
      List<float[]> embedded;
      try {
        embedded = predictor.batchPredict(batch);
      } catch (TranslateException e) {
        throw images.failed(from, e);
      }
      out.accept(from, embedded);
    }
  }

  /**
   * The export's network on an image and its mirror image, without summing them: the export's
   * preprocessing with flip-sum (the network's input, then its left-right flip) and the two output
   * rows returned as they are, {@code [f(x), f(mirror(x))]}, 2d floats.
   */
  private static final class WithMirror implements Translator<Image, float[]> {
    private final EmbeddingTranslator input;

    WithMirror(ServingConfig config) {
      this.input =
          new EmbeddingTranslator(config.preprocessing().withFlipSum(true).withL2Normalize(false));
    }

    @Override
    public NDList processInput(TranslatorContext ctx, Image image) {
      return input.processInput(ctx, image);
    }

    @Override
    public float[] processOutput(TranslatorContext ctx, NDList list) {
      NDArray out = list.singletonOrThrow();
      if (out.getShape().dimension() != 2 || out.getShape().get(0) != 2) {
        throw new IllegalArgumentException(
            "the embedding network must output [2, d], got " + out.getShape());
      }
      return out.toType(DataType.FLOAT32, false).toFloatArray();
    }

    @Override
    public Batchifier getBatchifier() {
      return input.getBatchifier();
    }
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
