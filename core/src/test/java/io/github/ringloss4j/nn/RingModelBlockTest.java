package io.github.ringloss4j.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.Trainer;
import ai.djl.training.initializer.Initializer;
import ai.djl.training.loss.Loss;
import ai.djl.training.loss.SimpleCompositeLoss;
import ai.djl.training.tracker.Tracker;
import ai.djl.util.PairList;
import io.github.ringloss4j.head.CenterLoss;
import io.github.ringloss4j.head.CenterLossBlock;
import io.github.ringloss4j.loss.NamedOutputLoss;
import io.github.ringloss4j.loss.RingCompositeLoss;
import io.github.ringloss4j.loss.RingLoss;
import io.github.ringloss4j.optim.RingOptimizer;
import io.github.ringloss4j.training.DivergenceException;
import io.github.ringloss4j.training.DivergenceGuard;
import io.github.ringloss4j.training.RingStatisticsListener;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Ring loss on models the library did not build: a user's embedding, a user's head, no head. */
class RingModelBlockTest {

  private static final float[] Y = {0, 1, 2, 0, 1, 2, 0, 1};

  /** A user's embedding network: any DJL block whose first output is [m, d]. */
  private static Block userEmbedding() {
    return new SequentialBlock()
        .add(Linear.builder().setUnits(16).build())
        .add(Activation::relu)
        .add(Linear.builder().setUnits(4).build());
  }

