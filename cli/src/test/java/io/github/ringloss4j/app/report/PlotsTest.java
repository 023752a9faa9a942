package io.github.ringloss4j.app.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.ringloss4j.app.report.Plots.Band;
import io.github.ringloss4j.app.report.Plots.NamedValues;
import io.github.ringloss4j.app.report.Plots.RocCurve;
import io.github.ringloss4j.app.report.Plots.Series;
import io.github.ringloss4j.app.report.Plots.Series2;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;

class PlotsTest {

  private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

  private static final List<String> CLASSES =
      List.of("c0", "c1", "c2", "c3", "c4", "c5", "c6", "c7", "c8", "c9");

  @TempDir Path dir;

  // --- every chart writes a readable, non-blank PNG of the default size ------------------------

  @Test
  void linesWritesPng() throws IOException {
    Path png = dir.resolve("sub/dir/lines.png");
    Plots.lines(
        png,
        "Loss per epoch",
        "epoch",
        "loss",
        List.of(
            new Series("softmax", new double[] {1, 2, 3}, new double[] {2.3, 1.1, 0.7}),
            new Series("ring", new double[] {1, 2, 3}, new double[] {2.5, 1.0, 0.5})));
    assertValidPng(png);
  }

  @Test
  void bandsWritesPng() throws IOException {
    Path png = dir.resolve("bands.png");
    double[] x = {1, 2, 3, 4};
    Plots.bands(
        png,
        "‖f‖ per epoch",
        "epoch",
        "‖f‖",
        List.of(
            new Band("softmax", x, new double[] {3, 5, 7, 9}, new double[] {1, 1.5, 2, 2.5}),
            new Band(
                "ring",
                x,
                new double[] {4, 6, 7, 7.5},
                new double[] {1, 0.6, 0.4, 0.3},
                new double[] {1, 4, 6.5, 7.4})));
    assertValidPng(png);
  }

  @Test
  void histogramsWritesPng() throws IOException {
    Path png = dir.resolve("hist.png");
    Plots.histograms(
        png,
        "‖f‖ on the test set",
        "‖f‖",
        List.of(
            new NamedValues("softmax", gaussian(1, 2000, 8, 2.5)),
            new NamedValues("ring", gaussian(2, 2000, 8.4, 0.4))),
        40);
    assertValidPng(png);
  }

  @Test
  void rocWritesPng() throws IOException {
    Path png = dir.resolve("roc.png");
    Plots.roc(
        png,
        "Verification ROC",
        List.of(
            new RocCurve(
                "softmax",
                new double[] {0, 1e-3, 1e-2, 0.1, 1},
                new double[] {0.2, 0.5, 0.7, 0.9, 1}),
            new RocCurve(
                "ring",
                new double[] {0, 1e-3, 1e-2, 0.1, 1},
                new double[] {0.3, 0.6, 0.8, 0.95, 1})));
    assertValidPng(png);
  }

  @Test
  void scatterWritesPng() throws IOException {
    Path png = dir.resolve("scatter.png");
    Features f = features(3, 500, 5.0);
    Plots.scatter2d(png, "Features", f.points, f.labels, CLASSES, 5.0, 10_000);
    assertValidPng(png);
  }

  @Test
  void barsWritesPng() throws IOException {
    Path png = dir.resolve("bars.png");
    Plots.bars(
        png,
        "Method comparison",
        "accuracy",
        List.of("MNIST", "Fashion"),
        List.of(
            new Series2("softmax", new double[] {0.98, 0.89}, new double[] {0.002, 0.004}),
            new Series2("ring", new double[] {0.99, 0.91}, null)));
    assertValidPng(png);
  }

