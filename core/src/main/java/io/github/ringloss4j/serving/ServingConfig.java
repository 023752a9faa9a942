package io.github.ringloss4j.serving;

import io.github.ringloss4j.backbone.Backbones;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * What an exported embedding model is: the network by name (built in, {@link Backbones#NAMES}, or
 * registered in {@link EmbeddingNetworks}) and embedding size, and its {@link Preprocessing}. It is
 * stored as the arguments (plain keys) of the model directory's {@value #FILE}, which DJL hands to
 * {@link EmbeddingBlockFactory} and {@link EmbeddingTranslatorFactory}; both read it with {@link
 * #fromArguments}, so a missing or invalid key fails the same way, naming the file and the key,
 * whichever runs first.
 *
 * <table>
 *   <caption>The keys</caption>
 *   <tr><th>key</th><th>value</th><th>example</th></tr>
 *   <tr><td>{@value #FORMAT_KEY}</td><td>the layout of these keys, {@value #FORMAT}</td>
 *       <td>1</td></tr>
 *   <tr><td>{@value #BACKBONE}</td><td>a {@link Backbones#NAMES built-in name} or one registered
 *       in the {@link EmbeddingNetworks} that loads it, or {@value EmbeddingNetworks#TORCHSCRIPT}
 *       for a traced model ({@link EmbeddingModels#importTorchScript})</td><td>iresnet50</td></tr>
 *   <tr><td>{@value #EMBEDDING_SIZE}</td><td>d ≥ 1</td><td>512</td></tr>
 *   <tr><td>{@value #CHANNELS}</td><td>1 (grey, BT.601 luma) or 3 (RGB)</td><td>3</td></tr>
 *   <tr><td>{@value #HEIGHT}, {@value #WIDTH}</td><td>the network's input size in pixels</td>
 *       <td>112</td></tr>
 *   <tr><td>{@value #MEAN}, {@value #STD}</td><td>one value per channel, comma-separated:
 *       {@code (x / 255 − mean) / std}</td><td>0.5,0.5,0.5</td></tr>
 *   <tr><td>{@value #FLIP_SUM}</td><td>{@code true} or {@code false}</td><td>true</td></tr>
 *   <tr><td>{@value #L2_NORMALIZE}</td><td>{@code true} or {@code false}</td><td>false</td></tr>
 * </table>
 *
 * <p>Every key is required: a default would let a file written by a newer version, or edited by
 * hand, be served with preprocessing its network was not trained for.
 *
 * @param backbone the network's name, in lower case: built in or registered in {@link
 *     EmbeddingNetworks}
 * @param embeddingSize d
 * @param preprocessing the image-to-embedding steps
 */
public record ServingConfig(String backbone, int embeddingSize, Preprocessing preprocessing) {

  /** The file DJL reads the arguments from, in the model directory. */
  public static final String FILE = "serving.properties";

  /** The version of this key layout that this class writes and reads. */
  public static final int FORMAT = 1;

  /** Key: the key layout's version, {@value #FORMAT}. */
  public static final String FORMAT_KEY = "exportFormat";

  /** Key: the network's name, built in or registered in {@link EmbeddingNetworks}. */
  public static final String BACKBONE = "backbone";

  /** Key: the embedding dimension d. */
  public static final String EMBEDDING_SIZE = "embeddingSize";

  /** Key: the input's channels, 1 or 3. */
  public static final String CHANNELS = "channels";

  /** Key: the input's height in pixels. */
  public static final String HEIGHT = "height";

  /** Key: the input's width in pixels. */
  public static final String WIDTH = "width";

  /** Key: the per-channel means, comma-separated. */
  public static final String MEAN = "mean";

  /** Key: the per-channel standard deviations, comma-separated. */
  public static final String STD = "std";

  /** Key: whether to add the mirror image's embedding. */
  public static final String FLIP_SUM = "flipSum";

  /** Key: whether to L2-normalise the embedding. */
  public static final String L2_NORMALIZE = "l2Normalize";

  /**
   * Validates the configuration.
   *
   * @param backbone the network's name, any letter case; stored in lower case. Only its form is
   *     checked here: whether it is known is decided by the {@link EmbeddingNetworks} that exports
   *     or loads it
   * @param embeddingSize d ≥ 1
   * @param preprocessing the preprocessing, whose input shape the network must take
   * @throws IllegalArgumentException for a malformed name, d &lt; 1, or an input shape a built-in
   *     network cannot take ({@link Backbones#checkInput})
   */
  public ServingConfig {
    backbone = EmbeddingNetworks.canonicalName(backbone);
    if (embeddingSize < 1) {
      throw new IllegalArgumentException("embedding size must be >= 1, got " + embeddingSize);
    }
    if (Backbones.NAMES.contains(backbone)) {
      Backbones.checkInput(backbone, preprocessing.input());
    }
  }

  /**
   * Whether this is a traced TorchScript model ({@link EmbeddingModels#importTorchScript}) rather
   * than a network built in code.
   *
   * @return true if the network is {@value EmbeddingNetworks#TORCHSCRIPT}
   */
  public boolean isTorchScript() {
    return backbone.equals(EmbeddingNetworks.TORCHSCRIPT);
  }

  /**
   * The configuration as {@value #FILE} arguments, in the order of the class documentation. Floats
   * are written with {@link Float#toString}, which {@link Float#parseFloat} reads back exactly.
   *
   * @return a new ordered map from key to value
   */
  public Map<String, String> toArguments() {
    Map<String, String> out = new LinkedHashMap<>();
    out.put(FORMAT_KEY, Integer.toString(FORMAT));
    out.put(BACKBONE, backbone);
    out.put(EMBEDDING_SIZE, Integer.toString(embeddingSize));
    Backbones.Input input = preprocessing.input();
    out.put(CHANNELS, Integer.toString(input.channels()));
    out.put(HEIGHT, Integer.toString(input.height()));
    out.put(WIDTH, Integer.toString(input.width()));
    out.put(MEAN, join(preprocessing.mean()));
    out.put(STD, join(preprocessing.std()));
    out.put(FLIP_SUM, Boolean.toString(preprocessing.flipSum()));
    out.put(L2_NORMALIZE, Boolean.toString(preprocessing.l2Normalize()));
    return out;
  }

  private static String join(float[] values) {
    return IntStream.range(0, values.length)
        .mapToObj(i -> Float.toString(values[i]))
        .collect(Collectors.joining(","));
  }

  /**
   * Reads the configuration of a built-in network from DJL's model arguments: {@link
   * #fromArguments(Map, Path, EmbeddingNetworks)} with {@link EmbeddingNetworks#builtIn()}.
   *
   * @param arguments the arguments; values are read with {@code toString()}
   * @param file the {@value #FILE} they came from, for messages
   * @return the configuration
   * @throws IllegalArgumentException naming the file and the key when a key is missing, has a value
   *     of the wrong form, or has an invalid value (listing the valid ones where there are few)
   */
  public static ServingConfig fromArguments(Map<String, ?> arguments, Path file) {
    return fromArguments(arguments, file, EmbeddingNetworks.builtIn());
  }

  /**
   * Reads the configuration from DJL's model arguments (the {@value #FILE} keys without the {@code
   * option.} prefix, plus any {@code Criteria} arguments, which take precedence).
   *
   * @param arguments the arguments; values are read with {@code toString()}
   * @param file the {@value #FILE} they came from, for messages
   * @param networks the networks the {@value #BACKBONE} key may name
   * @return the configuration
   * @throws IllegalArgumentException naming the file and the key when a key is missing, has a value
   *     of the wrong form, or has an invalid value (listing the valid ones where there are few, and
   *     the known networks for an unknown one)
   */
  public static ServingConfig fromArguments(
      Map<String, ?> arguments, Path file, EmbeddingNetworks networks) {
    Arguments r = new Arguments(arguments, file);
    int format = r.value(FORMAT_KEY, "the export format", Integer::parseInt);
    if (format != FORMAT) {
      throw r.invalid(
          FORMAT_KEY, "is not a format this version reads (" + FORMAT + "); re-export the model");
    }
    String backbone = r.value(BACKBONE, "the network, one of " + networks.names(), s -> s);
    if (backbone.equalsIgnoreCase(EmbeddingNetworks.TORCHSCRIPT) && !networks.allowsTorchScript()) {
      throw r.invalid(
          BACKBONE,
          "is refused: the directory holds a TorchScript model, a program that libtorch runs, and"
              + " loading one is an opt-in: EmbeddingModels.criteria(dir,"
              + " EmbeddingNetworks.builtIn().withTorchScript())");
    }
    if (!networks.contains(backbone)) {
      throw r.invalid(
          BACKBONE,
          "is not a known network; known: "
              + networks.names()
              + " (a network of your own loads only with the EmbeddingNetworks that registers it:"
              + " EmbeddingModels.criteria(dir, networks))");
    }
    int embeddingSize =
        r.value(EMBEDDING_SIZE, "the embedding dimension, >= 1", Arguments::positive);
    int channels = r.value(CHANNELS, "1 or 3", Integer::parseInt);
    int height = r.value(HEIGHT, "the input height in pixels, >= 1", Arguments::positive);
    int width = r.value(WIDTH, "the input width in pixels, >= 1", Arguments::positive);
    float[] mean = r.value(MEAN, "one mean per channel, comma-separated", Arguments::floats);
    float[] std = r.value(STD, "one std per channel, comma-separated", Arguments::floats);
    boolean flipSum = r.value(FLIP_SUM, "true or false", Arguments::bool);
    boolean l2Normalize = r.value(L2_NORMALIZE, "true or false", Arguments::bool);
    Backbones.Input input;
    try {
      input = new Backbones.Input(channels, height, width);
    } catch (IllegalArgumentException e) {
      throw r.wrap(CHANNELS + ", " + HEIGHT + ", " + WIDTH, e);
    }
    Preprocessing p;
    try {
      p = new Preprocessing(input, mean, std, flipSum, l2Normalize);
    } catch (IllegalArgumentException e) {
      throw r.wrap(MEAN + ", " + STD, e);
    }
    try {
      return new ServingConfig(backbone, embeddingSize, p);
    } catch (IllegalArgumentException e) {
      throw r.wrap(BACKBONE + ", " + CHANNELS + ", " + HEIGHT + ", " + WIDTH, e);
    }
  }

  /**
   * Reads {@value #FILE} of a model directory, as DJL would (with {@link Properties}), ignoring
   * DJL's own keys.
   *
   * @param modelDir the exported directory
   * @return the configuration
   * @throws NoSuchFileException if the directory has no {@value #FILE}
   * @throws IOException if it cannot be read
   * @throws IllegalArgumentException naming the key when the content is invalid
   */
  public static ServingConfig read(Path modelDir) throws IOException {
    Path file = modelDir.resolve(FILE);
    Properties properties = new Properties();
    try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      properties.load(in);
    }
    Map<String, String> arguments = new LinkedHashMap<>();
    for (String key : properties.stringPropertyNames()) {
      arguments.put(key, properties.getProperty(key));
    }
    return fromArguments(arguments, file);
  }

  /** Typed access to required arguments with messages that name the file and the key. */
  private static final class Arguments {
    private final Map<String, ?> arguments;
    private final Path file;

    Arguments(Map<String, ?> arguments, Path file) {
      this.arguments = arguments;
      this.file = file;
    }

    <T> T value(String key, String expected, Function<String, T> parse) {
      Object raw = arguments.get(key);
      if (raw == null) {
        throw new IllegalArgumentException(file + ": missing key '" + key + "' (" + expected + ")");
      }
      try {
        return parse.apply(raw.toString().trim());
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            file + ": " + key + "=" + raw + " is not valid; expected " + expected, e);
      }
    }

    IllegalArgumentException invalid(String key, String why) {
      return new IllegalArgumentException(file + ": " + key + "=" + arguments.get(key) + " " + why);
    }

    IllegalArgumentException wrap(String keys, IllegalArgumentException e) {
      return new IllegalArgumentException(file + ": " + keys + ": " + e.getMessage(), e);
    }

    static int positive(String s) {
      int v = Integer.parseInt(s);
      if (v < 1) {
        throw new IllegalArgumentException("not positive: " + v);
      }
      return v;
    }

    static boolean bool(String s) {
      if (!s.equals("true") && !s.equals("false")) {
        throw new IllegalArgumentException("not true or false: " + s);
      }
      return s.equals("true");
    }

    static float[] floats(String s) {
      String[] parts = s.split(",", -1);
      float[] out = new float[parts.length];
      for (int i = 0; i < parts.length; i++) {
        out[i] = Float.parseFloat(parts[i].trim());
      }
      return out;
    }
  }
}
