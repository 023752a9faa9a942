package io.github.ringloss4j.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.font.FontRenderContext;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.BitmapEncoder.BitmapFormat;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategorySeries;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.XYSeries.XYSeriesRenderStyle;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.AxesChartStyler;
import org.knowm.xchart.style.Styler.LegendLayout;
import org.knowm.xchart.style.Styler.LegendPosition;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Headless PNG charts for the ring-loss report, drawn with XChart.
 *
 * <p>Every chart is {@value #WIDTH}×{@value #HEIGHT} pixels with a white background, a title, both
 * axis titles and a legend placed outside the plot area so that it never covers data. Each method
 * validates its input before anything touches the file system, renders the chart to PNG bytes in
 * memory and then replaces {@code png} atomically (temporary file in the same directory, then an
 * atomic rename); if anything fails, an existing file at {@code png} is left as it was.
 *
 * <p>Invalid input is reported as an {@link IllegalArgumentException} whose message names the
 * argument, the series and the index at fault; {@code null} arguments raise a {@link
 * NullPointerException} naming the argument.
 */
public final class Plots {

  // First in the class so that it runs before any AWT class is touched: rendering must never try
  // to open a display, also when the command is started from a desktop session.
  static {
    if (System.getProperty("java.awt.headless") == null) {
      System.setProperty("java.awt.headless", "true");
    }
  }

  /** Width of every chart in pixels. */
  public static final int WIDTH = 900;

  /** Height of every chart in pixels. */
  public static final int HEIGHT = 600;

  /**
   * False accept rate that {@link #roc} uses in place of zero when no curve has a positive false
   * accept rate at all.
   */
  public static final double DEFAULT_FAR_FLOOR = 1e-5;

  /** Seed of the stratified subsample in {@link #scatter2d}; fixed so that reruns draw the same. */
  static final long SUBSAMPLE_SEED = 20180618L;

  /** Above this many points per series the markers of line charts only add clutter. */
  static final int MAX_MARKED_POINTS = 60;

  /** Matplotlib's "tab10": ten colours that stay distinguishable, also as small markers. */
  private static final Color[] PALETTE = {
    new Color(0x1f77b4),
    new Color(0xff7f0e),
    new Color(0x2ca02c),
    new Color(0xd62728),
    new Color(0x9467bd),
    new Color(0x8c564b),
    new Color(0xe377c2),
    new Color(0x7f7f7f),
    new Color(0xbcbd22),
    new Color(0x17becf),
  };

  private static final Color RING_COLOR = Color.BLACK;
  private static final Color CHANCE_COLOR = new Color(0x999999);
  private static final Font TITLE_FONT = new Font(Font.SANS_SERIF, Font.BOLD, 18);
  private static final Font AXIS_TITLE_FONT = new Font(Font.SANS_SERIF, Font.PLAIN, 15);
  private static final Font TICK_FONT = new Font(Font.SANS_SERIF, Font.PLAIN, 13);
  private static final Font LEGEND_FONT = new Font(Font.SANS_SERIF, Font.PLAIN, 13);
  private static final BasicStroke SOLID = new BasicStroke(2f);
  private static final BasicStroke DASHED =
      new BasicStroke(
          2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 10f, new float[] {8f, 5f}, 0f);

  /**
   * Dash and gap lengths in pixels that {@link #dashInScreenSpace} cuts dashed lines into. The dash
   * is shorter than the first dash of {@link #DASHED}, which XChart restarts on every segment, so
   * each piece is drawn whole while the legend still shows {@link #DASHED}.
   */
  private static final double DASH_ON = 7;

  private static final double DASH_OFF = 5;

  private Plots() {}

  /**
   * One line of a line chart.
   *
   * @param name legend label
   * @param x x values, as many as {@code y}
   * @param y y values, finite
   */
  public record Series(String name, double[] x, double[] y) {

    /**
     * Validates and copies the arrays.
     *
     * @throws IllegalArgumentException if the name is blank, the arrays are empty or of different
     *     lengths, or a value is not finite
     */
    public Series {
      name = requireName(name, "Series");
      String what = "Series '" + name + "'";
      x = finiteCopy(x, what, "x");
      y = finiteCopy(y, what, "y");
      requireSameLength(what, "x", x, "y", y);
    }

    /** Returns a copy of the x values. */
    @Override
    public double[] x() {
      return x.clone();
    }

    /** Returns a copy of the y values. */
    @Override
    public double[] y() {
      return y.clone();
    }
  }

  /**
   * A mean curve with a shaded ±1 standard deviation band and an optional dashed reference curve
   * (in this report the learned radius R per epoch).
   *
   * @param name legend label
   * @param x x values
   * @param mean mean per x, finite
   * @param std standard deviation per x, finite and not negative
   * @param reference reference value per x, drawn dashed in the band's colour; {@code null} for
   *     none
   */
  public record Band(String name, double[] x, double[] mean, double[] std, double[] reference) {

    /**
     * Validates and copies the arrays.
     *
     * @throws IllegalArgumentException if the name is blank, an array is empty or of another length
     *     than {@code x}, a value is not finite, or a standard deviation is negative
     */
    public Band {
      name = requireName(name, "Band");
      String what = "Band '" + name + "'";
      x = finiteCopy(x, what, "x");
      mean = finiteCopy(mean, what, "mean");
      std = finiteCopy(std, what, "std");
      requireSameLength(what, "x", x, "mean", mean);
      requireSameLength(what, "x", x, "std", std);
      for (int i = 0; i < std.length; i++) {
        if (std[i] < 0) {
          throw new IllegalArgumentException(
              what + ": std[" + i + "] is negative (" + std[i] + ")");
        }
      }
      if (reference != null) {
        reference = finiteCopy(reference, what, "reference");
        requireSameLength(what, "x", x, "reference", reference);
      }
    }

    /**
     * A band without a reference curve.
     *
     * @param name legend label
     * @param x x values
     * @param mean mean per x
     * @param std standard deviation per x
     */
    public Band(String name, double[] x, double[] mean, double[] std) {
      this(name, x, mean, std, null);
    }

    /** Returns a copy of the x values. */
    @Override
    public double[] x() {
      return x.clone();
    }

    /** Returns a copy of the means. */
    @Override
    public double[] mean() {
      return mean.clone();
    }

    /** Returns a copy of the standard deviations. */
    @Override
    public double[] std() {
      return std.clone();
    }

    /** Returns a copy of the reference values, or {@code null} if there are none. */
    @Override
    public double[] reference() {
      return reference == null ? null : reference.clone();
    }
  }

  /**
   * A sample of values for a histogram, e.g. the feature norms ‖f‖ of one model.
   *
   * @param name legend label; {@link #histograms} appends mean and coefficient of variation
   * @param values the sample, finite, at least one value
   */
  public record NamedValues(String name, double[] values) {

    /**
     * Validates and copies the values.
     *
     * @throws IllegalArgumentException if the name is blank, there are no values, or a value is not
     *     finite
     */
    public NamedValues {
      name = requireName(name, "NamedValues");
      values = finiteCopy(values, "NamedValues '" + name + "'", "values");
    }

    /** Returns a copy of the values. */
    @Override
    public double[] values() {
      return values.clone();
    }
  }

  /**
   * A receiver operating characteristic: true accept rate against false accept rate.
   *
   * @param name legend label
   * @param far false accept rates in [0, 1]
   * @param tar true accept rates in [0, 1], as many as {@code far}
   */
  public record RocCurve(String name, double[] far, double[] tar) {

    /**
     * Validates and copies the arrays.
     *
     * @throws IllegalArgumentException if the name is blank, the arrays are empty or of different
     *     lengths, or a rate is not in [0, 1]
     */
    public RocCurve {
      name = requireName(name, "RocCurve");
      String what = "RocCurve '" + name + "'";
      far = finiteCopy(far, what, "far");
      tar = finiteCopy(tar, what, "tar");
      requireSameLength(what, "far", far, "tar", tar);
      requireRate(far, what, "far");
      requireRate(tar, what, "tar");
    }

    /** Returns a copy of the false accept rates. */
    @Override
    public double[] far() {
      return far.clone();
    }

    /** Returns a copy of the true accept rates. */
    @Override
    public double[] tar() {
      return tar.clone();
    }
  }

  /**
   * One group of bars: one value per category, with optional symmetric error bars.
   *
   * @param name legend label
   * @param values one finite value per category
   * @param errors half-length of the error bar per category (e.g. std over seeds), finite and not
   *     negative; {@code null} for none
   */
  public record Series2(String name, double[] values, double[] errors) {

    /**
     * Validates and copies the arrays.
     *
     * @throws IllegalArgumentException if the name is blank, there are no values, the errors are of
     *     another length, or a value is not finite or an error negative
     */
    public Series2 {
      name = requireName(name, "Series2");
      String what = "Series2 '" + name + "'";
      values = finiteCopy(values, what, "values");
      if (errors != null) {
        errors = finiteCopy(errors, what, "errors");
        requireSameLength(what, "values", values, "errors", errors);
        for (int i = 0; i < errors.length; i++) {
          if (errors[i] < 0) {
            throw new IllegalArgumentException(
                what + ": errors[" + i + "] is negative (" + errors[i] + ")");
          }
        }
      }
    }

    /**
     * A group without error bars.
     *
     * @param name legend label
     * @param values one value per category
     */
    public Series2(String name, double[] values) {
      this(name, values, null);
    }

    /** Returns a copy of the values. */
    @Override
    public double[] values() {
      return values.clone();
    }

    /** Returns a copy of the error bar half-lengths, or {@code null} if there are none. */
    @Override
    public double[] errors() {
      return errors == null ? null : errors.clone();
    }
  }

  /**
   * Writes a line chart with markers, e.g. loss terms, accuracy or the radius R per epoch.
   *
   * @param png target file; parent directories are created
   * @param title chart title
   * @param xTitle x-axis title
   * @param yTitle y-axis title
   * @param series the lines, at least one
   * @throws IllegalArgumentException if an argument is invalid
   * @throws IOException if the file cannot be written
   */
  public static void lines(
      Path png, String title, String xTitle, String yTitle, List<Series> series)
      throws IOException {
    Objects.requireNonNull(png, "png");
    write(png, linesChart(title, xTitle, yTitle, series));
  }

  /**
   * Writes mean curves with shaded ±1 standard deviation bands and optional dashed reference
   * curves, e.g. mean ± std of ‖f‖ per epoch together with R.
   *
   * @param png target file; parent directories are created
   * @param title chart title
   * @param xTitle x-axis title
   * @param yTitle y-axis title
   * @param bands the bands, at least one
   * @throws IllegalArgumentException if an argument is invalid
   * @throws IOException if the file cannot be written
   */
  public static void bands(Path png, String title, String xTitle, String yTitle, List<Band> bands)
      throws IOException {
    Objects.requireNonNull(png, "png");
    write(png, bandsChart(title, xTitle, yTitle, bands));
  }

  /**
   * Writes overlaid histograms on shared bin edges spanning the union range of all samples. The y
   * axis is the fraction of each sample per bin, so samples of different sizes compare directly;
   * each legend label carries the sample's mean and coefficient of variation (std / mean).
   *
   * @param png target file; parent directories are created
   * @param title chart title
   * @param xTitle x-axis title, e.g. "‖f‖"
   * @param samples the samples, at least one
   * @param bins number of bins, at least 1
   * @throws IllegalArgumentException if an argument is invalid
   * @throws IOException if the file cannot be written
   */
  public static void histograms(
      Path png, String title, String xTitle, List<NamedValues> samples, int bins)
      throws IOException {
    Objects.requireNonNull(png, "png");
    write(png, histogramsChart(title, xTitle, samples, bins));
  }

  /**
   * Writes ROC curves with the false accept rate on a logarithmic x axis and a dashed chance line.
   *
   * <p>A logarithmic axis cannot show a false accept rate of 0, so every FAR ≤ 0 is drawn at a
   * floor: the smallest positive FAR among all curves (the resolution of the evaluation, so no
   * invented stretch of curve appears), or {@link #DEFAULT_FAR_FLOOR} if no curve has one. The x
   * axis spans [floor, 1] and the y axis [0, 1]. Points are drawn in order of increasing FAR.
   *
   * @param png target file; parent directories are created
   * @param title chart title
   * @param curves the curves, at least one
   * @throws IllegalArgumentException if an argument is invalid
   * @throws IOException if the file cannot be written
   */
  public static void roc(Path png, String title, List<RocCurve> curves) throws IOException {
    Objects.requireNonNull(png, "png");
    write(png, rocChart(title, curves));
  }

  /**
   * Writes a 2-D feature scatter plot coloured by class, with equal scales on both axes centred at
   * the origin so that a circle looks like a circle, and the ring of the given radius drawn as a
   * dashed black circle.
   *
   * <p>If there are more than {@code maxPoints} points, a stratified subsample of {@code maxPoints}
   * (each class keeps its share) drawn with a fixed seed is shown, and the title says so, e.g.
   * "(2,000 of 10,000 points)".
   *
   * @param png target file; parent directories are created
   * @param title chart title
   * @param points n × 2 feature coordinates, finite
   * @param labels class index per point, in [0, classNames.size())
   * @param classNames legend label per class
   * @param radius ring radius, finite and not negative; {@link Double#NaN} for no ring
   * @param maxPoints most points to draw, at least 1
   * @throws IllegalArgumentException if an argument is invalid
   * @throws IOException if the file cannot be written
   */
  public static void scatter2d(
      Path png,
      String title,
      float[][] points,
      int[] labels,
      List<String> classNames,
      double radius,
      int maxPoints)
      throws IOException {
    Objects.requireNonNull(png, "png");
    write(png, scatterChart(title, points, labels, classNames, radius, maxPoints));
  }

  /**
   * Writes a grouped bar chart with optional error bars, e.g. mean ± std over seeds per method. The
   * categories label the x axis, which has no separate title.
   *
   * @param png target file; parent directories are created
   * @param title chart title
   * @param yTitle y-axis title
   * @param categories category labels along the x axis, at least one
   * @param groups one bar per category each, at least one group
   * @throws IllegalArgumentException if an argument is invalid
   * @throws IOException if the file cannot be written
   */
  public static void bars(
      Path png, String title, String yTitle, List<String> categories, List<Series2> groups)
      throws IOException {
    bars(png, title, null, yTitle, categories, groups);
  }

  /**
   * Writes a grouped bar chart with optional error bars and an x-axis title.
   *
   * @param png target file; parent directories are created
   * @param title chart title
   * @param xTitle x-axis title; {@code null} for none, as the category labels already name the bars
   * @param yTitle y-axis title
   * @param categories category labels along the x axis, at least one
   * @param groups one bar per category each, at least one group
   * @throws IllegalArgumentException if an argument is invalid
   * @throws IOException if the file cannot be written
   */
  public static void bars(
      Path png,
      String title,
      String xTitle,
      String yTitle,
      List<String> categories,
      List<Series2> groups)
      throws IOException {
    Objects.requireNonNull(png, "png");
    write(png, barsChart(title, xTitle, yTitle, categories, groups));
  }

  // ---------------------------------------------------------------------------------------------
  // Chart construction; package-private so that tests can inspect the geometry.

  static XYChart linesChart(String title, String xTitle, String yTitle, List<Series> series) {
    List<Series> all = requireList(series, "series");
    XYChart chart = xyChart(title, xTitle, yTitle);
    List<String> labels = new ArrayList<>();
    for (int i = 0; i < all.size(); i++) {
      Series s = all.get(i);
      Color color = color(i);
      XYSeries line = chart.addSeries(key("line", i), s.x(), s.y());
      line.setLabel(s.name());
      line.setXYSeriesRenderStyle(XYSeriesRenderStyle.Line);
      line.setLineColor(color);
      line.setMarkerColor(color);
      line.setLineStyle(SOLID);
      if (s.x.length > MAX_MARKED_POINTS) {
        line.setMarker(SeriesMarkers.NONE);
      }
      labels.add(s.name());
    }
    numberTicks(chart, true);
    placeLegend(chart, labels);
    return chart;
  }

  static XYChart bandsChart(String title, String xTitle, String yTitle, List<Band> bands) {
    List<Band> all = requireList(bands, "bands");
    XYChart chart = xyChart(title, xTitle, yTitle);
    List<String> labels = new ArrayList<>();
    List<String> dashed = new ArrayList<>();
    // All shaded areas go in first: XChart paints in insertion order, and every line must stay
    // visible on top of every band, also where bands of different methods overlap.
    for (int i = 0; i < all.size(); i++) {
      Band b = all.get(i);
      int n = b.x.length;
      double[] px = new double[2 * n];
      double[] py = new double[2 * n];
      for (int k = 0; k < n; k++) {
        // Upper edge left to right, then lower edge right to left: one closed polygon.
        px[k] = b.x[k];
        py[k] = b.mean[k] + b.std[k];
        px[2 * n - 1 - k] = b.x[k];
        py[2 * n - 1 - k] = b.mean[k] - b.std[k];
      }
      XYSeries area = chart.addSeries(key("band", i), px, py);
      area.setXYSeriesRenderStyle(XYSeriesRenderStyle.PolygonArea);
      area.setLineStyle(SeriesLines.NONE);
      area.setMarker(SeriesMarkers.NONE);
      area.setFillColor(withAlpha(color(i), 60));
      area.setShowInLegend(false);
    }
    for (int i = 0; i < all.size(); i++) {
      Band b = all.get(i);
      Color color = color(i);
      String label = b.name() + " (mean ± std)";
      XYSeries mean = chart.addSeries(key("mean", i), b.x, b.mean);
      mean.setLabel(label);
      mean.setXYSeriesRenderStyle(XYSeriesRenderStyle.Line);
      mean.setLineStyle(SOLID);
      mean.setLineColor(color);
      mean.setMarkerColor(color);
      mean.setMarker(b.x.length > MAX_MARKED_POINTS ? SeriesMarkers.NONE : SeriesMarkers.CIRCLE);
      labels.add(label);
    }
    for (int i = 0; i < all.size(); i++) {
      Band b = all.get(i);
      if (b.reference == null) {
        continue;
      }
      String label = b.name() + ": R";
      XYSeries ref = chart.addSeries(key("reference", i), b.x, b.reference);
      dashed.add(ref.getName());
      ref.setLabel(label);
      ref.setXYSeriesRenderStyle(XYSeriesRenderStyle.Line);
      ref.setLineStyle(DASHED);
      ref.setLineColor(color(i));
      ref.setMarker(SeriesMarkers.NONE);
      labels.add(label);
    }
    numberTicks(chart, true);
    placeLegend(chart, labels);
    dashInScreenSpace(chart, dashed);
    return chart;
  }

  static XYChart histogramsChart(String title, String xTitle, List<NamedValues> samples, int bins) {
    List<NamedValues> all = requireList(samples, "samples");
    if (bins < 1) {
      throw new IllegalArgumentException("bins must be at least 1, got " + bins);
    }
    XYChart chart = xyChart(title, xTitle, "fraction of samples per bin");
    double[] edges = binEdges(all, bins);
    List<String> labels = new ArrayList<>();
    for (int i = 0; i < all.size(); i++) {
      NamedValues sample = all.get(i);
      double[] fractions = fractions(sample.values, edges);
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
      step.setLineStyle(SOLID);
      step.setLineColor(color);
      // Translucent fill so that where two distributions overlap both stay visible.
      step.setFillColor(withAlpha(color, 70));
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
    numberTicks(chart, true);
    placeLegend(chart, labels);
    return chart;
  }

  static XYChart rocChart(String title, List<RocCurve> curves) {
    List<RocCurve> all = requireList(curves, "curves");
    XYChart chart = xyChart(title, "false accept rate (log scale)", "true accept rate");
    double floor = farFloor(all);
    List<String> labels = new ArrayList<>();
    for (int i = 0; i < all.size(); i++) {
      RocCurve c = all.get(i);
      double[][] sorted = sortedRoc(c.far, c.tar, floor);
      Color color = color(i);
      XYSeries line = chart.addSeries(key("roc", i), sorted[0], sorted[1]);
      line.setLabel(c.name());
      line.setXYSeriesRenderStyle(XYSeriesRenderStyle.Line);
      line.setLineStyle(SOLID);
      line.setLineColor(color);
      line.setMarkerColor(color);
      line.setMarker(sorted[0].length > MAX_MARKED_POINTS ? SeriesMarkers.NONE : null);
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
    chance.setLineStyle(DASHED);
    chance.setLineColor(CHANCE_COLOR);
    chance.setMarker(SeriesMarkers.NONE);
    labels.add(chanceLabel);

    AxesChartStyler styler = chart.getStyler();
    styler.setXAxisLogarithmic(true);
    styler.setXAxisMin(floor);
    styler.setXAxisMax(1.0);
    styler.setYAxisMin(0.0);
    styler.setYAxisMax(1.0);
    // No tick formatter on x: XChart would then lay the ticks out linearly despite the log axis.
    numberTicks(chart, false);
    placeLegend(chart, labels);
    dashInScreenSpace(chart, List.of(chance.getName()));
    return chart;
  }

  static XYChart scatterChart(
      String title,
      float[][] points,
      int[] labels,
      List<String> classNames,
      double radius,
      int maxPoints) {
    requireText(title, "title");
    Objects.requireNonNull(points, "points");
    Objects.requireNonNull(labels, "labels");
    List<String> classes = requireList(classNames, "classNames");
    for (int c = 0; c < classes.size(); c++) {
      requireText(classes.get(c), "classNames[" + c + "]");
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
    XYChart chart = xyChart(fullTitle, "feature 1", "feature 2");
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
      s.setMarkerColor(withAlpha(color(c), 170));
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
      ring.setLineStyle(DASHED);
      ring.setLineColor(RING_COLOR);
      ring.setMarker(SeriesMarkers.NONE);
      extent = Math.max(extent, radius);
    }
    // Ten class names do not fit in one row below the plot.
    styler.setLegendPosition(LegendPosition.OutsideE);
    styler.setLegendLayout(LegendLayout.Vertical);
    double half = extent > 0 ? extent * 1.08 : 1.0;
    Function<Double, String> ticks = tickFormat(2 * half);
    styler.setxAxisTickLabelsFormattingFunction(ticks);
    styler.setyAxisTickLabelsFormattingFunction(ticks);
    equalAspect(chart, half);
    if (ringKey != null) {
      dashInScreenSpace(chart, List.of(ringKey));
    }
    return chart;
  }

  static CategoryChart barsChart(
      String title, String xTitle, String yTitle, List<String> categories, List<Series2> groups) {
    requireText(title, "title");
    requireText(yTitle, "yTitle");
    List<String> cats = requireList(categories, "categories");
    for (int c = 0; c < cats.size(); c++) {
      requireText(cats.get(c), "categories[" + c + "]");
    }
    List<Series2> all = requireList(groups, "groups");
    for (int g = 0; g < all.size(); g++) {
      Series2 s = all.get(g);
      if (s.values.length != cats.size()) {
        throw new IllegalArgumentException(
            "groups["
                + g
                + "] '"
                + s.name()
                + "' has "
                + s.values.length
                + " values but there are "
                + cats.size()
                + " categories");
      }
    }
    CategoryChart chart = new CategoryChart(WIDTH, HEIGHT);
    chart.setTitle(title);
    chart.setYAxisTitle(yTitle);
    chart.setXAxisTitle(xTitle == null ? "" : xTitle);
    style(chart.getStyler());
    chart.getStyler().setXAxisTitleVisible(xTitle != null && !xTitle.isBlank());
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
      List<Double> values = boxed(s.values);
      CategorySeries bar =
          s.errors == null
              ? chart.addSeries(key("bars", g), cats, values)
              : chart.addSeries(key("bars", g), cats, values, boxed(s.errors));
      bar.setLabel(s.name());
      bar.setFillColor(color(g));
      bar.setLineColor(color(g));
      labels.add(s.name());
      for (int c = 0; c < s.values.length; c++) {
        double e = s.errors == null ? 0 : s.errors[c];
        low = Math.min(low, s.values[c] - e);
        high = Math.max(high, s.values[c] + e);
      }
    }
    if (low >= 0) {
      // Bars measure from zero; a truncated axis would exaggerate differences.
      chart.getStyler().setYAxisMin(0.0);
    }
    chart.getStyler().setyAxisTickLabelsFormattingFunction(tickFormat(high - low));
    placeLegend(chart, labels);
    return chart;
  }

  // ---------------------------------------------------------------------------------------------
  // Helpers with results worth testing.

  /**
   * Chooses which points {@link #scatter2d} draws: all of them if there are at most {@code
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

  /** Bin edges shared by all samples: {@code bins + 1} equal steps over their union range. */
  static double[] binEdges(List<NamedValues> samples, int bins) {
    double lo = Double.POSITIVE_INFINITY;
    double hi = Double.NEGATIVE_INFINITY;
    for (NamedValues s : samples) {
      for (double v : s.values) {
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
    double[] v = sample.values;
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

  /** The FAR drawn in place of 0 on the log axis; see {@link #roc}. */
  static double farFloor(List<RocCurve> curves) {
    double floor = Double.POSITIVE_INFINITY;
    for (RocCurve c : curves) {
      for (double f : c.far) {
        if (f > 0) {
          floor = Math.min(floor, f);
        }
      }
    }
    // A smallest positive FAR of 1 would leave an empty axis range.
    return floor < 1 ? floor : DEFAULT_FAR_FLOOR;
  }

  // ---------------------------------------------------------------------------------------------
  // Rendering and writing.

  /** Renders to PNG bytes first, so that a rendering failure leaves the file system untouched. */
  private static void write(Path png, Chart<?, ?> chart) throws IOException {
    byte[] bytes = BitmapEncoder.getBitmapBytes(chart, BitmapFormat.PNG);
    writeAtomically(png, bytes);
  }

  /**
   * Replaces {@code target} by {@code bytes} through a temporary file in the same directory (so the
   * rename stays on one file system); readers see the old file or the new one, never a part.
   */
  static void writeAtomically(Path target, byte[] bytes) throws IOException {
    Path absolute = target.toAbsolutePath();
    Path dir = absolute.getParent();
    if (dir != null) {
      Files.createDirectories(dir);
    }
    Path tmp = createSibling(absolute, bytes);
    boolean moved = false;
    try {
      Files.move(
          tmp, absolute, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      moved = true;
    } catch (AtomicMoveNotSupportedException e) {
      // Some file systems cannot rename atomically; a plain replace is still better than none.
      Files.move(tmp, absolute, StandardCopyOption.REPLACE_EXISTING);
      moved = true;
    } finally {
      if (!moved) {
        Files.deleteIfExists(tmp);
      }
    }
  }

  /**
   * Writes {@code bytes} to a new hidden file next to {@code target}. Unlike {@link
   * Files#createTempFile}, which makes the file readable by its owner only, the new file gets the
   * usual permissions, so the report stays readable after the rename.
   */
  private static Path createSibling(Path target, byte[] bytes) throws IOException {
    for (int attempt = 0; ; attempt++) {
      String suffix = Long.toUnsignedString(ThreadLocalRandom.current().nextLong(), 36);
      Path tmp = target.resolveSibling("." + target.getFileName() + "." + suffix + ".tmp");
      try {
        Files.write(tmp, bytes, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        return tmp;
      } catch (FileAlreadyExistsException e) {
        if (attempt >= 100) {
          throw e;
        }
      } catch (IOException | RuntimeException e) {
        // A partly written file must not stay behind.
        Files.deleteIfExists(tmp);
        throw e;
      }
    }
  }

  private static XYChart xyChart(String title, String xTitle, String yTitle) {
    requireText(title, "title");
    requireText(xTitle, "xTitle");
    requireText(yTitle, "yTitle");
    XYChart chart = new XYChart(WIDTH, HEIGHT);
    chart.setTitle(title);
    chart.setXAxisTitle(xTitle);
    chart.setYAxisTitle(yTitle);
    style(chart.getStyler());
    chart.getStyler().setMarkerSize(7);
    return chart;
  }

  private static void style(AxesChartStyler s) {
    s.setChartBackgroundColor(Color.WHITE);
    s.setPlotBackgroundColor(Color.WHITE);
    s.setPlotBorderVisible(true);
    s.setPlotBorderColor(new Color(0x888888));
    s.setPlotGridLinesVisible(true);
    s.setPlotGridLinesColor(new Color(0xe3e3e3));
    s.setPlotGridLinesStroke(new BasicStroke(1f));
    s.setChartFontColor(Color.BLACK);
    s.setAxisTickLabelsColor(Color.BLACK);
    s.setChartTitleFont(TITLE_FONT);
    s.setChartTitleBoxVisible(false);
    s.setAxisTitleFont(AXIS_TITLE_FONT);
    s.setAxisTitlesVisible(true);
    s.setAxisTickLabelsFont(TICK_FONT);
    // XChart aligns y tick labels left by default, which leaves "2" hanging beside "1.8".
    s.setYAxisLabelAlignment(AxesChartStyler.TextAlignment.Right);
    s.setLegendFont(LEGEND_FONT);
    s.setLegendBackgroundColor(Color.WHITE);
    s.setLegendBorderColor(new Color(0xbbbbbb));
    s.setLegendSeriesLineLength(28);
    s.setChartPadding(12);
    s.setSeriesColors(PALETTE);
    s.setAntiAlias(true);
    s.setToolTipsEnabled(false);
    // Tick labels look the same whatever the default locale of the machine.
    s.setLocale(Locale.ROOT);
  }

  /**
   * Puts the legend in one row below the plot when it fits there (leaving the full width to the
   * data), else in a column to the right; both are outside the plot so they never hide data.
   */
  private static void placeLegend(Chart<?, ?> chart, List<String> labels) {
    var styler = chart.getStyler();
    FontRenderContext frc = new FontRenderContext(null, true, true);
    int padding = styler.getLegendPadding();
    double width = padding;
    for (String label : labels) {
      width +=
          styler.getLegendFont().getStringBounds(label, frc).getWidth()
              + styler.getLegendSeriesLineLength()
              + 3 * padding;
    }
    boolean fitsBelow = width <= chart.getWidth() - 2 * styler.getChartPadding() - 40;
    styler.setLegendPosition(fitsBelow ? LegendPosition.OutsideS : LegendPosition.OutsideE);
    styler.setLegendLayout(fitsBelow ? LegendLayout.Horizontal : LegendLayout.Vertical);
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

  /**
   * Cuts the given line series into dashes of fixed on-screen length, separated by NaN breaks.
   *
   * <p>XChart draws a line point to point and restarts the stroke's dash pattern on every segment,
   * so a dashed stroke on a finely sampled line (a 361-point circle, R over 200 epochs) comes out
   * solid. The cuts are placed in pixels measured on a trial rendering; the axes must be final by
   * then, which they are since the cut points lie on the original segments.
   */
  private static void dashInScreenSpace(XYChart chart, List<String> keys) {
    if (keys.isEmpty()) {
      return;
    }
    BitmapEncoder.getBufferedImage(chart);
    boolean logX = chart.getStyler().isXAxisLogarithmic();
    for (String key : keys) {
      XYSeries series = chart.getSeriesMap().get(key);
      double[] x = series.getXData();
      double[] y = series.getYData();
      DoubleList outX = new DoubleList();
      DoubleList outY = new DoubleList();
      outX.add(x[0]);
      outY.add(y[0]);
      boolean on = true;
      double used = 0; // pixels already spent in the current dash or gap
      for (int i = 1; i < x.length; i++) {
        double sx0 = chart.getScreenXFromChart(x[i - 1]);
        double sy0 = chart.getScreenYFromChart(y[i - 1]);
        double sx1 = chart.getScreenXFromChart(x[i]);
        double sy1 = chart.getScreenYFromChart(y[i]);
        double length = Math.hypot(sx1 - sx0, sy1 - sy0);
        if (!(length > 0)) {
          // A repeated point (or an unplottable one) moves the pen nowhere.
          if (on) {
            outX.add(x[i]);
            outY.add(y[i]);
          }
          continue;
        }
        double done = 0; // pixels of this segment already walked
        while (true) {
          double left = (on ? DASH_ON : DASH_OFF) - used;
          if (done + left >= length) {
            used += length - done;
            if (on) {
              outX.add(x[i]);
              outY.add(y[i]);
            }
            break;
          }
          done += left;
          double t = done / length;
          double cx =
              logX
                  ? Math.pow(10, lerp(Math.log10(x[i - 1]), Math.log10(x[i]), t))
                  : lerp(x[i - 1], x[i], t);
          double cy = lerp(y[i - 1], y[i], t);
          outX.add(cx);
          outY.add(cy);
          if (on) {
            // End of a dash: a NaN y makes XChart lift the pen until the next dash starts.
            outX.add(cx);
            outY.add(Double.NaN);
          }
          on = !on;
          used = 0;
        }
      }
      chart.updateXYSeries(key, outX.toArray(), outY.toArray(), null);
    }
  }

  private static double lerp(double a, double b, double t) {
    return a + (b - a) * t;
  }

  /** A growable array of doubles, to avoid boxing the many points of a dashed line. */
  private static final class DoubleList {
    private double[] values = new double[64];
    private int size;

    void add(double v) {
      if (size == values.length) {
        values = Arrays.copyOf(values, size * 2);
      }
      values[size++] = v;
    }

    double[] toArray() {
      return Arrays.copyOf(values, size);
    }
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

  /**
   * Tick values written plainly, rounded to 3 decimals below the leading digit of the axis span.
   * XChart's own format drops the leading zero (".05") and shows floating-point noise of values
   * that should be 0 as such.
   */
  static Function<Double, String> tickFormat(double span) {
    int decimals = span > 0 && Double.isFinite(span) ? 3 - (int) Math.floor(Math.log10(span)) : 3;
    int scale = Math.max(0, Math.min(15, decimals));
    return value -> {
      BigDecimal rounded =
          BigDecimal.valueOf(value).setScale(scale, RoundingMode.HALF_UP).stripTrailingZeros();
      return rounded.signum() == 0 ? "0" : rounded.toPlainString();
    };
  }

  /**
   * Sets {@link #tickFormat} for the y axis and, if {@code xToo}, the x axis, from the range that
   * the data and any fixed axis bounds span.
   */
  private static void numberTicks(XYChart chart, boolean xToo) {
    double xMin = Double.POSITIVE_INFINITY;
    double xMax = Double.NEGATIVE_INFINITY;
    double yMin = Double.POSITIVE_INFINITY;
    double yMax = Double.NEGATIVE_INFINITY;
    for (XYSeries s : chart.getSeriesMap().values()) {
      xMin = Math.min(xMin, s.getXMin());
      xMax = Math.max(xMax, s.getXMax());
      yMin = Math.min(yMin, s.getYMin());
      yMax = Math.max(yMax, s.getYMax());
    }
    AxesChartStyler styler = chart.getStyler();
    xMin = styler.getXAxisMin() != null ? styler.getXAxisMin() : xMin;
    xMax = styler.getXAxisMax() != null ? styler.getXAxisMax() : xMax;
    yMin = styler.getYAxisMin() != null ? styler.getYAxisMin() : yMin;
    yMax = styler.getYAxisMax() != null ? styler.getYAxisMax() : yMax;
    if (xToo) {
      styler.setxAxisTickLabelsFormattingFunction(tickFormat(xMax - xMin));
    }
    styler.setyAxisTickLabelsFormattingFunction(tickFormat(yMax - yMin));
  }

  // ---------------------------------------------------------------------------------------------
  // Validation.

  private static <T> List<T> requireList(List<T> list, String argument) {
    Objects.requireNonNull(list, argument);
    if (list.isEmpty()) {
      throw new IllegalArgumentException(argument + " must not be empty");
    }
    for (int i = 0; i < list.size(); i++) {
      if (list.get(i) == null) {
        throw new IllegalArgumentException(argument + "[" + i + "] is null");
      }
    }
    return list;
  }

  private static void requireText(String value, String argument) {
    Objects.requireNonNull(value, argument);
    if (value.isBlank()) {
      throw new IllegalArgumentException(argument + " must not be blank");
    }
  }

  private static String requireName(String name, String type) {
    Objects.requireNonNull(name, type + " name");
    if (name.isBlank()) {
      throw new IllegalArgumentException(type + " name must not be blank");
    }
    return name;
  }

  private static double[] finiteCopy(double[] values, String what, String field) {
    Objects.requireNonNull(values, what + ": " + field);
    if (values.length == 0) {
      throw new IllegalArgumentException(what + ": " + field + " must not be empty");
    }
    for (int i = 0; i < values.length; i++) {
      if (!Double.isFinite(values[i])) {
        throw new IllegalArgumentException(
            what + ": " + field + "[" + i + "] is not finite (" + values[i] + ")");
      }
    }
    return values.clone();
  }

  private static void requireSameLength(
      String what, String aName, double[] a, String bName, double[] b) {
    if (a.length != b.length) {
      throw new IllegalArgumentException(
          what + ": " + aName + " has " + a.length + " values but " + bName + " has " + b.length);
    }
  }

  private static void requireRate(double[] values, String what, String field) {
    for (int i = 0; i < values.length; i++) {
      if (values[i] < 0 || values[i] > 1) {
        throw new IllegalArgumentException(
            what + ": " + field + "[" + i + "] is " + values[i] + ", outside [0, 1]");
      }
    }
  }

  private static String key(String kind, int index) {
    // Internal series keys stay unique even when two legend labels are the same.
    return kind + "#" + index;
  }

  private static Color color(int index) {
    if (index < PALETTE.length) {
      return PALETTE[index];
    }
    // Beyond ten: golden-angle hues keep further colours apart from each other.
    float hue = (float) ((index * 0.618033988749895) % 1.0);
    return Color.getHSBColor(hue, 0.65f, 0.8f);
  }

  private static Color withAlpha(Color c, int alpha) {
    return new Color(c.getRed(), c.getGreen(), c.getBlue(), alpha);
  }

  private static List<Double> boxed(double[] values) {
    List<Double> list = new ArrayList<>(values.length);
    for (double v : values) {
      list.add(v);
    }
    return list;
  }
}
