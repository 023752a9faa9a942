package io.github.ringloss4j.head;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.Trainer;
import ai.djl.training.tracker.Tracker;
import ai.djl.util.Pair;
import io.github.ringloss4j.head.PartialFcHeadTest.Data;
import io.github.ringloss4j.head.PartialFcHeadTest.Kind;
import io.github.ringloss4j.loss.RingCompositeLoss;
import io.github.ringloss4j.loss.RingLoss;
import io.github.ringloss4j.loss.SampledLabelsLoss;
import io.github.ringloss4j.nn.RadiusInit;
import io.github.ringloss4j.nn.RingLossBlock;
import io.github.ringloss4j.nn.RingModelBlock;
import io.github.ringloss4j.nn.RingOutputs;
import io.github.ringloss4j.nn.RowSparseBlock;
import io.github.ringloss4j.optim.RingOptimizer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Partial FC's sparse update: the sampled rows of W (and b) and of their momentum take the dense
 * rule's step, the other rows and their momentum stand still, and no dense gradient exists.
 */
class PartialFcSparseUpdateTest {

  private static final int CLASSES = 20;

  /** The feature dimension of PartialFcHeadTest.Data. */
  private static final int DIM = 4;

  private static final float[] Y = {3, 0, 17, 3, 9};

  static PartialFcHead head(Kind kind, double rate, boolean sparse) {
    return PartialFcHead.builder()
        .setHead(kind.factory().apply(CLASSES))
        .optClasses(CLASSES)
        .optSampleRate(rate)
        .optSeed(5)
        .optSparseUpdate(sparse)
        .build();
  }

  static RingOptimizer sgd(Block block, float momentum, float decay) {
    return RingOptimizer.sgdBuilder()
        .setLearningRateTracker(Tracker.fixed(0.5f))
        .optMomentum(momentum)
        .optWeightDecays(decay)
        .build(block);
  }

  static PartialFcHead init(NDManager manager, PartialFcHead head, Data d) {
    head.setInitializer(HeadTestSupport.fixed(d.w()), "weight");
    if (head.getParameters().contains("bias")) {
      head.setInitializer(HeadTestSupport.fixed(d.b()), "bias");
    }
    head.initialize(manager, DataType.FLOAT64, new Shape(d.x().length, DIM));
    return head;
  }

