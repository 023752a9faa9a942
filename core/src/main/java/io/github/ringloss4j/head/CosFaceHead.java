package io.github.ringloss4j.head;

import ai.djl.ndarray.NDArray;

/**
 * CosFace / AM-softmax (Wang et al., "CosFace: Large Margin Cosine Loss for Deep Face Recognition",
 * CVPR 2018; Wang, Cheng, Liu, Liu, "Additive Margin Softmax for Face Verification", 2018): an
 * additive margin on the target cosine.
 *
 * <pre>
 *   logit_j = s·(cosθ_j − m·[j = y])
 * </pre>
 *
 * <p>Defaults s = 30, m = 0.35. The CosFace paper uses s = 64 with m = 0.35 on faces; s = 30 is
 * AM-softmax's value and the usual choice away from large face datasets. With m = 0 this is {@link
 * NormFaceHead}. Without labels (inference) the logits are s·cosθ_j.
 */
public final class CosFaceHead extends CosineMarginHead {

  /** The default scale s (the paper: 64). */
  public static final double DEFAULT_SCALE = 30;

  /** The default margin m, the paper's. */
  public static final double DEFAULT_MARGIN = 0.35;

  private final double margin;

  private CosFaceHead(Builder builder) {
    super(builder);
    this.margin = builder.margin;
  }

  /**
   * A builder with s = {@value #DEFAULT_SCALE}, m = {@value #DEFAULT_MARGIN}; {@code setClasses} is
   * required.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The margin m.
   *
   * @return m
   */
  public double getMargin() {
    return margin;
  }

  /** φ(cosθ) = cosθ − m. */
  @Override
  protected NDArray marginCosine(NDArray targetCosines) {
    return targetCosines.sub(margin);
  }

  @Override
  public String toString() {
    return "CosFaceHead(classes="
        + getClasses()
        + ", s="
        + getScale()
        + (isScaleLearned() ? " learned" : "")
        + ", m="
        + margin
        + ")";
  }

  /** Builds a {@link CosFaceHead}. */
  public static final class Builder extends CosineMarginHead.BaseBuilder<Builder> {
    private double margin = DEFAULT_MARGIN;

    private Builder() {
      super(DEFAULT_SCALE);
    }

    @Override
    protected Builder self() {
      return this;
    }

    /**
     * Sets the additive cosine margin.
     *
     * @param margin finite and ≥ 0; default {@value #DEFAULT_MARGIN}
     * @return this builder
     */
    public Builder optMargin(double margin) {
      this.margin = margin;
      return this;
    }

    /**
     * Builds the head.
     *
     * @return the head
     * @throws IllegalArgumentException when classes, scale or margin is invalid
     */
    public CosFaceHead build() {
      validate();
      HeadSupport.checkNonNegative("margin", margin);
      return new CosFaceHead(this);
    }
  }
}
