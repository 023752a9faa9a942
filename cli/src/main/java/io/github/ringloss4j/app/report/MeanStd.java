package io.github.ringloss4j.app.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * Mean and sample standard deviation over runs, so that a difference can be told from noise.
 *
 * @param mean the mean, NaN over no value
 * @param std the sample standard deviation, 0 for a single value
 */
public record MeanStd(double mean, double std) {

  /**
   * The mean and sample standard deviation of values.
   *
   * @param values at least one value
   * @return the statistics
   */
  public static MeanStd of(List<Double> values) {
    double mean = 0;
    for (double v : values) {
      mean += v;
    }
    mean /= values.size();
    double var = 0;
    for (double v : values) {
      var += (v - mean) * (v - mean);
    }
    return new MeanStd(mean, values.size() > 1 ? Math.sqrt(var / (values.size() - 1)) : 0);
  }

  /**
   * The statistics of a metric over runs, leaving out the runs where it is not finite.
   *
   * @param runs the runs
   * @param metric the metric
   * @return the statistics; the mean NaN when no run has a finite value
   */
  public static MeanStd over(List<RunResult> runs, ToDoubleFunction<RunResult> metric) {
    List<Double> values = new ArrayList<>();
    for (RunResult r : runs) {
      double v = metric.applyAsDouble(r);
      if (Double.isFinite(v)) {
        values.add(v);
      }
    }
    return values.isEmpty() ? new MeanStd(Double.NaN, 0) : of(values);
  }

  /**
   * As a table shows it.
   *
   * @param format each number's format, e.g. {@code %.4f}
   * @return e.g. "0.9096 ± 0.0027", or "—" when there is no value
   */
  public String format(String format) {
    if (!Double.isFinite(mean)) {
      return "—";
    }
    return String.format(Locale.ROOT, format + " ± " + format, mean, std);
  }
}
