package io.github.ringloss4j.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * The machine's float32 matrix-multiply rate through the engine (DJL's {@code matMul} on the
 * PyTorch engine), the peak against which a run's training figures are given as a share: the Java
 * half of {@code bench/peak.sh}, whose Python half is {@code bench/pytorch/peak.py} ({@code
 * torch.mm} on the same shapes).
 *
 * <p>Shapes: a square {@code n × n} product (default 2048) and a convolution-shaped GEMM,
 * IResNet-50 stage 3's 3×3 convolution at batch 16 as im2col sees it: [16·14·14, 256·9] × [256·9,
 * 256]. Each shape is multiplied {@code --repeats} times after two untimed products; the best time
 * counts, GFLOP/s = 2·m·k·n / t (a multiply-add is 2 FLOPs). The thread count is the engine's
 * ({@link EngineDefaults}: 2 intra-op threads unless {@code -Dai.djl.pytorch.num_threads} says
 * otherwise).
 *
 * <p>Usage: {@code MatmulPeak [--n 2048] [--repeats 10]}. One line per shape, tab-separated: {@code
 * PEAK java <shape> <m> <k> <n> <best seconds> <GFLOP/s>}.
 */
public final class MatmulPeak {

  private MatmulPeak() {}

  /**
   * Runs the measurement.
   *
   * @param args the options above
   */
  public static void main(String[] args) {
    EngineDefaults.apply();
    int n = 2048;
    int repeats = 10;
    for (int i = 0; i < args.length; i++) {
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException(args[i] + " needs a value");
      }
      switch (args[i]) {
        case "--n" -> n = Integer.parseInt(args[++i]);
        case "--repeats" -> repeats = Integer.parseInt(args[++i]);
        default ->
            throw new IllegalArgumentException(
                "unknown option " + args[i] + "; valid: --n --repeats");
      }
    }
    if (n < 1 || repeats < 1) {
      throw new IllegalArgumentException("--n and --repeats must be >= 1");
    }
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    try (NDManager manager = NDManager.newBaseManager()) {
      report(out, manager, "square", n, n, n, repeats);
      report(out, manager, "conv-gemm", 16 * 14 * 14, 256 * 9, 256, repeats);
    }
  }

  private static void report(
      PrintStream out, NDManager manager, String label, int m, int k, int n, int repeats) {
    double best = bestSeconds(manager, m, k, n, repeats);
    out.printf(
        Locale.ROOT,
        "PEAK\tjava\t%s\t%d\t%d\t%d\t%.6f\t%.2f%n",
        label,
        m,
        k,
        n,
        best,
        2.0 * m * k * n / best / 1e9);
  }

  /** The best of {@code repeats} timed products [m, k] × [k, n], after two untimed ones. */
  static double bestSeconds(NDManager manager, int m, int k, int n, int repeats) {
    try (NDManager scope = manager.newSubManager()) {
      NDArray a = scope.randomUniform(-1f, 1f, new Shape(m, k));
      NDArray b = scope.randomUniform(-1f, 1f, new Shape(k, n));
      double best = Double.POSITIVE_INFINITY;
      for (int r = -2; r < repeats; r++) {
        long t = System.nanoTime();
        NDArray c = a.matMul(b);
        double s = (System.nanoTime() - t) / 1e9;
        c.close();
        if (r >= 0) {
          best = Math.min(best, s);
        }
      }
      return best;
    }
  }
}
