package io.github.ringloss4j.backbone;

import ai.djl.nn.Blocks;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import java.util.Arrays;

/**
 * MobileFaceNet as InsightFace's {@code get_mbf} (recognition/arcface_torch/backbones/
 * mobilefacenet.py, adapted there from cavaface; Chen, Liu, Gao, Han, "MobileFaceNets: Efficient
 * CNNs for Accurate Real-Time Face Verification on Mobile Devices", CCBR 2018, arXiv:1804.07573).
 *
 * <p>With blocks (b0, b1, b2, b3) and width scale s (defaults (1, 4, 6, 2) and 2), units written as
 * InsightFace's ConvBlock = conv – BN – PReLU and LinearBlock = conv – BN:
 *
 * <pre>
 *   input [N, 3, 112, 112]
 *   ConvBlock(3 → 64s, 3×3, stride 2)                                              [N, 64s, 56, 56]
 *   b0 = 1: ConvBlock(64s → 64s, 3×3, groups 64);   else Residual(64s, b0, inner 128)
 *   DepthWise(64s → 64s, inner 128, stride 2)                                      [N, 64s, 28, 28]
 *   Residual(64s, b1, inner 128)
 *   DepthWise(64s → 128s, inner 256, stride 2)                                    [N, 128s, 14, 14]
 *   Residual(128s, b2, inner 256)
 *   DepthWise(128s → 128s, inner 512, stride 2)                                     [N, 128s, 7, 7]
 *   Residual(128s, b3, inner 256)
 *   conv_sep ConvBlock(128s → 512, 1×1)                                              [N, 512, 7, 7]
 *   GDC       LinearBlock(512 → 512, 7×7, groups 512) – flatten – Linear(512 → d, no bias) – BN1d(d)
 *   output [N, d]
 *
 *   DepthWise(in → out, inner g, stride t) = ConvBlock(in → g, 1×1) – ConvBlock(g → g, 3×3, stride t,
 *                                            groups g) – LinearBlock(g → out, 1×1)
 *   Residual(c, n, inner g)                = n × [x + DepthWise(c → c, inner g, stride 1)(x)]
 * </pre>
 *
 * <p>The inner widths 128, 256, 512 are InsightFace's {@code groups} arguments and do not scale
 * with s; with b0 = 1 the second unit is a grouped (not depthwise, for s &gt; 1) 3×3 conv, as
 * there. 3×3 convolutions pad by 1. BatchNorm eps 1e-5, PyTorch momentum 0.1 (DJL 0.9); PReLUs are
 * per channel ({@link PerChannelPrelu}); no convolution has a bias. The global depthwise
 * convolution (GDC) replaces global average pooling, which the paper shows loses the spatial
 * weighting a face needs.
 *
 * <p>Trained parameters for {@code get_mbf} (d = 512): 2,059,520 (all of the reference's {@code
 * model.parameters()}; nothing is frozen). Blocks (2, 8, 12, 4) with s = 4 is {@code
 * get_mbf_large}. Weights are not initialised here: the training configuration decides (InsightFace
 * uses Kaiming-normal fan-out).
 */
public final class MobileFaceNet extends Backbone {

  /** InsightFace's {@code groups} of each stage's residual DepthWise units: their inner width. */
  private static final int[] RESIDUAL_INNER = {128, 128, 256, 256};

  /** The inner widths of the three stride-2 DepthWise units, likewise fixed whatever the scale. */
  private static final int[] DOWNSAMPLE_INNER = {128, 256, 512};

  private static final int FIRST_GROUPS = 64;
  private static final int SEPARABLE_CHANNELS = 512;
  private static final int GDC_KERNEL = 7;
  private static final byte VERSION = 1;

  private final int[] blocks;
  private final int scale;

  private MobileFaceNet(Builder builder) {
    super(
        VERSION,
        layers(builder.blocks, builder.scale, builder.embeddingSize),
        builder.embeddingSize);
    this.blocks = builder.blocks.clone();
    this.scale = builder.scale;
  }

