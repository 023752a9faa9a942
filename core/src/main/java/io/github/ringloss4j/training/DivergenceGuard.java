package io.github.ringloss4j.training;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.Trainer;
import ai.djl.training.listener.TrainingListenerAdapter;
import io.github.ringloss4j.nn.RingLossBlock;
import io.github.ringloss4j.nn.RingOutputs;
import java.util.Map;

/**
 * Stops training at the first NaN or Inf, before the optimiser applies the step.
 *
 * <p>After each training batch (DJL calls listeners before {@code trainer.step()}) it checks the
 * loss, every model output (logits, features, penalties, norms) and R, and throws a {@link
 * DivergenceException} naming what went wrong, the step, and what to try. A healthy step costs one
 * reduction per array and a single read back to Java.
 */
public final class DivergenceGuard extends TrainingListenerAdapter {

  private static final String[] OUTPUT_NAMES = outputNames();

  private final RingLossBlock ring;
  private long step;

  /**
   * Creates the guard.
   *
   * @param ring the ring block whose R is checked, or null to check outputs and loss only
   */
  public DivergenceGuard(RingLossBlock ring) {
    this.ring = ring;
  }

  private static String[] outputNames() {
    String[] names = new String[4];
    names[RingOutputs.LOGITS] = "the logits";
    names[RingOutputs.EMBEDDING] = "the features";
    names[RingOutputs.PENALTIES] = "the ring penalties";
    names[RingOutputs.NORMS] = "the feature norms";
    return names;
  }

  @Override
  public void onTrainingBatch(Trainer trainer, BatchData batchData) {
    for (Map.Entry<Device, NDList> entry : batchData.getPredictions().entrySet()) {
      NDList labels = batchData.getLabels().get(entry.getKey());
      NDArray loss = labels == null ? null : trainer.getLoss().evaluate(labels, entry.getValue());
      check(entry.getValue(), loss);
    }
  }

  /**
   * Checks one training step, for loops that do not use DJL's listeners: counts the step, then
   * checks every output, the loss and R.
   *
   * @param predictions the model's outputs for the batch
   * @param loss the loss value, or null
   * @throws DivergenceException at the first NaN or Inf
   */
  public void check(NDList predictions, NDArray loss) {
    step++;
    // Fast path: NaN and Inf survive a sum, so one reduction per array and a single read back to
    // Java clear a healthy step; only a non-finite total pays for the detailed search.
    NDArray total = null;
    for (NDArray array : predictions) {
      total = accumulate(total, array);
    }
    total = accumulate(total, loss);
    if (ring != null && ring.getRadiusParameter().isInitialized()) {
      total = accumulate(total, ring.getRadiusParameter().getArray());
    }
    if (total == null || Double.isFinite(total.getDouble())) {
      return;
    }
    for (int i = 0; i < predictions.size(); i++) {
      check(predictions.get(i), i < OUTPUT_NAMES.length ? OUTPUT_NAMES[i] : "output " + i);
    }
    if (loss != null) {
      check(loss, "the loss");
    }
    if (ring != null) {
      double r = ring.getRadius();
      if (!Double.isFinite(r)) {
        throw diverged("the ring radius R is " + r);
      }
    }
    // A finite step whose sum overflowed: nothing to report.
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
      throw diverged(
          what + " contain" + (what.endsWith("loss") ? "s " : " ") + (nan ? "NaN" : "Inf"));
    }
  }

  private DivergenceException diverged(String what) {
    return new DivergenceException(
        step,
        "Training diverged at step "
            + step
            + ": "
            + what
            + ". Try a lower learning rate or a smaller ring weight lambda, check the input data"
            + " for NaN/Inf, and start R at the first batch's mean norm rather than a constant"
            + " far from the feature norms.");
  }
}
