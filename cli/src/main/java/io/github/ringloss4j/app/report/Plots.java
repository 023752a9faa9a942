package io.github.ringloss4j.app.report;

import io.github.ringloss4j.app.io.AtomicFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.BitmapEncoder.BitmapFormat;
import org.knowm.xchart.internal.chartpart.Chart;

/**
 * Headless PNG charts for the ring-loss report, drawn with XChart: the entry points and the data
 * they take. Each kind of chart is built in its own class ({@link CurvePlots}, {@link
 * HistogramPlots}, {@link RocPlots}, {@link ScatterPlots}, {@link BarPlots}), with the shared look
 * in {@link ChartStyle}.
 *
 * <p>Every chart is {@value #WIDTH}×{@value #HEIGHT} pixels with a white background, a title, both
 * axis titles and a legend placed outside the plot area so that it never covers data. Each method
 * validates its input before anything touches the file system, renders the chart to PNG bytes in
 * memory and then replaces {@code png} through {@link AtomicFiles}: a temporary file in the same
 * directory, forced to disk, then renamed atomically over the target. Where the file system cannot
 * rename atomically the write fails with an {@link IOException} rather than falling back to a
 * non-atomic replace. If anything fails, an existing file at {@code png} is left as it was.
 *
 * <p>Invalid input is reported as an {@link IllegalArgumentException} whose message names the
 * argument, the series and the index at fault; {@code null} arguments raise a {@link
 * NullPointerException} naming the argument.
 */
public final class Plots {

  /** Width of every chart in pixels. */
  public static final int WIDTH = 900;

  /** Height of every chart in pixels. */
  public static final int HEIGHT = 600;

  /**
   * False accept rate that {@link #roc} uses in place of zero when no curve has a positive false
   * accept rate at all.
   */
  public static final double DEFAULT_FAR_FLOOR = 1e-5;

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
      name = PlotChecks.requireName(name, "Series");
      String what = "Series '" + name + "'";
      x = PlotChecks.finiteCopy(x, what, "x");
      y = PlotChecks.finiteCopy(y, what, "y");
      PlotChecks.requireSameLength(what, "x", x, "y", y);
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
      name = PlotChecks.requireName(name, "Band");
      String what = "Band '" + name + "'";
      x = PlotChecks.finiteCopy(x, what, "x");
      mean = PlotChecks.finiteCopy(mean, what, "mean");
      std = PlotChecks.finiteCopy(std, what, "std");
      PlotChecks.requireSameLength(what, "x", x, "mean", mean);
      PlotChecks.requireSameLength(what, "x", x, "std", std);
      for (int i = 0; i < std.length; i++) {
        if (std[i] < 0) {
          throw new IllegalArgumentException(
              what + ": std[" + i + "] is negative (" + std[i] + ")");
        }
      }
      if (reference != null) {
        reference = PlotChecks.finiteCopy(reference, what, "reference");
        PlotChecks.requireSameLength(what, "x", x, "reference", reference);
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
      name = PlotChecks.requireName(name, "NamedValues");
      values = PlotChecks.finiteCopy(values, "NamedValues '" + name + "'", "values");
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
      name = PlotChecks.requireName(name, "RocCurve");
      String what = "RocCurve '" + name + "'";
      far = PlotChecks.finiteCopy(far, what, "far");
      tar = PlotChecks.finiteCopy(tar, what, "tar");
      PlotChecks.requireSameLength(what, "far", far, "tar", tar);
      PlotChecks.requireRate(far, what, "far");
      PlotChecks.requireRate(tar, what, "tar");
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
      name = PlotChecks.requireName(name, "Series2");
      String what = "Series2 '" + name + "'";
      values = PlotChecks.finiteCopy(values, what, "values");
      if (errors != null) {
        errors = PlotChecks.finiteCopy(errors, what, "errors");
        PlotChecks.requireSameLength(what, "values", values, "errors", errors);
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
    write(png, CurvePlots.linesChart(title, xTitle, yTitle, series));
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
    write(png, CurvePlots.bandsChart(title, xTitle, yTitle, bands));
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
    write(png, HistogramPlots.chart(title, xTitle, samples, bins));
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
    write(png, RocPlots.chart(title, curves));
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
    write(png, ScatterPlots.chart(title, points, labels, classNames, radius, maxPoints));
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
    write(png, BarPlots.chart(title, xTitle, yTitle, categories, groups));
  }

  /**
   * Writes a chart as PNG. It is rendered to bytes first, so that a rendering failure leaves the
   * file system untouched.
   *
   * @param png the file to create or replace
   * @param chart the chart
   * @throws IOException if the file cannot be written; an existing file is then unchanged
   */
  static void write(Path png, Chart<?, ?> chart) throws IOException {
    AtomicFiles.writeBytes(png, BitmapEncoder.getBitmapBytes(chart, BitmapFormat.PNG));
  }
}
