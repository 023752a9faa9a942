package io.github.ringloss4j.app.train;

import io.github.ringloss4j.app.io.JsonFiles;
import java.util.List;
import java.util.Locale;

/**
 * One epoch's numbers, for training and validation: each loss term, accuracy, R and the mean and
 * standard deviation of ‖f‖. NaN where there is no validation data.
 *
 * @param epoch the 1-based epoch
 * @param trainSoftmax mean softmax cross-entropy over the epoch's training batches
 * @param trainRing mean λ·ring term
 * @param trainTotal mean total loss
 * @param trainAccuracy training accuracy: the share of the epoch's training images whose argmax
 *     over the head's plain logits — without a margin head's margin, the logits it gives at
 *     inference — is their class, each with the weights of its step ({@link
 *     io.github.ringloss4j.head.HeadAccuracy}); among the step's sampled classes with Partial FC
 * @param trainNormMean mean ‖f‖ on training batches (training mode)
 * @param trainNormStd standard deviation of ‖f‖ on training batches
 * @param valSoftmax validation softmax cross-entropy
 * @param valRing validation λ·ring term
 * @param valTotal validation total
 * @param valAccuracy validation accuracy, the same definition on the held-out images
 * @param valNormMean mean ‖f‖ on validation data (inference mode)
 * @param valNormStd standard deviation of ‖f‖ on validation data
 * @param radius R at the end of the epoch
 * @param learningRate the learning rate at the end of the epoch
 * @param seconds the epoch's training wall time
 * @param imagesPerSecond training throughput
 * @param trainCenter mean λc·center term on training batches (0 without center loss)
 * @param valCenter the validation center term (0 without center loss)
 * @param trainMagface mean λ_g·MagFace regulariser on training batches (0 without a MagFace head)
 * @param valMagface the validation MagFace regulariser (0 without a MagFace head)
 */
public record EpochMetrics(
    int epoch,
    double trainSoftmax,
    double trainRing,
    double trainTotal,
    double trainAccuracy,
    double trainNormMean,
    double trainNormStd,
    double valSoftmax,
    double valRing,
    double valTotal,
    double valAccuracy,
    double valNormMean,
    double valNormStd,
    double radius,
    double learningRate,
    double seconds,
    double imagesPerSecond,
    double trainCenter,
    double valCenter,
    @JsonFiles.ZeroWhenAbsent double trainMagface,
    @JsonFiles.ZeroWhenAbsent double valMagface) {

  /**
   * The metrics of a run without a MagFace head (its two terms 0).
   *
   * @param epoch the epoch, from 1
   * @param trainSoftmax mean softmax cross-entropy on training batches
   * @param trainRing mean λ·ring term on training batches
   * @param trainTotal mean total loss
   * @param trainAccuracy training accuracy
   * @param trainNormMean mean ‖f‖ on training batches
   * @param trainNormStd standard deviation of ‖f‖ on training batches
   * @param valSoftmax validation softmax cross-entropy
   * @param valRing validation λ·ring term
   * @param valTotal validation total
   * @param valAccuracy validation accuracy
   * @param valNormMean mean ‖f‖ on validation data
   * @param valNormStd standard deviation of ‖f‖ on validation data
   * @param radius R at the end of the epoch
   * @param learningRate the learning rate at the end of the epoch
   * @param seconds the epoch's training wall time
   * @param imagesPerSecond training throughput
   * @param trainCenter mean λc·center term on training batches
   * @param valCenter the validation center term
   */
  public EpochMetrics(
      int epoch,
      double trainSoftmax,
      double trainRing,
      double trainTotal,
      double trainAccuracy,
      double trainNormMean,
      double trainNormStd,
      double valSoftmax,
      double valRing,
      double valTotal,
      double valAccuracy,
      double valNormMean,
      double valNormStd,
      double radius,
      double learningRate,
      double seconds,
      double imagesPerSecond,
      double trainCenter,
      double valCenter) {
    this(
        epoch,
        trainSoftmax,
        trainRing,
        trainTotal,
        trainAccuracy,
        trainNormMean,
        trainNormStd,
        valSoftmax,
        valRing,
        valTotal,
        valAccuracy,
        valNormMean,
        valNormStd,
        radius,
        learningRate,
        seconds,
        imagesPerSecond,
        trainCenter,
        valCenter,
        0,
        0);
  }

  /** The CSV header, in field order. */
  public static final List<String> HEADER =
      List.of(
          "epoch",
          "train_softmax",
          "train_ring",
          "train_total",
          "train_accuracy",
          "train_norm_mean",
          "train_norm_std",
          "val_softmax",
          "val_ring",
          "val_total",
          "val_accuracy",
          "val_norm_mean",
          "val_norm_std",
          "radius",
          "learning_rate",
          "seconds",
          "images_per_second",
          "train_center",
          "val_center",
          "train_magface",
          "val_magface");

  /**
   * The values in {@link #HEADER} order.
   *
   * @return the values
   */
  public double[] values() {
    return new double[] {
      epoch,
      trainSoftmax,
      trainRing,
      trainTotal,
      trainAccuracy,
      trainNormMean,
      trainNormStd,
      valSoftmax,
      valRing,
      valTotal,
      valAccuracy,
      valNormMean,
      valNormStd,
      radius,
      learningRate,
      seconds,
      imagesPerSecond,
      trainCenter,
      valCenter,
      trainMagface,
      valMagface
    };
  }

  /**
   * Parses values in {@link #HEADER} order.
   *
   * @param v the values
   * @return the metrics
   */
  public static EpochMetrics of(double[] v) {
    if (v.length != HEADER.size()) {
      throw new IllegalArgumentException(
          "expected " + HEADER.size() + " metric values, got " + v.length);
    }
    return new EpochMetrics(
        (int) v[0],
        v[1],
        v[2],
        v[3],
        v[4],
        v[5],
        v[6],
        v[7],
        v[8],
        v[9],
        v[10],
        v[11],
        v[12],
        v[13],
        v[14],
        v[15],
        v[16],
        v[17],
        v[18],
        v[19],
        v[20]);
  }

  /**
   * A one-line summary for the log.
   *
   * @return the summary
   */
  public String summary() {
    // "R NaN" or "val … NaN" would read as a diverged run: a run without a ring (λ = 0) or without
    // validation data has no such numbers, and the line says so.
    String val =
        Double.isNaN(valTotal)
            ? "val —"
            : String.format(
                Locale.ROOT,
                "val softmax %.4f ring %.4f acc %.4f ||f|| %.3f±%.3f",
                valSoftmax,
                valRing,
                valAccuracy,
                valNormMean,
                valNormStd);
    return String.format(
        Locale.ROOT,
        "epoch %d: train softmax %.4f ring %.4f acc %.4f ||f|| %.3f±%.3f | %s | R %s | %.0f img/s",
        epoch,
        trainSoftmax,
        trainRing,
        trainAccuracy,
        trainNormMean,
        trainNormStd,
        val,
        Double.isNaN(radius) ? "— (no ring)" : String.format(Locale.ROOT, "%.4f", radius),
        imagesPerSecond);
  }
}
