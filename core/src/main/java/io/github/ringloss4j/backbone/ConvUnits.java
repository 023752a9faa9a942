package io.github.ringloss4j.backbone;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.ParallelBlock;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.norm.BatchNorm;
import java.util.List;

/**
 * The units both backbones are made of, each a PyTorch layer sequence from InsightFace's
 * arcface_torch backbones translated to DJL blocks:
 *
 * <ul>
 *   <li>{@link #batchNorm()}: {@code BatchNorm2d/1d(C, eps=1e-5, momentum=0.1)}; DJL's momentum is
 *       the weight of the old running statistic, so PyTorch's 0.1 is DJL's 0.9.
 *   <li>{@link #convBn}: conv (no bias) – BN, MobileFaceNet's {@code LinearBlock}.
 *   <li>{@link #convBnPrelu}: conv (no bias) – BN – per-channel PReLU, MobileFaceNet's {@code
 *       ConvBlock}, IResNet's stem, and the middle of IResNet's {@code IBasicBlock}.
 *   <li>{@link #residual}: y = body(x) + shortcut(x).
 * </ul>
 *
 * <p>Convolutions are square, with PyTorch's weight layout [out, in/groups, k, k].
 */
final class ConvUnits {

  /** PyTorch's BatchNorm epsilon, which InsightFace keeps. */
  static final float BN_EPSILON = 1e-5f;

  /** PyTorch's BatchNorm momentum 0.1 as DJL's (1 − 0.1). */
  static final float BN_MOMENTUM = 0.9f;

  private ConvUnits() {}

  /**
   * Batch normalisation over axis 1 with PyTorch's defaults.
   *
   * @return a new BatchNorm with a trained scale and shift
   */
  static BatchNorm batchNorm() {
    return batchNorm(true);
  }

  /**
   * Batch normalisation over axis 1 with PyTorch's defaults, its scale trained or fixed.
   *
   * @param trainedScale false keeps γ at its initial ones without a gradient ({@code
   *     optScale(false)}), as InsightFace's frozen {@code features.weight}
   * @return a new BatchNorm with a trained shift
   */
  static BatchNorm batchNorm(boolean trainedScale) {
    return BatchNorm.builder()
        .optEpsilon(BN_EPSILON)
        .optMomentum(BN_MOMENTUM)
        .optScale(trainedScale)
        .build();
  }

  /**
   * A square convolution without bias: every one is followed by a BatchNorm, whose shift makes a
   * bias redundant.
   *
   * @param filters output channels
   * @param kernel kernel size k (k×k)
   * @param stride stride in both directions
   * @param padding zero padding on every side
   * @param groups channel groups; groups = channels is a depthwise convolution
   * @return the convolution
   */
  static Conv2d conv(int filters, int kernel, int stride, int padding, int groups) {
    return Conv2d.builder()
        .setFilters(filters)
        .setKernelShape(new Shape(kernel, kernel))
        .optStride(new Shape(stride, stride))
        .optPadding(new Shape(padding, padding))
        .optGroups(groups)
        .optBias(false)
        .build();
  }

  /**
   * Conv – BN, a linear (activation-free) unit.
   *
   * @param filters output channels
   * @param kernel kernel size
   * @param stride stride
   * @param padding padding
   * @param groups channel groups
   * @return the unit
   */
  static SequentialBlock convBn(int filters, int kernel, int stride, int padding, int groups) {
    return new SequentialBlock()
        .add(conv(filters, kernel, stride, padding, groups))
        .add(batchNorm());
  }

  /**
   * Conv – BN – per-channel PReLU.
   *
   * @param filters output channels
   * @param kernel kernel size
   * @param stride stride
   * @param padding padding
   * @param groups channel groups
   * @return the unit
   */
  static SequentialBlock convBnPrelu(int filters, int kernel, int stride, int padding, int groups) {
    return convBn(filters, kernel, stride, padding, groups).add(new PerChannelPrelu());
  }

  /**
   * A residual connection, y = body(x) + shortcut(x).
   *
   * @param body the residual branch
   * @param shortcut the shortcut branch; {@link Blocks#identityBlock()} when shapes agree
   * @return the sum of both branches
   */
  static ParallelBlock residual(Block body, Block shortcut) {
    return new ParallelBlock(ConvUnits::sum, List.of(body, shortcut));
  }

  /**
   * A residual connection with an identity shortcut, y = body(x) + x.
   *
   * @param body the residual branch, shape-preserving
   * @return the sum
   */
  static ParallelBlock residual(Block body) {
    return residual(body, Blocks.identityBlock());
  }

  private static NDList sum(List<NDList> branches) {
    return new NDList(branches.get(0).singletonOrThrow().add(branches.get(1).singletonOrThrow()));
  }
}
