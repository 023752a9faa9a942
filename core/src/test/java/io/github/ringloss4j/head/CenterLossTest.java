package io.github.ringloss4j.head;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.Trainer;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.training.loss.SimpleCompositeLoss;
import ai.djl.training.tracker.Tracker;
import io.github.ringloss4j.loss.RingCompositeLoss;
import io.github.ringloss4j.nn.RadiusInit;
import io.github.ringloss4j.nn.RingLossBlock;
import io.github.ringloss4j.nn.RingModelBlock;
import io.github.ringloss4j.nn.RingOutputs;
import io.github.ringloss4j.optim.RingOptimizer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class CenterLossTest {

  /**
   * Centres c0 = (1, 1), c1 = (−2, 0), c2 = (5, 5); batch x = (3, 1), (1, 5), (0, 2), y = 0, 0, 1.
   */
  static final double[][] C = {{1, 1}, {-2, 0}, {5, 5}};

  static final double[][] X = {{3, 1}, {1, 5}, {0, 2}};
  static final float[] Y = {0, 0, 1};

  /**
   * After one update with α = 0.5:
   *
   * <pre>
   *   class 0, n = 2: Δc0 = ((1 − 3, 1 − 1) + (1 − 1, 1 − 5))/(1 + 2) = (−2/3, −4/3)
   *                   c0 − 0.5·Δc0 = (1 + 1/3, 1 + 2/3) = (4/3, 5/3)
   *   class 1, n = 1: Δc1 = (−2 − 0, 0 − 2)/(1 + 1) = (−1, −1);  c1 − 0.5·Δc1 = (−1.5, 0.5)
   *   class 2, n = 0: unchanged (5, 5)
   * </pre>
   */
  static final double[][] C_NEXT = {{4.0 / 3, 5.0 / 3}, {-1.5, 0.5}, {5, 5}};

  static Stream<DataType> types() {
    return Stream.of(DataType.FLOAT32, DataType.FLOAT64);
  }

  static CenterLossBlock block(NDManager manager, DataType type, double[][] centres) {
    CenterLossBlock block = CenterLossBlock.builder().setClasses(3).build();
    block.initialize(manager, type, new Shape(3, 2));
    if (centres != null) {
      block.getCenters().set(new NDIndex(":"), manager.create(centres).toType(type, false));
    }
    return block;
  }

  static NDList trainForward(NDManager manager, CenterLossBlock block, DataType type) {
    return block.forward(
        new ParameterStore(manager, false),
        new NDList(manager.create(X).toType(type, false)),
        new NDList(manager.create(Y)),
        null);
  }

  static double centerLoss(NDManager manager, CenterLoss loss, DataType type) {
    // The loss finds the features by the name RingModelBlock gives them, wherever they stand.
    NDList predictions = new NDList();
    predictions.add(manager.zeros(new Shape(1)));
    NDArray features = manager.create(X).toType(type, false);
    features.setName(RingOutputs.EMBEDDING);
    predictions.add(features);
    return loss.evaluate(new NDList(manager.create(Y)), predictions)
        .toType(DataType.FLOAT64, false)
        .getDouble();
  }

  static void assertCentres(double[][] expected, CenterLossBlock block, double tol) {
    HeadTestSupport.assertMatrix(expected, block.getCenters(), tol, "centres");
  }

  @ParameterizedTest
  @MethodSource("types")
  void handExampleUpdateAndLoss(DataType type) {
    double tol = HeadTestSupport.tolerance(type);
    try (NDManager manager = NDManager.newBaseManager()) {
      CenterLossBlock block = block(manager, type, C);
      CenterLoss loss = CenterLoss.onRingModel(block, 0.1f);
      // L_c = λ·½·mean‖x_i − c_{y_i}‖² with c^t:
      //   x0 − c0 = (2, 0): ½·4 = 2;  x1 − c0 = (0, 4): ½·16 = 8;  x2 − c1 = (2, 2): ½·8 = 4
      //   0.1·(2 + 8 + 4)/3 = 0.1·14/3 = 0.4666667
      double before = 0.1 * 14 / 3;
      assertEquals(before, centerLoss(manager, loss, type), 1e-6);

      // Forward t: the logits come from the inner head, c^{t+1} is computed and kept pending, and
      // the loss of iteration t still sees c^t (Algorithm 1).
      NDList out = trainForward(manager, block, type);
      assertEquals(new Shape(3, 3), out.singletonOrThrow().getShape());
      assertTrue(block.hasPendingUpdate());
      assertCentres(C, block, 0);
      assertEquals(before, centerLoss(manager, loss, type), 1e-6);

      // Forward t + 1 installs c^{t+1} before anything else.
      trainForward(manager, block, type);
      assertCentres(C_NEXT, block, tol);
      // With c^{t+1}: x0 − c0 = (5/3, −2/3): ½·29/9 = 29/18;  x1 − c0 = (−1/3, 10/3): ½·101/9 =
      // 101/18;  x2 − c1 = (1.5, 1.5): ½·4.5 = 40.5/18.  0.1·(170.5/18)/3 = 0.3157407
      assertEquals(0.1 * 170.5 / 18 / 3, centerLoss(manager, loss, type), 1e-6);

      // The per-sample terms, before λ and the mean.
      double[] d =
          block
              .distances(manager.create(X).toType(type, false), manager.create(Y))
              .toType(DataType.FLOAT64, false)
              .toDoubleArray();
      assertEquals(29.0 / 18, d[0], tol * 10);
      assertEquals(101.0 / 18, d[1], tol * 10);
      assertEquals(2.25, d[2], tol * 10);
    }
  }

  @Test
  void applyPendingUpdateMatchesTheRuleWithAlpha() {
    try (NDManager manager = NDManager.newBaseManager()) {
      CenterLossBlock block = CenterLossBlock.builder().setClasses(3).optAlpha(0.2).build();
      block.initialize(manager, DataType.FLOAT64, new Shape(3, 2));
      block.getCenters().set(new NDIndex(":"), manager.create(C));
      trainForward(manager, block, DataType.FLOAT64);
      block.applyPendingUpdate();
      assertFalse(block.hasPendingUpdate());
      // c − 0.2·Δc: c0 = (1 + 0.2·2/3, 1 + 0.2·4/3), c1 = (−2 + 0.2, 0 + 0.2), c2 unchanged.
      double[][] expected = {{1 + 0.4 / 3, 1 + 0.8 / 3}, {-1.8, 0.2}, {5, 5}};
      assertCentres(expected, block, 1e-12);
    }
  }

  @Test
  void inferenceNeverMovesTheCentres() {
    try (NDManager manager = NDManager.newBaseManager()) {
      CenterLossBlock block = block(manager, DataType.FLOAT64, C);
      for (boolean training : new boolean[] {false, true}) {
        block.forward(new ParameterStore(manager, false), new NDList(manager.create(X)), training);
        assertFalse(block.hasPendingUpdate());
        assertCentres(C, block, 0);
      }
    }
  }

  @Test
  void gradientReachesTheFeaturesOnlyAndIsTheAnalyticOne() {
    try (NDManager manager = NDManager.newBaseManager()) {
      CenterLossBlock block = block(manager, DataType.FLOAT64, C);
      NDArray x = manager.create(X);
      x.setRequiresGradient(true);
      try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
        NDArray value = block.distances(x, manager.create(Y)).mean().mul(0.1);
        collector.backward(value);
      }
      // ∂/∂x_i = (λ/m)·(x_i − c_{y_i}) = (0.1/3)·((2, 0), (0, 4), (2, 2))
      double[][] expected = {{0.2 / 3, 0}, {0, 0.4 / 3}, {0.2 / 3, 0.2 / 3}};
      HeadTestSupport.assertMatrix(expected, x.getGradient(), 1e-12, "∂L/∂x");
      assertFalse(block.getCentersParameter().requiresGradient());
      assertFalse(block.getCenters().hasGradient(), "the centres array requires no gradient");
    }
  }

  @Test
  void theTrainerAndOptimiserNeverTouchTheCentres() {
    CenterLossBlock head = CenterLossBlock.builder().setClasses(3).build();
    RingModelBlock block =
        RingModelBlock.builder()
            .setEmbedding(Linear.builder().setUnits(2).build())
            .optHead(head)
            .optRing(RingLossBlock.builder().optRadiusInit(RadiusInit.constant(1)).build())
            .build();
    SimpleCompositeLoss loss =
        new SimpleCompositeLoss("total")
            .addLoss(RingCompositeLoss.softmaxPlusRing(block.getRing()))
            .addLoss(CenterLoss.onRingModel(head, 0.1f));
    // A large weight decay: had the optimiser touched the centres, they would shrink by 5 % a step.
    RingOptimizer optimizer =
        RingOptimizer.sgdBuilder()
            .optMomentum(0f)
            .setLearningRateTracker(Tracker.fixed(0.1f))
            .optWeightDecays(0.5f)
            .build(block);
    DefaultTrainingConfig config =
        new DefaultTrainingConfig(loss)
            .optOptimizer(optimizer)
            // A global initializer for every parameter must not replace the centres' zeros.
            .optInitializer(new NormalInitializer(1f), p -> true);
    try (Model model = Model.newInstance("center");
        Trainer trainer = newTrainer(model, block, config)) {
      NDManager manager = trainer.getManager();
      NDArray x = manager.randomNormal(new Shape(6, 4)).mul(2);
      NDArray y = manager.create(new float[] {0, 1, 0, 2, 0, 1});
      Parameter centers = head.getCentersParameter();
      assertEquals(Parameter.Type.OTHER, centers.getType());
      assertFalse(centers.requiresGradient());
      assertCentres(new double[3][2], head, 0);

      double[][] f1 = step(trainer, x, y);
      // Step 1 used c^0 = 0 and left c^1 pending: the optimiser step did not change c^0.
      assertCentres(new double[3][2], head, 0);
      assertTrue(head.hasPendingUpdate());
      // c^1 = 0 − 0.5·(0·n_j − Σx_i)/(1 + n_j) = 0.5·Σ_{i: y_i = j} x_i/(1 + n_j)
      double[][] c1 = new double[3][2];
      int[] n = new int[3];
      for (float label : y.toFloatArray()) {
        n[(int) label]++;
      }
      float[] labels = y.toFloatArray();
      for (int i = 0; i < labels.length; i++) {
        for (int j = 0; j < 2; j++) {
          c1[(int) labels[i]][j] += 0.5 * f1[i][j] / (1 + n[(int) labels[i]]);
        }
      }
      step(trainer, x, y);
      // Step 2 installed c^1 in its forward; its optimiser step left it exactly so.
      assertCentres(c1, head, 1e-6);
      assertFalse(centers.getArray().hasGradient(), "the centres array requires no gradient");
    }
  }

  private static Trainer newTrainer(
      Model model, RingModelBlock block, DefaultTrainingConfig config) {
    model.setBlock(block);
    Trainer trainer = model.newTrainer(config);
    trainer.initialize(new Shape(6, 4));
    return trainer;
  }

  /** One training step; returns the embedding the forward produced. */
  private static double[][] step(Trainer trainer, NDArray x, NDArray y) {
    double[][] features;
    try (GradientCollector collector = trainer.newGradientCollector()) {
      NDList predictions = trainer.forward(new NDList(x), new NDList(y));
      features = HeadTestSupport.toMatrix(RingOutputs.get(predictions, RingOutputs.EMBEDDING));
      collector.backward(trainer.getLoss().evaluate(new NDList(y), predictions));
    }
    trainer.step();
    return features;
  }

  @Test
  void savingInstallsThePendingUpdateAndLoadingDropsOne()
      throws IOException, MalformedModelException {
    try (NDManager manager = NDManager.newBaseManager()) {
      CenterLossBlock block = block(manager, DataType.FLOAT64, C);
      trainForward(manager, block, DataType.FLOAT64);
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      block.saveParameters(new DataOutputStream(bytes));
      assertFalse(block.hasPendingUpdate());
      assertCentres(C_NEXT, block, 1e-12);

      CenterLossBlock loaded = block(manager, DataType.FLOAT64, C);
      trainForward(manager, loaded, DataType.FLOAT64);
      assertTrue(loaded.hasPendingUpdate());
      loaded.loadParameters(
          manager, new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
      assertFalse(loaded.hasPendingUpdate(), "a pending update of the old centres is dropped");
      assertCentres(C_NEXT, loaded, 1e-12);
      assertFalse(loaded.getCentersParameter().requiresGradient());

      CenterLossBlock wrong = CenterLossBlock.builder().setClasses(4).build();
      assertThrows(
          MalformedModelException.class,
          () ->
              wrong.loadParameters(
                  manager, new DataInputStream(new ByteArrayInputStream(bytes.toByteArray()))));
    }
  }

  @Test
  void validation() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> CenterLossBlock.builder().setClasses(3).optAlpha(1.5).build());
    assertTrue(e.getMessage().contains("alpha") && e.getMessage().contains("1.5"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> CenterLossBlock.builder().build());
    CenterLossBlock block = CenterLossBlock.builder().setClasses(3).build();
    assertEquals(0.5, block.getAlpha());
    e = assertThrows(IllegalArgumentException.class, () -> CenterLoss.onRingModel(block, -1f));
    assertTrue(e.getMessage().contains("lambda") && e.getMessage().contains("-1"), e.getMessage());
    assertThrows(IllegalStateException.class, block::getCenters);
    try (NDManager manager = NDManager.newBaseManager()) {
      CenterLossBlock ready = block(manager, DataType.FLOAT32, null);
      CenterLoss loss = new CenterLoss("center", ready, 1f, "features5");
      e =
          assertThrows(
              IllegalArgumentException.class,
              () -> loss.evaluate(new NDList(manager.create(Y)), new NDList(manager.create(X))));
      assertTrue(e.getMessage().contains("'features5'"), e.getMessage());
      e =
          assertThrows(
              IllegalArgumentException.class,
              () -> ready.distances(manager.ones(new Shape(3, 5)), manager.create(Y)));
      assertTrue(e.getMessage().contains("dimension 2"), e.getMessage());
    }
  }
}
