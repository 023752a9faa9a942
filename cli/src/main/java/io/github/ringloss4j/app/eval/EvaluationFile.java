package io.github.ringloss4j.app.eval;

import com.google.gson.JsonElement;
import com.google.gson.JsonParser;
import com.google.gson.annotations.SerializedName;
import io.github.ringloss4j.app.io.DataFormatException;
import io.github.ringloss4j.app.io.JsonFiles;
import io.github.ringloss4j.app.train.Checkpoint;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.zip.CRC32C;

/**
 * What {@code evaluation.json} holds: the numbers of an {@link Evaluation.Result} without the ROC
 * curves, those of InsightFace's verification sets when {@code evaluate --bin} scored them, and the
 * command line that produced them. Written by {@code evaluate} and {@code report}, read by {@code
 * verify}; keys in {@code snake_case}, NaN as {@code null} ({@link JsonFiles}). Files written
 * before {@code verification_sets} existed read with an empty list.
 *
 * <p>Each file records the checkpoint it belongs to (its file name and CRC-32C, {@link
 * Checkpoint.Origin}), and each checkpoint of a run has its own file ({@link #fileFor}): {@code
 * verify} decides with the threshold of the checkpoint it scores with, and refuses a file of
 * another one, or one written before this record existed.
 *
 * @param command the command line that produced it
 * @param checkpoint the file name of the checkpoint evaluated
 * @param checkpointCrc32c that checkpoint's CRC-32C, 8 hexadecimal digits
 * @param accuracy classification accuracy of the softmax head
 * @param normMean mean ‖f‖
 * @param normStd standard deviation of ‖f‖
 * @param radius the model's R, NaN (null) without a trained ring
 * @param pairsProtocol how the verification pairs were made
 * @param genuinePairs the number of genuine pairs
 * @param impostorPairs the number of impostor pairs
 * @param verification cosine and Euclidean results
 * @param identificationRank1 identification rank-1 rate
 * @param identificationRank5 identification rank-5 rate
 * @param identificationGallery gallery size
 * @param identificationProbes probes scored
 * @param verificationSets the {@code --bin} sets' figures, empty without {@code --bin}
 */
