package io.github.ringloss4j.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.training.loss.Loss;
import ai.djl.training.tracker.Tracker;
import io.github.ringloss4j.internal.Norms;
import io.github.ringloss4j.loss.RingCompositeLoss;
import io.github.ringloss4j.loss.RingLoss;
import io.github.ringloss4j.optim.RingOptimizer;
import io.github.ringloss4j.penalty.CauchyPenalty;
import io.github.ringloss4j.penalty.GemanMcClurePenalty;
import io.github.ringloss4j.penalty.HuberPenalty;
import io.github.ringloss4j.penalty.Penalty;
import io.github.ringloss4j.penalty.PenaltyReferences;
import io.github.ringloss4j.penalty.SquaredPenalty;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.util.List;
import org.junit.jupiter.api.Test;

class RingLossBlockTest {

  private static RingOptimizer sgd(RingModelBlock block, float lr, float wd) {
    return RingOptimizer.sgdBuilder()
        .optMomentum(0f)
        .setLearningRateTracker(Tracker.fixed(lr))
        .optWeightDecays(wd)
        .build(block);
  }

  private static RingLossBlock ring(double r) {
    return RingLossBlock.builder().optRadiusInit(RadiusInit.constant(r)).build();
  }

  @Test
  void globalInitializersDoNotOverwriteR() {
    // Both DJL ways of setting a global initializer: by type and by a match-everything predicate.
    DefaultTrainingConfig typed =
        new DefaultTrainingConfig(RingCompositeLoss.softmaxPlusRing(ring(7.25)))
            .optInitializer(new NormalInitializer(5f), Parameter.Type.WEIGHT);
    DefaultTrainingConfig everything =
        new DefaultTrainingConfig(RingCompositeLoss.softmaxPlusRing(ring(7.25)))
            .optInitializer(new NormalInitializer(5f), p -> true);
    for (DefaultTrainingConfig config : new DefaultTrainingConfig[] {typed, everything}) {
      RingLossBlock ring = ring(7.25);
      try (RingTrainingFixture f = new RingTrainingFixture(ring, null, null, 5, config)) {
        assertEquals(7.25, f.block.getRing().getRadius(), 0.0);
      }
    }
  }

  @Test
  void rIsTrainedByTheTrainerAndAFrozenRNeverMoves() {
    for (boolean trainable : new boolean[] {true, false}) {
      RingLossBlock ring =
          RingLossBlock.builder()
              .optRadiusInit(RadiusInit.constant(0.1))
              .optTrainable(trainable)
              .optLambda(1f)
              .build();
      try (RingTrainingFixture f =
          new RingTrainingFixture(ring, RingCompositeLoss.softmaxPlusRing(ring), null, 5)) {
        NDManager m = f.trainer.getManager();
        NDArray x = m.randomNormal(new Shape(8, 5)).mul(3);
        NDArray y = m.create(new float[] {0, 1, 2, 0, 1, 2, 0, 1});
        for (int i = 0; i < 5; i++) {
          f.step(x, y);
        }
        double r = ring.getRadius();
        if (trainable) {
          assertTrue(r > 0.1 + 1e-3, "a learned R moves toward the norms, got " + r);
        } else {
          assertEquals(0.1, r, 1e-7, "a frozen R never moves");
          assertFalse(ring.getRadiusParameter().requiresGradient());
        }
      }
    }
  }

  @Test
  void weightDecayLeavesRAloneUnlessAsked() {
    for (boolean decay : new boolean[] {false, true}) {
      RingLossBlock ring =
          RingLossBlock.builder()
              .optRadiusInit(RadiusInit.constant(4))
              .optRadiusWeightDecay(decay)
              .optLambda(0f)
              .build();
      // λ = 0: R's only force is the weight decay.
      RingCompositeLoss loss = new RingCompositeLoss(Loss.softmaxCrossEntropyLoss(), ring);
      RingModelBlock block =
          RingModelBlock.builder()
              .setEmbedding(ai.djl.nn.core.Linear.builder().setUnits(4).build())
              .optHead(ai.djl.nn.core.Linear.builder().setUnits(3).build())
              .optRing(ring)
              .build();
      try (RingTrainingFixture f =
          new RingTrainingFixture(block, loss, sgd(block, 0.1f, 0.5f), 5)) {
        NDManager m = f.trainer.getManager();
        NDArray x = m.randomNormal(new Shape(8, 5));
        NDArray y = m.create(new float[] {0, 1, 2, 0, 1, 2, 0, 1});
        for (int i = 0; i < 3; i++) {
          f.step(x, y);
        }
        // decayed: R ← R − lr·wd·R three times: 4·(1 − 0.1·0.5)³ = 4·0.95³ = 3.4295
        double expected = decay ? 4 * Math.pow(0.95, 3) : 4;
        assertEquals(expected, ring.getRadius(), 1e-5);
      }
    }
  }

