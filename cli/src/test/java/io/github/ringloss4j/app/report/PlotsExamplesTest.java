package io.github.ringloss4j.app.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.ringloss4j.app.report.Plots.Band;
import io.github.ringloss4j.app.report.Plots.NamedValues;
import io.github.ringloss4j.app.report.Plots.RocCurve;
import io.github.ringloss4j.app.report.Plots.Series;
import io.github.ringloss4j.app.report.Plots.Series2;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategorySeries;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Renders one realistic example of every chart, into the directory named by the system property
 * {@code plots.examples.dir} when it is set (for looking at them), else into a temporary directory,
 * and checks what each shows: titles, axis titles, legend, the chart-kind specifics (dashes, log
 * axis, subsample title, ring) and a decodable, non-blank PNG of the chart size.
 */
class PlotsExamplesTest {

  private static final List<String> FASHION =
      List.of(
          "T-shirt/top",
          "Trouser",
          "Pullover",
          "Dress",
          "Coat",
          "Sandal",
          "Shirt",
          "Sneaker",
          "Bag",
          "Ankle boot");

  @TempDir Path temp;

  private Path out() {
    String configured = System.getProperty("plots.examples.dir");
    return configured == null || configured.isBlank() ? temp : Path.of(configured);
  }

  @Test
  void rendersExamples() throws IOException {
    Path out = out();
    int epochs = 30;
    double[] epoch = new double[epochs];
    double[] softmaxLoss = new double[epochs];
    double[] ringSoftmaxTerm = new double[epochs];
    double[] ringTerm = new double[epochs];
    double[] radius = new double[epochs];
    double[] softNormMean = new double[epochs];
    double[] softNormStd = new double[epochs];
    double[] ringNormMean = new double[epochs];
    double[] ringNormStd = new double[epochs];
    for (int e = 0; e < epochs; e++) {
      epoch[e] = e + 1;
      softmaxLoss[e] = 0.25 + 2.0 * Math.exp(-e / 5.0);
      ringSoftmaxTerm[e] = 0.22 + 2.0 * Math.exp(-e / 4.5);
      ringTerm[e] = 0.6 * Math.exp(-e / 3.0) + 0.02;
      radius[e] = 8.41 - 7.4 * Math.exp(-e / 4.0);
      softNormMean[e] = 3 + 9 * (1 - Math.exp(-e / 8.0));
      softNormStd[e] = 1 + 2.5 * (1 - Math.exp(-e / 8.0));
      ringNormMean[e] = radius[e] + 1.2 * Math.exp(-e / 3.0);
      ringNormStd[e] = 0.3 + 1.5 * Math.exp(-e / 4.0);
    }
    XYChart lines =
        CurvePlots.linesChart(
            "Loss terms per epoch (Fashion-MNIST)",
            "epoch",
            "loss",
            List.of(
                new Series("softmax: cross-entropy", epoch, softmaxLoss),
                new Series("ring: cross-entropy", epoch, ringSoftmaxTerm),
                new Series("ring: λ·½(‖f‖−R)²", epoch, ringTerm)));
    assertTitles(lines, "Loss terms per epoch (Fashion-MNIST)", "epoch", "loss");
    assertEquals(
        List.of("softmax: cross-entropy", "ring: cross-entropy", "ring: λ·½(‖f‖−R)²"),
        legend(lines));
    for (XYSeries s : lines.getSeriesMap().values()) {
      assertNotEquals(SeriesMarkers.NONE, s.getMarker(), "30 points keep their markers");
    }
    render(out.resolve("lines.png"), lines);

    XYChart bands =
        CurvePlots.bandsChart(
            "Feature norm ‖f‖ per epoch (mean ± std)",
            "epoch",
            "‖f‖",
            List.of(
                new Band("softmax", epoch, softNormMean, softNormStd),
                new Band("softmax + ring", epoch, ringNormMean, ringNormStd, radius)));
    assertTitles(bands, "Feature norm ‖f‖ per epoch (mean ± std)", "epoch", "‖f‖");
    assertEquals(
        List.of("softmax (mean ± std)", "softmax + ring (mean ± std)", "softmax + ring: R"),
        legend(bands));
    double[] dashedR = bands.getSeriesMap().get("reference#1").getYData();
    assertTrue(
        Arrays.stream(dashedR).anyMatch(Double::isNaN), "R is cut into dashes (NaN pen lifts)");
    render(out.resolve("bands.png"), bands);

    double[] soft = PlotsTest.gaussian(1, 10_000, 8.12, 2.5);
    double[] ring = PlotsTest.gaussian(2, 10_000, 8.41, 0.35);
    XYChart histograms =
        HistogramPlots.chart(
            "Feature norms on the test set",
            "‖f‖",
            List.of(new NamedValues("softmax", soft), new NamedValues("softmax + ring", ring)),
            50);
    assertTitles(histograms, "Feature norms on the test set", "‖f‖", "fraction of samples per bin");
    List<String> histogramLegend = legend(histograms);
    assertTrue(
        histogramLegend.get(0).matches("softmax \\(mean 8\\.1\\d, CV 0\\.3\\d\\)"),
        histogramLegend.get(0));
    assertTrue(
        histogramLegend.get(1).matches("softmax \\+ ring \\(mean 8\\.4\\d, CV 0\\.04\\)"),
        histogramLegend.get(1));
    assertEquals(0.0, histograms.getStyler().getYAxisMin(), "the bars stand on 0");
    render(out.resolve("histograms.png"), histograms);

    XYChart roc =
        RocPlots.chart(
            "Verification ROC (test pairs)",
            List.of(empiricalRoc("softmax", 11, 1.6), empiricalRoc("softmax + ring", 12, 2.2)));
    assertTitles(
        roc, "Verification ROC (test pairs)", "false accept rate (log scale)", "true accept rate");
    assertEquals(List.of("softmax", "softmax + ring", "chance (TAR = FAR)"), legend(roc));
    assertTrue(roc.getStyler().isXAxisLogarithmic());
    assertEquals(
        SeriesMarkers.NONE, roc.getSeriesMap().get("roc#0").getMarker(), "201 points, no markers");
    render(out.resolve("roc.png"), roc);

    PlotsTest.Features ringFeatures = PlotsTest.features(21, 1000, 8.41);
    XYChart ringScatter =
        ScatterPlots.chart(
            "2-D features, softmax + ring",
            ringFeatures.points(),
            ringFeatures.labels(),
            FASHION,
            8.41,
            2000);
    assertTitles(
        ringScatter,
        "2-D features, softmax + ring (2,000 of 10,000 points)",
        "feature 1",
        "feature 2");
    List<String> withRing = new ArrayList<>(FASHION);
    withRing.add("R = 8.41");
    assertEquals(withRing, legend(ringScatter));
    render(out.resolve("scatter-ring.png"), ringScatter);

    PlotsTest.Features softFeatures = softmaxLike(22, 300);
    XYChart softScatter =
        ScatterPlots.chart(
            "2-D features, softmax",
            softFeatures.points(),
            softFeatures.labels(),
            FASHION,
            Double.NaN,
            5000);
    assertTitles(softScatter, "2-D features, softmax", "feature 1", "feature 2");
    assertEquals(FASHION, legend(softScatter), "every point drawn, no ring");
    render(out.resolve("scatter-softmax.png"), softScatter);

    List<String> categories = List.of("accuracy", "TAR @ FAR=1e-3", "TAR @ FAR=1e-2");
    CategoryChart bars =
        BarPlots.chart(
            "Method comparison (mean ± std over 3 seeds)",
            null,
            "score",
            categories,
            List.of(
                new Series2(
                    "softmax", new double[] {0.905, 0.41, 0.63}, new double[] {0.004, 0.03, 0.02}),
                new Series2(
                    "softmax + ring",
                    new double[] {0.912, 0.52, 0.71},
                    new double[] {0.003, 0.02, 0.015})));
    assertEquals("Method comparison (mean ± std over 3 seeds)", bars.getTitle());
    assertEquals("score", bars.getYAxisTitle());
    assertFalse(bars.getStyler().isXAxisTitleVisible(), "the categories name the bars");
    assertEquals(0.0, bars.getStyler().getYAxisMin(), "bars measure from 0");
    List<String> barLegend = new ArrayList<>();
    for (CategorySeries s : bars.getSeriesMap().values()) {
      barLegend.add(s.getLabel());
      assertEquals(categories, s.getXData());
    }
    assertEquals(List.of("softmax", "softmax + ring"), barLegend);
    render(out.resolve("bars.png"), bars);
  }

