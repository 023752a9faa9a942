package io.github.ringloss4j.serving;

import ai.djl.MalformedModelException;
import ai.djl.engine.Engine;
import ai.djl.modality.cv.Image;
import ai.djl.repository.zoo.Criteria;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.stream.Stream;

/**
 * An exported model directory ({@link EmbeddingModels#export}), read as untrusted data: what it
 * holds is checked, and it is loaded with this library's own factories, never with a class it
 * names.
 *
 * <p>Why: DJL's stock loading follows the directory. Given {@code optTranslatorFactory(new
 * DeferredTranslatorFactory())}, {@code BaseModelLoader} creates the {@code blockFactory} and
 * {@code translatorFactory} that {@value ServingConfig#FILE} names, by {@code Class.forName(name,
 * true, loader)} over a class loader that holds the directory's {@code classes/} folder and every
 * {@code *.jar} beside it ({@code ClassLoaderUtils.findImplementation}). The class is initialised,
 * so its static initialiser runs, before its type is checked: a model directory from elsewhere
 * could run any code in the loading process. {@link #criteria} passes DJL a {@link
 * EmbeddingBlockFactory} instance as the {@code blockFactory} argument and an {@link
 * EmbeddingTranslatorFactory} instance as the translator factory, both of which take precedence
 * over the file, so DJL creates no class by name whatever the directory holds (even if it changes
 * after {@link #open}).
 *
 * <p>{@link #open} refuses, naming the file and the key or entry:
 *
 * <ul>
 *   <li>a directory that carries code: a {@code classes} entry, a {@code *.jar} or a {@code
 *       *.class} file (an export never has them);
 *   <li>a {@value ServingConfig#FILE} larger than {@value #MAX_PROPERTIES_BYTES} bytes, not UTF-8,
 *       with a key given twice, with a key this version does not write, or whose {@code
 *       blockFactory}, {@code translatorFactory} or {@code option.modelName} is not the one an
 *       export writes, or whose {@code engine} is not an engine on the class path;
 *   <li>any {@link ServingConfig} key that is missing or invalid, and a {@value
 *       ServingConfig#BACKBONE} that is neither built in nor registered in the {@link
 *       EmbeddingNetworks} given to {@link #open(Path, EmbeddingNetworks)} (a network of one's own
 *       is built only by code its loader registered, never by a name the file holds);
 *   <li>a TorchScript directory ({@value ServingConfig#BACKBONE}={@value
 *       EmbeddingNetworks#TORCHSCRIPT}, written by {@link EmbeddingModels#importTorchScript})
 *       unless the networks were made with {@link EmbeddingNetworks#withTorchScript()}, the message
 *       saying so; with that opt-in, one whose engine is not PyTorch;
 *   <li>a mixture: a TorchScript directory with a {@code *.params} file or a file named {@value
 *       EmbeddingModels#MODEL_NAME} (which DJL would load before {@value
 *       EmbeddingModels#MODEL_NAME}{@code .pt}), or a directory of parameters with a {@code *.pt}
 *       file, so that what is loaded is never in doubt.
 * </ul>
 *
 * <p>A TorchScript directory is loaded by DJL's PyTorch engine from {@value
 * EmbeddingModels#MODEL_NAME}{@code .pt} ({@code PtModel.load} with no block: {@code
 * torch::jit::load}, mapped to the model's device, in eval mode, parameters frozen) with the same
 * translator, so the preprocessing, flip-sum and L2 normalisation are those of any export. Only
 * {@code mapLocation} is passed of the options {@code PtModel.load} reads ({@code extraFiles},
 * {@code trainParam}, {@code mapLocation}), so that a model traced on a GPU serves on the CPU; the
 * directory's {@value ServingConfig#FILE} cannot add options, since it may hold no key but those an
 * export writes.
 */
public final class ModelDirectory {

  /** The most bytes a {@value ServingConfig#FILE} may have; an export writes about 400. */
  public static final int MAX_PROPERTIES_BYTES = 64 * 1024;

  /** DJL's key naming the engine. */
  static final String ENGINE = "engine";

  /** DJL's key naming the block factory class. */
  static final String BLOCK_FACTORY = "blockFactory";

  /** DJL's key naming the translator factory class. */
  static final String TRANSLATOR_FACTORY = "translatorFactory";

