package io.github.ringloss4j.penalty;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;

/** Runs a penalty's NDArray path on plain values, in a chosen precision. */
final class PenaltyEval {

  private PenaltyEval() {}

  static double[] apply(Penalty penalty, DataType type, double... residuals) {
    try (NDManager manager = NDManager.newBaseManager()) {
      NDArray e = manager.create(residuals).toType(type, false);
      NDArray rho = penalty.apply(e);
      if (rho.getDataType() != type) {
        throw new AssertionError(penalty + " changed the data type to " + rho.getDataType());
      }
      return rho.toType(DataType.FLOAT64, false).toDoubleArray();
    }
  }

  static double apply(Penalty penalty, DataType type, double residual) {
    return apply(penalty, type, new double[] {residual})[0];
  }
}
