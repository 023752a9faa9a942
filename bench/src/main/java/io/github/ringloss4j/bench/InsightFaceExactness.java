package io.github.ringloss4j.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.github.ringloss4j.backbone.Backbone;
import io.github.ringloss4j.backbone.IResNet;
import io.github.ringloss4j.backbone.MobileFaceNet;
import io.github.ringloss4j.interop.InsightFaceWeights;
import io.github.ringloss4j.interop.TorchDtype;
import io.github.ringloss4j.interop.TorchTensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The exactness figure: loads a PyTorch InsightFace-named state_dict (written by
 * bench/pytorch/insightface_names.py measure as raw little-endian tensors in DIR/data.bin, listed
 * in DIR/index.txt as {@code name TAB dtype TAB shape TAB offset TAB bytes}) into our backbone at d
 * = 512 with {@link InsightFaceWeights#load}, embeds the same inputs in inference mode and prints
 * the max absolute and relative difference to PyTorch's eval-mode outputs. Run by
 * bench/pytorch/insightface-exactness.sh.
 *
 * <pre>
 *   java -cp bench/target/benchmarks.jar io.github.ringloss4j.bench.InsightFaceExactness DIR
 * </pre>
 *
 * <p>Prints one tab-separated line: {@code RESULT model tensors maxAbs maxAbs/max|y| maxRel
 * loadSeconds forwardSeconds}, where maxRel is the largest |Δ|/|y| over outputs with |y| ≥ 1e-3.
 */
public final class InsightFaceExactness {

  private InsightFaceExactness() {}

  /**
   * Runs the comparison.
   *
   * @param args the directory the Python script wrote
   * @throws Exception on any failure (a bench tool: the stack trace is the report)
   */
  public static void main(String[] args) throws Exception {
    System.setProperty("ai.djl.offline", System.getProperty("ai.djl.offline", "true"));
    if (args.length != 1) {
      throw new IllegalArgumentException("usage: InsightFaceExactness DIR");
    }
    Path dir = Path.of(args[0]);
    List<String> index = Files.readAllLines(dir.resolve("index.txt"));
    String model = index.get(0).replaceFirst("^# model ", "").trim();
    ByteBuffer data =
        ByteBuffer.wrap(Files.readAllBytes(dir.resolve("data.bin"))).order(ByteOrder.LITTLE_ENDIAN);
    Map<String, TorchTensor> dict = new LinkedHashMap<>();
    for (String line : index.subList(1, index.size())) {
      String[] f = line.split("\t");
      long[] shape =
          f[2].isEmpty()
              ? new long[0]
              : Arrays.stream(f[2].split(",")).mapToLong(Long::parseLong).toArray();
      int offset = Math.toIntExact(Long.parseLong(f[3]));
      int bytes = Math.toIntExact(Long.parseLong(f[4]));
      dict.put(f[0], TorchTensor.of(TorchDtype.valueOf(f[1]), shape, data.slice(offset, bytes)));
    }
    TorchTensor input = dict.remove("@input");
    float[] expected = dict.remove("@output").toFloats();
    Backbone net =
        model.equals("mbf")
            ? MobileFaceNet.builder().build()
            : IResNet.builder()
                .setDepth(Integer.parseInt(model.substring("iresnet".length())))
                .build();
    try (NDManager manager = NDManager.newBaseManager()) {
      net.initialize(manager, DataType.FLOAT32, Backbone.inputShape(1));
      long t0 = System.nanoTime();
      InsightFaceWeights.load(net, dict);
      long t1 = System.nanoTime();
      NDArray x = manager.create(input.toFloats(), new Shape(input.shape()));
      float[] y =
          net.forward(new ParameterStore(manager, false), new NDList(x), false)
              .singletonOrThrow()
              .toFloatArray();
      long t2 = System.nanoTime();
      double maxAbs = 0;
      double maxY = 0;
      double maxRel = 0;
      for (int i = 0; i < y.length; i++) {
        double diff = Math.abs((double) y[i] - expected[i]);
        maxAbs = Math.max(maxAbs, diff);
        maxY = Math.max(maxY, Math.abs(expected[i]));
        if (Math.abs(expected[i]) >= 1e-3) {
          maxRel = Math.max(maxRel, diff / Math.abs(expected[i]));
        }
      }
      System.out.printf(
          "RESULT\t%s\t%d\t%.3g\t%.3g\t%.3g\t%.2f\t%.2f%n",
          model, dict.size(), maxAbs, maxAbs / maxY, maxRel, (t1 - t0) / 1e9, (t2 - t1) / 1e9);
    }
  }
}
