package io.github.ringloss4j.bench;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.convolutional.Convolution;
import ai.djl.nn.core.Linear;
import ai.djl.pytorch.jni.JniUtils;
import io.github.ringloss4j.app.train.TrainingStep;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One training step taken apart: the Java half of {@code bench/step-profile.sh}, whose Python half
 * is {@code train_ring.py --profile}. The step is TrainThroughput's lean step on random data
 * ({@link TrainSteps.RandomPool}), the application's {@link TrainingStep}.
 *
 * <ol>
 *   <li>The model's forward FLOPs per image, from its block tree: every convolution and linear
 *       layer's multiply-adds at the shapes it was initialised with, conv = output elements · (C_in
 *       / groups) · k_h · k_w, linear = input elements · units; a multiply-add counts as 2 FLOPs.
 *       Batch norm, PReLU, additions are not counted (as the published figures).
 *   <li>{@code --warmup} steps, each one's milliseconds printed ({@code STEP} lines).
 *   <li>{@code --steps} steps timed by phase ({@link TrainingStep.Phase}: forward, loss, backward,
 *       divergence check (none here), optimiser), then the read-back of the loss to the host
 *       ({@code getFloat}, as a training loop's progress line does) and the freeing of the step's
 *       arrays; mean milliseconds per phase ({@code PHASE} lines).
 *   <li>{@code --profile-steps} more steps under the engine's profiler (DJL's {@link
 *       JniUtils#startProfile}, libtorch's legacy autograd profiler with input shapes), written as
 *       a Chrome trace to {@code --trace}, with the phases' bounds beside it ({@code
 *       TRACE.phases.tsv}, microseconds from the profiler's start), for {@code
 *       bench/pytorch/trace_ops.py} to count and group the engine operations per phase.
 * </ol>
 *
 * <p>Usage: {@code StepProfile [--model iresnet50|mobilefacenet|cnn] [--variant softmax+ring]
 * [--batch 16] [--classes 1000] [--warmup 10] [--steps 5] [--profile-steps 2] [--trace FILE]}.
 */
public final class StepProfile {

  private StepProfile() {}

  /** The phases printed and bounded, in step order. */
  private static final String[] PHASES = {
    "forward", "loss", "backward", "check", "optimiser", "readback", "free"
  };

