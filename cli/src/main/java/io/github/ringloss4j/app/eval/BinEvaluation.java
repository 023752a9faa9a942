package io.github.ringloss4j.app.eval;

import ai.djl.Model;
import io.github.ringloss4j.app.data.Datasets;
import io.github.ringloss4j.app.data.ImageSpec;
import io.github.ringloss4j.app.data.VerificationBin;
import io.github.ringloss4j.app.io.DataFormatException;
import io.github.ringloss4j.app.train.Checkpoint;
import io.github.ringloss4j.app.train.VerificationEmbeddings;
import io.github.ringloss4j.metrics.EmbeddingDiagnostics;
import io.github.ringloss4j.metrics.InsightFaceVerification;
import io.github.ringloss4j.metrics.Roc;
import io.github.ringloss4j.nn.RingModelBlock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * {@code evaluate --bin}: a run on InsightFace's verification sets ({@code lfw.bin}, {@code
 * cfp_fp.bin}, {@code agedb_30.bin}, …), reported as the face-recognition literature reports them.
 *
 * <p>Per set: InsightFace's accuracy, the mean ± population standard deviation over its 10 folds in
 * file order ({@link InsightFaceVerification}: the first best threshold of the other nine folds,
 * not this application's median rule of {@code KFoldVerification}), on each image's embedding fused
 * with its mirror image's ({@link VerificationEmbeddings}); the ROC figures the application reports
 * for its own pairs ({@link Roc}: AUC, EER, TAR at {@link Evaluation#FARS}) on the score −‖e₁ −
 * e₂‖² of the fused unit embeddings, which orders the pairs as their cosine does (1 − d²/2); and
 * {@link EmbeddingDiagnostics}' warnings about the plain embeddings. The images get the model's own
 * preprocessing, said in {@link Result#preprocessing}.
 *
 * <p>Sets are evaluated one after another, each read, embedded and released before the next; each
 * distinct image of a set is decoded and embedded once ({@link VerificationEmbeddings#of}).
 */
public final class BinEvaluation {

  private BinEvaluation() {}

  /**
   * One set's figures.
   *
   * @param name the set's name, its file name without {@code .bin}
   * @param file the set's file
   * @param pairs the number of pairs N
   * @param protocol InsightFace's protocol, or null when the embeddings were not finite
   * @param auc ROC AUC, NaN without a protocol or without both kinds of pairs
   * @param eer equal error rate, NaN likewise
   * @param tar TAR at each of {@link Evaluation#FARS}
   * @param resolvable whether each FAR is resolvable with this many impostor pairs
   * @param preprocessing what was done to the images
   * @param warnings what {@link EmbeddingDiagnostics} and the protocol found wrong, empty if
   *     nothing
   */
  public record Result(
      String name,
      Path file,
      int pairs,
      InsightFaceVerification.Result protocol,
      double auc,
      double eer,
      double[] tar,
      boolean[] resolvable,
      String preprocessing,
      List<String> warnings) {

    /**
     * The protocol's accuracy.
     *
     * @return the mean over the folds, NaN without a protocol
     */
    public double accuracy() {
      return protocol == null ? Double.NaN : protocol.meanAccuracy();
    }

    /**
     * The protocol's population standard deviation over the folds.
     *
     * @return the standard deviation, NaN without a protocol
     */
    public double accuracyStd() {
      return protocol == null ? Double.NaN : protocol.standardDeviation();
    }

    /**
     * What {@code evaluate} prints for the set.
     *
     * @return a few lines, each ending with a line break
     */
    public String summary() {
      StringBuilder b = new StringBuilder();
      b.append(
          String.format(
              Locale.ROOT,
              "%-9s accuracy %.4f ± %.4f (InsightFace's protocol: %d pairs, 10 folds, flip-fused)"
                  + "  AUC %.4f  EER %.4f",
              name,
              accuracy(),
              accuracyStd(),
              pairs,
              auc,
              eer));
      for (int i = 0; i < Evaluation.FARS.length; i++) {
        b.append("  TAR@")
            .append(Evaluation.farName(Evaluation.FARS[i]))
            .append(' ')
            .append(resolvable[i] ? String.format(Locale.ROOT, "%.4f", tar[i]) : "n/a");
      }
      b.append(System.lineSeparator());
      b.append("          ").append(file).append(": ").append(preprocessing);
      b.append(System.lineSeparator());
      for (String w : warnings) {
        b.append("          warning: ").append(w).append(System.lineSeparator());
      }
      return b.toString();
    }
  }

  /**
   * Fails on a set that does not exist, before any other work is done.
   *
   * @param files the {@code .bin} files
   * @throws java.nio.file.NoSuchFileException naming the first one that is not a file
   */
  public static void requireFiles(List<Path> files) throws IOException {
    for (Path file : files) {
      if (!Files.isRegularFile(file)) {
        throw new NoSuchFileException(
            file.toString(), null, "no such file: expected an InsightFace verification .bin");
      }
    }
  }

  /**
   * Evaluates sets with a checkpoint's model, in the run's input shape.
   *
   * @param files the {@code .bin} files
   * @param checkpoint the run's checkpoint, which gives the input shape
   * @param model its model, from {@link Checkpoint#loadModel}
   * @return one result per file, in order
   * @throws java.nio.file.NoSuchFileException if a file does not exist
   * @throws DataFormatException naming the file (and image) when a set is malformed
   * @throws IOException if a file cannot be read
   */
  public static List<Result> evaluate(List<Path> files, Checkpoint checkpoint, Model model)
      throws IOException {
    ImageSpec spec = Datasets.inputSpec(checkpoint.options().data());
    RingModelBlock block = (RingModelBlock) model.getBlock();
    return evaluate(
        files,
        bin ->
            VerificationEmbeddings.of(
                bin,
                block.getEmbedding(),
                model.getNDManager(),
                spec,
                checkpoint.options().inputNormalization()));
  }

  /**
   * Evaluates sets with any model: each set read, embedded and scored before the next is read.
   *
   * @param files the {@code .bin} files
   * @param embedder embeds a set's images and their mirror images, e.g. {@code
   *     ModelEmbedder::verificationSet}
   * @return one result per file, in order
   * @throws java.nio.file.NoSuchFileException if a file does not exist
   * @throws DataFormatException naming the file (and image) when a set is malformed
   * @throws IOException if a file cannot be read
   */
  public static List<Result> evaluate(List<Path> files, VerificationEmbeddings.SetEmbedder embedder)
      throws IOException {
    List<Result> results = new ArrayList<>();
    for (Path file : files) {
      VerificationBin bin = VerificationEmbeddings.readSet(file);
      results.add(of(VerificationEmbeddings.name(file), file, embedder.embed(bin)));
    }
    return results;
  }

  /**
   * The figures of a set's embeddings.
   *
   * @param name the set's name
   * @param file the set's file
   * @param e its embeddings
   * @return the figures
   */
  public static Result of(String name, Path file, VerificationEmbeddings e) {
    List<String> warnings = new ArrayList<>(EmbeddingDiagnostics.problems(e.plain()));
    int n = e.issame().length;
    double[] tar = new double[Evaluation.FARS.length];
    boolean[] resolvable = new boolean[Evaluation.FARS.length];
    Arrays.fill(tar, Double.NaN);
    if (!e.finite()) {
      warnings.add("the embeddings are not finite: InsightFace's protocol cannot score them");
      return new Result(
          name,
          file,
          n,
          null,
          Double.NaN,
          Double.NaN,
          tar,
          resolvable,
          e.preprocessing(),
          List.copyOf(warnings));
    }
    double[][] fused = e.fused();
    InsightFaceVerification.Result protocol = InsightFaceVerification.evaluate(fused, e.issame());
    int genuine = 0;
    for (boolean same : e.issame()) {
      genuine += same ? 1 : 0;
    }
    if (genuine == 0 || genuine == n) {
      warnings.add(
          "the set has only " + (genuine == 0 ? "impostor" : "genuine") + " pairs: no ROC");
      return new Result(
          name,
          file,
          n,
          protocol,
          Double.NaN,
          Double.NaN,
          tar,
          resolvable,
          e.preprocessing(),
          List.copyOf(warnings));
    }
    double[] scores = InsightFaceVerification.squaredDistances(fused);
    for (int i = 0; i < scores.length; i++) {
      // Higher means more alike, as Roc expects.
      scores[i] = -scores[i];
    }
    Roc roc = Roc.of(scores, e.issame());
    for (int i = 0; i < tar.length; i++) {
      tar[i] = roc.trueAcceptRateAt(Evaluation.FARS[i]);
      resolvable[i] = roc.resolvable(Evaluation.FARS[i]);
    }
    return new Result(
        name,
        file,
        n,
        protocol,
        roc.auc(),
        roc.equalErrorRate(),
        tar,
        resolvable,
        e.preprocessing(),
        List.copyOf(warnings));
  }
}
