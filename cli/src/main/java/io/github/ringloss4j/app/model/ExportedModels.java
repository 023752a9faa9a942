package io.github.ringloss4j.app.model;

import ai.djl.MalformedModelException;
import ai.djl.modality.cv.Image;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.repository.zoo.ModelNotFoundException;
import ai.djl.repository.zoo.ZooModel;
import io.github.ringloss4j.app.data.InputNormalization;
import io.github.ringloss4j.app.io.DataFormatException;
import io.github.ringloss4j.backbone.Backbones;
import io.github.ringloss4j.serving.EmbeddingNetworks;
import io.github.ringloss4j.serving.ModelDirectory;
import io.github.ringloss4j.serving.Preprocessing;
import io.github.ringloss4j.serving.ServingConfig;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Exported model directories as the application reads them: checked as untrusted data, with the
 * application's exit codes ({@link #open}), and as the start of a run's backbone.
 *
 * <p>{@code train --init-from DIR}: a run's backbone starts from an exported model directory
 * ({@code ringloss export}, {@code ringloss import}) instead of its random initialisation.
 *
 * <p>The directory is untrusted data: it is checked and loaded as a service loads it ({@link
 * ModelDirectory}, its network built by this library's code), and only then are its parameters,
 * BatchNorm running statistics included, read into the run's backbone, in the order and shapes that
 * backbone has. The head and the ring's radius start as they always do.
 *
 * <p>What must agree, each refused as an option error naming both values: the network, the
 * embedding size and the input shape (channels, height, width). The directory's input normalisation
 * (such as InsightFace's {@code (x / 255 − 0.5) / 0.5}) is the one its network expects: it becomes
 * the run's ({@code --input-mean}, {@code --input-std}, saved with the run, so that training,
 * validation, every command using the run and its export feed it), and an explicit other value is
 * refused.
 */
public final class ExportedModels {

  private ExportedModels() {}

  /**
   * Checks an exported model directory as untrusted data ({@link ModelDirectory#open}), its
   * refusals as the application's input errors.
   *
   * @param dir the directory
   * @return the checked directory
   * @throws java.nio.file.NoSuchFileException when a file of it is missing
   * @throws DataFormatException naming the file and the key or entry when it is refused
   * @throws IOException when it cannot be read
   */
  public static ModelDirectory open(Path dir) throws IOException {
    return open(dir, EmbeddingNetworks.builtIn());
  }

  /**
   * Checks an exported model directory as untrusted data ({@link ModelDirectory#open}) against the
   * networks it may name, its refusals as the application's input errors; a TorchScript directory
   * refused for want of the opt-in says how to give it on the command line.
   *
   * @param dir the directory
   * @param networks the networks it may name ({@code withTorchScript()} to allow TorchScript)
   * @return the checked directory
   * @throws java.nio.file.NoSuchFileException when a file of it is missing
   * @throws DataFormatException naming the file and the key or entry when it is refused
   * @throws IOException when it cannot be read
   */
  public static ModelDirectory open(Path dir, EmbeddingNetworks networks) throws IOException {
    try {
      return ModelDirectory.open(dir, networks);
    } catch (MalformedModelException e) {
      if (!networks.allowsTorchScript() && e.getMessage().contains(EmbeddingNetworks.TORCHSCRIPT)) {
        e =
            new MalformedModelException(
                e.getMessage() + " (on the command line: --allow-torchscript)", e);
      }
      throw refused(dir.toAbsolutePath().normalize(), e);
    }
  }

  /**
   * The library's refusal as the application's input error, located at the file it names ({@code
   * ModelDirectory}'s messages start with the directory or its configuration file).
   */
  private static DataFormatException refused(Path dir, MalformedModelException e) {
    String message = e.getMessage();
    for (Path file : List.of(dir.resolve(ServingConfig.FILE), dir)) {
      String prefix = file + ": ";
      if (message.startsWith(prefix)) {
        return new DataFormatException(file, message.substring(prefix.length()), e);
      }
    }
    return new DataFormatException(dir, message, e);
  }

  /**
   * Opens {@code --init-from}'s directory, checks that it holds the run's network and sets the
   * run's input normalisation to the directory's ({@link ModelOptions#inputNormalizationFrom}).
   *
   * @param model the run's network options, whose {@link ModelOptions#initFrom} is set
   * @param item the run's input shape, {channels, height, width}
   * @return the checked directory
   * @throws IllegalArgumentException naming {@code --init-from} and every value that differs, the
   *     directory's and the run's, or the normalisation option given with another value
   * @throws DataFormatException when the directory is refused as a model directory
   * @throws IOException when it cannot be read
   */
  public static ModelDirectory check(ModelOptions model, int[] item) throws IOException {
    Path dir = model.initFrom();
    ModelDirectory export = open(dir, EmbeddingNetworks.builtIn().withTorchScript());
    if (export.isTorchScript()) {
      throw new IllegalArgumentException(
          "--init-from "
              + dir
              + " holds a TorchScript model, whose weights are not ours to train; import the"
              + " network's state_dict instead (ringloss import FILE.pth --model NAME)");
    }
    ServingConfig config = export.config();
    Preprocessing p = config.preprocessing();
    Backbones.Input input = p.input();
    List<String> differences = new ArrayList<>();
    if (!config.backbone().equals(model.backbone().toString())) {
      differences.add(
          "network " + config.backbone() + " (the run's --model: " + model.backbone() + ")");
    }
    if (config.embeddingSize() != model.embeddingSize()) {
      differences.add(
          "embedding size "
              + config.embeddingSize()
              + " (the run's --embedding-size: "
              + model.embeddingSize()
              + ")");
    }
    int[] theirs = {input.channels(), input.height(), input.width()};
    if (!Arrays.equals(theirs, item)) {
      differences.add(
          "input "
              + shape(theirs)
              + " (the run's data: "
              + shape(item)
              + ", from --image-size and --channels)");
    }
    if (!differences.isEmpty()) {
      throw new IllegalArgumentException(
          "--init-from "
              + dir
              + " holds another network than the run's: "
              + String.join("; ", differences)
              + ". Give the run the directory's values, or another directory");
    }
    model.inputNormalizationFrom(new InputNormalization(p.mean(), p.std()));
    return export;
  }

  /**
   * Reads the directory's network parameters, BatchNorm running statistics included, into the run's
   * backbone, before the trainer initialises it (which keeps loaded values and draws only what is
   * missing, the head's and the ring's).
   *
   * @param export the checked directory ({@link #check})
   * @param backbone the run's backbone, not yet initialised
   * @param manager where its arrays are created
   * @throws DataFormatException naming the directory when it does not load, or its parameters do
   *     not fit the backbone
   */
  public static void load(ModelDirectory export, Block backbone, NDManager manager)
      throws DataFormatException {
    byte[] parameters;
    try (ZooModel<Image, float[]> zoo = export.criteria().loadModel()) {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      zoo.getBlock().saveParameters(new DataOutputStream(bytes));
      parameters = bytes.toByteArray();
    } catch (ModelNotFoundException
        | MalformedModelException
        | IOException
        | IllegalArgumentException e) {
      throw new DataFormatException(
          export.path(), "cannot load the exported model: " + e.getMessage(), e);
    }
    try {
      backbone.loadParameters(manager, new DataInputStream(new ByteArrayInputStream(parameters)));
    } catch (IOException | MalformedModelException e) {
      throw new DataFormatException(
          export.parameters(),
          "the parameters do not load into the run's backbone: " + e.getMessage(),
          e);
    }
  }

  private static String shape(int[] chw) {
    return chw[0] + "×" + chw[1] + "×" + chw[2];
  }
}
