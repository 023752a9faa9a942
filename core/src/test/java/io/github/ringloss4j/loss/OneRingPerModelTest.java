package io.github.ringloss4j.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.EasyTrain;
import ai.djl.training.ParameterStore;
import ai.djl.training.Trainer;
import ai.djl.training.dataset.Batch;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import io.github.ringloss4j.nn.RadiusInit;
import io.github.ringloss4j.nn.RingLossBlock;
import io.github.ringloss4j.nn.RingModelBlock;
import io.github.ringloss4j.nn.RingOutputs;
import io.github.ringloss4j.optim.RadiusLearningRate;
import io.github.ringloss4j.training.DivergenceGuard;
import io.github.ringloss4j.training.RingStatisticsListener;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * A loss or listener built on a ring that is not the model's is refused on the first batch, naming
 * both rings, before any gradient; the model's own ring passes.
 */
class OneRingPerModelTest {

  private static final float[][] X = {{1, 2, 3}, {3, 2, 1}, {0, 1, 0}, {2, 2, 2}};
  private static final float[] Y = {0, 1, 2, 0};

  private static RingModelBlock model() {
    return RingModelBlock.builder()
        .setEmbedding(Linear.builder().setUnits(4).build())
        .optHead(Linear.builder().setUnits(3).build())
        .optRing(RingLossBlock.builder().optRadiusInit(RadiusInit.constant(1)).build())
        .build();
  }

  private static RingLossBlock otherRing(float lambda) {
    return RingLossBlock.builder().optRadiusInit(RadiusInit.constant(1)).optLambda(lambda).build();
  }

  /** The model's outputs for X, from a forward pass outside any trainer. */
  private static NDList forward(NDManager m, RingModelBlock net) {
    net.initialize(m, DataType.FLOAT32, new Shape(4, 3));
    return net.forward(new ParameterStore(m, false), new NDList(m.create(X)), false);
  }

  @Test
  void aRingLossOnAnotherRingIsRefusedNamingBothLambdas() {
    try (NDManager m = NDManager.newBaseManager()) {
      RingModelBlock net = model();
      NDList out = forward(m, net);
      RingLoss wrong = new RingLoss(otherRing(0.5f));
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> wrong.evaluate(null, out));
      assertTrue(e.getMessage().contains("RingLoss 'ring'"), e.getMessage());
      assertTrue(e.getMessage().contains("its ring is RingLossBlock(penalty="), e.getMessage());
      assertTrue(e.getMessage().contains("lambda=0.5"), e.getMessage());
      assertTrue(e.getMessage().contains("the model's is RingLossBlock("), e.getMessage());
      assertTrue(e.getMessage().contains("lambda=0.01"), e.getMessage());
      assertTrue(e.getMessage().contains("getRing()"), e.getMessage());
      // The model's own ring: λ · mean ρ, as before.
      RingLoss right = new RingLoss(net.getRing());
      double mean = RingOutputs.get(out, RingOutputs.PENALTIES).mean().getFloat();
      assertEquals(0.01f * (float) mean, right.evaluate(null, out).getFloat(), 0f);
    }
  }

  @Test
  void aRingWithEqualSettingsButNotTheModelsIsRefusedToo() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDList out = forward(m, model());
      RingLoss twin = new RingLoss(otherRing(RingLossBlock.DEFAULT_LAMBDA));
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> twin.evaluate(null, out));
      assertTrue(e.getMessage().contains("two distinct blocks with equal settings"));
    }
  }

  @Test
  void outputsNamedByABlockOfOnesOwnCannotBeTracedAndAreAccepted() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray penalties = m.create(new float[] {1, 3});
      penalties.setName(RingOutputs.PENALTIES); // the documented way for a block of one's own
      NDList out = new NDList(penalties);
      assertEquals(0.1f * 2, new RingLoss(otherRing(0.1f)).evaluate(null, out).getFloat(), 1e-7f);
      assertTrue(otherRing(0.1f).checkOutputsAreOwn(out, "test"));
      assertTrue(!otherRing(0.1f).checkOutputsAreOwn(new NDList(), "test"), "nothing to check");
    }
  }

  /**
   * The reported case: a composite loss on a λ = 0.5 ring trained a model whose ring has λ = 0.01.
   * Now the first batch is refused before the optimiser moves anything.
   */
  @Test
  void trainingWithAMismatchedLossOrListenerStopsAtTheFirstBatchWithNothingUpdated() {
    RingLossBlock foreign = otherRing(0.5f);
    assertRefused(
        net -> new DefaultTrainingConfig(RingCompositeLoss.softmaxPlusRing(foreign)),
        "RingLoss 'ring'");
    assertRefused(
        net ->
            new DefaultTrainingConfig(RingCompositeLoss.softmaxPlusRing(net.getRing()))
                .addTrainingListeners(new DivergenceGuard(foreign)),
        "DivergenceGuard");
    assertRefused(
        net ->
            new DefaultTrainingConfig(RingCompositeLoss.softmaxPlusRing(net.getRing()))
                .addTrainingListeners(new RingStatisticsListener(foreign)),
        "RingStatisticsListener");
  }

  private static void assertRefused(
      Function<RingModelBlock, DefaultTrainingConfig> config, String who) {
    RingModelBlock net = model();
    try (Model model = Model.newInstance("mismatch")) {
      model.setBlock(net);
      try (Trainer trainer =
          model.newTrainer(
              config
                  .apply(net)
                  .optOptimizer(
                      Optimizer.sgd()
                          .setLearningRateTracker(
                              RadiusLearningRate.forSgd(net, Tracker.fixed(0.1f)))
                          .build()))) {
        trainer.initialize(new Shape(4, 3));
        NDManager m = trainer.getManager();
        float w = net.getEmbedding().getParameters().get(0).getValue().getArray().getFloat(0, 0);
        Batch batch =
            new Batch(m, new NDList(m.create(X)), new NDList(m.create(Y)), 4, null, null, 0, 1);
        IllegalArgumentException e =
            assertThrows(
                IllegalArgumentException.class,
                () -> {
                  EasyTrain.trainBatch(trainer, batch);
                  trainer.step();
                });
        assertTrue(e.getMessage().startsWith(who), e.getMessage());
        assertTrue(e.getMessage().contains("lambda=0.5"), e.getMessage());
        assertTrue(e.getMessage().contains("lambda=0.01"), e.getMessage());
        assertEquals(
            w,
            net.getEmbedding().getParameters().get(0).getValue().getArray().getFloat(0, 0),
            0f,
            "no update");
        assertEquals(1.0, net.getRing().getRadius(), 0.0, "R did not move");
      }
    }
  }
}
