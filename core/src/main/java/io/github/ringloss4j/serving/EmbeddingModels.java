package io.github.ringloss4j.serving;

import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.modality.cv.Image;
import ai.djl.nn.Block;
import ai.djl.repository.zoo.Criteria;
import io.github.ringloss4j.backbone.Backbones;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Exports a trained embedding network as a DJL model directory, and loads one for serving, with
 * this library but without the application:
 *
 * <pre>{@code
 * Criteria<Image, float[]> criteria = EmbeddingModels.criteria(Paths.get("exported"));
 * try (ZooModel<Image, float[]> model = criteria.loadModel();
 *      Predictor<Image, float[]> predictor = model.newPredictor()) {
 *   float[] embedding = predictor.predict(ImageFactory.getInstance().fromFile(Paths.get("face.jpg")));
 * }
 * }</pre>
 *
 * <p>A network of one's own (not one of the built-in {@link Backbones}) is exported and loaded
 * under a name registered, in code and on both sides, with the code that builds it ({@link
 * EmbeddingNetworks}):
 *
 * <pre>{@code
 * EmbeddingNetworks networks = EmbeddingNetworks.builtIn().with("my-cnn", MyNets::cnn);
 * EmbeddingModels.export(trained, "my-cnn", 64, Preprocessing.of(input), dir, networks);
 * Criteria<Image, float[]> criteria = EmbeddingModels.criteria(dir, networks);
 * }</pre>
 *
 * <p>The directory holds two files:
 *
 * <ul>
 *   <li>{@value #MODEL_NAME}{@code -0000.params}: the embedding network's parameters alone, as
 *       {@code Model.save} writes them (no classification head, no ring radius, no optimiser
 *       state), with their shapes and the input shape they were initialised for;
 *   <li>{@value ServingConfig#FILE}: DJL's keys {@code engine} (the engine the parameters were on),
 *       {@code blockFactory} ({@link EmbeddingBlockFactory}, which builds the network so that the
 *       parameters can be read into it), {@code translatorFactory} ({@link
 *       EmbeddingTranslatorFactory}) and {@code option.modelName} (so that the parameter file is
 *       found whatever the directory is called), followed by the {@link ServingConfig} keys.
 * </ul>
 *
 * <p><b>A model directory from elsewhere is untrusted input.</b> Load it with {@link #criteria},
 * which checks it ({@link ModelDirectory}) and gives DJL this library's factories, not with DJL's
 * {@code DeferredTranslatorFactory}: that one creates whatever classes the file names, from the
 * directory's own {@code classes/} folder and jars, and runs their static initialisers.
 */
public final class EmbeddingModels {

  /** The model name: the parameter file's prefix and the {@code option.modelName} written. */
  public static final String MODEL_NAME = "embedding";

  private static final Logger logger = LoggerFactory.getLogger(EmbeddingModels.class);

  /** What a value may contain so that a properties reader gets it back without escapes. */
  private static final Pattern PLAIN_VALUE = Pattern.compile("[A-Za-z0-9._,+-]+");

  private EmbeddingModels() {}

  /**
   * Writes a model directory for a built-in embedding network: {@link #export(Block, String, int,
   * Preprocessing, Path, EmbeddingNetworks)} with {@link EmbeddingNetworks#builtIn()}.
   *
   * @param embedding the trained embedding network alone (for a Ring-loss model, {@code
   *     RingModelBlock.getEmbedding()}), initialised for {@code preprocessing.input()} or with
   *     parameters loaded from a checkpoint; it is not changed
   * @param backbone its {@link Backbones} name; {@code Backbones.create(backbone, embeddingSize)}
   *     must build a network with the same parameters
   * @param embeddingSize its output dimension d
   * @param preprocessing how images become its input and its output the embedding
   * @param dir the directory to create; it must not exist, or be empty
   * @return {@code dir}
   * @throws FileAlreadyExistsException if {@code dir} exists and is not an empty directory
   * @throws IOException if writing fails
   * @throws IllegalStateException if {@code embedding} has no parameters yet
   * @throws IllegalArgumentException if the backbone is unknown, cannot take the input shape, or
   *     does not match {@code embedding} (other parameters, another input shape, other parameter
   *     shapes such as another d), naming what differs
   */
  public static Path export(
      Block embedding, String backbone, int embeddingSize, Preprocessing preprocessing, Path dir)
      throws IOException {
    return export(
        embedding, backbone, embeddingSize, preprocessing, dir, EmbeddingNetworks.builtIn());
  }

  /**
   * Writes a model directory for an embedding network, built in or registered in {@code networks},
   * atomically: everything is written to a hidden temporary directory next to {@code dir}, which is
   * then renamed to {@code dir}, so that a reader never sees half an export and a failure leaves
   * nothing behind. The directory records the network's name, not its code: load it with {@link
   * #criteria(Path, EmbeddingNetworks)} and a registry that registers the same name.
   *
   * <p>What is saved is a copy: {@code embedding}'s parameters are read into a new {@code
   * networks.newBlock(network, embeddingSize, input)}, exactly what loading will build, after
   * comparing their names and shapes with that network's, so that a mismatch fails here rather than
   * in the service. The copy also lets blocks whose parameters were loaded from a checkpoint be
   * saved, which DJL 0.36's {@code Model.save} refuses. It costs about twice the parameters' size
   * in memory while it runs.
   *
   * @param embedding the trained embedding network alone (for a Ring-loss model, {@code
   *     RingModelBlock.getEmbedding()}), initialised for {@code preprocessing.input()} or with
   *     parameters loaded from a checkpoint; it is not changed
   * @param network its name in {@code networks}, which must build a network with the same
   *     parameters
   * @param embeddingSize its output dimension d
   * @param preprocessing how images become its input and its output the embedding
   * @param dir the directory to create; it must not exist, or be empty
   * @param networks the built-in networks and those registered in code
   * @return {@code dir}
   * @throws FileAlreadyExistsException if {@code dir} exists and is not an empty directory
   * @throws IOException if writing fails
   * @throws IllegalStateException if {@code embedding} has no parameters yet
   * @throws IllegalArgumentException if the network is unknown to {@code networks} (listing the
   *     known ones), cannot take the input shape, or does not match {@code embedding} (another
   *     input shape; other parameters or parameter shapes, such as another d, listing the first
   *     that differ by name and shape)
   */
  public static Path export(
      Block embedding,
      String network,
      int embeddingSize,
      Preprocessing preprocessing,
      Path dir,
      EmbeddingNetworks networks)
      throws IOException {
    ServingConfig config =
        new ServingConfig(networks.require(network), embeddingSize, preprocessing);
    if (!embedding.isInitialized()) {
      throw new IllegalStateException(
          "the embedding network has no parameters yet: train it or load them first");
    }
    String engine =
        embedding.getParameters().valueAt(0).getArray().getManager().getEngine().getEngineName();
    try (Model model = Model.newInstance(MODEL_NAME, engine)) {
      model.setBlock(NetworkCopy.of(embedding, config, networks, model.getNDManager()));
      writeAtomically(
          dir.toAbsolutePath(),
          model,
          servingProperties(engine, config, networks.isRegistered(config.backbone())));
    }
    logger.info(
        "Exported {} (d = {}, input {}) to {}",
        config.backbone(),
        config.embeddingSize(),
        preprocessing.input(),
        dir.toAbsolutePath());
    return dir;
  }

  /**
   * The one call that loads an exported model directory of a built-in network for serving: {@link
   * #criteria(Path, EmbeddingNetworks)} with {@link EmbeddingNetworks#builtIn()}.
   *
   * @param dir the directory {@link #export} wrote
   * @return the criteria; {@code loadModel()} gives the model, whose predictors map an {@link
   *     Image} to its embedding as the export configured it
   * @throws java.nio.file.NoSuchFileException if the directory, its {@value ServingConfig#FILE} or
   *     its parameters are missing
   * @throws MalformedModelException naming the file and the key or entry when the directory is not
   *     what an export writes, or names a network that is not built in
   * @throws IOException if it cannot be read
   */
  public static Criteria<Image, float[]> criteria(Path dir)
      throws IOException, MalformedModelException {
    return criteria(dir, EmbeddingNetworks.builtIn());
  }

  /**
   * The one call that loads an exported model directory for serving: the directory is checked as
   * untrusted data ({@link ModelDirectory#open}: no code in it, no class named by it, every key
   * valid, the network built in or registered in {@code networks}) and loaded with this library's
   * block and translator factories, the network built by the code {@code networks} holds.
   *
   * @param dir the directory {@link #export} wrote
   * @param networks the built-in networks and those registered in code; the directory's network
   *     must be one of them
   * @return the criteria; {@code loadModel()} gives the model, whose predictors map an {@link
   *     Image} to its embedding as the export configured it
   * @throws java.nio.file.NoSuchFileException if the directory, its {@value ServingConfig#FILE} or
   *     its parameters are missing
   * @throws MalformedModelException naming the file and the key or entry when the directory is not
   *     what an export writes
   * @throws IOException if it cannot be read
   */
  public static Criteria<Image, float[]> criteria(Path dir, EmbeddingNetworks networks)
      throws IOException, MalformedModelException {
    return ModelDirectory.open(dir, networks).criteria();
  }

  /**
   * Saves the model and the properties into a temporary sibling of {@code target}, renamed last.
   */
  private static void writeAtomically(Path target, Model model, String properties)
      throws IOException {
    Path parent = target.getParent();
    Files.createDirectories(parent);
    if (Files.exists(target) && !isEmptyDirectory(target)) {
      throw new FileAlreadyExistsException(
          target.toString(), null, "exists and is not an empty directory; choose another");
    }
    Path tmp = Files.createTempDirectory(parent, "." + target.getFileName() + ".tmp-");
    try {
      model.save(tmp, MODEL_NAME);
      Files.writeString(tmp.resolve(ServingConfig.FILE), properties, StandardCharsets.UTF_8);
      Files.deleteIfExists(target);
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException | RuntimeException e) {
      deleteTree(tmp, e);
      if (e instanceof DirectoryNotEmptyException) {
        throw new FileAlreadyExistsException(
            target.toString(), null, "was created by someone else during the export");
      }
      throw e;
    }
  }

  /** DJL's keys, then the configuration's, one plain {@code key=value} per line, in order. */
  private static String servingProperties(String engine, ServingConfig config, boolean registered) {
    Map<String, String> entries = new LinkedHashMap<>();
    entries.put("engine", engine);
    entries.put("blockFactory", EmbeddingBlockFactory.class.getName());
    entries.put("translatorFactory", EmbeddingTranslatorFactory.class.getName());
    entries.put("option.modelName", MODEL_NAME);
    entries.putAll(config.toArguments());
    StringBuilder out =
        new StringBuilder(
            "# An embedding network exported by ringloss4j; load it with\n"
                + (registered
                    ? "# io.github.ringloss4j.serving.EmbeddingModels.criteria(dir, networks),\n"
                        + "# networks registering '"
                        + config.backbone()
                        + "' with the code that builds it.\n"
                    : "# io.github.ringloss4j.serving.EmbeddingModels.criteria(dir).\n"));
    for (Map.Entry<String, String> e : entries.entrySet()) {
      if (!PLAIN_VALUE.matcher(e.getValue()).matches()) {
        throw new IllegalStateException(
            "cannot write " + e.getKey() + "=" + e.getValue() + " without escaping");
      }
      out.append(e.getKey()).append('=').append(e.getValue()).append('\n');
    }
    return out.toString();
  }

  private static boolean isEmptyDirectory(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return false;
    }
    try (Stream<Path> entries = Files.list(dir)) {
      return entries.findAny().isEmpty();
    }
  }

  private static void deleteTree(Path root, Exception cause) {
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException | UncheckedIOException e) {
      cause.addSuppressed(e);
    }
  }
}
