package io.github.ringloss4j.app.model;

import ai.djl.nn.Block;
import io.github.ringloss4j.backbone.Backbones;
import java.util.Locale;

/**
 * The embedding networks {@code --model} names; the core library's {@link Backbones} builds them,
 * so a trained network and an exported one are the same architecture.
 */
public enum Backbone {
  /** The small CNN for 28×28 inputs (any size of at least 4×4). */
  CNN,
  /** The residual network for face-size inputs (any size). */
  RESNET,
  /** IResNet-18 (ArcFace's backbone), 3×112×112 inputs only. */
  IRESNET18,
  /** IResNet-34, 3×112×112 inputs only. */
  IRESNET34,
  /** IResNet-50, 3×112×112 inputs only. */
  IRESNET50,
  /** IResNet-100, 3×112×112 inputs only. */
  IRESNET100,
  /** MobileFaceNet, 3×112×112 inputs only. */
  MOBILEFACENET;

  /**
   * A new backbone.
   *
   * @param embeddingSize the embedding dimension d
   * @return the block mapping [m, c, h, w] images to [m, d] features
   */
  public Block create(int embeddingSize) {
    return Backbones.create(toString(), embeddingSize);
  }

  /**
   * Checks that the network can take the data's images: exactly 3×112×112 for the face networks
   * (their last layers are sized for a 7×7 map), at least 4×4 for {@code cnn}.
   *
   * @param item the data's item shape {channels, height, width}
   * @throws IllegalArgumentException naming {@code --model}, the shapes, and the options and data
   *     that decide the input
   */
  public void checkInput(int[] item) {
    try {
      Backbones.checkInput(toString(), new Backbones.Input(item[0], item[1], item[2]));
    } catch (IllegalArgumentException e) {
      Backbones.Input wanted = Backbones.defaultInput(toString());
      throw new IllegalArgumentException(
          "--model "
              + this
              + ": "
              + e.getMessage()
              + ". The input is --image-size × --image-size with --channels channels for an image"
              + " folder or a packed set (--data); IDX data such as Fashion-MNIST are always"
              + " 1×28×28"
              + (wanted.channels() == 3
                  ? ". Use --data with face images and --image-size "
                      + wanted.height()
                      + " --channels "
                      + wanted.channels()
                  : ""),
          e);
    }
  }

  /** The name on the command line and in saved options: {@code cnn}, {@code iresnet50}, … */
  @Override
  public String toString() {
    return name().toLowerCase(Locale.ROOT);
  }
}
