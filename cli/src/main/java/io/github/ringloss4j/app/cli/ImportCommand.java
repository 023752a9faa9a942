package io.github.ringloss4j.app.cli;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.github.ringloss4j.app.io.DataFormatException;
import io.github.ringloss4j.app.io.OutputPaths;
import io.github.ringloss4j.app.io.StagingDirectory;
import io.github.ringloss4j.app.model.ModelOptions;
import io.github.ringloss4j.backbone.Backbone;
import io.github.ringloss4j.backbone.Backbones;
import io.github.ringloss4j.interop.InsightFaceWeights;
import io.github.ringloss4j.interop.TorchStateDict;
import io.github.ringloss4j.interop.TorchTensor;
import io.github.ringloss4j.serving.EmbeddingModels;
import io.github.ringloss4j.serving.EmbeddingNetworks;
import io.github.ringloss4j.serving.ModelDirectory;
import io.github.ringloss4j.serving.Preprocessing;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ringloss import}: a network trained elsewhere as the model directory {@code ringloss
 * export} writes, so that {@code embed}, {@code evaluate}, {@code verify}, {@code enroll}, {@code
 * identify}, {@code train --init-from} and a Java service ({@code EmbeddingModels.criteria}) take
 * it: either a PyTorch {@code state_dict} with InsightFace's parameter names for one of the
 * built-in face backbones, read as untrusted data ({@link TorchStateDict}) and mapped name by name
 * ({@link InsightFaceWeights}), or a traced TorchScript model of any network ({@code
 * --torchscript}).
 */
@Command(
    name = "import",
    mixinStandardHelpOptions = true,
    description = {
      "Import a network trained in PyTorch as a model directory (as `export` writes): an"
          + " InsightFace-named state_dict (.pth, torch's zip format) for --model"
          + " iresnet18|34|50|100 or mobilefacenet, or with --torchscript a traced TorchScript"
          + " model of any network.",
      "The preprocessing defaults to InsightFace's: RGB 112×112, (x/255 − 0.5)/0.5."
    })
public final class ImportCommand implements Callable<Integer> {

  /** InsightFace's input normalisation, ((x / 255) − 0.5) / 0.5. */
  private static final float INSIGHTFACE_MEAN_STD = 0.5f;

  @Parameters(
      index = "0",
      paramLabel = "FILE",
      description = "The .pth state_dict, or with --torchscript the traced .pt file.")
  Path file;

  @Option(
      names = "--model",
      paramLabel = "NAME",
      description =
          "The network the state_dict holds: iresnet18, iresnet34, iresnet50, iresnet100 or"
              + " mobilefacenet (InsightFace's iresnet* and get_mbf).")
  String model;

  @Option(
      names = "--torchscript",
      description = "FILE is a traced TorchScript model (torch.jit.trace) of any network.")
  boolean torchScript;

  @Option(
      names = "--key",
      paramLabel = "KEY",
      description =
          "The entry of a checkpoint dict that holds the state_dict (e.g. state_dict). Default:"
              + " the file is the state_dict itself.")
  String key;

  @Option(
      names = "--out",
      paramLabel = "DIR",
      required = true,
      description = "The model directory to create; it must not exist or be empty.")
  Path out;

  @Option(
      names = "--image-size",
      paramLabel = "PX",
      description =
          "The network's input side (square). Default: 112; the built-in face networks take only"
              + " 112.")
  Integer imageSize;

  @Option(
      names = "--channels",
      paramLabel = "C",
      defaultValue = "3",
      description = "1 (grey) or 3 (RGB). Default: ${DEFAULT-VALUE}.")
  int channels;

  @Option(
      names = "--mean",
      paramLabel = "M",
      split = ",",
      description =
          "Mean of x/255 subtracted before the network: one value, or one per channel."
              + " Default: 0.5.")
  List<Float> mean;

  @Option(
      names = "--std",
      paramLabel = "S",
      split = ",",
      description =
          "Standard deviation of x/255 divided by: one value, or one per channel."
              + " Default: 0.5.")
  List<Float> std;

  @Mixin ServingOptions serving;

  @Mixin RuntimeOptions runtime;

