package io.github.ringloss4j.head;

import ai.djl.ndarray.NDArray;

/**
 * NormFace (Wang, Xiang, Cheng, Yuille, "NormFace: L2 Hypersphere Embedding for Face Verification",
 * ACM MM 2017): cosine logits with a scale and no margin.
 *
 * <pre>
 *   logit_j = s·cosθ_j = s·(x/‖x‖)·(W_j/‖W_j‖),   no bias
 * </pre>
 *
 * <p>Normalising both sides bounds the logits in [−s, s]; without the scale, softmax on cosines
 * cannot get close to a one-hot output, which is why NormFace adds s (and proposes learning it).
 * Here s is 16 and fixed by default, or learned with {@code optLearnScale(true)}. Labels are not
 * needed; the training and inference logits are the same. It is {@link CosFaceHead} and {@link
 * ArcFaceHead} with margin 0, which the tests check.
 */
public final class NormFaceHead extends CosineMarginHead {

  /** The default scale s. */
  public static final double DEFAULT_SCALE = 16;

  private NormFaceHead(Builder builder) {
    super(builder);
  }

  /**
   * A builder with s = {@value #DEFAULT_SCALE}, fixed; {@code setClasses} is required.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /** φ(cosθ) = cosθ: no margin. */
  @Override
  protected NDArray marginCosine(NDArray targetCosines) {
    return targetCosines;
  }

  @Override
  public String toString() {
    return "NormFaceHead(classes="
        + getClasses()
        + ", s="
        + getScale()
        + (isScaleLearned() ? " learned" : "")
        + ")";
  }

  /** Builds a {@link NormFaceHead}. */
  public static final class Builder extends CosineMarginHead.BaseBuilder<Builder> {

    private Builder() {
      super(DEFAULT_SCALE);
    }

    @Override
    protected Builder self() {
      return this;
    }

    /**
     * Builds the head.
     *
     * @return the head
     * @throws IllegalArgumentException when classes or scale is invalid
     */
    public NormFaceHead build() {
      validate();
      return new NormFaceHead(this);
    }
  }
}
