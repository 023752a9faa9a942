package io.github.ringloss4j.app.report;

import io.github.ringloss4j.app.eval.OpenSetSearch;
import java.util.List;
import java.util.Map;

/**
 * One run's figures in the face protocol ({@code compare --protocol face}), beyond those every
 * protocol has: TAR at FAR = 1e−4, the 1:1 figures per quality stratum, the open-set 1:N figures,
 * the mean ‖f‖ per recorded degradation level and the accuracy on {@code --bin} sets.
 *
 * @param tar4 TAR at FAR = 1e−4 over all pairs (cosine), NaN when fewer than 10⁴ impostor pairs
 *     cannot resolve it
 * @param strata the 1:1 figures per stratum of the pairs ({@link
 *     io.github.ringloss4j.app.eval.FacePairs})
 * @param openSet the open-set 1:N figures ({@link OpenSetSearch})
 * @param normByLevel mean ‖f‖ of the test images per recorded degradation level (0: clean); empty
 *     without quality records
 * @param bins the k-fold accuracy on each {@code --bin} set, by its name
 */
public record FaceFigures(
    double tar4,
    List<Stratum> strata,
    OpenSetSearch.Result openSet,
    Map<Integer, Double> normByLevel,
    Map<String, Double> bins) {

  /**
   * One stratum's 1:1 figures.
   *
   * @param name e.g. {@code low-low}
   * @param pairs its pairs
   * @param foldAccuracy its pairs' accuracy, each pair judged with its fold's threshold (chosen on
   *     the other folds of all pairs), so the strata add up to the pooled k-fold accuracy
   * @param tar3 TAR at FAR = 1e−3 within the stratum, NaN when it has fewer than 1,000 impostors
   * @param tar4 TAR at FAR = 1e−4 within the stratum, NaN when it has fewer than 10,000 impostors
   * @param auc ROC AUC within the stratum
   */
  public record Stratum(
      String name, int pairs, double foldAccuracy, double tar3, double tar4, double auc) {}

  /**
   * A stratum's figures by name.
   *
   * @param name the stratum
   * @return its figures, or null when this run has no such stratum
   */
  public Stratum stratum(String name) {
    return strata.stream().filter(s -> s.name().equals(name)).findFirst().orElse(null);
  }

  /**
   * The mean ‖f‖ at one degradation level.
   *
   * @param level the level
   * @return the mean, NaN without it
   */
  public double normAt(int level) {
    Double n = normByLevel == null ? null : normByLevel.get(level);
    return n == null ? Double.NaN : n;
  }
}
