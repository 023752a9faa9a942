package io.github.ringloss4j.app.train;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import io.github.ringloss4j.app.data.ImageSpec;
import io.github.ringloss4j.app.data.InputNormalization;
import io.github.ringloss4j.app.data.VerificationImages;
import io.github.ringloss4j.app.io.CsvWriter;
import io.github.ringloss4j.app.io.DataFormatException;
import io.github.ringloss4j.app.io.JsonFiles;
import io.github.ringloss4j.metrics.InsightFaceVerification;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The verification sets of {@code train --val} ({@code lfw.bin}, {@code cfp_fp.bin}, …), evaluated
 * while a run trains: at every epoch end and, with {@code --val-every N}, after every N-th training
 * step (counted from the run's start; an epoch's last step is left to its epoch end).
 *
 * <p>Each evaluation embeds every set with the network as it is ({@link VerificationEmbeddings}:
 * the embedding network alone, in inference mode, so evaluating changes nothing the training
 * depends on and a run with {@code --val} trains the same weights as one without) and scores it
 * with InsightFace's protocol. It is logged, shown on the progress line, and recorded:
 *
 * <ul>
 *   <li>{@value #LOG_NAME}{@code .csv} and {@code .json} in the run directory: one row per
 *       evaluation — step, epoch, whether at an epoch end, each set's accuracy and standard
 *       deviation, their mean, and whether it became {@code best.bin};
 *   <li>the epoch-end accuracies as the columns {@code val_<set>_acc} of {@code metrics.csv} and
 *       {@code metrics.json} ({@link #columns});
 *   <li>{@value #BEST_FILE_NAME}: the checkpoint (same format as {@code checkpoint.bin}, written
 *       atomically) of the evaluation with the highest mean accuracy over the sets, the first one
 *       on ties. Mid-epoch it holds the weights and optimiser state of that step with the history
 *       of the epochs completed. {@code evaluate}, {@code embed} and {@code export} read it like a
 *       run directory's checkpoint; {@code --resume} always continues from {@code checkpoint.bin}.
 * </ul>
 *
 * <p>Resume: the log's rows after the checkpoint's step are dropped (that part of the run is
 * replayed, and a seeded run replays it identically), the best mean so far is taken from the rows
 * kept, and an epoch end whose evaluation is missing (a run stopped between its checkpoint and its
 * evaluation) is evaluated at once. The sets are read at the start, so that a bad file fails before
 * hours of training, and again at each evaluation, so that only one set's encoded images are held
 * at a time.
 */
public final class SetValidation {

  private static final Logger LOG = LoggerFactory.getLogger(SetValidation.class);

  /** The log's file name in the run directory, without its {@code .csv} / {@code .json}. */
  public static final String LOG_NAME = "validation_sets";

  /** The best checkpoint's file name in the run directory. */
  public static final String BEST_FILE_NAME = "best.bin";

  /**
   * One set's figures at one evaluation.
   *
   * @param name the set's name ({@link VerificationEmbeddings#name})
   * @param accuracy InsightFace's accuracy, the mean over its 10 folds; NaN if the embeddings were
   *     not finite
   * @param std the population standard deviation of the fold accuracies
   */
  public record SetAccuracy(String name, double accuracy, double std) {}

  /**
   * One evaluation.
   *
   * @param step the training steps done, counted from the run's start
   * @param epoch the epoch it happened in (at its end when {@code epochEnd})
   * @param epochEnd whether it is an epoch end's evaluation
   * @param sets each set's figures, in {@code --val} order
   * @param meanAccuracy the mean of the sets' accuracies, which {@code best.bin} maximises
   * @param best whether this evaluation became {@code best.bin}
   */
  public record Row(
      long step,
      int epoch,
      boolean epochEnd,
      List<SetAccuracy> sets,
      double meanAccuracy,
      boolean best) {}

  /** The run's state as a checkpoint, made only when an evaluation becomes the best. */
  @FunctionalInterface
  interface Snapshot {
    Checkpoint get() throws IOException;
  }

  private final List<Path> files;
  private final List<String> names;
  private final int every;
  private final ImageSpec spec;
  private final InputNormalization input;
  private final Path outDir;
  private final Block embedding;
  private final NDManager manager;
  private final Progress progress;
  private final List<Row> rows;
  private double best = Double.NEGATIVE_INFINITY;
  private boolean described;

  private SetValidation(
      List<Path> files,
      int every,
      ImageSpec spec,
      InputNormalization input,
      Path outDir,
      Block embedding,
      NDManager manager,
      Progress progress,
      List<Row> rows) {
    this.files = List.copyOf(files);
    this.names = files.stream().map(VerificationEmbeddings::name).toList();
    this.every = every;
    this.spec = spec;
    this.input = input;
    this.outDir = outDir;
    this.embedding = embedding;
    this.manager = manager;
    this.progress = progress;
    this.rows = rows;
    for (Row r : rows) {
      if (r.meanAccuracy() > best) {
        best = r.meanAccuracy();
      }
    }
  }

  /**
   * Reads every set and decodes every image of it the way the evaluations will, before any training
   * data are read: a malformed file or an image that does not decode fails now, naming the file,
   * instead of after the first epoch. One image is held at a time.
   *
   * @param run the run's options ({@code --val})
   * @param spec the run's input shape
   * @throws DataFormatException naming the file (and the image) when a set is malformed, has fewer
   *     than 10 pairs or holds an image that does not decode
   * @throws IOException if a set cannot be read
   */
  public static void check(RunOptions run, ImageSpec spec) throws IOException {
    float[] plain = new float[spec.size()];
    float[] flipped = new float[spec.size()];
    for (Path file : run.val()) {
      VerificationImages images =
          new VerificationImages(VerificationEmbeddings.readSet(file), spec);
      for (int i = 0; i < images.count(); i++) {
        images.read(i, plain, flipped, 0);
      }
    }
  }

  /**
   * The validation of a run about to train, checking its sets.
   *
   * @param run the run's options ({@code --val}, {@code --val-every})
   * @param spec the run's input shape
   * @param input the run's input normalisation
   * @param outDir the run directory
   * @param stepsDone the steps the checkpoint it resumes from has done, 0 for a new run
   * @param embedding the network's embedding block
   * @param manager where the evaluation's batches are made
   * @param progress the progress display
   * @return the validation; it does nothing without {@code --val}
   * @throws DataFormatException naming the file if a set is malformed or has fewer than 10 pairs
   * @throws IOException if a set or the log cannot be read
   */
  static SetValidation open(
      RunOptions run,
      ImageSpec spec,
      InputNormalization input,
      Path outDir,
      long stepsDone,
      Block embedding,
      NDManager manager,
      Progress progress)
      throws IOException {
    List<Path> files = run.val();
    for (Path file : files) {
      // Read now so that a bad file fails before the training, not after its first epoch.
      VerificationEmbeddings.readSet(file);
    }
    List<Row> kept = new ArrayList<>();
    if (!files.isEmpty() && stepsDone > 0) {
      for (Row r : readLog(outDir)) {
        if (r.step() <= stepsDone && names(r).equals(named(files))) {
          kept.add(r);
        }
      }
    } else if (!files.isEmpty()) {
      // A new run: a best.bin left in this directory by another run must not pass for its own.
      Files.deleteIfExists(outDir.resolve(BEST_FILE_NAME));
    }
    return new SetValidation(
        files, run.valEvery(), spec, input, outDir, embedding, manager, progress, kept);
  }

  private static List<String> names(Row r) {
    return r.sets().stream().map(SetAccuracy::name).toList();
  }

  private static List<String> named(List<Path> files) {
    return files.stream().map(VerificationEmbeddings::name).toList();
  }

  /**
   * After a training step: evaluates when the step is a multiple of {@code --val-every}, unless it
   * is the epoch's last (its epoch end evaluates).
   *
   * @param step the steps done, counted from the run's start
   * @param epoch the 1-based epoch
   * @param lastOfEpoch whether it was the epoch's last step
   * @param snapshot the run's state, for {@code best.bin}
   * @return the nanoseconds the evaluation took, 0 without one, for the caller to leave out of the
   *     training time
   * @throws IOException if a set cannot be read or an output written
   */
  long afterStep(long step, int epoch, boolean lastOfEpoch, Snapshot snapshot) throws IOException {
    if (files.isEmpty() || every == 0 || step % every != 0 || lastOfEpoch) {
      return 0;
    }
    long start = System.nanoTime();
    evaluate(step, epoch, false, snapshot);
    return System.nanoTime() - start;
  }

  /**
   * At an epoch end, after its checkpoint was written: evaluates.
   *
   * @param epoch the 1-based epoch just completed
   * @param step the steps done
   * @param checkpoint the checkpoint just written, which becomes {@code best.bin} if best
   * @throws IOException if a set cannot be read or an output written
   */
  void atEpochEnd(int epoch, long step, Checkpoint checkpoint) throws IOException {
    if (!files.isEmpty()) {
      evaluate(step, epoch, true, () -> checkpoint);
    }
  }

  /**
   * On resume: evaluates the checkpoint's epoch end if the log lacks it.
   *
   * @param epochsDone the checkpoint's epochs
   * @param stepsDone its steps
   * @param snapshot the resumed state, for {@code best.bin}
   * @throws IOException if a set cannot be read or an output written
   */
  void catchUp(int epochsDone, long stepsDone, Snapshot snapshot) throws IOException {
    boolean missing = rows.stream().noneMatch(r -> r.epochEnd() && r.epoch() == epochsDone);
    if (!files.isEmpty() && epochsDone > 0 && missing) {
      evaluate(stepsDone, epochsDone, true, snapshot);
    }
  }

  /**
   * The columns this validation adds to the metrics files, after {@link EpochMetrics#HEADER}.
   *
   * @return {@code val_<set>_acc} per set, in {@code --val} order; empty without {@code --val}
   */
  List<String> columns() {
    return names.stream().map(name -> "val_" + name + "_acc").toList();
  }

  /**
   * An epoch's values of {@link #columns}: its epoch end's accuracies.
   *
   * @param epoch the 1-based epoch
   * @return one value per set, NaN where the epoch end was not evaluated
   */
  double[] epochColumns(int epoch) {
    double[] v = new double[names.size()];
    Arrays.fill(v, Double.NaN);
    for (Row r : rows) {
      if (r.epochEnd() && r.epoch() == epoch) {
        for (int s = 0; s < v.length; s++) {
          v[s] = r.sets().get(s).accuracy();
        }
      }
    }
    return v;
  }

  private void evaluate(long step, int epoch, boolean epochEnd, Snapshot snapshot)
      throws IOException {
    List<SetAccuracy> sets = new ArrayList<>();
    // The sets that were preprocessed alike, under one description.
    Map<String, List<String>> preprocessing = new LinkedHashMap<>();
    double sum = 0;
    for (int s = 0; s < files.size(); s++) {
      VerificationEmbeddings e =
          VerificationEmbeddings.of(
              VerificationEmbeddings.readSet(files.get(s)), embedding, manager, spec, input);
      preprocessing
          .computeIfAbsent(e.preprocessing(), k -> new ArrayList<>())
          .add(files.get(s).getFileName().toString());
      SetAccuracy a;
      if (e.finite()) {
        InsightFaceVerification.Result r = e.protocol();
        a = new SetAccuracy(names.get(s), r.meanAccuracy(), r.standardDeviation());
      } else {
        LOG.warn("{}: the network's embeddings are not finite; no accuracy", files.get(s));
        a = new SetAccuracy(names.get(s), Double.NaN, Double.NaN);
      }
      sets.add(a);
      sum += a.accuracy();
    }
    if (!described) {
      described = true;
      preprocessing.forEach(
          (how, named) -> LOG.info("Validation sets {}: {}", String.join(", ", named), how));
    }
    double mean = sum / sets.size();
    // NaN is never the best: the comparison is false.
    boolean isBest = mean > best;
    if (isBest) {
      best = mean;
      Checkpoint checkpoint = snapshot.get();
      TrainingRun.writing(outDir.resolve(BEST_FILE_NAME), checkpoint::write);
    }
    Row row = new Row(step, epoch, epochEnd, List.copyOf(sets), mean, isBest);
    rows.add(row);
    writeLog();
    String figures = describe(row);
    progress.status(figures);
    LOG.info(
        "step {} ({} {}): {}{}",
        step,
        epochEnd ? "end of epoch" : "epoch",
        epoch,
        figures,
        isBest ? " — best so far, written to " + outDir.resolve(BEST_FILE_NAME) : "");
  }

  private static String describe(Row row) {
    StringBuilder b = new StringBuilder();
    for (SetAccuracy a : row.sets()) {
      b.append(String.format(Locale.ROOT, "%s %.4f ± %.4f, ", a.name(), a.accuracy(), a.std()));
    }
    return b.append(String.format(Locale.ROOT, "mean %.4f", row.meanAccuracy())).toString();
  }

  private void writeLog() throws IOException {
    List<String> header = new ArrayList<>(List.of("step", "epoch", "epoch_end"));
    for (String name : names) {
      header.add("val_" + name + "_acc");
      header.add("val_" + name + "_std");
    }
    header.addAll(List.of("mean_acc", "best"));
    List<List<String>> lines = new ArrayList<>();
    for (Row r : rows) {
      List<String> line = new ArrayList<>();
      line.add(CsvWriter.num(r.step()));
      line.add(Integer.toString(r.epoch()));
      line.add(r.epochEnd() ? "1" : "0");
      for (SetAccuracy a : r.sets()) {
        line.add(CsvWriter.num(a.accuracy()));
        line.add(CsvWriter.num(a.std()));
      }
      line.add(CsvWriter.num(r.meanAccuracy()));
      line.add(r.best() ? "1" : "0");
      lines.add(line);
    }
    TrainingRun.writing(
        outDir.resolve(LOG_NAME + ".csv"), file -> CsvWriter.write(file, header, lines));
    TrainingRun.writing(outDir.resolve(LOG_NAME + ".json"), file -> JsonFiles.write(file, rows));
  }

  /**
   * The evaluations a run directory's log records, for the report and for resuming.
   *
   * @param runDirectory the run directory
   * @return the rows in order; empty when the run has no log (trained without {@code --val})
   * @throws DataFormatException naming the file when it is malformed
   * @throws IOException if it cannot be read
   */
  public static List<Row> readLog(Path runDirectory) throws IOException {
    Path file = runDirectory.resolve(LOG_NAME + ".json");
    return Files.exists(file) ? List.of(JsonFiles.read(file, Row[].class)) : List.of();
  }
}
