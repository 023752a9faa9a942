package io.github.ringloss4j.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import io.github.ringloss4j.app.data.Datasets;
import io.github.ringloss4j.app.data.ForwardingSource;
import io.github.ringloss4j.app.data.LabelledSource;
import io.github.ringloss4j.app.train.BatchTally;
import io.github.ringloss4j.app.train.EpochMetrics;
import io.github.ringloss4j.app.train.Progress;
import io.github.ringloss4j.app.train.TrainOptions;
import io.github.ringloss4j.app.train.TrainingRun;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Training throughput on Fashion-MNIST, images per second: the Java half of {@code
 * bench/side-by-side.sh}, whose Python half is {@code bench/pytorch/train_ring.py}.
 *
 * <p>Two loops:
 *
 * <ul>
 *   <li>{@code lean} (default): what the Python script does. Each step reads the next {@code batch}
 *       training images (uint8 to float in [0, 1]), creates the batch arrays, forward, loss,
 *       backward, optimiser step ({@link TrainSteps}). {@code warmup} steps first, then {@code
 *       steps} timed steps.
 *   <li>{@code trainingrun}: the application's own {@link TrainingRun}, two epochs of {@code steps}
 *       batches each (the first is the warm-up), reporting the second epoch's images/s. It adds
 *       what the application does per batch: the divergence guard, loss and accuracy read-back,
 *       norm statistics, progress; the difference from {@code lean} is that bookkeeping.
 *   <li>{@code bookkeeping}: the lean loop plus exactly those per-batch calls of {@code
 *       TrainingRun} ({@link TrainSteps.Setup#stepInWithBookkeeping}), timed like {@code lean}.
 * </ul>
 *
 * <p>Besides wall-clock images/s, the lean loops report the process CPU time of the timed steps: on
 * a machine shared with other jobs it is the steadier of the two.
 *
 * <p>Usage: {@code java -cp bench/target/benchmarks.jar io.github.ringloss4j.bench.TrainThroughput
 * [--variant softmax+ring|softmax|plain-softmax] [--loop lean|bookkeeping|trainingrun] [--steps
 * 200] [--warmup 20] [--batch 128] [--data DIR] [--model cnn|mobilefacenet|iresnet50] [--classes
 * 1000] [--preload true|false] [--workers N] [--per-step true|false]}. A face model ({@code --model
 * mobilefacenet} or {@code iresnet50}, 3×112×112, d = 512) trains in the lean loop on random data
 * with a {@code --classes}-way head, as {@code train_ring.py --model}; with {@code --loop
 * trainingrun} it reads {@code --data} (an image folder or packed set) through the streaming
 * pipeline, or with {@code --preload true} from the same items decoded into memory before training.
 * The last line is {@code RESULT java <variant> <loop> <images/s> <steps> <seconds> <cpu seconds>},
 * tab-separated. With {@code --per-step true} a face model's lean loop also prints {@code STEP java
 * <step> warmup|timed <ms>} for every step, to choose a warm-up that ends where the times settle.
 */
public final class TrainThroughput {

  private TrainThroughput() {}

  /**
   * Runs the measurement.
   *
   * @param args the options above
   * @throws IOException if the data cannot be read
   */
  public static void main(String[] args) throws IOException {
    EngineDefaults.apply();
    TrainSteps.Variant variant = TrainSteps.Variant.SOFTMAX_RING;
    String loop = "lean";
    int steps = 200;
    int warmup = 20;
    int batch = 128;
    String data = null;
    String model = "cnn";
    int classes = 1000;
    boolean preload = false;
    String workers = null;
    boolean perStep = false;
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.equals("--help") || a.equals("-h")) {
        System.out.println(
            "usage: TrainThroughput [--variant softmax+ring|softmax|plain-softmax]"
                + " [--loop lean|bookkeeping|trainingrun] [--steps N] [--warmup N] [--batch N] [--data DIR]"
                + " [--model cnn|mobilefacenet|iresnet50] [--classes N] [--preload true|false]"
                + " [--workers N] [--per-step true|false]");
        return;
      }
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException(a + " needs a value");
      }
      String v = args[++i];
      switch (a) {
        case "--variant" -> variant = TrainSteps.Variant.parse(v);
        case "--loop" -> loop = v;
        case "--steps" -> steps = positive(a, v);
        case "--warmup" -> warmup = Integer.parseInt(v);
        case "--batch" -> batch = positive(a, v);
        case "--data" -> data = v;
        case "--model" -> model = v;
        case "--classes" -> classes = positive(a, v);
        case "--preload" -> preload = Boolean.parseBoolean(v);
        case "--workers" -> workers = v;
        case "--per-step" -> perStep = Boolean.parseBoolean(v);
        default ->
            throw new IllegalArgumentException(
                "unknown option "
                    + a
                    + "; valid: --variant --loop --steps --warmup --batch --data --model --classes"
                    + " --preload --workers --per-step");
      }
    }
    double imagesPerSecond;
    double seconds;
    double cpuSeconds;
    switch (loop) {
      case "lean", "bookkeeping" -> {
        TrainSteps.Arch arch = TrainSteps.Arch.parse(model, classes);
        if (data != null && !model.equals("cnn")) {
          throw new IllegalArgumentException(
              "--loop lean with a face model trains on random data: drop --data, or use --loop"
                  + " trainingrun");
        }
        double[] r =
            lean(arch, variant, data, steps, warmup, batch, loop.equals("bookkeeping"), perStep);
        imagesPerSecond = r[0];
        seconds = r[1];
        cpuSeconds = r[2];
      }
      case "trainingrun" -> {
        double[] r = trainingRun(variant, data, steps, batch, model, preload, workers);
        imagesPerSecond = r[0];
        seconds = r[1];
        cpuSeconds = Double.NaN;
      }
      default ->
          throw new IllegalArgumentException("--loop must be lean or trainingrun, got " + loop);
    }
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    out.printf(
        Locale.ROOT,
        "java %s (%s loop): %d steps of %d in %.3f s: %.1f images/s, %.2f ms process CPU/step%n",
        variant.label(),
        loop,
        steps,
        batch,
        seconds,
        imagesPerSecond,
        cpuSeconds * 1e3 / steps);
    out.printf(
        Locale.ROOT,
        "RESULT\tjava\t%s\t%s\t%.3f\t%d\t%.4f\t%.4f%n",
        variant.label(),
        loop,
        imagesPerSecond,
        steps,
        seconds,
        cpuSeconds);
  }

  private static int positive(String option, String value) {
    int v = Integer.parseInt(value);
    if (v < 1) {
      throw new IllegalArgumentException(option + " must be >= 1, got " + v);
    }
    return v;
  }

  private static String[] dataOption(String data, String... more) {
    List<String> args = new ArrayList<>();
    if (data != null) {
      args.add("--data");
      args.add(data);
    }
    args.addAll(List.of(more));
    return args.toArray(new String[0]);
  }

  /**
   * The lean loop, optionally with TrainingRun's per-batch bookkeeping; returns {images/s, seconds,
   * process CPU seconds} of the timed steps.
   */
  private static double[] lean(
      TrainSteps.Arch arch,
      TrainSteps.Variant variant,
      String data,
      int steps,
      int warmup,
      int batch,
      boolean bookkeeping,
      boolean perStep)
      throws IOException {
    if (bookkeeping && variant == TrainSteps.Variant.PLAIN_SOFTMAX) {
      throw new IllegalArgumentException(
          "--loop bookkeeping needs the ring model: use --variant softmax or softmax+ring");
    }
    if (data == null && arch != TrainSteps.Arch.CNN) {
      return leanRandom(arch, variant, steps, warmup, batch, perStep);
    }
    TrainOptions o =
        arch == TrainSteps.Arch.CNN
            ? TrainSteps.options(arch, variant, batch, 42, dataOption(data))
            : TrainSteps.options(
                arch,
                variant,
                batch,
                42,
                dataOption(
                    data,
                    "--image-size",
                    Integer.toString(arch.item()[1]),
                    "--channels",
                    Integer.toString(arch.item()[0])));
    long start = 0;
    long cpuStart = 0;
    long end;
    long cpuEnd;
    try (Datasets.Splits splits = Datasets.open(o.data(), o.run().seed())) {
      LabelledSource train = splits.train();
      int itemSize = train.itemSize();
      int n = train.size();
      float[] x = new float[batch * itemSize];
      float[] y = new float[batch];
      int cursor = 0;
      try (TrainSteps.Setup setup = TrainSteps.create(arch, variant, batch, 42)) {
        BatchTally tally = bookkeeping ? setup.newTally() : null;
        for (int s = 0; s < warmup + steps; s++) {
          if (s == warmup) {
            start = System.nanoTime();
            cpuStart = processCpuNanos();
            setup.resetBookkeepingNanos();
          }
          for (int i = 0; i < batch; i++) {
            int item = cursor;
            cursor = (cursor + 1) % n;
            train.read(item, x, i * itemSize, null);
            y[i] = train.label(item);
          }
          try (NDManager m = setup.newBatchManager()) {
            NDArray images = m.create(x, arch.inputShape(batch));
            NDArray labels = m.create(y);
            if (bookkeeping) {
              setup.stepInWithBookkeeping(images, labels, tally);
            } else {
              setup.stepIn(images, labels);
            }
          }
        }
        end = System.nanoTime();
        cpuEnd = processCpuNanos();
        if (bookkeeping) {
          System.out.printf(
              Locale.ROOT,
              "bookkeeping (guard, read-backs, accuracy, norm statistics): %.2f ms/step%n",
              setup.bookkeepingNanos() / 1e6 / steps);
        }
      }
    }
    double seconds = (end - start) / 1e9;
    double cpu = (cpuEnd - cpuStart) / 1e9;
    return new double[] {(double) steps * batch / seconds, seconds, cpu};
  }

  /**
   * The lean loop on random data, as {@code train_ring.py --model}: a pool of {@value
   * TrainSteps.RandomPool#SIZE} batches of images uniform in [0, 1) and uniform class labels, made
   * before the loop and cycled; each step copies its batch into new engine arrays, as a data
   * pipeline would. Prints the trained parameter count, and with {@code perStep} every step's
   * milliseconds (warm-up included), to see where the warm-up ends. Returns {images/s, seconds,
   * process CPU seconds}.
   */
  private static double[] leanRandom(
      TrainSteps.Arch arch,
      TrainSteps.Variant variant,
      int steps,
      int warmup,
      int batch,
      boolean perStep) {
    TrainSteps.RandomPool pool = TrainSteps.RandomPool.of(arch, batch);
    long start = 0;
    long cpuStart = 0;
    long end;
    long cpuEnd;
    try (TrainSteps.Setup setup = TrainSteps.create(arch, variant, batch, 42)) {
      long trained = 0;
      long frozen = 0;
      for (var pair : setup.trainer().getModel().getBlock().getParameters()) {
        ai.djl.nn.Parameter q = pair.getValue();
        if (q.getType() == ai.djl.nn.Parameter.Type.RUNNING_MEAN
            || q.getType() == ai.djl.nn.Parameter.Type.RUNNING_VAR) {
          continue;
        }
        long size = q.getArray().size();
        if (q.requiresGradient()) {
          trained += size;
        } else {
          frozen += size;
        }
      }
      System.out.printf(
          Locale.ROOT,
          "java %s: %,d trained parameters (model with head%s), %,d frozen%n",
          arch.model(),
          trained,
          variant == TrainSteps.Variant.PLAIN_SOFTMAX ? "" : " and R",
          frozen);
      for (int s = 0; s < warmup + steps; s++) {
        if (s == warmup) {
          start = System.nanoTime();
          cpuStart = processCpuNanos();
        }
        long t = System.nanoTime();
        try (NDManager m = setup.newBatchManager()) {
          NDList xy = pool.batch(m, arch, s);
          setup.stepIn(xy.get(0), xy.get(1));
        }
        if (perStep) {
          System.out.printf(
              Locale.ROOT,
              "STEP\tjava\t%d\t%s\t%.1f%n",
              s,
              s < warmup ? "warmup" : "timed",
              (System.nanoTime() - t) / 1e6);
        }
      }
      end = System.nanoTime();
      cpuEnd = processCpuNanos();
    }
    double seconds = (end - start) / 1e9;
    double cpu = (cpuEnd - cpuStart) / 1e9;
    return new double[] {(double) steps * batch / seconds, seconds, cpu};
  }

  /** CPU time of the whole process, all threads (the engine's included), in nanoseconds. */
  static long processCpuNanos() {
    if (ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.OperatingSystemMXBean os) {
      return os.getProcessCpuTime();
    }
    return 0;
  }

  /** The application's TrainingRun; returns {images/s, seconds} of the second epoch. */
  private static double[] trainingRun(
      TrainSteps.Variant variant,
      String data,
      int steps,
      int batch,
      String model,
      boolean preload,
      String workers)
      throws IOException {
    if (variant == TrainSteps.Variant.PLAIN_SOFTMAX) {
      throw new IllegalArgumentException(
          "--loop trainingrun trains the application's ring model: use --variant softmax or"
              + " softmax+ring");
    }
    List<String> more =
        new ArrayList<>(List.of("--epochs", "2", "--train-limit", Integer.toString(steps * batch)));
    if (workers != null) {
      more.add("--workers");
      more.add(workers);
    }
    TrainSteps.Arch arch = TrainSteps.Arch.parse(model, 1);
    if (arch != TrainSteps.Arch.CNN) {
      more.addAll(
          List.of(
              "--image-size",
              Integer.toString(arch.item()[1]),
              "--channels",
              Integer.toString(arch.item()[0])));
    }
    TrainOptions o =
        TrainSteps.options(arch, variant, batch, 42, dataOption(data, more.toArray(new String[0])));
    Path dir = Files.createTempDirectory("ringloss-bench-");
    try (Datasets.Splits splits = Datasets.open(o.data(), o.run().seed())) {
      List<EpochMetrics> history =
          new TrainingRun(
                  o,
                  preload ? InMemory.decode(splits.train()) : splits.train(),
                  splits.validation(),
                  dir,
                  new Progress(Progress.Mode.OFF, System.err, false))
              .run(null);
      EpochMetrics second = history.get(history.size() - 1);
      return new double[] {second.imagesPerSecond(), second.seconds()};
    } finally {
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(TrainThroughput::delete);
      }
    }
  }

  private static void delete(Path p) {
    try {
      Files.delete(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * A source's items decoded once into float arrays: the same images as the source, read from
   * memory. No augmentation (the benchmark's options have none).
   */
  static final class InMemory extends ForwardingSource {
    private final float[][] items;

    private InMemory(LabelledSource source, float[][] items) {
      super(source);
      this.items = items;
    }

    static InMemory decode(LabelledSource source) throws IOException {
      float[][] items = new float[source.size()][source.itemSize()];
      for (int i = 0; i < items.length; i++) {
        source.read(i, items[i], 0, null);
      }
      return new InMemory(source, items);
    }

    @Override
    public void read(int index, float[] destination, int offset, java.util.Random augmentation) {
      System.arraycopy(items[index], 0, destination, offset, items[index].length);
    }

    @Override
    public int size() {
      return items.length;
    }
  }
}
