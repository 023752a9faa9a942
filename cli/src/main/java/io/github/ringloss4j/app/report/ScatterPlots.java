package io.github.ringloss4j.app.report;

import static io.github.ringloss4j.app.report.ChartStyle.color;
import static io.github.ringloss4j.app.report.ChartStyle.key;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Random;
import java.util.function.Function;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.XYSeries.XYSeriesRenderStyle;
import org.knowm.xchart.style.AxesChartStyler;
import org.knowm.xchart.style.Styler.LegendLayout;
import org.knowm.xchart.style.Styler.LegendPosition;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** 2-D feature scatter plots coloured by class, at equal scale, with the ring of radius R. */
final class ScatterPlots {

  /**
   * Seed of the stratified subsample in {@link Plots#scatter2d}; fixed so that reruns draw the
   * same.
   */
  static final long SUBSAMPLE_SEED = 20180618L;

  private ScatterPlots() {}

  /** The chart of {@link Plots#scatter2d}. */
  static XYChart chart(
      String title,
      float[][] points,
      int[] labels,
      List<String> classNames,
      double radius,
      int maxPoints) {
    PlotChecks.requireText(title, "title");
    Objects.requireNonNull(points, "points");
    Objects.requireNonNull(labels, "labels");
    List<String> classes = PlotChecks.requireList(classNames, "classNames");
    for (int c = 0; c < classes.size(); c++) {
      PlotChecks.requireText(classes.get(c), "classNames[" + c + "]");
    }
    if (points.length == 0) {
      throw new IllegalArgumentException("points must not be empty");
    }
    if (labels.length != points.length) {
      throw new IllegalArgumentException(
          "labels has " + labels.length + " entries but points has " + points.length + " rows");
    }
    for (int i = 0; i < points.length; i++) {
      if (points[i] == null || points[i].length != 2) {
        throw new IllegalArgumentException(
            "points["
                + i
                + "] must hold 2 coordinates, has "
                + (points[i] == null ? "null" : String.valueOf(points[i].length)));
      }
      for (int d = 0; d < 2; d++) {
        if (!Float.isFinite(points[i][d])) {
          throw new IllegalArgumentException(
              "points[" + i + "][" + d + "] is not finite (" + points[i][d] + ")");
        }
      }
    }
    if (!Double.isNaN(radius) && !(Double.isFinite(radius) && radius >= 0)) {
      throw new IllegalArgumentException(
          "radius must be finite and not negative, or NaN for none, got " + radius);
    }
    if (maxPoints < 1) {
      throw new IllegalArgumentException("maxPoints must be at least 1, got " + maxPoints);
    }
    int[] chosen = subsampleIndices(labels, classes.size(), maxPoints, SUBSAMPLE_SEED);

    String fullTitle =
        chosen.length < points.length
            ? String.format(
                Locale.ROOT, "%s (%,d of %,d points)", title, chosen.length, points.length)
            : title;
    XYChart chart = ChartStyle.xyChart(fullTitle, "feature 1", "feature 2");
    AxesChartStyler styler = chart.getStyler();
    styler.setMarkerSize(5);

    int[] perClass = new int[classes.size()];
    for (int i : chosen) {
      perClass[labels[i]]++;
    }
    double[][] xs = new double[classes.size()][];
    double[][] ys = new double[classes.size()][];
    for (int c = 0; c < classes.size(); c++) {
      xs[c] = new double[perClass[c]];
      ys[c] = new double[perClass[c]];
    }
    int[] fill = new int[classes.size()];
    double extent = 0;
    for (int i : chosen) {
      int c = labels[i];
      xs[c][fill[c]] = points[i][0];
      ys[c][fill[c]] = points[i][1];
      fill[c]++;
      extent = Math.max(extent, Math.max(Math.abs(points[i][0]), Math.abs(points[i][1])));
    }
    String ringKey = null;
    for (int c = 0; c < classes.size(); c++) {
      if (perClass[c] == 0) {
        // XChart rejects empty series; a class without points has nothing to show anyway.
        continue;
      }
      XYSeries s = chart.addSeries(key("class", c), xs[c], ys[c]);
      s.setLabel(classes.get(c));
      s.setXYSeriesRenderStyle(XYSeriesRenderStyle.Scatter);
      s.setMarker(SeriesMarkers.CIRCLE);
      // Slightly translucent so that dense class cores still show overlap.
      s.setMarkerColor(ChartStyle.withAlpha(color(c), 170));
    }
    if (!Double.isNaN(radius)) {
      int n = 361;
      double[] rx = new double[n];
      double[] ry = new double[n];
      for (int k = 0; k < n; k++) {
        double angle = 2 * Math.PI * k / (n - 1);
        rx[k] = radius * Math.cos(angle);
        ry[k] = radius * Math.sin(angle);
      }
      String label = String.format(Locale.ROOT, "R = %.2f", radius);
      ringKey = key("ring", 0);
      XYSeries ring = chart.addSeries(ringKey, rx, ry);
      ring.setLabel(label);
      ring.setXYSeriesRenderStyle(XYSeriesRenderStyle.Line);
      ring.setLineStyle(ChartStyle.DASHED);
      ring.setLineColor(ChartStyle.RING_COLOR);
      ring.setMarker(SeriesMarkers.NONE);
      extent = Math.max(extent, radius);
    }
    // Ten class names do not fit in one row below the plot.
    styler.setLegendPosition(LegendPosition.OutsideE);
    styler.setLegendLayout(LegendLayout.Vertical);
    double half = extent > 0 ? extent * 1.08 : 1.0;
    Function<Double, String> ticks = ChartStyle.tickFormat(2 * half);
    styler.setxAxisTickLabelsFormattingFunction(ticks);
    styler.setyAxisTickLabelsFormattingFunction(ticks);
    equalAspect(chart, half);
    if (ringKey != null) {
      DashedLines.dashInScreenSpace(chart, List.of(ringKey));
    }
    return chart;
  }

