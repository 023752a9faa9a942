package io.github.ringloss4j.head;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.training.loss.Loss;
import java.util.function.Supplier;

/**
 * The shared hand example, head set-up with known weights, and float64 autograd of softmax
 * cross-entropy on a head's logits.
 */
final class HeadTestSupport {

  /**
   * The hand example: class weights W0 = (1, 0), W1 = (0, 2), W2 = (−3, 4), i.e. unit rows (1, 0),
   * (0, 1), (−0.6, 0.8); features x0 = (3, 4), x1 = (−4, 3), x2 = (0, −1) with norms 5, 5, 1 and
   * unit rows (0.6, 0.8), (−0.8, 0.6), (0, −1); labels 0, 2, 1.
   *
   * <pre>
   *   cosθ  class 0            class 1          class 2
   *   x0    0.6                0.8              −0.36 + 0.64 = 0.28
   *   x1    −0.8               0.6              0.48 + 0.48 = 0.96
   *   x2    0                  −1               −0.8
   * </pre>
   *
   * Target cosines: 0.6, 0.96, −1.
   */
  static final double[][] W = {{1, 0}, {0, 2}, {-3, 4}};

  static final double[][] X = {{3, 4}, {-4, 3}, {0, -1}};
  static final float[] Y = {0, 2, 1};
  static final double[][] COS = {{0.6, 0.8, 0.28}, {-0.8, 0.6, 0.96}, {0, -1, -0.8}};

  /** Tolerance for a value computed in the given type. */
  static double tolerance(DataType type) {
    return type == DataType.FLOAT64 ? 1e-12 : 2e-6;
  }

  private HeadTestSupport() {}

  /** An initializer that fills a parameter with a given matrix, converted to the block's type. */
  static Initializer fixed(double[][] values) {
    return (manager, shape, dataType) -> manager.create(values).toType(dataType, false);
  }

  /** An initializer that fills a parameter with a given vector. */
  static Initializer fixed(double[] values) {
    return (manager, shape, dataType) -> manager.create(values).toType(dataType, false);
  }

  /** Sets the head's {@code weight} to W and initialises it for [m, d] features of a type. */
  static <B extends Block> B init(NDManager manager, B head, double[][] w, int m, DataType type) {
    head.setInitializer(fixed(w), "weight");
    head.initialize(manager, type, new Shape(m, w[0].length));
    return head;
  }

  /** The labelled (training) forward pass: logits with the margin (its first output). */
  static NDArray trainLogits(NDManager manager, Block head, double[][] x, float[] y, DataType t) {
    return trainOutputs(manager, head, x, y, t).head();
  }

  /** The labelled (training) forward pass: every output. */
  static NDList trainOutputs(NDManager manager, Block head, double[][] x, float[] y, DataType t) {
    NDArray features = manager.create(x).toType(t, false);
    return head.forward(
        new ParameterStore(manager, false),
        new NDList(features),
        new NDList(manager.create(y)),
        null);
  }

  /** The unlabelled forward pass (inference or validation): logits without margin. */
  static NDArray inferLogits(NDManager manager, Block head, double[][] x, DataType t, boolean tr) {
    NDArray features = manager.create(x).toType(t, false);
    return head.forward(new ParameterStore(manager, false), new NDList(features), tr)
        .singletonOrThrow();
  }

  /** DJL's softmax cross-entropy (sparse labels, from logits, mean over the batch). */
  static double crossEntropy(NDManager manager, NDArray logits, float[] y) {
    NDArray loss =
        Loss.softmaxCrossEntropyLoss().evaluate(new NDList(manager.create(y)), new NDList(logits));
    return loss.toType(DataType.FLOAT64, false).getDouble();
  }

  static double[][] toMatrix(NDArray a) {
    double[] flat = a.toType(DataType.FLOAT64, false).toDoubleArray();
    int rows = (int) a.getShape().get(0);
    int cols = (int) a.getShape().get(1);
    double[][] out = new double[rows][cols];
    for (int i = 0; i < rows; i++) {
      System.arraycopy(flat, i * cols, out[i], 0, cols);
    }
    return out;
  }

