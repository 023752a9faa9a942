package io.github.ringloss4j.app.report;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * One protocol's runs, the results model every table, effect and plot of the comparison reads.
 *
 * @param label the protocol's name, e.g. "closed set"
 * @param runs every run's figures, at least one
 */
public record ProtocolResults(String label, List<RunResult> runs) {

  /**
   * Checks and keeps the runs.
   *
   * @param label the protocol's name
   * @param runs every run's figures
   */
  public ProtocolResults {
    if (runs.isEmpty()) {
      throw new IllegalArgumentException("the " + label + " has no run");
    }
    runs = List.copyOf(runs);
  }

  /**
   * A method's runs.
   *
   * @param method the method's name
   * @return its runs, in order
   */
  public List<RunResult> of(String method) {
    return runs.stream().filter(r -> r.method().equals(method)).toList();
  }

  /**
   * A metric of a method's runs by their pairing key ({@link RunResult#pairing}).
   *
   * @param method the method's name
   * @param metric the metric
   * @return the values by key
   */
  public Map<String, Double> byPairing(String method, ToDoubleFunction<RunResult> metric) {
    Map<String, Double> out = new LinkedHashMap<>();
    for (RunResult r : of(method)) {
      out.put(r.pairing(), metric.applyAsDouble(r));
    }
    return out;
  }

  /**
   * The probe sides: the full resolution first, then smaller and smaller, whatever order a summary
   * kept.
   *
   * @return the sides, descending
   */
  public List<Integer> sides() {
    List<Integer> sides = new ArrayList<>(runs.get(0).lowResolution().keySet());
    sides.sort(Comparator.reverseOrder());
    return sides;
  }

  /**
   * The verification protocol's name.
   *
   * @return e.g. "10-fold"
   */
  public String kFold() {
    return runs.get(0).folds() + "-fold";
  }

  /**
   * Whether the runs are open-set ones, each holding out a fold of classes.
   *
   * @return true for the open set
   */
  public boolean open() {
    return runs.get(0).fold() >= 0;
  }
}
