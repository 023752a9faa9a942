package io.github.ringloss4j.app.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.font.FontRenderContext;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.AxesChartStyler;
import org.knowm.xchart.style.Styler.LegendLayout;
import org.knowm.xchart.style.Styler.LegendPosition;

/**
 * The look every chart of the report shares: size, white background, fonts, palette, strokes,
 * legend placement and tick labels. Every chart is created here, so that the headless switch below
 * is set before XChart or AWT is touched.
 */
final class ChartStyle {

  // First in the class so that it runs before any AWT class is touched: rendering must never try
  // to open a display, also when the command is started from a desktop session.
  static {
    if (System.getProperty("java.awt.headless") == null) {
      System.setProperty("java.awt.headless", "true");
    }
  }

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

  static final Color RING_COLOR = Color.BLACK;
  static final Color CHANCE_COLOR = new Color(0x999999);
  private static final Font TITLE_FONT = new Font(Font.SANS_SERIF, Font.BOLD, 18);
  private static final Font AXIS_TITLE_FONT = new Font(Font.SANS_SERIF, Font.PLAIN, 15);
  private static final Font TICK_FONT = new Font(Font.SANS_SERIF, Font.PLAIN, 13);
  private static final Font LEGEND_FONT = new Font(Font.SANS_SERIF, Font.PLAIN, 13);
  static final BasicStroke SOLID = new BasicStroke(2f);
  static final BasicStroke DASHED =
      new BasicStroke(
          2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 10f, new float[] {8f, 5f}, 0f);

  private ChartStyle() {}

  /**
   * An empty XY chart of the report's size and style, with its titles.
   *
   * @throws IllegalArgumentException if a title is blank
   */
  static XYChart xyChart(String title, String xTitle, String yTitle) {
    PlotChecks.requireText(title, "title");
    PlotChecks.requireText(xTitle, "xTitle");
    PlotChecks.requireText(yTitle, "yTitle");
    XYChart chart = new XYChart(Plots.WIDTH, Plots.HEIGHT);
    chart.setTitle(title);
    chart.setXAxisTitle(xTitle);
    chart.setYAxisTitle(yTitle);
    style(chart.getStyler());
    chart.getStyler().setMarkerSize(7);
    return chart;
  }

  /**
   * An empty category (bar) chart of the report's size and style, with its titles.
   *
   * @param xTitle x-axis title; {@code null} or blank for none
   */
  static CategoryChart categoryChart(String title, String xTitle, String yTitle) {
    CategoryChart chart = new CategoryChart(Plots.WIDTH, Plots.HEIGHT);
    chart.setTitle(title);
    chart.setYAxisTitle(yTitle);
    chart.setXAxisTitle(xTitle == null ? "" : xTitle);
    style(chart.getStyler());
    chart.getStyler().setXAxisTitleVisible(xTitle != null && !xTitle.isBlank());
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
  static void placeLegend(Chart<?, ?> chart, List<String> labels) {
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
  static void numberTicks(XYChart chart, boolean xToo) {
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

  static String key(String kind, int index) {
    // Internal series keys stay unique even when two legend labels are the same.
    return kind + "#" + index;
  }

  static Color color(int index) {
    if (index < PALETTE.length) {
      return PALETTE[index];
    }
    // Beyond ten: golden-angle hues keep further colours apart from each other.
    float hue = (float) ((index * 0.618033988749895) % 1.0);
    return Color.getHSBColor(hue, 0.65f, 0.8f);
  }

  static Color withAlpha(Color c, int alpha) {
    return new Color(c.getRed(), c.getGreen(), c.getBlue(), alpha);
  }
}
