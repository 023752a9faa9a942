package io.github.ringloss4j.app.train;

import io.github.ringloss4j.nn.RingModelBlock;

/**
 * Whether a run's R means anything, in one place. Every model has a ring block, but only a run with
 * a ring term (λ &gt; 0) trains its R; with λ = 0 the block only measures norms and R stays where
 * it started. So R is recorded, printed and plotted as NaN ("no ring") for those runs.
 */
public final class LearnedRadius {

  private LearnedRadius() {}

  /**
   * Whether the run trains R.
   *
   * @param options the run's options
   * @return true when λ &gt; 0
   */
  public static boolean isLearned(TrainOptions options) {
    return options.ring().lambda() > 0;
  }

  /**
   * The model's R as the run reports it.
   *
   * @param options the run's options
   * @param block the model
   * @return R, or NaN when the run does not train it
   */
  public static double of(TrainOptions options, RingModelBlock block) {
    return isLearned(options) ? block.getRing().getRadius() : Double.NaN;
  }
}