public record EvaluationFile(
    String command,
    String checkpoint,
    String checkpointCrc32c,
    double accuracy,
    double normMean,
    double normStd,
    double radius,
    String pairsProtocol,
    int genuinePairs,
    int impostorPairs,
    List<Score> verification,
    double identificationRank1,
    double identificationRank5,
    int identificationGallery,
    int identificationProbes,
    @JsonFiles.EmptyWhenAbsent List<VerificationSet> verificationSets) {

  /** The file name inside a run directory, for its {@code checkpoint.bin}. */
  public static final String FILE_NAME = "evaluation.json";

  /**
   * One score's verification numbers. The four TAR keys are those of {@link Evaluation#FARS}, in
   * its order; a FAR that the pairs cannot resolve is NaN (null).
   *
   * @param score {@code cosine} or {@code euclidean}
   * @param auc ROC AUC
   * @param eer equal error rate
   * @param tarAtFar1 TAR at FAR = 1e−1
   * @param tarAtFar2 TAR at FAR = 1e−2
   * @param tarAtFar3 TAR at FAR = 1e−3
   * @param tarAtFar4 TAR at FAR = 1e−4
   * @param kfoldAccuracyMean k-fold accuracy mean
   * @param kfoldAccuracyStd k-fold accuracy standard deviation
   * @param kfoldThresholds the threshold chosen for each fold
   */
  public record Score(
      String score,
      double auc,
      double eer,
      @SerializedName("tar_at_far_1e-1") double tarAtFar1,
      @SerializedName("tar_at_far_1e-2") double tarAtFar2,
      @SerializedName("tar_at_far_1e-3") double tarAtFar3,
      @SerializedName("tar_at_far_1e-4") double tarAtFar4,
      double kfoldAccuracyMean,
      double kfoldAccuracyStd,
      double[] kfoldThresholds) {

    static Score of(Evaluation.Verification v) {
      if (Evaluation.FARS.length != 4) {
        throw new IllegalStateException(
            "Score has keys for 4 FARs, Evaluation.FARS has " + Evaluation.FARS.length);
      }
      return new Score(
          v.score(),
          v.auc(),
          v.eer(),
          tar(v, 0),
          tar(v, 1),
          tar(v, 2),
          tar(v, 3),
          v.foldMean(),
          v.foldStd(),
          v.foldThresholds());
    }

    private static double tar(Evaluation.Verification v, int i) {
      return v.resolvable()[i] ? v.tar()[i] : Double.NaN;
    }

    /**
     * The mean of the k-fold thresholds: the threshold {@code verify} decides with.
     *
     * @return the mean, NaN when there are no thresholds
     */
    public double meanThreshold() {
      double sum = 0;
      for (double t : kfoldThresholds) {
        sum += t;
      }
      return kfoldThresholds.length == 0 ? Double.NaN : sum / kfoldThresholds.length;
    }
  }

  /**
   * One InsightFace verification set's figures ({@link BinEvaluation}). The four TAR keys are those
   * of {@link Evaluation#FARS}; a FAR that the pairs cannot resolve is NaN (null), as is every
   * figure the set's embeddings could not give (see {@code warnings}).
   *
   * @param name the set's name, its file name without {@code .bin}
   * @param file the {@code .bin} file
   * @param pairs the number of pairs
   * @param accuracy InsightFace's accuracy: the mean over its 10 folds
   * @param accuracyStd the population standard deviation over the folds
   * @param foldAccuracies each fold's accuracy, in file order
   * @param foldThresholds each fold's squared-distance threshold, chosen on the other nine
   * @param auc ROC AUC of the fused embeddings
   * @param eer equal error rate
   * @param tarAtFar1 TAR at FAR = 1e−1
   * @param tarAtFar2 TAR at FAR = 1e−2
   * @param tarAtFar3 TAR at FAR = 1e−3
   * @param tarAtFar4 TAR at FAR = 1e−4
   * @param preprocessing what was done to the images
   * @param warnings what the embedding diagnostics found, empty when nothing
   */
  public record VerificationSet(
      String name,
      String file,
      int pairs,
      double accuracy,
      double accuracyStd,
      double[] foldAccuracies,
      double[] foldThresholds,
      double auc,
      double eer,
      @SerializedName("tar_at_far_1e-1") double tarAtFar1,
      @SerializedName("tar_at_far_1e-2") double tarAtFar2,
      @SerializedName("tar_at_far_1e-3") double tarAtFar3,
      @SerializedName("tar_at_far_1e-4") double tarAtFar4,
      String preprocessing,
      List<String> warnings) {

    static VerificationSet of(BinEvaluation.Result r) {
      double[] tar = new double[r.tar().length];
      for (int i = 0; i < tar.length; i++) {
        tar[i] = r.resolvable()[i] ? r.tar()[i] : Double.NaN;
      }
      return new VerificationSet(
          r.name(),
          r.file().toString(),
          r.pairs(),
          r.accuracy(),
          r.accuracyStd(),
          r.protocol() == null ? new double[0] : r.protocol().accuracies(),
          r.protocol() == null ? new double[0] : r.protocol().thresholds(),
          r.auc(),
          r.eer(),
          tar[0],
          tar[1],
          tar[2],
          tar[3],
          r.preprocessing(),
          r.warnings());
    }
  }

  /**
   * The file's content for a result.
   *
   * @param result the evaluation
   * @param command the command line that produced it
   * @param checkpoint the checkpoint evaluated
   * @return the content
   */
  public static EvaluationFile of(
      Evaluation.Result result, String command, Checkpoint.Origin checkpoint) {
    List<Score> scores = new ArrayList<>();
    for (Evaluation.Verification v : result.verification()) {
      scores.add(Score.of(v));
    }
    return new EvaluationFile(
        command,
        checkpoint.fileName(),
        checkpoint.checksum(),
        result.accuracy(),
        result.normMean(),
        result.normStd(),
        result.radius(),
        result.protocol(),
        result.genuine(),
        result.impostor(),
        List.copyOf(scores),
        result.rank1(),
        result.rank5(),
        result.gallery(),
        result.probes(),
        List.of());
  }

  /**
   * The content for an exported model directory, which only {@code --bin} evaluates (it has no
   * head, ring or data of its own): every figure of the application's own evaluation is NaN (null)
   * or 0, and the checkpoint is the export's parameter file, with its CRC-32C.
   *
   * @param command the command line that produced it
   * @param parameters the export's parameter file
   * @return the content, without sets yet ({@link #withVerificationSets})
   * @throws IOException if the parameter file cannot be read
   */
  public static EvaluationFile ofExport(String command, Path parameters) throws IOException {
    CRC32C crc = new CRC32C();
    try (InputStream in = Files.newInputStream(parameters)) {
      byte[] buffer = new byte[1 << 16];
      for (int n; (n = in.read(buffer)) > 0; ) {
        crc.update(buffer, 0, n);
      }
    }
    return new EvaluationFile(
        command,
        parameters.getFileName().toString(),
        String.format("%08x", (int) crc.getValue()),
        Double.NaN,
        Double.NaN,
        Double.NaN,
        Double.NaN,
        "none: an exported model directory is evaluated on --bin sets only",
        0,
        0,
        List.of(),
        Double.NaN,
        Double.NaN,
        0,
        0,
        List.of());
  }

  /**
   * This content with the figures of InsightFace's verification sets.
   *
   * @param sets the sets' results, in the order they were given
   * @return the new content
   */
  public EvaluationFile withVerificationSets(List<BinEvaluation.Result> sets) {
    return new EvaluationFile(
        command,
        checkpoint,
        checkpointCrc32c,
        accuracy,
        normMean,
        normStd,
        radius,
        pairsProtocol,
        genuinePairs,
        impostorPairs,
        verification,
        identificationRank1,
        identificationRank5,
        identificationGallery,
        identificationProbes,
        sets.stream().map(VerificationSet::of).toList());
  }

  /**
   * One score's numbers.
   *
   * @param name {@code cosine} or {@code euclidean}
   * @return the numbers, empty when the file has none for that score
   */
  public Optional<Score> score(String name) {
    return verification.stream().filter(s -> s.score().equals(name)).findFirst();
  }

  /**
   * The evaluation file of a checkpoint: {@code RUN/}{@value #FILE_NAME} for the run's {@code
   * checkpoint.bin}, {@code RUN/evaluation-NAME.json} for another checkpoint {@code RUN/NAME.bin}
   * ({@code best.bin}), so that evaluating one never replaces the figures of the other.
   *
   * @param checkpointFile the checkpoint file ({@link Checkpoint#fileOf})
   * @return the file, next to the checkpoint
   */
  public static Path fileFor(Path checkpointFile) {
    Path absolute = checkpointFile.toAbsolutePath();
    String name = absolute.getFileName().toString();
    if (name.equals(Checkpoint.FILE_NAME)) {
      return absolute.resolveSibling(FILE_NAME);
    }
    String stem = name.endsWith(".bin") ? name.substring(0, name.length() - 4) : name;
    return absolute.resolveSibling("evaluation-" + stem + ".json");
  }

  /**
   * Fails unless this file belongs to {@code checkpoint}: a threshold chosen for one checkpoint
   * decides nothing for another.
   *
   * @param file this file's path, for the message
   * @param checkpoint the checkpoint about to be used with its figures
   * @throws DataFormatException naming both when they differ
   */
  public void requireFor(Path file, Checkpoint.Origin checkpoint) throws DataFormatException {
    if (!checkpoint.fileName().equals(this.checkpoint)
        || !checkpoint.checksum().equalsIgnoreCase(checkpointCrc32c)) {
      throw new DataFormatException(
          file,
          "it belongs to checkpoint "
              + this.checkpoint
              + " (CRC-32C "
              + checkpointCrc32c
              + "), not to "
              + checkpoint.file()
              + " (CRC-32C "
              + checkpoint.checksum()
              + ") which is being used: run 'ringloss evaluate "
              + checkpoint.file()
              + "' again, or give a threshold");
    }
  }

  /**
   * Writes the file atomically.
   *
   * @param file the target, usually {@link #fileFor} the checkpoint
   * @throws IOException if writing fails; an existing file is then unchanged
   */
  public void write(Path file) throws IOException {
    JsonFiles.write(file, this);
  }

  /**
   * Reads a file that {@link #write} wrote.
   *
   * @param file the file
   * @return the content
   * @throws IOException naming the file when it is missing, not JSON or lacks a field; for a file
   *     of an older version, which does not record its checkpoint, saying to evaluate again
   */
  public static EvaluationFile read(Path file) throws IOException {
    try {
      return JsonFiles.read(file, EvaluationFile.class);
    } catch (DataFormatException e) {
      if (lacksCheckpointRecord(file)) {
        throw new DataFormatException(
            file,
            "written by an older ringloss4j, it does not record which checkpoint it belongs to;"
                + " run 'ringloss evaluate' on the checkpoint again",
            e);
      }
      throw e;
    }
  }

  /** Whether the file is a JSON object without the {@code checkpoint} key, after a failed read. */
  private static boolean lacksCheckpointRecord(Path file) {
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      JsonElement json = JsonParser.parseReader(reader);
      return json.isJsonObject() && !json.getAsJsonObject().has("checkpoint");
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }
}
