package io.github.ringloss4j.head;

import java.util.Locale;

/**
 * The memory of a Partial FC head, in bytes (float32, SGD with momentum).
 *
 * @param classes C
 * @param dimension d
 * @param batch m
 * @param sampleRate r
 * @param sampledClasses |S| at its largest, max(⌈r·C⌉, min(m, C))
 * @param weightBytes W (and b): C·d (+ C) values, the same at any r
 * @param gradientBytes their gradient: dense, the same at any r; with the sparse update the
 *     gathered rows' only
 * @param momentumBytes SGD's momentum: the same at any r (Adam keeps twice this)
 * @param logitsBytes one [m, |S|] array; a step keeps several (logits, the margin's mask, the
 *     softmax, their gradients)
 * @param fullLogitsBytes one [m, C] array, the full head's
 * @param sampledWeightBytes the gathered rows W_S, [|S|, d], and again their gradient
 * @param fullWeightCopyBytes the full head's counterpart, one [C, d] array: the gradient of W
 *     through the class norms, which a step adds to W's gradient
 * @param sparseUpdate whether W is updated by rows (the gradient is then [|S|, d])
 */
public record PartialFcMemory(
    int classes,
    int dimension,
    int batch,
    double sampleRate,
    int sampledClasses,
    long weightBytes,
    long gradientBytes,
    long momentumBytes,
    long logitsBytes,
    long fullLogitsBytes,
    long sampledWeightBytes,
    long fullWeightCopyBytes,
    boolean sparseUpdate) {

  /**
   * The memory of a Partial FC head in float32 with SGD momentum: what stays the size of the full
   * head, and what one step's logits take. |S| is counted at its largest, max(⌈r·C⌉, min(m, C)):
   * every sample of another class.
   *
   * @param classes C ≥ 1
   * @param dimension d ≥ 1
   * @param batch m ≥ 1
   * @param sampleRate r in (0, 1]
   * @param bias whether the head has a bias b [C] (softmax)
   * @return the estimate
   * @throws IllegalArgumentException naming the first invalid argument
   */
  public static PartialFcMemory estimate(
      int classes, int dimension, int batch, double sampleRate, boolean bias) {
    return estimate(classes, dimension, batch, sampleRate, bias, false);
  }

  /**
   * The memory of a Partial FC head, with the dense update or the sparse one, whose gradient is the
   * gathered rows' only, [|S|, d] (and [|S|] for b).
   *
   * @param classes C ≥ 1
   * @param dimension d ≥ 1
   * @param batch m ≥ 1
   * @param sampleRate r in (0, 1]
   * @param bias whether the head has a bias b [C] (softmax)
   * @param sparseUpdate whether W (and b) are updated by rows ({@link
   *     PartialFcHead.Builder#optSparseUpdate})
   * @return the estimate
   * @throws IllegalArgumentException naming the first invalid argument
   */
  public static PartialFcMemory estimate(
      int classes,
      int dimension,
      int batch,
      double sampleRate,
      boolean bias,
      boolean sparseUpdate) {
    HeadSupport.checkClasses(classes);
    checkAtLeastOne("dimension", dimension);
    checkAtLeastOne("batch", batch);
    PartialFcHead.checkSampleRate(sampleRate);
    int sampled = Math.max(ClassSampler.targetSize(sampleRate, classes), Math.min(batch, classes));
    long parameterBytes = Float.BYTES * ((long) classes * dimension + (bias ? classes : 0));
    long sampledBytes = Float.BYTES * ((long) sampled * dimension + (bias ? sampled : 0));
    return new PartialFcMemory(
        classes,
        dimension,
        batch,
        sampleRate,
        sampled,
        parameterBytes,
        sparseUpdate ? sampledBytes : parameterBytes,
        parameterBytes,
        (long) Float.BYTES * batch * sampled,
        (long) Float.BYTES * batch * classes,
        (long) Float.BYTES * sampled * dimension,
        (long) Float.BYTES * classes * dimension,
        sparseUpdate);
  }

  private static void checkAtLeastOne(String name, int value) {
    if (value < 1) {
      throw new IllegalArgumentException(name + " must be >= 1, got " + value);
    }
  }

  /**
   * A one-line summary in MiB, for a training run's start.
   *
   * @return the figures above, in MiB
   */
  public String describe() {
    return String.format(
        Locale.ROOT,
        "head memory (float32): C=%d d=%d m=%d r=%s |S|<=%d: weights %.1f MiB, gradient %.1f"
            + " MiB (%s), SGD momentum %.1f MiB; per step one logits array %.1f MiB"
            + " (full head %.1f MiB), gathered weights %.1f MiB (full head: all of W,"
            + " %.1f MiB)",
        classes,
        dimension,
        batch,
        sampleRate,
        sampledClasses,
        mib(weightBytes),
        mib(gradientBytes),
        sparseUpdate ? "sampled rows" : "dense",
        mib(momentumBytes),
        mib(logitsBytes),
        mib(fullLogitsBytes),
        mib(sampledWeightBytes),
        mib(fullWeightCopyBytes));
  }

  private static double mib(long bytes) {
    return bytes / (1024.0 * 1024.0);
  }
}
