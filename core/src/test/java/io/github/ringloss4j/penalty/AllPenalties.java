package io.github.ringloss4j.penalty;

import java.util.List;

/** One instance of every penalty, with non-default parameters where that tests more. */
final class AllPenalties {

  private AllPenalties() {}

  static List<ReferencePenalty> all() {
    return List.of(
        SquaredPenalty.INSTANCE,
        new HuberPenalty(1),
        new HuberPenalty(0.3),
        new KerasHuberPenalty(1),
        new CauchyPenalty(CauchyPenalty.DEFAULT_SCALE),
        new CauchyPenalty(0.5),
        new GemanMcClurePenalty(1),
        new GemanMcClurePenalty(3),
        new BarronPenalty(2, 1),
        new BarronPenalty(1, 1),
        new BarronPenalty(0, 1),
        new BarronPenalty(-2, 1),
        new BarronPenalty(Double.NEGATIVE_INFINITY, 1),
        new BarronPenalty(1.5, 0.7),
        new BarronPenalty(0.5, 2),
        new BarronPenalty(-0.5, 1),
        new BarronPenalty(-7, 1.3),
        new BarronPenalty(3, 1),
        new BarronPenalty(1e-9, 1),
        new BarronPenalty(2 - 1e-9, 1));
  }
}
