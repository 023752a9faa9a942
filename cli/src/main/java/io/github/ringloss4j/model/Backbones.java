package io.github.ringloss4j.model;

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
 * The embedding networks the application trains.
 *
 * <ul>
 *   <li>{@code cnn}: for 28×28 inputs. conv3×3(32)–BN–ReLU–maxpool, conv3×3(64)–BN–ReLU–maxpool,
 *       FC(256)–ReLU, FC(d). About 0.9 M parameters at d = 128; the embedding is the last linear
 *       layer's output, with no activation, as in the paper.
 *   <li>{@code resnet}: for face-size inputs (e.g. 112×112): a stem conv3×3(32), then four stages
 *       of two basic residual blocks (32, 64, 128, 256 channels, stride 2 from the second stage),
 *       global average pooling, BN, FC(d).
 * </ul>
 */
public final class Backbones {

  /** The names {@link #create} accepts. */
  public static final List<String> NAMES = List.of("cnn", "resnet");

  private Backbones() {}

  /**
   * Creates a backbone by name.
   *
   * @param name {@code cnn} or {@code resnet}
   * @param embeddingSize the embedding dimension d
   * @return the block mapping [m, c, h, w] images to [m, d] features
   */
  public static Block create(String name, int embeddingSize) {
    if (embeddingSize < 1) {
      throw new IllegalArgumentException("embedding size must be >= 1, got " + embeddingSize);
    }
    switch (name.toLowerCase(Locale.ROOT)) {
      case "cnn":
        return smallCnn(embeddingSize);
      case "resnet":
        return resnet(embeddingSize);
      default:
        throw new IllegalArgumentException("unknown model '" + name + "'; valid: " + NAMES);
    }
  }

  /**
   * The small CNN for 28×28 inputs.
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
   * The residual backbone for face-size inputs.
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
