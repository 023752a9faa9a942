package io.github.ringloss4j.app.cli;

import ai.djl.Model;
import io.github.ringloss4j.app.eval.BinEvaluation;
import io.github.ringloss4j.app.eval.Embedder;
import io.github.ringloss4j.app.eval.Evaluation;
import io.github.ringloss4j.app.eval.EvaluationData;
import io.github.ringloss4j.app.eval.EvaluationFile;
import io.github.ringloss4j.app.eval.ModelEmbedder;
import io.github.ringloss4j.app.io.DataFormatException;
import io.github.ringloss4j.app.io.OutputPaths;
import io.github.ringloss4j.app.io.RunLock;
import io.github.ringloss4j.app.train.Checkpoint;
import io.github.ringloss4j.app.train.LearnedRadius;
import io.github.ringloss4j.metrics.EmbeddingDiagnostics;
import io.github.ringloss4j.nn.RingModelBlock;
import io.github.ringloss4j.serving.ModelDirectory;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
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
          + " k-fold accuracy, cosine and Euclidean) on a pairs file or on pairs drawn from the"
          + " test labels with a fixed seed; identification rank-1/rank-5. With --bin, InsightFace's"
          + " verification sets too, with InsightFace's protocol.",
      "An exported model directory ('ringloss export' or 'ringloss import') is scored on --bin"
          + " sets only, its images getting the export's own preprocessing, into --out.",
      "Writes RUN/evaluation.json (for RUN/checkpoint.bin; RUN/evaluation-NAME.json for another"
          + " checkpoint RUN/NAME.bin such as best.bin), or --out, recording the checkpoint's name"
          + " and checksum."
    })
public final class EvaluateCommand implements Callable<Integer> {

  private static final Logger LOG = LoggerFactory.getLogger(EvaluateCommand.class);

