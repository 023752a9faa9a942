package io.github.ringloss4j.app.cli;

import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.nn.Block;
import ai.djl.repository.zoo.ModelNotFoundException;
import io.github.ringloss4j.app.data.Datasets;
import io.github.ringloss4j.app.data.ImageSpec;
import io.github.ringloss4j.app.io.DataFormatException;
import io.github.ringloss4j.app.io.OutputPaths;
import io.github.ringloss4j.app.io.RunLock;
import io.github.ringloss4j.app.io.StagingDirectory;
import io.github.ringloss4j.app.model.ExportedModels;
import io.github.ringloss4j.app.train.Checkpoint;
import io.github.ringloss4j.app.train.TrainOptions;
import io.github.ringloss4j.backbone.Backbone;
import io.github.ringloss4j.backbone.Backbones;
import io.github.ringloss4j.interop.InsightFaceWeights;
import io.github.ringloss4j.interop.TorchStateDict;
import io.github.ringloss4j.interop.TorchTensor;
import io.github.ringloss4j.nn.RingModelBlock;
import io.github.ringloss4j.serving.EmbeddingModels;
import io.github.ringloss4j.serving.EmbeddingNetworks;
import io.github.ringloss4j.serving.ModelDirectory;
import io.github.ringloss4j.serving.Preprocessing;
import io.github.ringloss4j.serving.ServingConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

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
          + " with the preprocessing) that loads with DJL's Criteria and the core library alone,"
          + " or with --format pytorch as a PyTorch state_dict with InsightFace's names."
    })
public final class ExportCommand implements Callable<Integer> {

  @Parameters(
      index = "0",
      paramLabel = "RUN",
      description =
          "The run directory (or checkpoint file); with --format pytorch also a model directory"
              + " (export or import).")
  Path run;

  @Option(
      names = "--out",
      paramLabel = "DIR",
      required = true,
      description =
          "The directory to create; it must not exist or be empty. With --format pytorch, the"
              + " .pth file to create; it must not exist.")
  Path out;

  @Option(
      names = "--format",
      paramLabel = "FORMAT",
      defaultValue = "djl",
      description =
          "djl: a model directory for DJL's Criteria; pytorch: a state_dict (torch's zip format)"
              + " with InsightFace's parameter names, for iresnet* and mobilefacenet, that"
              + " torch.load(weights_only=True) reads and InsightFace's iresnet/get_mbf load with"
              + " strict=True. Default: ${DEFAULT-VALUE}.")
  Format format;

  /** What {@code --format} writes. */
  enum Format {
    djl,
    pytorch
  }

  @Spec CommandSpec spec;

  @Mixin ServingOptions serving;

  @Mixin RuntimeOptions runtime;

  @Override
  public Integer call() throws Exception {
    runtime.apply();
    if (format == Format.pytorch) {
      exportPyTorch();
      return 0;
    }
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

  /** The run's own preprocessing: the pixels as training fed them, at its input size. */
  private static Preprocessing runPreprocessing(TrainOptions o) {
    ImageSpec spec = Datasets.inputSpec(o.data());
    return Preprocessing.of(new Backbones.Input(spec.channels(), spec.height(), spec.width()))
        .withNormalization(o.inputNormalization().mean(), o.inputNormalization().std());
  }

  private void export() throws IOException {
    Checkpoint checkpoint = Checkpoint.read(run);
    TrainOptions o = checkpoint.options();
    Preprocessing preprocessing = serving.applyTo(runPreprocessing(o));
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

  /**
   * The embedding network's weights as a PyTorch {@code state_dict} with InsightFace's names; the
   * serving options have no meaning there and are refused rather than ignored.
   */
  private void exportPyTorch() throws IOException {
    for (String servingOnly : List.of("--flip-sum", "--no-l2")) {
      if (spec.commandLine().getParseResult().hasMatchedOption(servingOnly)) {
        throw new IllegalArgumentException(
            servingOnly
                + " is a serving option of a model directory; a state_dict holds weights only"
                + " (drop it with --format pytorch)");
      }
    }
    if (Files.exists(out, LinkOption.NOFOLLOW_LINKS)) {
      throw new IllegalArgumentException("--out " + out + " exists; choose another");
    }
    OutputPaths.requireWritableFile(out, "--out");
    RunLock lock =
        ModelDirectory.isExport(run)
            ? RunLock.NONE
            : RunLock.forOutput(
                Checkpoint.directoryOf(run), out, CommandLines.current("export", run));
    try (lock;
        Source source = Source.open(run)) {
      if (!(source.network() instanceof Backbone backbone)
          || !InsightFaceWeights.isSupported(backbone)) {
        throw new IllegalArgumentException(
            "--format pytorch: "
                + run
                + " holds "
                + source.name()
                + ", which has no InsightFace counterpart; pytorch takes iresnet18, iresnet34,"
                + " iresnet50, iresnet100 and mobilefacenet");
      }
      Map<String, TorchTensor> stateDict = InsightFaceWeights.stateDict(backbone);
      TorchStateDict.write(stateDict, out);
      System.out.printf(
          Locale.ROOT,
          "exported %d tensors of %s (InsightFace's names) from %s to %s%n"
              + "  load: model.load_state_dict(torch.load(\"%s\", weights_only=True),"
              + " strict=True)%n"
              + "  its input: %s%n",
          stateDict.size(),
          backbone,
          run,
          out,
          out.getFileName(),
          source.input());
    }
  }

  /** The network of a run (its checkpoint) or of a model directory, with what it expects. */
  private record Source(Model model, Block network, String name, String input)
      implements AutoCloseable {

    static Source open(Path path) throws IOException {
      if (ModelDirectory.isExport(path)) {
        ModelDirectory dir =
            ExportedModels.open(path, EmbeddingNetworks.builtIn().withTorchScript());
        if (dir.isTorchScript()) {
          throw new IllegalArgumentException(
              "--format pytorch: "
                  + path
                  + " holds a TorchScript model: it is a PyTorch file already ("
                  + dir.parameters().getFileName()
                  + ")");
        }
        ServingConfig config = dir.config();
        Model model;
        try {
          model = dir.criteria().loadModel();
        } catch (ModelNotFoundException | MalformedModelException e) {
          throw new DataFormatException(path, "cannot load the model: " + e.getMessage(), e);
        }
        return new Source(
            model, model.getBlock(), config.backbone(), describe(config.preprocessing()));
      }
      Checkpoint checkpoint = Checkpoint.read(path);
      TrainOptions o = checkpoint.options();
      Model model = checkpoint.loadModel();
      return new Source(
          model,
          ((RingModelBlock) model.getBlock()).getEmbedding(),
          o.model().backbone().toString(),
          describe(runPreprocessing(o)));
    }

    @Override
    public void close() {
      model.close();
    }
  }

  /** The input a PyTorch user must feed: shape and normalisation of x / 255. */
  private static String describe(Preprocessing p) {
    return p.input()
        + ", (x/255 − "
        + Arrays.toString(p.mean())
        + ") / "
        + Arrays.toString(p.std())
        + " per channel";
  }
}
