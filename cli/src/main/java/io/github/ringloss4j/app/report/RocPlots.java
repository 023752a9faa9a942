package io.github.ringloss4j.app.report;

import static io.github.ringloss4j.app.report.ChartStyle.color;
import static io.github.ringloss4j.app.report.ChartStyle.key;

import io.github.ringloss4j.app.report.Plots.RocCurve;
import java.awt.Color;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.XYSeries.XYSeriesRenderStyle;
import org.knowm.xchart.style.AxesChartStyler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** ROC curves on a logarithmic false-accept axis, with the chance line. */
final class RocPlots {

  private RocPlots() {}

  /** The chart of {@link Plots#roc}. */
  static XYChart chart(String title, List<RocCurve> curves) {
    List<RocCurve> all = PlotChecks.requireList(curves, "curves");
    XYChart chart = ChartStyle.xyChart(title, "false accept rate (log scale)", "true accept rate");
    double floor = farFloor(all);
    List<String> labels = new ArrayList<>();
    for (int i = 0; i < all.size(); i++) {
      RocCurve c = all.get(i);
      double[][] sorted = sortedRoc(c.far(), c.tar(), floor);
      Color color = color(i);
      XYSeries line = chart.addSeries(key("roc", i), sorted[0], sorted[1]);
      line.setLabel(c.name());
      line.setXYSeriesRenderStyle(XYSeriesRenderStyle.Line);
      line.setLineStyle(ChartStyle.SOLID);
      line.setLineColor(color);
      line.setMarkerColor(color);
      line.setMarker(sorted[0].length > ChartStyle.MAX_MARKED_POINTS ? SeriesMarkers.NONE : null);
      labels.add(c.name());
    }
    // TAR = FAR bends on a log axis, so it is sampled densely rather than drawn from 2 points.
    int n = 64;
    double[] chanceX = new double[n];
    double logFloor = Math.log10(floor);
    for (int k = 0; k < n; k++) {
      chanceX[k] = Math.pow(10, logFloor - logFloor * k / (n - 1));
    }
    String chanceLabel = "chance (TAR = FAR)";
    XYSeries chance = chart.addSeries(key("chance", 0), chanceX, chanceX.clone());
    chance.setLabel(chanceLabel);
    chance.setXYSeriesRenderStyle(XYSeriesRenderStyle.Line);
    chance.setLineStyle(ChartStyle.DASHED);
    chance.setLineColor(ChartStyle.CHANCE_COLOR);
    chance.setMarker(SeriesMarkers.NONE);
    labels.add(chanceLabel);

    AxesChartStyler styler = chart.getStyler();
    styler.setXAxisLogarithmic(true);
    styler.setXAxisMin(floor);
    styler.setXAxisMax(1.0);
    styler.setYAxisMin(0.0);
    styler.setYAxisMax(1.0);
    // No tick formatter on x: XChart would then lay the ticks out linearly despite the log axis.
    ChartStyle.numberTicks(chart, false);
    ChartStyle.placeLegend(chart, labels);
    DashedLines.dashInScreenSpace(chart, List.of(chance.getName()));
    return chart;
  }

  /** The FAR drawn in place of 0 on the log axis; see {@link Plots#roc}. */
  static double farFloor(List<RocCurve> curves) {
    double floor = Double.POSITIVE_INFINITY;
    for (RocCurve c : curves) {
      for (double f : c.far()) {
        if (f > 0) {
          floor = Math.min(floor, f);
        }
      }
    }
    // A smallest positive FAR of 1 would leave an empty axis range.
    return floor < 1 ? floor : Plots.DEFAULT_FAR_FLOOR;
  }

  /** Points sorted by (FAR, TAR) with FAR ≤ 0 raised to {@code floor}. */
  private static double[][] sortedRoc(double[] far, double[] tar, double floor) {
    Integer[] order = new Integer[far.length];
    Arrays.setAll(order, i -> i);
    Arrays.sort(
        order,
        (a, b) -> {
          int byFar = Double.compare(far[a], far[b]);
          return byFar != 0 ? byFar : Double.compare(tar[a], tar[b]);
        });
    double[] x = new double[far.length];
    double[] y = new double[far.length];
    for (int k = 0; k < order.length; k++) {
      x[k] = Math.max(far[order[k]], floor);
      y[k] = tar[order[k]];
    }
    return new double[][] {x, y};
  }
}