  /**
   * Chooses which points {@link Plots#scatter2d} draws: all of them if there are at most {@code
   * maxPoints}, otherwise exactly {@code maxPoints} where each class keeps its share (largest
   * remainder, ties to the lower class index) and the members of a class are drawn uniformly with
   * {@link Random} seeded by {@code seed}, whose sequence the JDK specifies, so the choice is the
   * same on every run and JVM.
   *
   * @return the chosen indices in increasing order
   */
  static int[] subsampleIndices(int[] labels, int numClasses, int maxPoints, long seed) {
    int n = labels.length;
    int[] counts = new int[numClasses];
    for (int i = 0; i < n; i++) {
      if (labels[i] < 0 || labels[i] >= numClasses) {
        throw new IllegalArgumentException(
            "labels["
                + i
                + "] is "
                + labels[i]
                + ", outside [0, "
                + numClasses
                + ") given by classNames");
      }
      counts[labels[i]]++;
    }
    if (n <= maxPoints) {
      int[] all = new int[n];
      Arrays.setAll(all, i -> i);
      return all;
    }
    int[] quota = new int[numClasses];
    double[] remainder = new double[numClasses];
    int assigned = 0;
    for (int c = 0; c < numClasses; c++) {
      double exact = (double) maxPoints * counts[c] / n;
      quota[c] = (int) Math.floor(exact);
      remainder[c] = exact - quota[c];
      assigned += quota[c];
    }
    while (assigned < maxPoints) {
      int best = -1;
      for (int c = 0; c < numClasses; c++) {
        if (quota[c] < counts[c] && (best < 0 || remainder[c] > remainder[best])) {
          best = c;
        }
      }
      quota[best]++;
      remainder[best] = -1;
      assigned++;
    }
    int[][] members = new int[numClasses][];
    int[] fill = new int[numClasses];
    for (int c = 0; c < numClasses; c++) {
      members[c] = new int[counts[c]];
    }
    for (int i = 0; i < n; i++) {
      members[labels[i]][fill[labels[i]]++] = i;
    }
    Random random = new Random(seed);
    int[] chosen = new int[maxPoints];
    int next = 0;
    for (int c = 0; c < numClasses; c++) {
      int[] m = members[c];
      // Partial Fisher-Yates: the first quota[c] slots end up a uniform sample of the class.
      for (int k = 0; k < quota[c]; k++) {
        int j = k + random.nextInt(m.length - k);
        int t = m[k];
        m[k] = m[j];
        m[j] = t;
        chosen[next++] = m[k];
      }
    }
    Arrays.sort(chosen);
    return chosen;
  }

  /**
   * Makes one data unit as long on screen along x as along y, with both axes centred at 0 and at
   * least {@code half} either side. The plot's pixel size depends on tick labels and legend, so it
   * is measured from a trial rendering and the wider axis gets the longer range; a second round
   * absorbs the small change of the y tick label width.
   */
  private static void equalAspect(XYChart chart, double half) {
    AxesChartStyler styler = chart.getStyler();
    double halfX = half;
    double halfY = half;
    for (int round = 0; round < 4; round++) {
      styler.setXAxisMin(-halfX);
      styler.setXAxisMax(halfX);
      styler.setYAxisMin(-halfY);
      styler.setYAxisMax(halfY);
      BitmapEncoder.getBufferedImage(chart);
      double pixelsX =
          Math.abs(chart.getScreenXFromChart(halfX) - chart.getScreenXFromChart(-halfX));
      double pixelsY =
          Math.abs(chart.getScreenYFromChart(halfY) - chart.getScreenYFromChart(-halfY));
      double perUnit = Math.min(pixelsX, pixelsY) / (2 * half);
      double nextX = pixelsX / (2 * perUnit);
      double nextY = pixelsY / (2 * perUnit);
      boolean settled =
          Math.abs(nextX - halfX) <= 1e-3 * half && Math.abs(nextY - halfY) <= 1e-3 * half;
      halfX = nextX;
      halfY = nextY;
      if (settled) {
        break;
      }
    }
    styler.setXAxisMin(-halfX);
    styler.setXAxisMax(halfX);
    styler.setYAxisMin(-halfY);
    styler.setYAxisMax(halfY);
  }
}
