package io.github.ringloss4j.head;

import ai.djl.nn.Block;
import ai.djl.nn.core.Linear;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Classification heads by name, for configuration files and the command line.
 *
 * <p>A specification is a name, optionally followed by options in parentheses: {@code softmax},
 * {@code cosface(s=64, m=0.35)}, {@code normface(s=16, learn=true)}. Names and keys are
 * case-insensitive. An unknown name or option throws and lists the valid ones.
 *
 * <p>Partial FC: softmax, normface, cosface and arcface also take {@code sample=r}, r in (0, 1],
 * and then come wrapped in a {@link PartialFcHead} that trains on max(⌈r·C⌉, #positives) sampled
 * classes per step, e.g. {@code arcface(s=64, m=0.5, sample=0.1)}; {@code seed=n} (an integer,
 * default 0) seeds its sampler and is only valid with {@code sample}. An option of the head rather
 * than a separate {@code partialfc(...)} wrapper, because sampling changes how a head is trained,
 * not what it computes: the head keeps its name and options, and {@code sample=1} is the plain head
 * (bit for bit, in a wrapper whose checkpoints also carry the sampler's state). SphereFace,
 * L2-softmax, MagFace and AdaFace do not take it (see {@link PartialFcHead}; the last two take each
 * feature's norm, which a sampled head does not pass on).
 *
 * <table>
 *   <caption>Names and options</caption>
 *   <tr><th>name</th><th>head</th><th>options (default)</th></tr>
 *   <tr><td>softmax</td><td>{@link Linear}: Wx + b</td><td>sample, seed</td></tr>
 *   <tr><td>l2softmax</td><td>{@link L2SoftmaxHead}</td><td>alpha (16), learn (false)</td></tr>
 *   <tr><td>normface</td><td>{@link NormFaceHead}</td><td>s (16), learn (false), sample, seed</td></tr>
 *   <tr><td>sphereface</td><td>{@link SphereFaceHead}</td><td>m (4)</td></tr>
 *   <tr><td>cosface</td><td>{@link CosFaceHead}</td><td>s (30), m (0.35), learn (false), sample,
 *   seed</td></tr>
 *   <tr><td>arcface</td><td>{@link ArcFaceHead}</td><td>s (30), m (0.5), learn (false), sample,
 *   seed</td></tr>
 *   <tr><td>magface</td><td>{@link MagFaceHead}</td><td>s (64), la (10), ua (110), lm (0.45), um
 *   (0.8), lambda_g (35)</td></tr>
 *   <tr><td>adaface</td><td>{@link AdaFaceHead}</td><td>s (64), m (0.4), h (0.333), alpha
 *   (0.01)</td></tr>
 * </table>
 */
public final class Heads {

  /** The valid names, in the order error messages list them. */
  public static final List<String> NAMES =
      List.of(
          "softmax",
          "l2softmax",
          "normface",
          "sphereface",
          "cosface",
          "arcface",
          "magface",
          "adaface");

  private static final String SAMPLE = "sample";
  private static final String SEED = "seed";
  private static final List<String> SAMPLED_HEADS =
      List.of("softmax", "normface", "cosface", "arcface");

  private Heads() {}

  /**
   * Builds the head a specification names.
   *
   * @param spec a name such as {@code arcface}, optionally with options: {@code arcface(s=64)}
   * @param classes the number of classes, ≥ 1
   * @return a new, uninitialised head; a {@link PartialFcHead} around it with {@code sample=r}
   * @throws IllegalArgumentException for an unknown name or option, listing the valid ones, or an
   *     invalid value
   */
  public static Block create(String spec, int classes) {
    if (spec == null || spec.isBlank()) {
      throw new IllegalArgumentException("head must be one of " + NAMES + ", got an empty name");
    }
    HeadSupport.checkClasses(classes);
    String trimmed = spec.trim();
    int open = trimmed.indexOf('(');
    String name = (open < 0 ? trimmed : trimmed.substring(0, open)).trim().toLowerCase(Locale.ROOT);
    Map<String, String> options = open < 0 ? Map.of() : parseOptions(spec, trimmed, open);
    Block head = plain(spec, name, options, classes);
    if (!options.containsKey(SAMPLE)) {
      if (options.containsKey(SEED)) {
        throw new IllegalArgumentException(
            "head '" + spec + "': seed applies only with sample=r (Partial FC)");
      }
      return head;
    }
    double rate = number(spec, options, SAMPLE, 1);
    if (!(rate > 0 && rate <= 1)) {
      throw new IllegalArgumentException(
          "head '" + spec + "': sample must be in (0, 1], got " + options.get(SAMPLE));
    }
    return PartialFcHead.builder()
        .setHead(head)
        .optClasses(classes)
        .optSampleRate(rate)
        .optSeed(longInteger(spec, options, SEED, PartialFcHead.DEFAULT_SEED))
        .build();
  }

  private static Block plain(String spec, String name, Map<String, String> options, int classes) {
    switch (name) {
      case "softmax":
        checkKeys(spec, options, List.of(SAMPLE, SEED));
        return Linear.builder().setUnits(classes).build();
      case "l2softmax":
        checkKeys(spec, options, List.of("alpha", "learn"));
        return L2SoftmaxHead.builder()
            .setClasses(classes)
            .optScale(number(spec, options, "alpha", L2SoftmaxHead.DEFAULT_SCALE))
            .optLearnScale(flag(spec, options, "learn"))
            .build();
      case "normface":
        checkKeys(spec, options, List.of("s", "learn", SAMPLE, SEED));
        return NormFaceHead.builder()
            .setClasses(classes)
            .optScale(number(spec, options, "s", NormFaceHead.DEFAULT_SCALE))
            .optLearnScale(flag(spec, options, "learn"))
            .build();
      case "sphereface":
        checkKeys(spec, options, List.of("m"));
        return SphereFaceHead.builder()
            .setClasses(classes)
            .optMargin(integer(spec, options, "m", SphereFaceHead.DEFAULT_MARGIN))
            .build();
      case "cosface":
        checkKeys(spec, options, List.of("s", "m", "learn", SAMPLE, SEED));
        return CosFaceHead.builder()
            .setClasses(classes)
            .optScale(number(spec, options, "s", CosFaceHead.DEFAULT_SCALE))
            .optMargin(number(spec, options, "m", CosFaceHead.DEFAULT_MARGIN))
            .optLearnScale(flag(spec, options, "learn"))
            .build();
      case "arcface":
        checkKeys(spec, options, List.of("s", "m", "learn", SAMPLE, SEED));
        return ArcFaceHead.builder()
            .setClasses(classes)
            .optScale(number(spec, options, "s", ArcFaceHead.DEFAULT_SCALE))
            .optMargin(number(spec, options, "m", ArcFaceHead.DEFAULT_MARGIN))
            .optLearnScale(flag(spec, options, "learn"))
            .build();
      case "magface":
        checkKeys(spec, options, List.of("s", "la", "ua", "lm", "um", "lambda_g"));
        return MagFaceHead.builder()
            .setClasses(classes)
            .optScale(number(spec, options, "s", MagFaceHead.DEFAULT_SCALE))
            .optNormBounds(
                number(spec, options, "la", MagFaceHead.DEFAULT_LOWER_NORM),
                number(spec, options, "ua", MagFaceHead.DEFAULT_UPPER_NORM))
            .optMarginBounds(
                number(spec, options, "lm", MagFaceHead.DEFAULT_LOWER_MARGIN),
                number(spec, options, "um", MagFaceHead.DEFAULT_UPPER_MARGIN))
            .optLambdaG(number(spec, options, "lambda_g", MagFaceHead.DEFAULT_LAMBDA_G))
            .build();
      case "adaface":
        checkKeys(spec, options, List.of("s", "m", "h", "alpha"));
        return AdaFaceHead.builder()
            .setClasses(classes)
            .optScale(number(spec, options, "s", AdaFaceHead.DEFAULT_SCALE))
            .optMargin(number(spec, options, "m", AdaFaceHead.DEFAULT_MARGIN))
            .optH(number(spec, options, "h", AdaFaceHead.DEFAULT_H))
            .optAlpha(number(spec, options, "alpha", AdaFaceHead.DEFAULT_ALPHA))
            .build();
      default:
        throw new IllegalArgumentException(
            "unknown head '" + name + "' in '" + spec + "'; valid names: " + NAMES);
    }
  }

  private static Map<String, String> parseOptions(String spec, String trimmed, int open) {
    if (!trimmed.endsWith(")")) {
      throw new IllegalArgumentException("head '" + spec + "' opens '(' but does not end with ')'");
    }
    String body = trimmed.substring(open + 1, trimmed.length() - 1).trim();
    Map<String, String> options = new LinkedHashMap<>();
    if (body.isEmpty()) {
      return options;
    }
    for (String part : body.split(",")) {
      int eq = part.indexOf('=');
      if (eq < 0) {
        throw new IllegalArgumentException(
            "head '" + spec + "': option '" + part.trim() + "' is not of the form key=value");
      }
      String key = part.substring(0, eq).trim().toLowerCase(Locale.ROOT);
      if (options.put(key, part.substring(eq + 1).trim()) != null) {
        throw new IllegalArgumentException("head '" + spec + "': option '" + key + "' is repeated");
      }
    }
    return options;
  }

  private static void checkKeys(String spec, Map<String, String> options, List<String> allowed) {
    for (String key : options.keySet()) {
      if (!allowed.contains(key)) {
        throw new IllegalArgumentException(
            "head '"
                + spec
                + "' has no option '"
                + key
                + "'; "
                + (allowed.isEmpty() ? "it takes none" : "valid: " + allowed)
                + (key.equals(SAMPLE) ? "; sample=r (Partial FC) wraps " + SAMPLED_HEADS : ""));
      }
    }
  }

  private static double number(
      String spec, Map<String, String> options, String key, double defaultValue) {
    String value = options.get(key);
    if (value == null) {
      return defaultValue;
    }
    try {
      return Double.parseDouble(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "head '" + spec + "': " + key + " must be a number, got '" + value + "'", e);
    }
  }

  private static int integer(
      String spec, Map<String, String> options, String key, int defaultValue) {
    String value = options.get(key);
    if (value == null) {
      return defaultValue;
    }
    try {
      return Integer.parseInt(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "head '" + spec + "': " + key + " must be an integer, got '" + value + "'", e);
    }
  }

  private static long longInteger(
      String spec, Map<String, String> options, String key, long defaultValue) {
    String value = options.get(key);
    if (value == null) {
      return defaultValue;
    }
    try {
      return Long.parseLong(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "head '" + spec + "': " + key + " must be an integer, got '" + value + "'", e);
    }
  }

  private static boolean flag(String spec, Map<String, String> options, String key) {
    String value = options.get(key);
    if (value == null) {
      return false;
    }
    switch (value.toLowerCase(Locale.ROOT)) {
      case "true":
        return true;
      case "false":
        return false;
      default:
        throw new IllegalArgumentException(
            "head '" + spec + "': " + key + " must be true or false, got '" + value + "'");
    }
  }
}