  /**
   * {@code PtModel.load}'s option that loads a TorchScript file's tensors onto the model's device
   * rather than the one they were saved from.
   */
  static final String MAP_LOCATION_OPTION = "mapLocation";

  /** DJL's key (an option) naming the parameter file's prefix. */
  static final String MODEL_NAME_OPTION = "option.modelName";

  /** What an export writes for each of DJL's class-naming keys; nothing else is accepted. */
  private static final Map<String, String> FIXED = fixedValues();

  /** The keys {@link ServingConfig#toArguments} writes, in its order. */
  private static final List<String> SERVING_KEYS =
      List.of(
          ServingConfig.FORMAT_KEY,
          ServingConfig.BACKBONE,
          ServingConfig.EMBEDDING_SIZE,
          ServingConfig.CHANNELS,
          ServingConfig.HEIGHT,
          ServingConfig.WIDTH,
          ServingConfig.MEAN,
          ServingConfig.STD,
          ServingConfig.FLIP_SUM,
          ServingConfig.L2_NORMALIZE);

  /** The engine that runs a TorchScript directory. */
  static final String PYTORCH = "PyTorch";

  private final Path path;
  private final String engine;
  private final ServingConfig config;
  private final EmbeddingNetworks networks;

  private ModelDirectory(
      Path path, String engine, ServingConfig config, EmbeddingNetworks networks) {
    this.path = path;
    this.engine = engine;
    this.config = config;
    this.networks = networks;
  }

  /**
   * Checks an exported model directory of a built-in network and reads its configuration: {@link
   * #open(Path, EmbeddingNetworks)} with {@link EmbeddingNetworks#builtIn()}.
   *
   * @param dir the directory {@link EmbeddingModels#export} wrote
   * @return the checked directory
   * @throws NoSuchFileException if {@code dir}, its {@value ServingConfig#FILE} or its parameter
   *     file does not exist, or {@code dir} is not a directory
   * @throws MalformedModelException naming the file and the key or entry when the directory carries
   *     code or its {@value ServingConfig#FILE} is not what an export writes
   * @throws IOException if it cannot be read
   */
  public static ModelDirectory open(Path dir) throws IOException, MalformedModelException {
    return open(dir, EmbeddingNetworks.builtIn());
  }

  /**
   * Checks an exported model directory and reads its configuration.
   *
   * @param dir the directory {@link EmbeddingModels#export} wrote
   * @param networks the networks its {@value ServingConfig#BACKBONE} key may name, and which build
   *     them when it is loaded
   * @return the checked directory
   * @throws NoSuchFileException if {@code dir}, its {@value ServingConfig#FILE} or its parameter
   *     file does not exist, or {@code dir} is not a directory
   * @throws MalformedModelException naming the file and the key or entry when the directory carries
   *     code or its {@value ServingConfig#FILE} is not what an export writes
   * @throws IOException if it cannot be read
   */
  public static ModelDirectory open(Path dir, EmbeddingNetworks networks)
      throws IOException, MalformedModelException {
    Objects.requireNonNull(networks, "networks");
    Path absolute = dir.toAbsolutePath().normalize();
    if (!Files.isDirectory(absolute)) {
      throw new NoSuchFileException(
          absolute.toString(),
          null,
          Files.exists(absolute) ? "not a directory" : "no such model directory");
    }
    List<String> entries = entryNames(absolute);
    checkNoCode(absolute, entries);
    Path file = absolute.resolve(ServingConfig.FILE);
    Map<String, String> arguments = readProperties(file);
    for (Map.Entry<String, String> fixed : FIXED.entrySet()) {
      String value = arguments.get(fixed.getKey());
      if (value != null && !value.equals(fixed.getValue())) {
        throw new MalformedModelException(
            file
                + ": "
                + fixed.getKey()
                + "="
                + value
                + " is refused: an exported model is loaded with "
                + fixed.getValue()
                + " only, never with a class its directory names");
      }
    }
    String engine = arguments.get(ENGINE);
    if (engine == null || !Engine.getAllEngines().contains(engine)) {
      throw new MalformedModelException(
          file
              + ": "
              + (engine == null ? "missing key '" + ENGINE + "'" : ENGINE + "=" + engine)
              + " (the engine the parameters were saved with; available: "
              + Engine.getAllEngines()
              + ")");
    }
    ServingConfig config;
    try {
      config = ServingConfig.fromArguments(arguments, file, networks);
    } catch (IllegalArgumentException e) {
      throw new MalformedModelException(e.getMessage(), e);
    }
    if (config.isTorchScript() && !engine.equals(PYTORCH)) {
      throw new MalformedModelException(
          file
              + ": "
              + ENGINE
              + "="
              + engine
              + " is refused: a TorchScript model runs on "
              + PYTORCH);
    }
    checkNoMixture(absolute, entries, config.isTorchScript());
    Path model = absolute.resolve(modelFileName(config.isTorchScript()));
    if (!Files.isRegularFile(model)) {
      throw new NoSuchFileException(
          model.toString(),
          null,
          config.isTorchScript() ? "the traced TorchScript model" : "the exported parameters");
    }
    return new ModelDirectory(absolute, engine, config, networks);
  }

