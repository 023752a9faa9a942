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
    RingLossBlock ring =
        RingLossBlock.builder().optRadiusInit(RadiusInit.constant(1)).optLambda(0.1f).build();
    RingModelBlock block =
        RingModelBlock.builder()
            .setEmbedding(Linear.builder().setUnits(4).build())
            .optHead(Linear.builder().setUnits(3).build())
            .optRing(ring)
            .build();
    RingStatisticsListener stats = new RingStatisticsListener(ring);
    try (Model model = Model.newInstance("guard")) {
      model.setBlock(block);
      RingCompositeLoss loss = RingCompositeLoss.softmaxPlusRing(ring);
      DefaultTrainingConfig config =
          new DefaultTrainingConfig(loss)
              .optOptimizer(
                  RingOptimizer.sgdBuilder()
                      .optMomentum(0f)
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

  private static NDList outputs(NDManager m, float... norms) {
    NDArray n = m.create(norms);
    n.setName(io.github.ringloss4j.nn.RingOutputs.NORMS);
    return new NDList(n);
  }

  @Test
  void aFiniteBlowUpOfTheLossIsCaughtByTheRunawayRule() {
    try (NDManager m = NDManager.newBaseManager()) {
      DivergenceGuard guard = new DivergenceGuard(null);
      guard.check(outputs(m, 4, 6), m.create(2.3f)); // reference: loss 2.3, mean ‖f‖ 5
      // 1e4 · max(2.3, 1) = 23,000: 20,000 passes, 1e27 (seen with --lr 1) does not.
      guard.check(outputs(m, 4, 6), m.create(20_000f));
      DivergenceException e =
          assertThrows(
              DivergenceException.class, () -> guard.check(outputs(m, 4, 6), m.create(1e27f)));
      assertEquals(3, e.getStep());
      assertTrue(e.getMessage().contains("the loss ran away to 1.000e+27"), e.getMessage());
      assertTrue(e.getMessage().contains("learning rate"), e.getMessage());
    }
  }

  @Test
  void aFiniteBlowUpOfTheNormsIsCaughtAndStepsCountFromTheRunsStart() {
    try (NDManager m = NDManager.newBaseManager()) {
      DivergenceGuard guard = new DivergenceGuard(null);
      guard.setStepsDone(100); // a resumed run: the next step is the run's 101st
      guard.check(outputs(m, 4, 6), m.create(1f)); // reference mean ‖f‖ 5
      // ArcFace-like growth to ‖f‖ ≈ 209 is 42×: far below 1e4 · 5 = 50,000.
      guard.check(outputs(m, 200, 218), m.create(1f));
      DivergenceException e =
          assertThrows(
              DivergenceException.class, () -> guard.check(outputs(m, 4e17f, 4e17f), m.create(1f)));
      assertEquals(103, e.getStep());
      assertTrue(e.getMessage().contains("step 103"), e.getMessage());
      assertTrue(e.getMessage().contains("mean feature norm ran away"), e.getMessage());
    }
  }

  @Test
  void smallFirstValuesAreFlooredAtOne() {
    try (NDManager m = NDManager.newBaseManager()) {
      DivergenceGuard guard = new DivergenceGuard(null);
      guard.check(outputs(m, 1e-3f), m.create(1e-6f));
      // Without the floor a loss of 1 after 1e-6 would be a 1e6-fold growth.
      guard.check(outputs(m, 1f), m.create(1f));
      assertThrows(IllegalArgumentException.class, () -> new DivergenceGuard(null, 1.0));
    }
  }

  @Test
  void heldOutDataAndParametersAreCheckedAfterTheLastStepWithoutCountingOne() {
    try (NDManager m = NDManager.newBaseManager()) {
      DivergenceGuard guard = new DivergenceGuard(null);
      guard.setStepsDone(8);
      guard.check(outputs(m, 4, 6), m.create(2f)); // step 9, the reference
      guard.checkHeldOut(outputs(m, 5, 7), m.create(1.5f)); // healthy
      DivergenceException runaway =
          assertThrows(
              DivergenceException.class,
              () -> guard.checkHeldOut(outputs(m, 3e36f, 3e36f), m.create(1f)));
      assertEquals(9, guard.getStepsDone(), "held-out checks count no step");
      assertTrue(
          runaway.getMessage().contains("on held-out data after step 9: the mean feature norm"),
          runaway.getMessage());
      DivergenceException nan =
          assertThrows(
              DivergenceException.class,
              () -> guard.checkHeldOut(outputs(m, 4, Float.NaN), m.create(1f)));
      assertTrue(nan.getMessage().contains("contains NaN"), nan.getMessage());

      // The last update of an epoch is seen by no step: the parameters themselves are checked.
      Linear linear = Linear.builder().setUnits(2).build();
      linear.initialize(m, ai.djl.ndarray.types.DataType.FLOAT32, new Shape(1, 3));
      guard.checkParameters(linear);
      linear
          .getParameters()
          .get("weight")
          .getArray()
          .set(new ai.djl.ndarray.index.NDIndex("0, 1"), Float.POSITIVE_INFINITY);
      DivergenceException parameter =
          assertThrows(DivergenceException.class, () -> guard.checkParameters(linear));
      assertTrue(
          parameter.getMessage().contains("after step 9: the parameter 'weight' contains Inf"),
          parameter.getMessage());
      assertEquals(9, guard.getStepsDone());
    }
  }

  @Test
  void aNegativeRadiusIsADivergenceNamingR() {
    try (NDManager m = NDManager.newBaseManager()) {
      RingLossBlock ring =
          RingLossBlock.builder().optRadiusInit(RadiusInit.constant(0.5)).optLambda(0.1f).build();
      ring.initialize(m, ai.djl.ndarray.types.DataType.FLOAT32, new Shape(2, 3));
      ai.djl.training.ParameterStore store = new ai.djl.training.ParameterStore(m, false);
      NDArray f = m.create(new float[][] {{3, 4, 0}, {0, 0, 2}}); // ‖f‖ = 5 and 2
      DivergenceGuard guard = new DivergenceGuard(ring);
      guard.check(ring.forward(store, new NDList(f), false), m.create(1f)); // R = 0.5: healthy
      ring.getRadiusParameter().getArray().set(new ai.djl.ndarray.index.NDIndex("0"), -0.089f);
      DivergenceException e =
          assertThrows(
              DivergenceException.class,
              () -> guard.check(ring.forward(store, new NDList(f), false), m.create(1f)));
      assertEquals(2, e.getStep());
      assertTrue(
          e.getMessage()
              .contains(
                  "the ring radius R is negative (-0.08900; the mean feature" + " norm is 3.500)"),
          e.getMessage());
      assertTrue(e.getMessage().contains("Lower the learning rate"), e.getMessage());
      // The same on held-out data after the last step.
      DivergenceException held =
          assertThrows(
              DivergenceException.class,
              () -> guard.checkHeldOut(ring.forward(store, new NDList(f), false), null));
      assertTrue(held.getMessage().contains("after step 2: the ring radius R is negative"));
    }
  }
}