  @Test
  void degenerateButValidInputStillRenders() throws IOException {
    double[] one = {1};
    Plots.lines(dir.resolve("e1.png"), "t", "x", "y", List.of(new Series("one", one, one)));
    assertValidPng(dir.resolve("e1.png"));
    List<Series> many = new java.util.ArrayList<>();
    for (int i = 0; i < 12; i++) {
      many.add(
          new Series(
              "a rather long series name number " + i,
              new double[] {0, 1, 2},
              new double[] {i, i + 1, i * 0.5}));
    }
    Plots.lines(dir.resolve("e2.png"), "t", "x", "y", many);
    assertValidPng(dir.resolve("e2.png"));
    Plots.bands(
        dir.resolve("e3.png"),
        "t",
        "x",
        "y",
        List.of(new Band("b", one, one, new double[] {0}, one)));
    assertValidPng(dir.resolve("e3.png"));
    Plots.histograms(
        dir.resolve("e4.png"),
        "t",
        "x",
        List.of(new NamedValues("same", new double[] {3, 3, 3})),
        1);
    assertValidPng(dir.resolve("e4.png"));
    Plots.roc(
        dir.resolve("e5.png"),
        "t",
        List.of(new RocCurve("point", new double[] {0}, new double[] {0})));
    assertValidPng(dir.resolve("e5.png"));
    Plots.scatter2d(dir.resolve("e6.png"), "t", new float[][] {{0, 0}}, new int[1], CLASSES, 0, 1);
    assertValidPng(dir.resolve("e6.png"));
    Plots.bars(
        dir.resolve("e7.png"),
        "t",
        "delta",
        List.of("a", "b"),
        List.of(new Series2("g", new double[] {-0.5, 0.25}, new double[] {0.1, 0})));
    assertValidPng(dir.resolve("e7.png"));
  }

  // --- scatter geometry ------------------------------------------------------------------------

  @Test
  void scatterDrawsDashedRingAroundTheOrigin() {
    // A tight cluster plus four anchors just outside the ring, so that the axis range is the same
    // with and without the ring and only the ring can put dark pixels on the circle.
    double radius = 6;
    int n = 204;
    float[][] points = new float[n][];
    int[] labels = new int[n];
    Random random = new Random(7);
    for (int i = 0; i < n - 4; i++) {
      points[i] = new float[] {(float) random.nextGaussian() * 0.5f, (float) random.nextGaussian()};
      labels[i] = i % 3;
    }
    float a = 6.3f;
    float[][] anchors = {{a, 0}, {-a, 0}, {0, a}, {0, -a}};
    for (int k = 0; k < 4; k++) {
      points[n - 4 + k] = anchors[k];
    }

    XYChart ring = ScatterPlots.chart("s", points, labels, CLASSES, radius, 1000);
    XYChart none = ScatterPlots.chart("s", points, labels, CLASSES, Double.NaN, 1000);
    double withRing = darkFractionOnCircle(ring, radius, 2);
    double without = darkFractionOnCircle(none, radius, 2);
    assertTrue(withRing > 0.6, "dark pixels near the ring with radius: " + withRing);
    assertTrue(without < 0.05, "dark pixels near the ring without radius: " + without);
    // Dashed, not solid: looking closely (3 x 3 pixels), the gaps stay light. A solid ring gives
    // 1.0 here, the 7 px on / 5 px off dashes about 0.7.
    double close = darkFractionOnCircle(ring, radius, 1);
    assertTrue(close > 0.4 && close < 0.9, "dark pixels right on the ring: " + close);
  }

  @Test
  void scatterHasEqualScalesOnBothAxes() {
    Features f = features(5, 300, 8.0);
    XYChart chart = ScatterPlots.chart("s", f.points, f.labels, CLASSES, 8.0, 10_000);
    BitmapEncoder.getBufferedImage(chart);
    double dx = Math.abs(chart.getScreenXFromChart(8) - chart.getScreenXFromChart(0));
    double dy = Math.abs(chart.getScreenYFromChart(8) - chart.getScreenYFromChart(0));
    assertTrue(dx > 100, "ring radius on screen: " + dx);
    assertEquals(dx, dy, 1.0, "one unit must be as long along x as along y");
    // Centred at the origin: the axis ranges are symmetric.
    assertEquals(0.0, chart.getStyler().getXAxisMin() + chart.getStyler().getXAxisMax(), 1e-9);
    assertEquals(0.0, chart.getStyler().getYAxisMin() + chart.getStyler().getYAxisMax(), 1e-9);
  }

