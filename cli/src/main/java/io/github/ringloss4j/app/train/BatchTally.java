package io.github.ringloss4j.app.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import io.github.ringloss4j.head.HeadAccuracy;
import io.github.ringloss4j.nn.RingOutputs;
import io.github.ringloss4j.training.NormStatistics;
import java.util.List;

/**
 * Running sums over the batches of an epoch or of a validation pass of the ring model: each loss
 * term weighted by its batch's size, the correct predictions, the statistics of ‖f‖. Reading a term
 * back waits for the engine, so this is the per-batch bookkeeping whose cost the benchmarks report.
 *
 * <p>A prediction is right as {@link HeadAccuracy} defines it: the argmax of the head's plain
 * logits, without the margin a margin head applies in training, so that the training accuracy
 * measures the classifier the validation accuracy measures.
 */
public final class BatchTally {

  private final double[] sums;
  private long correct;
  private final NormStatistics norms = new NormStatistics();

  /**
   * Creates empty sums.
   *
   * @param terms the number of loss terms
   */
  public BatchTally(int terms) {
    this.sums = new double[terms];
  }

  /**
   * Adds one batch.
   *
   * @param terms each loss term's mean over the batch
   * @param predictions the ring model's outputs
   * @param labels the labels
   * @param size the batch size
   */
  public void add(List<NDArray> terms, NDList predictions, NDArray labels, int size) {
    for (int i = 0; i < sums.length; i++) {
      sums[i] += terms.get(i).toType(DataType.FLOAT64, false).getDouble() * size;
    }
    // The library's definition: the plain (margin-free) logits' argmax, among the sampled
    // classes with Partial FC.
    correct += HeadAccuracy.correct(labels, predictions).sum().getLong();
    norms.add(RingOutputs.get(predictions, RingOutputs.NORMS));
  }

  /**
   * A term's sum over items.
   *
   * @param term the term's index
   * @return Σ batch size × batch mean, 0 for a term that is absent
   */
  public double sum(int term) {
    return term < sums.length ? sums[term] : 0;
  }

  /**
   * The number of correct predictions.
   *
   * @return the count
   */
  public long correct() {
    return correct;
  }

  /**
   * The statistics of ‖f‖.
   *
   * @return the running statistics
   */
  public NormStatistics norms() {
    return norms;
  }
}