  static void assertMatrix(double[][] expected, NDArray actual, double tol, String what) {
    double[][] a = toMatrix(actual);
    assertEquals(expected.length, a.length, what + ": rows");
    for (int i = 0; i < expected.length; i++) {
      for (int j = 0; j < expected[i].length; j++) {
        double scale = Math.max(1, Math.abs(expected[i][j]));
        assertEquals(expected[i][j], a[i][j], tol * scale, what + " [" + i + "][" + j + "]");
      }
    }
  }

  /** The value of L = CE(head(x), y) and its autograd gradients, all in float64. */
  record Evaluation(double loss, double[][] gradX, double[][] gradW, double gradScale) {}

  /**
   * Builds a fresh float64 head, sets W, runs the labelled forward and backward.
   *
   * @param factory a new head each call
   * @param scaleName the learned-scale parameter to report the gradient of, or null
   */
  static Evaluation evaluate(
      Supplier<Block> factory, double[][] w, double[][] x, float[] y, String scaleName) {
    try (NDManager manager = NDManager.newBaseManager()) {
      Block head = init(manager, factory.get(), w, x.length, DataType.FLOAT64);
      NDArray features = manager.create(x);
      features.setRequiresGradient(true);
      try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
        NDArray logits =
            head.forward(
                    new ParameterStore(manager, false),
                    new NDList(features),
                    new NDList(manager.create(y)),
                    null)
                .head();
        NDArray loss =
            Loss.softmaxCrossEntropyLoss()
                .evaluate(new NDList(manager.create(y)), new NDList(logits));
        collector.backward(loss);
        double[][] gradX = toMatrix(features.getGradient());
        double[][] gradW = toMatrix(head.getParameters().get("weight").getArray().getGradient());
        double gradScale =
            scaleName == null
                ? Double.NaN
                : head.getParameters().get(scaleName).getArray().getGradient().getDouble(0);
        return new Evaluation(loss.getDouble(), gradX, gradW, gradScale);
      }
    }
  }

  /** L = CE(head(x), y) in float64 without gradients, on a fresh head. */
  static double lossOnly(Supplier<Block> factory, double[][] w, double[][] x, float[] y) {
    try (NDManager manager = NDManager.newBaseManager()) {
      Block head = init(manager, factory.get(), w, x.length, DataType.FLOAT64);
      return crossEntropy(manager, trainLogits(manager, head, x, y, DataType.FLOAT64), y);
    }
  }

  /**
   * The per-sample losses ℓ_i = log Σ_j e^{z_ij} − z_{i,y_i} of one labelled forward in float64, on
   * a fresh head. The heads treat samples independently, so one forward over a batch of perturbed
   * copies gives every finite difference with respect to the features at once.
   */
  static double[] perSampleLosses(Supplier<Block> factory, double[][] w, double[][] x, float[] y) {
    try (NDManager manager = NDManager.newBaseManager()) {
      Block head = init(manager, factory.get(), w, x.length, DataType.FLOAT64);
      NDArray logits = trainLogits(manager, head, x, y, DataType.FLOAT64);
      NDArray oneHot = manager.create(y).oneHot((int) logits.getShape().get(1), DataType.FLOAT64);
      return logits.logSoftmax(1).mul(oneHot).sum(new int[] {1}).neg().toDoubleArray();
    }
  }

  static double[][] copy(double[][] a) {
    double[][] c = new double[a.length][];
    for (int i = 0; i < a.length; i++) {
      c[i] = a[i].clone();
    }
    return c;
  }

  static double norm(double[] v) {
    double s = 0;
    for (double a : v) {
      s += a * a;
    }
    return Math.sqrt(s);
  }

  static double cosine(double[] a, double[] b) {
    double dot = 0;
    for (int i = 0; i < a.length; i++) {
      dot += a[i] * b[i];
    }
    return dot / (norm(a) * norm(b));
  }
}
