package io.github.ringloss4j.app.cli;

import io.github.ringloss4j.serving.Preprocessing;
import picocli.CommandLine.Option;

/**
 * What a model directory's service does with the network's output, shared by the commands that
 * write one ({@code export}, {@code import}).
 */
public final class ServingOptions {

  @Option(
      names = "--flip-sum",
      description =
          "Embed each image and its mirror image and sum them (InsightFace's test-time rule).")
  boolean flipSum;

  @Option(
      names = "--no-l2",
      negatable = true,
      defaultValue = "true",
      description = "L2-normalise the embedding the service returns. Default: ${DEFAULT-VALUE}.")
  boolean l2;

  /**
   * The preprocessing with these options.
   *
   * @param preprocessing the network's input steps
   * @return a copy with flip-sum and L2 normalisation as given
   */
  Preprocessing applyTo(Preprocessing preprocessing) {
    return preprocessing.withFlipSum(flipSum).withL2Normalize(l2);
  }
}