  /**
   * A builder with {@code get_mbf}'s defaults: blocks (1, 4, 6, 2), scale 2, d = 512.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  private static SequentialBlock layers(int[] blocks, int scale, int embeddingSize) {
    int narrow = 64 * scale;
    int wide = 128 * scale;
    SequentialBlock layers = new SequentialBlock();
    layers.add(ConvUnits.convBnPrelu(narrow, 3, 2, 1, 1));
    if (blocks[0] == 1) {
      layers.add(ConvUnits.convBnPrelu(narrow, 3, 1, 1, FIRST_GROUPS));
    } else {
      addResiduals(layers, narrow, blocks[0], RESIDUAL_INNER[0]);
    }
    layers.add(depthWise(narrow, DOWNSAMPLE_INNER[0], 2));
    addResiduals(layers, narrow, blocks[1], RESIDUAL_INNER[1]);
    layers.add(depthWise(wide, DOWNSAMPLE_INNER[1], 2));
    addResiduals(layers, wide, blocks[2], RESIDUAL_INNER[2]);
    layers.add(depthWise(wide, DOWNSAMPLE_INNER[2], 2));
    addResiduals(layers, wide, blocks[3], RESIDUAL_INNER[3]);
    layers
        .add(ConvUnits.convBnPrelu(SEPARABLE_CHANNELS, 1, 1, 0, 1))
        .add(ConvUnits.convBn(SEPARABLE_CHANNELS, GDC_KERNEL, 1, 0, SEPARABLE_CHANNELS))
        .add(Blocks.batchFlattenBlock())
        .add(Linear.builder().setUnits(embeddingSize).optBias(false).build())
        .add(ConvUnits.batchNorm());
    return layers;
  }

  /** Expand 1×1 – depthwise 3×3 – linear project 1×1: InsightFace's DepthWise. */
  private static SequentialBlock depthWise(int out, int inner, int stride) {
    return new SequentialBlock()
        .add(ConvUnits.convBnPrelu(inner, 1, 1, 0, 1))
        .add(ConvUnits.convBnPrelu(inner, 3, stride, 1, inner))
        .add(ConvUnits.convBn(out, 1, 1, 0, 1));
  }

  /** InsightFace's Residual: n shape-preserving DepthWise units, each with an identity shortcut. */
  private static void addResiduals(SequentialBlock layers, int channels, int n, int inner) {
    for (int i = 0; i < n; i++) {
      layers.add(ConvUnits.residual(depthWise(channels, inner, 1)));
    }
  }

  /**
   * The residual units per stage.
   *
   * @return (b0, b1, b2, b3)
   */
  public int[] getBlocks() {
    return blocks.clone();
  }

  /**
   * The width multiplier s.
   *
   * @return s
   */
  public int getScale() {
    return scale;
  }

  @Override
  public String toString() {
    return "MobileFaceNet(blocks="
        + Arrays.toString(blocks)
        + ", scale="
        + scale
        + ", embeddingSize="
        + getEmbeddingSize()
        + ")";
  }

  /** Builds a {@link MobileFaceNet}; every option has {@code get_mbf}'s default. */
  public static final class Builder {
    private int[] blocks = {1, 4, 6, 2};
    private int scale = 2;
    private int embeddingSize = 512;

    private Builder() {}

    /**
     * Sets the embedding dimension d.
     *
     * @param embeddingSize d ≥ 1; default 512
     * @return this builder
     */
    public Builder optEmbeddingSize(int embeddingSize) {
      this.embeddingSize = embeddingSize;
      return this;
    }

    /**
     * Sets the residual units per stage.
     *
     * @param blocks four counts ≥ 0 (a 0 leaves that stage's residual units out, as the reference's
     *     empty {@code Residual}); default (1, 4, 6, 2), {@code get_mbf_large} uses (2, 8, 12, 4)
     * @return this builder
     */
    public Builder optBlocks(int... blocks) {
      this.blocks = blocks.clone();
      return this;
    }

    /**
     * Sets the width multiplier s: the stages have 64s and 128s channels.
     *
     * @param scale s ≥ 1; default 2, {@code get_mbf_large} uses 4
     * @return this builder
     */
    public Builder optScale(int scale) {
      this.scale = scale;
      return this;
    }

    /**
     * Builds the network.
     *
     * @return the network
     * @throws IllegalArgumentException when the blocks are not four counts ≥ 0, or s or d is &lt; 1
     */
    public MobileFaceNet build() {
      if (blocks.length != 4 || Arrays.stream(blocks).anyMatch(b -> b < 0)) {
        throw new IllegalArgumentException(
            "blocks must be four counts >= 0, got " + Arrays.toString(blocks));
      }
      if (scale < 1) {
        throw new IllegalArgumentException("scale must be >= 1, got " + scale);
      }
      if (embeddingSize < 1) {
        throw new IllegalArgumentException("embedding size must be >= 1, got " + embeddingSize);
      }
      return new MobileFaceNet(this);
    }
  }
}
