package io.github.ringloss4j.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;

class ScalarsTest {

  private static final double[] CONSTANTS = {0, 1, -1, 0.5, 0.1, 1.0 / 3, 0.01f, 2.3849, 1e-12};

  /** Every helper against DJL's own {@code op(Number)}, bit for bit, in float32 and float64. */
  @Test
  void bitIdenticalToDjlNumberOperations() {
    try (NDManager manager = NDManager.newBaseManager()) {
      Engine.getInstance().setRandomSeed(3);
      for (DataType type : new DataType[] {DataType.FLOAT32, DataType.FLOAT64}) {
        NDArray x = manager.randomNormal(new Shape(257)).mul(3).toType(type, false);
        for (double c : CONSTANTS) {
          check(x, c, Scalars::add, NDArray::add, "add");
          check(x, c, Scalars::sub, NDArray::sub, "sub");
          check(x, c, Scalars::mul, NDArray::mul, "mul");
          check(x, c, Scalars::minimum, NDArray::minimum, "minimum");
          check(x, c, Scalars::maximum, NDArray::maximum, "maximum");
          check(x, c, Scalars::eq, NDArray::eq, "eq");
          check(x, c, Scalars::lt, NDArray::lt, "lt");
          if (c != 0) {
            check(x, c, Scalars::div, NDArray::div, "div");
          }
          check(x.abs(), c, Scalars::pow, NDArray::pow, "pow");
        }
      }
    }
  }

  private static void check(
      NDArray x,
      double c,
      BiFunction<NDArray, Double, NDArray> ours,
      BiFunction<NDArray, Number, NDArray> djl,
      String name) {
    NDArray a = ours.apply(x, c);
    NDArray b = djl.apply(x, c);
    String what = name + "(" + x.getDataType() + ", " + c + ")";
    assertEquals(b.getDataType(), a.getDataType(), what);
    assertArrayEquals(b.toByteArray(), a.toByteArray(), what);
  }

  @Test
  void constantsAreMadeOncePerValue() {
    try (NDManager manager = NDManager.newBaseManager()) {
      NDArray x = manager.ones(new Shape(3));
      NDArray y = manager.ones(new Shape(4)).toType(DataType.FLOAT64, false);
      assertSame(Scalars.of(x, 0.25), Scalars.of(x, 0.25));
      assertNotSame(Scalars.of(x, 0.25), Scalars.of(x, 0.75));
      // one constant per data type: a float64 constant would promote a 0-d float32 operand
      assertNotSame(Scalars.of(x, 0.25), Scalars.of(y, 0.25));
      assertEquals(DataType.FLOAT32, Scalars.of(x, 0.25).getDataType());
      assertEquals(DataType.FLOAT64, Scalars.of(y, 0.25).getDataType());
      assertEquals(DataType.FLOAT32, Scalars.mul(x.mean(), 0.25).getDataType());
      assertEquals(new Shape(), Scalars.of(x, 0.25).getShape());
    }
  }

  @Test
  void cachedConstantsSurviveTheManagersThatUsedThem() {
    NDArray c;
    try (NDManager manager = NDManager.newBaseManager()) {
      c = Scalars.of(manager.ones(new Shape(2)), 0.125);
    }
    try (NDManager manager = NDManager.newBaseManager()) {
      NDArray x = manager.ones(new Shape(2));
      assertSame(c, Scalars.of(x, 0.125));
      assertEquals(0.125f, Scalars.mul(x, 0.125).getFloat(1));
    }
  }

  @Test
  void gradientsFlowThroughTheOperand() {
    try (NDManager manager = NDManager.newBaseManager()) {
      NDArray x = manager.create(new double[] {1, -2, 3});
      x.setRequiresGradient(true);
      try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
        // d/dx Σ(0.5·x + 1)² = (0.5·x + 1), at x = (1, −2, 3): (1.5, 0, 2.5)
        NDArray y = Scalars.add(Scalars.mul(x, 0.5), 1);
        collector.backward(y.square().sum());
      }
      assertArrayEquals(new double[] {1.5, 0, 2.5}, x.getGradient().toDoubleArray(), 0);
      assertEquals(false, Scalars.of(x, 0.5).hasGradient());
    }
  }

  @Test
  void beyondTheCacheLimitConstantsAreStillRight() {
    try (NDManager manager = NDManager.newBaseManager()) {
      NDArray x = manager.ones(new Shape(2));
      for (int i = 0; i < Scalars.MAX_CACHED + 10; i++) {
        double c = 1000.5 + i;
        assertEquals((float) (1 + c), Scalars.add(x, c).getFloat(0), "constant " + c);
      }
      // past the limit, each call makes its own constant on the operand's manager
      double past = 1000.5 + Scalars.MAX_CACHED + 5;
      assertNotSame(Scalars.of(x, past), Scalars.of(x, past));
    } finally {
      Scalars.clear();
    }
  }
}
