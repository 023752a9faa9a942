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
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import io.github.ringloss4j.app.model.ModelFactory;
import io.github.ringloss4j.app.train.BatchTally;
import io.github.ringloss4j.app.train.TrainOptions;
import io.github.ringloss4j.app.train.TrainingStep;
import io.github.ringloss4j.loss.RingCompositeLoss;
import io.github.ringloss4j.nn.RingModelBlock;
import io.github.ringloss4j.optim.RingOptimizer;
import io.github.ringloss4j.training.DivergenceGuard;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The training configurations the benchmarks compare, built with the application's own classes, and
 * the application's own training step ({@link TrainingStep}), which {@code TrainingRun} takes.
 *
 * <p>Configuration, set through the {@code train} command's options (everything else at the
 * application's defaults): {@code cnn} backbone ({@code Backbones.smallCnn}, d = 128), {@code
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

  /**
   * The backbone, embedding size, input item shape and number of classes of a benchmark model.
   *
   * @param model the {@code --model} name ({@code Backbones})
   * @param embedding the embedding dimension d
   * @param item the input item shape, channels × height × width
   * @param classes the classes of the linear head
   */
  record Arch(String model, int embedding, int[] item, int classes) {

    /** The default model on Fashion-MNIST: {@code cnn}, d = 128, 1×28×28, 10 classes. */
    static final Arch CNN = new Arch("cnn", EMBEDDING, new int[] {1, 28, 28}, CLASSES);

    /**
     * A face-recognition backbone at 3×112×112, d = 512.
     *
     * @param model {@code mobilefacenet} or {@code iresnet50} (any face backbone name)
     * @param classes the classes of the head
     * @return the architecture
     */
    static Arch face(String model, int classes) {
      return new Arch(model, 512, new int[] {3, 112, 112}, classes);
    }

    /**
     * The architecture a {@code --model} option names: {@link #CNN} for {@code cnn}, else a face
     * backbone.
     *
     * @param model the name
     * @param classes the classes of a face model's head
     * @return the architecture
     */
    static Arch parse(String model, int classes) {
      return model.equals("cnn") ? CNN : face(model, classes);
    }

    /**
     * The shape of a batch of inputs.
     *
     * @param batch the batch size
     * @return [batch, c, h, w]
     */
    Shape inputShape(int batch) {
      return new Shape(batch, item[0], item[1], item[2]);
    }

    /**
     * The number of floats of one item.
     *
     * @return c·h·w
     */
    int itemSize() {
      return item[0] * item[1] * item[2];
    }
  }

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
   * A pool of random batches, cycled through by the face-model loops as {@code train_ring.py
   * --model} cycles its own: images uniform in [0, 1) and uniform class labels, made once from a
   * fixed seed.
   *
   * @param images per batch, {@code batch · c · h · w} floats
   * @param labels per batch, {@code batch} class indices as floats
   */
  record RandomPool(float[][] images, float[][] labels) {

    /** Batches in the pool. */
    static final int SIZE = 4;

    /**
     * Makes the pool, from seed 42.
     *
     * @param arch the model (item shape and classes)
     * @param batch the batch size
     * @return the pool
     */
    static RandomPool of(Arch arch, int batch) {
      java.util.Random random = new java.util.Random(42);
      float[][] xs = new float[SIZE][batch * arch.itemSize()];
      float[][] ys = new float[SIZE][batch];
      for (int p = 0; p < SIZE; p++) {
        for (int i = 0; i < xs[p].length; i++) {
          xs[p][i] = random.nextFloat();
        }
        for (int i = 0; i < batch; i++) {
          ys[p][i] = random.nextInt(arch.classes());
        }
      }
      return new RandomPool(xs, ys);
    }

    /**
     * Step {@code step}'s batch, copied into new arrays of a manager, as a data pipeline would.
     *
     * @param manager the per-step manager
     * @param arch the model
     * @param step the step number
     * @return the images and the labels
     */
    NDList batch(NDManager manager, Arch arch, int step) {
      int p = step % SIZE;
      int batch = labels[p].length;
      return new NDList(
          manager.create(images[p], arch.inputShape(batch)), manager.create(labels[p]));
    }
  }

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
   * The application's options for a variant, parsed the way the {@code train} command parses them
   * ({@link TrainOptions#parse}), so that every option not named here keeps the application's
   * default (and new options do not break the benchmarks).
   *
   * @param variant the variant
   * @param batch the batch size
   * @param seed the seed
   * @param extra further command-line options, e.g. {@code --data DIR}; later options win
   * @return the options
   */
  static TrainOptions options(Variant variant, int batch, long seed, String... extra) {
    return options(Arch.CNN, variant, batch, seed, extra);
  }

  /**
   * {@link #options(Variant, int, long, String...)} for another architecture.
   *
   * @param arch the model
   * @param variant the variant
   * @param batch the batch size
   * @param seed the seed
   * @param extra further command-line options; later options win
   * @return the options
   */
  static TrainOptions options(Arch arch, Variant variant, int batch, long seed, String... extra) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--model",
                arch.model(),
                "--embedding-size",
                Integer.toString(arch.embedding()),
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
    return TrainOptions.parse(args);
  }

  /**
   * Builds, initialises and returns a trainer for a variant, with the application's model, loss and
   * optimiser ({@link ModelFactory}) and its training step ({@link TrainingStep}).
   *
   * @param variant the variant
   * @param batch the batch size
   * @param seed the engine seed
   * @return the set-up, to be closed
   */
  static Setup create(Variant variant, int batch, long seed) {
    return create(Arch.CNN, variant, batch, seed);
  }

  /**
   * {@link #create(Variant, int, long)} for another architecture.
   *
   * @param arch the model
   * @param variant the variant
   * @param batch the batch size
   * @param seed the engine seed
   * @return the set-up, to be closed
   */
  static Setup create(Arch arch, Variant variant, int batch, long seed) {
    Engine.getInstance().setRandomSeed((int) seed);
    TrainOptions o = options(arch, variant, batch, seed);
    Block block;
    Loss loss;
    List<Loss> terms;
    if (variant == Variant.PLAIN_SOFTMAX) {
      block =
          new SequentialBlock()
              .add(o.model().backbone().create(o.model().embeddingSize()))
              .add(o.model().head().create(arch.classes()));
      loss = Loss.softmaxCrossEntropyLoss("softmax");
      terms = List.of(loss);
    } else {
      RingModelBlock ring = ModelFactory.block(o.model(), o.ring(), arch.classes());
      RingCompositeLoss ringLoss = ModelFactory.loss(ring);
      block = ring;
      loss = ringLoss;
      terms = TrainingStep.terms(ringLoss, null);
    }
    // One epoch of one step: with the constant schedule the learning rate is the base rate.
    RingOptimizer optimizer = ModelFactory.optimizer(o.optimizer(), block, 1, 1);
    Model model = Model.newInstance("bench-" + variant.label());
    model.setBlock(block);
    Trainer trainer = model.newTrainer(new DefaultTrainingConfig(loss).optOptimizer(optimizer));
    trainer.initialize(ModelFactory.inputShape(batch, arch.item()));
    DivergenceGuard guard =
        block instanceof RingModelBlock ring ? new DivergenceGuard(ring.getRing()) : null;
    return new Setup(model, trainer, terms, guard);
  }

  /**
   * A model, its trainer and the application's training step on it: without the divergence check
   * (the lean step of a training loop) and, for the ring model, with it, as {@code TrainingRun}
   * takes it.
   */
  static final class Setup implements AutoCloseable {
    private final Model model;
    private final Trainer trainer;
    private final TrainingStep lean;
    private final TrainingStep guarded;
    private final long[] phases = new long[TrainingStep.Phase.values().length];
    private long bookkeepingNanos;

    Setup(Model model, Trainer trainer, List<Loss> terms, DivergenceGuard guard) {
      this.model = model;
      this.trainer = trainer;
      this.lean = new TrainingStep(trainer, terms, null);
      this.guarded = guard == null ? null : new TrainingStep(trainer, terms, guard);
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
     * {@link #step}, with the nanoseconds of each phase added to {@code phases}: those of {@link
     * TrainingStep.Phase}, then freeing the step's arrays.
     *
     * @param images [batch, 1, 28, 28] float32
     * @param labels [batch] class indices
     * @param phases one accumulator per {@link TrainingStep.Phase}, and one for freeing
     */
    void stepTimed(NDArray images, NDArray labels, long[] phases) {
      NDManager batch = trainer.getManager().newSubManager();
      images.tempAttach(batch);
      labels.tempAttach(batch);
      lean.take(images, labels, phases);
      long t = System.nanoTime();
      batch.close();
      phases[TrainingStep.Phase.values().length] += System.nanoTime() - t;
    }

    /**
     * One training step on arrays already in a per-step manager, adding the nanoseconds of each
     * {@link TrainingStep.Phase} to {@code phases}.
     *
     * @param images the images
     * @param labels the labels
     * @param phases one accumulator per {@link TrainingStep.Phase}
     * @return what the step computed, in the caller's manager
     */
    TrainingStep.Result stepInTimed(NDArray images, NDArray labels, long[] phases) {
      return lean.take(images, labels, phases);
    }

    /**
     * One training step on arrays already in a per-step manager.
     *
     * @param images the images
     * @param labels the labels
     * @return the loss
     */
    NDArray stepIn(NDArray images, NDArray labels) {
      return lean.take(images, labels).total();
    }

    /**
     * One training step with the per-batch bookkeeping of {@code TrainingRun}, by the same code:
     * the step with its divergence check, then {@link BatchTally#add} (the loss terms read back as
     * doubles, the correct count, the norm statistics). Only for the ring model.
     *
     * @param images the images, in a per-step manager
     * @param labels the labels, in the same manager
     * @param tally the epoch's sums
     */
    void stepInWithBookkeeping(NDArray images, NDArray labels, BatchTally tally) {
      int check = TrainingStep.Phase.DIVERGENCE_CHECK.ordinal();
      long checkBefore = phases[check];
      TrainingStep.Result result = guarded.take(images, labels, phases);
      long t = System.nanoTime();
      tally.add(result.terms(), result.predictions(), labels, (int) labels.size());
      bookkeepingNanos += (phases[check] - checkBefore) + (System.nanoTime() - t);
    }

    /**
     * The time spent in the bookkeeping of {@link #stepInWithBookkeeping} since the last reset: the
     * divergence check and the tally (the loss terms' separate evaluation excluded: it is inside
     * the gradient collector).
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
     * Empty sums for {@link #stepInWithBookkeeping}, as {@code TrainingRun} keeps per epoch.
     *
     * @return the tally
     * @throws IllegalStateException for the plain-softmax model, which has no ring outputs
     */
    BatchTally newTally() {
      if (guarded == null) {
        throw new IllegalStateException("bookkeeping needs the ring model");
      }
      return new BatchTally(guarded.termCount());
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
