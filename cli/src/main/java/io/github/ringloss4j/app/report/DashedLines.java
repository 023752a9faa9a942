package io.github.ringloss4j.app.report;

import java.util.Arrays;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;

/**
 * Dashed lines that stay dashed however finely they are sampled (see {@link #dashInScreenSpace}).
 */
final class DashedLines {

  /**
   * Dash and gap lengths in pixels that {@link #dashInScreenSpace} cuts dashed lines into. The dash
   * is shorter than the first dash of {@link ChartStyle#DASHED}, which XChart restarts on every
   * segment, so each piece is drawn whole while the legend still shows {@link ChartStyle#DASHED}.
   */
  private static final double DASH_ON = 7;

  private static final double DASH_OFF = 5;

  private DashedLines() {}

  /**
   * Cuts the given line series into dashes of fixed on-screen length, separated by NaN breaks.
   *
   * <p>XChart draws a line point to point and restarts the stroke's dash pattern on every segment,
   * so a dashed stroke on a finely sampled line (a 361-point circle, R over 200 epochs) comes out
   * solid. The cuts are placed in pixels measured on a trial rendering; the axes must be final by
   * then, which they are since the cut points lie on the original segments.
   */
  static void dashInScreenSpace(XYChart chart, List<String> keys) {
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
}
