package io.github.ringloss4j.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.github.ringloss4j.penalty.SquaredPenalty;
import org.junit.jupiter.api.Test;

class RingLossBlockSmokeTest {

  @Test
  void firstBatchMeanInitialisesR() {
    try (NDManager manager = NDManager.newBaseManager()) {
      RingLossBlock block = RingLossBlock.builder().build();
      block.initialize(manager, DataType.FLOAT32, new Shape(2, 2));
      // norms 5 and 1: mean 3
      NDList out =
          block.forward(
              new ParameterStore(manager, false),
              new NDList(manager.create(new float[][] {{3, 4}, {0, 1}})),
              true);
      assertEquals(3.0, block.getRadius(), 1e-6);
      // penalties ½(5−3)² = 2 and ½(1−3)² = 2
      assertEquals(2.0, out.get(0).getFloat(0), 1e-6);
      assertEquals(2.0, out.get(0).getFloat(1), 1e-6);
      RingTestSupport.Evaluation e =
          RingTestSupport.evaluate(
              SquaredPenalty.INSTANCE, 3.0, 1.0, new double[][] {{3, 4}, {0, 1}});
      // ∂L/∂R = −mean(e) = −(2 − 2)/2 = 0
      assertEquals(0.0, e.gradR(), 1e-12);
    }
  }
}
