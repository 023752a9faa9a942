package io.github.ringloss4j.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.Random;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * {@link Norms#rowNorms}: the fused path for ordinary rows, the scaled path for rows the fused
 * kernel cannot take, and both against a plain-double reference, values and gradients.
 */
class NormsTest {

  /** Norms and gradient ∂(Σ‖f_i‖)/∂f, read back in double. */
  private record Result(double[] norms, double[] grad) {}

  private static Result run(
      NDManager manager, double[][] rows, DataType type, UnaryOperator<NDArray> norm) {
    NDArray f = manager.create(rows).toType(type, false);
    f.setRequiresGradient(true);
    try (GradientCollector c = Engine.getInstance().newGradientCollector()) {
      NDArray n = norm.apply(f);
      c.backward(n.sum());
      return new Result(
          n.toType(DataType.FLOAT64, false).toDoubleArray(),
          f.getGradient().toType(DataType.FLOAT64, false).toDoubleArray());
    }
  }

  /** The rows as the engine sees them (rounded to float32 where asked), norms in double. */
  private static double[] referenceNorms(double[][] rows, boolean float32) {
    double[] out = new double[rows.length];
    for (int i = 0; i < rows.length; i++) {
      double norm = 0;
      for (double v : rows[i]) {
        // each Math.hypot step is within 1 ulp and never under- or overflows
        norm = Math.hypot(norm, float32 ? (float) v : v);
      }
      out[i] = norm;
    }
    return out;
  }

  private static void assertMatchesReference(
      double[][] rows, Result r, boolean float32, double relTol) {
    double[] ref = referenceNorms(rows, float32);
    int d = rows[0].length;
    for (int i = 0; i < rows.length; i++) {
      assertEquals(ref[i], r.norms()[i], relTol * ref[i], "norm of row " + i);
      for (int j = 0; j < d; j++) {
        double fij = float32 ? (float) rows[i][j] : rows[i][j];
        // ∂‖f_i‖/∂f_ij = f_ij/‖f_i‖, 0 for a zero row; the quotient is in [−1, 1]
        double expected = ref[i] == 0 ? 0 : fij / ref[i];
        assertEquals(expected, r.grad()[i * d + j], relTol, "gradient of row " + i + ", col " + j);
      }
    }
  }

  private static double[][] randomRows(Random rnd, int m, int d, double scale) {
    double[][] rows = new double[m][d];
    for (int i = 0; i < m; i++) {
      double rowScale = scale * Math.exp(rnd.nextGaussian());
      for (int j = 0; j < d; j++) {
        rows[i][j] = rowScale * rnd.nextGaussian();
      }
    }
    return rows;
  }

  @Test
  void fusedPathAgreesWithScaledPathAndReference() {
    Random rnd = new Random(7);
    try (NDManager manager = NDManager.newBaseManager()) {
      for (double scale : new double[] {1e-12, 1e-3, 1, 1e3, 1e15}) {
        double[][] rows = randomRows(rnd, 64, 37, scale);
        Result fused = run(manager, rows, DataType.FLOAT32, Norms::rowNorms);
        Result scaled = run(manager, rows, DataType.FLOAT32, Norms::scaledRowNorms);
        // float32 sums of 37 squares: a few ulps (ulp = 6e−8) of relative error each
        assertMatchesReference(rows, fused, true, 5e-7);
        assertMatchesReference(rows, scaled, true, 5e-7);
        Result fused64 = run(manager, rows, DataType.FLOAT64, Norms::rowNorms);
        assertMatchesReference(rows, fused64, false, 1e-14);
      }
    }
  }

  @Test
  void rowsOutsideTheFusedRangeAreExactInFloat32() {
    // The fused kernel returns ∞ at ‖f‖ = 1e20 and 0 at 1e−25 in float32 (see Norms);
    // 5e−17 is just under the fused path's floor and 2e−16 just over it.
    for (double norm : new double[] {1e-25, 5e-17, 2e-16, 1e20, 1e30}) {
      double[][] rows = {{0.6 * norm, 0, -0.8 * norm}, {1, 2, 2}, {3, 4, 0}};
      try (NDManager manager = NDManager.newBaseManager()) {
        Result r = run(manager, rows, DataType.FLOAT32, Norms::rowNorms);
        assertMatchesReference(rows, r, true, 3e-7);
      }
    }
  }

  @Test
  void float64RowsBeyondTheFusedRangeAreExact() {
    // Σf² overflows a double at ‖f‖ ≈ 1.3e154 and loses the row below ≈ 1e−162.
    for (double norm : new double[] {1e-300, 1e-200, 1e200, 1e300}) {
      double[][] rows = {{0.6 * norm, 0, -0.8 * norm}, {1, 2, 2}};
      try (NDManager manager = NDManager.newBaseManager()) {
        Result r = run(manager, rows, DataType.FLOAT64, Norms::rowNorms);
        assertMatchesReference(rows, r, false, 1e-15);
      }
    }
  }

  @Test
  void zeroRowHasNormZeroAndGradientZero() {
    double[][] rows = {{0, 0, 0, 0}, {1, 2, 2, 0}};
    try (NDManager manager = NDManager.newBaseManager()) {
      for (DataType type : new DataType[] {DataType.FLOAT32, DataType.FLOAT64}) {
        Result r = run(manager, rows, type, Norms::rowNorms);
        assertEquals(0, r.norms()[0]);
        assertEquals(3, r.norms()[1], 1e-6);
        for (int j = 0; j < 4; j++) {
          assertEquals(0, r.grad()[j], type + " gradient at the zero row");
        }
        assertEquals(2.0 / 3, r.grad()[6], 1e-6);
      }
    }
  }

  @Test
  void nanRowStaysNaNAndLeavesTheOthersExact() {
    double[][] rows = {{Double.NaN, 1, 1}, {1, 2, 2}};
    try (NDManager manager = NDManager.newBaseManager()) {
      Result r = run(manager, rows, DataType.FLOAT32, Norms::rowNorms);
      assertTrue(Double.isNaN(r.norms()[0]));
      assertEquals(3, r.norms()[1], 1e-6);
    }
  }

  @Test
  void emptyBatchGivesNoNorms() {
    try (NDManager manager = NDManager.newBaseManager()) {
      NDArray n = Norms.rowNorms(manager.zeros(new Shape(0, 5)));
      assertEquals(new Shape(0), n.getShape());
    }
  }
}
