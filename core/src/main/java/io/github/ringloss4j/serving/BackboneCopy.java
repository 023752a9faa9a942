package io.github.ringloss4j.serving;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.initializer.Initializer;
import io.github.ringloss4j.backbone.Backbones;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.List;

/**
 * Copies a trained embedding network into the network {@link EmbeddingBlockFactory} will build,
 * {@code Backbones.create(backbone, d)} initialised for the recorded input, proving before anything
 * is written that the parameters load there and have the shapes that architecture expects.
 *
 * <p>Why a copy rather than the caller's block: DJL 0.36's {@code Model.save} calls {@code
 * describeInput()}, which fails ("key value size mismatch") on a block whose parameters were loaded
 * rather than initialised, as the application's checkpoints are ({@code
 * AbstractBaseBlock.loadMetadata} restores the input shapes but not the input names). Initialising
 * the caller's block instead would reset values that some blocks re-initialise on every {@code
 * initialize} (PReLU slopes), and would change the caller's object.
 */
final class BackboneCopy {

  /** Allocates without drawing random numbers: every value is replaced by the loaded one. */
  private static final Initializer UNFILLED = (manager, shape, type) -> manager.create(shape, type);

  private BackboneCopy() {}

  /**
   * The copy.
   *
   * @param embedding the trained network, initialised or with loaded parameters ({@link
   *     Block#isInitialized})
   * @param config what it is
   * @param manager owns the copy's arrays
   * @return a new network holding {@code embedding}'s values
   * @throws IllegalArgumentException naming what differs when {@code embedding} is not that
   *     network: other parameters, another input shape, other parameter shapes
   */
  static Block of(Block embedding, ServingConfig config, NDManager manager) {
    Block copy = Backbones.create(config.backbone(), config.embeddingSize());
    List<String> names = copy.getParameters().keys();
    if (!names.equals(embedding.getParameters().keys())) {
      throw new IllegalArgumentException(
          "the block is not a '"
              + config.backbone()
              + "' embedding network: it has "
              + embedding.getParameters().size()
              + " parameters, "
              + config.backbone()
              + " has "
              + names.size()
              + " (pass the embedding network alone, e.g. RingModelBlock.getEmbedding(), not a"
              + " model with its head and ring)");
    }
    Backbones.Input input = config.preprocessing().input();
    Shape[] trainedFor = embedding.getInputShapes();
    if (trainedFor.length != 1 || !trainedFor[0].slice(1).equals(input.batchShape(1).slice(1))) {
      throw new IllegalArgumentException(
          "the network was initialised for input "
              + List.of(trainedFor)
              + ", not "
              + input.batchShape(1).slice(1)
              + " ("
              + input
              + "): record the image shape it was trained on");
    }
    copy.setInitializer(UNFILLED, p -> true);
    DataType type = embedding.getParameters().valueAt(0).getArray().getDataType();
    copy.initialize(manager, type, input.batchShape(1));
    List<Shape> expected = shapes(copy);
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      embedding.saveParameters(new DataOutputStream(bytes));
      copy.loadParameters(
          manager, new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
    } catch (IOException | MalformedModelException e) {
      throw new IllegalArgumentException(
          "the network's parameters do not load into a new '"
              + config.backbone()
              + "': "
              + e.getMessage(),
          e);
    }
    List<Shape> loaded = shapes(copy);
    for (int i = 0; i < names.size(); i++) {
      if (!expected.get(i).equals(loaded.get(i))) {
        throw new IllegalArgumentException(
            "parameter "
                + names.get(i)
                + " has shape "
                + loaded.get(i)
                + ", but a '"
                + config.backbone()
                + "' with embedding size "
                + config.embeddingSize()
                + " on "
                + input
                + " input has "
                + expected.get(i));
      }
    }
    return copy;
  }

  private static List<Shape> shapes(Block block) {
    return block.getParameters().values().stream().map(Parameter::getShape).toList();
  }
}
