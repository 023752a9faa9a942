package io.github.ringloss4j.head;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import io.github.ringloss4j.internal.Norms;
import io.github.ringloss4j.internal.Scalars;
import java.util.Arrays;

/** Operations the heads share: safe normalisation, label checks, one-hot masks, constants. */
final class HeadSupport {

  /**
   * The floor under a norm before dividing by it, as in PyTorch's {@code F.normalize}: a zero row
   * normalises to 0 instead of 0/0.
   */
  static final double NORM_FLOOR = 1e-12;

  private HeadSupport() {}

  /**
   * x/max(‖x‖, 1e−12) row by row, with ‖x‖ from {@link Norms#rowNorms} (no overflow, finite
   * gradient at 0).
   *
   * @param rows a [n, d] matrix
   * @return the rows scaled to unit length, zero rows left at 0
   */
  static NDArray unitRows(NDArray rows) {
    return rows.div(safeNorms(rows).expandDims(1));
  }

  /**
   * max(‖x_i‖, 1e−12) for each row.
   *
   * @param rows a [n, d] matrix
   * @return the floored norms, [n]
   */
  static NDArray safeNorms(NDArray rows) {
    return Scalars.maximum(Norms.rowNorms(rows), NORM_FLOOR);
  }

  /**
   * The cosines between each feature and each class weight, cos_ij = x̂_i·w_j / max(‖w_j‖, 1e−12),
   * the same as x̂·Ŵᵀ up to rounding.
   *
   * <p>Dividing the [m, classes] product by the class norms, rather than the [classes, d] weight by
   * them, never materialises Ŵ: at C = 100,000 and d = 512 that copy is 195 MiB a step, and its
   * division and the division's gradient are the largest element-wise passes of a margin head's
   * step (m = 128 rows against C·d = 51 million elements), while the gradient reaching W is the
   * same.
   *
   * @param features [m, d]
   * @param weight [classes, d]
   * @return [m, classes]
   */
  static NDArray cosines(NDArray features, NDArray weight) {
    NDArray w = matching(weight, features);
    return unitRows(features).matMul(w.transpose()).div(safeNorms(w));
  }

  /**
   * A parameter's value on the reference's device and in its type. Arrays created by a conversion
   * belong to the reference's manager, so they are released with the batch instead of accumulating
   * in the model's manager; without a conversion the value itself is returned.
   *
   * @param value a parameter's array
   * @param reference the array it is combined with
   * @return the value, converted where needed
   */
  static NDArray matching(NDArray value, NDArray reference) {
    NDArray out = value;
    if (!out.getDevice().equals(reference.getDevice())) {
      out = out.toDevice(reference.getDevice(), false);
      out.attach(reference.getManager());
    }
    if (out.getDataType() != reference.getDataType()) {
      out = out.toType(reference.getDataType(), false);
      out.attach(reference.getManager());
    }
    return out;
  }

  /**
   * A one-hot mask of the labels after checking that they are class indices.
   *
   * @param labels class indices in [0, classes), float or integer, shape [m] or [m, 1]
   * @param batch the number of features m
   * @param classes the number of classes
   * @param dataType the mask's type
   * @return [m, classes] with a 1 at each sample's class
   * @throws IllegalArgumentException when a label is not an integer in [0, classes) or the count
   *     differs from the batch
   */
  static NDArray oneHot(NDArray labels, long batch, int classes, DataType dataType) {
    classIndices(labels, batch, classes);
    return labels.reshape(batch).oneHot(classes, dataType);
  }

