package io.github.ringloss4j.backbone;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.util.PairList;
import io.github.ringloss4j.internal.ScalarParameters;
import java.util.Arrays;

/**
 * Parametric ReLU with one learned slope per channel, as PyTorch's {@code nn.PReLU(C)} (He et al.,
 * "Delving Deep into Rectifiers", ICCV 2015):
 *
 * <pre>
 *   f(x)[n, c, …] = max(x, 0) + a_c·min(x, 0),
 *   ∂f/∂x = 1 for x &gt; 0, a_c for x ≤ 0,     ∂f/∂a_c = min(x, 0).
 * </pre>
 *
 * <p>The channel axis is 1. The slope {@value #SLOPE} has shape (C, 1, …, 1), one trailing 1 per
 * axis after the channels, so it broadcasts over [N, C, H, W] as (C, 1, 1) and over [N, C] as (C).
 * It is computed as relu(x) + a·(x − relu(x)), four engine operations forward (PyTorch's own fused
 * {@code prelu} is not reachable through DJL 0.36), which needs no scalar constant per call and,
 * since relu′(0) = 0, gives PyTorch's gradient a_c at the kink x = 0. On the positive side the
 * gradient is computed as g + g·a_c − g·a_c, equal to PyTorch's g up to rounding.
 *
 * <p>DJL's own {@code Prelu} has no kernel on the PyTorch engine ("Not implemented") and learns one
 * scalar slope; this block replaces it. The slope starts at 0.25, PyTorch's default. It is a
 * parameter of type {@link Parameter.Type#OTHER} whose own initializer is re-applied at every
 * {@link #initialize}, so a user's global weight initializer (even one set with {@code p -> true})
 * never decides its start: a slope drawn from a weight distribution would turn some units into
 * something other than a rectifier. It requires a gradient and is trained like any other parameter
 * (InsightFace also weight-decays it).
 */
public final class PerChannelPrelu extends AbstractBlock {

  /** The name of the slope parameter. */
  public static final String SLOPE = "slope";

  /** PyTorch's initial slope, {@code nn.PReLU(init=0.25)}. */
  public static final double DEFAULT_INITIAL_SLOPE = 0.25;

  private static final byte VERSION = 1;

  private final double initialSlope;
  private final Initializer slopeInitializer;
  private final Parameter slope;

  /** A PReLU whose slopes start at {@value #DEFAULT_INITIAL_SLOPE}, as PyTorch's. */
  public PerChannelPrelu() {
    this(DEFAULT_INITIAL_SLOPE);
  }

  /**
   * A PReLU whose slopes all start at one value.
   *
   * @param initialSlope the start of every a_c; finite
   * @throws IllegalArgumentException when the slope is not finite
   */
  public PerChannelPrelu(double initialSlope) {
    super(VERSION);
    if (!Double.isFinite(initialSlope)) {
      throw new IllegalArgumentException("initial PReLU slope must be finite, got " + initialSlope);
    }
    this.initialSlope = initialSlope;
    this.slopeInitializer = ScalarParameters.constant(initialSlope);
    this.slope =
        addParameter(
            Parameter.builder()
                .setName(SLOPE)
                .setType(Parameter.Type.OTHER)
                .optInitializer(slopeInitializer)
                .build());
  }

  /**
   * The value every slope starts at.
   *
   * @return the initial slope
   */
  public double getInitialSlope() {
    return initialSlope;
  }

  /**
   * The slope parameter, of shape (C, 1, …, 1) once initialised.
   *
   * @return the slopes a
   */
  public Parameter getSlopeParameter() {
    return slope;
  }

  @Override
  public void initialize(NDManager manager, DataType dataType, Shape... inputShapes) {
    // The slope's start is part of the architecture, not a weight-initialisation choice: restore
    // it in case a global setInitializer(…, predicate) replaced it.
    slope.setInitializer(slopeInitializer);
    super.initialize(manager, dataType, inputShapes);
  }

  @Override
  protected void beforeInitialize(Shape... inputShapes) {
    super.beforeInitialize(inputShapes);
    if (inputShapes.length != 1 || inputShapes[0].dimension() < 2) {
      throw new IllegalArgumentException(
          "PerChannelPrelu expects one input of shape [batch, channels, …], got "
              + Arrays.toString(inputShapes));
    }
  }

  @Override
  protected void prepare(Shape[] inputShapes) {
    slope.setShape(slopeShape(inputShapes[0]));
  }

  /** (C, 1, …, 1): C from axis 1, a 1 for every axis after it, so that it broadcasts. */
  private static Shape slopeShape(Shape input) {
    long[] dims = new long[input.dimension() - 1];
    Arrays.fill(dims, 1L);
    dims[0] = input.get(1);
    return new Shape(dims);
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore parameterStore,
      NDList inputs,
      boolean training,
      PairList<String, Object> params) {
    NDArray x = inputs.singletonOrThrow();
    NDArray a = parameterStore.getValue(slope, x.getDevice(), training);
    // The exact-gradient alternatives, x·where(x > 0, 1, a) and relu(x) + a·clip(x, −∞, 0), cost
    // 1.5–4.5× as much at batch-1 shapes (PreluBenchmark), and the clip in training only made
    // IResNet-50 training slower end to end (0.95×, interleaved, docs/performance.md §9.7), so
    // this formulation stays in both modes.
    NDArray positive = Activation.relu(x);
    NDArray negative = x.sub(positive);
    return new NDList(positive.add(negative.mul(a)));
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return new Shape[] {inputShapes[0]};
  }

  @Override
  public String toString() {
    return "PerChannelPrelu(initialSlope=" + initialSlope + ")";
  }
}
