package io.github.ringloss4j.bench;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.tracker.Tracker;
import io.github.ringloss4j.cli.TrainingOptionsMixin;
import io.github.ringloss4j.head.Heads;
import io.github.ringloss4j.loss.RingCompositeLoss;
import io.github.ringloss4j.model.Backbones;
import io.github.ringloss4j.model.ModelFactory;
import io.github.ringloss4j.nn.RingModelBlock;
import io.github.ringloss4j.nn.RingOutputs;
import io.github.ringloss4j.optim.RingOptimizer;
import io.github.ringloss4j.train.TrainOptions;
import io.github.ringloss4j.training.DivergenceGuard;
import io.github.ringloss4j.training.NormStatistics;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine;

/**
 * The training configurations the benchmarks compare, built with the application's own classes, and
 * one training step as {@code TrainingRun} takes it.
 *
 * <p>Configuration, set through the {@code train} command's options (everything else at the
 * application's defaults): {@code cnn} backbone ({@link Backbones#smallCnn}, d = 128), {@code
 * softmax} head (linear, 10 classes), SGD momentum 0.9, lr 0.01 constant, weight decay 5e−4 ({@link
 * RingOptimizer}), softmax cross-entropy, and for the ring the squared penalty, λ = 0.01, R learned
 * from the first batch's mean norm.
 */
final class TrainSteps {

  /** Fashion-MNIST's classes. */
  static final int CLASSES = 10;

  /** The embedding dimension of the default model. */
  static final int EMBEDDING = 128;

  /** The ring weight of {@link Variant#SOFTMAX_RING}, the paper's λ. */
  static final double LAMBDA = 0.01;

  /** What is trained. */
  enum Variant {
    /** Backbone and head only, softmax cross-entropy: no ring block at all. */
    PLAIN_SOFTMAX("plain-softmax"),
    /** The application's ring model with λ = 0. */
    SOFTMAX("softmax"),
    /** The application's ring model with λ = 0.01. */
    SOFTMAX_RING("softmax+ring");

    private final String label;

    Variant(String label) {
      this.label = label;
    }

    String label() {
      return label;
    }

    static Variant parse(String label) {
      for (Variant v : values()) {
        if (v.label.equals(label.toLowerCase(Locale.ROOT))) {
          return v;
        }
      }
      throw new IllegalArgumentException(
          "variant must be plain-softmax, softmax or softmax+ring, got '" + label + "'");
    }
  }

  private TrainSteps() {}

  /**
   * A batch of random inputs: images uniform in [0, 1) of shape [batch, 1, 28, 28], and class
   * labels of shape [batch] as float32, as the data pipeline delivers them.
   *
   * @param manager where the arrays live
   * @param batch the batch size
   * @return the images and the labels
   */
  static NDList randomBatch(NDManager manager, int batch) {
    NDArray images = manager.randomUniform(0f, 1f, new Shape(batch, 1, 28, 28));
    NDArray labels =
        manager
            .randomInteger(0, CLASSES, new Shape(batch), DataType.INT32)
            .toType(DataType.FLOAT32, false);
    return new NDList(images, labels);
  }

