package io.github.ringloss4j.head;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import io.github.ringloss4j.internal.Norms;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

/**
 * SphereFace / A-softmax (Liu, Wen, Yu, Li, Raj, Song, "SphereFace: Deep Hypersphere Embedding for
 * Face Recognition", CVPR 2017): unit class weights and a multiplicative angular margin on the
 * target, annealed from plain softmax as in the authors' Caffe layer.
 *
 * <pre>
 *   logit_j = ‖x‖·cosθ_j = x·W_j/‖W_j‖                                  (j ≠ y, and inference)
 *   logit_y = ‖x‖·(λ·cosθ_y + ψ(θ_y)) / (1 + λ)                          (training, label y)
 *   ψ(θ) = (−1)^k·cos(mθ) − 2k   for θ ∈ [kπ/m, (k+1)π/m],  k = 0 … m−1
 *   λ = max(λ_min, λ_base·(1 + γ·iter)^(−power))
 * </pre>
 *
 * <p>Defaults m = 4, λ_base = 1000, γ = 0.12, power = 1, λ_min = 5, i.e. λ = max(5, 1000/(1 +
 * 0.12·iter)): the paper's face setting. ψ is continuous and decreasing on [0, π] (ψ(0) = 1, ψ(π) =
 * 1 − 2m), and its derivative vanishes at every breakpoint kπ/m, so it is C¹.
 *
 * <p>No acos: θ = acos(c) has the derivative −1/√(1 − c²), infinite at c = ±1 (a feature on its
 * class weight), and rounding can push c outside [−1, 1]. Instead cos(mθ) is the Chebyshev
 * polynomial T_m(c), for m = 4 the value 8c⁴ − 8c² + 1, whose derivative is a polynomial, bounded
 * on [−1, 1]; and since cos decreases on [0, π], θ ≥ jπ/m exactly when c ≤ cos(jπ/m), so k =
 * Σ_{j=1}^{m−1} [c ≤ cos(jπ/m)] and (−1)^k are piecewise constants from comparisons (no gradient
 * needed). c is x·Ŵ_y/max(‖x‖, 1e−12) clipped to [−1, 1].
 *
 * <p>iter counts this head's labelled (training) forward passes and is incremented before λ is
 * computed, as in the Caffe layer, so the k-th training forward uses λ(k) and {@link #getLambda()}
 * after k forwards is max(5, 1000/(1 + 0.12k)). It is saved with the parameters, so a resumed run
 * continues the schedule. With data split over several devices, each split's forward counts.
 *
 * <p>The labelled forward returns the margin logits and, named {@value HeadAccuracy#PLAIN_LOGITS},
 * the inference logits ‖x‖·cosθ_j of the same weights, which {@link HeadAccuracy} reads.
 *
 * <p>Differences from the Caffe layer, both deliberate: the weights are normalised inside the graph
 * (W/‖W‖, differentiable) instead of being rescaled in place every forward, and the backward pass
 * is the true gradient of the formula above, not the Caffe layer's rescaled "gradient" (its README
 * explains that choice as a learning-rate heuristic).
 */
public final class SphereFaceHead extends AbstractBlock {

  /** The name of the class-weight parameter, [classes, d]. */
  public static final String WEIGHT = "weight";

  /** The default multiplicative margin m. */
  public static final int DEFAULT_MARGIN = 4;

  /** The default λ_base. */
  public static final double DEFAULT_LAMBDA_BASE = 1000;

  /** The default γ. */
  public static final double DEFAULT_GAMMA = 0.12;

  /** The default power. */
  public static final double DEFAULT_POWER = 1;

  /** The default λ_min. */
  public static final double DEFAULT_LAMBDA_MIN = 5;

  private static final byte VERSION = 1;

  private final int classes;
  private final int margin;
  private final double lambdaBase;
  private final double gamma;
  private final double power;
  private final double lambdaMin;
  private final double[] breakpoints;
  private final Parameter weight;
  private long iteration;