  /**
   * One training step of the head alone, as a trainer takes it: labelled forward, softmax
   * cross-entropy, backward, the optimiser on every parameter the engine differentiated, then on
   * the rows (which {@code update} already did when there was such a parameter).
   *
   * @return ∂L/∂x
   */
  static double[][] step(
      NDManager manager, Block head, RingOptimizer optimizer, double[][] x, float[] y) {
    try (NDManager batch = manager.newSubManager()) {
      NDArray features = batch.create(x);
      features.setRequiresGradient(true);
      try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
        NDList out =
            head.forward(
                new ParameterStore(batch, false),
                new NDList(features),
                new NDList(batch.create(y)),
                null);
        out.get(0).setName(RingOutputs.LOGITS);
        collector.backward(
            SampledLabelsLoss.softmaxCrossEntropy().evaluate(new NDList(batch.create(y)), out));
      }
      double[][] gradX = HeadTestSupport.toMatrix(features.getGradient());
      for (Pair<String, Parameter> p : head.getParameters()) {
        if (p.getValue().requiresGradient()) {
          NDArray a = p.getValue().getArray();
          optimizer.update(p.getValue().getId(), a, a.getGradient());
        }
      }
      optimizer.updateRows();
      return gradX;
    }
  }

  private static double[][] matrix(PartialFcHead head, String name) {
    NDArray a = head.getParameters().get(name).getArray();
    return a.getShape().dimension() == 1
        ? new double[][] {a.toDoubleArray()}
        : HeadTestSupport.toMatrix(a);
  }

  /** The sparse and the dense head, stepped side by side, agree exactly in every value. */
  private static void assertSameTraining(Kind kind, double rate, float momentum, float decay) {
    Data d = Data.random(21, CLASSES, Y);
    try (NDManager manager = NDManager.newBaseManager()) {
      PartialFcHead dense = init(manager, head(kind, rate, false), d);
      PartialFcHead sparse = init(manager, head(kind, rate, true), d);
      RingOptimizer denseOpt = sgd(dense, momentum, decay);
      RingOptimizer sparseOpt = sgd(sparse, momentum, decay);
      double[][] start = matrix(sparse, "weight");
      for (int t = 0; t < 4; t++) {
        double[][] gx = step(manager, dense, denseOpt, d.x(), Y);
        double[][] sx = step(manager, sparse, sparseOpt, d.x(), Y);
        assertArrayEquals(dense.getLastSample(), sparse.getLastSample(), "step " + t);
        PartialFcHeadTest.assertExactly(gx, sx, "∂L/∂x, step " + t);
        for (Pair<String, Parameter> p : dense.getParameters()) {
          PartialFcHeadTest.assertExactly(
              matrix(dense, p.getKey()),
              matrix(sparse, p.getKey()),
              p.getKey() + " after step " + t);
        }
      }
      assertFalse(Arrays.deepEquals(start, matrix(sparse, "weight")), "W moved");
      assertFalse(
          sparse.getParameters().get("weight").getArray().hasGradient(),
          "the engine never differentiates the whole W");
    }
  }

  /**
   * Without momentum or decay the dense update leaves the rows outside S exactly as they are (their
   * gradient is 0), so the two agree on every row, step after step; ∂L/∂x, what the backbone
   * receives, is the same.
   */
  @ParameterizedTest
  @MethodSource("io.github.ringloss4j.head.PartialFcHeadTest#kinds")
  void withoutMomentumOrDecayEqualsTheDenseUpdateExactly(Kind kind) {
    assertSameTraining(kind, 0.25, 0f, 0f);
  }

  /**
   * At r = 1 every row is sampled, and the sparse update is the dense one, momentum and decay on.
   */
  @ParameterizedTest
  @MethodSource("io.github.ringloss4j.head.PartialFcHeadTest#kinds")
  void atRateOneEqualsTheDenseUpdateExactly(Kind kind) {
    assertSameTraining(kind, 1, 0.9f, 5e-3f);
  }

  /**
   * With momentum 0.9 and decay: the rows outside a step's S keep their values bit for bit, and the
   * sampled rows follow a plain-double momentum SGD with decay (DJL's rule, v ← μ·v + η·(g + λ·w),
   * w ← w − v) whose momentum of an unsampled row neither decays nor moves it; the gradient of S
   * comes from a plain head over those rows only.
   */
  @Test
  void withMomentumUnsampledRowsAndTheirMomentumStandStill() {
    Kind kind = PartialFcHeadTest.kinds().toList().get(2);
    float mu = 0.9f;
    float lambda = 1e-2f;
    double lr = 0.5f;
    double rate = 0.2;
    float[] y = {3, 3};
    Data d = Data.random(22, CLASSES, y);
    double[][] w = HeadTestSupport.copy(d.w());
    double[][] v = new double[CLASSES][DIM];
    boolean coasted = false;
    int[] lastSeen = new int[CLASSES];
    Arrays.fill(lastSeen, -1);
    try (NDManager manager = NDManager.newBaseManager()) {
      PartialFcHead head = init(manager, head(kind, rate, true), d);
      RingOptimizer opt = sgd(head, mu, lambda);
      for (int t = 0; t < 8; t++) {
        double[][] before = matrix(head, "weight");
        long[] labels = {3, 3};
        int[] subset = ClassSampler.sample(CLASSES, rate, 5, t, labels);
        float[] remapped = new float[y.length];
        for (int i = 0; i < y.length; i++) {
          remapped[i] = Arrays.binarySearch(subset, (int) y[i]);
        }
        double[][] g =
            PartialFcHeadTest.pass(
                    kind.factory().apply(subset.length),
                    new Data(w, d.b(), d.x(), y).rows(subset),
                    remapped)
                .gradW();
        step(manager, head, opt, d.x(), y);
        assertArrayEquals(subset, head.getLastSample());
        double[][] after = matrix(head, "weight");
        for (int k = 0; k < subset.length; k++) {
          int c = subset[k];
          coasted |= lastSeen[c] >= 0 && lastSeen[c] < t - 1;
          lastSeen[c] = t;
          for (int j = 0; j < DIM; j++) {
            v[c][j] = mu * v[c][j] + lr * (g[k][j] + (double) lambda * w[c][j]);
            w[c][j] -= v[c][j];
          }
          assertArrayEquals(w[c], after[c], 1e-12, "sampled row " + c + " at step " + t);
          assertNotEquals(before[c][0], after[c][0], "row " + c + " moved");
        }
        for (int c = 0; c < CLASSES; c++) {
          if (Arrays.binarySearch(subset, c) < 0) {
            assertArrayEquals(before[c], after[c], 0, "unsampled row " + c + " at step " + t);
          }
        }
      }
    }
    assertTrue(coasted, "some row was left out for a step and sampled again later");
  }

  private static RingModelBlock model(boolean sparse) {
    Kind kind = PartialFcHeadTest.kinds().toList().get(2);
    return RingModelBlock.builder()
        .setEmbedding(Linear.builder().setUnits(DIM).build())
        .optHead(head(kind, 0.2, sparse))
        .optRing(RingLossBlock.builder().optRadiusInit(RadiusInit.constant(1)).build())
        .build();
  }

  private static Trainer trainer(Model model, RingModelBlock block, RingOptimizer optimizer) {
    Trainer trainer =
        model.newTrainer(
            new DefaultTrainingConfig(
                    new RingCompositeLoss(
                        "total",
                        SampledLabelsLoss.softmaxCrossEntropy(),
                        new RingLoss(block.getRing())))
                .optOptimizer(optimizer));
    trainer.initialize(new Shape(Y.length, 6));
    return trainer;
  }

  private static void steps(Trainer trainer, float[] x, int n) {
    NDManager m = trainer.getManager();
    for (int i = 0; i < n; i++) {
      try (NDManager batch = m.newSubManager()) {
        NDList data = new NDList(batch.create(x, new Shape(Y.length, 6)));
        NDList labels = new NDList(batch.create(Y));
        try (GradientCollector c = trainer.newGradientCollector()) {
          c.backward(trainer.getLoss().evaluate(labels, trainer.forward(data, labels)));
        }
        trainer.step();
      }
    }
  }

  private static float[] weights(Block block) {
    float[] out = new float[0];
    for (Parameter p : block.getParameters().values()) {
      float[] a = p.getArray().toFloatArray();
      float[] c = Arrays.copyOf(out, out.length + a.length);
      System.arraycopy(a, 0, c, out.length, a.length);
      out = c;
    }
    return out;
  }

  /**
   * Through a trainer (whose update of the backbone's parameters applies the rows too), saving the
   * model and the optimiser after 3 steps and resuming gives the uninterrupted run's weights.
   */
  @Test
  void resumedTrainingEqualsUninterruptedTraining() throws Exception {
    float[] x = new float[Y.length * 6];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) Math.sin(i * 0.7) * 3;
    }
    Engine.getInstance().setRandomSeed(3);
    float[] straight;
    float[] initial;
    byte[] params;
    byte[] state;
    RingModelBlock a = model(true);
    try (Model model = Model.newInstance("a")) {
      model.setBlock(a);
      RingOptimizer opt = sgd(a, 0.9f, 1e-3f);
      try (Trainer t = trainer(model, a, opt)) {
        initial = weights(a);
        float[] w0 = weights(a.getHead());
        steps(t, x, 3);
        ByteArrayOutputStream pb = new ByteArrayOutputStream();
        a.saveParameters(new DataOutputStream(pb));
        params = pb.toByteArray();
        ByteArrayOutputStream sb = new ByteArrayOutputStream();
        opt.save(new DataOutputStream(sb));
        state = sb.toByteArray();
        steps(t, x, 4);
        straight = weights(a);
        assertFalse(Arrays.equals(w0, weights(a.getHead())), "the trainer's step updated W's rows");
      }
    }
    assertFalse(Arrays.equals(initial, straight));
    RingModelBlock b = model(true);
    try (Model model = Model.newInstance("b")) {
      model.setBlock(b);
      b.loadParameters(model.getNDManager(), new DataInputStream(new ByteArrayInputStream(params)));
      RingOptimizer opt = sgd(b, 0.9f, 1e-3f);
      try (Trainer t = trainer(model, b, opt)) {
        opt.load(model.getNDManager(), new DataInputStream(new ByteArrayInputStream(state)));
        steps(t, x, 4);
        assertArrayEquals(straight, weights(b));
      }
    }
  }

  @Test
  void theMemoryEstimateCountsTheRowsGradient() {
    PartialFcMemory dense = PartialFcMemory.estimate(100_000, 512, 128, 0.1, false, false);
    PartialFcMemory sparse = PartialFcMemory.estimate(100_000, 512, 128, 0.1, false, true);
    assertEquals(204_800_000L, dense.gradientBytes());
    assertEquals(4L * 10_000 * 512, sparse.gradientBytes());
    assertEquals(dense.momentumBytes(), sparse.momentumBytes(), "the momentum stays [C, d]");
    assertTrue(sparse.describe().contains("gradient 19.5 MiB (sampled rows)"), sparse.describe());
    assertEquals(
        4L * 3 * (4 + 1),
        PartialFcMemory.estimate(10, 4, 2, 0.3, true, true).gradientBytes(),
        "W's and b's rows");
  }

  /**
   * Each labelled pass records its rows for the next update; a later pass on the same device
   * without an update in between (an evaluation, say) replaces them, and taking them forgets them.
   */
  @Test
  void aLaterPassOnTheSameDeviceReplacesTheRecordedRows() {
    Kind kind = PartialFcHeadTest.kinds().toList().get(2);
    Data d = Data.random(23, CLASSES, Y);
    try (NDManager manager = NDManager.newBaseManager()) {
      PartialFcHead head = init(manager, head(kind, 0.25, true), d);
      assertTrue(head.isSparseUpdate());
      assertFalse(head.getParameters().get("weight").requiresGradient(), "W is frozen for DJL");
      assertTrue(head.takeRowGradients().isEmpty());
      ParameterStore store = new ParameterStore(manager, false);
      NDList x = new NDList(manager.create(d.x()));
      NDList y = new NDList(manager.create(Y));
      head.forward(store, x, y, null);
      head.forward(store, x, y, null);
      List<RowSparseBlock.RowGradient> rows = head.takeRowGradients();
      assertEquals(1, rows.size());
      assertArrayEquals(
          Arrays.stream(head.getLastSample()).asLongStream().toArray(),
          rows.get(0).rows().toLongArray(),
          "the second pass's rows");
      assertEquals(new Shape(5, DIM), rows.get(0).gathered().getShape());
      assertTrue(head.takeRowGradients().isEmpty(), "taken once");
    }
  }
}
