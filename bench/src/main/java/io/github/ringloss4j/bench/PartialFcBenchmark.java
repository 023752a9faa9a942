package io.github.ringloss4j.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.tracker.Tracker;
import ai.djl.util.Pair;
import io.github.ringloss4j.head.ArcFaceHead;
import io.github.ringloss4j.head.PartialFcHead;
import io.github.ringloss4j.head.PartialFcMemory;
import io.github.ringloss4j.loss.SampledLabelsLoss;
import io.github.ringloss4j.nn.RingOutputs;
import io.github.ringloss4j.optim.RingOptimizer;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Step time and memory of an ArcFace head alone (s = 64, m = 0.5), full or Partial FC, at many
 * identities: a random batch of features (requiring a gradient, as a backbone's output would), the
 * labelled forward, softmax cross-entropy ({@link SampledLabelsLoss}), the backward pass, and a
 * {@link RingOptimizer} SGD step (momentum 0.9, weight decay 5e−4) on the head's parameters.
 *
 * <p>Usage: {@code java -cp … io.github.ringloss4j.bench.PartialFcBenchmark [--classes 100000]
 * [--dim 512] [--batch 128] [--rate 0.1] [--steps 12] [--warmup 2] [--frozen-weight |
 * --sparse-update] [--compare [--skip-full]] [--trace FILE]}.
 *
 * <ul>
 *   <li>One configuration per process (the default): {@code --rate full} is the plain {@link
 *       ArcFaceHead}, {@code --frozen-weight} freezes W (no gradient, no update: the share of a
 *       step the dense [C, d] gradient and update take, and the floor a row-sparse update could
 *       approach), {@code --sparse-update} is {@link PartialFcHead}'s sparse update (the sampled
 *       rows' gradient, and {@link RingOptimizer#updateRows} on those rows of W and of their
 *       momentum). Memory is the process's resident set after initialisation and its peak ({@code
 *       VmHWM}) at the end, hence one configuration per process.
 *   <li>{@code --compare}: the full head, Partial FC at r with the dense update, with the sparse
 *       update, and with W frozen, built side by side and stepped in interleaved rounds (the order
 *       reversed every round), so that the drift of a shared machine cancels in the ratios; times
 *       only. {@code --skip-full} leaves the full head out (its 1–2 s steps dominate the run).
 *   <li>{@code --trace FILE}: after the timed steps, one more step of each variant under libtorch's
 *       profiler, written as a Chrome trace ({@code bench/pytorch/trace_ops.py FILE} counts and
 *       groups its engine calls).
 * </ul>
 *
 * <p>Each result line is {@code RESULT partialfc <variant> <classes> <dim> <batch> <forward+loss
 * ms> <backward ms> <optimiser ms> <step ms> <rss after init MiB> <peak rss MiB>}, tab-separated,
 * medians over the steps (memory NaN with {@code --compare}). Not run by any test.
 */
public final class PartialFcBenchmark {

  private PartialFcBenchmark() {}

