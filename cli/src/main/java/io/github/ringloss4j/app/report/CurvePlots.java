package io.github.ringloss4j.app.report;

import static io.github.ringloss4j.app.report.ChartStyle.color;
import static io.github.ringloss4j.app.report.ChartStyle.key;

import io.github.ringloss4j.app.report.Plots.Band;
import io.github.ringloss4j.app.report.Plots.Series;
import java.awt.Color;
import java.util.ArrayList;
import java.util.List;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.XYSeries.XYSeriesRenderStyle;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** Line charts over epochs: plain lines, and mean ± std bands with a dashed reference (R). */
final class CurvePlots {

  private CurvePlots() {}

  /** The chart of {@link Plots#lines}. */
  static XYChart linesChart(String title, String xTitle, String yTitle, List<Series> series) {
    List<Series> all = PlotChecks.requireList(series, "series");
    XYChart chart = ChartStyle.xyChart(title, xTitle, yTitle);
    List<String> labels = new ArrayList<>();
    for (int i = 0; i < all.size(); i++) {
      Series s = all.get(i);
      Color color = color(i);
      XYSeries line = chart.addSeries(key("line", i), s.x(), s.y());
      line.setLabel(s.name());
      line.setXYSeriesRenderStyle(XYSeriesRenderStyle.Line);
      line.setLineColor(color);
      line.setMarkerColor(color);
      line.setLineStyle(ChartStyle.SOLID);
      if (s.x().length > ChartStyle.MAX_MARKED_POINTS) {
        line.setMarker(SeriesMarkers.NONE);
      }
      labels.add(s.name());
    }
    ChartStyle.numberTicks(chart, true);
    ChartStyle.placeLegend(chart, labels);
    return chart;
  }

  /** The chart of {@link Plots#bands}. */
  static XYChart bandsChart(String title, String xTitle, String yTitle, List<Band> bands) {
    List<Band> all = PlotChecks.requireList(bands, "bands");
    XYChart chart = ChartStyle.xyChart(title, xTitle, yTitle);
    List<String> labels = new ArrayList<>();
    List<String> dashed = new ArrayList<>();
    // All shaded areas go in first: XChart paints in insertion order, and every line must stay
    // visible on top of every band, also where bands of different methods overlap.
    for (int i = 0; i < all.size(); i++) {
      Band b = all.get(i);
      double[] x = b.x();
      double[] mean = b.mean();
      double[] std = b.std();
      int n = x.length;
      double[] px = new double[2 * n];
      double[] py = new double[2 * n];
      for (int k = 0; k < n; k++) {
        // Upper edge left to right, then lower edge right to left: one closed polygon.
        px[k] = x[k];
        py[k] = mean[k] + std[k];
        px[2 * n - 1 - k] = x[k];
        py[2 * n - 1 - k] = mean[k] - std[k];
      }
      XYSeries area = chart.addSeries(key("band", i), px, py);
      area.setXYSeriesRenderStyle(XYSeriesRenderStyle.PolygonArea);
      area.setLineStyle(SeriesLines.NONE);
      area.setMarker(SeriesMarkers.NONE);
      area.setFillColor(ChartStyle.withAlpha(color(i), 60));
      area.setShowInLegend(false);
    }
    for (int i = 0; i < all.size(); i++) {
      Band b = all.get(i);
      Color color = color(i);
      String label = b.name() + " (mean ± std)";
      XYSeries mean = chart.addSeries(key("mean", i), b.x(), b.mean());
      mean.setLabel(label);
      mean.setXYSeriesRenderStyle(XYSeriesRenderStyle.Line);
      mean.setLineStyle(ChartStyle.SOLID);
      mean.setLineColor(color);
      mean.setMarkerColor(color);
      mean.setMarker(
          b.x().length > ChartStyle.MAX_MARKED_POINTS ? SeriesMarkers.NONE : SeriesMarkers.CIRCLE);
      labels.add(label);
    }
    for (int i = 0; i < all.size(); i++) {
      Band b = all.get(i);
      double[] reference = b.reference();
      if (reference == null) {
        continue;
      }
      String label = b.name() + ": R";
      XYSeries ref = chart.addSeries(key("reference", i), b.x(), reference);
      dashed.add(ref.getName());
      ref.setLabel(label);
      ref.setXYSeriesRenderStyle(XYSeriesRenderStyle.Line);
      ref.setLineStyle(ChartStyle.DASHED);
      ref.setLineColor(color(i));
      ref.setMarker(SeriesMarkers.NONE);
      labels.add(label);
    }
    ChartStyle.numberTicks(chart, true);
    ChartStyle.placeLegend(chart, labels);
    DashedLines.dashInScreenSpace(chart, dashed);
    return chart;
  }
}
