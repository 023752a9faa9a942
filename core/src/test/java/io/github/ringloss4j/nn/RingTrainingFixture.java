package io.github.ringloss4j.nn;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.core.Linear;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;

/** A small model and trainer for behaviour tests: Linear embedding, Linear head, ring. */
public final class RingTrainingFixture implements AutoCloseable {

  public final Model model;
  public final RingModelBlock block;
  public final Trainer trainer;

  public RingTrainingFixture(RingLossBlock ring, Loss loss, Optimizer optimizer, int inputs) {
    this(ring, loss, optimizer, inputs, null);
  }

  public RingTrainingFixture(
      RingLossBlock ring,
      Loss loss,
      Optimizer optimizer,
      int inputs,
      DefaultTrainingConfig config) {
    this(defaultBlock(ring), loss, optimizer, inputs, config);
  }

  public RingTrainingFixture(RingModelBlock block, Loss loss, Optimizer optimizer, int inputs) {
    this(block, loss, optimizer, inputs, null);
  }

  private static RingModelBlock defaultBlock(RingLossBlock ring) {
    Block embedding = Linear.builder().setUnits(4).build();
    Block head = Linear.builder().setUnits(3).build();
    return RingModelBlock.builder().setEmbedding(embedding).optHead(head).optRing(ring).build();
  }

  public RingTrainingFixture(
      RingModelBlock block,
      Loss loss,
      Optimizer optimizer,
      int inputs,
      DefaultTrainingConfig config) {
    this.block = block;
    model = Model.newInstance("ring-test");
    model.setBlock(block);
    DefaultTrainingConfig c = config != null ? config : new DefaultTrainingConfig(loss);
    if (optimizer != null) {
      c.optOptimizer(optimizer);
    }
    trainer = model.newTrainer(c);
    trainer.initialize(new Shape(8, inputs));
  }

  /** One optimisation step on a batch, returning the loss. */
  public double step(NDArray x, NDArray y) {
    NDArray loss;
    try (GradientCollector collector = trainer.newGradientCollector()) {
      NDList predictions = trainer.forward(new NDList(x), new NDList(y));
      loss = trainer.getLoss().evaluate(new NDList(y), predictions);
      collector.backward(loss);
    }
    trainer.step();
    return loss.toType(DataType.FLOAT64, false).getDouble();
  }

  @Override
  public void close() {
    trainer.close();
    model.close();
  }
}