  /**
   * The labels read back as class indices, after checking them.
   *
   * @param labels class indices in [0, classes), float or integer, shape [m] or [m, 1]
   * @param batch the number of features m
   * @param classes the number of classes
   * @return the m indices
   * @throws IllegalArgumentException when a label is not an integer in [0, classes) or the count
   *     differs from the batch
   */
  static long[] classIndices(NDArray labels, long batch, int classes) {
    checkLabelCount(labels, batch);
    double[] values = labels.reshape(batch).toType(DataType.FLOAT64, false).toDoubleArray();
    long[] indices = new long[values.length];
    for (int i = 0; i < values.length; i++) {
      double v = values[i];
      if (!(v >= 0 && v < classes) || v != Math.rint(v)) {
        throw new IllegalArgumentException(
            "label "
                + i
                + " is "
                + v
                + "; labels must be class indices in [0, "
                + classes
                + "): check the dataset's labels and setClasses("
                + classes
                + ")");
      }
      indices[i] = (long) v;
    }
    return indices;
  }

  /**
   * Checks that there is one label per row, without reading the labels.
   *
   * @param labels the labels, shape [m] or [m, 1]
   * @param batch the number of rows m
   * @throws IllegalArgumentException otherwise
   */
  static void checkLabelCount(NDArray labels, long batch) {
    if (labels.size() != batch) {
      throw new IllegalArgumentException(
          "expected one label per feature row ("
              + batch
              + "), got labels of shape "
              + labels.getShape());
    }
  }

  /**
   * The entries of a [m, classes] matrix at each row's class, Σ_j a_ij·onehot_ij.
   *
   * @param matrix [m, classes]
   * @param oneHot the mask from {@link #oneHot}
   * @return [m]
   */
  static NDArray pick(NDArray matrix, NDArray oneHot) {
    return matrix.mul(oneHot).sum(new int[] {1});
  }

  /**
   * Replaces each row's target entry: a·(1 − onehot) + onehot·t. Both terms are exact (x·1 = x, x·0
   * = 0), so non-target entries are bit-identical to the input.
   *
   * @param matrix [m, classes]
   * @param oneHot the mask
   * @param target the new target entries, [m]
   * @return [m, classes]
   */
  static NDArray replaceTarget(NDArray matrix, NDArray oneHot, NDArray target) {
    return matrix.mul(oneHot.neg().add(1)).add(oneHot.mul(target.expandDims(1)));
  }

  /**
   * A class-weight matrix W [classes, d] of type {@link Parameter.Type#WEIGHT}, initialised by the
   * training configuration's weight initializer (DJL's Xavier by default).
   *
   * @return the parameter, shape set in {@code prepare}
   */
  static Parameter weight() {
    return Parameter.builder().setName("weight").setType(Parameter.Type.WEIGHT).build();
  }

  /**
   * Checks that a head gets one input of shape [m, d].
   *
   * @param block the head's name for the message
   * @param inputShapes the input shapes
   * @throws IllegalArgumentException otherwise
   */
  static void checkFeatureShape(String block, Shape... inputShapes) {
    if (inputShapes.length != 1 || inputShapes[0].dimension() != 2) {
      throw new IllegalArgumentException(
          block
              + " expects one input of shape [batch, dimension], got "
              + Arrays.toString(inputShapes)
              + "; flatten the embedding first");
    }
  }

  /**
   * Checks the number of classes a builder was given.
   *
   * @param classes the value
   * @throws IllegalArgumentException unless ≥ 1
   */
  static void checkClasses(int classes) {
    if (classes < 1) {
      throw new IllegalArgumentException(
          "classes must be set with setClasses(int) to a value >= 1, got " + classes);
    }
  }

  /**
   * Checks a scale.
   *
   * @param name the argument's name
   * @param value the value
   * @throws IllegalArgumentException unless finite and &gt; 0
   */
  static void checkPositive(String name, double value) {
    if (!(value > 0) || Double.isInfinite(value)) {
      throw new IllegalArgumentException(name + " must be finite and > 0, got " + value);
    }
  }

  /**
   * Checks a non-negative option.
   *
   * @param name the argument's name
   * @param value the value
   * @throws IllegalArgumentException unless finite and ≥ 0
   */
  static void checkNonNegative(String name, double value) {
    if (!(value >= 0) || Double.isInfinite(value)) {
      throw new IllegalArgumentException(name + " must be finite and >= 0, got " + value);
    }
  }
}