  private static NDArray batch(NDManager m) {
    float[] x = new float[8 * 5];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) Math.sin(i * 0.37) * 3;
    }
    return m.create(x, new Shape(8, 5));
  }

  /** Trains a few steps with the library's listeners and guard; returns R before and after. */
  private static double[] train(RingModelBlock block, Loss loss) {
    Engine.getInstance().setRandomSeed(5);
    RingStatisticsListener stats = new RingStatisticsListener(block.getRing());
    try (Model model = Model.newInstance("user")) {
      model.setBlock(block);
      DefaultTrainingConfig config =
          new DefaultTrainingConfig(loss)
              .optOptimizer(
                  RingOptimizer.sgdBuilder()
                      .setLearningRateTracker(Tracker.fixed(0.05f))
                      .build(block))
              .addTrainingListeners(stats, new DivergenceGuard(block.getRing()));
      try (Trainer trainer = model.newTrainer(config)) {
        trainer.initialize(new Shape(8, 5));
        NDManager m = trainer.getManager();
        NDArray x = batch(m);
        NDArray y = m.create(Y);
        double before = Double.NaN;
        for (int step = 0; step < 5; step++) {
          try (GradientCollector c = trainer.newGradientCollector()) {
            NDList p = trainer.forward(new NDList(x), new NDList(y));
            c.backward(loss.evaluate(new NDList(y), p));
            // What a listener sees: find the norms by name, as RingStatisticsListener does.
            assertEquals(8, RingOutputs.get(p, RingOutputs.NORMS).size());
          }
          if (step == 0) {
            before = block.getRing().getRadius();
          }
          trainer.step();
        }
        return new double[] {before, block.getRing().getRadius()};
      }
    }
  }

  @Test
  void namedOutputsInTrainingAndInference() {
    RingModelBlock block = RingModelBlock.of(userEmbedding(), Linear.builder().setUnits(3).build());
    try (NDManager m = NDManager.newBaseManager()) {
      block.initialize(m, DataType.FLOAT32, new Shape(8, 5));
      for (boolean training : new boolean[] {true, false}) {
        NDList out = block.forward(new ParameterStore(m, false), new NDList(batch(m)), training);
        assertEquals(
            List.of(
                RingOutputs.LOGITS,
                RingOutputs.EMBEDDING,
                RingOutputs.PENALTIES,
                RingOutputs.NORMS),
            RingOutputs.names(out));
        assertEquals(new Shape(8, 3), RingOutputs.get(out, RingOutputs.LOGITS).getShape());
        assertEquals(new Shape(8, 4), RingOutputs.get(out, RingOutputs.EMBEDDING).getShape());
      }
      // Inference takes the scaled norm (no read back); training the checked fused norm.
      NDArray f = m.randomNormal(new Shape(8, 4));
      float[] fused = io.github.ringloss4j.internal.Norms.rowNorms(f).toFloatArray();
      float[] scaled = io.github.ringloss4j.internal.Norms.scaledRowNorms(f).toFloatArray();
      for (int i = 0; i < fused.length; i++) {
        assertEquals(fused[i], scaled[i], 2e-6f * fused[i]);
      }
    }
    assertEquals(4, block.getOutputShapes(new Shape[] {new Shape(8, 5)}).length);
  }

  @Test
  void aUsersOwnEmbeddingTrainsWithRingInOneLine() {
    RingModelBlock block = RingModelBlock.of(userEmbedding(), Linear.builder().setUnits(3).build());
    double[] r = train(block, RingCompositeLoss.softmaxPlusRing(block.getRing()));
    assertTrue(Double.isFinite(r[1]) && r[1] != r[0], "R starts and moves: " + r[0] + " " + r[1]);
  }

  /** A user's head: a bias-free linear classifier written from scratch. */
  private static final class UserHead extends AbstractBlock {
    private final Parameter weight;

    UserHead() {
      weight =
          addParameter(
              Parameter.builder()
                  .setName("w")
                  .setType(Parameter.Type.WEIGHT)
                  .optShape(new Shape(3, 4))
                  .optInitializer(Initializer.ONES)
                  .build());
    }

    @Override
    protected NDList forwardInternal(
        ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
      NDArray x = inputs.singletonOrThrow();
      return new NDList(x.matMul(store.getValue(weight, x.getDevice(), training).transpose()));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
      return new Shape[] {new Shape(inputShapes[0].get(0), 3)};
    }
  }

  @Test
  void aUsersOwnHeadTrainsWithRing() {
    RingModelBlock block = RingModelBlock.of(userEmbedding(), new UserHead());
    double[] r = train(block, RingCompositeLoss.softmaxPlusRing(block.getRing()));
    assertTrue(Double.isFinite(r[1]) && r[1] != r[0], "R moves: " + r[0] + " " + r[1]);
  }

  @Test
  void noHeadTrainsTheEmbeddingWithRingAndCenterLoss() {
    CenterLossBlock centres = CenterLossBlock.builder().setClasses(3).optWithoutHead().build();
    RingModelBlock block =
        RingModelBlock.builder().setEmbedding(userEmbedding()).optHead(centres).build();
    Loss loss =
        new SimpleCompositeLoss("total")
            .addLoss(CenterLoss.onRingModel(centres, 0.1f))
            .addLoss(new RingLoss(block.getRing()));
    double[] r = train(block, loss);
    assertTrue(Double.isFinite(r[1]), "R " + r[1]);
    try (NDManager m = NDManager.newBaseManager()) {
      RingModelBlock plain = RingModelBlock.of(userEmbedding());
      plain.initialize(m, DataType.FLOAT32, new Shape(8, 5));
      NDList out = plain.forward(new ParameterStore(m, false), new NDList(batch(m)), false);
      assertEquals(
          List.of(RingOutputs.EMBEDDING, RingOutputs.PENALTIES, RingOutputs.NORMS),
          RingOutputs.names(out));
      assertNull(out.get(RingOutputs.LOGITS));
      // Softmax needs logits: the message names what was expected and what there is.
      NamedOutputLoss softmax =
          new NamedOutputLoss(Loss.softmaxCrossEntropyLoss(), RingOutputs.LOGITS);
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class, () -> softmax.evaluate(new NDList(m.create(Y)), out));
      assertTrue(e.getMessage().contains("'logits'"), e.getMessage());
      assertTrue(e.getMessage().contains("[embedding, ring_penalties, feature_norms]"));
    }
  }

  @Test
  void anUnnamedOutputIsReportedByPosition() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDList out = new NDList(m.zeros(new Shape(2)), m.ones(new Shape(2)));
      out.get(1).setName(RingOutputs.NORMS);
      assertEquals(List.of("(unnamed)", RingOutputs.NORMS), RingOutputs.names(out));
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class, () -> RingOutputs.get(out, RingOutputs.PENALTIES));
      assertTrue(e.getMessage().contains("[(unnamed), feature_norms]"), e.getMessage());
      // The guard names a bad output by its name.
      NDList bad = new NDList(m.create(new float[] {1, Float.NaN}));
      bad.get(0).setName(RingOutputs.PENALTIES);
      DivergenceException d =
          assertThrows(DivergenceException.class, () -> new DivergenceGuard(null).check(bad, null));
      assertTrue(d.getMessage().contains("'ring_penalties' contains NaN"), d.getMessage());
    }
  }

  @Test
  void anEmbeddingIsRequired() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> RingModelBlock.builder().build());
    assertTrue(e.getMessage().contains("setEmbedding"), e.getMessage());
  }

  @Test
  void aNullHeadSaysWhatToPassInstead() {
    NullPointerException e =
        assertThrows(NullPointerException.class, () -> RingModelBlock.of(userEmbedding(), null));
    assertTrue(e.getMessage().startsWith("head is null"), e.getMessage());
    assertTrue(e.getMessage().contains("RingModelBlock.of(embedding)"), e.getMessage());
  }

  @Test
  void readingRAfterTheModelClosedSaysSo() {
    RingModelBlock block = RingModelBlock.of(userEmbedding());
    try (Model model = Model.newInstance("closed")) {
      model.setBlock(block);
      block.initialize(model.getNDManager(), DataType.FLOAT32, new Shape(8, 5));
      assertEquals(0.0, block.getRing().getRadius(), 0.0); // the first-batch start's placeholder
    }
    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> block.getRing().getRadius());
    assertTrue(e.getMessage().contains("the Model that owned it was closed"), e.getMessage());
  }
}
