package io.github.ringloss4j.app.cli;

import ai.djl.Model;
import io.github.ringloss4j.app.data.Datasets;
import io.github.ringloss4j.app.data.ImageSpec;
import io.github.ringloss4j.app.io.OutputPaths;
import io.github.ringloss4j.app.io.RunLock;
import io.github.ringloss4j.app.io.StagingDirectory;
import io.github.ringloss4j.app.train.Checkpoint;
import io.github.ringloss4j.app.train.TrainOptions;
import io.github.ringloss4j.backbone.Backbones;
import io.github.ringloss4j.nn.RingModelBlock;
import io.github.ringloss4j.serving.EmbeddingModels;
import io.github.ringloss4j.serving.Preprocessing;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ringloss export}: the trained embedding network alone as a standard DJL model directory
 * that a Java service loads with {@code Criteria} and the core library (no head, no ring, no
 * optimiser state, no application jar).
 */
@Command(
    name = "export",
    mixinStandardHelpOptions = true,
    description = {
      "Export a run's embedding network as a DJL model directory (parameters + serving.properties"
          + " with the preprocessing) that loads with DJL's Criteria and the core library alone."
    })
public final class ExportCommand implements Callable<Integer> {

  @Parameters(
      index = "0",
      paramLabel = "RUN",
      description = "The run directory (or checkpoint file).")
  Path run;

  @Option(
      names = "--out",
      paramLabel = "DIR",
      required = true,
      description = "The directory to create; it must not exist or be empty.")
  Path out;

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

  @Mixin RuntimeOptions runtime;

  @Override
  public Integer call() throws Exception {
    runtime.apply();
    // Refused before any work, as train refuses an existing checkpoint: a usage error, exit 2.
    if (Files.exists(out) && !StagingDirectory.isEmptyDirectory(out)) {
      throw new IllegalArgumentException(
          "--out " + out + " exists and is not an empty directory; choose another");
    }
    OutputPaths.requireWritableDirectory(out, "--out");
    // One writer per run directory: when the export goes inside the run it reads.
    RunLock lock =
        RunLock.forOutput(Checkpoint.directoryOf(run), out, CommandLines.current("export", run));
    try (lock) {
      export();
    }
    return 0;
  }

  private void export() throws IOException {
    Checkpoint checkpoint = Checkpoint.read(run);
    TrainOptions o = checkpoint.options();
    ImageSpec spec = Datasets.inputSpec(o.data());
    // The run's own preprocessing: the pixels scaled to [0, 1] as in training, at its input size.
    Preprocessing preprocessing =
        Preprocessing.of(new Backbones.Input(spec.channels(), spec.height(), spec.width()))
            .withNormalization(o.inputNormalization().mean(), o.inputNormalization().std())
            .withFlipSum(flipSum)
            .withL2Normalize(l2);
    try (Model model = checkpoint.loadModel()) {
      RingModelBlock block = (RingModelBlock) model.getBlock();
      EmbeddingModels.export(
          block.getEmbedding(),
          o.model().backbone().toString(),
          o.model().embeddingSize(),
          preprocessing,
          out);
    }
    System.out.println("exported the embedding network of " + run + " to " + out);
    System.out.println("  " + preprocessing);
  }
}
