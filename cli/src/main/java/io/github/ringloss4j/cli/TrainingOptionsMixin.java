package io.github.ringloss4j.cli;

import io.github.ringloss4j.train.TrainOptions;
import picocli.CommandLine.Option;

/** Every training option, shared by {@code train} and {@code demo}. */
public final class TrainingOptionsMixin {

  @Option(
      names = "--data",
      paramLabel = "DIR",
      description =
          "Fashion-MNIST IDX files or an image folder (one sub-folder per identity). Default: the"
              + " Debian package's /usr/share/datasets/fashion-mnist.")
  String data;

  @Option(
      names = "--model",
      defaultValue = "cnn",
      description =
          "Backbone: cnn (28x28 inputs) or resnet (face-size inputs). Default: ${DEFAULT-VALUE}.")
  String model;

  @Option(
      names = "--embedding-size",
      defaultValue = "128",
      description = "Embedding dimension. Default: ${DEFAULT-VALUE}.")
  int embeddingSize;

  @Option(
      names = "--image-size",
      defaultValue = "28",
      description = "Input side for image folders. Default: ${DEFAULT-VALUE}.")
  int imageSize;

  @Option(
      names = "--channels",
      defaultValue = "1",
      description = "1 (grey) or 3 (colour) for image folders. Default: ${DEFAULT-VALUE}.")
  int channels;

  @Option(
      names = "--lambda",
      defaultValue = "0.01",
      description =
          "Ring weight λ; 0 trains softmax alone. Default: ${DEFAULT-VALUE} (the paper's).")
  double lambda;

  @Option(
      names = "--penalty",
      defaultValue = "squared",
      description =
          "squared, huber(delta=1), smoothl1, cauchy(scale=2.3849), geman(scale=1),"
              + " barron(alpha=1,scale=1), keras-huber. Default: ${DEFAULT-VALUE}.")
  String penalty;

  @Option(
      names = "--radius-init",
      defaultValue = "first-batch",
      description =
          "first-batch (mean norm of the first batch) or a number. Default: ${DEFAULT-VALUE}.")
  String radiusInit;

  @Option(names = "--freeze-radius", description = "Keep R at its initial value.")
  boolean freezeRadius;

  @Option(
      names = "--radius-lr-mult",
      defaultValue = "auto",
      description =
          "R's learning-rate multiplier, or auto: 1/λ with SGD (R then tracks the mean norm at the"
              + " base learning rate whatever λ is), 1 with Adam (which rescales gradients itself)."
              + " Default: ${DEFAULT-VALUE}.")
  String radiusLrMultiplier;

  @Option(
      names = "--optimizer",
      defaultValue = "sgd",
      description = "sgd or adam. Default: ${DEFAULT-VALUE}.")
  String optimizer;

  @Option(
      names = "--lr",
      defaultValue = "0.01",
      description = "Learning rate. Default: ${DEFAULT-VALUE}.")
  double learningRate;

  @Option(
      names = "--momentum",
      defaultValue = "0.9",
      description = "SGD momentum. Default: ${DEFAULT-VALUE}.")
  double momentum;

  @Option(
      names = "--weight-decay",
      defaultValue = "5e-4",
      description = "L2 weight decay, never applied to R. Default: ${DEFAULT-VALUE}.")
  double weightDecay;

  @Option(
      names = "--schedule",
      defaultValue = "cosine",
      description = "cosine, step or constant. Default: ${DEFAULT-VALUE}.")
  String schedule;

  @Option(
      names = "--epochs",
      defaultValue = "3",
      description = "Epochs. Default: ${DEFAULT-VALUE}.")
  int epochs;

  @Option(
      names = "--batch-size",
      defaultValue = "128",
      description = "Batch size. Default: ${DEFAULT-VALUE}.")
  int batchSize;

  @Option(
      names = "--seed",
      defaultValue = "42",
      description = "Seed; the same seed gives the same run. Default: ${DEFAULT-VALUE}.")
  long seed;

  @Option(
      names = "--validation-fraction",
      defaultValue = "0.1",
      description = "Share of training data held out. Default: ${DEFAULT-VALUE}.")
  double validationFraction;

  @Option(names = "--augment", description = "Random horizontal flip (and crop for image folders).")
  boolean augment;

  @Option(
      names = "--train-limit",
      defaultValue = "0",
      description = "Train on the first N items only (0: all). Default: ${DEFAULT-VALUE}.")
  int trainLimit;

  @Option(
      names = "--head",
      defaultValue = "softmax",
      description =
          "Classification head: softmax, l2softmax(alpha=16), normface(s=16), sphereface(m=4),"
              + " cosface(s=30,m=0.35), arcface(s=30,m=0.5). Default: ${DEFAULT-VALUE}.")
  String head;

  @Option(
      names = "--center-lambda",
      defaultValue = "0",
      description =
          "Center-loss weight λc (Wen et al. 2016); 0 for none. Default: ${DEFAULT-VALUE}.")
  double centerLambda;

  /**
   * The options as a validated record.
   *
   * @return the options
   * @throws IllegalArgumentException naming the first bad option
   */
  public TrainOptions toOptions() {
    double multiplier;
    if (radiusLrMultiplier.equals("auto")) {
      multiplier = Double.NaN;
    } else {
      try {
        multiplier = Double.parseDouble(radiusLrMultiplier);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            "--radius-lr-mult must be a number > 0 or auto, got " + radiusLrMultiplier, e);
      }
    }
    return TrainOptions.builder()
        .data(data)
        .model(model)
        .embeddingSize(embeddingSize)
        .imageSize(imageSize)
        .channels(channels)
        .lambda(lambda)
        .penalty(penalty)
        .radiusInit(radiusInit)
        .radiusFrozen(freezeRadius)
        .radiusLrMultiplier(multiplier)
        .optimizer(optimizer)
        .learningRate(learningRate)
        .momentum(momentum)
        .weightDecay(weightDecay)
        .schedule(schedule)
        .epochs(epochs)
        .batchSize(batchSize)
        .seed(seed)
        .validationFraction(validationFraction)
        .augment(augment)
        .trainLimit(trainLimit)
        .head(head)
        .centerLambda(centerLambda)
        .build();
  }
}
