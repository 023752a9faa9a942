package io.github.ringloss4j.app.train;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.Trainer;
import io.github.ringloss4j.app.data.Augmentation;
import io.github.ringloss4j.app.data.BatchReader;
import io.github.ringloss4j.app.data.ImageSpec;
import io.github.ringloss4j.app.data.InputNormalization;
import io.github.ringloss4j.app.data.LabelledSource;
import io.github.ringloss4j.app.data.Permutations;
import io.github.ringloss4j.app.io.CsvWriter;
import io.github.ringloss4j.app.io.DataFormatException;
import io.github.ringloss4j.app.io.IoConsumer;
import io.github.ringloss4j.app.io.JsonFiles;
import io.github.ringloss4j.app.io.OutputPaths;
import io.github.ringloss4j.app.model.ExportedModels;
import io.github.ringloss4j.app.model.ModelFactory;
import io.github.ringloss4j.app.model.Schedule;
import io.github.ringloss4j.head.CenterLoss;
import io.github.ringloss4j.head.PartialFcMemory;
import io.github.ringloss4j.loss.MagFaceRegularizer;
import io.github.ringloss4j.loss.RingCompositeLoss;
import io.github.ringloss4j.nn.RingModelBlock;
import io.github.ringloss4j.optim.RingOptimizer;
import io.github.ringloss4j.serving.ModelDirectory;
import io.github.ringloss4j.training.DivergenceGuard;
import io.github.ringloss4j.training.NormStatistics;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.IntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One training run: softmax (+ λ·ring) on a {@link LabelledSource}, with a checkpoint after every
 * epoch and exact resumption.
 *
 * <p>Determinism: the engine seed fixes the initial weights; epoch e shuffles with {@code
 * Random(seed + 1_000_003·e)} and augments each sample with a generator of its own, derived from
 * (seed, e, its position in the epoch) ({@link Augmentation}), so an interrupted run resumed from
 * its checkpoint replays exactly the batches an uninterrupted run would have seen, whatever the
 * number of data workers, and the optimiser's state (momentum, Adam moments, step counts) comes
 * back with it.
 *
 * <p>Input: training and validation batches are read by a {@link BatchReader}, which decodes and
 * augments on {@code --workers} threads, {@code --prefetch} batches ahead of the step; the workers
 * also apply the run's input normalisation ({@link InputNormalization}: none by default).
 *
 * <p>With {@code --val}, InsightFace verification sets are evaluated at every epoch end and every
 * {@code --val-every} steps, and the best checkpoint by their mean accuracy is kept ({@link
 * SetValidation}).
 *
 * <p>Divergence: nothing of an epoch is written until the epoch has proved sound. The guard checks
 * every step before its update; after the epoch's last update, which no step sees, the parameters
 * are checked and the validation pass goes through the same guard. A diverged epoch therefore stops
 * the run ({@link io.github.ringloss4j.training.DivergenceException}) with the checkpoint and
 * metrics of the last good epoch untouched, byte for byte, and the guard counts steps from the
 * run's start, so the step in its message is the same whether or not the run was resumed.
 */
public final class TrainingRun {

  private static final Logger LOG = LoggerFactory.getLogger(TrainingRun.class);

  // The loss terms' indices in TrainingStep.terms(loss, center, magface); the center and MagFace
  // terms may be absent, and then their index is past the last term (BatchTally.sum gives 0).
  private static final int SOFTMAX = 0;
  private static final int RING = 1;
  private static final int ABSENT = Integer.MAX_VALUE;
  private int centerTerm = ABSENT;
  private int magfaceTerm = ABSENT;

  private final TrainOptions options;
  private final LabelledSource train;
  private final LabelledSource validation;
  private final Path outDir;
  private final Progress progress;
  private Device[] devices = {Device.cpu()};
  private Path classSource;
  private SetValidation sets;
  // The batch the run trains with: --batch-size, at most the training images.
  private int batchSize;
  // What the network is fed instead of x/255 (--input-mean, --input-std).
  private InputNormalization input;

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
   * Trains on these devices, in data parallel over their splits of each batch.
   *
   * @param devices at least one device; default the CPU
   * @return this run
   */
  public TrainingRun onDevices(Device... devices) {
    if (devices.length == 0) {
      throw new IllegalArgumentException("a run needs at least one device");
    }
    this.devices = devices.clone();
    return this;
  }

