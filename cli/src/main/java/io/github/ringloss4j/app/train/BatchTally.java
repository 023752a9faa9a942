package io.github.ringloss4j.app.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import io.github.ringloss4j.loss.SampledLabelsLoss;
import io.github.ringloss4j.nn.RingOutputs;
import io.github.ringloss4j.training.NormStatistics;
import java.util.List;

/**
 * Running sums over the batches of an epoch or of a validation pass of the ring model: each loss
 * term weighted by its batch's size, the correct predictions, the statistics of ‖f‖. Reading a term
 * back waits for the engine, so this is the per-batch bookkeeping whose cost the benchmarks report.
 */
public final class BatchTally {

  /** The application's softmax term, whose labels are the sampled head's when it samples. */
  private static final SampledLabelsLoss SOFTMAX = SampledLabelsLoss.softmaxCrossEntropy();

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
    correct +=
        RingOutputs.get(predictions, RingOutputs.LOGITS)
            .argMax(1)
            .toType(DataType.INT64, false)
            // With a sampled head (Partial FC) the logits index the sampled classes.
            .eq(
                SOFTMAX
                    .effectiveLabels(new NDList(labels), predictions)
                    .head()
                    .toType(DataType.INT64, false))
            .sum()
            .getLong();
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
