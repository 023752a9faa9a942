package io.github.ringloss4j.head;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import io.github.ringloss4j.internal.Norms;

/**
 * MagFace (Meng, Zhao, Huang, Zhou, "MagFace: A Universal Representation for Face Recognition and
 * Quality Assessment", CVPR 2021): ArcFace with a margin that grows with the feature's magnitude,
 * plus a regulariser that rewards large magnitudes, so that ‖x‖ learns to measure quality.
 *
 * <pre>
 *   a_i   = ‖x_i‖ clipped to [l_a, u_a]
 *   m(a)  = (u_m − l_m)/(u_a − l_a)·(a − l_a) + l_m
 *   logit_j = s·cosθ_j                                    for j ≠ y
 *   logit_y = s·φ(cosθ_y),  c = cosθ_y clipped to [−1, 1]:
 *     φ(c) = c·cos m(a) − sinθ·sin m(a)  (= cos(θ + m(a)))   if c &gt; cos(π − m(a))
 *     φ(c) = c − sin(π − m(a))·m(a)                          otherwise
 *   sinθ = √max(1 − c², ε),  ε = 1e−12
 *   g(a)  = 1/a + a/u_a²,        loss = CE(logits, y) + λ_g·mean_i g(a_i)
 * </pre>
 *
 * <p>Defaults are the paper's: s = 64, l_a = 10, u_a = 110, l_m = 0.45, u_m = 0.8, λ_g = 35. The
 * forward follows the official code ({@code models/magface.py}, {@code MagLinear} with {@code
 * easy_margin=False}, and {@code MagLoss}): the threshold and the fallback penalty are ArcFace's
 * (see {@link ArcFaceHead}), per sample since the margin is; the regulariser is taken on the
 * clipped a; nothing is detached, so the gradient reaches x through a both in the margin and in g
 * (inside [l_a, u_a]; outside, the clip passes none). Two small departures: the floor ε under 1 −
 * c², ArcFace's, keeps the gradient finite where cosθ_y = ±1 (the official square root has none),
 * and the non-target cosines are not clipped to [−1, 1] (they leave it by rounding only).
 *
 * <p>The regulariser is a term of the loss, not of the logits: {@link #regularizer} gives g(a_i),
 * and {@link io.github.ringloss4j.loss.MagFaceRegularizer} adds λ_g·mean g to the training loss
 * from the embedding the model outputs (so validation measures it too). The whole MagFace loss on a
 * {@link io.github.ringloss4j.nn.RingModelBlock} whose head this is, in one call, or with ring
 * loss:
 *
 * <pre>{@code
 * MagFaceHead head = MagFaceHead.builder().setClasses(classes).build();
 * RingModelBlock model = RingModelBlock.of(embedding, head);
 * Loss magface = MagFaceRegularizer.magFaceLoss(head);  // CE + λ_g·mean g
 * Loss withRing = new SimpleCompositeLoss("total")
 *     .addLoss(RingCompositeLoss.softmaxPlusRing(model.getRing()))
 *     .addLoss(MagFaceRegularizer.onRingModel(head));
 * }</pre>
 *
 * <p>Without labels (inference) the logits are s·cosθ_j; in training the plain logits come as a
 * second output named {@value HeadAccuracy#PLAIN_LOGITS}.
 */
public final class MagFaceHead extends NormAwareHead {

  /** The paper's scale s. */
  public static final double DEFAULT_SCALE = 64;

  /** The paper's lower norm bound l_a. */
  public static final double DEFAULT_LOWER_NORM = 10;

  /** The paper's upper norm bound u_a. */
  public static final double DEFAULT_UPPER_NORM = 110;

  /** The paper's margin at l_a, l_m. */
  public static final double DEFAULT_LOWER_MARGIN = 0.45;

  /** The paper's margin at u_a, u_m. */
  public static final double DEFAULT_UPPER_MARGIN = 0.8;

  /** The paper's regulariser weight λ_g. */
  public static final double DEFAULT_LAMBDA_G = 35;

  private static final byte VERSION = 1;

  private final double lowerNorm;
  private final double upperNorm;
  private final double lowerMargin;
  private final double upperMargin;
  private final double lambdaG;
  private final double slope;

  private MagFaceHead(Builder builder) {
    super(VERSION, builder);
    this.lowerNorm = builder.lowerNorm;
    this.upperNorm = builder.upperNorm;
    this.lowerMargin = builder.lowerMargin;
    this.upperMargin = builder.upperMargin;
    this.lambdaG = builder.lambdaG;
    this.slope = (upperMargin - lowerMargin) / (upperNorm - lowerNorm);
  }

  /**
   * A builder with the paper's defaults; {@code setClasses} is required.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The lower norm bound l_a.
   *
   * @return l_a
   */
  public double getLowerNorm() {
    return lowerNorm;
  }

  /**
   * The upper norm bound u_a.
   *
   * @return u_a
   */
  public double getUpperNorm() {
    return upperNorm;
  }

  /**
   * The margin at l_a.
   *
   * @return l_m
   */
  public double getLowerMargin() {
    return lowerMargin;
  }

  /**
   * The margin at u_a.
   *
   * @return u_m
   */
  public double getUpperMargin() {
    return upperMargin;
  }

  /**
   * The regulariser's weight.
   *
   * @return λ_g
   */
  public double getLambdaG() {
    return lambdaG;
  }

  /**
   * The magnitudes a_i = ‖x_i‖ clipped to [l_a, u_a], differentiable in x inside the bounds.
   *
   * @param features x, [m, d]
   * @return a, [m]
   */
  public NDArray magnitudes(NDArray features) {
    return Norms.rowNorms(features).clip(lowerNorm, upperNorm);
  }