  /**
   * The application's options for a variant, parsed by the {@code train} command's own option
   * class, so that every option not named here keeps the application's default (and new options do
   * not break the benchmarks).
   *
   * @param variant the variant
   * @param batch the batch size
   * @param seed the seed
   * @param extra further command-line options, e.g. {@code --data DIR}
   * @return the options
   */
  static TrainOptions options(Variant variant, int batch, long seed, String... extra) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--model",
                "cnn",
                "--embedding-size",
                Integer.toString(EMBEDDING),
                "--head",
                "softmax",
                "--lambda",
                variant == Variant.SOFTMAX_RING ? Double.toString(LAMBDA) : "0",
                "--penalty",
                "squared",
                "--radius-init",
                "first-batch",
                "--optimizer",
                "sgd",
                "--lr",
                "0.01",
                "--momentum",
                "0.9",
                "--weight-decay",
                "5e-4",
                "--schedule",
                "constant",
                "--epochs",
                "1",
                "--batch-size",
                Integer.toString(batch),
                "--seed",
                Long.toString(seed),
                "--validation-fraction",
                "0"));
    args.addAll(Arrays.asList(extra));
    TrainingOptionsMixin mixin = new TrainingOptionsMixin();
    // Later options win, so callers can override the defaults above.
    new CommandLine(mixin)
        .setOverwrittenOptionsAllowed(true)
        .parseArgs(args.toArray(new String[0]));
    return mixin.toOptions();
  }

  /**
   * Builds, initialises and returns a trainer for a variant.
   *
   * @param variant the variant
   * @param batch the batch size
   * @param seed the engine seed
   * @return the set-up, to be closed
   */
  static Setup create(Variant variant, int batch, long seed) {
    Engine.getInstance().setRandomSeed((int) seed);
    TrainOptions o = options(variant, batch, seed);
    Block block;
    Loss loss;
    RingOptimizer optimizer;
    if (variant == Variant.PLAIN_SOFTMAX) {
      block =
          new SequentialBlock()
              .add(Backbones.create(o.model(), o.embeddingSize()))
              .add(Heads.create(o.head(), CLASSES));
      loss = Loss.softmaxCrossEntropyLoss("softmax");
      optimizer =
          RingOptimizer.builder()
              .setLearningRateTracker(Tracker.fixed((float) o.learningRate()))
              .optWeightDecay((float) o.weightDecay())
              .sgd((float) o.momentum())
              .build(block);
    } else {
      RingModelBlock ring = ModelFactory.block(o, CLASSES);
      block = ring;
      loss = ModelFactory.loss(o);
      optimizer = ModelFactory.optimizer(o, ring, 1);
    }
    Model model = Model.newInstance("bench-" + variant.label());
    model.setBlock(block);
    Trainer trainer = model.newTrainer(new DefaultTrainingConfig(loss).optOptimizer(optimizer));
    trainer.initialize(ModelFactory.inputShape(batch, new int[] {1, 28, 28}));
    return new Setup(model, trainer, loss);
  }

  /** A model, its trainer and its loss. */
  static final class Setup implements AutoCloseable {
    private final Model model;
    private final Trainer trainer;
    private final Loss loss;
    private long bookkeepingNanos;

    Setup(Model model, Trainer trainer, Loss loss) {
      this.model = model;
      this.trainer = trainer;
      this.loss = loss;
    }

    Trainer trainer() {
      return trainer;
    }

    /**
     * One training step on arrays owned by the caller: forward with labels, loss, backward,
     * optimiser step. The arrays are lent to a per-step manager, which frees everything the step
     * creates.
     *
     * @param images [batch, 1, 28, 28] float32
     * @param labels [batch] class indices
     * @return the loss (freed: only its identity is returned)
     */
    NDArray step(NDArray images, NDArray labels) {
      try (NDManager batch = trainer.getManager().newSubManager()) {
        images.tempAttach(batch);
        labels.tempAttach(batch);
        return stepIn(images, labels);
      }
    }

    /**
     * {@link #step}, with the nanoseconds of each phase added to {@code phases}: forward, loss,
     * backward, optimiser step, freeing the step's arrays.
     *
     * @param images [batch, 1, 28, 28] float32
     * @param labels [batch] class indices
     * @param phases five accumulators
     */
    void stepTimed(NDArray images, NDArray labels, long[] phases) {
      NDManager batch = trainer.getManager().newSubManager();
      images.tempAttach(batch);
      labels.tempAttach(batch);
      stepIn(images, labels, phases);
      long t = System.nanoTime();
      batch.close();
      phases[4] += System.nanoTime() - t;
    }

    /**
     * One training step on arrays already in a per-step manager.
     *
     * @param images the images
     * @param labels the labels
     * @return the loss
     */
    NDArray stepIn(NDArray images, NDArray labels) {
      return stepIn(images, labels, null);
    }

    /** {@link #stepIn(NDArray, NDArray)}, adding each phase's nanoseconds to phases if given. */
    private NDArray stepIn(NDArray images, NDArray labels, long[] phases) {
      long t0 = System.nanoTime();
      NDList labelList = new NDList(labels);
      NDArray value;
      long t1;
      long t2;
      try (GradientCollector collector = trainer.newGradientCollector()) {
        NDList predictions = trainer.forward(new NDList(images), labelList);
        t1 = System.nanoTime();
        value = loss.evaluate(labelList, predictions);
        t2 = System.nanoTime();
        collector.backward(value);
      }
      long t3 = System.nanoTime();
      trainer.step();
      if (phases != null) {
        phases[0] += t1 - t0;
        phases[1] += t2 - t1;
        phases[2] += t3 - t2;
        phases[3] += System.nanoTime() - t3;
      }
      return value;
    }

    /**
     * One training step with the per-batch bookkeeping of {@code TrainingRun.epoch}, call for call:
     * the primary and ring terms evaluated apart and added (twice: for the backward pass and for
     * the guard), {@link DivergenceGuard#check}, both loss values read back as doubles, the correct
     * count (argmax, compare, sum, read back) and {@link NormStatistics#add}. Only for the ring
     * model.
     *
     * @param images the images, in a per-step manager
     * @param labels the labels, in the same manager
     * @param guard the run's divergence guard
     * @param norms the epoch's norm statistics
     * @return the number of correct predictions, so nothing is dead code
     */
    long stepInWithBookkeeping(
        NDArray images, NDArray labels, DivergenceGuard guard, NormStatistics norms) {
      RingCompositeLoss ringLoss = (RingCompositeLoss) loss;
      NDList labelList = new NDList(labels);
      NDList predictions;
      NDArray softmaxValue;
      NDArray ringValue;
      NDArray total;
      try (GradientCollector collector = trainer.newGradientCollector()) {
        predictions = trainer.forward(new NDList(images), labelList);
        softmaxValue = ringLoss.getPrimary().evaluate(labelList, predictions);
        ringValue = ringLoss.getRing().evaluate(labelList, predictions);
        total = softmaxValue.add(ringValue);
        collector.backward(total);
      }
      long t0 = System.nanoTime();
      guard.check(predictions, total);
      long t1 = System.nanoTime();
      trainer.step();
      long t2 = System.nanoTime();
      double sum =
          softmaxValue.toType(DataType.FLOAT64, false).getDouble()
              + ringValue.toType(DataType.FLOAT64, false).getDouble();
      long correct =
          predictions
              .get(RingOutputs.LOGITS)
              .argMax(1)
              .toType(DataType.INT64, false)
              .eq(labels.toType(DataType.INT64, false))
              .sum()
              .getLong();
      norms.add(predictions.get(RingOutputs.NORMS));
      bookkeepingNanos += (t1 - t0) + (System.nanoTime() - t2);
      return Double.isNaN(sum) ? -1 : correct;
    }

    /**
     * The time spent in the bookkeeping calls of {@link #stepInWithBookkeeping} since the last
     * reset (the loss terms' separate evaluation excluded: it is inside the gradient collector).
     *
     * @return nanoseconds
     */
    long bookkeepingNanos() {
      return bookkeepingNanos;
    }

    /** Restarts {@link #bookkeepingNanos()} at zero, after the warm-up. */
    void resetBookkeepingNanos() {
      bookkeepingNanos = 0;
    }

    /**
     * A divergence guard on the model's ring, as {@code TrainingRun} creates.
     *
     * @return the guard
     */
    DivergenceGuard newGuard() {
      return new DivergenceGuard(((RingModelBlock) model.getBlock()).getRing());
    }

    /**
     * A batch manager under the trainer's.
     *
     * @return a new sub-manager, to be closed after the step
     */
    NDManager newBatchManager() {
      return trainer.getManager().newSubManager();
    }

    /**
     * The input shape of a batch.
     *
     * @param batch the batch size
     * @return [batch, 1, 28, 28]
     */
    static Shape inputShape(int batch) {
      return new Shape(batch, 1, 28, 28);
    }

    @Override
    public void close() {
      trainer.close();
      model.close();
    }
  }
}
