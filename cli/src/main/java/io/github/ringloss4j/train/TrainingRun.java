package io.github.ringloss4j.train;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import io.github.ringloss4j.head.CenterLoss;
import io.github.ringloss4j.io.CsvWriter;
import io.github.ringloss4j.io.JsonFiles;
import io.github.ringloss4j.loss.RingCompositeLoss;
import io.github.ringloss4j.nn.RingModelBlock;
import io.github.ringloss4j.nn.RingOutputs;
import io.github.ringloss4j.optim.RingOptimizer;
import io.github.ringloss4j.training.DivergenceGuard;
import io.github.ringloss4j.training.NormStatistics;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One training run: softmax (+ λ·ring) on a {@link LabelledSource}, with a checkpoint after every
 * epoch and exact resumption.
 *
 * <p>Determinism: the engine seed fixes the initial weights; epoch e shuffles with {@code
 * Random(seed + 1_000_003·e)} and augments with its own seeded generator, so an interrupted run
 * resumed from its checkpoint replays exactly the batches an uninterrupted run would have seen, and
 * the optimiser's state (momentum, Adam moments, step counts) comes back with it.
 */
public final class TrainingRun {

  private static final Logger LOG = LoggerFactory.getLogger(TrainingRun.class);

  private final TrainOptions options;
  private final LabelledSource train;
  private final LabelledSource validation;
  private final Path outDir;
  private final Progress progress;

  /**
   * Prepares a run.
   *
   * @param options the options
   * @param train the training items
   * @param validation the validation items, possibly empty
   * @param outDir where the checkpoint and metrics go
   * @param progress the progress display
   */
  public TrainingRun(
      TrainOptions options,
      LabelledSource train,
      LabelledSource validation,
      Path outDir,
      Progress progress) {
    this.options = options;
    this.train = train;
    this.validation = validation;
    this.outDir = outDir;
    this.progress = progress;
  }

  /**
   * Trains from scratch, or from {@code resume} when given, up to {@code options.epochs()}.
   *
   * @param resume the checkpoint to continue from, or null
   * @return every epoch's metrics
   * @throws IOException if data, checkpoint or outputs cannot be read or written
   */
  public List<EpochMetrics> run(Checkpoint resume) throws IOException {
    return run(resume, Integer.MAX_VALUE);
  }

  /**
   * Trains at most {@code maxEpochs} more epochs: a time-boxed slice of the run, which {@code
   * --resume} continues exactly as if it had not stopped (the schedule spans all epochs).
   *
   * @param resume the checkpoint to continue from, or null
   * @param maxEpochs the most epochs to train in this call
   * @return every epoch's metrics so far
   * @throws IOException if data, checkpoint or outputs cannot be read or written
   */
  public List<EpochMetrics> run(Checkpoint resume, int maxEpochs) throws IOException {
    Files.createDirectories(outDir);
    Engine.getInstance().setRandomSeed((int) options.seed());
    List<String> classNames = train.classNames();
    RingModelBlock block = ModelFactory.block(options, classNames.size());
    int batches = (train.size() + options.batchSize() - 1) / options.batchSize();
    List<EpochMetrics> history = new ArrayList<>();
    try (Model model = Model.newInstance("ringloss")) {
      model.setBlock(block);
      if (resume != null) {
        // Before the trainer initialises the block: initialize() marks loaded arrays trainable.
        try {
          block.loadParameters(
              model.getNDManager(),
              new DataInputStream(new ByteArrayInputStream(resume.modelParameters())));
        } catch (ai.djl.MalformedModelException e) {
          throw new IOException("checkpoint parameters do not match: " + e.getMessage(), e);
        }
        history.addAll(resume.history());
      }
      RingOptimizer optimizer = ModelFactory.optimizer(options, block, batches);
      RingCompositeLoss loss = ModelFactory.loss(options);
      CenterLoss center = ModelFactory.centerLoss(options, block);
      try (Trainer trainer =
          model.newTrainer(new DefaultTrainingConfig(loss).optOptimizer(optimizer))) {
        trainer.initialize(ModelFactory.inputShape(options.batchSize(), train.itemShape()));
        if (resume != null) {
          optimizer.load(
              model.getNDManager(),
              new DataInputStream(new ByteArrayInputStream(resume.optimizerState())));
          LOG.info("Resuming after epoch {} from {}", history.size(), outDir);
        }
        DivergenceGuard guard = new DivergenceGuard(block.getRing());
        int last = (int) Math.min(options.epochs(), (long) history.size() + maxEpochs);
        for (int epoch = history.size() + 1; epoch <= last; epoch++) {
          EpochMetrics m = epoch(trainer, block, loss, center, optimizer, guard, epoch, batches);
          history.add(m);
          LOG.info(m.summary());
          new Checkpoint(
                  options, classNames, List.copyOf(history), parameters(block), state(optimizer))
              .write(outDir.resolve(Checkpoint.FILE_NAME));
          writeMetrics(outDir, history);
        }
      }
    }
    return history;
  }

