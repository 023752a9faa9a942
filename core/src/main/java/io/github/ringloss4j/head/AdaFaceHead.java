package io.github.ringloss4j.head;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.initializer.Initializer;
import io.github.ringloss4j.internal.Norms;
import io.github.ringloss4j.internal.ScalarParameters;

/**
 * AdaFace (Kim, Jain, Liu, "AdaFace: Quality Adaptive Margin for Face Recognition", CVPR 2022): a
 * margin that moves between ArcFace's angular and CosFace's additive form with each feature's norm
 * relative to the norms of recent batches, a proxy for image quality.
 *
 * <pre>
 *   n_i     = clip(‖x_i‖, 0.001, 100), detached
 *   training: μ ← α·mean(n) + (1 − α)·μ,   σ ← α·std(n) + (1 − α)·σ   (std unbiased)
 *   ŝ_i     = clip(h·(n_i − μ)/(σ + ε), −1, 1)          with the updated μ, σ
 *   c_ij    = cosθ_ij clipped to [−1 + ε, 1 − ε],  ε = 1e−3
 *   θ'_ij   = clip(acos c_ij − [j = y_i]·m·ŝ_i, ε, π − ε)
 *   logit_ij = s·(cos θ'_ij − [j = y_i]·(m + m·ŝ_i))
 * </pre>
 *
 * <p>The forward is the official code's ({@code head.py}, class {@code AdaFace}) step for step,
 * including the order of the updates (the running statistics move before the scaler reads them) and
 * the clip of every angle (for j ≠ y it changes nothing: acos of the clipped cosine is inside [ε, π
 * − ε]). Defaults are the paper's: s = 64, m = 0.4, h = 0.333, α = 0.01, μ starting at 20 and σ at
 * 100. The norms, and so the scaler ŝ, are detached: the gradient reaches x and W through the
 * cosines only.
 *
 * <p>μ and σ are state, not weights: parameters {@value #RUNNING_MEAN} ({@link
 * Parameter.Type#RUNNING_MEAN}) and {@value #RUNNING_STD} ({@link Parameter.Type#RUNNING_VAR}), of
 * shape [1], that require no gradient, as DJL's BatchNorm keeps its running statistics: optimisers
 * never touch them (no step, no weight decay), {@code saveParameters} writes them, so a checkpoint
 * carries them and a resumed run continues exactly, and their start (20, 100) is re-applied at
 * every initialisation, so a global initializer does not replace it. Only the labelled (training)
 * forward updates them, once per call (a batch split over devices updates them once per split);
 * without labels (inference, validation) the logits are s·cosθ_j and the statistics do not move. A
 * labelled batch needs at least two samples, since the unbiased std of one is undefined (the
 * official code would turn σ into NaN for good).
 *
 * <p>In training the plain logits s·cosθ_j come as a second output named {@value
 * HeadAccuracy#PLAIN_LOGITS}.
 */
public final class AdaFaceHead extends NormAwareHead {

  /** The name of the running mean of the norms, μ. */
  public static final String RUNNING_MEAN = "batch_mean";

  /** The name of the running standard deviation of the norms, σ. */
  public static final String RUNNING_STD = "batch_std";

  /** The paper's scale s. */
  public static final double DEFAULT_SCALE = 64;

  /** The paper's margin m. */
  public static final double DEFAULT_MARGIN = 0.4;

  /** The paper's concentration h. */
  public static final double DEFAULT_H = 0.333;

  /** The paper's momentum α of the running statistics ({@code t_alpha}). */
  public static final double DEFAULT_ALPHA = 0.01;

  /** The official code's starting μ. */
  public static final double INITIAL_MEAN = 20;

  /** The official code's starting σ. */
  public static final double INITIAL_STD = 100;

  /** The official code's ε: the cosine clip, the angle clip and the guard under σ. */
  public static final double EPS = 1e-3;

  /** The official code's bounds on the norms before their statistics. */
  public static final double NORM_MIN = 0.001;

  /** The official code's upper bound on the norms. */
  public static final double NORM_MAX = 100;

  private static final byte VERSION = 1;

  private final double margin;
  private final double h;
  private final double alpha;
  private final Parameter runningMean;
  private final Parameter runningStd;
  private final Initializer meanInitializer = ScalarParameters.constant(INITIAL_MEAN);
  private final Initializer stdInitializer = ScalarParameters.constant(INITIAL_STD);

  private AdaFaceHead(Builder builder) {
    super(VERSION, builder);
    this.margin = builder.margin;
    this.h = builder.h;
    this.alpha = builder.alpha;
    this.runningMean = addParameter(state(RUNNING_MEAN, Parameter.Type.RUNNING_MEAN));
    this.runningStd = addParameter(state(RUNNING_STD, Parameter.Type.RUNNING_VAR));
  }

