package io.github.ringloss4j.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.training.tracker.Tracker;
import ai.djl.util.PairList;
import io.github.ringloss4j.nn.RowSparseBlock;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link RingOptimizer#updateRows} driven by a block that hands over rows by hand. */
class RowSparseUpdateTest {

  /** A [4, 2] parameter whose row gradients the test sets. */
  private static final class Rows extends AbstractBlock implements RowSparseBlock {
    final Parameter weight =
        addParameter(
            Parameter.builder()
                .setName("weight")
                .setType(Parameter.Type.WEIGHT)
                .optShape(new Shape(4, 2))
                .optInitializer(Initializer.ONES)
                .optRequiresGrad(false)
                .build());
    final List<RowGradient> pending = new ArrayList<>();

    @Override
    public List<RowGradient> takeRowGradients() {
      List<RowGradient> out = new ArrayList<>(pending);
      pending.clear();
      return out;
    }

    /** Rows with a gradient of g in every entry. */
    void record(NDManager manager, long[] rows, float g) {
      NDArray w = weight.getArray();
      NDArray gathered = w.get(manager.create(rows));
      gathered.setRequiresGradient(true);
      try (GradientCollector c = Engine.getInstance().newGradientCollector()) {
        c.backward(gathered.mul(g).sum());
      }
      pending.add(new RowGradient(weight, w, manager.create(rows), gathered));
    }

    @Override
    protected NDList forwardInternal(
        ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
      return inputs;
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
      return inputShapes;
    }
  }

  @Test
  void onlyTheGivenRowsMoveAndTwoPassesAreRefused() {
    try (NDManager manager = NDManager.newBaseManager()) {
      Rows block = new Rows();
      block.initialize(manager, DataType.FLOAT32, new Shape(1, 2));
      RingOptimizer opt =
          RingOptimizer.sgdBuilder()
              .setLearningRateTracker(Tracker.fixed(0.5f))
              .optMomentum(0.5f)
              .optWeightDecays(0.25f)
              .build(block);
      block.record(manager, new long[] {2, 0}, 1f);
      opt.updateRows();
      // v = 0.5·(1 + 0.25·1) = 0.625, w = 1 − 0.625 on rows 0 and 2; rows 1 and 3 untouched.
      assertArrayEquals(
          new float[] {0.375f, 0.375f, 1, 1, 0.375f, 0.375f, 1, 1},
          block.weight.getArray().toFloatArray());
      block.record(manager, new long[] {1}, 0f);
      opt.updateRows();
      // Row 1's first step: v = 0.5·0.25 = 0.125; rows 0 and 2 keep their values and momentum.
      assertArrayEquals(
          new float[] {0.375f, 0.375f, 0.875f, 0.875f, 0.375f, 0.375f, 1, 1},
          block.weight.getArray().toFloatArray());
      block.record(manager, new long[] {0}, 0f);
      opt.updateRows();
      // Row 0: v = 0.5·0.625 + 0.5·0.25·0.375 = 0.359375, w = 0.375 − 0.359375.
      assertArrayEquals(
          new float[] {0.015625f, 0.015625f}, block.weight.getArray().get(0).toFloatArray());
      block.record(manager, new long[] {1}, 1f);
      block.record(manager, new long[] {3}, 1f);
      IllegalStateException e = assertThrows(IllegalStateException.class, opt::updateRows);
      assertTrue(e.getMessage().contains("one labelled forward pass per update"), e.getMessage());
    }
  }

  @Test
  void gradientClippingIsSymmetricOnDenseAndRowUpdates() {
    // DJL's PyTorch kernels clamp only from above; clip(g, −c, c) is what optClipGrad promises.
    try (NDManager manager = NDManager.newBaseManager()) {
      Rows block = new Rows();
      block.initialize(manager, DataType.FLOAT32, new Shape(1, 2));
      RingOptimizer opt =
          RingOptimizer.sgdBuilder()
              .setLearningRateTracker(Tracker.fixed(0.1f))
              .optMomentum(0f)
              .optWeightDecays(0f)
              .setRescaleGrad(0.5f)
              .optClipGrad(1f)
              .build(block);
      NDArray w = block.weight.getArray();
      NDArray g = manager.create(new float[] {-5, 0.5f, 5, -1, 0, 0, 0, 0}, new Shape(4, 2));
      opt.update(block.weight.getId(), w, g);
      // w = 1 − 0.1·clip(0.5·g, −1, 1): 0.5·g = (−2.5, 0.25, 2.5, −0.5) → (−1, 0.25, 1, −0.5),
      // w = (1.1, 0.975, 0.9, 1.05); the rows with g = 0 stay at 1.
      assertArrayEquals(
          new float[] {1.1f, 0.975f, 0.9f, 1.05f, 1, 1, 1, 1}, w.toFloatArray(), 1e-6f);
      // The row update: g = −8 everywhere on row 3, 0.5·g = −4 → −1, w = 1 + 0.1.
      block.record(manager, new long[] {3}, -8f);
      opt.updateRows();
      assertArrayEquals(new float[] {1.1f, 1.1f}, w.get(3).toFloatArray(), 1e-6f);
    }
  }
}
