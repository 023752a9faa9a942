package io.github.ringloss4j.app.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.github.ringloss4j.metrics.EngineIdentification;
import io.github.ringloss4j.metrics.Identification;
import io.github.ringloss4j.metrics.KFoldVerification;
import io.github.ringloss4j.metrics.PairSampler;
import io.github.ringloss4j.metrics.Roc;
import io.github.ringloss4j.metrics.Similarity;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Classification, verification and identification numbers for a set of embeddings.
 *
 * <p>Verification, per score (cosine and Euclidean): ROC AUC, EER, TAR at FAR = 1e−1 … 1e−4 (a FAR
 * below 1/impostors is marked unresolvable), and LFW-style k-fold accuracy with the threshold of
 * each fold chosen on the other folds. Identification: rank-1 and rank-5 with one gallery image per
 * identity and the rest as probes ({@link Identification#galleryProbeSplit}), cosine score, scored
 * by the engine ({@link EngineIdentification}) in chunks so memory stays bounded.
 */
public final class Evaluation {

  /** The false-accept rates at which TAR is reported. */
  public static final double[] FARS = {1e-1, 1e-2, 1e-3, 1e-4};

  /** The identification ranks reported. */
  private static final int[] RANKS = {1, 5};

  private Evaluation() {}

  /**
   * Verification pairs: indices into the embeddings.
   *
   * @param first the first item of each pair
   * @param second the second item
   * @param genuine whether the pair shares an identity
   * @param fold the fold of each pair
   * @param folds the number of folds
   * @param protocol how the pairs were made, for the report
   */
  public record PairSet(
      int[] first, int[] second, boolean[] genuine, int[] fold, int folds, String protocol) {

    /**
     * Pairs drawn from labels with a fixed seed ({@link PairSampler}), as many of each kind as
     * asked for or as the labels allow, whichever is fewer, in up to 10 folds (fewer when there are
     * fewer than 10 pairs of a kind, so that every fold holds both kinds).
     *
     * @param labels the labels
     * @param perKind genuine pairs and impostor pairs to draw ({@code --pairs-per-kind})
     * @param seed the seed
     * @return the pairs; the protocol says when the data allowed fewer than asked
     * @throws IllegalArgumentException naming {@code --pairs-per-kind} when the labels allow fewer
     *     than 2 pairs of a kind (see {@link #available})
     */
    public static PairSet sampled(int[] labels, int perKind, long seed) {
      PairSampler.Available available = PairSampler.available(labels);
      int genuine = (int) Math.min(perKind, available.genuine());
      int impostor = (int) Math.min(perKind, available.impostor());
      if (genuine < 2 || impostor < 2) {
        throw new IllegalArgumentException(
            "--pairs-per-kind "
                + perKind
                + ": the data allow only "
                + available.genuine()
                + " genuine and "
                + available.impostor()
                + " impostor pairs; verification needs at least 2 of each");
      }
      int folds = Math.min(10, Math.min(genuine, impostor));
      PairSampler.Pairs p = PairSampler.sample(labels, genuine, impostor, folds, seed);
      String capped =
          genuine < perKind || impostor < perKind
              ? String.format(
                  Locale.ROOT,
                  " (--pairs-per-kind %d: the data allow only %d genuine and %d impostor pairs)",
                  perKind,
                  available.genuine(),
                  available.impostor())
              : "";
      return new PairSet(
          p.first(),
          p.second(),
          p.genuine(),
          p.fold(),
          folds,
          String.format(
              Locale.ROOT,
              "%d genuine + %d impostor pairs drawn uniformly from the test labels (seed %d)%s,"
                  + " %d folds",
              genuine,
              impostor,
              seed,
              capped,
              folds));
    }

    /**
     * Whether labels allow the drawn protocol: at least 2 genuine and 2 impostor pairs.
     *
     * @param labels the labels
     * @return true when {@link #sampled} can draw pairs from them
     */
    public static boolean available(int[] labels) {
      PairSampler.Available a = PairSampler.available(labels);
      return a.genuine() >= 2 && a.impostor() >= 2;
    }
  }

  /**
   * One score's verification numbers.
   *
   * @param score {@code cosine} or {@code euclidean}
   * @param auc ROC AUC
   * @param eer equal error rate
   * @param tar TAR at each of {@link #FARS}
   * @param resolvable whether each FAR is resolvable with this many impostors
   * @param foldMean k-fold accuracy mean
   * @param foldStd k-fold accuracy standard deviation
   * @param foldThresholds the threshold chosen for each fold
   * @param far the ROC curve's false-accept rates
   * @param tarCurve the ROC curve's true-accept rates
   */
  public record Verification(
      String score,
      double auc,
      double eer,
      double[] tar,
      boolean[] resolvable,
      double foldMean,
      double foldStd,
      double[] foldThresholds,
      double[] far,
      double[] tarCurve) {

    /**
     * The name of the k-fold accuracy with this protocol's k, for every place that prints it.
     *
     * @return e.g. {@code 10-fold}, {@code 2-fold} with a pairs file of two folds
     */
    public String kFold() {
      return foldThresholds.length + "-fold";
    }
  }

  /**
   * Everything {@code evaluate} reports.
   *
   * @param accuracy classification accuracy of the softmax head
   * @param normMean mean ‖f‖
   * @param normStd standard deviation of ‖f‖
   * @param radius the model's R
   * @param verification cosine and Euclidean results
   * @param genuine the number of genuine pairs
   * @param impostor the number of impostor pairs
   * @param protocol how the pairs were made
   * @param rank1 identification rank-1 rate
   * @param rank5 identification rank-5 rate
   * @param gallery gallery size
   * @param probes probes scored
   */
  public record Result(
      double accuracy,
      double normMean,
      double normStd,
      double radius,
      List<Verification> verification,
      int genuine,
      int impostor,
      String protocol,
      double rank1,
      double rank5,
      int gallery,
      int probes) {

    /**
     * A human-readable summary.
     *
     * @return the text
     */
    public String summary() {
      StringBuilder b = new StringBuilder();
      b.append(
          String.format(
              Locale.ROOT,
              "accuracy %s | ||f|| %.3f ± %.3f | R %s%n",
              Double.isNaN(accuracy)
                  ? "n/a (the evaluation classes are not all training classes)"
                  : String.format(Locale.ROOT, "%.4f", accuracy),
              normMean,
              normStd,
              Double.isNaN(radius) ? "— (no ring)" : String.format(Locale.ROOT, "%.4f", radius)));
      b.append("pairs: ").append(protocol).append(System.lineSeparator());
      for (Verification x : verification) {
        b.append(
            String.format(
                Locale.ROOT,
                "%-9s AUC %.4f  EER %.4f  %s acc %.4f ± %.4f",
                x.score(),
                x.auc(),
                x.eer(),
                x.kFold(),
                x.foldMean(),
                x.foldStd()));
        for (int i = 0; i < FARS.length; i++) {
          b.append("  TAR@")
              .append(farName(FARS[i]))
              .append(' ')
              .append(x.resolvable()[i] ? String.format(Locale.ROOT, "%.4f", x.tar()[i]) : "n/a");
        }
        b.append(System.lineSeparator());
      }
      b.append(
          probes == 0
              ? String.format(
                  Locale.ROOT,
                  "identification n/a (no class has two images: no probes, gallery %d)%n",
                  gallery)
              : String.format(
                  Locale.ROOT,
                  "identification rank-1 %.4f rank-5 %.4f (%d probes, gallery %d)%n",
                  rank1,
                  rank5,
                  probes,
                  gallery));
      return b.toString();
    }
  }

  /**
   * A short name for a FAR: 1e-3.
   *
   * @param far the rate
   * @return the name
   */
  public static String farName(double far) {
    return String.format(Locale.ROOT, "%.0e", far).replace("e-0", "e-");
  }

  /**
   * Evaluates embeddings.
   *
   * @param e the embeddings
   * @param pairs the verification pairs
   * @param radius the model's R
   * @param seed the seed of the gallery/probe split
   * @return the result
   */
  public static Result evaluate(Embedder.Embedded e, PairSet pairs, double radius, long seed) {
    return evaluate(e, e.accuracy(), pairs, radius, seed);
  }

  /**
   * Evaluates embeddings whose classification accuracy was computed by the caller, e.g. with the
   * classes matched by name ({@link Embedder.Embedded#accuracy(List, List)}).
   *
   * @param e the embeddings
   * @param accuracy the classification accuracy, NaN when not applicable
   * @param pairs the verification pairs
   * @param radius the model's R
   * @param seed the seed of the gallery/probe split
   * @return the result
   */
  public static Result evaluate(
      Embedder.Embedded e, double accuracy, PairSet pairs, double radius, long seed) {
    List<Verification> verification = new ArrayList<>();
    for (Similarity similarity : Similarity.values()) {
      verification.add(verify(e.features(), pairs, similarity));
    }
    double normMean = 0;
    for (float n : e.norms()) {
      normMean += n;
    }
    normMean /= e.norms().length;
    double var = 0;
    for (float n : e.norms()) {
      var += (n - normMean) * (n - normMean);
    }
    double normStd = Math.sqrt(var / e.norms().length);
    Identification.Split split = Identification.galleryProbeSplit(e.labels(), seed);
    Identification.Result id = identify(e.features(), e.labels(), split);
    int genuine = 0;
    for (boolean g : pairs.genuine()) {
      genuine += g ? 1 : 0;
    }
    return new Result(
        accuracy,
        normMean,
        normStd,
        radius,
        verification,
        genuine,
        pairs.genuine().length - genuine,
        pairs.protocol(),
        id.rateAt(1),
        id.rateAt(5),
        split.gallery().length,
        id.evaluatedProbes());
  }

  /**
   * Verification of pairs within one set of embeddings.
   *
   * @param features the embeddings, indexed by the pairs
   * @param pairs the pairs
   * @param similarity the score
   * @return the verification numbers
   */
  public static Verification verify(float[][] features, PairSet pairs, Similarity similarity) {
    return verify(features, features, pairs, similarity);
  }

  /**
   * Verification of pairs whose two sides come from different embeddings of the same items, e.g.
   * full-resolution gallery images against low-resolution probes.
   *
   * @param first the embeddings of each pair's first item
   * @param second the embeddings of each pair's second item
   * @param pairs the pairs, indices into both
   * @param similarity the score
   * @return the numbers
   */
  public static Verification verify(
      float[][] first, float[][] second, PairSet pairs, Similarity similarity) {
    double[] scores = new double[pairs.first().length];
    for (int p = 0; p < scores.length; p++) {
      scores[p] = similarity.score(first[pairs.first()[p]], second[pairs.second()[p]]);
    }
    Roc roc = Roc.of(scores, pairs.genuine());
    double[] tar = new double[FARS.length];
    boolean[] resolvable = new boolean[FARS.length];
    for (int i = 0; i < FARS.length; i++) {
      tar[i] = roc.trueAcceptRateAt(FARS[i]);
      resolvable[i] = roc.resolvable(FARS[i]);
    }
    KFoldVerification.Result folds =
        KFoldVerification.evaluate(scores, pairs.genuine(), pairs.fold(), pairs.folds());
    return new Verification(
        similarity.name().toLowerCase(Locale.ROOT),
        roc.auc(),
        roc.equalErrorRate(),
        tar,
        resolvable,
        folds.meanAccuracy(),
        folds.standardDeviation(),
        folds.thresholds(),
        roc.falseAcceptRates(),
        roc.trueAcceptRates());
  }

  /**
   * Rank-1 and rank-5 identification, cosine score, scored by the engine ({@link
   * EngineIdentification}: the ranks of {@link Identification#evaluate} bit for bit, at about the
   * cost of one matrix product instead of some sixty).
   *
   * @param features the embeddings, [n][d]
   * @param labels the label of each embedding
   * @param split which embeddings form the gallery and which are probes
   * @return the rates at ranks 1 and 5
   */
  static Identification.Result identify(
      float[][] features, int[] labels, Identification.Split split) {
    int[] galleryLabels = selectLabels(labels, split.gallery());
    int[] probeLabels = selectLabels(labels, split.probes());
    if (split.probes().length == 0) {
      // No class has two items: nothing to identify, which is what the data allow, not an error.
      return new Identification.Result(RANKS, new double[] {Double.NaN, Double.NaN}, 0, 0);
    }
    if (split.gallery().length == 0) {
      // An error; the pure-Java path names it at no cost, where the engine path would first fail
      // on reducing an empty array.
      return Identification.evaluate(
          select(features, split.gallery()),
          galleryLabels,
          select(features, split.probes()),
          probeLabels,
          Similarity.COSINE,
          RANKS,
          1);
    }
    try (NDManager manager = NDManager.newBaseManager()) {
      return EngineIdentification.evaluate(
          matrix(manager, features, split.gallery()),
          galleryLabels,
          matrix(manager, features, split.probes()),
          probeLabels,
          Similarity.COSINE,
          RANKS);
    }
  }

  /** The chosen rows as one float32 [rows, d] array. */
  private static NDArray matrix(NDManager manager, float[][] rows, int[] indices) {
    int d = rows[indices[0]].length;
    float[] flat = new float[Math.multiplyExact(indices.length, d)];
    for (int i = 0; i < indices.length; i++) {
      float[] row = rows[indices[i]];
      if (row.length != d) {
        throw new IllegalArgumentException(
            "embedding " + indices[i] + " has " + row.length + " values, expected " + d);
      }
      System.arraycopy(row, 0, flat, i * d, d);
    }
    return manager.create(flat, new Shape(indices.length, d));
  }

  private static float[][] select(float[][] rows, int[] indices) {
    float[][] out = new float[indices.length][];
    for (int i = 0; i < indices.length; i++) {
      out[i] = rows[indices[i]];
    }
    return out;
  }

  private static int[] selectLabels(int[] labels, int[] indices) {
    int[] out = new int[indices.length];
    for (int i = 0; i < indices.length; i++) {
      out[i] = labels[indices[i]];
    }
    return out;
  }
}
