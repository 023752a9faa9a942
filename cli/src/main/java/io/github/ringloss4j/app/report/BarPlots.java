package io.github.ringloss4j.app.report;

import static io.github.ringloss4j.app.report.ChartStyle.color;
import static io.github.ringloss4j.app.report.ChartStyle.key;

import io.github.ringloss4j.app.report.Plots.Series2;
import java.awt.Color;
import java.util.ArrayList;
import java.util.List;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategorySeries;

/** Grouped bar charts with optional error bars (e.g. mean ± std over seeds per method). */
final class BarPlots {

  private BarPlots() {}

  /** The chart of {@link Plots#bars(java.nio.file.Path, String, String, String, List, List)}. */
  static CategoryChart chart(
      String title, String xTitle, String yTitle, List<String> categories, List<Series2> groups) {
    PlotChecks.requireText(title, "title");
    PlotChecks.requireText(yTitle, "yTitle");
    List<String> cats = PlotChecks.requireList(categories, "categories");
    for (int c = 0; c < cats.size(); c++) {
      PlotChecks.requireText(cats.get(c), "categories[" + c + "]");
    }
    List<Series2> all = PlotChecks.requireList(groups, "groups");
    for (int g = 0; g < all.size(); g++) {
      Series2 s = all.get(g);
      if (s.values().length != cats.size()) {
        throw new IllegalArgumentException(
            "groups["
                + g
                + "] '"
                + s.name()
                + "' has "
                + s.values().length
                + " values but there are "
                + cats.size()
                + " categories");
      }
    }
    CategoryChart chart = ChartStyle.categoryChart(title, xTitle, yTitle);
    chart.getStyler().setAvailableSpaceFill(0.75);
    chart.getStyler().setErrorBarsColor(Color.BLACK);
    chart.getStyler().setErrorBarsColorSeriesColor(false);
    if (cats.size() > 5) {
      // Long method names side by side overlap; slanted they stay readable.
      chart.getStyler().setXAxisLabelRotation(35);
    }
    List<String> labels = new ArrayList<>();
    double low = 0;
    double high = 0;
    for (int g = 0; g < all.size(); g++) {
      Series2 s = all.get(g);
      double[] v = s.values();
      double[] errors = s.errors();
      List<Double> values = boxed(v);
      CategorySeries bar =
          errors == null
              ? chart.addSeries(key("bars", g), cats, values)
              : chart.addSeries(key("bars", g), cats, values, boxed(errors));
      bar.setLabel(s.name());
      bar.setFillColor(color(g));
      bar.setLineColor(color(g));
      labels.add(s.name());
      for (int c = 0; c < v.length; c++) {
        double e = errors == null ? 0 : errors[c];
        low = Math.min(low, v[c] - e);
        high = Math.max(high, v[c] + e);
      }
    }
    if (low >= 0) {
      // Bars measure from zero; a truncated axis would exaggerate differences.
      chart.getStyler().setYAxisMin(0.0);
    }
    chart.getStyler().setyAxisTickLabelsFormattingFunction(ChartStyle.tickFormat(high - low));
    ChartStyle.placeLegend(chart, labels);
    return chart;
  }

  private static List<Double> boxed(double[] values) {
    List<Double> list = new ArrayList<>(values.length);
    for (double v : values) {
      list.add(v);
    }
    return list;
  }
}
