package io.github.ringloss4j.backbone;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.norm.Dropout;
import ai.djl.training.initializer.Initializer;
import java.util.Arrays;

/**
 * The improved ResNet ("IResNet") of ArcFace, laid out exactly as InsightFace's {@code iresnet}
 * (recognition/arcface_torch/backbones/iresnet.py; Deng, Guo, Xue, Zafeiriou, "ArcFace: Additive
 * Angular Margin Loss for Deep Face Recognition", CVPR 2019).
 *
 * <pre>
 *   input [N, 3, 112, 112]
 *   stem      conv3×3(3→64, s1, p1) – BN – PReLU(64)                              [N, 64, 112, 112]
 *   stage i   planes 64, 128, 256, 512; blocks L_i; the first block has stride 2  → [N, 512, 7, 7]
 *     IBasicBlock(in → p, s):
 *       body      BN(in) – conv3×3(in→p) – BN – PReLU(p) – conv3×3(p→p, stride s) – BN
 *       shortcut  conv1×1(in→p, stride s) – BN   on the first block of a stage, else identity
 *       output    body + shortcut
 *   embedding BN2d(512) – flatten – Dropout(p) – FC(512·7·7 → d) – BN1d(d) with its scale fixed at 1
 *   output [N, d]
 * </pre>
 *
 * <p>Blocks per stage L: [2, 2, 2, 2] for depth 18, [3, 4, 6, 3] for 34, [3, 4, 14, 3] for 50, [3,
 * 13, 30, 3] for 100. Convolutions have no bias; every BatchNorm has eps 1e-5 and PyTorch's
 * momentum 0.1 (DJL 0.9); PReLUs are per channel and start at 0.25 ({@link PerChannelPrelu}). The
 * FC has a bias.
 *
 * <p>The final BN1d's scale is fixed at 1 and not trained, as InsightFace's {@code
 * features.weight.requires_grad = False}: it is a BatchNorm built with {@code optScale(false)},
 * whose γ exists, does not require a gradient, and is re-set to ones and re-frozen at every {@link
 * #initialize} so that neither a global initializer nor a blanket {@code freezeParameters(false)}
 * before initialisation changes it. Its shift is trained.
 *
 * <p>Trained parameters (requiring a gradient, running statistics excluded) at d = 512: 24,025,088
 * (18), 34,138,816 (34), 43,590,336 (50), 65,155,648 (100); PyTorch's {@code model.parameters()}
 * also counts the frozen scale's 512 values: 24,025,600, 34,139,328, 43,590,848, 65,156,160.
 *
 * <p>Weights are not initialised here: the training configuration decides (DJL's default is a
 * Kaiming-normal fan-in for weights, ones and zeros for BatchNorm); InsightFace draws conv weights
 * from N(0, 0.1²).
 */
public final class IResNet extends Backbone {

  /** The channels of the stem and of the four stages. */
  private static final int[] STAGE_PLANES = {64, 128, 256, 512};

  private static final int STEM_CHANNELS = 64;
  private static final byte VERSION = 1;

  private final int depth;
  private final float dropout;
  private final Parameter featuresScale;

  private IResNet(Builder builder, BatchNorm features) {
    super(
        VERSION,
        layers(stageBlocks(builder.depth), builder.dropout, builder.embeddingSize, features),
        builder.embeddingSize);
    this.depth = builder.depth;
    this.dropout = builder.dropout;
    this.featuresScale = features.getParameters().get("gamma");
  }

  /**
   * A builder; the depth is required.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The number of {@code IBasicBlock}s in each of the four stages, as InsightFace's {@code
   * iresnet18/34/50/100}.
   *
   * @param depth 18, 34, 50 or 100
   * @return the blocks per stage
   * @throws IllegalArgumentException for any other depth
   */
  public static int[] stageBlocks(int depth) {
    return switch (depth) {
      case 18 -> new int[] {2, 2, 2, 2};
      case 34 -> new int[] {3, 4, 6, 3};
      case 50 -> new int[] {3, 4, 14, 3};
      case 100 -> new int[] {3, 13, 30, 3};
      default ->
          throw new IllegalArgumentException(
              "IResNet depth must be 18, 34, 50 or 100, got " + depth);
    };
  }

