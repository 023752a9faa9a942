package io.github.ringloss4j.app.report;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.IntStream;

/**
 * Effect sizes of the comparison: the mean paired difference of a metric between a method and its
 * baseline over the runs they share (same seed, and same held-out fold in the open-set protocol, so
 * the same data in the same order), with a 95 % Student t interval over those n differences.
 */
public final class PairedEffects {

  private PairedEffects() {}

  /**
   * One effect.
   *
   * @param method the method
   * @param baseline what it is compared with
   * @param metric the metric's name
   * @param n the number of paired runs
   * @param mean the mean of method − baseline
   * @param halfWidth the half-width of the 95 % t interval; NaN for fewer than two pairs
   */
  public record Effect(
      String method, String baseline, String metric, int n, double mean, double halfWidth) {

    /**
     * The interval's lower end.
     *
     * @return mean − half-width
     */
    public double low() {
      return mean - halfWidth;
    }

    /**
     * The interval's upper end.
     *
     * @return mean + half-width
     */
    public double high() {
      return mean + halfWidth;
    }

    /**
     * The two-sided p-value of the paired t test of a zero mean difference: with t = mean / (s/√n)
     * on n − 1 degrees of freedom, p = 1 − P(|T| ≤ |t|). The standard error is recovered from the
     * interval, s/√n = half-width / t₀.₉₇₅(n − 1).
     *
     * @return p in [0, 1]; NaN for fewer than two pairs; 0 when every difference is the same
     *     non-zero value, 1 when they are all zero
     */
    public double p() {
      if (n < 2 || !Double.isFinite(halfWidth)) {
        return Double.NaN;
      }
      double se = halfWidth / tQuantile975(n - 1);
      if (se == 0) {
        return mean == 0 ? 1 : 0;
      }
      return Math.max(0, 1 - centralProbability(Math.abs(mean) / se, n - 1));
    }

    /**
     * As a table shows it.
     *
     * @param format the numbers' format, e.g. {@code %.4f}
     * @return e.g. "+0.0250 [-0.0385, 0.0885]", "+0.1000 (n = 1)" for a single pair, "—" for none
     */
    public String format(String format) {
      if (n == 0) {
        return "—";
      }
      String signed = "%+" + format.substring(1);
      if (!Double.isFinite(halfWidth)) {
        return String.format(Locale.ROOT, signed + " (n = 1)", mean);
      }
      return String.format(
          Locale.ROOT, signed + " [" + format + ", " + format + "]", mean, low(), high());
    }
  }

  /**
   * The effect of a method against a baseline, the runs paired by key.
   *
   * @param method the method's name
   * @param baseline the baseline's name
   * @param metric the metric's name
   * @param mine the method's values by pairing key (e.g. "seed 1000, fold 0")
   * @param theirs the baseline's values by the same keys
   * @return the effect over the keys both have with finite values; n = 0 when there is none
   */
  public static Effect of(
      String method,
      String baseline,
      String metric,
      Map<String, Double> mine,
      Map<String, Double> theirs) {
    List<Double> diffs = new ArrayList<>();
    for (Map.Entry<String, Double> e : new TreeMap<>(mine).entrySet()) {
      Double other = theirs.get(e.getKey());
      if (other != null && Double.isFinite(other) && Double.isFinite(e.getValue())) {
        diffs.add(e.getValue() - other);
      }
    }
    int n = diffs.size();
    if (n == 0) {
      return new Effect(method, baseline, metric, 0, Double.NaN, Double.NaN);
    }
    double mean = 0;
    for (double d : diffs) {
      mean += d;
    }
    mean /= n;
    if (n < 2) {
      return new Effect(method, baseline, metric, n, mean, Double.NaN);
    }
    double var = 0;
    for (double d : diffs) {
      var += (d - mean) * (d - mean);
    }
    double se = Math.sqrt(var / (n - 1) / n);
    return new Effect(method, baseline, metric, n, mean, tQuantile975(n - 1) * se);
  }

  /**
   * Holm's step-down adjustment of a family of p-values (Holm 1979), which controls the family-wise
   * error rate: with the m values sorted ascending, p₍ᵢ₎ becomes max over j ≤ i of min(1, (m − j +
   * 1)·p₍ⱼ₎). NaN values are not part of the family and stay NaN.
   *
   * @param p the family's p-values
   * @return the adjusted values, in the input's order
   */
  public static double[] holm(double[] p) {
    Integer[] order =
        IntStream.range(0, p.length)
            .filter(i -> !Double.isNaN(p[i]))
            .boxed()
            .toArray(Integer[]::new);
    Arrays.sort(order, Comparator.comparingDouble(i -> p[i]));
    double[] out = new double[p.length];
    Arrays.fill(out, Double.NaN);
    int m = order.length;
    double running = 0;
    for (int r = 0; r < m; r++) {
      running = Math.max(running, Math.min(1, (m - r) * p[order[r]]));
      out[order[r]] = running;
    }
    return out;
  }

  /**
   * The 0.975 quantile of Student's t distribution, the half-width factor of a two-sided 95 %
   * interval: the t with P(|T| ≤ t) = 0.95, found by bisection on the exact distribution function
   * for integer degrees of freedom ({@link #centralProbability}).
   *
   * @param df degrees of freedom, at least 1
   * @return the quantile, e.g. 12.706 for 1, 4.303 for 2, 1.960 in the limit
   */
  public static double tQuantile975(int df) {
    if (df < 1) {
      throw new IllegalArgumentException("degrees of freedom must be >= 1, got " + df);
    }
    double lo = 0;
    double hi = 1;
    while (centralProbability(hi, df) < 0.95) {
      hi *= 2;
    }
    for (int i = 0; i < 200 && hi - lo > 1e-12; i++) {
      double mid = (lo + hi) / 2;
      if (centralProbability(mid, df) < 0.95) {
        lo = mid;
      } else {
        hi = mid;
      }
    }
    return (lo + hi) / 2;
  }

  /**
   * P(|T| ≤ t) for Student's t with ν degrees of freedom (Abramowitz and Stegun 26.7.3–4): with θ =
   * atan(t/√ν), for odd ν, (2/π)(θ + sin θ cos θ (1 + (2/3) cos²θ + … + (2·4…(ν−3))/(1·3…(ν−2))
   * cos^(ν−3) θ)) (only θ for ν = 1); for even ν, sin θ (1 + (1/2) cos²θ + … +
   * (1·3…(ν−3))/(2·4…(ν−2)) cos^(ν−2) θ).
   *
   * @param t a non-negative value
   * @param df ν, at least 1
   * @return the probability
   */
  static double centralProbability(double t, int df) {
    double theta = Math.atan(t / Math.sqrt(df));
    double c2 = Math.cos(theta) * Math.cos(theta);
    double s = Math.sin(theta);
    if (df % 2 == 1) {
      double sum = 0;
      if (df > 1) {
        double term = 1;
        sum = 1;
        for (int k = 2; k <= df - 3; k += 2) {
          term *= c2 * k / (k + 1);
          sum += term;
        }
      }
      return 2 / Math.PI * (theta + (df > 1 ? s * Math.cos(theta) * sum : 0));
    }
    double term = 1;
    double sum = 1;
    for (int k = 1; k <= df - 3; k += 2) {
      term *= c2 * k / (k + 1);
      sum += term;
    }
    return s * sum;
  }
}
