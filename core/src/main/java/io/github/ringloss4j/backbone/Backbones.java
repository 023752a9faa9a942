package io.github.ringloss4j.backbone;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.LambdaBlock;
import ai.djl.nn.ParallelBlock;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.pooling.Pool;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Every embedding network by name, so that the application, which trains a network, and a service,
 * which only runs it, build the same architecture from a name and an embedding size d.
 *
 * <table>
 *   <caption>Names, networks and inputs</caption>
 *   <tr><th>name</th><th>network</th><th>input (channels × height × width)</th></tr>
 *   <tr><td>cnn</td><td>{@link #smallCnn}</td><td>any, at least 4×4; 1×28×28 by default
 *       (Fashion-MNIST)</td></tr>
 *   <tr><td>resnet</td><td>{@link #resnet}</td><td>any; 3×112×112 by default</td></tr>
 *   <tr><td>iresnet18, iresnet34, iresnet50, iresnet100</td><td>{@link IResNet} of that depth,
 *       dropout 0</td><td>3×112×112 only</td></tr>
 *   <tr><td>mobilefacenet</td><td>{@link MobileFaceNet} with {@code get_mbf}'s defaults</td>
 *       <td>3×112×112 only</td></tr>
 * </table>
 *
 * <p>A network maps images [m, c, h, w] to embeddings [m, d]. The block structure, and therefore
 * the order and names of the parameters, is fixed by the name: parameters saved from one {@code
 * create(name, d)} load into another. The input size is not part of {@code cnn}'s or {@code
 * resnet}'s structure ({@code cnn}'s first linear layer takes its width from the first input at
 * initialisation, {@code resnet} ends on global pooling), so whoever saves such a network must
 * record the size it was trained on; the face networks accept only {@link Backbone#inputShape
 * 3×112×112}. Names are case-insensitive.
 */
public final class Backbones {

  /** The names {@link #create} accepts, in the order error messages list them. */
  public static final List<String> NAMES =
      List.of(
          "cnn", "resnet", "iresnet18", "iresnet34", "iresnet50", "iresnet100", "mobilefacenet");

  /** The smallest side {@code cnn} takes: two 2×2 max-poolings must leave at least one pixel. */
  private static final int CNN_MIN_SIDE = 4;

  private static final Input FACE_INPUT =
      new Input(Backbone.INPUT_CHANNELS, Backbone.INPUT_SIZE, Backbone.INPUT_SIZE);

  /**
   * The shape of one input image.
   *
   * @param channels 1 (grey) or 3 (RGB, in that order)
   * @param height the height in pixels, at least 1
   * @param width the width in pixels, at least 1
   */
  public record Input(int channels, int height, int width) {

    /**
     * Validates the shape.
     *
     * @param channels 1 or 3
     * @param height at least 1
     * @param width at least 1
     * @throws IllegalArgumentException if {@code channels} is not 1 or 3 or a side is not positive
     */
    public Input {
      if (channels != 1 && channels != 3) {
        throw new IllegalArgumentException("channels must be 1 or 3, got " + channels);
      }
      if (height < 1 || width < 1) {
        throw new IllegalArgumentException(
            "image height and width must be positive, got " + height + "×" + width);
      }
    }

    /**
     * The shape of a batch of such images.
     *
     * @param batchSize m
     * @return [m, channels, height, width]
     */
    public Shape batchShape(long batchSize) {
      return new Shape(batchSize, channels, height, width);
    }

    @Override
    public String toString() {
      return channels + "×" + height + "×" + width;
    }
  }

  private Backbones() {}

  /**
   * The lower-case form of a valid name.
   *
   * @param name a name in {@link #NAMES}, any letter case
   * @return the name as listed in {@link #NAMES}
   * @throws IllegalArgumentException for an unknown or null name, listing the valid ones
   */
  public static String canonicalName(String name) {
    String lower = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
    if (!NAMES.contains(lower)) {
      throw new IllegalArgumentException("unknown model '" + name + "'; valid: " + NAMES);
    }
    return lower;
  }

  /**
   * Creates an embedding network by name.
   *
   * @param name one of {@link #NAMES}
   * @param embeddingSize the embedding dimension d, at least 1
   * @return a new, uninitialised block mapping [m, c, h, w] images to [m, d] embeddings
   * @throws IllegalArgumentException for an unknown name (listing the valid ones) or d &lt; 1
   */
  public static Block create(String name, int embeddingSize) {
    String canonical = canonicalName(name);
    if (embeddingSize < 1) {
      throw new IllegalArgumentException("embedding size must be >= 1, got " + embeddingSize);
    }
    switch (canonical) {
      case "cnn":
        return smallCnn(embeddingSize);
      case "resnet":
        return resnet(embeddingSize);
      case "mobilefacenet":
        return MobileFaceNet.builder().optEmbeddingSize(embeddingSize).build();
      default:
        int depth = Integer.parseInt(canonical.substring("iresnet".length()));
        return IResNet.builder().setDepth(depth).optEmbeddingSize(embeddingSize).build();
    }
  }

