package io.github.ringloss4j.bench;

import ai.djl.inference.Predictor;
import ai.djl.modality.cv.Image;
import ai.djl.modality.cv.ImageFactory;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Block;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ZooModel;
import io.github.ringloss4j.app.recordio.SyntheticFaces;
import io.github.ringloss4j.backbone.Backbones;
import io.github.ringloss4j.serving.EmbeddingModels;
import io.github.ringloss4j.serving.Preprocessing;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Embedding throughput of a face-size backbone through the serving path a service (and {@code
 * ringloss enroll}) uses: {@link EmbeddingModels#export}, DJL's {@code Criteria} and {@code
 * Predictor.batchPredict} on {@link SyntheticFaces} images, for {@code docs/scale.md}'s "embedding
 * a large corpus". The network's weights are random (throughput does not depend on them); the
 * images are decoded once, before timing, so the figure is preprocessing plus the forward pass.
 *
 * <p>Usage: {@code java -cp bench/target/benchmarks.jar io.github.ringloss4j.bench.EmbedThroughput
 * [--backbone iresnet50] [--dim 512] [--images 64] [--batch 16] [--warmup 16]}. The last line is
 * {@code RESULT embed <backbone> <dim> <batch> <images/s> <ms per image> <peak rss MiB>},
 * tab-separated.
 */
public final class EmbedThroughput {

  private EmbedThroughput() {}

  /**
   * Runs the measurement.
   *
   * @param args the options above
   * @throws Exception if the export, loading or prediction fails
   */
  public static void main(String[] args) throws Exception {
    EngineDefaults.apply();
    String backbone = "iresnet50";
    int dim = 512;
    int images = 64;
    int batch = 16;
    int warmup = 16;
    for (int i = 0; i < args.length; i += 2) {
      if (args[i].equals("--help") || args[i].equals("-h")) {
        System.out.println(
            "usage: EmbedThroughput [--backbone iresnet50] [--dim 512] [--images 64] [--batch 16]"
                + " [--warmup 16]");
        return;
      }
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException(args[i] + " needs a value");
      }
      switch (args[i]) {
        case "--backbone" -> backbone = args[i + 1];
        case "--dim" -> dim = Integer.parseInt(args[i + 1]);
        case "--images" -> images = Integer.parseInt(args[i + 1]);
        case "--batch" -> batch = Integer.parseInt(args[i + 1]);
        case "--warmup" -> warmup = Integer.parseInt(args[i + 1]);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    Backbones.Input input = Backbones.defaultInput(backbone);
    Path dir = Files.createTempDirectory("embed-throughput-");
    Path exported = dir.resolve("exported");
    try (NDManager manager = NDManager.newBaseManager()) {
      Block block = Backbones.create(backbone, dim);
      block.initialize(manager, DataType.FLOAT32, input.batchShape(1));
      EmbeddingModels.export(
          block, backbone, dim, Preprocessing.of(input).withL2Normalize(true), exported);
    }
    SyntheticFaces faces = new SyntheticFaces(16, Math.max(1, (images + warmup + 15) / 16), 1);
    List<Image> all = new ArrayList<>();
    for (int k = 0; k < images + warmup; k++) {
      all.add(ImageFactory.getInstance().fromImage(faces.image(k % 16, k / 16)));
    }
    Criteria<Image, float[]> criteria = EmbeddingModels.criteria(exported);
    double seconds;
    try (ZooModel<Image, float[]> model = criteria.loadModel();
        Predictor<Image, float[]> predictor = model.newPredictor()) {
      for (int from = 0; from < warmup; from += batch) {
        predictor.batchPredict(all.subList(from, Math.min(from + batch, warmup)));
      }
      long start = System.nanoTime();
      for (int from = warmup; from < warmup + images; from += batch) {
        predictor.batchPredict(all.subList(from, Math.min(from + batch, warmup + images)));
      }
      seconds = (System.nanoTime() - start) / 1e9;
    } finally {
      deleteTree(dir);
    }
    double perSecond = images / seconds;
    out.printf(
        Locale.ROOT,
        "%s, d = %d, input %s, batches of %d: %d images in %.1f s, %.1f images/s (%.0f ms per"
            + " image); peak RSS %.0f MiB%n",
        backbone,
        dim,
        input,
        batch,
        images,
        seconds,
        perSecond,
        1000 / perSecond,
        PeakMemoryProfiler.peakRssMiB());
    out.printf(
        Locale.ROOT,
        "RESULT\tembed\t%s\t%d\t%d\t%.2f\t%.1f\t%.0f%n",
        backbone,
        dim,
        batch,
        perSecond,
        1000 / perSecond,
        PeakMemoryProfiler.peakRssMiB());
  }

  private static void deleteTree(Path root) throws IOException {
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
