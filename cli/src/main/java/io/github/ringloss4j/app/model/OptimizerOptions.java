package io.github.ringloss4j.app.model;

import static io.github.ringloss4j.app.io.OptionChecks.require;

import java.util.Objects;
import picocli.CommandLine.Option;

/**
 * The optimiser and its learning-rate schedule. One group of the training options: picocli fills it
 * from the command line, a checkpoint saves it; each option's default is declared once, in its
 * annotation.
 */
public final class OptimizerOptions {

  /** The default of {@code --lr}, shared with {@code compare}. */
  public static final String DEFAULT_LEARNING_RATE = "0.01";

  @Option(
      names = "--optimizer",
      paramLabel = "<optimizer>",
      defaultValue = "sgd",
      description = "${COMPLETION-CANDIDATES}. Default: ${DEFAULT-VALUE}.")
  private OptimizerKind kind;

  @Option(
      names = "--lr",
      defaultValue = DEFAULT_LEARNING_RATE,
      description = "Learning rate. Default: ${DEFAULT-VALUE}.")
  private double learningRate;

  @Option(
      names = "--momentum",
      defaultValue = "0.9",
      description = "SGD momentum. Default: ${DEFAULT-VALUE}.")
  private double momentum;

  @Option(
      names = "--weight-decay",
      defaultValue = "5e-4",
      description = "L2 weight decay, never applied to R. Default: ${DEFAULT-VALUE}.")
  private double weightDecay;

  @Option(
      names = "--schedule",
      defaultValue = "cosine",
      description = "${COMPLETION-CANDIDATES}. Default: ${DEFAULT-VALUE}.")
  private Schedule schedule;

  /** For picocli and Gson, which fill the fields. */
  private OptimizerOptions() {}

  /**
   * The optimiser.
   *
   * @return {@code --optimizer}
   */
  public OptimizerKind kind() {
    return kind;
  }

  /**
   * The base learning rate.
   *
   * @return {@code --lr}
   */
  public double learningRate() {
    return learningRate;
  }

  /**
   * SGD momentum.
   *
   * @return {@code --momentum}
   */
  public double momentum() {
    return momentum;
  }

  /**
   * L2 weight decay, never applied to R.
   *
   * @return {@code --weight-decay}
   */
  public double weightDecay() {
    return weightDecay;
  }

  /**
   * The learning-rate schedule.
   *
   * @return {@code --schedule}
   */
  public Schedule schedule() {
    return schedule;
  }

  /**
   * Checks the ranges the types do not.
   *
   * @throws IllegalArgumentException naming the first bad option
   */
  public void validate() {
    require(kind != null, "--optimizer", null, "sgd or adam");
    require(
        learningRate > 0 && Double.isFinite(learningRate), "--lr", learningRate, "finite and > 0");
    require(momentum >= 0 && momentum < 1, "--momentum", momentum, "in [0, 1)");
    require(
        weightDecay >= 0 && Double.isFinite(weightDecay),
        "--weight-decay",
        weightDecay,
        "finite and >= 0");
    require(schedule != null, "--schedule", null, "cosine, step or constant");
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof OptimizerOptions p
        && kind == p.kind
        && Double.compare(learningRate, p.learningRate) == 0
        && Double.compare(momentum, p.momentum) == 0
        && Double.compare(weightDecay, p.weightDecay) == 0
        && schedule == p.schedule;
  }

  @Override
  public int hashCode() {
    return Objects.hash(kind, learningRate, momentum, weightDecay, schedule);
  }
}