  /**
   * Names where the number of classes comes from, for the message when the head does not fit in
   * memory ({@link MemoryBudget}): a packed set's {@code property} file, an image folder.
   *
   * @param file the file or folder, or null when the count is fixed (IDX data)
   * @return this run
   */
  public TrainingRun classesFrom(Path file) {
    this.classSource = file;
    return this;
  }

  /**
   * Trains from scratch, or from {@code resume} when given, up to {@code --epochs}.
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
    // The directory is made with the first checkpoint (AtomicFiles): a run that fails before
    // finishing an epoch leaves nothing behind, not even the directories that write made.
    Path existing = CreatedDirectories.nearestExisting(outDir);
    boolean written = false;
    try {
      List<EpochMetrics> history = train(resume, maxEpochs);
      written = true;
      return history;
    } finally {
      if (!written && !Files.exists(outDir.resolve(Checkpoint.FILE_NAME))) {
        CreatedDirectories.removeEmpty(outDir, existing);
      }
    }
  }

  private List<EpochMetrics> train(Checkpoint resume, int maxEpochs) throws IOException {
    RunOptions r = options.run();
    // Before anything is allocated: thread counts this machine cannot run.
    BatchReader.Settings reading = options.data().reading();
    if (train.size() < 2) {
      // Datasets.openForTraining names the options that left so few; this guards other callers.
      throw new IllegalArgumentException(
          "training needs at least 2 images, got " + train.size() + " for " + outDir);
    }
    batchSize = Math.min(r.batchSize(), train.size());
    if (batchSize < r.batchSize()) {
      LOG.info(
          "--batch-size {} is more than the {} training images: each batch holds all {}",
          r.batchSize(),
          train.size(),
          batchSize);
    }
    Engine.getInstance().setRandomSeed((int) r.seed());
    // Before anything is built: a face network on other inputs is an option error, not a crash.
    options.model().backbone().checkInput(train.itemShape());
    // Before the input normalisation is read: --init-from's directory sets it when not given.
    ModelDirectory initFrom =
        resume == null && options.model().initFrom() != null
            ? ExportedModels.check(options.model(), train.itemShape())
            : null;
    input = options.inputNormalization();
    List<String> classNames = train.classNames();
    // Building the blocks allocates nothing; their parameters are made by initialize() below.
    RingModelBlock block = ModelFactory.block(options.model(), options.ring(), classNames.size());
    if (options.model().sparseUpdate() && devices.length > 1) {
      throw new IllegalArgumentException(
          "--sparse-update trains on one device, got --devices with " + devices.length);
    }
    // What the head costs decides whether many identities fit: say it before training, and refuse
    // a head this machine cannot hold before any of it is allocated.
    int embeddingSize = options.model().embeddingSize();
    PartialFcMemory head =
        ModelFactory.headMemory(block, classNames.size(), embeddingSize, batchSize);
    LOG.info("{}", head.describe());
    int[] shape = train.itemShape();
    MemoryBudget.require(
        MemoryBudget.estimate(
            head,
            options,
            !options.model().head().isSoftmax(),
            (long) shape[0] * shape[1] * shape[2],
            reading.prefetch()),
        classNames.size(),
        embeddingSize,
        batchSize,
        classSource);
    int perEpoch = imagesPerEpoch(train.size(), batchSize);
    if (perEpoch < train.size()) {
      LOG.info(
          "{} training images in batches of {} would leave a last batch of one image, which batch"
              + " norm cannot train on: each epoch leaves out the last image of its shuffled order"
              + " (a different one each epoch)",
          train.size(),
          batchSize);
    }
    int batches = (perEpoch + batchSize - 1) / batchSize;
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
          throw new DataFormatException(
              outDir.resolve(Checkpoint.FILE_NAME),
              "the saved parameters do not match the saved options: " + e.getMessage(),
              e);
        }
        history.addAll(resume.history());
      } else if (initFrom != null) {
        // Likewise before initialize(), which then draws only the head's and the ring's values.
        ExportedModels.load(initFrom, block.getEmbedding(), model.getNDManager());
        LOG.info("Backbone initialised from {}", options.model().initFrom());
      }
      RingOptimizer optimizer =
          ModelFactory.optimizer(options.optimizer(), block, r.epochs(), batches);
      RingCompositeLoss loss = ModelFactory.loss(block);
      CenterLoss center = ModelFactory.centerLoss(options.model(), block);
      MagFaceRegularizer magface = ModelFactory.magFaceRegularizer(block);
      centerTerm = center == null ? ABSENT : 2;
      magfaceTerm = magface == null ? ABSENT : center == null ? 2 : 3;
      try (Trainer trainer =
          model.newTrainer(
              new DefaultTrainingConfig(loss).optOptimizer(optimizer).optDevices(devices))) {
        // R's first-batch start waits for every device's split of the first batch.
        block.getRing().setSplitsPerBatch(devices.length);
        trainer.initialize(ModelFactory.inputShape(batchSize, train.itemShape()));
        if (resume != null) {
          optimizer.load(
              model.getNDManager(),
              new DataInputStream(new ByteArrayInputStream(resume.optimizerState())));
          LOG.info("Resuming after epoch {} from {}", history.size(), outDir);
          warnIfScheduleChanged(resume, batches);
        }
        DivergenceGuard guard = new DivergenceGuard(block.getRing());
        guard.setStepsDone((long) history.size() * batches);
        TrainingStep step =
            new TrainingStep(trainer, TrainingStep.terms(loss, center, magface), guard);
        SetValidation.Snapshot snapshot =
            () ->
                new Checkpoint(
                    options, classNames, List.copyOf(history), parameters(block), state(optimizer));
        int[] item = train.itemShape();
        sets =
            SetValidation.open(
                r,
                new ImageSpec(item[1], item[2], item[0]),
                input,
                outDir,
                (long) history.size() * batches,
                block.getEmbedding(),
                trainer.getManager(),
                progress);
        sets.catchUp(history.size(), (long) history.size() * batches, snapshot);
        int last = (int) Math.min(r.epochs(), (long) history.size() + maxEpochs);
        for (int epoch = history.size() + 1; epoch <= last; epoch++) {
          // Throws before anything of this epoch is written when it diverged.
          EpochMetrics m = epoch(trainer, step, guard, block, optimizer, epoch, batches, snapshot);
          history.add(m);
          LOG.info(m.summary());
          Checkpoint checkpoint = snapshot.get();
          writing(outDir.resolve(Checkpoint.FILE_NAME), checkpoint::write);
          sets.atEpochEnd(epoch, (long) epoch * batches, checkpoint);
          writeMetrics(outDir, history, sets.columns(), sets::epochColumns);
        }
      }
    }
    return history;
  }

  private EpochMetrics epoch(
      Trainer trainer,
      TrainingStep step,
      DivergenceGuard guard,
      RingModelBlock block,
      RingOptimizer optimizer,
      int epoch,
      int batches,
      SetValidation.Snapshot snapshot)
      throws IOException {
    RunOptions r = options.run();
    int n = imagesPerEpoch(train.size(), batchSize);
    int[] order =
        Arrays.copyOf(Permutations.of(train.size(), new Random(r.seed() + 1_000_003L * epoch)), n);
    // Each sample's crop and flip come from (seed, epoch, position): the same whatever the workers.
    Augmentation augmentation = options.data().augment() ? new Augmentation(r.seed(), epoch) : null;
    BatchTally tally = new BatchTally(step.termCount());
    int[] shape = train.itemShape();
    long start = System.nanoTime();
    EpochTiming timing = new EpochTiming(epoch);
    NDManager root = trainer.getManager();
    try (BatchReader reader =
        BatchReader.open(
            input.applyTo(train), order, batchSize, augmentation, options.data().reading())) {
      int done = 0;
      for (int b = 0; b < batches; b++) {
        long asked = System.nanoTime();
        BatchReader.Batch next = reader.next();
        long got = System.nanoTime();
        int size = next.size();
        try (NDManager batch = root.newSubManager()) {
          NDArray xs = batch.create(next.images(), ModelFactory.inputShape(size, shape));
          NDArray labels = batch.create(next.labels());
          TrainingStep.Result result = step.take(xs, labels);
          tally.add(result.terms(), result.predictions(), labels, size);
        }
        timing.step(b, got - asked, System.nanoTime() - got);
        done += size;
        double seconds = (System.nanoTime() - start) / 1e9;
        progress.batch(epoch, r.epochs(), done, n, done / seconds);
        // An evaluation's time is not training time: it is left out of the throughput.
        start +=
            sets.afterStep((long) (epoch - 1) * batches + b + 1, epoch, b == batches - 1, snapshot);
      }
      timing.log(reader.timing());
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    double softmax = tally.sum(SOFTMAX);
    double ring = tally.sum(RING);
    double centerSum = tally.sum(centerTerm);
    double magfaceSum = tally.sum(magfaceTerm);
    NormStatistics norms = tally.norms();
    // The last update of the epoch was checked by no step.
    guard.checkParameters(block);
    Validation v = validate(trainer, step, guard);
    float lr =
        optimizer.learningRate(
            block.getEmbedding().getParameters().valueAt(0).getId(), epoch * batches);
    return new EpochMetrics(
        epoch,
        softmax / n,
        ring / n,
        (softmax + ring + centerSum + magfaceSum) / n,
        tally.correct() / (double) n,
        norms.mean(),
        norms.std(),
        v.softmax,
        v.ring,
        v.softmax + v.ring + v.center + v.magface,
        v.accuracy,
        v.norms.mean(),
        v.norms.std(),
        LearnedRadius.of(options, block),
        lr,
        seconds,
        n / seconds,
        centerSum / n,
        v.center,
        magfaceSum / n,
        v.magface);
  }

  /**
   * The images an epoch trains on: all of them, unless that would end the epoch with a batch of a
   * single image. Batch norm in training mode normalises each channel over the batch, and a single
   * value per channel (a 1×1 map of one image, as in MobileFaceNet's GDC or IResNet's feature
   * layer) has no variance, so PyTorch refuses it; the face community drops such a batch too
   * (PyTorch's {@code drop_last}). Only the one image is left out, the last of the epoch's shuffled
   * order, so each epoch leaves out another.
   *
   * @param size the training images
   * @param batchSize the images per batch
   * @return {@code size − 1} if {@code size mod batchSize = 1} and {@code size > 1}, else {@code
   *     size}
   */
  public static int imagesPerEpoch(int size, int batchSize) {
    return size > 1 && size % batchSize == 1 ? size - 1 : size;
  }

