package io.github.ringloss4j.app.model;

import static io.github.ringloss4j.app.io.OptionChecks.require;

import java.nio.file.Path;
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
      names = "--init-from",
      paramLabel = "DIR",
      description =
          "Start the backbone from an exported model directory ('ringloss export' or 'ringloss"
              + " import'): its parameters, BatchNorm running statistics included; the head and R"
              + " start as usual. Its network, embedding size and input shape must be the run's,"
              + " and its normalisation x/255 (mean 0, std 1) as training feeds. Saved with the"
              + " run: --resume continues from the checkpoint.")
  private Path initFrom;

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
   * Checks the ranges the types do not.
   *
   * @throws IllegalArgumentException naming the first bad option
   */
  public void validate() {
    require(
        backbone != null,
        "--model",
        null,
        "one of " + java.util.Arrays.toString(Backbone.values()));
    require(head != null, "--head", null, "a head");
    require(embeddingSize >= 1, "--embedding-size", embeddingSize, ">= 1");
    require(
        centerLambda >= 0 && Double.isFinite(centerLambda),
        "--center-lambda",
        centerLambda,
        "finite and >= 0");
    require(sampleRate > 0 && sampleRate <= 1, "--sample-rate", sampleRate, "in (0, 1]");
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ModelOptions m
        && backbone == m.backbone
        && embeddingSize == m.embeddingSize
        && Objects.equals(head, m.head)
        && Double.compare(centerLambda, m.centerLambda) == 0
        && Double.compare(sampleRate, m.sampleRate) == 0
        && Objects.equals(initFrom, m.initFrom);
  }

  @Override
  public int hashCode() {
    return Objects.hash(backbone, embeddingSize, head, centerLambda, sampleRate, initFrom);
  }
}
