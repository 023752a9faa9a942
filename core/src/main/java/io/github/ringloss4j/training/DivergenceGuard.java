package io.github.ringloss4j.training;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.Trainer;
import ai.djl.training.listener.TrainingListenerAdapter;
import ai.djl.util.Pair;
import io.github.ringloss4j.nn.RingLossBlock;
import io.github.ringloss4j.nn.RingOutputs;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Stops training at the first NaN or Inf, and at a finite blow-up, before the optimiser applies the
 * step.
 *
 * <p>After each training batch (DJL calls listeners before {@code trainer.step()}) it checks the
 * loss, every model output (logits, features, penalties, norms, or whatever the model returns) and
 * R, and throws a {@link DivergenceException} naming what went wrong (an output by its name), the
 * step, and what to try.
 *
 * <p><b>A negative R.</b> R is the norm the ring pulls every feature toward; no norm is negative,
 * so R &lt; 0 is never meaningful: it means R's steps overshot (its learning rate, 1/λ times the
 * others' with SGD, is too high for the data) and the ring now pulls every feature toward 0. The
 * guard treats R &lt; 0 as a divergence rather than clamping R at 0, which would hide the cause and
 * change the gradient the paper defines. R is read in the same single read back as the rest.
 *
 * <p><b>The model's own ring.</b> The ring given must be the model's: on the first batch the guard
 * refuses outputs that another ring returned ({@link RingLossBlock#checkOutputsAreOwn}), since it
 * would otherwise check an R nobody trains. As a training listener it also warns, once, when the
 * optimiser gives R the plain learning rate ({@link
 * io.github.ringloss4j.optim.RadiusLearningRate#warnIfPlainRate}).
 *
 * <p><b>The runaway rule.</b> A learning rate far too high can drive the loss to 1e27 without ever
 * reaching Inf. The first step checked gives the reference: its loss L₀ and its mean feature norm
 * N₀ (the output named {@link RingOutputs#NORMS}, when the model has one). A later step whose loss
 * exceeds {@value #DEFAULT_RUNAWAY_FACTOR} × max(L₀, 1), or whose mean ‖f‖ exceeds {@value
 * #DEFAULT_RUNAWAY_FACTOR} × max(N₀, 1), has run away. The floors of 1 keep a tiny first value from
 * making an ordinary one look huge. Legitimate training stays far below: the largest norm growth
 * among the methods of {@code ringloss compare} is ArcFace's, whose mean ‖f‖ ends near 209 from a
 * start of a few units; losses fall from their first value. The factor is {@link
 * #DivergenceGuard(RingLossBlock, double)}'s second argument.
 *
 * <p><b>After the last update.</b> A step is checked before its update, so the last update of an
 * epoch is seen by no step: a run whose final step blows the weights up would save them. {@link
 * #checkParameters} (every parameter, NaN and Inf) and {@link #checkHeldOut} (a forward pass on
 * held-out data, every rule above) close that gap without counting a step; their messages say
 * "after step N".
 *
 * <p>A healthy step costs one reduction per array and a single read back to the host.
 */
public final class DivergenceGuard extends TrainingListenerAdapter {

  /** How many times its first value the loss or the mean norm may grow before training stops. */
  public static final double DEFAULT_RUNAWAY_FACTOR = 1e4;

  private final RingLossBlock ring;
  private final double runawayFactor;
  private final PlainRateCheck plainRate = new PlainRateCheck();
  private boolean ringChecked;
  private long step;

  /**
   * Null while a training step is checked; otherwise where the arrays come from, after the last
   * counted step, for the message ("on held-out data after step").
   */
  private String afterStep;

  private double referenceLoss = Double.NaN;
  private double referenceNorm = Double.NaN;

  /**
   * Creates the guard with the default runaway factor.
   *
   * @param ring the model's ring block, whose R is checked, or null to check outputs and loss only
   */
  public DivergenceGuard(RingLossBlock ring) {
    this(ring, DEFAULT_RUNAWAY_FACTOR);
  }

  /**
   * Creates the guard.
   *
   * @param ring the model's ring block, whose R is checked, or null to check outputs and loss only
   * @param runawayFactor how many times its first value the loss or the mean ‖f‖ may grow, &gt; 1;
   *     {@code Double.POSITIVE_INFINITY} checks NaN and Inf only
   */
  public DivergenceGuard(RingLossBlock ring, double runawayFactor) {
    if (!(runawayFactor > 1)) {
      throw new IllegalArgumentException("runawayFactor must be > 1, got " + runawayFactor);
    }
    this.ring = ring;
    this.runawayFactor = runawayFactor;
  }

  /**
   * Continues a run: the next step checked is {@code stepsDone + 1}, so a message counts steps from
   * the start of the run, not of this invocation.
   *
   * @param stepsDone the training steps completed before
   */
  public void setStepsDone(long stepsDone) {
    if (stepsDone < 0) {
      throw new IllegalArgumentException("stepsDone must be >= 0, got " + stepsDone);
    }
    this.step = stepsDone;
  }

  /**
   * The steps checked so far, counted from the start of the run.
   *
   * @return the count
   */
  public long getStepsDone() {
    return step;
  }

  @Override
  public void onTrainingBatch(Trainer trainer, BatchData batchData) {
    plainRate.onTrainingBatch(trainer);
    // One training step, whatever the number of devices its batch was split over.
    step++;
    for (Map.Entry<Device, NDList> entry : batchData.getPredictions().entrySet()) {
      NDList labels = batchData.getLabels().get(entry.getKey());
      NDArray loss = labels == null ? null : trainer.getLoss().evaluate(labels, entry.getValue());
      checkStep(entry.getValue(), loss);
    }
  }

  @Override
  public void onEpoch(Trainer trainer) {
    plainRate.onEpoch(trainer);
  }

  /**
   * Checks one training step, for loops that do not use DJL's listeners: counts the step, then
   * checks every output, the loss and R for NaN, Inf and a runaway, and R for a negative value.
   *
   * @param predictions the model's outputs for the batch
   * @param loss the loss value, or null
   * @throws DivergenceException at the first NaN, Inf, runaway value or negative R
   * @throws IllegalArgumentException at the first step, when the outputs come from a ring other
   *     than the guard's
   */
  public void check(NDList predictions, NDArray loss) {
    step++;
    checkStep(predictions, loss);
  }

  /**
   * Checks the outputs of a forward pass on held-out data (a validation batch) after the last
   * counted step, with the same rules as a training step (NaN, Inf, runaway against the first
   * step's values), without counting a step or setting the runaway reference.
   *
   * @param predictions the model's outputs for the batch
   * @param loss the loss value on the batch, or null
   * @throws DivergenceException naming what went wrong "after step N"
   */
  public void checkHeldOut(NDList predictions, NDArray loss) {
    afterStep = "on held-out data after step";
    try {
      checkStep(predictions, loss);
    } finally {
      afterStep = null;
    }
  }

  /**
   * Checks every initialised parameter of a block for NaN and Inf: the state an optimiser update
   * left, which the next step would only see through its outputs. One reduction per parameter and a
   * single read back to the host.
   *
   * @param block the trained block
   * @throws DivergenceException naming the first parameter holding NaN or Inf, "after step N"
   */
  public void checkParameters(Block block) {
    List<Pair<String, Parameter>> parameters = new ArrayList<>();
    NDList sums = new NDList();
    for (Pair<String, Parameter> p : block.getParameters()) {
      if (p.getValue().isInitialized()) {
        parameters.add(p);
        sums.add(p.getValue().getArray().sum().toType(DataType.FLOAT64, false).reshape(1));
      }
    }
    if (sums.isEmpty()) {
      return;
    }
    double[] values = (sums.size() == 1 ? sums.head() : NDArrays.concat(sums)).toDoubleArray();
    for (int i = 0; i < values.length; i++) {
      if (!Double.isFinite(values[i])) {
        afterStep = "after step";
        try {
          // A finite sum of huge values can overflow: name only a parameter really holding them.
          check(
              parameters.get(i).getValue().getArray(),
              "the parameter '" + parameters.get(i).getKey() + "'");
        } finally {
          afterStep = null;
        }
      }
    }
  }

  private void checkStep(NDList predictions, NDArray loss) {
    if (ring != null && !ringChecked) {
      ringChecked = ring.checkOutputsAreOwn(predictions, "DivergenceGuard");
    }
    // Fast path: NaN and Inf survive a sum, so one reduction per array and a single read back to
    // the host clear a healthy step; the loss, the mean norm and R ride along for the runaway rule
    // and the sign of R.
    NDArray total = null;
    for (NDArray array : predictions) {
      total = accumulate(total, array);
    }
    total = accumulate(total, loss);
    NDArray norms = predictions.get(RingOutputs.NORMS);
    NDArray radius =
        ring != null && ring.getRadiusParameter().isInitialized()
            ? ring.getRadiusParameter().getArray()
            : null;
    List<NDArray> read = new ArrayList<>(4);
    if (total != null) {
      read.add(total.reshape(1));
    }
    if (loss != null) {
      read.add(loss.mean().toType(DataType.FLOAT64, false).reshape(1));
    }
    if (norms != null) {
      read.add(norms.mean().toType(DataType.FLOAT64, false).reshape(1));
    }
    if (radius != null) {
      read.add(radius.toType(DataType.FLOAT64, false).reshape(1));
    }
    if (read.isEmpty()) {
      return;
    }
    double[] values =
        (read.size() == 1 ? read.get(0) : NDArrays.concat(new NDList(read))).toDoubleArray();
    if (total != null && !Double.isFinite(values[0])) {
      findNonFinite(predictions, loss);
    }
    int at = total == null ? 0 : 1;
    double lossValue = loss == null ? Double.NaN : values[at++];
    double normValue = norms == null ? Double.NaN : values[at++];
    if (radius != null) {
      checkRadius(values[at], normValue);
    }
    checkRunaway(lossValue, normValue);
  }

  private void checkRadius(double r, double meanNorm) {
    if (!Double.isFinite(r)) {
      throw diverged("the ring radius R is " + r);
    }
    if (r < 0) {
      throw diverged(
          String.format(
              Locale.ROOT,
              "the ring radius R is negative (%.4g%s), which no feature norm can be: the ring now"
                  + " pulls every feature toward 0",
              r,
              Double.isNaN(meanNorm)
                  ? ""
                  : String.format(Locale.ROOT, "; the mean feature norm is %.4g", meanNorm)),
          "R's steps overshot: its learning rate (with SGD 1/λ times the others') is too high for"
              + " these features. Lower the learning rate, set R's rate lower"
              + " (RingLossBlock.Builder.optRadiusLearningRateMultiplier), or train with Adam.");
    }
  }

  private void findNonFinite(NDList predictions, NDArray loss) {
    for (int i = 0; i < predictions.size(); i++) {
      String name = predictions.get(i).getName();
      check(
          predictions.get(i), "the output " + (name == null ? "at index " + i : "'" + name + "'"));
    }
    if (loss != null) {
      check(loss, "the loss");
    }
    // A finite step whose sum overflowed: the runaway rule judges it.
  }

  private void checkRunaway(double lossValue, double normValue) {
    if (Double.isNaN(referenceLoss) && Double.isNaN(referenceNorm)) {
      if (afterStep != null) {
        return; // held-out data never set the reference: it is the first training step's
      }
      referenceLoss = lossValue;
      referenceNorm = normValue;
      return;
    }
    if (lossValue > runawayFactor * Math.max(referenceLoss, 1)) {
      throw diverged(runaway("the loss", lossValue, referenceLoss));
    }
    if (normValue > runawayFactor * Math.max(referenceNorm, 1)) {
      throw diverged(runaway("the mean feature norm", normValue, referenceNorm));
    }
  }

  private String runaway(String what, double value, double reference) {
    return String.format(
        Locale.ROOT,
        "%s ran away to %.4g, more than %.0e times its first value %.4g (the guard's runaway rule)",
        what,
        value,
        runawayFactor,
        reference);
  }

  private static NDArray accumulate(NDArray total, NDArray array) {
    if (array == null) {
      return total;
    }
    NDArray sum = array.sum().toType(DataType.FLOAT64, false);
    return total == null ? sum : total.add(sum);
  }

  private void check(NDArray array, String what) {
    NDArray bad = array.isNaN().logicalOr(array.isInfinite());
    if (bad.any().getBoolean()) {
      boolean nan = array.isNaN().any().getBoolean();
      throw diverged(what + " contains " + (nan ? "NaN" : "Inf"));
    }
  }

  private DivergenceException diverged(String what) {
    return diverged(
        what,
        "Try a lower learning rate or a smaller ring weight lambda, check the input data for"
            + " NaN/Inf, and start R at the first batch's mean norm rather than a constant far from"
            + " the feature norms.");
  }

  private DivergenceException diverged(String what, String advice) {
    return new DivergenceException(
        step,
        "Training diverged "
            + (afterStep == null ? "at step" : afterStep)
            + " "
            + step
            + ": "
            + what
            + ". "
            + advice);
  }
}