  private EpochMetrics epoch(
      Trainer trainer,
      RingModelBlock block,
      RingCompositeLoss loss,
      CenterLoss center,
      RingOptimizer optimizer,
      DivergenceGuard guard,
      int epoch,
      int batches)
      throws IOException {
    int n = train.size();
    int[] order = permutation(n, new Random(options.seed() + 1_000_003L * epoch));
    Random augmentation = options.augment() ? new Random(options.seed() * 31 + epoch) : null;
    double softmax = 0;
    double ring = 0;
    double centerSum = 0;
    long correct = 0;
    NormStatistics norms = new NormStatistics();
    int[] shape = train.itemShape();
    long start = System.nanoTime();
    NDManager root = trainer.getManager();
    for (int b = 0; b < batches; b++) {
      int from = b * options.batchSize();
      int size = Math.min(options.batchSize(), n - from);
      int[] items = Arrays.copyOfRange(order, from, from + size);
      float[] x = train.readBatch(items, augmentation);
      float[] y = train.labelsOf(items);
      try (NDManager batch = root.newSubManager()) {
        NDArray xs = batch.create(x, ModelFactory.inputShape(size, shape));
        NDList labels = new NDList(batch.create(y));
        NDList predictions;
        NDArray softmaxValue;
        NDArray ringValue;
        NDArray centerValue;
        NDArray total;
        try (GradientCollector collector = trainer.newGradientCollector()) {
          predictions = trainer.forward(new NDList(xs), labels);
          softmaxValue = loss.getPrimary().evaluate(labels, predictions);
          ringValue = loss.getRing().evaluate(labels, predictions);
          centerValue = center == null ? null : center.evaluate(labels, predictions);
          total = softmaxValue.add(ringValue);
          if (centerValue != null) {
            total = total.add(centerValue);
          }
          collector.backward(total);
        }
        guard.check(predictions, total);
        trainer.step();
        softmax += softmaxValue.toType(DataType.FLOAT64, false).getDouble() * size;
        ring += ringValue.toType(DataType.FLOAT64, false).getDouble() * size;
        if (centerValue != null) {
          centerSum += centerValue.toType(DataType.FLOAT64, false).getDouble() * size;
        }
        correct += countCorrect(predictions.get(RingOutputs.LOGITS), labels.head());
        norms.add(predictions.get(RingOutputs.NORMS));
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      progress.batch(epoch, options.epochs(), from + size, n, (from + size) / seconds);
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    Validation v = validate(trainer, loss, center);
    float lr =
        optimizer.learningRate(
            block.getEmbedding().getParameters().valueAt(0).getId(), epoch * batches);
    return new EpochMetrics(
        epoch,
        softmax / n,
        ring / n,
        (softmax + ring + centerSum) / n,
        correct / (double) n,
        norms.mean(),
        norms.std(),
        v.softmax,
        v.ring,
        v.softmax + v.ring + v.center,
        v.accuracy,
        v.norms.mean(),
        v.norms.std(),
        LearnedRadius.of(options, block),
        lr,
        seconds,
        n / seconds,
        centerSum / n,
        v.center);
  }

  private record Validation(
      double softmax, double ring, double center, double accuracy, NormStatistics norms) {}

  private Validation validate(Trainer trainer, RingCompositeLoss loss, CenterLoss center)
      throws IOException {
    NormStatistics norms = new NormStatistics();
    int n = validation.size();
    if (n == 0) {
      return new Validation(Double.NaN, Double.NaN, Double.NaN, Double.NaN, norms);
    }
    double softmax = 0;
    double ring = 0;
    double centerSum = 0;
    long correct = 0;
    for (int from = 0; from < n; from += options.batchSize()) {
      int size = Math.min(options.batchSize(), n - from);
      int[] items = LabelledSource.range(from, size);
      float[] x = validation.readBatch(items, null);
      float[] y = validation.labelsOf(items);
      try (NDManager batch = trainer.getManager().newSubManager()) {
        NDList labels = new NDList(batch.create(y));
        NDList p =
            trainer.evaluate(
                new NDList(batch.create(x, ModelFactory.inputShape(size, validation.itemShape()))));
        softmax +=
            loss.getPrimary().evaluate(labels, p).toType(DataType.FLOAT64, false).getDouble()
                * size;
        ring +=
            loss.getRing().evaluate(labels, p).toType(DataType.FLOAT64, false).getDouble() * size;
        if (center != null) {
          centerSum +=
              center.evaluate(labels, p).toType(DataType.FLOAT64, false).getDouble() * size;
        }
        correct += countCorrect(p.get(RingOutputs.LOGITS), labels.head());
        norms.add(p.get(RingOutputs.NORMS));
      }
    }
    return new Validation(softmax / n, ring / n, centerSum / n, correct / (double) n, norms);
  }

  static long countCorrect(NDArray logits, NDArray labels) {
    return logits
        .argMax(1)
        .toType(DataType.INT64, false)
        .eq(labels.toType(DataType.INT64, false))
        .sum()
        .getLong();
  }

  static int[] permutation(int n, Random random) {
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    for (int i = n - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    return order;
  }

  private static byte[] parameters(RingModelBlock block) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    block.saveParameters(new DataOutputStream(bytes));
    return bytes.toByteArray();
  }

  private static byte[] state(RingOptimizer optimizer) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    optimizer.save(out);
    out.flush();
    return bytes.toByteArray();
  }

  /**
   * Writes {@code metrics.csv} and {@code metrics.json}, atomically.
   *
   * @param dir the run directory
   * @param history the epochs so far
   * @throws IOException if writing fails
   */
  public static void writeMetrics(Path dir, List<EpochMetrics> history) throws IOException {
    List<List<String>> rows = new ArrayList<>();
    for (EpochMetrics m : history) {
      List<String> row = new ArrayList<>();
      for (double v : m.values()) {
        row.add(CsvWriter.num(v));
      }
      rows.add(row);
    }
    CsvWriter.write(dir.resolve("metrics.csv"), EpochMetrics.HEADER, rows);
    // The record's components in snake_case are the CSV header's names.
    JsonFiles.write(dir.resolve("metrics.json"), history.toArray(new EpochMetrics[0]));
  }
}
