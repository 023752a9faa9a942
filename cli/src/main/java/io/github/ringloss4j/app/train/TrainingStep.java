package io.github.ringloss4j.app.train;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import io.github.ringloss4j.head.CenterLoss;
import io.github.ringloss4j.loss.MagFaceRegularizer;
import io.github.ringloss4j.loss.RingCompositeLoss;
import io.github.ringloss4j.training.DivergenceGuard;
import java.util.ArrayList;
import java.util.List;

/**
 * One optimisation step: forward with labels, each loss term, backward through their sum, the
 * divergence check, the optimiser step. {@link TrainingRun} trains with it and the benchmarks time
 * it, so what they measure is what the application runs.
 *
 * <p>The terms are evaluated apart, not through the composite loss, so that each can be reported;
 * their sum is taken left to right in the order given.
 */
public final class TrainingStep {

  /** The parts of a step, in order, as {@link #take(NDArray, NDArray, long[])} times them. */
  public enum Phase {
    /** The forward pass. */
    FORWARD,
    /** The loss terms and their sum. */
    LOSS,
    /** The backward pass, until the gradient collector is closed. */
    BACKWARD,
    /** {@link DivergenceGuard#check}, when there is a guard. */
    DIVERGENCE_CHECK,
    /** The optimiser's update of every parameter. */
    OPTIMISER_STEP
  }

  /**
   * What a step computed, in the step's manager.
   *
   * @param predictions the model's outputs (named as {@code RingOutputs} lists them, for the ring
   *     model)
   * @param terms each loss term's value, in the order of the step's terms
   * @param total their sum, the value that was differentiated
   */
  public record Result(NDList predictions, List<NDArray> terms, NDArray total) {}

  private final Trainer trainer;
  private final List<Loss> terms;
  private final DivergenceGuard guard;

  /**
   * Creates the step.
   *
   * @param trainer the trainer of the model, its loss and optimiser
   * @param terms the loss terms whose sum is minimised, at least one
   * @param guard the divergence check before each update, or null for none
   */
  public TrainingStep(Trainer trainer, List<? extends Loss> terms, DivergenceGuard guard) {
    if (terms.isEmpty()) {
      throw new IllegalArgumentException("a training step needs at least one loss term");
    }
    this.trainer = trainer;
    this.terms = List.copyOf(terms);
    this.guard = guard;
  }

  /**
   * The terms of the application's loss, in the order they are reported and summed: softmax
   * cross-entropy, λ·ring, and the center term when there is one.
   *
   * @param loss softmax plus λ·ring
   * @param center the center term, or null
   * @return the terms
   */
  public static List<Loss> terms(RingCompositeLoss loss, CenterLoss center) {
    return terms(loss, center, null);
  }

  /**
   * The terms of the application's loss, in the order they are reported and summed: softmax
   * cross-entropy, λ·ring, the center term when there is one, and MagFace's regulariser when the
   * head is MagFace.
   *
   * @param loss softmax plus λ·ring
   * @param center the center term, or null
   * @param magface MagFace's λ_g·mean g(a), or null
   * @return the terms
   */
  public static List<Loss> terms(
      RingCompositeLoss loss, CenterLoss center, MagFaceRegularizer magface) {
    List<Loss> terms = new ArrayList<>(List.of(loss.getPrimary(), loss.getRing()));
    if (center != null) {
      terms.add(center);
    }
    if (magface != null) {
      terms.add(magface);
    }
    return terms;
  }

  /**
   * The number of loss terms.
   *
   * @return the count
   */
  public int termCount() {
    return terms.size();
  }

  /**
   * Each loss term on given outputs, e.g. a validation batch's.
   *
   * @param labels the labels
   * @param predictions the model's outputs
   * @return the values, in the order of the terms
   */
  public List<NDArray> evaluate(NDList labels, NDList predictions) {
    List<NDArray> values = new ArrayList<>(terms.size());
    for (Loss term : terms) {
      values.add(term.evaluate(labels, predictions));
    }
    return values;
  }

  /**
   * Takes one step.
   *
   * @param images the batch's inputs, in a manager the caller closes after the step
   * @param labels the batch's labels, in the same manager
   * @return what the step computed
   */
  public Result take(NDArray images, NDArray labels) {
    return take(images, labels, null);
  }

