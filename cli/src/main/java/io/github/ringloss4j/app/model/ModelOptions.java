package io.github.ringloss4j.app.model;

import static io.github.ringloss4j.app.io.OptionChecks.require;

import io.github.ringloss4j.app.data.InputNormalization;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import picocli.CommandLine.Option;

/**
 * The network a run trains: backbone, embedding size, head and center loss. One group of the
 * training options: picocli fills it from the command line, a checkpoint saves it; each option's
 * default is declared once, in its annotation.
 */
public final class ModelOptions {

  /** The default of {@code --embedding-size}, shared with {@code compare}. */
  public static final String DEFAULT_EMBEDDING_SIZE = "128";

  @Option(
      names = "--model",
      paramLabel = "<model>",
      defaultValue = "cnn",
      description =
          "Backbone: cnn (28x28 inputs), resnet (face-size inputs), or the face networks"
              + " iresnet18, iresnet34, iresnet50, iresnet100, mobilefacenet (3x112x112 inputs"
              + " only: --image-size 112 --channels 3). Default: ${DEFAULT-VALUE}.")
  private Backbone backbone;

  @Option(
      names = "--embedding-size",
      defaultValue = DEFAULT_EMBEDDING_SIZE,
      description = "Embedding dimension. Default: ${DEFAULT-VALUE}.")
  private int embeddingSize;

  @Option(
      names = "--head",
      defaultValue = "softmax",
      converter = HeadSpec.Converter.class,
      description =
          "Classification head: softmax, l2softmax(alpha=16), normface(s=16), sphereface(m=4),"
              + " cosface(s=30,m=0.35), arcface(s=30,m=0.5). Default: ${DEFAULT-VALUE}.")
  private HeadSpec head;

  @Option(
      names = "--center-lambda",
      defaultValue = "0",
      description =
          "Center-loss weight λc (Wen et al. 2016); 0 for none. Default: ${DEFAULT-VALUE}.")
  private double centerLambda;

  @Option(
      names = "--sample-rate",
      defaultValue = "1",
      description =
          "Partial FC (An et al. 2021): each step's logits cover the batch's classes plus this"
              + " fraction of all classes, drawn at random; 1 is the full head. For softmax,"
              + " normface, cosface, arcface. Default: ${DEFAULT-VALUE}.")
  private double sampleRate = 1;

  @Option(
      names = "--sparse-update",
      description =
          "With --sample-rate below 1: update only each step's sampled rows of the head's weights"
              + " and of their momentum (Partial FC's sparse update; the other rows and their"
              + " momentum stand still, no decay), instead of every row. One device only.")
  private boolean sparseUpdate;

  @Option(
      names = "--init-from",
      paramLabel = "DIR",
      description =
          "Start the backbone from an exported model directory ('ringloss export' or 'ringloss"
              + " import'): its parameters, BatchNorm running statistics included; the head and R"
              + " start as usual. Its network, embedding size and input shape must be the run's;"
              + " its input normalisation becomes the run's (--input-mean, --input-std). Saved"
              + " with the run: --resume continues from the checkpoint.")
  private Path initFrom;

  /** Null when not given: 0, or the {@code --init-from} directory's (also for older runs). */
  @Option(
      names = "--input-mean",
      split = ",",
      paramLabel = "M",
      description =
          "Input normalisation: the network is fed (x/255 - M) / S per channel; one value for"
              + " every channel or one per channel. Saved with the run and written by export."
              + " Default: 0, or the --init-from directory's (InsightFace's: 0.5).")
  private List<Float> inputMean;

  /** Null when not given: 1, or the {@code --init-from} directory's (also for older runs). */
  @Option(
      names = "--input-std",
      split = ",",
      paramLabel = "S",
      description =
          "Input normalisation's S, positive; one value for every channel or one per channel."
              + " Default: 1, or the --init-from directory's (InsightFace's: 0.5).")
  private List<Float> inputStd;

  /** For picocli and Gson, which fill the fields. */
  private ModelOptions() {}

  /**
   * The backbone.
   *
   * @return {@code --model}
   */
  public Backbone backbone() {
    return backbone;
  }

  /**
   * The embedding dimension.
   *
   * @return {@code --embedding-size}
   */
  public int embeddingSize() {
    return embeddingSize;
  }

  /**
   * The classification head.
   *
   * @return {@code --head}
   */
  public HeadSpec head() {
    return head;
  }

  /**
   * The center-loss weight λc, 0 for none.
   *
   * @return {@code --center-lambda}
   */
  public double centerLambda() {
    return centerLambda;
  }

  /**
   * Whether Partial FC updates only each step's sampled rows of the head's weights and momentum.
   *
   * @return {@code --sparse-update}
   */
  public boolean sparseUpdate() {
    return sparseUpdate;
  }

  /**
   * The fraction of the classes each training step's logits cover (Partial FC).
   *
   * @return {@code --sample-rate}, 1 for the full head
   */
  public double sampleRate() {
    return sampleRate;
  }

  /**
   * The exported model directory the backbone starts from.
   *
   * @return {@code --init-from}, null to start from the backbone's initialisation
   */
  public Path initFrom() {
    return initFrom;
  }

  /**
   * The input normalisation for a run's input channels: {@code --input-mean} and {@code
   * --input-std}, a single value repeated for every channel; 0 and 1 where not given.
   *
   * @param channels the run's input channels, 1 or 3
   * @return the normalisation
   * @throws IllegalArgumentException naming the option whose count is neither 1 nor {@code
   *     channels}
   */
  public InputNormalization inputNormalization(int channels) {
    return new InputNormalization(
        perChannel("--input-mean", inputMean, 0f, channels),
        perChannel("--input-std", inputStd, 1f, channels));
  }