  /**
   * The input a network is usually trained on: 1×28×28 for {@code cnn}, 3×112×112 for the others.
   *
   * @param name one of {@link #NAMES}
   * @return the input shape
   * @throws IllegalArgumentException for an unknown name
   */
  public static Input defaultInput(String name) {
    return canonicalName(name).equals("cnn") ? new Input(1, 28, 28) : FACE_INPUT;
  }

  /**
   * Checks that a network can take an input shape: exactly 3×112×112 for the face networks, sides
   * of at least {@value #CNN_MIN_SIDE} for {@code cnn}, anything for {@code resnet}.
   *
   * @param name one of {@link #NAMES}
   * @param input the image shape
   * @throws IllegalArgumentException naming the network and both shapes when they do not fit, or
   *     for an unknown name
   */
  public static void checkInput(String name, Input input) {
    String canonical = canonicalName(name);
    boolean fits;
    switch (canonical) {
      case "cnn":
        fits = input.height() >= CNN_MIN_SIDE && input.width() >= CNN_MIN_SIDE;
        break;
      case "resnet":
        fits = true;
        break;
      default:
        fits = input.equals(FACE_INPUT);
    }
    if (!fits) {
      throw new IllegalArgumentException(
          canonical
              + " cannot take "
              + input
              + " images; it needs "
              + (canonical.equals("cnn")
                  ? "height and width of at least " + CNN_MIN_SIDE
                  : FACE_INPUT.toString()));
    }
  }

  /**
   * The small CNN for 28×28 inputs: conv3×3(32)–BN–ReLU–maxpool, conv3×3(64)–BN–ReLU–maxpool,
   * FC(256)–ReLU, FC(d). About 0.9 M parameters at d = 128; the embedding is the last linear
   * layer's output, with no activation, as in the Ring-loss paper.
   *
   * @param embeddingSize d
   * @return the block
   */
  public static Block smallCnn(int embeddingSize) {
    return new SequentialBlock()
        .add(conv(32, 1))
        .add(BatchNorm.builder().build())
        .add(Activation::relu)
        .add(Pool.maxPool2dBlock(new Shape(2, 2)))
        .add(conv(64, 1))
        .add(BatchNorm.builder().build())
        .add(Activation::relu)
        .add(Pool.maxPool2dBlock(new Shape(2, 2)))
        .add(Blocks.batchFlattenBlock())
        .add(Linear.builder().setUnits(256).build())
        .add(Activation::relu)
        .add(Linear.builder().setUnits(embeddingSize).build());
  }

  /**
   * The residual network for face-size inputs (e.g. 112×112): a stem conv3×3(32)–BN–ReLU, then four
   * stages of two basic residual blocks (32, 64, 128, 256 channels, stride 2 from the second stage,
   * a 1×1 projection on the shortcut where the shape changes), global average pooling, BN, FC(d).
   *
   * @param embeddingSize d
   * @return the block
   */
  public static Block resnet(int embeddingSize) {
    SequentialBlock net =
        new SequentialBlock()
            .add(conv(32, 1))
            .add(BatchNorm.builder().build())
            .add(Activation::relu);
    int[] channels = {32, 64, 128, 256};
    for (int stage = 0; stage < channels.length; stage++) {
      int stride = stage == 0 ? 1 : 2;
      net.add(residual(channels[stage], stride, stage > 0));
      net.add(residual(channels[stage], 1, false));
    }
    return net.add(Pool.globalAvgPool2dBlock())
        .add(BatchNorm.builder().build())
        .add(Linear.builder().setUnits(embeddingSize).build());
  }

  private static Block conv(int channels, int stride) {
    return Conv2d.builder()
        .setKernelShape(new Shape(3, 3))
        .optPadding(new Shape(1, 1))
        .optStride(new Shape(stride, stride))
        .setFilters(channels)
        .build();
  }

  private static Block residual(int channels, int stride, boolean project) {
    SequentialBlock main =
        new SequentialBlock()
            .add(conv(channels, stride))
            .add(BatchNorm.builder().build())
            .add(Activation::relu)
            .add(conv(channels, 1))
            .add(BatchNorm.builder().build());
    Block shortcut =
        project
            ? new SequentialBlock()
                .add(
                    Conv2d.builder()
                        .setKernelShape(new Shape(1, 1))
                        .optStride(new Shape(stride, stride))
                        .setFilters(channels)
                        .build())
                .add(BatchNorm.builder().build())
            : Blocks.identityBlock();
    return new SequentialBlock()
        .add(
            new ParallelBlock(
                list ->
                    new NDList(list.get(0).singletonOrThrow().add(list.get(1).singletonOrThrow())),
                Arrays.asList(main, shortcut)))
        .add(new LambdaBlock(x -> new NDList(Activation.relu(x.singletonOrThrow()))));
  }
}