  /**
   * Runs the profile.
   *
   * @param args the options above
   * @throws IOException if the trace cannot be written
   */
  public static void main(String[] args) throws IOException {
    EngineDefaults.apply();
    String model = "iresnet50";
    TrainSteps.Variant variant = TrainSteps.Variant.SOFTMAX_RING;
    int batch = 16;
    int classes = 1000;
    int warmup = 10;
    int steps = 5;
    int profileSteps = 2;
    Path trace = Path.of("step-profile-java.json");
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException(a + " needs a value");
      }
      String v = args[++i];
      switch (a) {
        case "--model" -> model = v;
        case "--variant" -> variant = TrainSteps.Variant.parse(v);
        case "--batch" -> batch = Integer.parseInt(v);
        case "--classes" -> classes = Integer.parseInt(v);
        case "--warmup" -> warmup = Integer.parseInt(v);
        case "--steps" -> steps = Integer.parseInt(v);
        case "--profile-steps" -> profileSteps = Integer.parseInt(v);
        case "--trace" -> trace = Path.of(v);
        default ->
            throw new IllegalArgumentException(
                "unknown option "
                    + a
                    + "; valid: --model --variant --batch --classes --warmup --steps"
                    + " --profile-steps --trace");
      }
    }
    if (batch < 1 || steps < 1 || profileSteps < 1 || warmup < 0) {
      throw new IllegalArgumentException(
          "--batch, --steps and --profile-steps must be >= 1, --warmup >= 0");
    }
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    TrainSteps.Arch arch = TrainSteps.Arch.parse(model, classes);
    TrainSteps.RandomPool pool = TrainSteps.RandomPool.of(arch, batch);
    try (TrainSteps.Setup setup = TrainSteps.create(arch, variant, batch, 42)) {
      Block block = setup.trainer().getModel().getBlock();
      // Per top-level block: the backbone apart from the head, as the published figures count.
      for (var child : block.getChildren()) {
        long[] macs = forwardMacs(child.getValue());
        out.printf(
            Locale.ROOT,
            "FLOPS\tjava\t%s\t%s\tconv %.4f + linear %.4f = %.4f GFLOP forward per image"
                + " (2 per MAC)%n",
            model,
            child.getKey(),
            2.0 * macs[0] / batch / 1e9,
            2.0 * macs[1] / batch / 1e9,
            2.0 * (macs[0] + macs[1]) / batch / 1e9);
      }
      int s = 0;
      for (; s < warmup; s++) {
        long t = System.nanoTime();
        take(setup, pool, arch, s, new long[PHASES.length], null);
        out.printf(Locale.ROOT, "STEP\tjava\t%d\twarmup\t%.1f%n", s, (System.nanoTime() - t) / 1e6);
      }
      long[] phases = new long[PHASES.length];
      long start = System.nanoTime();
      for (int i = 0; i < steps; i++, s++) {
        long t = System.nanoTime();
        take(setup, pool, arch, s, phases, null);
        out.printf(Locale.ROOT, "STEP\tjava\t%d\ttimed\t%.1f%n", s, (System.nanoTime() - t) / 1e6);
      }
      double total = (System.nanoTime() - start) / 1e6 / steps;
      for (int p = 0; p < PHASES.length; p++) {
        out.printf(Locale.ROOT, "PHASE\tjava\t%s\t%.2f%n", PHASES[p], phases[p] / 1e6 / steps);
      }
      out.printf(Locale.ROOT, "PHASE\tjava\tstep\t%.2f%n", total);
      List<String> bounds = new ArrayList<>();
      long zero = System.nanoTime();
      JniUtils.startProfile(false, true, false);
      try {
        for (int i = 0; i < profileSteps; i++, s++) {
          take(setup, pool, arch, s, new long[PHASES.length], new Bounds(bounds, zero));
        }
      } finally {
        JniUtils.stopProfile(trace.toString());
      }
      Path phasesFile = Path.of(trace + ".phases.tsv");
      try (Writer w = Files.newBufferedWriter(phasesFile, StandardCharsets.UTF_8)) {
        for (String line : bounds) {
          w.write(line);
          w.write('\n');
        }
      }
      out.printf(
          Locale.ROOT,
          "TRACE\tjava\t%s\t%s\t%d steps of %d%n",
          trace,
          phasesFile,
          profileSteps,
          batch);
    }
  }

  /** Where a profiled step's phases begin and end, in microseconds from the profiler's start. */
  private record Bounds(List<String> lines, long zero) {
    void add(String phase, long from, long to) {
      lines.add(
          String.format(
              Locale.ROOT, "%s\t%.1f\t%.1f", phase, (from - zero) / 1e3, (to - zero) / 1e3));
    }
  }

  /**
   * One step, its phases' nanoseconds added to {@code phases} (in {@link #PHASES} order), and, when
   * {@code bounds} is given, each phase's bounds recorded.
   */
  private static void take(
      TrainSteps.Setup setup,
      TrainSteps.RandomPool pool,
      TrainSteps.Arch arch,
      int step,
      long[] phases,
      Bounds bounds) {
    long[] own = new long[TrainingStep.Phase.values().length];
    NDManager m = setup.newBatchManager();
    NDList xy = pool.batch(m, arch, step);
    long t0 = System.nanoTime();
    TrainingStep.Result r = setup.stepInTimed(xy.get(0), xy.get(1), own);
    long t1 = System.nanoTime();
    r.total().getFloat();
    long t2 = System.nanoTime();
    m.close();
    long t3 = System.nanoTime();
    for (int p = 0; p < own.length; p++) {
      phases[p] += own[p];
    }
    phases[own.length] += t2 - t1;
    phases[own.length + 1] += t3 - t2;
    if (bounds != null) {
      // The step's phases run back to back from t0, so their bounds follow from their durations.
      long at = t0;
      for (int p = 0; p < own.length; p++) {
        bounds.add(PHASES[p], at, at + own[p]);
        at += own[p];
      }
      bounds.add("readback", t1, t2);
      bounds.add("free", t2, t3);
    }
  }

  /**
   * The multiply-adds of one forward pass of an initialised model at its initialisation's batch:
   * {convolutions, linear layers}.
   *
   * @param block the model, initialised
   * @return the two counts
   */
  static long[] forwardMacs(Block block) {
    long[] macs = new long[2];
    addMacs(block, macs);
    return macs;
  }

  private static void addMacs(Block block, long[] macs) {
    if (block instanceof Convolution conv) {
      Shape in = block.getInputShapes()[0];
      Shape outShape = conv.getOutputShapes(block.getInputShapes())[0];
      long perOutput = in.get(1) / conv.getGroups() * conv.getKernelShape().size();
      macs[0] += outShape.size() * perOutput;
      return;
    }
    if (block instanceof Linear linear) {
      Shape in = block.getInputShapes()[0];
      Shape outShape = linear.getOutputShapes(block.getInputShapes())[0];
      macs[1] += in.size() * outShape.get(outShape.dimension() - 1);
      return;
    }
    for (var child : block.getChildren()) {
      addMacs(child.getValue(), macs);
    }
  }
}
