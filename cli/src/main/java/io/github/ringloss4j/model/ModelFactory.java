package io.github.ringloss4j.model;

import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.tracker.Tracker;
import io.github.ringloss4j.head.CenterLoss;
import io.github.ringloss4j.head.CenterLossBlock;
import io.github.ringloss4j.head.Heads;
import io.github.ringloss4j.loss.RingCompositeLoss;
import io.github.ringloss4j.nn.RadiusInit;
import io.github.ringloss4j.nn.RingLossBlock;
import io.github.ringloss4j.nn.RingModelBlock;
import io.github.ringloss4j.optim.RingOptimizer;
import io.github.ringloss4j.penalty.Penalties;
import io.github.ringloss4j.train.Checkpoint;
import io.github.ringloss4j.train.TrainOptions;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;

/** Builds the model, loss and optimiser a {@link TrainOptions} describes, fresh or from bytes. */
public final class ModelFactory {

  private ModelFactory() {}

  /**
   * The model: backbone, head (wrapped in a {@link CenterLossBlock} with center loss), ring block.
   *
   * @param o the options
   * @param classes the number of classes
   * @return the block
   */
  public static RingModelBlock block(TrainOptions o, int classes) {
    RingLossBlock ring =
        RingLossBlock.builder()
            .optPenalty(Penalties.parse(o.penalty()))
            .optRadiusInit(
                o.radiusInit().equals("first-batch")
                    ? RadiusInit.firstBatchMean()
                    : RadiusInit.constant(Double.parseDouble(o.radiusInit())))
            .optTrainable(!o.radiusFrozen())
            .optRadiusLearningRateMultiplier(o.radiusLrMultiplier())
            .build();
    Block head = Heads.create(o.head(), classes);
    if (o.centerLambda() > 0) {
      head = CenterLossBlock.builder().setClasses(classes).optHead(head).build();
    }
    return new RingModelBlock(Backbones.create(o.model(), o.embeddingSize()), head, ring);
  }

  /**
   * The center term λc·½·mean‖x_i − c_{y_i}‖² when the options ask for one.
   *
   * @param o the options
   * @param block the model built by {@link #block}
   * @return the loss, or null without center loss
   */
  public static CenterLoss centerLoss(TrainOptions o, RingModelBlock block) {
    if (o.centerLambda() <= 0) {
      return null;
    }
    return CenterLoss.onRingModel((CenterLossBlock) block.getHead(), (float) o.centerLambda());
  }

  /**
   * Softmax cross-entropy plus λ·ring (λ = 0: softmax alone).
   *
   * @param o the options
   * @return the loss
   */
  public static RingCompositeLoss loss(TrainOptions o) {
    return RingCompositeLoss.softmaxPlusRing((float) o.lambda());
  }

  /**
   * The optimiser with its learning-rate schedule over all steps of the run.
   *
   * @param o the options
   * @param block the model
   * @param stepsPerEpoch batches per epoch
   * @return the optimiser
   */
  public static RingOptimizer optimizer(TrainOptions o, RingModelBlock block, int stepsPerEpoch) {
    float lr = (float) o.learningRate();
    int total = Math.max(1, o.epochs() * stepsPerEpoch);
    Tracker tracker;
    switch (o.schedule()) {
      case "cosine":
        tracker =
            Tracker.cosine()
                .setBaseValue(lr)
                .optFinalValue(lr * 0.01f)
                .setMaxUpdates(total)
                .build();
        break;
      case "step":
        // ×0.1 at 50 % and 75 % of the run, the usual step schedule.
        tracker =
            Tracker.multiFactor()
                .setSteps(new int[] {Math.max(1, total / 2), Math.max(2, total * 3 / 4)})
                .optFactor(0.1f)
                .setBaseValue(lr)
                .build();
        break;
      default:
        tracker = Tracker.fixed(lr);
    }
    RingOptimizer.Builder b =
        RingOptimizer.builder()
            .setLearningRateTracker(tracker)
            .optWeightDecay((float) o.weightDecay());
    return (o.optimizer().equals("adam") ? b.adam() : b.sgd((float) o.momentum())).build(block);
  }

  /**
   * A model ready for inference from a checkpoint.
   *
   * @param checkpoint the checkpoint
   * @return the model; its block is a {@link RingModelBlock}
   * @throws IOException if the parameters do not fit the options
   */
  public static Model load(Checkpoint checkpoint) throws IOException {
    TrainOptions o = checkpoint.options();
    RingModelBlock block = block(o, checkpoint.classNames().size());
    Model model = Model.newInstance("ringloss");
    model.setBlock(block);
    try {
      block.loadParameters(
          model.getNDManager(),
          new DataInputStream(new ByteArrayInputStream(checkpoint.modelParameters())));
    } catch (MalformedModelException e) {
      model.close();
      throw new IOException("checkpoint parameters do not match its options: " + e.getMessage(), e);
    }
    return model;
  }

  /**
   * The input shape of one batch.
   *
   * @param batch the batch size
   * @param item {channels, height, width}
   * @return the shape
   */
  public static Shape inputShape(int batch, int[] item) {
    return new Shape(batch, item[0], item[1], item[2]);
  }
}
