package io.github.ringloss4j.backbone;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.SequentialBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.Arrays;

/**
 * A face-recognition backbone: aligned RGB faces [N, 3, 112, 112] in, embeddings [N, d] out.
 *
 * <p>It holds one child, the layer stack {@value #LAYERS}, and forwards through it. The input size
 * is part of the architecture, not a default: both backbones end on a 7×7 map (112 / 2⁴) that a
 * fixed-size layer consumes (IResNet's FC over 512·7·7, MobileFaceNet's 7×7 depthwise conv), so any
 * other size is refused at initialisation rather than giving a silently different network.
 */
public abstract sealed class Backbone extends AbstractBlock permits IResNet, MobileFaceNet {

  /** The input's channels (RGB). */
  public static final int INPUT_CHANNELS = 3;

  /** The input's height and width: InsightFace's aligned 112×112 crops. */
  public static final int INPUT_SIZE = 112;

  /** The name of the child block that holds the layers. */
  public static final String LAYERS = "layers";

  private final SequentialBlock layers;
  private final int embeddingSize;

  /**
   * A backbone over a given layer stack.
   *
   * @param version the parameter-format version
   * @param layers the layers, [N, 3, 112, 112] → [N, d]
   * @param embeddingSize d
   */
  Backbone(byte version, SequentialBlock layers, int embeddingSize) {
    super(version);
    this.layers = addChildBlock(LAYERS, layers);
    this.embeddingSize = embeddingSize;
  }

  /**
   * The embedding dimension d.
   *
   * @return d
   */
  public int getEmbeddingSize() {
    return embeddingSize;
  }

  /**
   * The input shape for a batch.
   *
   * @param batchSize N
   * @return [N, 3, 112, 112]
   */
  public static Shape inputShape(long batchSize) {
    return new Shape(batchSize, INPUT_CHANNELS, INPUT_SIZE, INPUT_SIZE);
  }

  @Override
  protected void beforeInitialize(Shape... inputShapes) {
    super.beforeInitialize(inputShapes);
    if (inputShapes.length != 1
        || inputShapes[0].dimension() != 4
        || !inputShapes[0].slice(1).equals(inputShape(1).slice(1))) {
      throw new IllegalArgumentException(
          getClass().getSimpleName()
              + " expects one input of shape [batch, 3, 112, 112], got "
              + Arrays.toString(inputShapes));
    }
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    layers.initialize(manager, dataType, inputShapes);
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore parameterStore,
      NDList inputs,
      boolean training,
      PairList<String, Object> params) {
    return layers.forward(parameterStore, inputs, training, params);
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return layers.getOutputShapes(inputShapes);
  }
}
