package io.github.ringloss4j.serving;

import ai.djl.nn.Block;
import io.github.ringloss4j.backbone.Backbones;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The embedding networks an export may name and a loader may build, by name: the built-in {@link
 * Backbones} ({@link Backbones#NAMES}) and those registered here, in code, with their {@link
 * EmbeddingNetwork}. Immutable: {@link #with} returns a new registry.
 *
 * <p>This is how a network of one's own is exported and served. Both sides register it under the
 * same name:
 *
 * <pre>{@code
 * EmbeddingNetworks networks = EmbeddingNetworks.builtIn().with("my-cnn", MyNets::cnn);
 * EmbeddingModels.export(trained, "my-cnn", 64, Preprocessing.of(input), dir, networks);
 * Criteria<Image, float[]> criteria = EmbeddingModels.criteria(dir, networks);
 * }</pre>
 *
 * <p>A model directory only ever holds the name: loading resolves it through the registry the
 * caller passes, never through a class the directory names, and refuses a name that is not
 * registered there.
 *
 * <p>Names are case-insensitive and kept in lower case; a registered name is 1 to {@value
 * #MAX_NAME_LENGTH} letters, digits, {@code .}, {@code _} or {@code -}, starting with a letter or
 * digit, and is neither a built-in name nor {@value #TORCHSCRIPT}.
 *
 * <p><b>TorchScript.</b> The reserved name {@value #TORCHSCRIPT} marks a model directory that holds
 * a traced PyTorch model ({@link EmbeddingModels#importTorchScript}) instead of parameters for a
 * network built here. Such a file is a program: libtorch's interpreter runs it, and it may call any
 * operator libtorch registers (file and network I/O among them). A registry refuses it unless it
 * was made with {@link #withTorchScript()}, so that a directory can never turn a service that reads
 * data into one that runs code without the code saying so. The opt-in is one method, not a policy
 * object: whether to run the file is the only decision there is, and everything else about the
 * directory (its {@code serving.properties}, no code entries, no class named) is checked as for any
 * export.
 */
public final class EmbeddingNetworks {

  /**
   * The reserved network name of a TorchScript model directory: never registered, known only to a
   * registry made with {@link #withTorchScript()}.
   */
  public static final String TORCHSCRIPT = "torchscript";

  /** The longest name that may be registered. */
  public static final int MAX_NAME_LENGTH = 64;

  private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]*");

  private static final EmbeddingNetworks BUILT_IN = new EmbeddingNetworks(Map.of(), false);

  /** The registered networks, in registration order; never a built-in name. */
  private final Map<String, EmbeddingNetwork> registered;

  /** Whether {@value #TORCHSCRIPT} directories may be loaded. */
  private final boolean torchScript;

  private EmbeddingNetworks(Map<String, EmbeddingNetwork> registered, boolean torchScript) {
    this.registered = registered;
    this.torchScript = torchScript;
  }

  /**
   * The built-in networks alone.
   *
   * @return the registry of {@link Backbones#NAMES}
   */
  public static EmbeddingNetworks builtIn() {
    return BUILT_IN;
  }

  /**
   * This registry and one more network.
   *
   * @param name the name an export writes into {@value ServingConfig#FILE}, any letter case
   * @param network builds a new, uninitialised network of that architecture on each call
   * @return a new registry; this one is unchanged
   * @throws IllegalArgumentException if the name is malformed, built in, {@value #TORCHSCRIPT}, or
   *     already registered
   * @throws NullPointerException if {@code network} is null
   */
  public EmbeddingNetworks with(String name, EmbeddingNetwork network) {
    Objects.requireNonNull(network, "network");
    String canonical = canonicalName(name);
    if (Backbones.NAMES.contains(canonical)) {
      throw new IllegalArgumentException(
          "'" + name + "' is a built-in network (" + Backbones.NAMES + "); choose another name");
    }
    if (canonical.equals(TORCHSCRIPT)) {
      throw new IllegalArgumentException(
          "'"
              + name
              + "' is reserved for TorchScript model directories (withTorchScript()); choose"
              + " another name");
    }
    if (registered.containsKey(canonical)) {
      throw new IllegalArgumentException(
          "a network named '" + canonical + "' is already registered");
    }
    Map<String, EmbeddingNetwork> more = new LinkedHashMap<>(registered);
    more.put(canonical, network);
    return new EmbeddingNetworks(Collections.unmodifiableMap(more), torchScript);
  }

  /**
   * This registry, and TorchScript model directories ({@link EmbeddingModels#importTorchScript})
   * too: the opt-in to running a traced model's program.
   *
   * <pre>{@code
   * Criteria<Image, float[]> criteria =
   *     EmbeddingModels.criteria(dir, EmbeddingNetworks.builtIn().withTorchScript());
   * }</pre>
   *
   * <p>What is then trusted is {@code embedding.pt} itself: libtorch deserialises it and its
   * interpreter runs its code on every prediction, with whatever operators libtorch registers, in
   * the serving process. Use it for files one would also {@code torch.jit.load}. The rest of the
   * directory is still checked as untrusted data ({@link ModelDirectory}).
   *
   * @return a new registry with the same registrations that also knows {@value #TORCHSCRIPT}
   */
  public EmbeddingNetworks withTorchScript() {
    return torchScript ? this : new EmbeddingNetworks(registered, true);
  }

  /**
   * Whether this registry loads TorchScript model directories.
   *
   * @return true if it was made with {@link #withTorchScript()}
   */
  public boolean allowsTorchScript() {
    return torchScript;
  }

  /**
   * Every name this registry resolves.
   *
   * @return the built-in names, then the registered ones in registration order, then {@value
   *     #TORCHSCRIPT} if {@link #allowsTorchScript()}
   */
  public List<String> names() {
    List<String> names = new ArrayList<>(Backbones.NAMES);
    names.addAll(registered.keySet());
    if (torchScript) {
      names.add(TORCHSCRIPT);
    }
    return Collections.unmodifiableList(names);
  }

  /**
   * Whether a name is built in or registered here.
   *
   * @param name any string, any letter case
   * @return true if it is one of {@link #names()}
   */
  public boolean contains(String name) {
    return name != null && names().contains(name.trim().toLowerCase(Locale.ROOT));
  }

  /**
   * Whether a name is one of this registry's own registrations, not a built-in network.
   *
   * @param name a name in any letter case
   * @return true if it was registered with {@link #with}
   */
  public boolean isRegistered(String name) {
    return name != null && registered.containsKey(name.trim().toLowerCase(Locale.ROOT));
  }

  /**
   * The name as stored, after checking that this registry knows it.
   *
   * @param name a network name, any letter case
   * @return its lower-case form
   * @throws IllegalArgumentException for a name this registry does not know, listing those it does
   */
  public String require(String name) {
    if (!contains(name)) {
      throw new IllegalArgumentException(
          "unknown network '"
              + name
              + "'; known: "
              + names()
              + " (a network of your own is exported and loaded under a name registered in"
              + " EmbeddingNetworks: EmbeddingNetworks.builtIn().with(name, factory))");
    }
    return name.trim().toLowerCase(Locale.ROOT);
  }

  /**
   * Builds a network by name: {@link Backbones#create} after {@link Backbones#checkInput} for a
   * built-in one, the registered {@link EmbeddingNetwork} otherwise.
   *
   * @param name a known name, any letter case
   * @param embeddingSize d ≥ 1
   * @param input the image shape it is to take
   * @return a new, uninitialised network
   * @throws IllegalArgumentException for an unknown name or {@value #TORCHSCRIPT} (whose network is
   *     the program in its file, not one built here), or when the network cannot have that size or
   *     take that input
   * @throws IllegalStateException if a registered network returns null
   */
  public Block newBlock(String name, int embeddingSize, Backbones.Input input) {
    String canonical = require(name);
    if (canonical.equals(TORCHSCRIPT)) {
      throw new IllegalArgumentException(
          "a TorchScript model is not built from code: it is the traced program its directory"
              + " holds (EmbeddingModels.importTorchScript writes one)");
    }
    EmbeddingNetwork network = registered.get(canonical);
    if (network == null) {
      Backbones.checkInput(canonical, input);
      return Backbones.create(canonical, embeddingSize);
    }
    Block block = network.newBlock(embeddingSize, input);
    if (block == null) {
      throw new IllegalStateException("the network registered as '" + canonical + "' built null");
    }
    return block;
  }

  /**
   * The stored form of a network name, built in or not: lower case, checked for form only.
   *
   * @param name a name
   * @return its lower-case form
   * @throws IllegalArgumentException if it is null or not of the form of the class comment
   */
  static String canonicalName(String name) {
    String lower = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
    if (lower.length() > MAX_NAME_LENGTH || !NAME.matcher(lower).matches()) {
      throw new IllegalArgumentException(
          "a network name is 1 to "
              + MAX_NAME_LENGTH
              + " letters, digits, '.', '_' or '-', starting with a letter or digit; got '"
              + name
              + "'");
    }
    return lower;
  }

  @Override
  public String toString() {
    return "EmbeddingNetworks" + names();
  }
}
