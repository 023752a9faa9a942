package io.github.ringloss4j.app.eval;

import io.github.ringloss4j.app.data.LabelledSource;
import java.nio.file.Path;
import java.util.List;

/**
 * The test of the face protocol, drawn once per test split and shared by every method of the
 * comparison: the images of the identities no run trained on, the stratified 1:1 pairs, the
 * open-set 1:N design, each image's recorded degradation level, and extra {@code .bin} verification
 * sets.
 *
 * @param source the test identities' images, their labels those of the full data set
 * @param pairs the 1:1 pairs ({@link FacePairs})
 * @param search the open-set 1:N design ({@link OpenSetSearch})
 * @param level each image's recorded degradation level (0: clean), or null without quality records
 * @param bins InsightFace {@code .bin} verification sets scored as well, possibly none
 */
public record FaceTest(
    LabelledSource source, FacePairs pairs, OpenSetSearch search, int[] level, List<Path> bins) {

  /**
   * How the test was drawn, compared when a run's summary is reused.
   *
   * @return the pairs' and the search's protocols, and the sets
   */
  public String protocol() {
    return pairs.pairs().protocol()
        + "; "
        + search.protocol()
        + (level == null ? "; no quality records" : "; strata by recorded quality")
        + (bins.isEmpty() ? "" : "; sets " + bins);
  }
}
