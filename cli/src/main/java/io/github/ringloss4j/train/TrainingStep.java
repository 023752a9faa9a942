package io.github.ringloss4j.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import io.github.ringloss4j.head.CenterLoss;
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
   * @param predictions the model's outputs (indices in {@code RingOutputs} for the ring model)
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
    List<Loss> terms = new ArrayList<>(List.of(loss.getPrimary(), loss.getRing()));
    if (center != null) {
      terms.add(center);
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
    NDList labelList = new NDList(labels);
    NDList predictions;
    List<NDArray> values;
    NDArray total;
    try (GradientCollector collector = trainer.newGradientCollector()) {
      predictions = trainer.forward(new NDList(images), labelList);
      forward = timed ? System.nanoTime() : 0;
      values = evaluate(labelList, predictions);
      total = values.get(0);
      for (int i = 1; i < values.size(); i++) {
        total = total.add(values.get(i));
      }
      loss = timed ? System.nanoTime() : 0;
      collector.backward(total);
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
}
