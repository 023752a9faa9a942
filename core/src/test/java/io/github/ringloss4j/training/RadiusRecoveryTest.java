package io.github.ringloss4j.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.core.Linear;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.tracker.Tracker;
import io.github.ringloss4j.internal.Norms;
import io.github.ringloss4j.loss.RingLoss;
import io.github.ringloss4j.nn.RadiusInit;
import io.github.ringloss4j.nn.RingLossBlock;
import io.github.ringloss4j.nn.RingModelBlock;
import io.github.ringloss4j.optim.RingOptimizer;
import io.github.ringloss4j.penalty.Penalties;
import org.junit.jupiter.api.Test;

/**
 * With the embedding frozen, only R learns; under the squared penalty ∂L/∂R = −λ·mean(‖f‖ − R), so
 * R must converge to the mean feature norm.
 */
class RadiusRecoveryTest {

  @Test
  void rConvergesToTheMeanFeatureNorm() {
    Engine.getInstance().setRandomSeed(7);
    Block embedding = Linear.builder().setUnits(6).build();
    Block head = Linear.builder().setUnits(3).build();
    RingLossBlock ring =
        RingLossBlock.builder()
            .optPenalty(Penalties.parse("squared"))
            .optRadiusInit(RadiusInit.constant(1))
            .optLambda(1f)
            .build();
    RingModelBlock block =
        RingModelBlock.builder().setEmbedding(embedding).optHead(head).optRing(ring).build();
    try (Model model = Model.newInstance("recovery")) {
      model.setBlock(block);
      RingOptimizer optimizer =
          RingOptimizer.sgdBuilder()
              .optMomentum(0.5f)
              .setLearningRateTracker(Tracker.fixed(0.2f))
              .build(block);
      RingLoss loss = new RingLoss(ring);
      try (Trainer trainer =
          model.newTrainer(new DefaultTrainingConfig(loss).optOptimizer(optimizer))) {
        trainer.initialize(new Shape(64, 10));
        embedding.freezeParameters(true);
        head.freezeParameters(true);
        NDArray x = trainer.getManager().randomNormal(new Shape(64, 10)).mul(3);
        float[] weightsBefore = embedding.getParameters().get("weight").getArray().toFloatArray();
        double meanNorm =
            Norms.rowNorms(
                    embedding
                        .forward(
                            new ai.djl.training.ParameterStore(trainer.getManager(), false),
                            new NDList(x),
                            false)
                        .head())
                .mean()
                .getFloat();
        assertTrue(Math.abs(meanNorm - 1) > 2, "the test starts R far from the norms");
        for (int step = 0; step < 200; step++) {
          try (GradientCollector collector = trainer.newGradientCollector()) {
            collector.backward(trainer.getLoss().evaluate(null, trainer.forward(new NDList(x))));
          }
          trainer.step();
        }
        assertEquals(meanNorm, ring.getRadius(), 1e-4 * meanNorm);
        assertArrayEquals(
            weightsBefore, embedding.getParameters().get("weight").getArray().toFloatArray());
      }
    }
  }
}