  @Test
  void scatterSubsampleIsDeterministicStratifiedAndNamedInTheTitle() {
    Features f = features(11, 1000, 3.0);
    // Unbalanced classes: drop most of class 9.
    int[] labels = f.labels.clone();
    int moved = 0;
    for (int i = 0; i < labels.length && moved < 800; i++) {
      if (labels[i] == 9) {
        labels[i] = 0;
        moved++;
      }
    }
    int[] first = ScatterPlots.subsampleIndices(labels, 10, 2000, ScatterPlots.SUBSAMPLE_SEED);
    int[] second = ScatterPlots.subsampleIndices(labels, 10, 2000, ScatterPlots.SUBSAMPLE_SEED);
    assertArrayEquals(first, second);
    assertEquals(2000, first.length);
    assertEquals(2000, Arrays.stream(first).distinct().count());
    for (int k = 1; k < first.length; k++) {
      assertTrue(first[k - 1] < first[k], "indices are sorted");
    }
    int[] perClass = new int[10];
    for (int i : first) {
      perClass[labels[i]]++;
    }
    // Class 0 holds 1800 of 10,000 points, class 9 holds 200, the others 1000 each.
    assertEquals(360, perClass[0]);
    assertEquals(40, perClass[9]);
    for (int c = 1; c < 9; c++) {
      assertEquals(200, perClass[c]);
    }
    int[] otherSeed =
        ScatterPlots.subsampleIndices(labels, 10, 2000, ScatterPlots.SUBSAMPLE_SEED + 1);
    assertFalse(Arrays.equals(first, otherSeed), "the seed matters");

    XYChart chart = ScatterPlots.chart("Features", f.points, labels, CLASSES, Double.NaN, 2000);
    assertEquals("Features (2,000 of 10,000 points)", chart.getTitle());
    XYChart all = ScatterPlots.chart("Features", f.points, labels, CLASSES, Double.NaN, 10_000);
    assertEquals("Features", all.getTitle());
  }

  @Test
  void subsampleKeepsEveryPointWhenThereAreFewEnough() {
    int[] labels = {2, 0, 1, 1};
    assertArrayEquals(new int[] {0, 1, 2, 3}, ScatterPlots.subsampleIndices(labels, 3, 4, 1L));
  }

  // --- histogram and ROC helpers ---------------------------------------------------------------

  @Test
  void histogramsShareBinsOverTheUnionRangeAndSumToOne() {
    NamedValues a = new NamedValues("a", new double[] {1, 2, 3});
    NamedValues b = new NamedValues("b", new double[] {2, 5, 9, 9});
    double[] edges = HistogramPlots.binEdges(List.of(a, b), 8);
    assertEquals(9, edges.length);
    assertEquals(1.0, edges[0]);
    assertEquals(9.0, edges[8]);
    double[] fa = HistogramPlots.fractions(a.values(), edges);
    double[] fb = HistogramPlots.fractions(b.values(), edges);
    assertEquals(1.0, Arrays.stream(fa).sum(), 1e-12);
    assertEquals(1.0, Arrays.stream(fb).sum(), 1e-12);
    assertEquals(0.5, fb[7], 1e-12, "the maximum lands in the last bin");

    double[] single =
        HistogramPlots.binEdges(List.of(new NamedValues("s", new double[] {4, 4})), 3);
    assertTrue(single[0] < 4 && single[3] > 4, "equal values still get a bin of positive width");
  }

  @Test
  void histogramLabelCarriesMeanAndCoefficientOfVariation() {
    // mean 2, population std 1 -> CV 0.50
    assertEquals(
        "softmax (mean 2.00, CV 0.50)",
        HistogramPlots.histogramLabel(new NamedValues("softmax", new double[] {1, 3, 1, 3})));
    assertEquals(
        "zero (mean 0.00, CV n/a)",
        HistogramPlots.histogramLabel(new NamedValues("zero", new double[] {-1, 1})));
  }

