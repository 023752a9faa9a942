package io.github.ringloss4j.app.cli;

import io.github.ringloss4j.app.eval.Embedder;
import io.github.ringloss4j.app.eval.EvaluationFile;
import io.github.ringloss4j.app.eval.ModelEmbedder;
import io.github.ringloss4j.app.io.DataFormatException;
import io.github.ringloss4j.app.io.OptionChecks;
import io.github.ringloss4j.app.train.Checkpoint;
import io.github.ringloss4j.metrics.Similarity;
import io.github.ringloss4j.serving.ModelDirectory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ringloss verify}: are two images of the same identity? */
@Command(
    name = "verify",
    mixinStandardHelpOptions = true,
    description = {
      "Score two images with a trained run or an exported model directory (cosine similarity of"
          + " their embeddings) and decide same/different with a threshold: --threshold (required"
          + " for an exported model directory), or the mean of the 10-fold cosine"
          + " thresholds that 'ringloss evaluate' wrote for the same checkpoint (RUN/evaluation.json"
          + " for RUN/checkpoint.bin, RUN/evaluation-NAME.json for RUN/NAME.bin); a file written"
          + " for another checkpoint is refused.",
      "Exit code 0 for the same identity, 10 for different ones."
    })
public final class VerifyCommand implements Callable<Integer> {

  /** Exit code when the images are judged to be of different identities. */
  static final int EXIT_DIFFERENT = 10;

  @Parameters(
      index = "0",
      paramLabel = "RUN",
      description = "The run directory (or checkpoint file), or an exported model directory.")
  Path run;

  @Parameters(index = "1", paramLabel = "IMAGE1", description = "The first image.")
  Path first;

  @Parameters(index = "2", paramLabel = "IMAGE2", description = "The second image.")
  Path second;

  @Option(
      names = "--threshold",
      description = "Cosine threshold in [-1, 1]: same when score >= threshold.")
  Double threshold;

  @Mixin RuntimeOptions runtime;

  @Mixin TorchScriptTrust trust;

  @Override
  public Integer call() throws Exception {
    runtime.apply();
    if (threshold != null) {
      OptionChecks.require(
          threshold >= -1 && threshold <= 1, "--threshold", threshold, "a cosine in [-1, 1]");
    }
    if (threshold == null && ModelDirectory.isExport(run)) {
      throw new IllegalArgumentException(
          "--threshold is required with an exported model directory ("
              + run
              + "): there is no evaluation file beside it to take the threshold from");
    }
    Embedder.Embedded e;
    double t;
    try (ModelEmbedder embedder = ModelEmbedder.open(run, trust.networks())) {
      Optional<Checkpoint> checkpoint = embedder.checkpoint();
      t =
          threshold != null || checkpoint.isEmpty()
              ? threshold
              : thresholdFromEvaluation(checkpoint.get().origin());
      e = embedder.embedded(List.of(first, second), 2);
    }
    double score = Similarity.COSINE.score(e.features()[0], e.features()[1]);
    boolean same = score >= t;
    System.out.printf(
        Locale.ROOT,
        "cosine %.6f, threshold %.6f: %s (||f1|| %.3f, ||f2|| %.3f)%n",
        score,
        t,
        same ? "same identity" : "different identities",
        e.norms()[0],
        e.norms()[1]);
    return same ? 0 : EXIT_DIFFERENT;
  }

  /** The threshold evaluated for this very checkpoint (its name and checksum recorded). */
  private double thresholdFromEvaluation(Checkpoint.Origin checkpoint) throws IOException {
    Path json = EvaluationFile.fileFor(checkpoint.file());
    if (!Files.isRegularFile(json)) {
      throw new IllegalArgumentException(
          "no --threshold and no "
              + json
              + "; run 'ringloss evaluate "
              + checkpoint.file()
              + "' first");
    }
    EvaluationFile evaluation = EvaluationFile.read(json);
    evaluation.requireFor(json, checkpoint);
    double t =
        evaluation.score("cosine").map(EvaluationFile.Score::meanThreshold).orElse(Double.NaN);
    if (!Double.isFinite(t)) {
      throw new DataFormatException(json, "no finite cosine k-fold thresholds in it");
    }
    return t;
  }
}
