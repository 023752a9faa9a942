package io.github.ringloss4j.app.report;

import static io.github.ringloss4j.app.report.ChartStyle.color;
import static io.github.ringloss4j.app.report.ChartStyle.key;

import io.github.ringloss4j.app.report.Plots.NamedValues;
import java.awt.Color;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.XYSeries.XYSeriesRenderStyle;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** Overlaid histograms on shared bins, as fractions of each sample (e.g. ‖f‖ per run). */
final class HistogramPlots {

  private HistogramPlots() {}

  /** The chart of {@link Plots#histograms}. */
  static XYChart chart(String title, String xTitle, List<NamedValues> samples, int bins) {
    List<NamedValues> all = PlotChecks.requireList(samples, "samples");
    if (bins < 1) {
      throw new IllegalArgumentException("bins must be at least 1, got " + bins);
    }
    XYChart chart = ChartStyle.xyChart(title, xTitle, "fraction of samples per bin");
    double[] edges = binEdges(all, bins);
    List<String> labels = new ArrayList<>();
    for (int i = 0; i < all.size(); i++) {
      NamedValues sample = all.get(i);
      double[] fractions = fractions(sample.values(), edges);
      // Step outline closed down to zero at both ends; XChart's step holds each y until the next
      // x, so bin k's height is given at its left edge and repeated at the right-most edge.
      double[] x = new double[bins + 3];
      double[] y = new double[bins + 3];
      x[0] = edges[0];
      for (int k = 0; k < bins; k++) {
        x[k + 1] = edges[k];
        y[k + 1] = fractions[k];
      }
      x[bins + 1] = edges[bins];
      y[bins + 1] = fractions[bins - 1];
      x[bins + 2] = edges[bins];
      String label = histogramLabel(sample);
      Color color = color(i);
      XYSeries step = chart.addSeries(key("histogram", i), x, y);
      step.setLabel(label);
      step.setXYSeriesRenderStyle(XYSeriesRenderStyle.StepArea);
      step.setLineStyle(ChartStyle.SOLID);
      step.setLineColor(color);
      // Translucent fill so that where two distributions overlap both stay visible.
      step.setFillColor(ChartStyle.withAlpha(color, 70));
      step.setMarker(SeriesMarkers.NONE);
      labels.add(label);
    }
    // The fill reaches down to y = 0, so the axis must start there.
    chart.getStyler().setYAxisMin(0.0);
    // Half a bin of margin either side. It also keeps XChart from putting one tick at every
    // (equally spaced) bin edge with labels like 2.629863097107815; it then picks round ticks.
    double margin = (edges[bins] - edges[0]) / bins / 2;
    chart.getStyler().setXAxisMin(edges[0] - margin);
    chart.getStyler().setXAxisMax(edges[bins] + margin);
    ChartStyle.numberTicks(chart, true);
    ChartStyle.placeLegend(chart, labels);
    return chart;
  }

  /** Bin edges shared by all samples: {@code bins + 1} equal steps over their union range. */
  static double[] binEdges(List<NamedValues> samples, int bins) {
    double lo = Double.POSITIVE_INFINITY;
    double hi = Double.NEGATIVE_INFINITY;
    for (NamedValues s : samples) {
      for (double v : s.values()) {
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
    }
    if (hi - lo <= 0) {
      // All values equal (e.g. norms pinned exactly at R): give the single spike a visible width.
      double pad = Math.max(0.5, Math.abs(lo) * 0.05);
      lo -= pad;
      hi += pad;
    }
    double[] edges = new double[bins + 1];
    for (int k = 0; k <= bins; k++) {
      edges[k] = lo + (hi - lo) * k / bins;
    }
    edges[bins] = hi;
    return edges;
  }

  /** Fraction of {@code values} in each bin; the last bin includes its right edge. */
  static double[] fractions(double[] values, double[] edges) {
    int bins = edges.length - 1;
    double lo = edges[0];
    double width = edges[bins] - lo;
    double[] f = new double[bins];
    for (double v : values) {
      int k = (int) Math.floor((v - lo) / width * bins);
      f[Math.max(0, Math.min(bins - 1, k))]++;
    }
    for (int k = 0; k < bins; k++) {
      f[k] /= values.length;
    }
    return f;
  }

  /** Legend label of a histogram: name, mean and coefficient of variation (population std). */
  static String histogramLabel(NamedValues sample) {
    double[] v = sample.values();
    double mean = 0;
    for (double x : v) {
      mean += x;
    }
    mean /= v.length;
    double var = 0;
    for (double x : v) {
      var += (x - mean) * (x - mean);
    }
    double std = Math.sqrt(var / v.length);
    String cv = mean == 0 ? "n/a" : String.format(Locale.ROOT, "%.2f", std / Math.abs(mean));
    return String.format(Locale.ROOT, "%s (mean %.2f, CV %s)", sample.name(), mean, cv);
  }
}
