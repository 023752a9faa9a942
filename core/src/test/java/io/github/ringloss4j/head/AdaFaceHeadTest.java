package io.github.ringloss4j.head;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
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
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.tracker.Tracker;
import io.github.ringloss4j.optim.RingOptimizer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class AdaFaceHeadTest {

  static final double[][] W = {{1, 0}, {0, 2}};

  static Stream<DataType> types() {
    return Stream.of(DataType.FLOAT32, DataType.FLOAT64);
  }

  static AdaFaceHead small() {
    return AdaFaceHead.builder()
        .setClasses(2)
        .optScale(2)
        .optMargin(0.4)
        .optH(0.5)
        .optAlpha(0.5)
        .build();
  }

  /** The running statistics after one batch, by the official update, in plain double. */
  static double[] nextStatistics(double[][] x, double alpha, double mean, double std) {
    double[] n = new double[x.length];
    double sum = 0;
    for (int i = 0; i < x.length; i++) {
      n[i] = Math.min(Math.max(HeadTestSupport.norm(x[i]), 0.001), 100);
      sum += n[i];
    }
    double batchMean = sum / n.length;
    double squares = 0;
    for (double v : n) {
      squares += (v - batchMean) * (v - batchMean);
    }
    double batchStd = Math.sqrt(squares / (n.length - 1));
    return new double[] {
      batchMean * alpha + (1 - alpha) * mean, batchStd * alpha + (1 - alpha) * std
    };
  }

  /** The official forward in plain double for one sample, given the updated statistics. */
  static double[] reference(AdaFaceHead head, double[][] w, double[] x, int y, double[] stats) {
    double eps = AdaFaceHead.EPS;
    double n = Math.min(Math.max(HeadTestSupport.norm(x), 0.001), 100);
    double scaler = Math.max(-1, Math.min(1, (n - stats[0]) / (stats[1] + eps) * head.getH()));
    double[] out = new double[w.length];
    for (int j = 0; j < w.length; j++) {
      double c = Math.max(-1 + eps, Math.min(1 - eps, HeadTestSupport.cosine(x, w[j])));
      double theta = Math.acos(c) + (j == y ? head.getMargin() * scaler * -1 : 0);
      theta = Math.max(eps, Math.min(Math.PI - eps, theta));
      double additive = j == y ? head.getMargin() + head.getMargin() * scaler : 0;
      out[j] = (Math.cos(theta) - additive) * head.getScale();
    }
    return out;
  }

  @ParameterizedTest
  @MethodSource("types")
  void handExample(DataType type) {
    try (NDManager manager = NDManager.newBaseManager()) {
      // W0 = (1, 0), W1 = (0, 2): unit rows (1, 0), (0, 1). s = 2, m = 0.4, h = 0.5, α = 0.5;
      // μ = 20, σ = 100 at the start.
      //   x0 = (3, 4), y = 0: ‖x‖ = 5, x̂ = (0.6, 0.8);  x1 = (−6, 8), y = 1: ‖x‖ = 10, x̂ = (−0.6,
      // 0.8)
      // batch mean 7.5, unbiased std √((2.5² + 2.5²)/1) = 3.5355339059
      // μ = 0.5·7.5 + 0.5·20 = 13.75,  σ = 0.5·3.5355339059 + 0.5·100 = 51.7677669530
      // ŝ0 = 0.5·(5 − 13.75)/(51.7677669530 + 0.001) = −0.0845104154
      // ŝ1 = 0.5·(10 − 13.75)/51.7687669530 = −0.0362187495
      //   x0 target: θ = acos 0.6 = 0.9272952180, θ' = θ − 0.4·ŝ0 = 0.9610993842,
      //     cos θ' = 0.5726190334, minus m + m·ŝ0 = 0.3661958338: 0.2064231996, ×2 = 0.4128463992
      //     other: cos clipped 0.8, acos/cos back: 2·0.8 = 1.6
      //   x1 target: θ = acos 0.8 = 0.6435011088, θ' = 0.6579886086, cos θ' = 0.7912238506,
      //     minus 0.3855125002: 0.4057113504, ×2 = 0.8114227008;  other: 2·(−0.6) = −1.2
      double[][] x = {{3, 4}, {-6, 8}};
      float[] y = {0, 1};
      AdaFaceHead head = HeadTestSupport.init(manager, small(), W, 2, type);
      assertEquals(20, head.getRunningMean());
      assertEquals(100, head.getRunningStd());
      NDList out = HeadTestSupport.trainOutputs(manager, head, x, y, type);
      double tol = HeadTestSupport.tolerance(type);
      HeadTestSupport.assertMatrix(
          new double[][] {{0.4128463991745821, 1.6}, {-1.2, 0.81142270078638}},
          out.head(),
          tol,
          "margin logits");
      HeadTestSupport.assertMatrix(
          new double[][] {{1.2, 1.6}, {-1.2, 1.6}}, HeadAccuracy.plainLogits(out), tol, "plain");
      assertEquals(13.75, head.getRunningMean(), tol * 20);
      assertEquals(51.76776695296637, head.getRunningStd(), tol * 60);
    }
  }

  @Test
  void matchesThePlainDoubleReferenceOverSeveralBatches() {
    Random random = new Random(9);
    int classes = 5;
    double[][] w = HeadGradientCheckTest.randomMatrix(random, classes, 1);
    try (NDManager manager = NDManager.newBaseManager()) {
      AdaFaceHead head =
          HeadTestSupport.init(
              manager,
              AdaFaceHead.builder().setClasses(classes).optAlpha(0.3).build(),
              w,
              16,
              DataType.FLOAT64);
      double[] stats = {AdaFaceHead.INITIAL_MEAN, AdaFaceHead.INITIAL_STD};
      for (int k = 0; k < 4; k++) {
        // Norms spread around the running mean, so the scaler varies and some clip at ±1.
        double[][] x = HeadGradientCheckTest.randomMatrix(random, 16, 6 + 4 * k);
        x[0] = new double[] {1e-5, 0, 0}; // below the 0.001 floor
        x[1] = new double[] {300, 0, 1}; // above the 100 ceiling
        x[2] = w[1].clone(); // cosine 1: clipped to 1 − ε
        float[] y = new float[x.length];
        for (int i = 0; i < y.length; i++) {
          y[i] = random.nextInt(classes);
        }
        y[2] = 1;
        stats = nextStatistics(x, 0.3, stats[0], stats[1]);
        NDArray logits = HeadTestSupport.trainLogits(manager, head, x, y, DataType.FLOAT64);
        double[][] expected = new double[x.length][];
        for (int i = 0; i < x.length; i++) {
          expected[i] = reference(head, w, x[i], (int) y[i], stats);
        }
        HeadTestSupport.assertMatrix(expected, logits, 1e-12, "batch " + k);
        // After k + 1 training forwards the running statistics are the hand EMA.
        assertEquals(stats[0], head.getRunningMean(), 1e-12 * stats[0], "μ after " + (k + 1));
        assertEquals(stats[1], head.getRunningStd(), 1e-12 * stats[1], "σ after " + (k + 1));
      }
      // Inference and unlabelled training-mode forwards leave them alone.
      double mean = head.getRunningMean();
      double std = head.getRunningStd();
      double[][] x = HeadGradientCheckTest.randomMatrix(random, 16, 50);
      HeadTestSupport.inferLogits(manager, head, x, DataType.FLOAT64, false);
      HeadTestSupport.inferLogits(manager, head, x, DataType.FLOAT64, true);
      assertEquals(mean, head.getRunningMean(), 0);
      assertEquals(std, head.getRunningStd(), 0);
    }
  }

  @Test
  void statisticsAreStateThatSurvivesSaveAndLoadAndEscapesTheOptimiser() throws Exception {
    double[][] x = {{3, 4}, {-6, 8}, {1, 1}, {0, -30}};
    float[] y = {0, 1, 1, 0};
    byte[] saved;
    double mean;
    double std;
    try (Model model = Model.newInstance("adaface")) {
      AdaFaceHead head = small();
      head.setInitializer(HeadTestSupport.fixed(W), "weight");
      model.setBlock(head);
      for (Parameter p : head.getDirectParameters().values()) {
        if (!p.getName().equals("weight")) {
          assertFalse(p.requiresGradient(), p.getName());
        }
      }
      assertEquals(
          Parameter.Type.RUNNING_MEAN,
          head.getDirectParameters().get(AdaFaceHead.RUNNING_MEAN).getType());
      RingOptimizer optimizer =
          RingOptimizer.sgdBuilder()
              .setLearningRateTracker(Tracker.fixed(0.5f))
              .optMomentum(0.9f)
              .optWeightDecays(0.5f)
              .build(head);
      try (Trainer trainer =
          model.newTrainer(
              new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss()).optOptimizer(optimizer))) {
        trainer.initialize(new Shape(4, 2));
        NDManager manager = trainer.getManager();
        double[] stats = {20, 100};
        for (int step = 0; step < 2; step++) {
          try (GradientCollector collector = trainer.newGradientCollector()) {
            NDList labels = new NDList(manager.create(y));
            NDArray logits =
                trainer
                    .forward(new NDList(manager.create(x).toType(DataType.FLOAT32, false)), labels)
                    .head();
            collector.backward(Loss.softmaxCrossEntropyLoss().evaluate(labels, new NDList(logits)));
          }
          trainer.step();
          stats = nextStatistics(x, 0.5, stats[0], stats[1]);
        }
        // Two steps with weight decay 0.5 and momentum: the statistics moved by the EMA alone.
        assertEquals(stats[0], head.getRunningMean(), 1e-5);
        assertEquals(stats[1], head.getRunningStd(), 1e-4);
        assertNotEquals(
            1.0,
            head.getDirectParameters().get("weight").getArray().getFloat(0, 0),
            "the weights did train");
      }
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      head.saveParameters(new DataOutputStream(bytes));
      saved = bytes.toByteArray();
      mean = head.getRunningMean();
      std = head.getRunningStd();
    }
    try (NDManager manager = NDManager.newBaseManager()) {
      AdaFaceHead loaded = small();
      loaded.loadParameters(manager, new DataInputStream(new ByteArrayInputStream(saved)));
      assertEquals(mean, loaded.getRunningMean(), 0);
      assertEquals(std, loaded.getRunningStd(), 0);
      assertTrue(mean != 20 && std != 100);
    }
  }

  @Test
  void aLabelledBatchOfOneIsRefused() {
    try (NDManager manager = NDManager.newBaseManager()) {
      AdaFaceHead head = HeadTestSupport.init(manager, small(), W, 1, DataType.FLOAT32);
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () ->
                  HeadTestSupport.trainLogits(
                      manager, head, new double[][] {{1, 2}}, new float[] {0}, DataType.FLOAT32));
      assertTrue(e.getMessage().contains("at least 2 samples"), e.getMessage());
      assertEquals(20, head.getRunningMean());
    }
  }
}
