package io.github.ringloss4j.app.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.ringloss4j.app.io.DecodedNpy;
import io.github.ringloss4j.metrics.InsightFaceVerification;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/**
 * {@link InsightFaceVerification} against the protocol computed independently in NumPy by {@code
 * verification/make_fixture.py} (a transcription of InsightFace's {@code calculate_roc} and {@code
 * calculate_accuracy}, with sklearn's KFold and normalize written out), on 63 pairs of made-up
 * float32 embeddings and their flips: 63 = 3 folds of 7 pairs + 7 folds of 6.
 */
class InsightFaceFixtureTest {

  @Test
  void javaProtocolEqualsNumpyReference() throws IOException {
    InsightFaceFixture ref = InsightFaceFixture.load();
    float[][] plain = DecodedNpy.read(VerificationBinTest.resource("embeddings_plain.npy")).rows();
    float[][] flipped =
        DecodedNpy.read(VerificationBinTest.resource("embeddings_flipped.npy")).rows();
    boolean[] issame = ref.booleans("issame");
    assertEquals(63, issame.length);
    assertEquals(126, plain.length);

    // The grid is np.arange(0, 4, 0.01), value for value.
    assertArrayEquals(ref.numbers("thresholds"), InsightFaceVerification.thresholds());

    double[][] fused = InsightFaceVerification.fuseFlips(plain, flipped);
    double[] distances = InsightFaceVerification.squaredDistances(fused);
    double[] numpyDistances = ref.numbers("squared_distances");
    for (int p = 0; p < distances.length; p++) {
      // summation orders differ (NumPy sums pairwise): equal to a few ulps
      assertEquals(numpyDistances[p], distances[p], 1e-14, "distance of pair " + p);
    }

    InsightFaceVerification.Result fromEmbeddings = InsightFaceVerification.evaluate(fused, issame);
    InsightFaceVerification.Result fromNumpyDistances =
        InsightFaceVerification.evaluateDistances(numpyDistances, issame, 10);
    for (InsightFaceVerification.Result r :
        new InsightFaceVerification.Result[] {fromEmbeddings, fromNumpyDistances}) {
      assertArrayEquals(ref.ints("best_threshold_indices"), r.thresholdIndices());
      assertArrayEquals(ref.numbers("best_thresholds"), r.thresholds());
      // Same decisions, same counts, same double quotients: exactly NumPy's values. The mean
      // and std are summed in another order than NumPy's pairwise sums: to 1e-12.
      assertArrayEquals(ref.numbers("accuracies"), r.accuracies());
      assertArrayEquals(ref.numbers("tpr"), r.truePositiveRates());
      assertArrayEquals(ref.numbers("fpr"), r.falsePositiveRates());
      assertEquals(ref.number("mean"), r.meanAccuracy(), 1e-12);
      assertEquals(ref.number("std"), r.standardDeviation(), 1e-12);
    }
  }
}
