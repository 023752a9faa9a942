package io.github.ringloss4j.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

/**
 * Running count, mean and standard deviation of feature norms, accumulated in double precision over
 * batches (sums of ‖f‖ and ‖f‖² per batch, combined on the host).
 */
public final class NormStatistics {

  private long count;
  private double sum;
  private double sumSquares;

  /** Empty statistics. */
  public NormStatistics() {}

  /**
   * Adds a batch of norms.
   *
   * @param norms the norms ‖f_i‖, any shape
   */
  public void add(NDArray norms) {
    NDArray n = norms.toType(DataType.FLOAT64, false);
    count += n.size();
    sum += n.sum().getDouble();
    sumSquares += n.square().sum().getDouble();
  }

  /**
   * Adds plain values.
   *
   * @param norms the norms
   */
  public void add(double... norms) {
    for (double v : norms) {
      count++;
      sum += v;
      sumSquares += v * v;
    }
  }

  /**
   * The number of norms seen.
   *
   * @return the count
   */
  public long count() {
    return count;
  }

  /**
   * The mean norm.
   *
   * @return the mean, NaN when empty
   */
  public double mean() {
    return count == 0 ? Double.NaN : sum / count;
  }

  /**
   * The population standard deviation of the norms.
   *
   * @return the standard deviation, NaN when empty
   */
  public double std() {
    if (count == 0) {
      return Double.NaN;
    }
    double m = mean();
    return Math.sqrt(Math.max(0, sumSquares / count - m * m));
  }

  /**
   * The coefficient of variation std/mean, the scale-free spread the ring should shrink.
   *
   * @return std / mean
   */
  public double coefficientOfVariation() {
    return std() / mean();
  }

  /** Forgets everything seen. */
  public void reset() {
    count = 0;
    sum = 0;
    sumSquares = 0;
  }
}
