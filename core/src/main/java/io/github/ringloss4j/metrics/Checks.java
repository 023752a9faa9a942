package io.github.ringloss4j.metrics;

/** Argument checks shared by the metrics; every message names the argument and its value. */
final class Checks {

  private Checks() {}

  static void notNull(Object value, String name) {
    if (value == null) {
      throw new IllegalArgumentException(name + " must not be null");
    }
  }

  static void sameLength(int length, String name, int expected, String expectedName) {
    if (length != expected) {
      throw new IllegalArgumentException(
          name
              + ".length must equal "
              + expectedName
              + ".length ("
              + expected
              + "), got "
              + length);
    }
  }

  static void finite(double[] values, String name) {
    for (int i = 0; i < values.length; i++) {
      if (!Double.isFinite(values[i])) {
        throw new IllegalArgumentException(name + "[" + i + "] must be finite, got " + values[i]);
      }
    }
  }

  static void finite(float[][] vectors, String name) {
    for (int i = 0; i < vectors.length; i++) {
      float[] vector = vectors[i];
      for (int j = 0; j < vector.length; j++) {
        if (!Float.isFinite(vector[j])) {
          throw new IllegalArgumentException(
              name + "[" + i + "][" + j + "] must be finite, got " + vector[j]);
        }
      }
    }
  }

  static void atLeast(long value, String name, long minimum) {
    if (value < minimum) {
      throw new IllegalArgumentException(name + " must be >= " + minimum + ", got " + value);
    }
  }
}