  /** Writes the chart as the public entry points do, and checks the PNG that comes out. */
  private static void render(Path png, Chart<?, ?> chart) throws IOException {
    Plots.write(png, chart);
    PlotsTest.assertValidPng(png);
  }

  private static void assertTitles(XYChart chart, String title, String xTitle, String yTitle) {
    assertEquals(title, chart.getTitle());
    assertEquals(xTitle, chart.getXAxisTitle());
    assertEquals(yTitle, chart.getYAxisTitle());
  }

  /** The legend labels in drawing order. */
  private static List<String> legend(XYChart chart) {
    List<String> labels = new ArrayList<>();
    for (XYSeries s : chart.getSeriesMap().values()) {
      if (s.isShowInLegend()) {
        labels.add(s.getLabel());
      }
    }
    return labels;
  }

  /** ROC of Gaussian genuine scores (mean {@code separation}) against standard-normal impostors. */
  private static RocCurve empiricalRoc(String name, long seed, double separation) {
    double[] genuine = PlotsTest.gaussian(seed, 3000, separation, 1);
    double[] impostor = PlotsTest.gaussian(seed + 100, 30_000, 0, 1);
    Arrays.sort(genuine);
    Arrays.sort(impostor);
    int steps = 200;
    double[] far = new double[steps + 1];
    double[] tar = new double[steps + 1];
    for (int k = 0; k <= steps; k++) {
      double threshold = 6 - 10.0 * k / steps;
      far[k] = above(impostor, threshold);
      tar[k] = above(genuine, threshold);
    }
    return new RocCurve(name, far, tar);
  }

  private static double above(double[] sorted, double threshold) {
    int i = Arrays.binarySearch(sorted, threshold);
    int firstAbove = i >= 0 ? i + 1 : -i - 1;
    return (double) (sorted.length - firstAbove) / sorted.length;
  }

  /** Softmax-like 2-D features: class sectors whose norms spread widely. */
  private static PlotsTest.Features softmaxLike(long seed, int perClass) {
    java.util.Random random = new java.util.Random(seed);
    int n = 10 * perClass;
    float[][] points = new float[n][];
    int[] labels = new int[n];
    for (int i = 0; i < n; i++) {
      int c = i % 10;
      double angle = 2 * Math.PI * c / 10 + 0.12 * random.nextGaussian();
      double norm = Math.abs(2 + 9 * random.nextDouble() + random.nextGaussian());
      points[i] = new float[] {(float) (norm * Math.cos(angle)), (float) (norm * Math.sin(angle))};
      labels[i] = c;
    }
    return new PlotsTest.Features(points, labels);
  }
}
