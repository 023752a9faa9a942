package io.github.ringloss4j.app.model;

import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.core.Linear;
import ai.djl.training.tracker.Tracker;
import io.github.ringloss4j.head.CenterLoss;
import io.github.ringloss4j.head.CenterLossBlock;
import io.github.ringloss4j.head.MagFaceHead;
import io.github.ringloss4j.head.PartialFcHead;
import io.github.ringloss4j.head.PartialFcMemory;
import io.github.ringloss4j.loss.MagFaceRegularizer;
import io.github.ringloss4j.loss.RingCompositeLoss;
import io.github.ringloss4j.loss.RingLoss;
import io.github.ringloss4j.loss.SampledLabelsLoss;
import io.github.ringloss4j.nn.RingLossBlock;
import io.github.ringloss4j.nn.RingModelBlock;
import io.github.ringloss4j.optim.RingOptimizer;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;

/** Builds the model, loss and optimiser the option groups describe, fresh or from bytes. */
public final class ModelFactory {

  private ModelFactory() {}

  /**
   * The model: backbone, head (wrapped in a {@link CenterLossBlock} with center loss), ring block.
   *
   * <p>R's learning-rate multiplier is left to the library ({@link
   * RingLossBlock#getRadiusLearningRateMultiplier(boolean)}: 1/λ with SGD, 1 with Adam) unless
   * {@code --radius-lr-mult} gives a number.
   *
   * @param model the network's options
   * @param ring the ring term's options
   * @param classes the number of classes
   * @return the block
   */
  public static RingModelBlock block(ModelOptions model, RingOptions ring, int classes) {
    RingLossBlock.Builder ringBlock =
        RingLossBlock.builder()
            .optPenalty(ring.penalty().penalty())
            .optRadiusInit(ring.radiusInit().init())
            .optTrainable(!ring.radiusFrozen())
            .optLambda((float) ring.lambda());
    ring.radiusLrMultiplier().ifPresent(ringBlock::optRadiusLearningRateMultiplier);
    Block head = model.head().create(classes);
    if (model.sampleRate() < 1 && !(head instanceof PartialFcHead)) {
      head =
          PartialFcHead.builder()
              .setHead(head)
              .optClasses(classes)
              .optSampleRate(model.sampleRate())
              .optSparseUpdate(model.sparseUpdate())
              .build();
    }
    if (model.centerLambda() > 0) {
      head = CenterLossBlock.builder().setClasses(classes).optHead(head).build();
    }
    return RingModelBlock.builder()
        .setEmbedding(model.backbone().create(model.embeddingSize()))
        .optHead(head)
        .optRing(ringBlock.build())
        .build();
  }

  /**
   * The memory the head takes (weights, gradient, SGD momentum, per-step logits), for the log.
   *
   * @param block the model
   * @param classes the number of classes C
   * @param embeddingSize d
   * @param batchSize m
   * @return the figures; a head that does not sample is Partial FC at r = 1
   */
  public static PartialFcMemory headMemory(
      RingModelBlock block, int classes, int embeddingSize, int batchSize) {
    Block head = block.getHead();
    if (head instanceof CenterLossBlock) {
      head = ((CenterLossBlock) head).getHead();
    }
    if (head instanceof PartialFcHead) {
      return ((PartialFcHead) head).memory(embeddingSize, batchSize);
    }
    return PartialFcMemory.estimate(classes, embeddingSize, batchSize, 1, head instanceof Linear);
  }

  /**
   * The center term λc·½·mean‖x_i − c_{y_i}‖² when the options ask for one.
   *
   * @param model the network's options
   * @param block the model built by {@link #block}
   * @return the loss, or null without center loss
   */
  public static CenterLoss centerLoss(ModelOptions model, RingModelBlock block) {
    if (model.centerLambda() <= 0) {
      return null;
    }
    return CenterLoss.onRingModel((CenterLossBlock) block.getHead(), (float) model.centerLambda());
  }

