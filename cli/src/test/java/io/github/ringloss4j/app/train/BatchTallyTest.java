package io.github.ringloss4j.app.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.LambdaBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.Trainer;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import io.github.ringloss4j.app.model.ModelFactory;
import io.github.ringloss4j.head.ArcFaceHead;
import io.github.ringloss4j.head.CosFaceHead;
import io.github.ringloss4j.head.SphereFaceHead;
import io.github.ringloss4j.loss.RingCompositeLoss;
import io.github.ringloss4j.nn.RingModelBlock;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class BatchTallyTest {

  /**
   * Features straight into the head (an identity embedding): unit class weights (1, 0), (0, 1); x0
   * = (4, 3), x1 = (3, 4), x2 = (4, 3), labels 0, 1, 1. cosθ = (0.8, 0.6), (0.6, 0.8), (0.8, 0.6),
   * argmax 0, 1, 0: 2 right. With the margin on the target (CosFace m = 0.35: 0.45 &lt; 0.6 and
   * 0.25 &lt; 0.8; ArcFace m = 0.5: cos(θ + m) = 0.41441 &lt; 0.6 and 0.14301 &lt; 0.8; SphereFace
   * m = 4, λ = 0: 5·ψ = −4.216 &lt; 3 and −5.784 &lt; 4; worked out in core's HeadAccuracyTest)
   * none is: an accuracy on the margin logits would count 0.
   */
  private static final float[][] X = {{4, 3}, {3, 4}, {4, 3}};

  private static final float[] Y = {0, 1, 1};

  static Stream<Arguments> heads() {
    return Stream.of(
        Arguments.of("cosface", CosFaceHead.builder().setClasses(2).build()),
        Arguments.of("arcface", ArcFaceHead.builder().setClasses(2).build()),
        Arguments.of(
            "sphereface",
            SphereFaceHead.builder().setClasses(2).optLambdaBase(0).optLambdaMin(0).build()));
  }

  /**
   * The application's training step counts what its validation pass counts on the same images and
   * weights: the validation pass first (no labels, the inference logits), then the step (with
   * labels, the margin on), whose forward runs before its update.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("heads")
  void aTrainingStepCountsWhatValidationCounts(String name, Block head) {
    RingModelBlock net = RingModelBlock.of(new LambdaBlock(Function.identity()), head);
    RingCompositeLoss loss = ModelFactory.loss(net);
    try (Model model = Model.newInstance("tally")) {
      model.setBlock(net);
      DefaultTrainingConfig config =
          new DefaultTrainingConfig(loss)
              .optOptimizer(Optimizer.sgd().setLearningRateTracker(Tracker.fixed(0.1f)).build());
      try (Trainer trainer = model.newTrainer(config)) {
        head.setInitializer(
            (manager, shape, type) -> manager.create(new float[][] {{1, 0}, {0, 1}}), "weight");
        trainer.initialize(new Shape(3, 2));
        TrainingStep step = new TrainingStep(trainer, TrainingStep.terms(loss, null), null);
        BatchTally validation = new BatchTally(step.termCount());
        BatchTally training = new BatchTally(step.termCount());
        try (NDManager batch = trainer.getManager().newSubManager()) {
          NDArray x = batch.create(X);
          NDArray y = batch.create(Y);
          NDList p = trainer.evaluate(new NDList(x));
          validation.add(step.evaluate(new NDList(y), p), p, y, 3);
          TrainingStep.Result result = step.take(x, y);
          training.add(result.terms(), result.predictions(), y, 3);
        }
        assertEquals(2, validation.correct(), name);
        assertEquals(2, training.correct(), name);
      }
    }
  }

  @Test
  void softmaxCountsItsLogitsArgmax() {
    // A linear head, W = I and b = 0: logits = x, argmax 0, 1, 0: 2 right, as before.
    aTrainingStepCountsWhatValidationCounts("softmax", Linear.builder().setUnits(2).build());
  }
}
