package io.github.ringloss4j.app.report;

import ai.djl.Model;
import io.github.ringloss4j.app.eval.BinEvaluation;
import io.github.ringloss4j.app.eval.Embedder;
import io.github.ringloss4j.app.eval.Evaluation;
import io.github.ringloss4j.app.eval.FacePairs;
import io.github.ringloss4j.app.eval.FaceTest;
import io.github.ringloss4j.app.train.Checkpoint;
import io.github.ringloss4j.metrics.KFoldVerification;
import io.github.ringloss4j.metrics.Roc;
import io.github.ringloss4j.metrics.Similarity;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Measures a run's {@link FaceFigures} from its test embeddings. */
final class FaceRunFigures {

  private FaceRunFigures() {}

  /**
   * The face protocol's figures of a run.
   *
   * @param test the face protocol's test
   * @param full the run's embeddings of the test images
   * @param overall its verification figures on all pairs
   * @param checkpoint the run, for the {@code .bin} sets' input shape
   * @param model its model
   * @return the figures
   * @throws IOException if a {@code .bin} set cannot be read
   */
  static FaceFigures of(
      FaceTest test,
      Embedder.Embedded full,
      Evaluation.Verification overall,
      Checkpoint checkpoint,
      Model model)
      throws IOException {
    Evaluation.PairSet pairs = test.pairs().pairs();
    float[][] f = full.features();
    double[] scores = new double[pairs.first().length];
    for (int p = 0; p < scores.length; p++) {
      scores[p] = Similarity.COSINE.score(f[pairs.first()[p]], f[pairs.second()[p]]);
    }
    double[] thresholds =
        KFoldVerification.evaluate(scores, pairs.genuine(), pairs.fold(), pairs.folds())
            .thresholds();
    List<FaceFigures.Stratum> strata = new ArrayList<>();
    FacePairs facePairs = test.pairs();
    for (int s = 0; s < facePairs.names().size(); s++) {
      strata.add(stratum(facePairs.names().get(s), facePairs.of(s), scores, thresholds, pairs));
    }
    Map<Integer, Double> byLevel = new TreeMap<>();
    if (test.level() != null) {
      Map<Integer, double[]> sums = new TreeMap<>();
      for (int i = 0; i < test.level().length; i++) {
        double[] sum = sums.computeIfAbsent(test.level()[i], l -> new double[2]);
        sum[0] += full.norms()[i];
        sum[1]++;
      }
      sums.forEach((level, sum) -> byLevel.put(level, sum[0] / sum[1]));
    }
    Map<String, Double> bins = new LinkedHashMap<>();
    for (BinEvaluation.Result r : BinEvaluation.evaluate(test.bins(), checkpoint, model)) {
      bins.put(r.name(), r.accuracy());
    }
    int tar4 = 3;
    return new FaceFigures(
        overall.resolvable()[tar4] ? overall.tar()[tar4] : Double.NaN,
        strata,
        test.search().evaluate(f),
        byLevel,
        bins);
  }

  /** One stratum's figures: accuracy at the folds' thresholds, and its own ROC. */
  private static FaceFigures.Stratum stratum(
      String name, int[] members, double[] scores, double[] thresholds, Evaluation.PairSet pairs) {
    double[] mine = new double[members.length];
    boolean[] genuine = new boolean[members.length];
    int correct = 0;
    for (int i = 0; i < members.length; i++) {
      int p = members[i];
      mine[i] = scores[p];
      genuine[i] = pairs.genuine()[p];
      correct += (scores[p] >= thresholds[pairs.fold()[p]]) == genuine[i] ? 1 : 0;
    }
    Roc roc = Roc.of(mine, genuine);
    return new FaceFigures.Stratum(
        name,
        members.length,
        correct / (double) members.length,
        roc.resolvable(1e-3) ? roc.trueAcceptRateAt(1e-3) : Double.NaN,
        roc.resolvable(1e-4) ? roc.trueAcceptRateAt(1e-4) : Double.NaN,
        roc.auc());
  }
}