  @Test
  void rocFloorIsTheSmallestPositiveFar() {
    RocCurve a = new RocCurve("a", new double[] {0, 0.01, 1}, new double[] {0.1, 0.5, 1});
    RocCurve b = new RocCurve("b", new double[] {0, 0.002, 1}, new double[] {0.2, 0.4, 1});
    assertEquals(0.002, RocPlots.farFloor(List.of(a, b)));
    RocCurve zeros = new RocCurve("z", new double[] {0, 0}, new double[] {0, 1});
    assertEquals(Plots.DEFAULT_FAR_FLOOR, RocPlots.farFloor(List.of(zeros)));
    XYChart chart = RocPlots.chart("r", List.of(a, b));
    assertEquals(0.002, chart.getStyler().getXAxisMin());
    assertTrue(chart.getStyler().isXAxisLogarithmic());
    double[] x = chart.getSeriesMap().get("roc#0").getXData();
    assertTrue(Arrays.stream(x).allMatch(v -> v >= 0.002), Arrays.toString(x));
  }

  @Test
  void tickLabelsArePlainAndRoundedToTheAxisSpan() {
    assertEquals("0.05", ChartStyle.tickFormat(0.4).apply(0.05));
    assertEquals("0.3", ChartStyle.tickFormat(0.4).apply(0.30000000000000004));
    assertEquals("2", ChartStyle.tickFormat(14).apply(2.0000000004));
    assertEquals("0", ChartStyle.tickFormat(14).apply(-2.7e-17));
    assertEquals("-12.5", ChartStyle.tickFormat(30).apply(-12.5));
    assertEquals("0.00002", ChartStyle.tickFormat(1e-4).apply(2e-5));
    assertEquals("12000", ChartStyle.tickFormat(20_000).apply(12_000.0));
  }

  @Test
  void writtenFileIsNotPrivateToItsOwner() throws IOException {
    Path png = dir.resolve("shared.png");
    Plots.lines(png, "t", "x", "y", List.of(new Series("s", new double[] {1}, new double[] {1})));
    if (Files.getFileStore(png).supportsFileAttributeView("posix")) {
      // createTempFile would give rw------- whatever the umask; the rename would keep that.
      Set<PosixFilePermission> own =
          Set.of(
              PosixFilePermission.OWNER_READ,
              PosixFilePermission.OWNER_WRITE,
              PosixFilePermission.OWNER_EXECUTE);
      Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(png);
      assertFalse(own.containsAll(permissions), "permissions " + permissions);
    }
  }

  // --- validation ------------------------------------------------------------------------------

