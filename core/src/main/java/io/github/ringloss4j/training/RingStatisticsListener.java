package io.github.ringloss4j.training;

import ai.djl.ndarray.NDList;
import ai.djl.training.Trainer;
import ai.djl.training.listener.TrainingListenerAdapter;
import io.github.ringloss4j.nn.RingLossBlock;
import io.github.ringloss4j.nn.RingOutputs;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reports R and the mean and standard deviation of ‖f‖ after every epoch, for training and
 * validation, to the log and to {@link #history()}.
 *
 * <p>It reads the norms a {@link RingLossBlock} returns (the output named {@link
 * RingOutputs#NORMS}), so it costs two reductions per batch and no extra forward pass.
 *
 * <p>The ring given must be the model's: the first batch refuses norms that another ring returned
 * ({@link RingLossBlock#checkOutputsAreOwn}), since the R reported would be one nobody trains. It
 * also warns, once, when the optimiser gives R the plain learning rate ({@link
 * io.github.ringloss4j.optim.RadiusLearningRate#warnIfPlainRate}).
 */
public final class RingStatisticsListener extends TrainingListenerAdapter {

  private static final Logger LOG = LoggerFactory.getLogger(RingStatisticsListener.class);

  private final RingLossBlock ring;
  private final NormStatistics train = new NormStatistics();
  private final NormStatistics validation = new NormStatistics();
  private final List<EpochRingStatistics> history = new ArrayList<>();
  private final PlainRateCheck plainRate = new PlainRateCheck();
  private boolean ringChecked;

  /**
   * Creates the listener.
   *
   * @param ring the model's ring block, which owns R
   */
  public RingStatisticsListener(RingLossBlock ring) {
    this.ring = Objects.requireNonNull(ring, "ring");
  }

  @Override
  public void onTrainingBatch(Trainer trainer, BatchData batchData) {
    plainRate.onTrainingBatch(trainer);
    for (NDList predictions : batchData.getPredictions().values()) {
      if (!ringChecked) {
        ringChecked = ring.checkOutputsAreOwn(predictions, "RingStatisticsListener");
      }
      train.add(RingOutputs.get(predictions, RingOutputs.NORMS));
    }
  }

  @Override
  public void onValidationBatch(Trainer trainer, BatchData batchData) {
    for (NDList predictions : batchData.getPredictions().values()) {
      validation.add(RingOutputs.get(predictions, RingOutputs.NORMS));
    }
  }

  @Override
  public void onEpoch(Trainer trainer) {
    plainRate.onEpoch(trainer);
    EpochRingStatistics stats =
        new EpochRingStatistics(
            history.size(),
            ring.getLambda() > 0 ? ring.getRadius() : Double.NaN,
            train.mean(),
            train.std(),
            validation.mean(),
            validation.std());
    history.add(stats);
    StringBuilder line = new StringBuilder("Epoch ").append(stats.epoch() + 1).append(':');
    // With λ = 0 no loss trains R, so it has no meaning and is not shown.
    if (ring.getLambda() > 0) {
      line.append(String.format(Locale.ROOT, " R = %.4f,", stats.radius()));
    }
    line.append(
        String.format(
            Locale.ROOT,
            " train ||f|| = %.4f ± %.4f",
            stats.trainMeanNorm(),
            stats.trainStdNorm()));
    if (validation.count() > 0) {
      line.append(
          String.format(
              Locale.ROOT,
              ", validation ||f|| = %.4f ± %.4f",
              stats.validationMeanNorm(),
              stats.validationStdNorm()));
    }
    LOG.info("{}", line);
    train.reset();
    validation.reset();
  }

  /**
   * Every epoch's statistics so far.
   *
   * @return an unmodifiable view
   */
  public List<EpochRingStatistics> history() {
    return Collections.unmodifiableList(history);
  }
}
