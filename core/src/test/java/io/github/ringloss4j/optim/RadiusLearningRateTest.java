package io.github.ringloss4j.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.EasyTrain;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.dataset.Batch;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import io.github.ringloss4j.loss.RingCompositeLoss;
import io.github.ringloss4j.nn.RadiusInit;
import io.github.ringloss4j.nn.RingLossBlock;
import io.github.ringloss4j.nn.RingModelBlock;
import io.github.ringloss4j.training.DivergenceGuard;
import io.github.ringloss4j.training.RingStatisticsListener;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RadiusLearningRateTest {

  private static RingModelBlock model(float lambda) {
    return RingModelBlock.builder()
        .setEmbedding(Linear.builder().setUnits(4).build())
        .optHead(Linear.builder().setUnits(3).build())
        .optRing(
            RingLossBlock.builder().optRadiusInit(RadiusInit.constant(1)).optLambda(lambda).build())
        .build();
  }

  /** Trains a few steps from a fixed start and returns R and the embedding's first weight. */
  private static double[] train(RingModelBlock block, Optimizer optimizer) {
    Engine.getInstance().setRandomSeed(11);
    try (Model model = Model.newInstance("r")) {
      model.setBlock(block);
      try (Trainer trainer =
          model.newTrainer(
              new DefaultTrainingConfig(RingCompositeLoss.softmaxPlusRing(block.getRing()))
                  .optOptimizer(optimizer))) {
        trainer.initialize(new Shape(8, 5));
        NDManager m = trainer.getManager();
        float[] x = new float[40];
        for (int i = 0; i < x.length; i++) {
          x[i] = (float) Math.sin(i * 0.9) * 3;
        }
        NDArray xs = m.create(x, new Shape(8, 5));
        NDArray ys = m.create(new float[] {0, 1, 2, 0, 1, 2, 0, 1});
        for (int step = 0; step < 6; step++) {
          try (GradientCollector c = trainer.newGradientCollector()) {
            NDList p = trainer.forward(new NDList(xs), new NDList(ys));
            c.backward(trainer.getLoss().evaluate(new NDList(ys), p));
          }
          trainer.step();
        }
        return new double[] {
          block.getRing().getRadius(),
          block.getEmbedding().getParameters().get(0).getValue().getArray().getFloat(0, 0)
        };
      }
    }
  }

  @ParameterizedTest
  @ValueSource(floats = {0f, 0.9f})
  void stockSgdWithTheRingTrackerMovesRAsTheRingOptimizerDoes(float momentum) {
    RingModelBlock a = model(0.01f);
    double[] stock =
        train(
            a,
            Optimizer.sgd()
                .setLearningRateTracker(RadiusLearningRate.forSgd(a, Tracker.fixed(0.05f)))
                .optMomentum(momentum)
                .build());
    RingModelBlock b = model(0.01f);
    double[] ring =
        train(
            b,
            RingOptimizer.sgdBuilder()
                .setLearningRateTracker(Tracker.fixed(0.05f))
                .optMomentum(momentum)
                .build(b));
    assertTrue(Math.abs(stock[0] - 1) > 1e-3, "R moved: " + stock[0]);
    assertEquals(stock[0], ring[0], 0.0, "R");
    assertEquals(stock[1], ring[1], 0.0, "a network weight");
  }

  @Test
  void stockAdamWithTheRingTrackerMovesRAsTheRingOptimizerDoes() {
    RingModelBlock a = model(0.01f);
    double[] stock =
        train(
            a,
            Optimizer.adam()
                .optLearningRateTracker(RadiusLearningRate.forAdam(a, Tracker.fixed(0.01f)))
                .build());
    RingModelBlock b = model(0.01f);
    double[] ring =
        train(b, RingOptimizer.adamBuilder().setLearningRateTracker(Tracker.fixed(0.01f)).build(b));
    assertEquals(stock[0], ring[0], 0.0, "R");
    assertEquals(stock[1], ring[1], 0.0, "a network weight");
  }

  @Test
  void theMultiplierIsDecidedByTheRingBlockAlone() {
    RingModelBlock block = model(0.01f);
    String r = block.getRing().getRadiusParameter().getId();
    String w = block.getEmbedding().getParameters().get(0).getValue().getId();
    // SGD: 1/λ = 100, exactly, from the λ the user wrote; Adam: 1; other parameters: 1.
    assertEquals(100f, RadiusLearningRate.forSgd(block, Tracker.fixed(1)).multiplier(r));
    assertEquals(1f, RadiusLearningRate.forAdam(block, Tracker.fixed(1)).multiplier(r));
    assertEquals(1f, RadiusLearningRate.forSgd(block, Tracker.fixed(1)).multiplier(w));
    RingModelBlock small = model(0.001f);
    assertEquals(
        1000f,
        RadiusLearningRate.forSgd(small, Tracker.fixed(1))
            .multiplier(small.getRing().getRadiusParameter().getId()));
    // λ = 0: R is trained by no loss; its multiplier is 1.
    RingModelBlock none = model(0f);
    assertEquals(
        1f,
        RadiusLearningRate.forSgd(none, Tracker.fixed(1))
            .multiplier(none.getRing().getRadiusParameter().getId()));
    // A fixed multiplier wins over the automatic choice.
    RingModelBlock fixed =
        RingModelBlock.builder()
            .setEmbedding(Linear.builder().setUnits(2).build())
            .optRing(RingLossBlock.builder().optRadiusLearningRateMultiplier(3).build())
            .build();
    assertEquals(
        3f,
        RadiusLearningRate.forSgd(fixed, Tracker.fixed(1))
            .multiplier(fixed.getRing().getRadiusParameter().getId()));
  }

  @Test
  void wrappingTwiceDoesNotApplyTheMultiplierTwice() {
    RingModelBlock block = model(0.1f);
    String r = block.getRing().getRadiusParameter().getId();
    RadiusLearningRate once = RadiusLearningRate.forSgd(block, Tracker.fixed(0.5f));
    RadiusLearningRate twice = RadiusLearningRate.forSgd(block, once);
    assertSame(once.getBase(), twice.getBase());
    assertEquals(once.getNewValue(r, 1), twice.getNewValue(r, 1));
    assertEquals(5f, twice.getNewValue(r, 1), 1e-6f); // 0.5 · 1/0.1
  }

  @Test
  void aModelWithoutARingIsRefusedNamingIt() {
    Linear ringless = Linear.builder().setUnits(3).build();
    for (IllegalArgumentException e :
        List.of(
            assertThrows(
                IllegalArgumentException.class,
                () -> RadiusLearningRate.forSgd(ringless, Tracker.fixed(1))),
            assertThrows(
                IllegalArgumentException.class,
                () -> RadiusLearningRate.forAdam(ringless, Tracker.fixed(1))),
            assertThrows(
                IllegalArgumentException.class,
                () -> RadiusLearningRate.of(ringless, Tracker.fixed(1), false)))) {
      assertTrue(
          e.getMessage().contains("a model without a RingLossBlock, Linear"), e.getMessage());
      assertTrue(e.getMessage().contains("no ring radius R"), e.getMessage());
    }
    // RingOptimizer also serves models without a ring (their learned scalars, their decay).
    RingOptimizer.sgdBuilder().build(ringless);
  }

  /** Trains three steps with both listeners, returning what they logged to standard error. */
  private static String logOfTraining(RingModelBlock block, Optimizer optimizer) {
    PrintStream old = System.err;
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    try (Model model = Model.newInstance("warn")) {
      model.setBlock(block);
      try (Trainer trainer =
          model.newTrainer(
              new DefaultTrainingConfig(RingCompositeLoss.softmaxPlusRing(block.getRing()))
                  .optOptimizer(optimizer)
                  .addTrainingListeners(
                      new RingStatisticsListener(block.getRing()),
                      new DivergenceGuard(block.getRing())))) {
        trainer.initialize(new Shape(8, 5));
        NDManager m = trainer.getManager();
        NDArray xs = m.randomUniform(-3, 3, new Shape(8, 5));
        NDArray ys = m.create(new float[] {0, 1, 2, 0, 1, 2, 0, 1});
        for (int step = 0; step < 4; step++) {
          EasyTrain.trainBatch(
              trainer, new Batch(m, new NDList(xs), new NDList(ys), 8, null, null, 0, 1));
          trainer.step();
        }
        trainer.notifyListeners(l -> l.onEpoch(trainer));
      }
    } finally {
      System.setErr(old);
    }
    return err.toString(StandardCharsets.UTF_8);
  }

  private static int count(String text, String what) {
    return text.split(java.util.regex.Pattern.quote(what), -1).length - 1;
  }

  @Test
  void stockSgdWithThePlainRateLogsOneWarningSayingHowToSetRsRate() {
    String plain = "plain learning rate";
    RingModelBlock a = model(0.01f);
    String log =
        logOfTraining(a, Optimizer.sgd().setLearningRateTracker(Tracker.fixed(0.05f)).build());
    assertEquals(1, count(log, plain), log);
    assertTrue(log.contains("asks for 100 times the others' rate with SGD"), log);
    assertTrue(log.contains("RadiusLearningRate.forSgd(model, tracker)"), log);
    assertTrue(log.contains("RingOptimizer"), log);
    // The same model trained again is not warned about twice.
    assertTrue(RadiusLearningRate.warnIfPlainRate(a).isEmpty());

    RingModelBlock b = model(0.01f);
    assertEquals(
        0,
        count(
            logOfTraining(
                b,
                Optimizer.sgd()
                    .setLearningRateTracker(RadiusLearningRate.forSgd(b, Tracker.fixed(0.05f)))
                    .build()),
            plain));
    RingModelBlock c = model(0.01f);
    assertEquals(
        0,
        count(
            logOfTraining(
                c,
                RingOptimizer.sgdBuilder().setLearningRateTracker(Tracker.fixed(0.05f)).build(c)),
            plain));
    // λ = 0: no loss trains R, so its rate does not matter.
    RingModelBlock d = model(0f);
    assertEquals(
        0,
        count(
            logOfTraining(d, Optimizer.sgd().setLearningRateTracker(Tracker.fixed(0.05f)).build()),
            plain));
  }
}
