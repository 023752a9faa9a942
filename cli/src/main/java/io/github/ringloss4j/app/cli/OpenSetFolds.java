package io.github.ringloss4j.app.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The Fashion-MNIST open-set protocol's folds: fold f holds out classes 2f and 2f + 1, five folds
 * covering the ten classes once; which folds each seed's runs hold out, and how the report tells
 * it.
 */
final class OpenSetFolds {

  private OpenSetFolds() {}

  /** The open-set folds. */
  static final int COUNT = 5;

  /**
   * The classes an open-set fold holds out.
   *
   * @param fold 0 to 4
   * @return {2·fold, 2·fold + 1}
   */
  static List<Integer> heldOut(int fold) {
    return List.of(2 * fold, 2 * fold + 1);
  }

  /**
   * The folds as the report names them.
   *
   * @return "{0,1}, {2,3}, {4,5}, {6,7}, {8,9}"
   */
  static String names() {
    List<String> folds = new ArrayList<>();
    for (int f = 0; f < COUNT; f++) {
      folds.add(name(f));
    }
    return String.join(", ", folds);
  }

  private static String name(int fold) {
    return "{" + heldOut(fold).get(0) + "," + heldOut(fold).get(1) + "}";
  }

  /**
   * The open-set folds each seed's runs hold out, in the order they train.
   *
   * @param seeds the seeds per method
   * @param allFolds {@code --open-folds all}
   * @return per seed number k: every fold, or fold k mod 5
   */
  static List<List<Integer>> of(int seeds, boolean allFolds) {
    List<List<Integer>> folds = new ArrayList<>();
    for (int k = 0; k < seeds; k++) {
      if (allFolds) {
        List<Integer> every = new ArrayList<>();
        for (int f = 0; f < COUNT; f++) {
          every.add(f);
        }
        folds.add(every);
      } else {
        folds.add(List.of(k % COUNT));
      }
    }
    return folds;
  }

  /**
   * What the open-set runs held out, told from the folds that ran: each class's number of runs per
   * method, and the classes never held out.
   *
   * @param folds per seed, the folds its runs held out ({@link #of})
   * @return one or two sentences
   */
  static String heldOutText(List<List<Integer>> folds) {
    int[] times = new int[COUNT];
    for (List<Integer> seed : folds) {
      for (int f : seed) {
        times[f]++;
      }
    }
    Map<Integer, List<String>> byTimes = new TreeMap<>();
    for (int f = 0; f < COUNT; f++) {
      byTimes.computeIfAbsent(times[f], t -> new ArrayList<>()).add(name(f));
    }
    List<String> parts = new ArrayList<>();
    byTimes.forEach(
        (t, named) -> {
          if (t > 0) {
            parts.add(
                String.join(", ", named)
                    + (t == 1 ? " once" : " " + t + " times")
                    + (named.size() == 1 ? "" : " each"));
          }
        });
    List<String> never = byTimes.getOrDefault(0, List.of());
    String held = "Per method, these runs held out " + String.join("; ", parts) + ".";
    if (never.isEmpty()) {
      return held + " Every class was held out.";
    }
    return held
        + " Never held out: "
        + String.join(", ", never)
        + " (use --seeds a multiple of 5, or --open-folds all, to hold out every class).";
  }
}