  private SphereFaceHead(Builder builder) {
    super(VERSION);
    this.classes = builder.classes;
    this.margin = builder.margin;
    this.lambdaBase = builder.lambdaBase;
    this.gamma = builder.gamma;
    this.power = builder.power;
    this.lambdaMin = builder.lambdaMin;
    this.breakpoints = new double[margin - 1];
    for (int j = 1; j < margin; j++) {
      breakpoints[j - 1] = Math.cos(j * Math.PI / margin);
    }
    this.weight = addParameter(HeadSupport.weight());
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
   * The number of classes.
   *
   * @return the classes
   */
  public int getClasses() {
    return classes;
  }

  /**
   * The multiplicative margin m.
   *
   * @return m
   */
  public int getMargin() {
    return margin;
  }

  /**
   * The number of labelled training forward passes so far.
   *
   * @return iter
   */
  public long getIteration() {
    return iteration;
  }

  /**
   * The annealing weight used by the last training forward (λ_base before the first).
   *
   * @return λ(iter)
   */
  public double getLambda() {
    return lambdaAt(iteration);
  }

  /**
   * The annealing weight at a given iteration.
   *
   * @param iter the iteration
   * @return max(λ_min, λ_base·(1 + γ·iter)^(−power))
   */
  public double lambdaAt(long iter) {
    return Math.max(lambdaMin, lambdaBase * Math.pow(1 + gamma * iter, -power));
  }

  /**
   * ψ(θ) from c = cosθ, element-wise: (−1)^k·T_m(c) − 2k with k = Σ_j [c ≤ cos(jπ/m)].
   *
   * @param cosines c in [−1, 1]
   * @return ψ(acos c)
   */
  NDArray psi(NDArray cosines) {
    NDArray previous = cosines.onesLike();
    NDArray chebyshev = cosines;
    for (int n = 1; n < margin; n++) {
      // T_{n+1}(c) = 2c·T_n(c) − T_{n−1}(c); for m = 4: 8c⁴ − 8c² + 1.
      NDArray next = cosines.mul(2).mul(chebyshev).sub(previous);
      previous = chebyshev;
      chebyshev = next;
    }
    NDArray k = cosines.zerosLike();
    NDArray sign = cosines.onesLike();
    for (double breakpoint : breakpoints) {
      NDArray beyond = cosines.lte(breakpoint).toType(cosines.getDataType(), false);
      k = k.add(beyond);
      sign = sign.mul(beyond.mul(-2).add(1));
    }
    return sign.mul(chebyshev).sub(k.mul(2));
  }

  @Override
  protected void beforeInitialize(Shape... inputShapes) {
    super.beforeInitialize(inputShapes);
    HeadSupport.checkFeatureShape("SphereFaceHead", inputShapes);
  }

  @Override
  protected void prepare(Shape[] inputShapes) {
    weight.setShape(new Shape(classes, inputShapes[0].get(1)));
  }

  private NDArray innerProducts(ParameterStore store, NDArray features, boolean training) {
    NDArray w = store.getValue(weight, features.getDevice(), training);
    return features.matMul(HeadSupport.unitRows(HeadSupport.matching(w, features)).transpose());
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore parameterStore,
      NDList inputs,
      boolean training,
      PairList<String, Object> params) {
    return new NDList(innerProducts(parameterStore, inputs.singletonOrThrow(), training));
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore parameterStore, NDList data, NDList labels, PairList<String, Object> params) {
    NDArray features = data.singletonOrThrow();
    NDArray inner = innerProducts(parameterStore, features, true);
    NDArray oneHot =
        HeadSupport.oneHot(labels.head(), features.getShape().get(0), classes, inner.getDataType());
    NDArray norms = Norms.rowNorms(features);
    NDArray c =
        HeadSupport.pick(inner, oneHot).div(norms.maximum(HeadSupport.NORM_FLOOR)).clip(-1, 1);
    iteration++;
    double lambda = getLambda();
    NDArray target = norms.mul(c.mul(lambda).add(psi(c))).div(1 + lambda);
    NDArray logits = HeadSupport.replaceTarget(inner, oneHot, target);
    // x·W_j/‖W_j‖ for every j are the inference logits: no extra computation.
    inner.setName(HeadAccuracy.PLAIN_LOGITS);
    return new NDList(logits, inner);
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return new Shape[] {new Shape(inputShapes[0].get(0), classes)};
  }

  @Override
  protected void saveMetadata(DataOutputStream os) throws IOException {
    saveInputShapes(os);
    os.writeInt(classes);
    os.writeInt(margin);
    os.writeLong(iteration);
  }

  @Override
  protected void loadMetadata(byte loadVersion, DataInputStream is)
      throws IOException, MalformedModelException {
    if (loadVersion != VERSION) {
      throw new MalformedModelException(
          "SphereFaceHead parameters of version " + loadVersion + ", expected " + VERSION);
    }
    readInputShapes(is);
    int savedClasses = is.readInt();
    int savedMargin = is.readInt();
    if (savedClasses != classes || savedMargin != margin) {
      throw new MalformedModelException(
          "SphereFaceHead parameters were saved for classes="
              + savedClasses
              + ", m="
              + savedMargin
              + "; this head has classes="
              + classes
              + ", m="
              + margin);
    }
    iteration = is.readLong();
  }

  @Override
  public String toString() {
    return "SphereFaceHead(classes="
        + classes
        + ", m="
        + margin
        + ", lambda=max("
        + lambdaMin
        + ", "
        + lambdaBase
        + "*(1+"
        + gamma
        + "*iter)^-"
        + power
        + "), iter="
        + iteration
        + ")";
  }

  /** Builds a {@link SphereFaceHead}. */
  public static final class Builder {
    private int classes;
    private int margin = DEFAULT_MARGIN;
    private double lambdaBase = DEFAULT_LAMBDA_BASE;
    private double gamma = DEFAULT_GAMMA;
    private double power = DEFAULT_POWER;
    private double lambdaMin = DEFAULT_LAMBDA_MIN;

    private Builder() {}

    /**
     * Sets the number of classes (required).
     *
     * @param classes ≥ 1
     * @return this builder
     */
    public Builder setClasses(int classes) {
      this.classes = classes;
      return this;
    }

    /**
     * Sets the multiplicative angular margin.
     *
     * @param margin an integer ≥ 1 (1 is plain softmax with unit weights); default {@value
     *     SphereFaceHead#DEFAULT_MARGIN}
     * @return this builder
     */
    public Builder optMargin(int margin) {
      this.margin = margin;
      return this;
    }

    /**
     * Sets λ_base, λ's starting value.
     *
     * @param lambdaBase finite and ≥ 0; default {@value SphereFaceHead#DEFAULT_LAMBDA_BASE}
     * @return this builder
     */
    public Builder optLambdaBase(double lambdaBase) {
      this.lambdaBase = lambdaBase;
      return this;
    }

    /**
     * Sets γ, how fast λ decays.
     *
     * @param gamma finite and ≥ 0; default {@value SphereFaceHead#DEFAULT_GAMMA}
     * @return this builder
     */
    public Builder optGamma(double gamma) {
      this.gamma = gamma;
      return this;
    }

    /**
     * Sets the decay's power.
     *
     * @param power finite and ≥ 0; default {@value SphereFaceHead#DEFAULT_POWER}
     * @return this builder
     */
    public Builder optPower(double power) {
      this.power = power;
      return this;
    }

    /**
     * Sets λ_min, the floor λ decays to.
     *
     * @param lambdaMin finite and ≥ 0 (0 reaches the pure margin ψ); default {@value
     *     SphereFaceHead#DEFAULT_LAMBDA_MIN}
     * @return this builder
     */
    public Builder optLambdaMin(double lambdaMin) {
      this.lambdaMin = lambdaMin;
      return this;
    }

    /**
     * Builds the head.
     *
     * @return the head
     * @throws IllegalArgumentException naming the first invalid option
     */
    public SphereFaceHead build() {
      HeadSupport.checkClasses(classes);
      if (margin < 1) {
        throw new IllegalArgumentException("margin must be an integer >= 1, got " + margin);
      }
      HeadSupport.checkNonNegative("lambdaBase", lambdaBase);
      HeadSupport.checkNonNegative("gamma", gamma);
      HeadSupport.checkNonNegative("power", power);
      HeadSupport.checkNonNegative("lambdaMin", lambdaMin);
      return new SphereFaceHead(this);
    }
  }
}
