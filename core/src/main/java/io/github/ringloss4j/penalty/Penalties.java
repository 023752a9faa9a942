package io.github.ringloss4j.penalty;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Penalties by name, for configuration files and the command line.
 *
 * <p>A specification is a name, optionally followed by parameters in parentheses: {@code squared},
 * {@code huber(delta=0.5)}, {@code cauchy(scale=2.3849)}, {@code barron(alpha=0, scale=1)}. Names
 * are case-insensitive. An unknown name or parameter throws and lists the valid ones; the Keras
 * package silently fell back to Huber instead, which hid typos.
 *
 * <table>
 *   <caption>Names and parameters</caption>
 *   <tr><th>name</th><th>penalty</th><th>parameters (default)</th></tr>
 *   <tr><td>squared, l2</td><td>½e² (the paper; default)</td><td>none</td></tr>
 *   <tr><td>huber</td><td>symmetric Huber</td><td>delta (1)</td></tr>
 *   <tr><td>smoothl1</td><td>Huber with δ = 1</td><td>none</td></tr>
 *   <tr><td>cauchy</td><td>Cauchy</td><td>scale (2.3849)</td></tr>
 *   <tr><td>geman, geman-mcclure</td><td>Geman-McClure</td><td>scale (1)</td></tr>
 *   <tr><td>barron</td><td>Barron's general loss</td><td>alpha (1), scale (1)</td></tr>
 *   <tr><td>keras-huber</td><td>the Keras package's asymmetric Huber</td><td>delta (1)</td></tr>
 * </table>
 */
public final class Penalties {

  /** The valid names, in the order error messages list them. */
  public static final List<String> NAMES =
      List.of(
          "squared",
          "l2",
          "huber",
          "smoothl1",
          "cauchy",
          "geman",
          "geman-mcclure",
          "barron",
          "keras-huber");

  /** The loss types the Keras package's {@code Ring_Loss} accepted. */
  public static final List<String> KERAS_LOSS_TYPES =
      List.of("huber", "squared", "cauchy", "geman", "smoothl1", "l2");

  private Penalties() {}

  /**
   * The default penalty, the paper's ½e².
   *
   * @return {@link SquaredPenalty#INSTANCE}
   */
  public static Penalty defaultPenalty() {
    return SquaredPenalty.INSTANCE;
  }

  /**
   * Parses a penalty specification such as {@code huber(delta=0.5)}.
   *
   * @param spec the specification
   * @return the penalty
   * @throws IllegalArgumentException naming the valid names or parameters when the specification is
   *     not understood
   */
  public static Penalty parse(String spec) {
    if (spec == null || spec.isBlank()) {
      throw new IllegalArgumentException("penalty must be one of " + NAMES + ", got an empty name");
    }
    String trimmed = spec.trim();
    int open = trimmed.indexOf('(');
    String name = (open < 0 ? trimmed : trimmed.substring(0, open)).trim().toLowerCase(Locale.ROOT);
    Map<String, Double> params = open < 0 ? Map.of() : parseParams(spec, trimmed, open);
    switch (name) {
      case "squared":
      case "l2":
        checkKeys(spec, params, Set.of());
        return SquaredPenalty.INSTANCE;
      case "huber":
        checkKeys(spec, params, Set.of("delta"));
        return new HuberPenalty(params.getOrDefault("delta", 1.0));
      case "smoothl1":
        checkKeys(spec, params, Set.of());
        return HuberPenalty.smoothL1();
      case "cauchy":
        checkKeys(spec, params, Set.of("scale"));
        return new CauchyPenalty(params.getOrDefault("scale", CauchyPenalty.DEFAULT_SCALE));
      case "geman":
      case "geman-mcclure":
        checkKeys(spec, params, Set.of("scale"));
        return new GemanMcClurePenalty(params.getOrDefault("scale", 1.0));
      case "barron":
        checkKeys(spec, params, Set.of("alpha", "scale"));
        return new BarronPenalty(
            params.getOrDefault("alpha", 1.0), params.getOrDefault("scale", 1.0));
      case "keras-huber":
        checkKeys(spec, params, Set.of("delta"));
        return new KerasHuberPenalty(params.getOrDefault("delta", 1.0));
      default:
        throw new IllegalArgumentException(
            "unknown penalty '" + name + "' in '" + spec + "'; valid names: " + NAMES);
    }
  }

  /**
   * The penalty the Keras package's {@code Ring_Loss(loss_type=...)} computed, exactly, including
   * its asymmetric Huber for {@code huber} and its older name {@code smoothl1}.
   *
   * @param lossType one of {@link #KERAS_LOSS_TYPES}
   * @return the penalty that reproduces the Keras package
   * @throws IllegalArgumentException for any other name (the Keras package fell back to Huber)
   */
  public static Penalty keras(String lossType) {
    String name = lossType == null ? "" : lossType.trim().toLowerCase(Locale.ROOT);
    switch (name) {
      case "huber":
      case "smoothl1":
        return new KerasHuberPenalty(1.0);
      case "squared":
      case "l2":
        return SquaredPenalty.INSTANCE;
      case "cauchy":
        return new CauchyPenalty(CauchyPenalty.DEFAULT_SCALE);
      case "geman":
        return GemanMcClurePenalty.kerasForm(0.5);
      default:
        throw new IllegalArgumentException(
            "unknown Keras loss_type '"
                + lossType
                + "'; valid: "
                + KERAS_LOSS_TYPES
                + " (the Keras package silently used huber here)");
    }
  }

  private static Map<String, Double> parseParams(String spec, String trimmed, int open) {
    if (!trimmed.endsWith(")")) {
      throw new IllegalArgumentException(
          "penalty '" + spec + "' opens '(' but does not end with ')'");
    }
    String body = trimmed.substring(open + 1, trimmed.length() - 1).trim();
    Map<String, Double> params = new LinkedHashMap<>();
    if (body.isEmpty()) {
      return params;
    }
    for (String part : body.split(",")) {
      int eq = part.indexOf('=');
      if (eq < 0) {
        throw new IllegalArgumentException(
            "penalty '" + spec + "': parameter '" + part.trim() + "' is not of the form key=value");
      }
      String key = part.substring(0, eq).trim().toLowerCase(Locale.ROOT);
      String value = part.substring(eq + 1).trim();
      try {
        params.put(key, parseNumber(value));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            "penalty '" + spec + "': " + key + " must be a number, got '" + value + "'", e);
      }
    }
    return params;
  }

  private static double parseNumber(String value) {
    String v = value.toLowerCase(Locale.ROOT);
    if (v.equals("-inf") || v.equals("-infinity")) {
      return Double.NEGATIVE_INFINITY;
    }
    if (v.equals("inf") || v.equals("infinity")) {
      return Double.POSITIVE_INFINITY;
    }
    return Double.parseDouble(value);
  }

  private static void checkKeys(String spec, Map<String, Double> params, Set<String> allowed) {
    for (String key : params.keySet()) {
      if (!allowed.contains(key)) {
        throw new IllegalArgumentException(
            "penalty '"
                + spec
                + "' has no parameter '"
                + key
                + "'; "
                + (allowed.isEmpty() ? "it takes none" : "valid: " + allowed));
      }
    }
  }
}
