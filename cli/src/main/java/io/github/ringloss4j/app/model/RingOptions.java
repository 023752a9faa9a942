package io.github.ringloss4j.app.model;

import static io.github.ringloss4j.app.io.OptionChecks.require;

import com.google.gson.TypeAdapter;
import com.google.gson.annotations.JsonAdapter;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import com.google.gson.stream.JsonWriter;
import java.io.IOException;
import java.util.Objects;
import java.util.OptionalDouble;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/**
 * The ring term: its weight λ, the penalty ρ and how R starts and learns. One group of the training
 * options: picocli fills it from the command line, a checkpoint saves it; each option's default is
 * declared once, in its annotation.
 */
public final class RingOptions {

  /** The default of {@code --lambda}, the paper's λ, shared with {@code demo}. */
  public static final String DEFAULT_LAMBDA = "0.01";

  /** The text of an automatic R learning-rate multiplier. */
  public static final String AUTO = "auto";

  @Option(
      names = "--lambda",
      defaultValue = DEFAULT_LAMBDA,
      description =
          "Ring weight λ; 0 trains softmax alone. Default: ${DEFAULT-VALUE} (the paper's).")
  private double lambda;

  @Option(
      names = "--penalty",
      defaultValue = "squared",
      converter = PenaltySpec.Converter.class,
      description =
          "squared, huber(delta=1), smoothl1, cauchy(scale=2.3849), geman(scale=1),"
              + " barron(alpha=1,scale=1), keras-huber. Default: ${DEFAULT-VALUE}.")
  private PenaltySpec penalty;

  @Option(
      names = "--radius-init",
      defaultValue = RadiusStart.FIRST_BATCH,
      converter = RadiusStart.Converter.class,
      description =
          "first-batch (mean norm of the first batch) or a number. Default: ${DEFAULT-VALUE}.")
  private RadiusStart radiusInit;

  @Option(names = "--freeze-radius", description = "Keep R at its initial value.")
  private boolean radiusFrozen;

  /** Null for {@value #AUTO}: the ring block then chooses it for the optimiser. */
  @Option(
      names = "--radius-lr-mult",
      defaultValue = AUTO,
      converter = AutoOrNumber.class,
      description =
          "R's learning-rate multiplier, or auto: 1/λ with SGD (R then tracks the mean norm at the"
              + " base learning rate whatever λ is), 1 with Adam (which rescales gradients itself)."
              + " Default: ${DEFAULT-VALUE}.")
  @JsonAdapter(value = AutoOrNumberJson.class, nullSafe = false)
  private Double radiusLrMultiplier;

  /** For picocli and Gson, which fill the fields. */
  private RingOptions() {}

  /**
   * The ring weight λ; 0 trains softmax alone.
   *
   * @return {@code --lambda}
   */
  public double lambda() {
    return lambda;
  }

  /**
   * The penalty ρ.
   *
   * @return {@code --penalty}
   */
  public PenaltySpec penalty() {
    return penalty;
  }

  /**
   * Where R starts.
   *
   * @return {@code --radius-init}
   */
  public RadiusStart radiusInit() {
    return radiusInit;
  }

  /**
   * Whether R is frozen at its start.
   *
   * @return {@code --freeze-radius}
   */
  public boolean radiusFrozen() {
    return radiusFrozen;
  }

  /**
   * R's learning-rate multiplier as given.
   *
   * @return the number, or empty for {@value #AUTO}
   */
  public OptionalDouble radiusLrMultiplier() {
    return radiusLrMultiplier == null
        ? OptionalDouble.empty()
        : OptionalDouble.of(radiusLrMultiplier);
  }

  /**
   * How the library sets R's multiplier for this run ({@code
   * RingLossBlock.getRadiusLearningRateMultiplier}, the one place that decides), for reports.
   *
   * @param optimizer the run's optimiser
   * @return the number given, or {@code 1/λ} (SGD) or {@code 1} (Adam) for {@value #AUTO}
   */
  public String radiusLrMultiplierRule(OptimizerKind optimizer) {
    if (radiusLrMultiplier != null) {
      return Double.toString(radiusLrMultiplier);
    }
    return optimizer == OptimizerKind.SGD ? "1/λ" : "1";
  }

  /**
   * Checks the ranges the types do not.
   *
   * @throws IllegalArgumentException naming the first bad option
   */
  public void validate() {
    require(lambda >= 0 && Double.isFinite(lambda), "--lambda", lambda, "finite and >= 0");
    require(penalty != null, "--penalty", null, "a penalty");
    require(radiusInit != null, "--radius-init", null, "'first-batch' or a number >= 0");
    require(
        radiusLrMultiplier == null
            || (radiusLrMultiplier > 0 && Double.isFinite(radiusLrMultiplier)),
        "--radius-lr-mult",
        radiusLrMultiplier,
        "a number > 0 or auto");
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RingOptions r
        && Double.compare(lambda, r.lambda) == 0
        && Objects.equals(penalty, r.penalty)
        && Objects.equals(radiusInit, r.radiusInit)
        && radiusFrozen == r.radiusFrozen
        && Objects.equals(radiusLrMultiplier, r.radiusLrMultiplier);
  }

  @Override
  public int hashCode() {
    return Objects.hash(lambda, penalty, radiusInit, radiusFrozen, radiusLrMultiplier);
  }

  /** Parses {@code --radius-lr-mult}: {@value #AUTO} is null, anything else a number. */
  static final class AutoOrNumber implements ITypeConverter<Double> {
    @Override
    public Double convert(String value) {
      if (value.equals(AUTO)) {
        return null;
      }
      try {
        return Double.valueOf(value);
      } catch (NumberFormatException e) {
        throw new TypeConversionException("must be a number > 0 or auto, got '" + value + "'");
      }
    }
  }

  /** Saves the multiplier as the command line writes it: {@value #AUTO} or a number. */
  static final class AutoOrNumberJson extends TypeAdapter<Double> {
    @Override
    public void write(JsonWriter out, Double value) throws IOException {
      if (value == null) {
        out.value(AUTO);
      } else {
        out.value(value);
      }
    }

    @Override
    public Double read(JsonReader in) throws IOException {
      JsonToken token = in.peek();
      if (token == JsonToken.NUMBER) {
        return in.nextDouble();
      }
      if (token == JsonToken.NULL) {
        in.nextNull();
        return null;
      }
      String text = in.nextString();
      if (!text.equals(AUTO)) {
        throw new IOException(
            "radiusLrMultiplier must be a number or \"auto\", got '" + text + "'");
      }
      return null;
    }
  }
}
