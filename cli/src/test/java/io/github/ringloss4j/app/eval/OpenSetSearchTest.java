package io.github.ringloss4j.app.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class OpenSetSearchTest {

  @Test
  void halfTheIdentitiesAreEnrolledWithTheirFirstHighQualityImage() {
    // 4 identities × 3 images; image 0 of each is low quality.
    int[] labels = {0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3};
    boolean[] low = new boolean[12];
    for (int i = 0; i < 12; i += 3) {
      low[i] = true;
    }
    OpenSetSearch s = OpenSetSearch.draw(labels, low, 5);
    assertEquals(2, s.gallery().length);
    for (int g : s.gallery()) {
      assertEquals(1, g % 3, "the first high-quality image, not the low one");
    }
    // Every other image is a probe: mated (4 = 2 enrolled × 2 others) or non-mated (6).
    assertEquals(4, s.mated().length);
    assertEquals(6, s.nonMated().length);
    for (int p = 0; p < s.mated().length; p++) {
      assertEquals(labels[s.gallery()[s.mates()[p]]], labels[s.mated()[p]]);
    }
    int[] enrolled = Arrays.stream(s.gallery()).map(g -> labels[g]).sorted().toArray();
    for (int p : s.nonMated()) {
      assertTrue(Arrays.binarySearch(enrolled, labels[p]) < 0);
    }
  }

  @Test
  void fnirCountsTheMatesBelowTheThresholdTheNonMatedSet() {
    // 2 identities, enrolled one: which is the seed's choice; features put each identity on an
    // axis, with one mated probe of the enrolled identity turned away from its template.
    int[] labels = {0, 0, 0, 1, 1, 1};
    OpenSetSearch s = OpenSetSearch.draw(labels, null, 1);
    int enrolled = labels[s.gallery()[0]];
    float[][] f = new float[6][];
    for (int i = 0; i < 6; i++) {
      f[i] = labels[i] == enrolled ? new float[] {1, 0.1f * i} : new float[] {0, 1};
    }
    int turned = s.mated()[0];
    f[turned] = new float[] {-1, 0.05f};
    // Non-mated best scores are cos(enrolled axis, (0, 1)): small; the threshold sits just above
    // the largest of them (3 non-mated probes, FPIR 0.01 accepts none). The turned probe's cosine
    // with the template is negative, below that: 1 of 2 mated probes missed.
    OpenSetSearch.Result r = s.evaluate(f);
    assertEquals(0.5, r.fnir(), 1e-12);
    assertEquals(0.0, r.fpir(), 0);
    assertTrue(Double.isNaN(r.fnirLow()));
  }

  @Test
  void oneIdentityIsRefused() {
    assertThrows(
        IllegalArgumentException.class, () -> OpenSetSearch.draw(new int[] {0, 0}, null, 1));
  }
}