  private record Validation(
      double softmax,
      double ring,
      double center,
      double magface,
      double accuracy,
      NormStatistics norms) {}

  private Validation validate(Trainer trainer, TrainingStep step, DivergenceGuard guard)
      throws IOException {
    int n = validation.size();
    if (n == 0) {
      return new Validation(
          Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, new NormStatistics());
    }
    BatchTally tally = new BatchTally(step.termCount());
    try (BatchReader reader =
        BatchReader.inOrder(input.applyTo(validation), batchSize, options.data().reading())) {
      while (reader.hasNext()) {
        BatchReader.Batch next = reader.next();
        int size = next.size();
        try (NDManager batch = trainer.getManager().newSubManager()) {
          NDList labels = new NDList(batch.create(next.labels()));
          NDList p =
              trainer.evaluate(
                  new NDList(
                      batch.create(
                          next.images(), ModelFactory.inputShape(size, validation.itemShape()))));
          List<NDArray> terms = step.evaluate(labels, p);
          guard.checkHeldOut(p, TrainingStep.sum(terms));
          tally.add(terms, p, labels.head(), size);
        }
      }
    }
    return new Validation(
        tally.sum(SOFTMAX) / n,
        tally.sum(RING) / n,
        tally.sum(centerTerm) / n,
        tally.sum(magfaceTerm) / n,
        tally.correct() / (double) n,
        tally.norms());
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
    writeMetrics(dir, history, List.of(), epoch -> new double[0]);
  }

