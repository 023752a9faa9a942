package io.github.ringloss4j.app.report;

import io.github.ringloss4j.app.eval.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * The comparisons the report makes and their effects: every method against softmax, and every
 * HEAD+ring@λ against HEAD alone, on k-fold accuracy, TAR, AUC and k-fold accuracy at the smallest
 * probe side ({@link PairedEffects}).
 */
public final class Contrasts {

  private Contrasts() {}

  /** The method every other is measured against. */
  public static final String BASELINE = "softmax";

  /** The metrics each contrast is measured on, in {@link #effects} order. */
  static final int METRICS = 4;

  /**
   * The comparisons made, when those methods are in the grid.
   *
   * @param methods the grid
   * @return pairs {method, baseline}, in table order
   */
  static List<String[]> of(List<Method> methods) {
    List<String[]> out = new ArrayList<>();
    boolean softmax = methods.stream().anyMatch(m -> m.name().equals(BASELINE));
    for (Method m : methods) {
      if (softmax && !m.name().equals(BASELINE)) {
        out.add(new String[] {m.name(), BASELINE});
      }
      if (m.lambda() > 0 && !m.head().text().equals(BASELINE)) {
        for (Method other : methods) {
          if (other.lambda() == 0
              && other.centerLambda() == 0
              && other.head().text().equals(m.head().text())) {
            out.add(new String[] {m.name(), other.name()});
          }
        }
      }
    }
    return out;
  }

  /**
   * The effects of every contrast, {@link #METRICS} per contrast: k-fold accuracy, TAR at FAR =
   * 1e−3, AUC and k-fold accuracy at the smallest probe side.
   *
   * @param results the protocol's runs
   * @param methods the grid
   * @return the effects, contrast by contrast
   */
  static List<PairedEffects.Effect> effects(ProtocolResults results, List<Method> methods) {
    List<Integer> sides = results.sides();
    int smallest = sides.get(sides.size() - 1);
    Map<String, ToDoubleFunction<RunResult>> metrics = new LinkedHashMap<>();
    metrics.put("kfold_accuracy", RunResult::foldAccuracy);
    metrics.put("tar_at_far_1e-3", RunResult::tar3);
    metrics.put("auc", RunResult::auc);
    metrics.put("kfold_accuracy_" + smallest + "px", r -> r.lowResolutionAt(smallest));
    List<PairedEffects.Effect> out = new ArrayList<>();
    for (String[] contrast : of(methods)) {
      for (Map.Entry<String, ToDoubleFunction<RunResult>> metric : metrics.entrySet()) {
        out.add(effect(results, contrast[0], contrast[1], metric.getKey(), metric.getValue()));
      }
    }
    return out;
  }

  /**
   * Holm-adjusted p-values ({@link PairedEffects#holm}) of the comparisons with softmax: the family
   * of one metric is every method's effect against {@value #BASELINE} on it; the contrasts of a
   * head with and without ring form no family and get NaN.
   *
   * @param effects the effects
   * @return the adjusted p of each effect, in order
   */
  static double[] holm(List<PairedEffects.Effect> effects) {
    double[] out = new double[effects.size()];
    Arrays.fill(out, Double.NaN);
    Map<String, List<Integer>> families = new LinkedHashMap<>();
    for (int i = 0; i < effects.size(); i++) {
      if (effects.get(i).baseline().equals(BASELINE)) {
        families.computeIfAbsent(effects.get(i).metric(), k -> new ArrayList<>()).add(i);
      }
    }
    for (List<Integer> family : families.values()) {
      double[] p = family.stream().mapToDouble(i -> effects.get(i).p()).toArray();
      double[] adjusted = PairedEffects.holm(p);
      for (int j = 0; j < family.size(); j++) {
        out[family.get(j)] = adjusted[j];
      }
    }
    return out;
  }

  /**
   * One effect: a method against a baseline on a metric, the runs paired by seed and fold.
   *
   * @param results the protocol's runs
   * @param method the method's name
   * @param baseline the baseline's name
   * @param name the metric's name
   * @param metric the metric
   * @return the effect
   */
  static PairedEffects.Effect effect(
      ProtocolResults results,
      String method,
      String baseline,
      String name,
      ToDoubleFunction<RunResult> metric) {
    return PairedEffects.of(
        method,
        baseline,
        name,
        results.byPairing(method, metric),
        results.byPairing(baseline, metric));
  }
}