  /**
   * Runs the measurement.
   *
   * @param args the options above
   * @throws IOException if /proc/self/status cannot be read
   */
  public static void main(String[] args) throws IOException {
    EngineDefaults.apply();
    int classes = 100_000;
    int dim = 512;
    int batch = 128;
    double rate = 0.1;
    boolean full = false;
    int steps = 12;
    int warmup = 2;
    boolean frozen = false;
    boolean sparse = false;
    boolean compare = false;
    boolean skipFull = false;
    Path trace = null;
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.equals("--frozen-weight")) {
        frozen = true;
        continue;
      }
      if (a.equals("--sparse-update")) {
        sparse = true;
        continue;
      }
      if (a.equals("--skip-full")) {
        skipFull = true;
        continue;
      }
      if (a.equals("--compare")) {
        compare = true;
        continue;
      }
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException(a + " needs a value");
      }
      String v = args[++i];
      switch (a) {
        case "--classes" -> classes = Integer.parseInt(v);
        case "--dim" -> dim = Integer.parseInt(v);
        case "--batch" -> batch = Integer.parseInt(v);
        case "--rate" -> {
          full = v.equals("full");
          rate = full ? 1 : Double.parseDouble(v);
        }
        case "--steps" -> steps = Integer.parseInt(v);
        case "--warmup" -> warmup = Integer.parseInt(v);
        case "--trace" -> trace = Path.of(v);
        default ->
            throw new IllegalArgumentException(
                "unknown option "
                    + a
                    + "; valid: --classes --dim --batch --rate --steps --warmup --frozen-weight"
                    + " --sparse-update --compare --skip-full --trace");
      }
    }
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    out.println(PartialFcMemory.estimate(classes, dim, batch, rate, false).describe());
    try (NDManager manager = NDManager.newBaseManager()) {
      List<Variant> variants = new ArrayList<>();
      if (compare) {
        if (!skipFull) {
          variants.add(new Variant(manager, classes, dim, batch, Double.NaN, Update.DENSE));
        }
        variants.add(new Variant(manager, classes, dim, batch, rate, Update.DENSE));
        variants.add(new Variant(manager, classes, dim, batch, rate, Update.SPARSE));
        variants.add(new Variant(manager, classes, dim, batch, rate, Update.FROZEN));
      } else {
        Update update = frozen ? Update.FROZEN : sparse ? Update.SPARSE : Update.DENSE;
        variants.add(new Variant(manager, classes, dim, batch, full ? Double.NaN : rate, update));
      }
      double rssAfterInit = compare ? Double.NaN : rssMiB();
      for (Variant v : variants) {
        for (int s = 0; s < warmup; s++) {
          v.step(manager, false);
        }
      }
      for (int s = 0; s < steps; s++) {
        for (int k = 0; k < variants.size(); k++) {
          // Reversed every other round, so that no variant always follows the same one.
          variants.get(s % 2 == 0 ? k : variants.size() - 1 - k).step(manager, true);
        }
      }
      double peak = compare ? Double.NaN : PeakMemoryProfiler.peakRssMiB();
      if (trace != null) {
        // One more step of each variant under libtorch's profiler, after the timed ones.
        JniUtils.startProfile(false, true, false);
        try {
          for (Variant v : variants) {
            v.step(manager, false);
          }
        } finally {
          JniUtils.stopProfile(trace.toString());
        }
        out.println("trace of one step of each variant: " + trace);
      }
      for (Variant v : variants) {
        out.printf(
            Locale.ROOT,
            "ArcFace C=%d d=%d m=%d %s: step %.1f ms = forward+loss %.1f + backward %.1f +"
                + " optimiser %.1f (medians of %d)%s%n",
            classes,
            dim,
            batch,
            v.label,
            median(v.total()),
            median(v.forward),
            median(v.backward),
            median(v.update),
            steps,
            compare
                ? ""
                : String.format(
                    Locale.ROOT, "; RSS after init %.0f MiB, peak %.0f MiB", rssAfterInit, peak));
        out.printf(
            Locale.ROOT,
            "RESULT\tpartialfc\t%s\t%d\t%d\t%d\t%.2f\t%.2f\t%.2f\t%.2f\t%.0f\t%.0f%n",
            v.label.replace(' ', '-'),
            classes,
            dim,
            batch,
            median(v.forward),
            median(v.backward),
            median(v.update),
            median(v.total()),
            rssAfterInit,
            peak);
      }
      if (compare) {
        int n = variants.size();
        double dense = median(variants.get(n - 3).total());
        double sparseStep = median(variants.get(n - 2).total());
        double frozenStep = median(variants.get(n - 1).total());
        if (!skipFull) {
          double fullStep = median(variants.get(0).total());
          out.printf(
              Locale.ROOT,
              "step time relative to the full head: Partial FC %.3f, sparse update %.3f, with W"
                  + " frozen %.3f%n",
              dense / fullStep,
              sparseStep / fullStep,
              frozenStep / fullStep);
        }
        out.printf(
            Locale.ROOT,
            "relative to W frozen: Partial FC (dense update) %.3f, sparse update %.3f%n",
            dense / frozenStep,
            sparseStep / frozenStep);
      }
    }
  }

  /** How W is trained. */
  private enum Update {
    /** W's dense gradient and RingOptimizer's update of every row. */
    DENSE,
    /** PartialFcHead's sparse update: the sampled rows' gradient and update only. */
    SPARSE,
    /** W frozen: no gradient, no update (the floor). */
    FROZEN
  }

  /** One head with its optimiser and its timings. */
  private static final class Variant {
    final String label;
    final Block head;
    final RingOptimizer optimizer;
    final ParameterStore store;
    final SampledLabelsLoss loss = SampledLabelsLoss.softmaxCrossEntropy();
    final int classes;
    final int dim;
    final int batch;
    final List<Double> forwardTimes = new ArrayList<>();
    final List<Double> backwardTimes = new ArrayList<>();
    final List<Double> updateTimes = new ArrayList<>();
    double[] forward;
    double[] backward;
    double[] update;

    Variant(NDManager manager, int classes, int dim, int batch, double rate, Update update) {
      this.classes = classes;
      this.dim = dim;
      this.batch = batch;
      ArcFaceHead arc = ArcFaceHead.builder().setClasses(classes).optScale(64).build();
      boolean full = Double.isNaN(rate);
      this.head =
          full
              ? arc
              : PartialFcHead.builder()
                  .setHead(arc)
                  .optSampleRate(rate)
                  .optSeed(1)
                  .optSparseUpdate(update == Update.SPARSE)
                  .build();
      this.label =
          (full ? "full head" : "Partial FC r=" + rate)
              + switch (update) {
                case DENSE -> "";
                case SPARSE -> " sparse update";
                case FROZEN -> " W frozen";
              };
      head.initialize(manager, DataType.FLOAT32, new Shape(batch, dim));
      if (update == Update.FROZEN) {
        head.getParameters().get(ArcFaceHead.WEIGHT).freeze(true);
      }
      this.optimizer =
          RingOptimizer.sgdBuilder()
              .setLearningRateTracker(Tracker.fixed(0.1f))
              .optMomentum(0.9f)
              .optWeightDecays(5e-4f)
              .build(head);
      this.store = new ParameterStore(manager, false);
    }

    void step(NDManager manager, boolean record) {
      try (NDManager step = manager.newSubManager()) {
        NDArray x = step.randomNormal(new Shape(batch, dim));
        x.setRequiresGradient(true);
        NDArray y = step.randomInteger(0, classes, new Shape(batch), DataType.INT64);
        long t0 = System.nanoTime();
        long t1;
        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
          NDList outputs = head.forward(store, new NDList(x), new NDList(y), null);
          outputs.get(0).setName(RingOutputs.LOGITS);
          NDArray value = loss.evaluate(new NDList(y), outputs);
          value.getFloat();
          t1 = System.nanoTime();
          collector.backward(value);
        }
        x.getGradient().get(0, 0).getFloat();
        long t2 = System.nanoTime();
        for (Pair<String, Parameter> p : head.getParameters()) {
          if (p.getValue().requiresGradient()) {
            NDArray w = p.getValue().getArray();
            optimizer.update(p.getValue().getId(), w, w.getGradient());
          }
        }
        // The sparse update's rows (update() applies them first when it runs; here W may be the
        // only parameter).
        optimizer.updateRows();
        head.getParameters().valueAt(0).getArray().get(0, 0).getFloat();
        long t3 = System.nanoTime();
        if (record) {
          forwardTimes.add((t1 - t0) / 1e6);
          backwardTimes.add((t2 - t1) / 1e6);
          updateTimes.add((t3 - t2) / 1e6);
          forward = unbox(forwardTimes);
          backward = unbox(backwardTimes);
          update = unbox(updateTimes);
        }
      }
    }

    double[] total() {
      double[] t = new double[forward.length];
      Arrays.setAll(t, i -> forward[i] + backward[i] + update[i]);
      return t;
    }

    private static double[] unbox(List<Double> values) {
      return values.stream().mapToDouble(Double::doubleValue).toArray();
    }
  }

  private static double median(double[] values) {
    double[] v = values.clone();
    Arrays.sort(v);
    int n = v.length;
    return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
  }

  /** The process's resident set (VmRSS of /proc/self/status) in MiB; NaN off Linux. */
  private static double rssMiB() throws IOException {
    Path status = Path.of("/proc/self/status");
    if (!Files.exists(status)) {
      return Double.NaN;
    }
    for (String line : Files.readAllLines(status)) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.trim().split("\\s+")[1]) / 1024.0;
      }
    }
    return Double.NaN;
  }
}