  @Test
  void radiusLearningRateMultiplierScalesRsStep() {
    double[] moves = new double[2];
    double[] multipliers = {1, 10};
    for (int k = 0; k < 2; k++) {
      RingLossBlock ring =
          RingLossBlock.builder()
              .optRadiusInit(RadiusInit.constant(1))
              .optRadiusLearningRateMultiplier(multipliers[k])
              .optLambda(1f)
              .build();
      try (Model model = Model.newInstance("mult")) {
        model.setBlock(ring);
        RingOptimizer opt =
            RingOptimizer.sgdBuilder()
                .optMomentum(0f)
                .setLearningRateTracker(Tracker.fixed(0.01f))
                .build(ring);
        try (ai.djl.training.Trainer trainer =
            model.newTrainer(new DefaultTrainingConfig(new RingLoss(ring)).optOptimizer(opt))) {
          trainer.initialize(new Shape(2, 2));
          // norms 5 and 5, R = 1: ∂L/∂R = −mean(e) = −4; one step moves R by lr·mult·4
          NDArray f = trainer.getManager().create(new float[][] {{3, 4}, {4, 3}});
          try (ai.djl.training.GradientCollector c = trainer.newGradientCollector()) {
            c.backward(trainer.getLoss().evaluate(null, trainer.forward(new NDList(f))));
          }
          trainer.step();
          moves[k] = ring.getRadius() - 1;
        }
      }
    }
    assertEquals(0.04, moves[0], 1e-6);
    assertEquals(0.4, moves[1], 1e-5);
  }

