package io.github.ringloss4j.app.eval;

import ai.djl.Model;
import io.github.ringloss4j.app.io.RunLock;
import io.github.ringloss4j.app.train.Checkpoint;
import io.github.ringloss4j.app.train.LearnedRadius;
import io.github.ringloss4j.nn.RingModelBlock;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A trained run with its test-set evaluation: what the report compares.
 *
 * @param name the run's name (its directory name)
 * @param directory the run directory
 * @param checkpoint the checkpoint
 * @param embedded the test embeddings
 * @param result the evaluation
 */
public record RunSummary(
    String name,
    Path directory,
    Checkpoint checkpoint,
    Embedder.Embedded embedded,
    Evaluation.Result result) {

  /**
   * Loads a run, embeds its test data and evaluates it, writing {@code evaluation.json} beside the
   * checkpoint.
   *
   * @param run the run directory
   * @param pairsPerKind genuine and impostor pairs to draw
   * @param seed the evaluation seed
   * @param command the command line, recorded in the JSON
   * @return the summary
   * @throws IOException if the run or its data cannot be read
   */
  public static RunSummary evaluate(Path run, int pairsPerKind, long seed, String command)
      throws IOException {
    Path dir = Checkpoint.directoryOf(run);
    // Writes an evaluation file into the run: one writer per run directory.
    RunLock lock = RunLock.forOutput(dir, EvaluationFile.fileFor(Checkpoint.fileOf(run)), command);
    try (lock) {
      return evaluate(run, dir, pairsPerKind, seed, command);
    }
  }

  private static RunSummary evaluate(
      Path run, Path dir, int pairsPerKind, long seed, String command) throws IOException {
    Checkpoint checkpoint = Checkpoint.read(run);
    try (EvaluationData.Prepared prepared =
            EvaluationData.prepare(checkpoint, null, null, pairsPerKind, seed);
        Model model = checkpoint.loadModel()) {
      Embedder.Embedded embedded =
          Embedder.embed(model, checkpoint.options().inputNormalization(), prepared.source(), 256);
      double radius = LearnedRadius.of(checkpoint.options(), (RingModelBlock) model.getBlock());
      Evaluation.Result result = Evaluation.evaluate(embedded, prepared.pairs(), radius, seed);
      EvaluationFile.of(result, command, checkpoint.origin())
          .write(EvaluationFile.fileFor(checkpoint.origin().file()));
      return new RunSummary(dir.getFileName().toString(), dir, checkpoint, embedded, result);
    }
  }
}