  /**
   * Writes {@code metrics.csv} and {@code metrics.json}, atomically, with further columns after
   * {@link EpochMetrics#HEADER}, such as the {@code --val} sets' accuracies. {@code metrics.json}
   * still reads as {@code EpochMetrics[]}: readers skip the keys they do not know.
   *
   * @param dir the run directory
   * @param history the epochs so far
   * @param extraHeader the further columns' names
   * @param extra an epoch's values of the further columns, one per name
   * @throws IOException if writing fails
   */
  static void writeMetrics(
      Path dir, List<EpochMetrics> history, List<String> extraHeader, IntFunction<double[]> extra)
      throws IOException {
    List<String> header = new ArrayList<>(EpochMetrics.HEADER);
    header.addAll(extraHeader);
    List<List<String>> rows = new ArrayList<>();
    List<Map<String, Object>> objects = new ArrayList<>();
    for (EpochMetrics m : history) {
      double[] values = m.values();
      double[] more = extra.apply(m.epoch());
      List<String> row = new ArrayList<>();
      // The CSV header's names are the record's components in snake_case, as JsonFiles writes them,
      // so metrics.json keeps the keys it had as an array of records.
      Map<String, Object> object = new LinkedHashMap<>();
      for (int i = 0; i < header.size(); i++) {
        double v = i < values.length ? values[i] : more[i - values.length];
        // An empty cell where there is no value (no validation data, no ring's R), as JSON's
        // null: "NaN" would read as a diverged number.
        row.add(Double.isNaN(v) ? "" : CsvWriter.num(v));
        // The epoch stays an integer, as the record writes it.
        object.put(header.get(i), i == 0 ? (Object) m.epoch() : v);
      }
      rows.add(row);
      objects.add(object);
    }
    writing(dir.resolve("metrics.csv"), file -> CsvWriter.write(file, header, rows));
    writing(dir.resolve("metrics.json"), file -> JsonFiles.write(file, objects));
  }