  @Test
  void rAndItsFirstBatchFlagSurviveSaveAndLoad() throws Exception {
    try (NDManager manager = NDManager.newBaseManager()) {
      RingLossBlock ring = RingLossBlock.builder().build();
      ring.initialize(manager, DataType.FLOAT32, new Shape(2, 2));
      ring.forward(
          new ParameterStore(manager, false),
          new NDList(manager.create(new float[][] {{6, 8}, {0, 4}})),
          true);
      assertEquals(7.0, ring.getRadius(), 1e-6); // (10 + 4)/2
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      ring.saveParameters(new DataOutputStream(bytes));

      RingLossBlock loaded = RingLossBlock.builder().build();
      loaded.loadParameters(
          manager, new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
      assertEquals(7.0, loaded.getRadius(), 1e-6);
      assertFalse(loaded.isAwaitingFirstBatch(), "a reloaded R must not be re-initialised");
      loaded.forward(
          new ParameterStore(manager, false),
          new NDList(manager.create(new float[][] {{30, 40}})),
          true);
      assertEquals(7.0, loaded.getRadius(), 1e-6);
    }
  }

  @Test
  void perSamplePenaltiesAverageToTheBatchValueInTrainingAndInference() {
    float lambda = 0.3f;
    RingLossBlock ring =
        RingLossBlock.builder()
            .optPenalty(new HuberPenalty(1))
            .optRadiusInit(RadiusInit.constant(2))
            .optLambda(lambda)
            .build();
    try (RingTrainingFixture f =
        new RingTrainingFixture(ring, RingCompositeLoss.softmaxPlusRing(ring), null, 5)) {
      NDManager m = f.trainer.getManager();
      NDArray x = m.randomNormal(new Shape(8, 5)).mul(2);
      RingLoss ringLoss = new RingLoss(ring);
      for (boolean training : new boolean[] {true, false}) {
        NDList out = f.block.forward(new ParameterStore(m, false), new NDList(x), training);
        float[] perSample = RingOutputs.get(out, RingOutputs.PENALTIES).toFloatArray();
        float[] norms = RingOutputs.get(out, RingOutputs.NORMS).toFloatArray();
        assertEquals(8, perSample.length);
        double sum = 0;
        for (int i = 0; i < perSample.length; i++) {
          assertEquals(
              PenaltyReferences.value(new HuberPenalty(1), norms[i] - 2.0), perSample[i], 1e-5);
          sum += perSample[i];
        }
        assertEquals(lambda * sum / 8, ringLoss.evaluate(null, out).getFloat(), 1e-6);
      }
    }
  }

  @Test
  void lossAndGradientsAreFiniteAtExtremeNorms() {
    Penalty[] all = {
      SquaredPenalty.INSTANCE,
      new HuberPenalty(1),
      new CauchyPenalty(2.3849),
      new GemanMcClurePenalty(1),
      new io.github.ringloss4j.penalty.BarronPenalty(0.5, 1),
      new io.github.ringloss4j.penalty.KerasHuberPenalty(1)
    };
    for (Penalty p : all) {
      for (double norm : new double[] {0, 1e-30, 1e30}) {
        // a row of the given norm, and an ordinary row
        double[][] f = {{0.6 * norm, 0, -0.8 * norm}, {1, 2, 2}};
        RingTestSupport.Evaluation e = RingTestSupport.evaluate(p, 1.0, 0.01, f);
        assertTrue(Double.isFinite(e.loss()), p + " loss at ||f|| = " + norm);
        assertTrue(Double.isFinite(e.gradR()), p + " dL/dR at ||f|| = " + norm);
        for (double[] row : e.gradF()) {
          for (double g : row) {
            assertTrue(Double.isFinite(g), p + " dL/df at ||f|| = " + norm);
          }
        }
      }
    }
  }

  @Test
  void float32NormsAreFiniteAtBothEnds() {
    try (NDManager manager = NDManager.newBaseManager()) {
      NDArray f =
          manager.create(new float[][] {{0, 0, 0}, {6e-31f, 0, -8e-31f}, {6e29f, 0, -8e29f}});
      f.setRequiresGradient(true);
      try (ai.djl.training.GradientCollector c =
          ai.djl.engine.Engine.getInstance().newGradientCollector()) {
        NDArray n = Norms.rowNorms(f);
        c.backward(n.sum());
        float[] norms = n.toFloatArray();
        assertEquals(1e-30, norms[1], 1e-36);
        assertEquals(1e30, norms[2], 1e24);
        for (float g : f.getGradient().toFloatArray()) {
          assertTrue(Float.isFinite(g));
        }
        // ∂‖f‖/∂f = f/‖f‖: (0.6, 0, −0.8) for both non-zero rows, 0 for the zero row
        assertEquals(0.6f, f.getGradient().getFloat(1, 0), 1e-6);
        assertEquals(-0.8f, f.getGradient().getFloat(2, 2), 1e-6);
        assertEquals(0f, f.getGradient().getFloat(0, 0));
      }
    }
  }

  @Test
  void rejectsBadOptions() {
    assertThrows(
        IllegalArgumentException.class,
        () -> RingLossBlock.builder().optRadiusLearningRateMultiplier(0).build());
    assertThrows(IllegalArgumentException.class, () -> RadiusInit.constant(-1));
    assertThrows(
        IllegalArgumentException.class, () -> RingLossBlock.builder().optLambda(-0.1f).build());
    assertThrows(
        IllegalArgumentException.class,
        () -> RingLossBlock.builder().optLambda(Float.POSITIVE_INFINITY).build());
  }

  @Test
  void withLambdaZeroRIsNeitherStartedNorReported() {
    try (NDManager manager = NDManager.newBaseManager()) {
      RingLossBlock ring = RingLossBlock.builder().optLambda(0f).build();
      ring.initialize(manager, DataType.FLOAT32, new Shape(2, 2));
      NDList out =
          ring.forward(
              new ParameterStore(manager, false),
              new NDList(manager.create(new float[][] {{6, 8}, {0, 4}})),
              true);
      // The norms are still measured: (10, 4).
      assertEquals(10f, RingOutputs.get(out, RingOutputs.NORMS).getFloat(0), 1e-6f);
      assertEquals(0.0, ring.getRadius(), 0.0, "R stays at its unused start");
      io.github.ringloss4j.training.RingStatisticsListener stats =
          new io.github.ringloss4j.training.RingStatisticsListener(ring);
      stats.onEpoch(null);
      assertTrue(Double.isNaN(stats.history().get(0).radius()));
    }
  }

  @Test
  void aBatchSplitOverTwoDevicesStartsROnceFromTheWholeBatch() throws Exception {
    // The harness of data-parallel training: the two halves of the first batch go through the
    // ring on two threads at once, as on two devices; R must start at the whole batch's mean.
    double[][] f = new double[16][3];
    double sum = 0;
    for (int i = 0; i < f.length; i++) {
      f[i][0] = 1 + i; // row norms 1..16 in the first half and second half differ a lot
      sum += 1 + i;
    }
    double wholeMean = sum / f.length; // (1 + … + 16)/16 = 8.5
    for (int trial = 0; trial < 10; trial++) {
      try (NDManager manager = NDManager.newBaseManager()) {
        RingLossBlock ring = RingLossBlock.builder().build();
        ring.initialize(manager, DataType.FLOAT64, new Shape(8, 3));
        ring.setSplitsPerBatch(2);
        ParameterStore store = new ParameterStore(manager, false);
        NDArray all = manager.create(f);
        NDArray[] halves = {all.get("0:8"), all.get("8:16")};
        java.util.concurrent.CyclicBarrier together = new java.util.concurrent.CyclicBarrier(2);
        java.util.concurrent.ExecutorService pool =
            java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
          List<java.util.concurrent.Future<double[]>> penalties = new java.util.ArrayList<>();
          for (NDArray half : halves) {
            penalties.add(
                pool.submit(
                    () -> {
                      together.await();
                      NDList out = ring.forward(store, new NDList(half), true);
                      return RingOutputs.get(out, RingOutputs.PENALTIES).toDoubleArray();
                    }));
          }
          double[] first = penalties.get(0).get();
          // Each split's first penalties are against its own mean (4.5 for norms 1..8): ½(1 − 4.5)²
          assertEquals(0.5 * 3.5 * 3.5, first[0], 1e-12);
          penalties.get(1).get();
        } finally {
          pool.shutdown();
        }
        assertEquals(wholeMean, ring.getRadius(), 1e-12, "trial " + trial);
        assertFalse(ring.isAwaitingFirstBatch());
        // The next batch reads the started R.
        NDList next = ring.forward(store, new NDList(halves[0]), true);
        assertEquals(
            0.5 * 7.5 * 7.5, RingOutputs.get(next, RingOutputs.PENALTIES).getDouble(0), 1e-12);
      }
    }
  }
}
