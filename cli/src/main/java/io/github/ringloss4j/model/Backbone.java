package io.github.ringloss4j.model;

import ai.djl.nn.Block;
import java.util.Locale;

/** The embedding networks {@code --model} names; {@link Backbones} builds them. */
public enum Backbone {
  /** The small CNN for 28×28 inputs. */
  CNN,
  /** The residual network for face-size inputs. */
  RESNET;

  /**
   * A new backbone.
   *
   * @param embeddingSize the embedding dimension d
   * @return the block mapping [m, c, h, w] images to [m, d] features
   */
  public Block create(int embeddingSize) {
    return Backbones.create(toString(), embeddingSize);
  }

  /** The name on the command line and in saved options: {@code cnn}, {@code resnet}. */
  @Override
  public String toString() {
    return name().toLowerCase(Locale.ROOT);
  }
}
