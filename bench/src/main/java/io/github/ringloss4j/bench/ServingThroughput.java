package io.github.ringloss4j.bench;

import ai.djl.inference.Predictor;
import ai.djl.modality.cv.Image;
import ai.djl.modality.cv.ImageFactory;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ZooModel;
import io.github.ringloss4j.serving.EmbeddingModels;
import io.github.ringloss4j.serving.ServingConfig;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.Reader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.stream.Stream;

/**
 * Serving latency and throughput through the README's lines: {@link EmbeddingModels#criteria} on an
 * exported (or {@code ringloss import}ed) model directory, {@code Predictor.predict} at batch 1 and
 * {@code Predictor.batchPredict} above, the directory's preprocessing included. The peer of {@code
 * bench/pytorch/serve_embed.py}; {@code bench/serving-side-by-side.sh} runs both, interleaved.
 *
 * <p>The PNGs of {@code --pngs} are decoded once, before anything is timed (so decoding is outside
 * the figures on both sides); call k embeds images k·batch … k·batch + batch − 1 of them, cycling.
 * {@code --warmup} untimed calls come first, then {@code ceil(images / batch)} timed calls, each
 * timed on its own. {@code --dump FILE} first embeds every PNG once, in file-name order, in one
 * {@code batchPredict}, and writes the embeddings as raw little-endian float32 rows (the agreement
 * check against PyTorch).
 *
 * <p>Usage: {@code java -cp bench/target/benchmarks.jar
 * io.github.ringloss4j.bench.ServingThroughput --dir MODEL_DIR --pngs PNG_DIR [--batch 1] [--images
 * 64] [--warmup 8] [--dump FILE] [--profile TRACE]}. With {@code --profile}, three more calls run
 * under the engine's profiler (DJL's {@link JniUtils#startProfile}) and go to the Chrome trace
 * TRACE, each call's bounds as a "forward" phase in {@code TRACE.phases.tsv}, for {@code
 * bench/pytorch/trace_ops.py} to count the engine operations per call (serve_embed.py --profile is
 * the Python side). The last line is {@code RESULT serve java <backbone> <batch> <images/s> <median
 * ms per call> <p95 ms per call> <calls> <first timed call slowest: 0 or 1>}, tab-separated.
 */
public final class ServingThroughput {

  private static final String USAGE =
      "usage: ServingThroughput --dir MODEL_DIR --pngs PNG_DIR [--batch 1] [--images 64]"
          + " [--warmup 8] [--dump FILE] [--profile TRACE]";

  private ServingThroughput() {}

  /** The options, validated. */
  record Options(Path dir, Path pngs, int batch, int images, int warmup, Path dump, Path profile) {

    static Options parse(String[] args) {
      Path dir = null;
      Path pngs = null;
      int batch = 1;
      int images = 64;
      int warmup = 8;
      Path dump = null;
      Path profile = null;
      for (int i = 0; i < args.length; i += 2) {
        if (i + 1 >= args.length) {
          throw new IllegalArgumentException(args[i] + " needs a value; " + USAGE);
        }
        String value = args[i + 1];
        switch (args[i]) {
          case "--dir" -> dir = Path.of(value);
          case "--pngs" -> pngs = Path.of(value);
          case "--batch" -> batch = positive("--batch", value, 1);
          case "--images" -> images = positive("--images", value, 1);
          case "--warmup" -> warmup = positive("--warmup", value, 0);
          case "--dump" -> dump = Path.of(value);
          case "--profile" -> profile = Path.of(value);
          default -> throw new IllegalArgumentException("unknown option " + args[i] + "; " + USAGE);
        }
      }
      if (dir == null || pngs == null) {
        throw new IllegalArgumentException("--dir and --pngs are required; " + USAGE);
      }
      if (!Files.isRegularFile(dir.resolve(ServingConfig.FILE))) {
        throw new IllegalArgumentException(
            "--dir " + dir + " is not a model directory (no " + ServingConfig.FILE + ")");
      }
      if (!Files.isDirectory(pngs)) {
        throw new IllegalArgumentException("--pngs " + pngs + " is not a directory");
      }
      return new Options(dir, pngs, batch, images, warmup, dump, profile);
    }

    private static int positive(String option, String value, int min) {
      int v;
      try {
        v = Integer.parseInt(value);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(option + " must be an integer, got " + value, e);
      }
      if (v < min) {
        throw new IllegalArgumentException(option + " must be >= " + min + ", got " + v);
      }
      return v;
    }
  }

