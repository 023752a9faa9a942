package io.github.ringloss4j.training;

import ai.djl.training.Trainer;
import io.github.ringloss4j.optim.RadiusLearningRate;

/**
 * When a training listener asks {@link RadiusLearningRate#warnIfPlainRate} whether the optimiser
 * gave R the plain learning rate: once, after two optimiser steps (DJL calls listeners' {@code
 * onTrainingBatch} before {@code trainer.step()}, so at the third batch two updates have run; two,
 * because with R started from the first batch on several devices R takes no step at the first), or
 * at the end of the first epoch if that comes sooner. DJL's {@code Trainer} does not expose its
 * optimiser, so the check looks at what the optimiser did, not at what it is.
 */
final class PlainRateCheck {

  private static final int BATCHES_BEFORE_CHECK = 3;

  private int batches;
  private boolean done;

  void onTrainingBatch(Trainer trainer) {
    if (!done && ++batches == BATCHES_BEFORE_CHECK) {
      run(trainer);
    }
  }

  void onEpoch(Trainer trainer) {
    if (!done && batches > 0) {
      run(trainer);
    }
  }

  private void run(Trainer trainer) {
    done = true;
    RadiusLearningRate.warnIfPlainRate(trainer.getModel().getBlock());
  }
}
