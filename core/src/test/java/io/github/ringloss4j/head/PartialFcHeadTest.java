package io.github.ringloss4j.head;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.MalformedModelException;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.core.Linear;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import io.github.ringloss4j.loss.SampledLabelsLoss;
import io.github.ringloss4j.nn.RingOutputs;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.Random;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class PartialFcHeadTest {

  private static final int CLASSES = 7;
  private static final int DIM = 4;

  /** A head family: a fresh plain head of some number of classes. */
  record Kind(String name, java.util.function.IntFunction<Block> factory, boolean bias) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Kind> kinds() {
    return Stream.of(
        new Kind("softmax", c -> Linear.builder().setUnits(c).build(), true),
        new Kind(
            "cosface",
            c -> CosFaceHead.builder().setClasses(c).optScale(8).optMargin(0.35).build(),
            false),
        new Kind(
            "arcface",
            c -> ArcFaceHead.builder().setClasses(c).optScale(8).optMargin(0.5).build(),
            false),
        new Kind(
            "normface learned s",
            c -> NormFaceHead.builder().setClasses(c).optScale(5).optLearnScale(true).build(),
            false));
  }

  static PartialFcHead sampled(Kind kind, int classes, double rate, long seed) {
    return PartialFcHead.builder()
        .setHead(kind.factory().apply(classes))
        .optClasses(classes)
        .optSampleRate(rate)
        .optSeed(seed)
        .build();
  }

  /** Random float64 data: W [C, d], b [C], x [m, d], labels. */
  record Data(double[][] w, double[] b, double[][] x, float[] y) {
    static Data random(long seed, int classes, float[] y) {
      Random r = new Random(seed);
      double[][] w = new double[classes][DIM];
      double[] b = new double[classes];
      double[][] x = new double[y.length][DIM];
      for (double[] row : w) {
        Arrays.setAll(row, i -> r.nextGaussian());
      }
      Arrays.setAll(b, i -> r.nextGaussian());
      for (double[] row : x) {
        Arrays.setAll(row, i -> r.nextGaussian());
      }
      return new Data(w, b, x, y);
    }

    /** The rows of W and b in a subset, for a plain head over those classes only. */
    Data rows(int[] subset) {
      double[][] ws = new double[subset.length][];
      double[] bs = new double[subset.length];
      for (int k = 0; k < subset.length; k++) {
        ws[k] = w[subset[k]];
        bs[k] = b[subset[k]];
      }
      return new Data(ws, bs, x, y);
    }
  }

  /** One labelled forward and backward in float64: what the equality tests compare. */
  record Pass(
      double[][] logits,
      float[] lossLabels,
      double loss,
      double[][] gradX,
      double[][] gradW,
      double[] gradB,
      double gradScale) {}

  static Pass pass(Block head, Data d, float[] labels) {
    try (NDManager manager = NDManager.newBaseManager()) {
      head.setInitializer(HeadTestSupport.fixed(d.w()), "weight");
      if (head.getParameters().contains("bias")) {
        head.setInitializer(HeadTestSupport.fixed(d.b()), "bias");
      }
      head.initialize(manager, DataType.FLOAT64, new Shape(d.x().length, DIM));
      NDArray features = manager.create(d.x());
      features.setRequiresGradient(true);
      try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
        NDList out =
            head.forward(
                new ParameterStore(manager, false),
                new NDList(features),
                new NDList(manager.create(labels)),
                null);
        out.get(0).setName(RingOutputs.LOGITS);
        SampledLabelsLoss loss = SampledLabelsLoss.softmaxCrossEntropy();
        NDList labelList = new NDList(manager.create(labels));
        float[] used = loss.effectiveLabels(labelList, out).head().toFloatArray();
        NDArray value = loss.evaluate(labelList, out);
        collector.backward(value);
        NDArray gb =
            head.getParameters().contains("bias")
                ? head.getParameters().get("bias").getArray().getGradient()
                : null;
        NDArray gs =
            head.getParameters().contains("scale")
                ? head.getParameters().get("scale").getArray().getGradient()
                : null;
        return new Pass(
            HeadTestSupport.toMatrix(out.get(0)),
            used,
            value.getDouble(),
            HeadTestSupport.toMatrix(features.getGradient()),
            HeadTestSupport.toMatrix(head.getParameters().get("weight").getArray().getGradient()),
            gb == null ? null : gb.toDoubleArray(),
            gs == null ? Double.NaN : gs.getDouble(0));
      }
    }
  }

  static void assertExactly(double[][] expected, double[][] actual, String what) {
    assertEquals(expected.length, actual.length, what);
    for (int i = 0; i < expected.length; i++) {
      assertArrayEquals(expected[i], actual[i], 0, what + " row " + i);
    }
  }

  @ParameterizedTest
  @MethodSource("kinds")
  void atRateOneEqualsThePlainHeadExactly(Kind kind) {
    float[] y = {3, 0, 6, 3, 1};
    Data d = Data.random(11, CLASSES, y);
    Pass plain = pass(kind.factory().apply(CLASSES), d, y);
    PartialFcHead head = sampled(kind, CLASSES, 1, 5);
    Pass full = pass(head, d, y);
    assertExactly(plain.logits(), full.logits(), "logits");
    assertArrayEquals(y, full.lossLabels(), "labels are unchanged");
    assertEquals(plain.loss(), full.loss(), 0, "loss");
    assertExactly(plain.gradX(), full.gradX(), "∂L/∂x");
    assertExactly(plain.gradW(), full.gradW(), "∂L/∂W");
    if (kind.bias()) {
      assertArrayEquals(plain.gradB(), full.gradB(), 0, "∂L/∂b");
    }
    assertEquals(plain.gradScale(), full.gradScale(), 0, "∂L/∂s");
    assertEquals(CLASSES, head.getLastSample().length);
  }

  /**
   * Below r = 1 the step is the plain head on the sampled classes: a plain head of |S| classes
   * holding W[S] (and b[S]) gives the same logits, loss and ∂L/∂x, and its ∂L/∂W is the sampled
   * head's ∂L/∂W at the rows S; the other rows get exactly 0.
   */
  @ParameterizedTest
  @MethodSource("kinds")
  void belowRateOneEqualsThePlainHeadOnTheSampledRows(Kind kind) {
    float[] y = {3, 0, 3, 5};
    Data d = Data.random(12, CLASSES, y);
    // C = 7, r = 0.5: ⌈3.5⌉ = 4 classes, the positives {0, 3, 5} and one negative.
    PartialFcHead head = sampled(kind, CLASSES, 0.5, 9);
    Pass part = pass(head, d, y);
    int[] subset = head.getLastSample();
    assertEquals(4, subset.length);
    float[] remapped = new float[y.length];
    for (int i = 0; i < y.length; i++) {
      remapped[i] = Arrays.binarySearch(subset, (int) y[i]);
    }
    assertArrayEquals(remapped, part.lossLabels(), "the loss used the remapped labels");
    Pass small = pass(kind.factory().apply(subset.length), d.rows(subset), remapped);
    assertExactly(small.logits(), part.logits(), "logits");
    assertEquals(small.loss(), part.loss(), 0, "loss");
    assertExactly(small.gradX(), part.gradX(), "∂L/∂x");
    assertEquals(small.gradScale(), part.gradScale(), 0, "∂L/∂s");
    for (int j = 0, k = 0; j < CLASSES; j++) {
      boolean in = k < subset.length && subset[k] == j;
      double[] expected = in ? small.gradW()[k] : new double[DIM];
      assertArrayEquals(expected, part.gradW()[j], 0, "∂L/∂W row " + j);
      if (kind.bias()) {
        assertEquals(in ? small.gradB()[k] : 0, part.gradB()[j], 0, "∂L/∂b " + j);
      }
      k += in ? 1 : 0;
    }
  }

  /**
   * The hand example's W (unit rows (1, 0), (0, 1), (−0.6, 0.8)) plus W3 = (0, −5), unit (0, −1),
   * and x = (3, 4), unit (0.6, 0.8), label 2. cosθ = (0.6, 0.8, 0.28, −0.8). CosFace s = 10, m =
   * 0.35: full training logits 10·(0.6, 0.8, 0.28 − 0.35, −0.8) = (6, 8, −0.7, −8). C = 4, r = 0.5:
   * ⌈2⌉ = 2 classes, the positive 2 and one negative k, so the logits are the columns S = {2, k}
   * sorted, and the label is 1 if k &lt; 2, else 0.
   */
  @Test
  void handExample() {
    double[][] w = {{1, 0}, {0, 2}, {-3, 4}, {0, -5}};
    double[] full = {6, 8, -0.7, -8};
    try (NDManager manager = NDManager.newBaseManager()) {
      PartialFcHead head =
          PartialFcHead.builder()
              .setHead(CosFaceHead.builder().setClasses(4).optScale(10).optMargin(0.35).build())
              .optSampleRate(0.5)
              .build();
      HeadTestSupport.init(manager, head, w, 1, DataType.FLOAT64);
      NDList out =
          head.forward(
              new ParameterStore(manager, false),
              new NDList(manager.create(new double[][] {{3, 4}})),
              new NDList(manager.create(new float[] {2})),
              null);
      int[] s = head.getLastSample();
      assertEquals(2, s.length);
      assertTrue(s[0] < s[1] && (s[0] == 2 || s[1] == 2), Arrays.toString(s));
      HeadTestSupport.assertMatrix(
          new double[][] {{full[s[0]], full[s[1]]}}, out.get(0), 1e-12, "logits");
      // The plain logits over the same columns: 10·cosθ = (6, 8, 2.8, −8) at S.
      double[] plain = {6, 8, 2.8, -8};
      HeadTestSupport.assertMatrix(
          new double[][] {{plain[s[0]], plain[s[1]]}},
          out.get(HeadAccuracy.PLAIN_LOGITS),
          1e-12,
          "plain logits");
      NDArray labels = out.get(PartialFcHead.SAMPLED_LABELS);
      assertEquals(PartialFcHead.SAMPLED_LABELS, labels.getName());
      assertEquals(DataType.FLOAT32, labels.getDataType(), "the labels' type is kept");
      assertArrayEquals(new float[] {s[0] == 2 ? 0 : 1}, labels.toFloatArray());
      assertEquals(1, head.getStep());
      // Without labels: every class, no margin: 10·cosθ = (6, 8, 2.8, −8).
      HeadTestSupport.assertMatrix(
          new double[][] {{6, 8, 2.8, -8}},
          HeadTestSupport.inferLogits(
              manager, head, new double[][] {{3, 4}}, DataType.FLOAT64, true),
          1e-12,
          "inference logits");
      assertEquals(1, head.getStep(), "an unlabelled forward does not advance the sampler");
    }
  }

  @ParameterizedTest
  @MethodSource("kinds")
  void unlabelledForwardGivesThePlainHeadsFullLogits(Kind kind) {
    float[] y = {1, 2};
    Data d = Data.random(13, CLASSES, y);
    try (NDManager manager = NDManager.newBaseManager()) {
      Block plain = kind.factory().apply(CLASSES);
      Block head = sampled(kind, CLASSES, 0.2, 0);
      for (Block b : new Block[] {plain, head}) {
        b.setInitializer(HeadTestSupport.fixed(d.w()), "weight");
        if (kind.bias()) {
          b.setInitializer(HeadTestSupport.fixed(d.b()), "bias");
        }
        b.initialize(manager, DataType.FLOAT64, new Shape(2, DIM));
      }
      for (boolean training : new boolean[] {false, true}) {
        NDList a =
            plain.forward(new ParameterStore(manager, false), new NDList(x(manager, d)), training);
        NDList b =
            head.forward(new ParameterStore(manager, false), new NDList(x(manager, d)), training);
        assertEquals(1, b.size(), "no remapped labels without labels");
        assertExactly(
            HeadTestSupport.toMatrix(a.head()), HeadTestSupport.toMatrix(b.head()), "logits");
      }
      assertArrayEquals(
          plain.getOutputShapes(new Shape[] {new Shape(2, DIM)}),
          head.getOutputShapes(new Shape[] {new Shape(2, DIM)}));
    }
  }

  private static NDArray x(NDManager manager, Data d) {
    return manager.create(d.x());
  }

  /**
   * Central differences in float64 of L = CE(logits over S, y') with respect to x and W, S held
   * fixed by replaying the step, against autograd: ArcFace (s = 4, m = 0.5) with C = 6, r = 0.5.
   */
  @Test
  void sampledGradientsMatchFiniteDifferences() {
    float[] y = {4, 1, 4};
    Data d = Data.random(21, 6, y);
    Supplier<PartialFcHead> factory =
        () ->
            PartialFcHead.builder()
                .setHead(ArcFaceHead.builder().setClasses(6).optScale(4).optMargin(0.5).build())
                .optSampleRate(0.5)
                .optSeed(3)
                .build();
    Pass auto = pass(factory.get(), d, y);
    double h = 1e-6;
    for (int i = 0; i < d.x().length; i++) {
      for (int k = 0; k < DIM; k++) {
        double[][] plus = HeadTestSupport.copy(d.x());
        double[][] minus = HeadTestSupport.copy(d.x());
        plus[i][k] += h;
        minus[i][k] -= h;
        double numeric =
            (loss(factory, new Data(d.w(), d.b(), plus, y))
                    - loss(factory, new Data(d.w(), d.b(), minus, y)))
                / (2 * h);
        assertEquals(numeric, auto.gradX()[i][k], 1e-5 * Math.max(1, Math.abs(numeric)));
      }
    }
    for (int j = 0; j < 6; j++) {
      for (int k = 0; k < DIM; k++) {
        double[][] plus = HeadTestSupport.copy(d.w());
        double[][] minus = HeadTestSupport.copy(d.w());
        plus[j][k] += h;
        minus[j][k] -= h;
        double numeric =
            (loss(factory, new Data(plus, d.b(), d.x(), y))
                    - loss(factory, new Data(minus, d.b(), d.x(), y)))
                / (2 * h);
        assertEquals(numeric, auto.gradW()[j][k], 1e-5 * Math.max(1, Math.abs(numeric)));
      }
    }
  }

  private static double loss(Supplier<PartialFcHead> factory, Data d) {
    return pass(factory.get(), d, d.y()).loss();
  }

  @Test
  void theSamplerIsReproducibleAcrossASaveAndLoad() throws Exception {
    float[] y = {0, 9, 9, 4};
    Data d = Data.random(31, 20, y);
    try (NDManager manager = NDManager.newBaseManager()) {
      PartialFcHead run = init(manager, sampled(kinds().toList().get(2), 20, 0.25, 77), d);
      int[][] uninterrupted = new int[4][];
      byte[] checkpoint = null;
      for (int t = 0; t < 4; t++) {
        if (t == 2) {
          checkpoint = save(run);
        }
        forward(manager, run, d);
        uninterrupted[t] = run.getLastSample();
        assertEquals(5, uninterrupted[t].length, "⌈0.25·20⌉ = 5");
      }
      assertNotEquals(
          Arrays.toString(uninterrupted[0]),
          Arrays.toString(uninterrupted[1]),
          "steps draw different negatives");
      // A fresh head configured with another seed continues the checkpoint's sampler.
      PartialFcHead resumed = sampled(kinds().toList().get(2), 20, 0.25, 1);
      load(manager, resumed, checkpoint);
      assertEquals(2, resumed.getStep());
      assertEquals(77, resumed.getSeed());
      resumed.initialize(manager, DataType.FLOAT64, new Shape(y.length, DIM));
      for (int t = 2; t < 4; t++) {
        forward(manager, resumed, d);
        assertArrayEquals(uninterrupted[t], resumed.getLastSample(), "step " + t);
      }
      // Replaying a step by hand gives its subset again.
      resumed.setStep(1);
      forward(manager, resumed, d);
      assertArrayEquals(uninterrupted[1], resumed.getLastSample());
    }
  }

  @Test
  void checkpointsOfThePlainHeadLoadIntoTheSampledOne() throws Exception {
    float[] y = {0, 2};
    Data d = Data.random(41, 5, y);
    try (NDManager manager = NDManager.newBaseManager()) {
      Block plain = Linear.builder().setUnits(5).build();
      plain.setInitializer(HeadTestSupport.fixed(d.w()), "weight");
      plain.setInitializer(HeadTestSupport.fixed(d.b()), "bias");
      plain.initialize(manager, DataType.FLOAT64, new Shape(2, DIM));
      PartialFcHead head =
          PartialFcHead.builder()
              .setHead(Linear.builder().setUnits(5).build())
              .optClasses(5)
              .optSampleRate(0.4)
              .build();
      // Same parameter names, so a model's structural names and the optimiser's state match.
      assertEquals(plain.getParameters().keys(), head.getParameters().keys());
      load(manager, head, save(plain));
      assertEquals(0, head.getStep());
      head.initialize(manager, DataType.FLOAT64, new Shape(2, DIM));
      assertExactly(
          d.w(), HeadTestSupport.toMatrix(head.getParameters().get("weight").getArray()), "W");
      assertArrayEquals(d.b(), head.getParameters().get("bias").getArray().toDoubleArray(), 0);
      // Its own format round-trips, and a plain head refuses it with a message.
      forward(manager, head, d);
      PartialFcHead copy =
          PartialFcHead.builder()
              .setHead(Linear.builder().setUnits(5).build())
              .optClasses(5)
              .optSampleRate(1)
              .build();
      byte[] saved = save(head);
      load(manager, copy, saved);
      assertEquals(1, copy.getStep());
      assertExactly(
          d.w(), HeadTestSupport.toMatrix(copy.getParameters().get("weight").getArray()), "W");
      MalformedModelException e =
          assertThrows(
              MalformedModelException.class,
              () -> load(manager, Linear.builder().setUnits(5).build(), saved));
      assertTrue(e.getMessage().contains("version"), e.getMessage());
      // Another wrapped head's parameters are refused, naming them.
      PartialFcHead cosine =
          PartialFcHead.builder().setHead(NormFaceHead.builder().setClasses(5).build()).build();
      e = assertThrows(MalformedModelException.class, () -> load(manager, cosine, saved));
      assertTrue(e.getMessage().contains("[weight, bias]"), e.getMessage());
    }
  }

  @Test
  void labelsAreChecked() {
    try (NDManager manager = NDManager.newBaseManager()) {
      PartialFcHead head = sampled(kinds().toList().get(1), 4, 0.5, 0);
      HeadTestSupport.init(
          manager, head, new double[][] {{1, 0}, {0, 1}, {1, 1}, {1, -1}}, 2, DataType.FLOAT32);
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () ->
                  HeadTestSupport.trainLogits(
                      manager,
                      head,
                      new double[][] {{1, 0}, {0, 1}},
                      new float[] {0, 4},
                      DataType.FLOAT32));
      assertTrue(e.getMessage().contains("[0, 4)"), e.getMessage());
      assertEquals(0, head.getStep(), "a refused batch does not advance the sampler");
    }
  }

  @Test
  void badOptionsAreRejectedNamingThem() {
    assertMessage("head", () -> PartialFcHead.builder().build());
    assertMessage(
        "SphereFaceHead",
        () ->
            PartialFcHead.builder()
                .setHead(SphereFaceHead.builder().setClasses(3).build())
                .build());
    assertMessage(
        "classes",
        () -> PartialFcHead.builder().setHead(Linear.builder().setUnits(3).build()).build());
    assertMessage(
        "classes is 4",
        () ->
            PartialFcHead.builder()
                .setHead(NormFaceHead.builder().setClasses(3).build())
                .optClasses(4)
                .build());
    for (double bad : new double[] {0, -0.1, 1.5, Double.NaN}) {
      assertMessage(
          "sampleRate",
          () ->
              PartialFcHead.builder()
                  .setHead(NormFaceHead.builder().setClasses(3).build())
                  .optSampleRate(bad)
                  .build());
    }
    PartialFcHead head =
        PartialFcHead.builder().setHead(NormFaceHead.builder().setClasses(3).build()).build();
    assertMessage("step", () -> head.setStep(-1));
    try (NDManager manager = NDManager.newBaseManager()) {
      PartialFcHead wrongUnits =
          PartialFcHead.builder()
              .setHead(Linear.builder().setUnits(3).build())
              .optClasses(4)
              .build();
      assertMessage(
          "setUnits(4)", () -> wrongUnits.initialize(manager, DataType.FLOAT32, new Shape(2, 2)));
    }
  }

  /**
   * C = 100,000, d = 512, m = 128, r = 0.1: ⌈10,000⌉ classes; W = 100,000·512·4 B = 204,800,000 B,
   * the same for its gradient and momentum; one [m, |S|] array 128·10,000·4 = 5,120,000 B against
   * [m, C] 51,200,000 B; W_S 10,000·512·4 = 20,480,000 B. A bias adds 100,000·4 = 400,000 B.
   */
  @Test
  void memoryReport() {
    PartialFcMemory m = PartialFcMemory.estimate(100_000, 512, 128, 0.1, false);
    assertEquals(10_000, m.sampledClasses());
    assertEquals(204_800_000L, m.weightBytes());
    assertEquals(204_800_000L, m.gradientBytes());
    assertEquals(204_800_000L, m.momentumBytes());
    assertEquals(5_120_000L, m.logitsBytes());
    assertEquals(51_200_000L, m.fullLogitsBytes());
    assertEquals(20_480_000L, m.sampledWeightBytes());
    assertEquals(204_800_000L, m.fullWeightCopyBytes());
    assertEquals(
        205_200_000L, PartialFcMemory.estimate(100_000, 512, 128, 0.1, true).weightBytes());
    // 204,800,000 B = 195.3 MiB; 5,120,000 B = 4.9 MiB.
    assertTrue(m.describe().contains("weights 195.3 MiB"), m.describe());
    assertTrue(m.describe().contains("logits array 4.9 MiB"), m.describe());
    // C = 10, m = 8, r = 0.1: ⌈1⌉ class, but a batch can hold 8 positives: |S| ≤ 8.
    assertEquals(8, PartialFcMemory.estimate(10, 2, 8, 0.1, false).sampledClasses());
    assertMessage("batch", () -> PartialFcMemory.estimate(10, 2, 0, 0.1, false));
    assertMessage("dimension", () -> PartialFcMemory.estimate(10, 0, 8, 0.1, false));
    assertMessage("sampleRate", () -> PartialFcMemory.estimate(10, 2, 8, 0, false));
    PartialFcHead head = sampled(kinds().toList().get(0), 100_000, 0.1, 0);
    assertEquals(m.logitsBytes(), head.memory(512, 128).logitsBytes());
    assertEquals(205_200_000L, head.memory(512, 128).weightBytes(), "softmax has a bias");
  }

  @Test
  void headsBuildsItFromASpecification() {
    PartialFcHead head =
        assertInstanceOf(PartialFcHead.class, Heads.create("arcface(s=64, m=0.5, sample=0.1)", 50));
    ArcFaceHead arc = assertInstanceOf(ArcFaceHead.class, head.getHead());
    assertEquals(64, arc.getScale());
    assertEquals(0.1, head.getSampleRate());
    assertEquals(5, head.getTargetSize());
    assertEquals(PartialFcHead.DEFAULT_SEED, head.getSeed());
    PartialFcHead softmax =
        assertInstanceOf(PartialFcHead.class, Heads.create("softmax(sample=0.5, seed=7)", 10));
    assertInstanceOf(Linear.class, softmax.getHead());
    assertEquals(7, softmax.getSeed());
    assertEquals(10, softmax.getClasses());
    assertInstanceOf(
        PartialFcHead.class, Heads.create("cosface(sample=1)", 3), "sample=1 still wraps");
    assertInstanceOf(PartialFcHead.class, Heads.create("normface(learn=true, sample=0.2)", 3));
    assertFalse(Heads.create("cosface", 3) instanceof PartialFcHead, "no sample, no wrapper");
  }

  static void assertMessage(String part, org.junit.jupiter.api.function.Executable call) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
    assertTrue(e.getMessage().contains(part), e.getMessage());
  }

  private static PartialFcHead init(NDManager manager, PartialFcHead head, Data d) {
    head.setInitializer(HeadTestSupport.fixed(d.w()), "weight");
    head.initialize(manager, DataType.FLOAT64, new Shape(d.x().length, DIM));
    return head;
  }

  private static void forward(NDManager manager, PartialFcHead head, Data d) {
    head.forward(
        new ParameterStore(manager, false),
        new NDList(manager.create(d.x())),
        new NDList(manager.create(d.y())),
        null);
  }

  /** Saves a block followed by a marker, to check that a load stops exactly at its end. */
  private static byte[] save(Block block) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream os = new DataOutputStream(bytes);
    block.saveParameters(os);
    os.writeInt(0x5EED);
    return bytes.toByteArray();
  }

  private static void load(NDManager manager, Block block, byte[] saved)
      throws IOException, MalformedModelException {
    DataInputStream is = new DataInputStream(new ByteArrayInputStream(saved));
    block.loadParameters(manager, is);
    assertEquals(0x5EED, is.readInt(), "the load stopped at the block's end");
  }
}
