package io.github.ringloss4j.serving;

import ai.djl.Model;
import ai.djl.nn.Block;
import ai.djl.nn.BlockFactory;
import io.github.ringloss4j.backbone.Backbones;
import java.nio.file.Path;
import java.util.Map;

/**
 * Builds the embedding network of an exported model, uninitialised, from its {@value
 * ServingConfig#FILE} arguments: {@code Backbones.create(backbone, embeddingSize)}.
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
 */
public final class EmbeddingBlockFactory implements BlockFactory {

  private static final long serialVersionUID = 1L;

  /** Creates the factory; DJL instantiates it by class name. */
  public EmbeddingBlockFactory() {}

  /**
   * Builds the network the arguments name.
   *
   * @param model the model being loaded; closed here if the arguments are invalid, since DJL
   *     abandons it then
   * @param modelPath the model directory, for messages
   * @param arguments the model's arguments
   * @return the uninitialised network
   * @throws IllegalArgumentException naming the file and key when an argument is missing or invalid
   */
  @Override
  public Block newBlock(Model model, Path modelPath, Map<String, ?> arguments) {
    ServingConfig config;
    try {
      config = ServingConfig.fromArguments(arguments, modelPath.resolve(ServingConfig.FILE));
    } catch (IllegalArgumentException e) {
      // DJL 0.36's BaseModelLoader.createModel drops the model it made for us without closing it
      // when this throws; its native memory would wait for the finalizer.
      model.close();
      throw e;
    }
    return Backbones.create(config.backbone(), config.embeddingSize());
  }
}
