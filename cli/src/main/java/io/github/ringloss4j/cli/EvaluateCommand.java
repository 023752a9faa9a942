package io.github.ringloss4j.cli;

import ai.djl.Model;
import io.github.ringloss4j.eval.Embedder;
import io.github.ringloss4j.eval.Evaluation;
import io.github.ringloss4j.eval.EvaluationData;
import io.github.ringloss4j.eval.EvaluationFile;
import io.github.ringloss4j.nn.RingModelBlock;
import io.github.ringloss4j.train.Checkpoint;
import io.github.ringloss4j.train.LearnedRadius;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ringloss evaluate}: classification, verification and identification of a trained run. */
@Command(
    name = "evaluate",
    mixinStandardHelpOptions = true,
    description = {
      "Evaluate a trained run: classification accuracy; verification (ROC AUC, EER, TAR@FAR,"
          + " 10-fold accuracy, cosine and Euclidean) on a pairs file or on pairs drawn from the"
          + " test labels with a fixed seed; identification rank-1/rank-5.",
      "Writes RUN/evaluation.json (or --out)."
    })
public final class EvaluateCommand implements Callable<Integer> {

  @Parameters(
      index = "0",
      paramLabel = "RUN",
      description = "The run directory (or checkpoint file).")
  Path run;

  @Option(
      names = "--data",
      paramLabel = "DIR",
      description = "Evaluate on other data than the run's.")
  Path data;

  @Option(
      names = "--pairs",
      paramLabel = "FILE",
      description = "An LFW-style pairs.txt for the image folder given with --data.")
  Path pairs;

  @Option(
      names = "--pairs-per-kind",
      defaultValue = "3000",
      description =
          "Genuine and impostor pairs drawn when there is no pairs file. Default: ${DEFAULT-VALUE}.")
  int pairsPerKind;

  @Option(
      names = "--seed",
      defaultValue = "7",
      description = "Seed of the drawn pairs and gallery split. Default: ${DEFAULT-VALUE}.")
  long seed;

  @Option(
      names = "--batch-size",
      defaultValue = "256",
      description = "Items per forward pass. Default: ${DEFAULT-VALUE}.")
  int batchSize;

  @Option(
      names = "--out",
      paramLabel = "FILE",
      description = "Where the JSON goes. Default: RUN/evaluation.json.")
  Path out;

  @Mixin RuntimeOptions runtime;

  @Override
  public Integer call() throws Exception {
    runtime.apply();
    if (pairsPerKind < 1) {
      throw new IllegalArgumentException("--pairs-per-kind must be >= 1, got " + pairsPerKind);
    }
    if (batchSize < 1) {
      throw new IllegalArgumentException("--batch-size must be >= 1, got " + batchSize);
    }
    Checkpoint checkpoint = Checkpoint.read(run);
    Evaluation.Result result;
    try (EvaluationData.Prepared prepared =
            EvaluationData.prepare(checkpoint, data, pairs, pairsPerKind, seed);
        Model model = checkpoint.loadModel()) {
      Embedder.Embedded embedded = Embedder.embed(model, prepared.source(), batchSize);
      double radius = LearnedRadius.of(checkpoint.options(), (RingModelBlock) model.getBlock());
      result = Evaluation.evaluate(embedded, prepared.pairs(), radius, seed);
    }
    Path target =
        out != null
            ? out
            : (run.toFile().isDirectory() ? run : run.getParent())
                .resolve(EvaluationFile.FILE_NAME);
    EvaluationFile.of(result, CommandLines.current("evaluate", run)).write(target);
    System.out.print(result.summary());
    System.out.println("written: " + target);
    return 0;
  }
}