  @Parameters(
      index = "0",
      paramLabel = "RUN",
      description =
          "The run directory (or checkpoint file), or an exported model directory (--bin and"
              + " --out only).")
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
      paramLabel = "N",
      description =
          "Items per forward pass. Default: the run's training batch, at most 256 (the engine"
              + " keeps a forward pass's intermediate arrays until its batch ends).")
  Integer batchSize;

  @Option(
      names = "--out",
      paramLabel = "FILE",
      description =
          "Where the JSON goes. Default: RUN/evaluation.json, or RUN/evaluation-NAME.json for a"
              + " checkpoint file RUN/NAME.bin.")
  Path out;

  @Option(
      names = "--bin",
      split = ",",
      paramLabel = "FILE",
      description =
          "InsightFace verification sets (lfw.bin,cfp_fp.bin,agedb_30.bin,…) to score with"
              + " InsightFace's protocol (each image fused with its mirror image, 10 folds):"
              + " accuracy ± std, AUC, EER, TAR@FAR. Images get the model's own preprocessing"
              + " (its input size and colour, x/255 or its --input-mean and --input-std).")
  List<Path> bins;

  @Mixin RuntimeOptions runtime;

  @Mixin TorchScriptTrust trust;

  @Override
  public Integer call() throws Exception {
    runtime.apply();
    if (pairsPerKind < 1) {
      throw new IllegalArgumentException("--pairs-per-kind must be >= 1, got " + pairsPerKind);
    }
    if (batchSize != null && batchSize < 1) {
      throw new IllegalArgumentException("--batch-size must be >= 1, got " + batchSize);
    }
    List<Path> sets = bins == null ? List.of() : bins;
    if (ModelDirectory.isExport(run)) {
      evaluateExport(sets);
      return 0;
    }
    BinEvaluation.requireFiles(sets);
    Path target = out != null ? out : EvaluationFile.fileFor(Checkpoint.fileOf(run));
    OutputPaths.requireWritableFile(target, out != null ? "--out" : "the evaluation file");
    String command = CommandLines.current("evaluate", run);
    // One writer per run directory: its evaluation files too (not a file written elsewhere).
    RunLock lock = RunLock.forOutput(Checkpoint.directoryOf(run), target, command);
    try (lock) {
      evaluate(sets, target, command);
    }
    return 0;
  }

  private void evaluate(List<Path> sets, Path target, String command) throws IOException {
    Checkpoint checkpoint = Checkpoint.read(run);
    Evaluation.Result result;
    List<BinEvaluation.Result> setResults;
    List<String> problems;
    try (EvaluationData.Prepared prepared =
            EvaluationData.prepare(checkpoint, data, pairs, pairsPerKind, seed);
        Model model = checkpoint.loadModel()) {
      Embedder.Embedded embedded =
          Embedder.embed(
              model,
              checkpoint.options().inputNormalization(),
              prepared.source(),
              batchSize != null ? batchSize : Embedder.batchFor(checkpoint.options()));
      problems = degenerate(embedded, run);
      double radius = LearnedRadius.of(checkpoint.options(), (RingModelBlock) model.getBlock());
      // Classes matched by name: other data need not list the training classes in their order.
      double accuracy = embedded.accuracy(checkpoint.classNames(), prepared.source().classNames());
      result = Evaluation.evaluate(embedded, accuracy, prepared.pairs(), radius, seed);
      setResults = BinEvaluation.evaluate(sets, checkpoint, model);
    }
    EvaluationFile.of(result, command, checkpoint.origin())
        .withVerificationSets(setResults)
        .write(target);
    System.out.print(result.summary());
    for (String problem : problems) {
      System.out.println("WARNING: degenerate embeddings: " + problem);
    }
    setResults.forEach(set -> System.out.print(set.summary()));
    System.out.println("written: " + target);
  }

  /**
   * An exported model directory on InsightFace's verification sets, each image through the export's
   * own preprocessing ({@link ModelEmbedder#verificationSet}); written to {@code --out}, since
   * there is no run to write beside.
   */
  private void evaluateExport(List<Path> sets) throws IOException {
    String why =
        run + " is an exported model directory, which has no head, ring or data of its own";
    if (data != null || pairs != null) {
      throw new IllegalArgumentException(
          (data != null ? "--data" : "--pairs")
              + ": "
              + why
              + ": it is evaluated on InsightFace's verification sets with --bin only (or embed"
              + " the images with 'ringloss embed "
              + run
              + " --images FOLDER')");
    }
    if (sets.isEmpty()) {
      throw new IllegalArgumentException(
          "--bin is required: " + why + "; give the verification sets to score it on");
    }
    if (out == null) {
      throw new IllegalArgumentException(
          "--out is required: " + why + ", so there is no run directory to write beside");
    }
    BinEvaluation.requireFiles(sets);
    OutputPaths.requireWritableFile(out, "--out");
    String command = CommandLines.current("evaluate", run);
    List<BinEvaluation.Result> setResults;
    EvaluationFile file;
    try (ModelEmbedder embedder = ModelEmbedder.open(run, trust.networks())) {
      setResults = BinEvaluation.evaluate(sets, embedder::verificationSet);
      file = EvaluationFile.ofExport(command, embedder.export().orElseThrow().parameters());
    }
    file.withVerificationSets(setResults).write(out);
    setResults.forEach(set -> System.out.print(set.summary()));
    System.out.println("written: " + out);
  }

  /**
   * The signs of a collapsed or diverged model ({@link EmbeddingDiagnostics}), logged as warnings:
   * its numbers would otherwise look plausible. Embeddings with NaN or Inf cannot be scored at all,
   * so they stop the evaluation, naming the checkpoint.
   */
  private static List<String> degenerate(Embedder.Embedded embedded, Path run)
      throws DataFormatException {
    List<String> problems = EmbeddingDiagnostics.problems(embedded.features());
    for (float[] row : embedded.features()) {
      for (float v : row) {
        if (!Float.isFinite(v)) {
          throw new DataFormatException(
              Checkpoint.fileOf(run),
              "the model's embeddings are not finite, so they cannot be scored: "
                  + problems.get(0)
                  + "; the checkpoint holds a diverged model, retrain it");
        }
      }
    }
    for (String problem : problems) {
      LOG.warn("degenerate embeddings: {}", problem);
    }
    return problems;
  }
}