  /**
   * Writes a run's output so that a failure names the file: a full disk's {@link IOException} says
   * only "No space left on device".
   *
   * @param file the output
   * @param write writes it
   * @throws FileSystemException naming {@code file} when the failure named no path
   * @throws IOException the failure itself when it named one
   */
  static void writing(Path file, IoConsumer<Path> write) throws IOException {
    try {
      write.accept(file);
    } catch (FileSystemException e) {
      throw e.getFile() != null ? e : named(file, e);
    } catch (DataFormatException e) {
      throw e;
    } catch (IOException e) {
      String message = e.getMessage();
      throw message != null && message.contains(file.toString()) ? e : named(file, e);
    }
  }

  private static FileSystemException named(Path file, IOException e) {
    FileSystemException named =
        new FileSystemException(file.toString(), null, OutputPaths.systemReason(e));
    named.initCause(e);
    return named;
  }

  /**
   * On resume with other {@code --epochs}: the schedule (cosine, step) spans all the run's steps,
   * so the epochs done followed the saved length's curve and the rest follows the new one from
   * where it stands; the run then matches neither a run of the old length nor one of the new.
   */
  private void warnIfScheduleChanged(Checkpoint resume, int batches) {
    int saved = resume.options().run().epochs();
    int now = options.run().epochs();
    if (saved == now || options.optimizer().schedule() == Schedule.CONSTANT) {
      return;
    }
    int step = resume.epochsDone() * batches;
    LOG.warn(
        "--epochs {} on resume (checkpoint: {}) with the {} schedule: the {} epochs done followed"
            + " the {}-epoch schedule, the rest follows the {}-epoch one from step {}; the learning"
            + " rate there moves from {} to {}, and the run matches neither a {}-epoch run nor a"
            + " {}-epoch one",
        now,
        saved,
        options.optimizer().schedule(),
        resume.epochsDone(),
        saved,
        now,
        step,
        ModelFactory.schedule(options.optimizer(), saved, batches).getNewValue(step),
        ModelFactory.schedule(options.optimizer(), now, batches).getNewValue(step),
        saved,
        now);
  }
}