  private static Parameter state(String name, Parameter.Type type) {
    return Parameter.builder()
        .setName(name)
        .setType(type)
        .optShape(new Shape(1))
        .optRequiresGrad(false)
        .build();
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
   * The margin m.
   *
   * @return m
   */
  public double getMargin() {
    return margin;
  }

  /**
   * The concentration h.
   *
   * @return h
   */
  public double getH() {
    return h;
  }

  /**
   * The momentum of the running statistics.
   *
   * @return α
   */
  public double getAlpha() {
    return alpha;
  }

  /**
   * The running mean of the norms μ.
   *
   * @return μ, NaN before initialisation
   */
  public double getRunningMean() {
    return ScalarParameters.value(runningMean);
  }

  /**
   * The running standard deviation of the norms σ.
   *
   * @return σ, NaN before initialisation
   */
  public double getRunningStd() {
    return ScalarParameters.value(runningStd);
  }

  @Override
  public void initialize(NDManager manager, DataType dataType, Shape... inputShapes) {
    runningMean.setInitializer(meanInitializer);
    runningStd.setInitializer(stdInitializer);
    super.initialize(manager, dataType, inputShapes);
  }

  @Override
  NDList trainingOutputs(NDArray features, NDArray cos, NDArray labels) {
    long m = features.getShape().get(0);
    NDArray oneHot = HeadSupport.oneHot(labels, m, getClasses(), cos.getDataType());
    if (m < 2) {
      throw new IllegalArgumentException(
          "AdaFaceHead needs at least 2 samples per labelled batch for the standard deviation of"
              + " the norms, got "
              + m);
    }
    NDArray safe = Norms.rowNorms(features.stopGradient()).clip(NORM_MIN, NORM_MAX);
    NDArray mean = safe.mean();
    NDArray std = safe.sub(mean).square().sum().div(m - 1).sqrt();
    NDArray mu = update(runningMean, mean, safe);
    NDArray sigma = update(runningStd, std, safe);
    NDArray scaler = safe.sub(mu).div(sigma.add(EPS)).mul(h).clip(-1, 1);
    NDArray plain = cos.mul(getScale());
    plain.setName(HeadAccuracy.PLAIN_LOGITS);
    return new NDList(marginLogits(cos, oneHot, scaler), plain);
  }

  /**
   * v ← α·batch + (1 − α)·v in the parameter's own array, in its type, as the official code's
   * buffer; returns the stored value in the batch's type and device.
   */
  private NDArray update(Parameter statistic, NDArray batchValue, NDArray like) {
    NDArray owner = statistic.getArray();
    NDArray old = HeadSupport.matching(owner, like);
    NDArray next = batchValue.mul(alpha).add(old.mul(1 - alpha));
    owner.set(
        new NDIndex(":"),
        next.toDevice(owner.getDevice(), false).toType(owner.getDataType(), false));
    return HeadSupport.matching(owner, like).duplicate();
  }

  /**
   * The margin logits for given cosines and scalers: the official forward after the statistics,
   * also for the gradient checks, which hold ŝ constant as the detached code does.
   *
   * @param cos cosθ, [m, classes]
   * @param oneHot the labels' one-hot mask, [m, classes]
   * @param scaler ŝ, [m]
   * @return the logits, [m, classes]
   */
  NDArray marginLogits(NDArray cos, NDArray oneHot, NDArray scaler) {
    NDArray c = cos.clip(-1 + EPS, 1 - EPS);
    NDArray angular = scaler.mul(margin).mul(-1).expandDims(1);
    NDArray theta = c.acos().add(oneHot.mul(angular)).clip(EPS, Math.PI - EPS);
    NDArray additive = scaler.mul(margin).add(margin).expandDims(1);
    return theta.cos().sub(oneHot.mul(additive)).mul(getScale());
  }

  @Override
  public String toString() {
    return "AdaFaceHead(classes="
        + getClasses()
        + ", s="
        + getScale()
        + ", m="
        + margin
        + ", h="
        + h
        + ", alpha="
        + alpha
        + ")";
  }

  /** Builds an {@link AdaFaceHead}. */
  public static final class Builder extends NormAwareHead.BaseBuilder<Builder> {
    private double margin = DEFAULT_MARGIN;
    private double h = DEFAULT_H;
    private double alpha = DEFAULT_ALPHA;

    private Builder() {
      super(DEFAULT_SCALE);
    }

    @Override
    protected Builder self() {
      return this;
    }

    /**
     * Sets the margin m.
     *
     * @param margin in [0, π/2); default {@value AdaFaceHead#DEFAULT_MARGIN}
     * @return this builder
     */
    public Builder optMargin(double margin) {
      this.margin = margin;
      return this;
    }

    /**
     * Sets the concentration h: how far a norm one σ from μ moves the margin.
     *
     * @param h finite and ≥ 0 (0: ŝ = 0, which is CosFace with margin m); default {@value
     *     AdaFaceHead#DEFAULT_H}
     * @return this builder
     */
    public Builder optH(double h) {
      this.h = h;
      return this;
    }

    /**
     * Sets the momentum of the running statistics ({@code t_alpha}).
     *
     * @param alpha in [0, 1] (0 freezes them at 20 and 100); default {@value
     *     AdaFaceHead#DEFAULT_ALPHA}
     * @return this builder
     */
    public Builder optAlpha(double alpha) {
      this.alpha = alpha;
      return this;
    }

    /**
     * Builds the head.
     *
     * @return the head
     * @throws IllegalArgumentException naming the first invalid option (with {@link Heads}' keys:
     *     s, m, h, alpha)
     */
    public AdaFaceHead build() {
      validate();
      if (!(margin >= 0 && margin < Math.PI / 2)) {
        throw new IllegalArgumentException("m (margin) must be in [0, π/2), got " + margin);
      }
      HeadSupport.checkNonNegative("h (concentration)", h);
      if (!(alpha >= 0 && alpha <= 1)) {
        throw new IllegalArgumentException(
            "alpha (momentum of the norm statistics) must be in [0, 1], got " + alpha);
      }
      return new AdaFaceHead(this);
    }
  }
}
