package io.github.ringloss4j.head;

import ai.djl.ndarray.NDArray;

/**
 * ArcFace (Deng, Guo, Xue, Zafeiriou, "ArcFace: Additive Angular Margin Loss for Deep Face
 * Recognition", CVPR 2019): an additive margin on the target angle.
 *
 * <pre>
 *   logit_j = s·cosθ_j                       for j ≠ y
 *   logit_y = s·φ(cosθ_y),  c = cosθ_y clipped to [−1, 1]:
 *     φ(c) = c·cos m − sinθ·sin m  (= cos(θ + m))   if c &gt; cos(π − m)
 *     φ(c) = c − m·sin(π − m)      (= c − m·sin m)  otherwise
 *   sinθ = √max(1 − c², ε),  ε = 1e−12
 * </pre>
 *
 * <p>Defaults s = 30, m = 0.5; the paper uses s = 64 on faces (see {@link CosFaceHead} for why 30).
 *
 * <p>The second line is the fallback of the insightface reference code ({@code easy_margin=False}):
 * for θ + m &gt; π, cos(θ + m) would rise again with θ and reward a wrong angle, so the target
 * cosine is instead penalised by the constant m·sin m, which keeps φ decreasing in θ. φ is
 * <em>not</em> continuous at the switch θ = π − m: the margin branch tends to cos π = −1 while the
 * fallback starts at cos(π − m) − m·sin m = −cos m − m·sin m, a jump of 1 − cos m − m·sin m
 * (−0.1173 at m = 0.5: the target logit drops by 3.52 at s = 30). The tests pin this jump.
 *
 * <p>Why ε: d sinθ/dc = −c/√(1 − c²) is infinite at c = ±1, which happens when a feature coincides
 * with its class weight (or its opposite); autograd would propagate inf, and NaN where it meets a
 * zero factor. With the floor, the gradient through the square root is 0 where 1 − c² &lt; ε (the
 * max selects the constant) and at most 1/√ε = 1e6 elsewhere; the value changes by at most √ε·sin m
 * ≈ 5e−7 (at c = 1).
 *
 * <p>The cosine is computed without acos, from c directly: cos(θ + m) = cosθ·cos m − sinθ·sin m.
 * With m = 0 this is {@link NormFaceHead}. Without labels (inference) the logits are s·cosθ_j.
 */
public final class ArcFaceHead extends CosineMarginHead {

  /** The default scale s (the paper: 64). */
  public static final double DEFAULT_SCALE = 30;

  /** The default angular margin m in radians, the paper's. */
  public static final double DEFAULT_MARGIN = 0.5;

  /** The floor under 1 − cos²θ before the square root. */
  public static final double SINE_SQUARED_FLOOR = 1e-12;

  private final double margin;
  private final double cosM;
  private final double sinM;
  private final double threshold;
  private final double fallbackPenalty;

  private ArcFaceHead(Builder builder) {
    super(builder);
    this.margin = builder.margin;
    this.cosM = Math.cos(margin);
    this.sinM = Math.sin(margin);
    this.threshold = Math.cos(Math.PI - margin);
    this.fallbackPenalty = Math.sin(Math.PI - margin) * margin;
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
   * The angular margin m.
   *
   * @return m in radians
   */
  public double getMargin() {
    return margin;
  }

  /**
   * The switch: the margin branch is used where cosθ_y &gt; cos(π − m).
   *
   * @return cos(π − m)
   */
  public double getThreshold() {
    return threshold;
  }

  /**
   * The fallback's constant penalty m·sin(π − m).
   *
   * @return m·sin m
   */
  public double getFallbackPenalty() {
    return fallbackPenalty;
  }

  @Override
  protected NDArray marginCosine(NDArray targetCosines) {
    NDArray c = targetCosines.clip(-1, 1);
    NDArray sin = c.square().neg().add(1).maximum(SINE_SQUARED_FLOOR).sqrt();
    NDArray shifted = c.mul(cosM).sub(sin.mul(sinM));
    NDArray fallback = c.sub(fallbackPenalty);
    // Both branches are finite everywhere, so blending with a 0/1 mask is exact.
    NDArray useMargin = c.gt(threshold).toType(c.getDataType(), false);
    return shifted.mul(useMargin).add(fallback.mul(useMargin.neg().add(1)));
  }

  @Override
  public String toString() {
    return "ArcFaceHead(classes="
        + getClasses()
        + ", s="
        + getScale()
        + (isScaleLearned() ? " learned" : "")
        + ", m="
        + margin
        + ")";
  }

  /** Builds an {@link ArcFaceHead}. */
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
     * Sets the additive angular margin.
     *
     * @param margin in radians, 0 ≤ m &lt; π; default {@value #DEFAULT_MARGIN}
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
    public ArcFaceHead build() {
      validate();
      if (!(margin >= 0 && margin < Math.PI)) {
        throw new IllegalArgumentException("margin must be in [0, π) radians, got " + margin);
      }
      return new ArcFaceHead(this);
    }
  }
}