  private static SequentialBlock layers(
      int[] blocks, float dropout, int embeddingSize, BatchNorm features) {
    SequentialBlock layers = new SequentialBlock();
    layers.add(ConvUnits.convBnPrelu(STEM_CHANNELS, 3, 1, 1, 1));
    for (int stage = 0; stage < STAGE_PLANES.length; stage++) {
      SequentialBlock stageBlock = new SequentialBlock();
      for (int i = 0; i < blocks[stage]; i++) {
        // Every stage halves the map in its first block, whose shortcut must then be projected.
        stageBlock.add(basicBlock(STAGE_PLANES[stage], i == 0 ? 2 : 1));
      }
      layers.add(stageBlock);
    }
    layers
        .add(ConvUnits.batchNorm())
        .add(Blocks.batchFlattenBlock())
        .add(Dropout.builder().optRate(dropout).build())
        .add(Linear.builder().setUnits(embeddingSize).build())
        .add(features);
    return layers;
  }

  /** IBasicBlock: pre-activation-style body with BN first, and PReLU between the two convs. */
  private static Block basicBlock(int planes, int stride) {
    SequentialBlock body =
        new SequentialBlock()
            .add(ConvUnits.batchNorm())
            .add(ConvUnits.convBnPrelu(planes, 3, 1, 1, 1))
            .add(ConvUnits.convBn(planes, 3, stride, 1, 1));
    if (stride == 1) {
      return ConvUnits.residual(body);
    }
    return ConvUnits.residual(body, ConvUnits.convBn(planes, 1, stride, 0, 1));
  }

  /**
   * The depth.
   *
   * @return 18, 34, 50 or 100
   */
  public int getDepth() {
    return depth;
  }

  /**
   * The dropout rate before the FC layer.
   *
   * @return p in [0, 1)
   */
  public float getDropout() {
    return dropout;
  }

  /**
   * The final BN1d's scale γ: fixed at 1, not trained.
   *
   * @return the frozen scale parameter, shape (d)
   */
  public Parameter getFeaturesScaleParameter() {
    return featuresScale;
  }

  @Override
  public void initialize(NDManager manager, DataType dataType, Shape... inputShapes) {
    // The fixed scale is part of the architecture: neither a global initializer nor a blanket
    // unfreeze may make it anything but a constant 1.
    featuresScale.setInitializer(Initializer.ONES);
    featuresScale.freeze(true);
    super.initialize(manager, dataType, inputShapes);
  }

  @Override
  public String toString() {
    return "IResNet(depth="
        + depth
        + ", stageBlocks="
        + Arrays.toString(stageBlocks(depth))
        + ", embeddingSize="
        + getEmbeddingSize()
        + ", dropout="
        + dropout
        + ")";
  }

  /** Builds an {@link IResNet}: {@code IResNet.builder().setDepth(50).build()}. */
  public static final class Builder {
    private int depth;
    private int embeddingSize = 512;
    private float dropout;

    private Builder() {}

    /**
     * Sets the depth (required).
     *
     * @param depth 18, 34, 50 or 100
     * @return this builder
     */
    public Builder setDepth(int depth) {
      this.depth = depth;
      return this;
    }

    /**
     * Sets the embedding dimension d.
     *
     * @param embeddingSize d ≥ 1; default 512, InsightFace's {@code num_features}
     * @return this builder
     */
    public Builder optEmbeddingSize(int embeddingSize) {
      this.embeddingSize = embeddingSize;
      return this;
    }

    /**
     * Sets the dropout rate before the FC layer.
     *
     * @param dropout p in [0, 1); default 0, InsightFace's default
     * @return this builder
     */
    public Builder optDropout(float dropout) {
      this.dropout = dropout;
      return this;
    }

    /**
     * Builds the network.
     *
     * @return the network
     * @throws IllegalArgumentException for an unsupported or missing depth, d &lt; 1, or p outside
     *     [0, 1)
     */
    public IResNet build() {
      stageBlocks(depth);
      if (embeddingSize < 1) {
        throw new IllegalArgumentException("embedding size must be >= 1, got " + embeddingSize);
      }
      if (!(dropout >= 0 && dropout < 1)) {
        throw new IllegalArgumentException("dropout must be in [0, 1), got " + dropout);
      }
      return new IResNet(this, ConvUnits.batchNorm(false));
    }
  }
}