  /**
   * Takes one step, adding the nanoseconds of each {@link Phase} to {@code phaseNanos} when given.
   *
   * @param images the batch's inputs, in a manager the caller closes after the step
   * @param labels the batch's labels, in the same manager
   * @param phaseNanos one accumulator per phase, indexed by {@link Phase#ordinal()}, or null
   * @return what the step computed
   */
  public Result take(NDArray images, NDArray labels, long[] phaseNanos) {
    boolean timed = phaseNanos != null;
    long start = timed ? System.nanoTime() : 0;
    long forward = 0;
    long loss = 0;
    Device[] devices = trainer.getDevices();
    NDList labelList = new NDList(labels);
    NDList predictions;
    List<NDArray> values;
    NDArray total;
    if (devices.length > 1) {
      Split split = dataParallel(devices, images, labels);
      predictions = split.predictions();
      values = split.values();
      total = split.total();
    } else {
      try (GradientCollector collector = trainer.newGradientCollector()) {
        predictions = trainer.forward(new NDList(images), labelList);
        forward = timed ? System.nanoTime() : 0;
        values = evaluate(labelList, predictions);
        total = sum(values);
        loss = timed ? System.nanoTime() : 0;
        collector.backward(total);
      }
    }
    long backward = timed ? System.nanoTime() : 0;
    if (guard != null) {
      guard.check(predictions, total);
    }
    long check = timed ? System.nanoTime() : 0;
    trainer.step();
    if (timed) {
      phaseNanos[Phase.FORWARD.ordinal()] += forward - start;
      phaseNanos[Phase.LOSS.ordinal()] += loss - forward;
      phaseNanos[Phase.BACKWARD.ordinal()] += backward - loss;
      phaseNanos[Phase.DIVERGENCE_CHECK.ordinal()] += check - backward;
      phaseNanos[Phase.OPTIMISER_STEP.ordinal()] += System.nanoTime() - check;
    }
    return new Result(predictions, values, total);
  }

  /**
   * The terms' sum, left to right, as a step differentiates it.
   *
   * @param values the terms' values
   * @return their sum
   */
  static NDArray sum(List<NDArray> values) {
    NDArray total = values.get(0);
    for (int i = 1; i < values.size(); i++) {
      total = total.add(values.get(i));
    }
    return total;
  }

  private record Split(NDList predictions, List<NDArray> values, NDArray total) {}

  /**
   * The forward and backward passes of a batch cut into one split per device. Each split's loss is
   * its mean, weighted by its share of the batch, so that the gradients the parameter server sums
   * over the devices are those of the whole batch's mean, the step one device takes. (DJL's {@code
   * EasyTrain} backpropagates the unweighted split means: k devices take a k times larger step.)
   * The outputs, terms and total come back on the first device, for the tally and the guard.
   */
  private Split dataParallel(Device[] devices, NDArray images, NDArray labels) {
    long batch = images.getShape().get(0);
    long[] bounds = splitBounds(batch, devices.length);
    List<NDList> outputs = new ArrayList<>(devices.length);
    List<List<NDArray>> termsBySplit = new ArrayList<>(devices.length);
    try (GradientCollector collector = trainer.newGradientCollector()) {
      for (int d = 0; d < devices.length; d++) {
        NDIndex rows = new NDIndex(bounds[d] + ":" + bounds[d + 1]);
        NDArray x = images.get(rows).toDevice(devices[d], false);
        NDList y = new NDList(labels.get(rows).toDevice(devices[d], false));
        NDList out = trainer.forward(new NDList(x), y);
        List<NDArray> splitTerms = evaluate(y, out);
        double share = (bounds[d + 1] - bounds[d]) / (double) batch;
        collector.backward(sum(splitTerms).mul(share));
        outputs.add(out);
        termsBySplit.add(splitTerms);
      }
    }
    Device first = devices[0];
    NDList predictions = concatByName(outputs, first);
    List<NDArray> values = new ArrayList<>(terms.size());
    for (int t = 0; t < terms.size(); t++) {
      NDArray weighted = null;
      for (int d = 0; d < devices.length; d++) {
        double share = (bounds[d + 1] - bounds[d]) / (double) batch;
        NDArray part = termsBySplit.get(d).get(t).toDevice(first, false).mul(share);
        weighted = weighted == null ? part : weighted.add(part);
      }
      values.add(weighted);
    }
    return new Split(predictions, values, sum(values));
  }

  /**
   * Where each of k splits of a batch of n items starts and ends: as even as possible, the first n
   * mod k splits one item longer.
   *
   * @param n the batch size, at least k
   * @param k the number of splits
   * @return k + 1 bounds, from 0 to n
   */
  static long[] splitBounds(long n, int k) {
    if (n < k) {
      throw new IllegalArgumentException(
          "a batch of " + n + " cannot be split over " + k + " devices; raise --batch-size");
    }
    long[] bounds = new long[k + 1];
    for (int i = 0; i < k; i++) {
      bounds[i + 1] = bounds[i] + n / k + (i < n % k ? 1 : 0);
    }
    return bounds;
  }

  /**
   * Joins the splits' outputs into one list on one device, output by output, keeping their names (a
   * derived array loses its name; the lookups are by name).
   *
   * @param splits each split's outputs, in the same order
   * @param device where the joined outputs go
   * @return the joined outputs
   */
  static NDList concatByName(List<NDList> splits, Device device) {
    NDList joined = new NDList(splits.get(0).size());
    for (int i = 0; i < splits.get(0).size(); i++) {
      NDList parts = new NDList(splits.size());
      for (NDList split : splits) {
        parts.add(split.get(i).toDevice(device, false));
      }
      NDArray whole = parts.size() == 1 ? parts.head() : NDArrays.concat(parts);
      whole.setName(splits.get(0).get(i).getName());
      joined.add(whole);
    }
    return joined;
  }
}