  /**
   * The {@code Criteria} that loads this directory with this library's factories alone: DJL reads
   * the parameters and {@value ServingConfig#FILE}'s keys, and creates no class by name.
   *
   * @return the criteria; {@code loadModel()} gives a model whose predictor maps an {@link Image}
   *     to its embedding
   */
  public Criteria<Image, float[]> criteria() {
    Criteria.Builder<Image, float[]> builder =
        Criteria.builder()
            .setTypes(Image.class, float[].class)
            .optModelPath(path)
            .optModelName(EmbeddingModels.MODEL_NAME)
            .optEngine(engine)
            // An instance, also for TorchScript (where it builds no block): without one, DJL would
            // look for a BlockFactory among the directory's classes.
            .optArgument(BLOCK_FACTORY, new EmbeddingBlockFactory(networks))
            .optTranslatorFactory(new EmbeddingTranslatorFactory(networks));
    if (config.isTorchScript()) {
      builder.optOption(MAP_LOCATION_OPTION, "true");
    }
    return builder.build();
  }

  /**
   * The directory.
   *
   * @return its absolute, normalised path
   */
  public Path path() {
    return path;
  }

  /**
   * The file the model is read from.
   *
   * @return {@code path()/embedding-0000.params}, or {@code path()/embedding.pt} for a TorchScript
   *     directory
   */
  public Path parameters() {
    return path.resolve(modelFileName(config.isTorchScript()));
  }

  /**
   * Whether this directory holds a traced TorchScript model ({@link
   * EmbeddingModels#importTorchScript}), which only a registry made with {@link
   * EmbeddingNetworks#withTorchScript()} opens.
   *
   * @return true for {@value ServingConfig#BACKBONE}={@value EmbeddingNetworks#TORCHSCRIPT}
   */
  public boolean isTorchScript() {
    return config.isTorchScript();
  }

  /** The model file's name: the TorchScript file or the parameters of epoch 0. */
  static String modelFileName(boolean torchScript) {
    return EmbeddingModels.MODEL_NAME + (torchScript ? ".pt" : "-0000.params");
  }

  /**
   * The engine the parameters were saved with.
   *
   * @return its name, e.g. {@code PyTorch}
   */
  public String engine() {
    return engine;
  }

  /**
   * The network and its preprocessing.
   *
   * @return the configuration
   */
  public ServingConfig config() {
    return config;
  }

  private static Map<String, String> fixedValues() {
    Map<String, String> fixed = new LinkedHashMap<>();
    fixed.put(BLOCK_FACTORY, EmbeddingBlockFactory.class.getName());
    fixed.put(TRANSLATOR_FACTORY, EmbeddingTranslatorFactory.class.getName());
    fixed.put(MODEL_NAME_OPTION, EmbeddingModels.MODEL_NAME);
    return Collections.unmodifiableMap(fixed);
  }

  /** The names of the directory's entries, sorted. */
  private static List<String> entryNames(Path dir) throws IOException {
    List<String> names = new ArrayList<>();
    try (Stream<Path> entries = Files.list(dir)) {
      for (Path entry : (Iterable<Path>) entries::iterator) {
        names.add(entry.getFileName().toString());
      }
    }
    names.sort(null);
    return names;
  }

