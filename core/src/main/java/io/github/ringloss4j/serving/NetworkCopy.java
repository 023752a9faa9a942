package io.github.ringloss4j.serving;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.ParameterList;
import ai.djl.training.initializer.Initializer;
import io.github.ringloss4j.backbone.Backbones;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Copies a trained embedding network into the network {@link EmbeddingBlockFactory} will build,
 * {@link EmbeddingNetworks#newBlock} initialised for the recorded input, proving before anything is
 * written that the parameters load there: the same parameters, in the same order, of the same
 * shapes.
 *
 * <p>Why a copy rather than the caller's block: DJL 0.36's {@code Model.save} calls {@code
 * describeInput()}, which fails ("key value size mismatch") on a block whose parameters were loaded
 * rather than initialised, as the application's checkpoints are ({@code
 * AbstractBaseBlock.loadMetadata} restores the input shapes but not the input names). Initialising
 * the caller's block instead would reset values that some blocks re-initialise on every {@code
 * initialize} (PReLU slopes), and would change the caller's object.
 */
final class NetworkCopy {

  /** Allocates without drawing random numbers: every value is replaced by the loaded one. */
  private static final Initializer UNFILLED = (manager, shape, type) -> manager.create(shape, type);

  /** How many differing parameters a mismatch lists. */
  private static final int LISTED = 5;

  private NetworkCopy() {}

  /**
   * The copy.
   *
   * @param embedding the trained network, initialised or with loaded parameters ({@link
   *     Block#isInitialized})
   * @param config what it is
   * @param networks builds the network {@code config} names
   * @param manager owns the copy's arrays
   * @return a new network holding {@code embedding}'s values
   * @throws IllegalArgumentException naming what differs when {@code embedding} is not that
   *     network: another input shape, other parameters or parameter shapes (listing the first that
   *     differ, with their names and shapes on both sides)
   */
  static Block of(
      Block embedding, ServingConfig config, EmbeddingNetworks networks, NDManager manager) {
    String name = config.backbone();
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
    String what =
        "'" + name + "' (embedding size " + config.embeddingSize() + ", input " + input + ")";
    Block copy = networks.newBlock(name, config.embeddingSize(), input);
    if (copy == embedding) {
      throw new IllegalArgumentException(
          "the network registered as '"
              + name
              + "' returned the block being exported: it must build a new block on each call");
    }
    copy.setInitializer(UNFILLED, p -> true);
    DataType type = embedding.getParameters().valueAt(0).getArray().getDataType();
    try {
      copy.initialize(manager, type, input.batchShape(1));
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(
          "a new " + what + " cannot be initialised: " + e.getMessage(), e);
    }
    List<String> differences = differences(embedding, copy, name);
    if (!differences.isEmpty()) {
      String hint =
          networks.isRegistered(name)
              ? ""
              : ". A network of your own is exported under a name registered with the code that"
                  + " builds it: EmbeddingNetworks.builtIn().with(\"my-net\", (d, input) ->"
                  + " newNetwork(d)), passed to EmbeddingModels.export and .criteria";
      throw new IllegalArgumentException(mismatch(embedding, copy, what, differences) + hint);
    }
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      embedding.saveParameters(new DataOutputStream(bytes));
      copy.loadParameters(
          manager, new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
    } catch (IOException | MalformedModelException e) {
      throw new IllegalArgumentException(
          "the network's parameters do not load into a new " + what + ": " + e.getMessage(), e);
    }
    return copy;
  }

  /**
   * The parameters, position by position (the order in which they are saved and loaded), whose
   * names or shapes differ; at most {@value #LISTED}, then how many more.
   */
  private static List<String> differences(Block embedding, Block copy, String name) {
    ParameterList given = embedding.getParameters();
    ParameterList built = copy.getParameters();
    List<String> out = new ArrayList<>();
    int more = 0;
    for (int i = 0; i < Math.max(given.size(), built.size()); i++) {
      String mine = i < given.size() ? describe(given, i) : "nothing";
      String theirs = i < built.size() ? describe(built, i) : "nothing";
      if (!mine.equals(theirs)) {
        if (out.size() < LISTED) {
          out.add("#" + i + ": the block has " + mine + ", '" + name + "' has " + theirs);
        } else {
          more++;
        }
      }
    }
    if (more > 0) {
      out.add("and " + more + " more");
    }
    return out;
  }

  private static String describe(ParameterList parameters, int i) {
    return parameters.keyAt(i) + " " + parameters.valueAt(i).getArray().getShape();
  }

  private static String mismatch(
      Block embedding, Block copy, String what, List<String> differences) {
    int given = embedding.getParameters().size();
    int built = copy.getParameters().size();
    StringBuilder out =
        new StringBuilder("the block does not have the parameters of a new ")
            .append(what)
            .append(": ")
            .append(given)
            .append(" parameters against ")
            .append(built)
            .append("; ")
            .append(String.join("; ", differences));
    if (given > built) {
      out.append(
          ". If the block is a whole model, pass its embedding network alone (e.g."
              + " RingModelBlock.getEmbedding()), not the model with its head and ring");
    }
    return out.toString();
  }
}