  /**
   * Runs the measurement.
   *
   * @param args the options above
   * @throws Exception if loading or prediction fails
   */
  public static void main(String[] args) throws Exception {
    if (args.length == 1 && (args[0].equals("--help") || args[0].equals("-h"))) {
      System.out.println(USAGE);
      return;
    }
    Options o;
    try {
      o = Options.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("ServingThroughput: " + e.getMessage());
      System.exit(2);
      return;
    }
    EngineDefaults.apply();
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    List<Image> images = decode(o.pngs());
    String backbone = backbone(o.dir());
    int calls = (o.images() + o.batch() - 1) / o.batch();
    long[] nanos = new long[calls];
    // The README's lines.
    Criteria<Image, float[]> criteria = EmbeddingModels.criteria(o.dir());
    try (ZooModel<Image, float[]> model = criteria.loadModel();
        Predictor<Image, float[]> predictor = model.newPredictor()) {
      if (o.dump() != null) {
        writeRows(o.dump(), predictor.batchPredict(images));
      }
      for (int k = 0; k < o.warmup(); k++) {
        call(predictor, images, k, o.batch());
      }
      for (int k = 0; k < calls; k++) {
        long start = System.nanoTime();
        call(predictor, images, o.warmup() + k, o.batch());
        nanos[k] = System.nanoTime() - start;
      }
      if (o.profile() != null) {
        profile(predictor, images, o, out);
      }
    }
    double seconds = Arrays.stream(nanos).sum() / 1e9;
    double perSecond = (double) calls * o.batch() / seconds;
    long[] sorted = nanos.clone();
    Arrays.sort(sorted);
    double median = percentile(sorted, 0.5) / 1e6;
    double p95 = percentile(sorted, 0.95) / 1e6;
    int firstSlowest = nanos[0] == sorted[sorted.length - 1] && calls > 1 ? 1 : 0;
    out.printf(
        Locale.ROOT,
        "java %s, batch %d: %d calls in %.2f s, %.2f images/s; per call median %.2f ms, p95 %.2f"
            + " ms, first %.2f ms, slowest %.2f ms%s%n",
        backbone,
        o.batch(),
        calls,
        seconds,
        perSecond,
        median,
        p95,
        nanos[0] / 1e6,
        sorted[sorted.length - 1] / 1e6,
        firstSlowest == 1 ? " (the first timed call is the slowest: raise --warmup)" : "");
    out.printf(
        Locale.ROOT,
        "RESULT\tserve\tjava\t%s\t%d\t%.3f\t%.3f\t%.3f\t%d\t%d%n",
        backbone,
        o.batch(),
        perSecond,
        median,
        p95,
        calls,
        firstSlowest);
  }

  /** Three calls under the engine's profiler: the trace and each call's bounds beside it. */
  private static void profile(
      Predictor<Image, float[]> predictor, List<Image> images, Options o, PrintStream out)
      throws Exception {
    StringBuilder bounds = new StringBuilder();
    long zero = System.nanoTime();
    JniUtils.startProfile(false, true, false);
    try {
      for (int k = 0; k < 3; k++) {
        long from = System.nanoTime();
        call(predictor, images, k, o.batch());
        long to = System.nanoTime();
        bounds.append(
            String.format(
                Locale.ROOT, "forward\t%.1f\t%.1f%n", (from - zero) / 1e3, (to - zero) / 1e3));
      }
    } finally {
      JniUtils.stopProfile(o.profile().toString());
    }
    Files.writeString(Path.of(o.profile() + ".phases.tsv"), bounds, StandardCharsets.UTF_8);
    out.println("TRACE\tjava\t" + o.profile() + "\t3 calls of " + o.batch());
  }

  /** One call: predict for batch 1 (the README's line), batchPredict above. */
  private static void call(
      Predictor<Image, float[]> predictor, List<Image> images, int k, int batch) throws Exception {
    if (batch == 1) {
      predictor.predict(images.get(k % images.size()));
      return;
    }
    List<Image> chunk = new ArrayList<>(batch);
    for (int i = 0; i < batch; i++) {
      chunk.add(images.get((int) (((long) k * batch + i) % images.size())));
    }
    predictor.batchPredict(chunk);
  }

  /** Nearest rank: the value at rank ceil(q·n), as serve_embed.py computes it. */
  static double percentile(long[] sorted, double q) {
    int rank = (int) Math.ceil(q * sorted.length);
    return sorted[Math.max(0, rank - 1)];
  }

  private static List<Image> decode(Path pngs) throws IOException {
    List<Path> files;
    try (Stream<Path> s = Files.list(pngs)) {
      files = s.filter(p -> p.getFileName().toString().endsWith(".png")).sorted().toList();
    }
    if (files.isEmpty()) {
      throw new IllegalArgumentException("--pngs " + pngs + " holds no .png file");
    }
    List<Image> images = new ArrayList<>(files.size());
    for (Path p : files) {
      images.add(ImageFactory.getInstance().fromFile(p));
    }
    return images;
  }

  private static String backbone(Path dir) throws IOException {
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(dir.resolve(ServingConfig.FILE))) {
      p.load(r);
    }
    return p.getProperty(ServingConfig.BACKBONE, "?");
  }

  private static void writeRows(Path file, List<float[]> rows) throws IOException {
    try (OutputStream os = Files.newOutputStream(file)) {
      for (float[] row : rows) {
        ByteBuffer b = ByteBuffer.allocate(4 * row.length).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(row);
        os.write(b.array());
      }
    }
  }
}