  /** Refuses entries through which DJL would put code on a class path. */
  private static void checkNoCode(Path dir, List<String> entries) throws MalformedModelException {
    List<String> code = new ArrayList<>();
    for (String name : entries) {
      String lower = name.toLowerCase(Locale.ROOT);
      if (lower.equals("classes") || lower.endsWith(".jar") || lower.endsWith(".class")) {
        code.add(name);
      }
    }
    if (!code.isEmpty()) {
      throw new MalformedModelException(
          dir
              + ": refused: the model directory carries code ("
              + String.join(", ", code)
              + "); an export holds only "
              + ServingConfig.FILE
              + " and its parameters, and a model directory is data, never code");
    }
  }

  /**
   * Refuses a TorchScript directory with parameters, or a file DJL would load instead of its {@code
   * .pt}, and a directory of parameters with a TorchScript file.
   */
  private static void checkNoMixture(Path dir, List<String> entries, boolean torchScript)
      throws MalformedModelException {
    for (String name : entries) {
      String lower = name.toLowerCase(Locale.ROOT);
      if (torchScript && (lower.endsWith(".params") || name.equals(EmbeddingModels.MODEL_NAME))) {
        throw new MalformedModelException(
            dir.resolve(name)
                + ": refused: a TorchScript model directory ("
                + ServingConfig.BACKBONE
                + "="
                + EmbeddingNetworks.TORCHSCRIPT
                + ") holds "
                + modelFileName(true)
                + " and no other model file; remove it or import again");
      }
      if (!torchScript && lower.endsWith(".pt")) {
        throw new MalformedModelException(
            dir.resolve(name)
                + ": refused: a directory of exported parameters holds "
                + modelFileName(false)
                + " and no TorchScript file; remove it or export again");
      }
    }
  }

  /**
   * Reads the file as {@link Properties}, bounded in size, strict UTF-8, refusing a key given twice
   * and a key an export does not write.
   */
  private static Map<String, String> readProperties(Path file)
      throws IOException, MalformedModelException {
    if (!Files.isRegularFile(file)) {
      throw new NoSuchFileException(file.toString(), null, "the model's configuration");
    }
    byte[] bytes;
    try (InputStream in = Files.newInputStream(file)) {
      // Read one byte past the bound: the size a file system reports is not trusted (a link to a
      // device reports 0 and never ends).
      bytes = in.readNBytes(MAX_PROPERTIES_BYTES + 1);
    }
    if (bytes.length > MAX_PROPERTIES_BYTES) {
      throw new MalformedModelException(
          file + ": larger than " + MAX_PROPERTIES_BYTES + " bytes; an export writes about 400");
    }
    String text;
    try {
      text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(bytes))
              .toString();
    } catch (CharacterCodingException e) {
      throw new MalformedModelException(file + ": not UTF-8 text", e);
    }
    Map<String, String> arguments = new LinkedHashMap<>();
    List<String> repeated = new ArrayList<>();
    Properties strict =
        new Properties() {
          private static final long serialVersionUID = 1L;

          @Override
          public synchronized Object put(Object key, Object value) {
            if (arguments.putIfAbsent((String) key, (String) value) != null) {
              repeated.add((String) key);
            }
            return super.put(key, value);
          }
        };
    strict.load(new StringReader(text));
    if (!repeated.isEmpty()) {
      throw new MalformedModelException(
          file + ": key '" + repeated.get(0) + "' is given more than once");
    }
    for (String key : arguments.keySet()) {
      if (!key.equals(ENGINE) && !FIXED.containsKey(key) && !SERVING_KEYS.contains(key)) {
        throw new MalformedModelException(
            file
                + ": unknown key '"
                + key
                + "'; an export writes "
                + ENGINE
                + ", "
                + String.join(", ", FIXED.keySet())
                + " and "
                + String.join(", ", SERVING_KEYS));
      }
    }
    return arguments;
  }

  /**
   * Whether a path is a model directory rather than a run or checkpoint: a directory with a {@value
   * ServingConfig#FILE}.
   *
   * @param path a path given as a model
   * @return true if it looks like an export (it may still be refused by {@link #open})
   */
  public static boolean isExport(Path path) {
    return Files.isRegularFile(path.resolve(ServingConfig.FILE));
  }
}
