package io.github.ringloss4j.serving;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.engine.EngineException;
import ai.djl.modality.cv.Image;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.repository.zoo.Criteria;
import ai.djl.training.ParameterStore;
import io.github.ringloss4j.backbone.Backbones;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
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
 * <p>A network traced with PyTorch ({@code torch.jit.trace}), built in or not, is brought in with
 * {@link #importTorchScript}: the directory then holds {@value #MODEL_NAME}{@code .pt} instead of
 * the parameters, and its network is {@value EmbeddingNetworks#TORCHSCRIPT}. Serving it applies the
 * same {@link Preprocessing}, but loading it is an opt-in ({@link
 * EmbeddingNetworks#withTorchScript()}), because the file is a program.
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
    if (config.isTorchScript()) {
      throw new IllegalArgumentException(
          "'"
              + network
              + "' names a traced model, not a network to export; importTorchScript writes those");
    }
    if (!embedding.isInitialized()) {
      throw new IllegalStateException(
          "the embedding network has no parameters yet: train it or load them first");
    }
    String engine =
        embedding.getParameters().valueAt(0).getArray().getManager().getEngine().getEngineName();
    try (Model model = Model.newInstance(MODEL_NAME, engine)) {
      model.setBlock(NetworkCopy.of(embedding, config, networks, model.getNDManager()));
      String properties =
          servingProperties(
              engine,
              config,
              networks.isRegistered(config.backbone())
                  ? "# io.github.ringloss4j.serving.EmbeddingModels.criteria(dir, networks),\n"
                      + "# networks registering '"
                      + config.backbone()
                      + "' with the code that builds it.\n"
                  : "# io.github.ringloss4j.serving.EmbeddingModels.criteria(dir).\n");
      writeAtomically(
          dir.toAbsolutePath(),
          tmp -> {
            model.save(tmp, MODEL_NAME);
            Files.writeString(tmp.resolve(ServingConfig.FILE), properties, StandardCharsets.UTF_8);
          });
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
   * Writes a model directory for a traced TorchScript embedding model, so that a network that is
   * not among the built-in or registered ones (any {@code torch.jit.trace} of a PyTorch module
   * mapping [m, C, H, W] to [m, d]) serves through {@link #criteria(Path, EmbeddingNetworks)} with
   * this library's preprocessing, flip-sum and L2 normalisation:
   *
   * <pre>{@code
   * // Python: torch.jit.trace(net.eval(), torch.zeros(1, 3, 112, 112)).save("model.pt")
   * Preprocessing p = Preprocessing.of(new Backbones.Input(3, 112, 112))
   *     .withNormalization(new float[] {0.5f, 0.5f, 0.5f}, new float[] {0.5f, 0.5f, 0.5f})
   *     .withFlipSum(true);
   * EmbeddingModels.importTorchScript(Paths.get("model.pt"), p, Paths.get("served"));
   * Criteria<Image, float[]> criteria =
   *     EmbeddingModels.criteria(Paths.get("served"), EmbeddingNetworks.builtIn().withTorchScript());
   * }</pre>
   *
   * <p>The directory holds the file, copied byte for byte, as {@value #MODEL_NAME}{@code .pt}, and
   * a {@value ServingConfig#FILE} whose network is {@value EmbeddingNetworks#TORCHSCRIPT} (engine
   * PyTorch, the same keys as any export). It is written atomically, as {@link #export} writes.
   * Before the rename, the copy is loaded with DJL's PyTorch engine and run once on a zero input
   * [1, C, H, W] of {@code preprocessing.input()}: its output must be one float32 array [1, d], and
   * d is recorded.
   *
   * <p><b>This runs the file.</b> A TorchScript archive is a program that libtorch's interpreter
   * executes, and it may call any operator libtorch registers; importing it, like serving it
   * ({@link EmbeddingNetworks#withTorchScript()}), trusts it as {@code torch.jit.load} would.
   * Import only files from a source one trusts.
   *
   * @param traced the file {@code torch.jit.save} (or {@code ScriptModule.save}) wrote
   * @param preprocessing how images become its input, which must be the shape it was traced for,
   *     and its output the embedding
   * @param dir the directory to create; it must not exist, or be empty
   * @return {@code dir}
   * @throws java.nio.file.NoSuchFileException if {@code traced} is not a regular file
   * @throws FileAlreadyExistsException if {@code dir} exists and is not an empty directory
   * @throws MalformedModelException naming {@code traced} when it is not a TorchScript archive (a
   *     {@code state_dict} saved with {@code torch.save}, say), fails on the zero input, or gives
   *     anything but one float32 [1, d] array (saying what it gave)
   * @throws IllegalStateException if DJL's PyTorch engine is not on the class path
   * @throws IOException if reading or writing fails
   */
  public static Path importTorchScript(Path traced, Preprocessing preprocessing, Path dir)
      throws IOException, MalformedModelException {
    Objects.requireNonNull(preprocessing, "preprocessing");
    if (!Files.isRegularFile(traced)) {
      throw new NoSuchFileException(traced.toString(), null, "no such TorchScript file");
    }
    if (!Engine.hasEngine(ModelDirectory.PYTORCH)) {
      throw new IllegalStateException(
          "importing TorchScript needs DJL's PyTorch engine (ai.djl.pytorch:pytorch-engine) on"
              + " the class path");
    }
    int[] embeddingSize = new int[1];
    writeAtomically(
        dir.toAbsolutePath(),
        tmp -> {
          Files.copy(traced, tmp.resolve(ModelDirectory.modelFileName(true)));
          embeddingSize[0] = probeTorchScript(tmp, traced, preprocessing.input());
          ServingConfig config =
              new ServingConfig(EmbeddingNetworks.TORCHSCRIPT, embeddingSize[0], preprocessing);
          Files.writeString(
              tmp.resolve(ServingConfig.FILE),
              servingProperties(
                  ModelDirectory.PYTORCH,
                  config,
                  "# io.github.ringloss4j.serving.EmbeddingModels.criteria(dir,\n"
                      + "# EmbeddingNetworks.builtIn().withTorchScript()): serving runs "
                      + ModelDirectory.modelFileName(true)
                      + ".\n"),
              StandardCharsets.UTF_8);
        });
    logger.info(
        "Imported TorchScript {} (d = {}, input {}) to {}",
        traced,
        embeddingSize[0],
        preprocessing.input(),
        dir.toAbsolutePath());
    return dir;
  }

  /**
   * Loads {@code dir}'s {@value #MODEL_NAME}{@code .pt} as serving will and runs it on zeros.
   *
   * @return d
   */
  private static int probeTorchScript(Path dir, Path traced, Backbones.Input input)
      throws IOException, MalformedModelException {
    try (Model model = Model.newInstance(MODEL_NAME, Device.cpu(), ModelDirectory.PYTORCH)) {
      try {
        model.load(dir, MODEL_NAME, Map.of(ModelDirectory.MAP_LOCATION_OPTION, "true"));
      } catch (EngineException | MalformedModelException e) {
        throw new MalformedModelException(
            traced
                + ": not a TorchScript archive that libtorch loads (a state_dict saved with"
                + " torch.save holds weights without the network: save torch.jit.trace(model.eval(),"
                + " example) instead): "
                + engineError(e.getMessage()),
            e);
      }
      Shape shape = input.batchShape(1);
      try (NDManager manager = model.getNDManager().newSubManager()) {
        NDList out;
        try {
          out =
              model
                  .getBlock()
                  .forward(
                      new ParameterStore(manager, false),
                      new NDList(manager.zeros(shape, DataType.FLOAT32)),
                      false);
        } catch (RuntimeException e) {
          // libtorch's errors (EngineException) and DJL's refusal of an output it cannot convert:
          // any failure to run the file is the file's.
          throw new MalformedModelException(
              traced
                  + ": running it on a zero input "
                  + shape
                  + " failed (is that the input shape it was traced for?): "
                  + engineError(e.getMessage()),
              e);
        }
        NDArray first = out.isEmpty() ? null : out.get(0);
        if (out.size() != 1
            || first.getDataType() != DataType.FLOAT32
            || first.getShape().dimension() != 2
            || first.getShape().get(0) != 1
            || first.getShape().get(1) < 1
            || first.getShape().get(1) > Integer.MAX_VALUE) {
          StringBuilder got = new StringBuilder();
          for (NDArray a : out) {
            got.append(got.length() == 0 ? "" : ", ")
                .append(a.getDataType())
                .append(' ')
                .append(a.getShape());
          }
          throw new MalformedModelException(
              traced
                  + ": for a zero input "
                  + shape
                  + " it must output one float32 array (1, d), the embedding; it gave "
                  + (out.isEmpty() ? "nothing" : out.size() + " array(s): " + got));
        }
        return Math.toIntExact(first.getShape().get(1));
      }
    }
  }

  /**
   * The line of a libtorch message that says what failed: the first, but the last for an error in
   * the TorchScript interpreter, whose message is a traceback ending with the error.
   */
  private static String engineError(String message) {
    if (message == null || message.isBlank()) {
      return "(no message)";
    }
    List<String> lines = message.lines().map(String::trim).filter(l -> !l.isEmpty()).toList();
    return lines.get(0).startsWith("The following operation failed")
        ? lines.get(lines.size() - 1)
        : lines.get(0);
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

  /** What goes into the temporary directory of {@link #writeAtomically}. */
  @FunctionalInterface
  private interface Contents<E extends Exception> {
    void writeTo(Path tmp) throws IOException, E;
  }

  /**
   * Writes the contents into a temporary sibling of {@code target}, renamed last; on any failure
   * the temporary directory is deleted.
   */
  private static <E extends Exception> void writeAtomically(Path target, Contents<E> contents)
      throws IOException, E {
    Path parent = target.getParent();
    Files.createDirectories(parent);
    if (Files.exists(target) && !isEmptyDirectory(target)) {
      throw new FileAlreadyExistsException(
          target.toString(), null, "exists and is not an empty directory; choose another");
    }
    Path tmp = Files.createTempDirectory(parent, "." + target.getFileName() + ".tmp-");
    try {
      contents.writeTo(tmp);
      Files.deleteIfExists(target);
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
    } catch (Exception e) {
      deleteTree(tmp, e);
      if (e instanceof DirectoryNotEmptyException) {
        throw new FileAlreadyExistsException(
            target.toString(), null, "was created by someone else during the export");
      }
      throw e;
    }
  }

  /**
   * A header saying how to load, DJL's keys, then the configuration's, one plain {@code key=value}
   * per line, in order.
   */
  private static String servingProperties(String engine, ServingConfig config, String howToLoad) {
    Map<String, String> entries = new LinkedHashMap<>();
    entries.put("engine", engine);
    entries.put("blockFactory", EmbeddingBlockFactory.class.getName());
    entries.put("translatorFactory", EmbeddingTranslatorFactory.class.getName());
    entries.put("option.modelName", MODEL_NAME);
    entries.putAll(config.toArguments());
    StringBuilder out =
        new StringBuilder(
            (config.isTorchScript()
                    ? "# A traced TorchScript embedding model imported by ringloss4j; load it with\n"
                    : "# An embedding network exported by ringloss4j; load it with\n")
                + howToLoad);
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
