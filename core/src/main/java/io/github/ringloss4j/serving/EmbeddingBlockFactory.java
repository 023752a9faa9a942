package io.github.ringloss4j.serving;

import ai.djl.Model;
import ai.djl.nn.Block;
import ai.djl.nn.BlockFactory;
import java.nio.file.Path;
import java.util.Map;

/**
 * Builds the embedding network of an exported model, uninitialised, from its {@value
 * ServingConfig#FILE} arguments: the network its {@value ServingConfig#BACKBONE} key names,
 * resolved through the {@link EmbeddingNetworks} the loader registered in code ({@link
 * EmbeddingNetworks#newBlock}), never through a class the file names.
 *
 * <p>Why it is needed: a directory written by {@code Model.save} holds parameters, not a network.
 * Without a block, DJL's PyTorch engine ({@code PtModel.load}) looks for a TorchScript {@code .pt}
 * file and fails. {@link EmbeddingModels#criteria} passes an instance of this class as the {@code
 * blockFactory} argument, which takes precedence over the file's key; {@code
 * BaseModelLoader.createModel} calls {@link #newBlock} and sets the block on the model, and {@code
 * PtModel.load} then reads {@code <modelName>-NNNN.params} into it ({@code BaseModel.loadBlock});
 * the parameter file carries the input shapes, so no initialisation is needed.
 *
 * <p>All of the file's arguments, preprocessing included, are validated here, so that a broken file
 * fails before the parameters are read, with a message naming the file and the key.
 *
 * <p>For a TorchScript directory ({@value EmbeddingNetworks#TORCHSCRIPT}, loadable only with {@link
 * EmbeddingNetworks#withTorchScript()}) there is no network to build: {@link #newBlock} returns
 * null after the same validation, and {@code PtModel.load} then reads {@code <modelName>.pt} with
 * libtorch. The factory is still passed, as an instance, because without one {@code
 * BaseModelLoader.createModel} would look for a {@code BlockFactory} among the classes in the
 * directory's {@code classes/} folder and jars and create it.
 */
public final class EmbeddingBlockFactory implements BlockFactory {

  private static final long serialVersionUID = 1L;

  /** The networks the file may name; null after deserialisation, which means the built-in ones. */
  private final transient EmbeddingNetworks networks;

  /** Creates the factory of the built-in networks; DJL instantiates it by class name. */
  public EmbeddingBlockFactory() {
    this(EmbeddingNetworks.builtIn());
  }

  /**
   * Creates the factory of the given networks.
   *
   * @param networks the networks the file may name
   */
  EmbeddingBlockFactory(EmbeddingNetworks networks) {
    this.networks = networks;
  }

  /**
   * Builds the network the arguments name.
   *
   * @param model the model being loaded; closed here if the arguments are invalid, since DJL
   *     abandons it then
   * @param modelPath the model directory, for messages
   * @param arguments the model's arguments
   * @return the uninitialised network, or null for a TorchScript model, whose network is its file
   * @throws IllegalArgumentException naming the file and key when an argument is missing or invalid
   */
  @Override
  public Block newBlock(Model model, Path modelPath, Map<String, ?> arguments) {
    EmbeddingNetworks known = networks == null ? EmbeddingNetworks.builtIn() : networks;
    try {
      ServingConfig config =
          ServingConfig.fromArguments(arguments, modelPath.resolve(ServingConfig.FILE), known);
      if (config.isTorchScript()) {
        return null;
      }
      return known.newBlock(
          config.backbone(), config.embeddingSize(), config.preprocessing().input());
    } catch (RuntimeException e) {
      // DJL 0.36's BaseModelLoader.createModel drops the model it made for us without closing it
      // when this throws; its native memory would wait for the finalizer.
      model.close();
      throw e;
    }
  }
}