  /**
   * Per-channel values from an option that takes one value for every channel or one per channel.
   *
   * @param option the option's name, for the message
   * @param values the values given, or null
   * @param none the value of every channel when none is given
   * @param channels the channels
   * @return one value per channel
   * @throws IllegalArgumentException naming the option when the count is neither 1 nor {@code
   *     channels}
   */
  public static float[] perChannel(String option, List<Float> values, float none, int channels) {
    float[] out = new float[channels];
    if (values == null) {
      Arrays.fill(out, none);
      return out;
    }
    require(
        values.size() == 1 || values.size() == channels,
        option,
        join(values),
        "one value, or one per channel (" + channels + ")");
    for (int c = 0; c < channels; c++) {
      out[c] = values.get(values.size() == 1 ? 0 : c);
    }
    return out;
  }

  /**
   * Whether {@code --input-mean} or {@code --input-std} was given (or set from {@code
   * --init-from}'s directory).
   *
   * @return true unless both are at their defaults by omission
   */
  public boolean hasInputNormalization() {
    return inputMean != null || inputStd != null;
  }

  /**
   * Takes {@code --init-from}'s normalisation for what was not given: {@code --input-mean} and
   * {@code --input-std} are saved with the run as the directory records them, so that the run does
   * not need the directory afterwards.
   *
   * @param theirs the directory's normalisation
   * @throws IllegalArgumentException naming each option given with another value than the
   *     directory's, and both values
   */
  public void inputNormalizationFrom(InputNormalization theirs) {
    InputNormalization ours = inputNormalization(theirs.channels());
    List<String> differences = new ArrayList<>();
    if (inputMean != null && !Arrays.equals(ours.mean(), theirs.mean())) {
      differences.add(
          "--input-mean " + join(inputMean) + " (the directory's: " + join(theirs.mean()) + ")");
    }
    if (inputStd != null && !Arrays.equals(ours.std(), theirs.std())) {
      differences.add(
          "--input-std " + join(inputStd) + " (the directory's: " + join(theirs.std()) + ")");
    }
    if (!differences.isEmpty()) {
      throw new IllegalArgumentException(
          "--init-from "
              + initFrom
              + " records another input normalisation than the run's: "
              + String.join("; ", differences)
              + ". Its network was trained on the directory's; drop the option to use it");
    }
    inputMean = boxed(theirs.mean());
    inputStd = boxed(theirs.std());
  }

  private static List<Float> boxed(float[] values) {
    List<Float> out = new ArrayList<>(values.length);
    for (float v : values) {
      out.add(v);
    }
    return out;
  }

  private static String join(float[] values) {
    return join(boxed(values));
  }

  private static String join(List<Float> values) {
    List<String> out = new ArrayList<>(values.size());
    for (Float v : values) {
      out.add(String.valueOf(v));
    }
    return String.join(",", out);
  }

  /**
   * Checks the ranges the types do not.
   *
   * @throws IllegalArgumentException naming the first bad option
   */
  public void validate() {
    require(backbone != null, "--model", null, "one of " + Arrays.toString(Backbone.values()));
    require(head != null, "--head", null, "a head");
    require(embeddingSize >= 1, "--embedding-size", embeddingSize, ">= 1");
    require(
        centerLambda >= 0 && Double.isFinite(centerLambda),
        "--center-lambda",
        centerLambda,
        "finite and >= 0");
    require(sampleRate > 0 && sampleRate <= 1, "--sample-rate", sampleRate, "in (0, 1]");
    require(
        !sparseUpdate || sampleRate < 1,
        "--sparse-update",
        "given",
        "used with --sample-rate below 1 (Partial FC)");
    requireValues("--input-mean", inputMean, false);
    requireValues("--input-std", inputStd, true);
  }

  private static void requireValues(String option, List<Float> values, boolean positive) {
    if (values == null) {
      return;
    }
    require(!values.isEmpty(), option, "", "one value, or one per channel");
    for (Float v : values) {
      require(
          v != null && Float.isFinite(v) && (!positive || v > 0),
          option,
          v,
          positive ? "finite and > 0" : "finite");
    }
  }

  /**
   * A list of equal values means one value for every channel, and a value not given its default:
   * {@code 0.5} and {@code 0.5,0.5,0.5} are one normalisation, an older run's none is {@code 0}.
   */
  private static List<Float> canonical(List<Float> values, float none) {
    if (values == null || values.isEmpty()) {
      return List.of(none);
    }
    return values.stream().distinct().count() == 1 ? List.of(values.get(0)) : values;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ModelOptions m
        && backbone == m.backbone
        && embeddingSize == m.embeddingSize
        && Objects.equals(head, m.head)
        && Double.compare(centerLambda, m.centerLambda) == 0
        && Double.compare(sampleRate, m.sampleRate) == 0
        && sparseUpdate == m.sparseUpdate
        && Objects.equals(initFrom, m.initFrom)
        && canonical(inputMean, 0f).equals(canonical(m.inputMean, 0f))
        && canonical(inputStd, 1f).equals(canonical(m.inputStd, 1f));
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        backbone,
        embeddingSize,
        head,
        centerLambda,
        sampleRate,
        sparseUpdate,
        initFrom,
        canonical(inputMean, 0f),
        canonical(inputStd, 1f));
  }
}