  @Test
  void validationNamesTheArgumentSeriesAndIndex() {
    assertMessage(
        () -> new Series("softmax", new double[] {1, 2, 3}, new double[] {1, Double.NaN, 3}),
        "Series 'softmax'",
        "y[1]");
    assertMessage(
        () -> new Series("ring", new double[] {1, 2}, new double[] {1, 2, 3}),
        "Series 'ring'",
        "x has 2",
        "y has 3");
    assertMessage(() -> new Series("empty", new double[0], new double[0]), "'empty'", "x");
    assertMessage(
        () -> new Band("b", new double[] {1, 2}, new double[] {1, 2}, new double[] {0.1, -1}),
        "Band 'b'",
        "std[1]");
    assertMessage(
        () ->
            new Band(
                "b",
                new double[] {1, 2},
                new double[] {1, 2},
                new double[] {0, 0},
                new double[] {1}),
        "Band 'b'",
        "reference");
    assertMessage(
        () -> new RocCurve("r", new double[] {0, 1.5}, new double[] {0, 1}),
        "RocCurve 'r'",
        "far[1]");
    assertMessage(
        () -> new NamedValues("v", new double[] {1, Double.POSITIVE_INFINITY}),
        "NamedValues 'v'",
        "values[1]");
    assertMessage(
        () -> new Series2("g", new double[] {1, 2}, new double[] {0.1}), "Series2 'g'", "errors");

    Path png = dir.resolve("never.png");
    assertMessage(() -> Plots.lines(png, "t", "x", "y", List.of()), "series");
    assertMessage(() -> Plots.bands(png, "t", "x", "y", List.of()), "bands");
    NamedValues ok = new NamedValues("ok", new double[] {1, 2});
    assertMessage(() -> Plots.histograms(png, "t", "x", List.of(ok), 0), "bins");
    assertMessage(() -> Plots.roc(png, "t", List.of()), "curves");
    Series s = new Series("s", new double[] {1}, new double[] {1});
    assertMessage(() -> Plots.lines(png, "t", " ", "y", List.of(s)), "xTitle");
    assertMessage(
        () -> Plots.lines(png, "t", "x", "y", Arrays.asList(s, null)), "series[1]", "null");

    float[][] points = {{0, 0}, {1, 1}, {2, 2}};
    assertMessage(
        () -> Plots.scatter2d(png, "t", points, new int[] {0, 1}, CLASSES, 1, 10),
        "labels",
        "points");
    assertMessage(
        () -> Plots.scatter2d(png, "t", points, new int[] {0, 1, 10}, CLASSES, 1, 10),
        "labels[2]",
        "classNames");
    assertMessage(
        () ->
            Plots.scatter2d(
                png, "t", new float[][] {{0, 0}, {Float.NaN, 1}}, new int[2], CLASSES, 1, 10),
        "points[1][0]");
    assertMessage(
        () -> Plots.scatter2d(png, "t", new float[][] {{0, 0, 0}}, new int[1], CLASSES, 1, 10),
        "points[0]");
    assertMessage(() -> Plots.scatter2d(png, "t", points, new int[3], CLASSES, -1, 10), "radius");
    assertMessage(
        () -> Plots.scatter2d(png, "t", points, new int[3], CLASSES, Double.NaN, 0), "maxPoints");
    assertMessage(
        () ->
            Plots.bars(
                png,
                "t",
                "y",
                List.of("a", "b"),
                List.of(
                    new Series2("ok", new double[] {1, 2}), new Series2("bad", new double[] {1}))),
        "groups[1]",
        "'bad'");
    assertFalse(Files.exists(png));
  }

  // --- atomic replacement ----------------------------------------------------------------------

  @Test
  void failedRenderingLeavesTheOldFileAndNoTemporaryFile() throws IOException {
    Path png = dir.resolve("plot.png");
    Files.writeString(png, "old", StandardCharsets.UTF_8);
    float[][] points = {{0, 0}, {1, 1}};

    assertThrows(
        IllegalArgumentException.class,
        () -> Plots.scatter2d(png, "t", points, new int[] {0, 1, 2}, CLASSES, 1, 10));
    assertThrows(IllegalArgumentException.class, () -> Plots.lines(png, "t", "x", "y", List.of()));

    assertEquals("old", Files.readString(png, StandardCharsets.UTF_8));
    assertEquals(Set.of(png), listing(dir));
  }

  @Test
  void successfulRenderingReplacesTheFileAndLeavesNoTemporaryFile() throws IOException {
    Path png = dir.resolve("plot.png");
    Files.writeString(png, "old", StandardCharsets.UTF_8);
    Plots.lines(
        png, "t", "x", "y", List.of(new Series("s", new double[] {1, 2}, new double[] {3, 4})));
    assertValidPng(png);
    assertEquals(Set.of(png), listing(dir));
  }

  @Test
  void failedWriteRemovesTheTemporaryFile() throws IOException {
    // The target is a non-empty directory, which no file may replace.
    Path target = dir.resolve("taken");
    Files.createDirectories(target.resolve("inside"));
    Series s = new Series("s", new double[] {1, 2}, new double[] {3, 4});
    IOException e =
        assertThrows(IOException.class, () -> Plots.lines(target, "t", "x", "y", List.of(s)));
    assertTrue(e.getMessage().contains(target.toString()), e.getMessage());
    assertEquals(Set.of(target), listing(dir));
    assertTrue(Files.isDirectory(target.resolve("inside")));
  }

