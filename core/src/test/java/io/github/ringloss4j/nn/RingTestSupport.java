package io.github.ringloss4j.nn;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import io.github.ringloss4j.loss.RingLoss;
import io.github.ringloss4j.penalty.Penalty;

/** Builds a ring block on given features and evaluates λ·mean ρ, its value and its gradients. */
public final class RingTestSupport {

  private RingTestSupport() {}

  /** The value and gradients of L = λ·mean_i ρ(‖f_i‖ − R) at one point. */
  public record Evaluation(double loss, double[][] gradF, double gradR, double[] penalties) {}

  /** A float64 ring block with a constant, learned R. */
  public static RingLossBlock block(NDManager manager, Penalty penalty, double radius, int d) {
    return block(manager, penalty, radius, RingLossBlock.DEFAULT_LAMBDA, d);
  }

  /** A float64 ring block with a constant, learned R and a given λ. */
  public static RingLossBlock block(
      NDManager manager, Penalty penalty, double radius, double lambda, int d) {
    RingLossBlock block =
        RingLossBlock.builder()
            .optPenalty(penalty)
            .optLambda((float) lambda)
            .optRadiusInit(RadiusInit.constant(radius))
            .build();
    block.initialize(manager, DataType.FLOAT64, new ai.djl.ndarray.types.Shape(1, d));
    return block;
  }

  /** Evaluates the loss and its autograd gradients in float64. */
  public static Evaluation evaluate(Penalty penalty, double radius, double lambda, double[][] f) {
    try (NDManager manager = NDManager.newBaseManager()) {
      RingLossBlock block = block(manager, penalty, radius, lambda, f[0].length);
      NDArray features = manager.create(f);
      features.setRequiresGradient(true);
      ParameterStore store = new ParameterStore(manager, false);
      RingLoss loss = new RingLoss(block);
      try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
        NDList out = block.forward(store, new NDList(features), true);
        NDArray value = loss.evaluate(null, out);
        // λ enters as a float: rescale so the check is exact in float64 for any λ.
        NDArray scaled = value.div(loss.getLambda()).mul(lambda);
        collector.backward(scaled);
        double[] grads = features.getGradient().toDoubleArray();
        double[][] gradF = new double[f.length][f[0].length];
        for (int i = 0; i < f.length; i++) {
          System.arraycopy(grads, i * f[0].length, gradF[i], 0, f[0].length);
        }
        double gradR = block.getRadiusParameter().getArray().getGradient().getDouble(0);
        return new Evaluation(
            scaled.getDouble(),
            gradF,
            gradR,
            RingOutputs.get(out, RingOutputs.PENALTIES)
                .toType(DataType.FLOAT64, false)
                .toDoubleArray());
      }
    }
  }

  /** Evaluates the loss only, in float64, without recording gradients. */
  public static double lossOnly(Penalty penalty, double radius, double lambda, double[][] f) {
    try (NDManager manager = NDManager.newBaseManager()) {
      RingLossBlock block = block(manager, penalty, radius, f[0].length);
      NDList out =
          block.forward(new ParameterStore(manager, false), new NDList(manager.create(f)), false);
      return RingOutputs.get(out, RingOutputs.PENALTIES).mean().getDouble() * lambda;
    }
  }
}
