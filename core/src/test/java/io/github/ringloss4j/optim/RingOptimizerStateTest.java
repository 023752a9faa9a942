package io.github.ringloss4j.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.core.Linear;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.tracker.Tracker;
import io.github.ringloss4j.loss.RingCompositeLoss;
import io.github.ringloss4j.nn.RadiusInit;
import io.github.ringloss4j.nn.RingLossBlock;
import io.github.ringloss4j.nn.RingModelBlock;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Saving model and optimiser after k steps and continuing gives the same weights as not stopping.
 */
class RingOptimizerStateTest {

  private static RingModelBlock newBlock() {
    Block embedding = Linear.builder().setUnits(4).build();
    Block head = Linear.builder().setUnits(3).build();
    RingLossBlock ring =
        RingLossBlock.builder()
            .optRadiusInit(RadiusInit.constant(1))
            .optRadiusLearningRateMultiplier(5)
            .optLambda(0.1f)
            .build();
    return RingModelBlock.builder().setEmbedding(embedding).optHead(head).optRing(ring).build();
  }

  private static RingOptimizer optimizer(String kind, Block block) {
    RingOptimizer.Builder b =
        kind.equals("adam") ? RingOptimizer.adamBuilder() : RingOptimizer.sgdBuilder();
    return b.setLearningRateTracker(Tracker.fixed(0.05f)).optWeightDecays(1e-3f).build(block);
  }

  private static void steps(Trainer trainer, NDArray x, NDArray y, int n) {
    for (int i = 0; i < n; i++) {
      try (GradientCollector c = trainer.newGradientCollector()) {
        NDList p = trainer.forward(new NDList(x), new NDList(y));
        c.backward(trainer.getLoss().evaluate(new NDList(y), p));
      }
      trainer.step();
    }
  }

  private static float[] weights(Block block) {
    return block.getParameters().values().stream()
        .map(p -> p.getArray().toFloatArray())
        .reduce(
            new float[0],
            (a, b) -> {
              float[] c = new float[a.length + b.length];
              System.arraycopy(a, 0, c, 0, a.length);
              System.arraycopy(b, 0, c, a.length, b.length);
              return c;
            });
  }

  @ParameterizedTest
  @ValueSource(strings = {"sgd", "adam"})
  void resumedTrainingEqualsUninterruptedTraining(String kind) throws Exception {
    float[] x = new float[8 * 5];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) Math.sin(i * 0.7) * 3;
    }
    float[] y = {0, 1, 2, 0, 1, 2, 0, 1};
    Engine.getInstance().setRandomSeed(3);
    float[] straight;
    byte[] params;
    byte[] state;
    RingModelBlock a = newBlock();
    try (Model model = Model.newInstance("a")) {
      model.setBlock(a);
      RingOptimizer opt = optimizer(kind, a);
      try (Trainer t =
          model.newTrainer(
              new DefaultTrainingConfig(RingCompositeLoss.softmaxPlusRing(a.getRing()))
                  .optOptimizer(opt))) {
        t.initialize(new Shape(8, 5));
        NDManager m = t.getManager();
        NDArray xs = m.create(x, new Shape(8, 5));
        NDArray ys = m.create(y);
        steps(t, xs, ys, 3);
        ByteArrayOutputStream pb = new ByteArrayOutputStream();
        a.saveParameters(new DataOutputStream(pb));
        params = pb.toByteArray();
        ByteArrayOutputStream sb = new ByteArrayOutputStream();
        opt.save(new DataOutputStream(sb));
        state = sb.toByteArray();
        steps(t, xs, ys, 4);
        straight = weights(a);
      }
    }
    RingModelBlock b = newBlock();
    try (Model model = Model.newInstance("b")) {
      model.setBlock(b);
      // Parameters are loaded before the trainer initialises the block: DJL's Parameter.load does
      // not mark arrays as requiring gradients, initialize() does.
      b.loadParameters(model.getNDManager(), new DataInputStream(new ByteArrayInputStream(params)));
      RingOptimizer opt = optimizer(kind, b);
      try (Trainer t =
          model.newTrainer(
              new DefaultTrainingConfig(RingCompositeLoss.softmaxPlusRing(b.getRing()))
                  .optOptimizer(opt))) {
        t.initialize(new Shape(8, 5));
        NDManager m = t.getManager();
        opt.load(model.getNDManager(), new DataInputStream(new ByteArrayInputStream(state)));
        steps(t, m.create(x, new Shape(8, 5)), m.create(y), 4);
        assertArrayEquals(straight, weights(b));
      }
    }
  }
}