  // --- helpers ---------------------------------------------------------------------------------

  static void assertValidPng(Path png) throws IOException {
    byte[] bytes = Files.readAllBytes(png);
    assertTrue(bytes.length > PNG_SIGNATURE.length, "file too short: " + bytes.length);
    assertArrayEquals(PNG_SIGNATURE, Arrays.copyOf(bytes, PNG_SIGNATURE.length), "PNG signature");
    BufferedImage image = ImageIO.read(new ByteArrayInputStream(bytes));
    assertEquals(Plots.WIDTH, image.getWidth());
    assertEquals(Plots.HEIGHT, image.getHeight());
    Set<Integer> colours = new HashSet<>();
    for (int y = 0; y < image.getHeight(); y += 2) {
      for (int x = 0; x < image.getWidth(); x += 2) {
        colours.add(image.getRGB(x, y));
      }
    }
    assertTrue(colours.size() > 20, "image looks blank: " + colours.size() + " colours");
    assertEquals(0xFFFFFFFF, image.getRGB(1, 1), "white background");
  }

  private static void assertMessage(Executable call, String... parts) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
    for (String part : parts) {
      assertTrue(
          e.getMessage().contains(part), "message '" + e.getMessage() + "' lacks '" + part + "'");
    }
  }

  /** Share of angles (away from the axes) with a dark neutral pixel near the circle of radius r. */
  private static double darkFractionOnCircle(XYChart chart, double r, int reach) {
    BufferedImage image = BitmapEncoder.getBufferedImage(chart);
    int checked = 0;
    int dark = 0;
    for (int step = 0; step < 1440; step++) {
      double deg = step / 4.0;
      double fromAxis = deg % 90;
      if (fromAxis < 10 || fromAxis > 80) {
        continue;
      }
      double t = Math.toRadians(deg);
      int cx = (int) Math.round(chart.getScreenXFromChart(r * Math.cos(t)));
      int cy = (int) Math.round(chart.getScreenYFromChart(r * Math.sin(t)));
      checked++;
      if (hasDarkNeutralPixel(image, cx, cy, reach)) {
        dark++;
      }
    }
    assertNotEquals(0, checked);
    return (double) dark / checked;
  }

  private static boolean hasDarkNeutralPixel(BufferedImage image, int cx, int cy, int reach) {
    for (int y = cy - reach; y <= cy + reach; y++) {
      for (int x = cx - reach; x <= cx + reach; x++) {
        int rgb = image.getRGB(x, y);
        int r = (rgb >> 16) & 0xff;
        int g = (rgb >> 8) & 0xff;
        int b = rgb & 0xff;
        int max = Math.max(r, Math.max(g, b));
        int min = Math.min(r, Math.min(g, b));
        if (max < 110 && max - min < 30) {
          return true;
        }
      }
    }
    return false;
  }

  private static Set<Path> listing(Path directory) throws IOException {
    try (Stream<Path> files = Files.list(directory)) {
      return new HashSet<>(files.toList());
    }
  }

  static double[] gaussian(long seed, int n, double mean, double std) {
    Random random = new Random(seed);
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      v[i] = mean + std * random.nextGaussian();
    }
    return v;
  }

  record Features(float[][] points, int[] labels) {}

  /** Ten classes in angular sectors with norms around {@code radius}, {@code perClass} each. */
  static Features features(long seed, int perClass, double radius) {
    Random random = new Random(seed);
    int n = 10 * perClass;
    float[][] points = new float[n][];
    int[] labels = new int[n];
    for (int i = 0; i < n; i++) {
      int c = i % 10;
      double angle = 2 * Math.PI * c / 10 + 0.15 * random.nextGaussian();
      double norm = radius + 0.08 * radius * random.nextGaussian();
      points[i] = new float[] {(float) (norm * Math.cos(angle)), (float) (norm * Math.sin(angle))};
      labels[i] = c;
    }
    return new Features(points, labels);
  }
}
