package io.github.ringloss4j.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.EasyTrain;
import ai.djl.training.Trainer;
import ai.djl.training.dataset.Batch;
import ai.djl.training.tracker.Tracker;
import io.github.ringloss4j.loss.RingCompositeLoss;
import io.github.ringloss4j.nn.RadiusInit;
import io.github.ringloss4j.nn.RingLossBlock;
import io.github.ringloss4j.nn.RingModelBlock;
import io.github.ringloss4j.optim.RingOptimizer;
import org.junit.jupiter.api.Test;

class DivergenceGuardTest {

  private static Batch batch(NDManager manager, NDArray x, NDArray y) {
    return new Batch(
        manager, new NDList(x), new NDList(y), (int) x.getShape().get(0), null, null, 0, 1);
  }

  @Test
  void nanInputStopsTrainingWithAClearMessageAndRingStatsAreReported() {
    RingLossBlock ring = RingLossBlock.builder().optRadiusInit(RadiusInit.constant(1)).build();
    RingModelBlock block =
        new RingModelBlock(
            Linear.builder().setUnits(4).build(), Linear.builder().setUnits(3).build(), ring);
    RingStatisticsListener stats = new RingStatisticsListener(ring);
    try (Model model = Model.newInstance("guard")) {
      model.setBlock(block);
      RingCompositeLoss loss = RingCompositeLoss.softmaxPlusRing(0.1f);
      DefaultTrainingConfig config =
          new DefaultTrainingConfig(loss)
              .optOptimizer(
                  RingOptimizer.builder()
                      .sgd(0f)
                      .setLearningRateTracker(Tracker.fixed(0.01f))
                      .build(block))
              .addEvaluators(loss.getComponents())
              .addTrainingListeners(stats, new DivergenceGuard(ring));
      try (Trainer trainer = model.newTrainer(config)) {
        trainer.initialize(new Shape(4, 3));
        NDManager m = trainer.getManager();
        NDArray y = m.create(new float[] {0, 1, 2, 0});
        NDArray good = m.create(new float[][] {{1, 2, 3}, {3, 2, 1}, {0, 1, 0}, {2, 2, 2}});
        EasyTrain.trainBatch(trainer, batch(m, good, y));
        trainer.step();
        trainer.notifyListeners(l -> l.onEpoch(trainer));
        assertEquals(1, stats.history().size());
        assertTrue(Double.isFinite(stats.history().get(0).trainMeanNorm()));
        assertTrue(stats.history().get(0).trainStdNorm() >= 0);

        NDArray bad = good.duplicate();
        bad.set(new ai.djl.ndarray.index.NDIndex("1, 1"), Float.NaN);
        DivergenceException e =
            assertThrows(
                DivergenceException.class, () -> EasyTrain.trainBatch(trainer, batch(m, bad, y)));
        assertEquals(2, e.getStep());
        assertTrue(e.getMessage().contains("step 2"), e.getMessage());
        assertTrue(e.getMessage().contains("NaN"), e.getMessage());
        assertTrue(e.getMessage().contains("learning rate"), e.getMessage());
      }
    }
  }
}
