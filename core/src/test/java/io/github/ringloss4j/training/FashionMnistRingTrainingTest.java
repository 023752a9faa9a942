package io.github.ringloss4j.training;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.Trainer;
import ai.djl.training.tracker.Tracker;
import io.github.ringloss4j.loss.RingCompositeLoss;
import io.github.ringloss4j.nn.RingLossBlock;
import io.github.ringloss4j.nn.RingModelBlock;
import io.github.ringloss4j.nn.RingOutputs;
import io.github.ringloss4j.optim.RingOptimizer;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A short real training on 4,000 Fashion-MNIST images: softmax + ring must end with a smaller
 * coefficient of variation of ‖f‖ on held-out images than softmax alone, with R learned.
 */
class FashionMnistRingTrainingTest {

  private static final Logger LOG = LoggerFactory.getLogger(FashionMnistRingTrainingTest.class);
  private static final int TRAIN = 4000;
  private static final int TEST = 1000;
  private static final int BATCH = 100;
  private static final int EPOCHS = 3;

  record Outcome(double accuracy, double cv, double meanNorm, double radius, double startRadius) {}

  static Outcome train(float lambda, FashionMnistSlice train, FashionMnistSlice test) {
    Engine.getInstance().setRandomSeed(11);
    SequentialBlock embedding =
        new SequentialBlock()
            .add(Linear.builder().setUnits(128).build())
            .add(Activation::relu)
            .add(Linear.builder().setUnits(32).build());
    RingLossBlock ring =
        RingLossBlock.builder().optRadiusLearningRateMultiplier(10).optLambda(lambda).build();
    RingModelBlock block =
        RingModelBlock.builder()
            .setEmbedding(embedding)
            .optHead(Linear.builder().setUnits(10).build())
            .optRing(ring)
            .build();
    try (Model model = Model.newInstance("fashion")) {
      model.setBlock(block);
      RingOptimizer optimizer =
          RingOptimizer.sgdBuilder()
              .optMomentum(0.9f)
              .setLearningRateTracker(Tracker.fixed(0.02f))
              .optWeightDecays(1e-4f)
              .build(block);
      try (Trainer trainer =
          model.newTrainer(
              new DefaultTrainingConfig(RingCompositeLoss.softmaxPlusRing(ring))
                  .optOptimizer(optimizer))) {
        trainer.initialize(new Shape(BATCH, 784));
        NDManager root = trainer.getManager();
        NDArray x = root.create(train.pixels, new Shape(TRAIN, 784));
        NDArray y = root.create(train.labels);
        double startRadius = Double.NaN;
        for (int epoch = 0; epoch < EPOCHS; epoch++) {
          for (int start = 0; start < TRAIN; start += BATCH) {
            try (NDManager batch = root.newSubManager()) {
              NDIndex rows = new NDIndex(start + ":" + (start + BATCH));
              NDArray xb = x.get(rows);
              NDArray yb = y.get(rows);
              xb.attach(batch);
              yb.attach(batch);
              try (GradientCollector c = trainer.newGradientCollector()) {
                NDList p = trainer.forward(new NDList(xb), new NDList(yb));
                c.backward(trainer.getLoss().evaluate(new NDList(yb), p));
              }
              if (Double.isNaN(startRadius)) {
                startRadius = ring.getRadius();
              }
              trainer.step();
            }
          }
        }
        NDArray xt = root.create(test.pixels, new Shape(TEST, 784));
        NDList out = block.forward(new ParameterStore(root, false), new NDList(xt), false);
        float[] predicted =
            RingOutputs.get(out, RingOutputs.LOGITS)
                .argMax(1)
                .toType(ai.djl.ndarray.types.DataType.FLOAT32, false)
                .toFloatArray();
        int correct = 0;
        for (int i = 0; i < TEST; i++) {
          correct += predicted[i] == test.labels[i] ? 1 : 0;
        }
        NormStatistics norms = new NormStatistics();
        norms.add(RingOutputs.get(out, RingOutputs.NORMS));
        Outcome o =
            new Outcome(
                correct / (double) TEST,
                norms.coefficientOfVariation(),
                norms.mean(),
                ring.getRadius(),
                startRadius);
        LOG.info("lambda={}: {}", lambda, o);
        return o;
      }
    }
  }

  @Test
  void ringShrinksTheSpreadOfFeatureNorms() throws Exception {
    FashionMnistSlice train = FashionMnistSlice.load("train", 0, TRAIN);
    FashionMnistSlice test = FashionMnistSlice.load("t10k", 0, TEST);
    Outcome softmax = train(0f, train, test);
    Outcome ring = train(0.1f, train, test);
    assertTrue(softmax.accuracy() > 0.7, "softmax learned: " + softmax);
    assertTrue(ring.accuracy() > 0.7, "softmax + ring learned: " + ring);
    assertTrue(
        ring.cv() < 0.85 * softmax.cv(),
        "ring CV " + ring.cv() + " should be well below softmax CV " + softmax.cv());
    assertTrue(Math.abs(ring.radius() - ring.startRadius()) > 0.01, "R was learned: " + ring);
    assertTrue(
        Math.abs(ring.radius() - ring.meanNorm()) < 0.1 * ring.meanNorm(),
        "R tracks the mean norm: " + ring);
  }
}