  /**
   * The per-sample margins m(a_i).
   *
   * @param magnitudes a, [m]
   * @return m(a), [m]
   */
  public NDArray margins(NDArray magnitudes) {
    return magnitudes.sub(lowerNorm).mul(slope).add(lowerMargin);
  }

  /**
   * The per-sample regulariser g(a_i) = a_i/u_a² + 1/a_i, unweighted; the loss adds λ_g times its
   * mean.
   *
   * @param features x, [m, d]
   * @return g(a), [m]
   */
  public NDArray regularizer(NDArray features) {
    NDArray a = magnitudes(features);
    return a.mul(1 / (upperNorm * upperNorm)).add(a.onesLike().div(a));
  }

  @Override
  NDList trainingOutputs(NDArray features, NDArray cos, NDArray labels) {
    NDArray oneHot =
        HeadSupport.oneHot(labels, cos.getShape().get(0), getClasses(), cos.getDataType());
    NDArray phi = marginCosine(HeadSupport.pick(cos, oneHot), margins(magnitudes(features)));
    NDArray plain = cos.mul(getScale());
    NDArray margin = HeadSupport.replaceTarget(plain, oneHot, phi.mul(getScale()));
    plain.setName(HeadAccuracy.PLAIN_LOGITS);
    return new NDList(margin, plain);
  }

  /** φ(cosθ_y) with a margin per sample; both branches are finite, so the 0/1 blend is exact. */
  static NDArray marginCosine(NDArray targetCosines, NDArray margins) {
    NDArray c = targetCosines.clip(-1, 1);
    NDArray sin = c.square().neg().add(1).maximum(ArcFaceHead.SINE_SQUARED_FLOOR).sqrt();
    NDArray shifted = c.mul(margins.cos()).sub(sin.mul(margins.sin()));
    NDArray supplement = margins.neg().add(Math.PI); // π − m
    NDArray threshold = supplement.cos();
    NDArray fallback = c.sub(supplement.sin().mul(margins));
    NDArray useMargin = c.gt(threshold).toType(c.getDataType(), false);
    return shifted.mul(useMargin).add(fallback.mul(useMargin.neg().add(1)));
  }

  @Override
  public String toString() {
    return "MagFaceHead(classes="
        + getClasses()
        + ", s="
        + getScale()
        + ", la="
        + lowerNorm
        + ", ua="
        + upperNorm
        + ", lm="
        + lowerMargin
        + ", um="
        + upperMargin
        + ", lambda_g="
        + lambdaG
        + ")";
  }

  /** Builds a {@link MagFaceHead}. */
  public static final class Builder extends NormAwareHead.BaseBuilder<Builder> {
    private double lowerNorm = DEFAULT_LOWER_NORM;
    private double upperNorm = DEFAULT_UPPER_NORM;
    private double lowerMargin = DEFAULT_LOWER_MARGIN;
    private double upperMargin = DEFAULT_UPPER_MARGIN;
    private double lambdaG = DEFAULT_LAMBDA_G;

    private Builder() {
      super(DEFAULT_SCALE);
    }

    @Override
    protected Builder self() {
      return this;
    }

    /**
     * Sets the magnitude bounds [l_a, u_a] that a is clipped to and the margin spans.
     *
     * @param lower l_a, &gt; 0; default {@value MagFaceHead#DEFAULT_LOWER_NORM}
     * @param upper u_a, &gt; l_a and finite; default {@value MagFaceHead#DEFAULT_UPPER_NORM}
     * @return this builder
     */
    public Builder optNormBounds(double lower, double upper) {
      this.lowerNorm = lower;
      this.upperNorm = upper;
      return this;
    }

    /**
     * Sets the margins at l_a and at u_a.
     *
     * @param lower l_m, ≥ 0; default {@value MagFaceHead#DEFAULT_LOWER_MARGIN}
     * @param upper u_m, ≥ l_m and &lt; π; default {@value MagFaceHead#DEFAULT_UPPER_MARGIN}
     * @return this builder
     */
    public Builder optMarginBounds(double lower, double upper) {
      this.lowerMargin = lower;
      this.upperMargin = upper;
      return this;
    }

    /**
     * Sets the regulariser's weight.
     *
     * @param lambdaG λ_g, finite and ≥ 0 (0: no regulariser); default {@value
     *     MagFaceHead#DEFAULT_LAMBDA_G}
     * @return this builder
     */
    public Builder optLambdaG(double lambdaG) {
      this.lambdaG = lambdaG;
      return this;
    }

    /**
     * Builds the head.
     *
     * @return the head
     * @throws IllegalArgumentException naming the first invalid option (with {@link Heads}' keys:
     *     s, la, ua, lm, um, lambda_g)
     */
    public MagFaceHead build() {
      validate();
      HeadSupport.checkPositive("la (lower norm bound l_a)", lowerNorm);
      if (!(upperNorm > lowerNorm) || Double.isInfinite(upperNorm)) {
        throw new IllegalArgumentException(
            "ua (upper norm bound u_a) must be finite and > la = "
                + lowerNorm
                + ", got "
                + upperNorm);
      }
      HeadSupport.checkNonNegative("lm (margin at l_a)", lowerMargin);
      if (!(upperMargin >= lowerMargin && upperMargin < Math.PI)) {
        throw new IllegalArgumentException(
            "um (margin at u_a) must be >= lm = "
                + lowerMargin
                + " and < π radians, got "
                + upperMargin);
      }
      HeadSupport.checkNonNegative("lambda_g (regulariser weight λ_g)", lambdaG);
      return new MagFaceHead(this);
    }
  }
}
