package io.github.ringloss4j.app.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.github.ringloss4j.app.model.ModelFactory;
import io.github.ringloss4j.nn.RingModelBlock;
import org.junit.jupiter.api.Test;

class LearnedRadiusTest {

  private static double reported(double lambda) {
    TrainOptions options =
        TrainOptions.parse(
            "--lambda", Double.toString(lambda), "--radius-init", "2.5", "--embedding-size", "2");
    RingModelBlock block = ModelFactory.block(options.model(), options.ring(), 3);
    try (NDManager manager = NDManager.newBaseManager()) {
      block.initialize(
          manager, DataType.FLOAT32, ModelFactory.inputShape(2, new int[] {1, 28, 28}));
      return LearnedRadius.of(options, block);
    }
  }

  @Test
  void onlyARunWithARingTermReportsItsRadius() {
    assertFalse(LearnedRadius.isLearned(TrainOptions.parse("--lambda", "0")));
    assertTrue(LearnedRadius.isLearned(TrainOptions.parse("--lambda", "1e-4")));
    assertEquals(2.5, reported(0.1), 1e-6);
    // The block holds an R of 2.5 here too, but nothing trains it.
    assertTrue(Double.isNaN(reported(0)));
  }
}
