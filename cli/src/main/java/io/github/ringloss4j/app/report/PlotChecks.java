package io.github.ringloss4j.app.report;

import java.util.List;
import java.util.Objects;

/**
 * Argument checks of the charts, before anything is drawn or written: each message names the
 * argument, the series and the index at fault.
 */
final class PlotChecks {

  private PlotChecks() {}

  static <T> List<T> requireList(List<T> list, String argument) {
    Objects.requireNonNull(list, argument);
    if (list.isEmpty()) {
      throw new IllegalArgumentException(argument + " must not be empty");
    }
    for (int i = 0; i < list.size(); i++) {
      if (list.get(i) == null) {
        throw new IllegalArgumentException(argument + "[" + i + "] is null");
      }
    }
    return list;
  }

  static void requireText(String value, String argument) {
    Objects.requireNonNull(value, argument);
    if (value.isBlank()) {
      throw new IllegalArgumentException(argument + " must not be blank");
    }
  }

  static String requireName(String name, String type) {
    Objects.requireNonNull(name, type + " name");
    if (name.isBlank()) {
      throw new IllegalArgumentException(type + " name must not be blank");
    }
    return name;
  }

  static double[] finiteCopy(double[] values, String what, String field) {
    Objects.requireNonNull(values, what + ": " + field);
    if (values.length == 0) {
      throw new IllegalArgumentException(what + ": " + field + " must not be empty");
    }
    for (int i = 0; i < values.length; i++) {
      if (!Double.isFinite(values[i])) {
        throw new IllegalArgumentException(
            what + ": " + field + "[" + i + "] is not finite (" + values[i] + ")");
      }
    }
    return values.clone();
  }

  static void requireSameLength(String what, String aName, double[] a, String bName, double[] b) {
    if (a.length != b.length) {
      throw new IllegalArgumentException(
          what + ": " + aName + " has " + a.length + " values but " + bName + " has " + b.length);
    }
  }

  static void requireRate(double[] values, String what, String field) {
    for (int i = 0; i < values.length; i++) {
      if (values[i] < 0 || values[i] > 1) {
        throw new IllegalArgumentException(
            what + ": " + field + "[" + i + "] is " + values[i] + ", outside [0, 1]");
      }
    }
  }
}