  /**
   * MagFace's regulariser λ_g·mean g(a) when the head is a {@link MagFaceHead} (λ_g from its
   * options, {@code magface(lambda_g=…)}).
   *
   * @param block the model built by {@link #block}
   * @return the term, or null for another head
   */
  public static MagFaceRegularizer magFaceRegularizer(RingModelBlock block) {
    Block head = block.getHead();
    if (head instanceof CenterLossBlock) {
      head = ((CenterLossBlock) head).getHead();
    }
    return head instanceof MagFaceHead ? MagFaceRegularizer.onRingModel((MagFaceHead) head) : null;
  }

  /**
   * Softmax cross-entropy plus λ·ring (λ = 0: softmax alone). The softmax reads the sampled head's
   * remapped labels when the head samples its classes (Partial FC), the batch's otherwise.
   *
   * @param block the model built by {@link #block}, whose ring holds λ
   * @return the loss
   */
  public static RingCompositeLoss loss(RingModelBlock block) {
    return new RingCompositeLoss(
        "total", SampledLabelsLoss.softmaxCrossEntropy(), new RingLoss(block.getRing()));
  }

  /**
   * The optimiser with its learning-rate schedule over all steps of the run.
   *
   * @param o the optimiser's options
   * @param block the model
   * @param epochs the run's epochs
   * @param stepsPerEpoch batches per epoch
   * @return the optimiser
   */
  public static RingOptimizer optimizer(
      OptimizerOptions o, Block block, int epochs, int stepsPerEpoch) {
    Tracker tracker = schedule(o, epochs, stepsPerEpoch);
    RingOptimizer.Builder b =
        switch (o.kind()) {
          case SGD -> RingOptimizer.sgdBuilder().optMomentum((float) o.momentum());
          case ADAM -> RingOptimizer.adamBuilder();
        };
    return b.setLearningRateTracker(tracker).optWeightDecays((float) o.weightDecay()).build(block);
  }

  /**
   * The learning rate's schedule over all steps of a run.
   *
   * @param o the optimiser's options
   * @param epochs the run's epochs
   * @param stepsPerEpoch batches per epoch
   * @return the tracker: the learning rate at each step
   */
  public static Tracker schedule(OptimizerOptions o, int epochs, int stepsPerEpoch) {
    float lr = (float) o.learningRate();
    int total = Math.max(1, epochs * stepsPerEpoch);
    // The step schedule multiplies by 0.1 at 50 % and at 75 % of the run, the usual choice.
    return switch (o.schedule()) {
      case COSINE ->
          Tracker.cosine().setBaseValue(lr).optFinalValue(lr * 0.01f).setMaxUpdates(total).build();
      case STEP ->
          Tracker.multiFactor()
              .setSteps(new int[] {Math.max(1, total / 2), Math.max(2, total * 3 / 4)})
              .optFactor(0.1f)
              .setBaseValue(lr)
              .build();
      case CONSTANT -> Tracker.fixed(lr);
    };
  }

  /**
   * A model ready for inference from saved parameters.
   *
   * @param model the network's options
   * @param ring the ring term's options
   * @param classes the number of classes
   * @param parameters the bytes of {@code Block.saveParameters}
   * @return the model; its block is a {@link RingModelBlock}
   * @throws IOException if the parameters do not fit the options
   */
  public static Model load(ModelOptions model, RingOptions ring, int classes, byte[] parameters)
      throws IOException {
    RingModelBlock block = block(model, ring, classes);
    Model loaded = Model.newInstance("ringloss");
    loaded.setBlock(block);
    try {
      block.loadParameters(
          loaded.getNDManager(), new DataInputStream(new ByteArrayInputStream(parameters)));
    } catch (MalformedModelException e) {
      loaded.close();
      throw new IOException("checkpoint parameters do not match its options: " + e.getMessage(), e);
    }
    return loaded;
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