  @Override
  public Integer call() throws Exception {
    runtime.apply();
    if (torchScript == (model != null)) {
      throw new IllegalArgumentException(
          torchScript
              ? "--model and --torchscript exclude each other: a TorchScript file carries its"
                  + " own network"
              : "--model is required (iresnet18, iresnet34, iresnet50, iresnet100 or"
                  + " mobilefacenet), or --torchscript for a traced model");
    }
    if (torchScript && key != null) {
      throw new IllegalArgumentException(
          "--key selects a state_dict entry; not with --torchscript");
    }
    String network = torchScript ? null : faceNetwork(model);
    int side = imageSize == null ? Backbone.INPUT_SIZE : imageSize;
    if (side < 8 || side > 4096) {
      throw new IllegalArgumentException("--image-size must be 8 to 4096, got " + side);
    }
    if (network != null && (side != Backbone.INPUT_SIZE || channels != 3)) {
      throw new IllegalArgumentException(
          network + " takes 3×112×112 images; --image-size and --channels must be 112 and 3");
    }
    Preprocessing preprocessing = preprocessing(new Backbones.Input(channels, side, side));
    if (Files.exists(out) && !StagingDirectory.isEmptyDirectory(out)) {
      throw new IllegalArgumentException(
          "--out " + out + " exists and is not an empty directory; choose another");
    }
    OutputPaths.requireWritableDirectory(out, "--out");
    if (!Files.isRegularFile(file)) {
      throw new java.nio.file.NoSuchFileException(file.toString(), null, "no such file");
    }
    long start = System.nanoTime();
    if (torchScript) {
      importTorchScript(preprocessing);
    } else {
      importStateDict(network, preprocessing);
    }
    System.out.printf(
        Locale.ROOT, "  %s%n  in %.1f s%n", preprocessing, (System.nanoTime() - start) / 1e9);
    return 0;
  }

  private void importStateDict(String network, Preprocessing preprocessing) throws IOException {
    Map<String, TorchTensor> stateDict =
        key == null ? TorchStateDict.read(file) : TorchStateDict.read(file, key);
    int d;
    Backbone backbone;
    try (NDManager manager = NDManager.newBaseManager()) {
      try {
        d = InsightFaceWeights.embeddingSize((Backbone) Backbones.create(network, 1), stateDict);
        backbone = (Backbone) Backbones.create(network, d);
        backbone.initialize(manager, DataType.FLOAT32, preprocessing.input().batchShape(1));
        InsightFaceWeights.load(backbone, stateDict);
      } catch (MalformedModelException e) {
        throw new DataFormatException(file, e.getMessage(), e);
      }
      EmbeddingModels.export(backbone, network, d, preprocessing, out);
    }
    System.out.printf(
        Locale.ROOT,
        "imported %s (d = %d, %d tensors) from %s to %s%n",
        network,
        d,
        stateDict.size(),
        file,
        out);
  }

  private void importTorchScript(Preprocessing preprocessing) throws IOException {
    int d;
    try {
      EmbeddingModels.importTorchScript(file, preprocessing, out);
      d =
          ModelDirectory.open(out, EmbeddingNetworks.builtIn().withTorchScript())
              .config()
              .embeddingSize();
    } catch (MalformedModelException e) {
      throw new DataFormatException(file, strip(e.getMessage()), e);
    }
    System.out.printf(
        Locale.ROOT, "imported the TorchScript model %s (d = %d) to %s%n", file, d, out);
  }

  /** The library's message without its leading file name, which the application's error adds. */
  private String strip(String message) {
    String prefix = file + ": ";
    return message.startsWith(prefix) ? message.substring(prefix.length()) : message;
  }

  private Preprocessing preprocessing(Backbones.Input input) {
    int c = input.channels();
    float[] m = ModelOptions.perChannel("--mean", mean, INSIGHTFACE_MEAN_STD, c);
    float[] s = ModelOptions.perChannel("--std", std, INSIGHTFACE_MEAN_STD, c);
    try {
      return serving.applyTo(Preprocessing.of(input).withNormalization(m, s));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--mean/--std: " + e.getMessage(), e);
    }
  }

  /** The built-in networks that have an InsightFace counterpart. */
  private static String faceNetwork(String name) {
    String canonical = Backbones.canonicalName(name);
    if (!canonical.startsWith("iresnet") && !canonical.equals("mobilefacenet")) {
      throw new IllegalArgumentException(
          "--model "
              + name
              + " has no InsightFace counterpart; import takes iresnet18, iresnet34, iresnet50,"
              + " iresnet100 or mobilefacenet (or --torchscript for any traced network)");
    }
    return canonical;
  }
}
