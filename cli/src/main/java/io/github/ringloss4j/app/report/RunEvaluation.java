package io.github.ringloss4j.app.report;

import ai.djl.Model;
import io.github.ringloss4j.app.data.InputNormalization;
import io.github.ringloss4j.app.data.LabelledSource;
import io.github.ringloss4j.app.data.LowResolution;
import io.github.ringloss4j.app.eval.Embedder;
import io.github.ringloss4j.app.eval.Evaluation;
import io.github.ringloss4j.app.eval.FaceTest;
import io.github.ringloss4j.app.eval.Method;
import io.github.ringloss4j.app.eval.NormDeciles;
import io.github.ringloss4j.app.train.Checkpoint;
import io.github.ringloss4j.app.train.EpochMetrics;
import io.github.ringloss4j.app.train.LearnedRadius;
import io.github.ringloss4j.metrics.KFoldVerification;
import io.github.ringloss4j.metrics.Similarity;
import io.github.ringloss4j.nn.RingModelBlock;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/** Measures a trained run for the method comparison: its {@link RunResult}. */
public final class RunEvaluation {

  private RunEvaluation() {}

  /**
   * Evaluates a trained run, at full resolution and with low-resolution probes.
   *
   * @param method the method
   * @param checkpoint the run
   * @param test the test items
   * @param pairs the verification pairs
   * @param resolutions the probe sides, e.g. 14, 10, 7
   * @param fold the open-set fold, −1 for the closed set
   * @return the run's figures; its classification accuracy NaN in the open set, whose test classes
   *     the head has never seen
   * @throws IOException if the run or the data cannot be read
   */
  public static RunResult evaluate(
      Method method,
      Checkpoint checkpoint,
      LabelledSource test,
      Evaluation.PairSet pairs,
      int[] resolutions,
      int fold)
      throws IOException {
    return evaluate(method, checkpoint, test, pairs, resolutions, fold, null);
  }

  /**
   * Evaluates a trained run with the face protocol's test: its figures as {@link #evaluate}, on the
   * test identities' images and the stratified pairs, plus the {@link FaceFigures}.
   *
   * @param method the method
   * @param checkpoint the run
   * @param test the face protocol's test
   * @param resolutions the probe sides, possibly none
   * @return the run's figures; classification accuracy NaN, the test identities being unseen
   * @throws IOException if the run, the data or a {@code .bin} set cannot be read
   */
  public static RunResult evaluate(
      Method method, Checkpoint checkpoint, FaceTest test, int[] resolutions) throws IOException {
    return evaluate(
        method,
        checkpoint,
        test.source(),
        test.pairs().pairs(),
        resolutions,
        Integer.MAX_VALUE,
        test);
  }

  private static RunResult evaluate(
      Method method,
      Checkpoint checkpoint,
      LabelledSource test,
      Evaluation.PairSet pairs,
      int[] resolutions,
      int fold,
      FaceTest face)
      throws IOException {
    try (Model model = checkpoint.loadModel()) {
      int batch = Embedder.batchFor(checkpoint.options());
      InputNormalization input = checkpoint.options().inputNormalization();
      Embedder.Embedded full = Embedder.embed(model, input, test, batch);
      double radius = LearnedRadius.of(checkpoint.options(), (RingModelBlock) model.getBlock());
      Evaluation.Verification v = Evaluation.verify(full.features(), pairs, Similarity.COSINE);
      Map<Integer, Double> low = new LinkedHashMap<>();
      Map<Integer, Double> norms = new LinkedHashMap<>();
      int side = test.itemShape()[1];
      low.put(side, v.foldMean());
      norms.put(side, mean(full.norms()));
      for (int r : resolutions) {
        Embedder.Embedded degraded = Embedder.embed(model, input, LowResolution.of(test, r), batch);
        norms.put(r, mean(degraded.norms()));
        low.put(
            r,
            Evaluation.verify(full.features(), degraded.features(), pairs, Similarity.COSINE)
                .foldMean());
      }
      double mean = mean(full.norms());
      double var = 0;
      for (float n : full.norms()) {
        var += (n - mean) * (n - mean);
      }
      double seconds = 0;
      for (EpochMetrics m : checkpoint.history()) {
        seconds += m.seconds();
      }
      return new RunResult(
          method.name(),
          checkpoint.options().run().seed(),
          fold < 0 ? full.accuracy() : Double.NaN,
          v.foldMean(),
          v.resolvable()[2] ? v.tar()[2] : Double.NaN,
          v.auc(),
          mean,
          Math.sqrt(var / full.norms().length) / mean,
          radius,
          seconds,
          low,
          pairs.folds(),
          face == null ? fold : -1,
          norms,
          normDeciles(full, pairs),
          face == null ? null : FaceRunFigures.of(face, full, v, checkpoint, model));
    }
  }

  private static double mean(float[] values) {
    double sum = 0;
    for (float x : values) {
      sum += x;
    }
    return sum / values.length;
  }

  /** Full-resolution cosine verification by decile of the pair's smaller ‖f‖. */
  private static double[] normDeciles(Embedder.Embedded full, Evaluation.PairSet pairs) {
    int n = pairs.first().length;
    double[] scores = new double[n];
    double[] smaller = new double[n];
    float[][] f = full.features();
    float[] norms = full.norms();
    for (int p = 0; p < n; p++) {
      int a = pairs.first()[p];
      int b = pairs.second()[p];
      scores[p] = Similarity.COSINE.score(f[a], f[b]);
      smaller[p] = Math.min(norms[a], norms[b]);
    }
    double[] thresholds =
        KFoldVerification.evaluate(scores, pairs.genuine(), pairs.fold(), pairs.folds())
            .thresholds();
    return NormDeciles.accuracy(
        scores, pairs.genuine(), pairs.fold(), thresholds, smaller, RunResult.NORM_BINS);
  }
}
