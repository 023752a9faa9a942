package io.github.ringloss4j.app.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FacePairsTest {

  /** 6 identities × 4 images; in each identity images 0 and 1 are low quality. */
  private static final int[] LABELS = new int[24];

  private static final boolean[] LOW = new boolean[24];

  static {
    for (int i = 0; i < 24; i++) {
      LABELS[i] = i / 4;
      LOW[i] = i % 4 < 2;
    }
  }

  @Test
  void everyPairIsOfItsStratumAndKindAndDistinct() {
    FacePairs p = FacePairs.draw(LABELS, LOW, 10, 3);
    assertEquals(FacePairs.STRATA, p.names());
    Evaluation.PairSet s = p.pairs();
    Set<Long> seen = new HashSet<>();
    for (int i = 0; i < s.first().length; i++) {
      int a = s.first()[i];
      int b = s.second()[i];
      assertTrue(a != b);
      assertEquals(s.genuine()[i], LABELS[a] == LABELS[b]);
      int lows = (LOW[a] ? 1 : 0) + (LOW[b] ? 1 : 0);
      assertEquals(p.stratum()[i], lows, "pair " + i);
      long key = ((long) Math.min(a, b) << 32) | Math.max(a, b);
      assertTrue(seen.add(key), "pair drawn twice: " + a + ", " + b);
    }
  }

  @Test
  void countsAreTheRequestOrWhatTheStratumAllows() {
    // Genuine pairs per identity: high-high C(2,2) = 1, high-low 2·2 = 4, low-low C(2,2) = 1;
    // so over 6 identities 6, 24 and 6. Impostors: high-high C(12,2) − 6 = 60, high-low
    // 12·12 − 24 = 120, low-low 60.
    FacePairs p = FacePairs.draw(LABELS, LOW, 10, 3);
    int[][] counts = new int[3][2];
    for (int i = 0; i < p.stratum().length; i++) {
      counts[p.stratum()[i]][p.pairs().genuine()[i] ? 0 : 1]++;
    }
    assertArrayEquals(new int[] {6, 10}, counts[0]);
    assertArrayEquals(new int[] {10, 10}, counts[1]);
    assertArrayEquals(new int[] {6, 10}, counts[2]);
    // Folds: at most the smallest kind of any stratum (6), each kind dealt round-robin.
    assertEquals(6, p.pairs().folds());
    assertEquals(16, p.of(2).length);
  }

  @Test
  void theSameSeedGivesTheSamePairsAnotherSeedOthers() {
    FacePairs a = FacePairs.draw(LABELS, LOW, 10, 3);
    FacePairs b = FacePairs.draw(LABELS, LOW, 10, 3);
    FacePairs c = FacePairs.draw(LABELS, LOW, 10, 4);
    assertArrayEquals(a.pairs().first(), b.pairs().first());
    assertArrayEquals(a.pairs().second(), b.pairs().second());
    assertArrayEquals(a.pairs().fold(), b.pairs().fold());
    assertTrue(
        !java.util.Arrays.equals(a.pairs().first(), c.pairs().first())
            || !java.util.Arrays.equals(a.pairs().second(), c.pairs().second()));
  }

  @Test
  void withoutQualityRecordsThereIsOneStratum() {
    FacePairs p = FacePairs.draw(LABELS, null, 20, 3);
    assertEquals(List.of(FacePairs.ALL), p.names());
    // Genuine: 6·C(4,2) = 36 available, 20 drawn.
    assertEquals(40, p.pairs().first().length);
    assertEquals(10, p.pairs().folds());
  }

  @Test
  void aStratumWithTooFewPairsNamesTheOption() {
    boolean[] oneLow = new boolean[24];
    oneLow[0] = true;
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> FacePairs.draw(LABELS, oneLow, 10, 3));
    assertTrue(e.getMessage().contains("--pairs-per-kind 10: the low-low stratum"), e.getMessage());
  }

  @Test
  void theDrawIsPinned() {
    // The committed face benchmark's summaries were evaluated on pairs drawn by this code with this
    // seed; a change to the draw would silently pair them with other pairs. 50 identities × 12
    // images, about 30 % low quality, 200 of a kind per stratum: the hash of every pair's items,
    // fold and kind as the draw of 2026-12-06 gave it.
    int n = 600;
    int[] labels = new int[n];
    boolean[] low = new boolean[n];
    java.util.Random r = new java.util.Random(1);
    for (int i = 0; i < n; i++) {
      labels[i] = i / 12;
      low[i] = r.nextDouble() < 0.3;
    }
    FacePairs p = FacePairs.draw(labels, low, 200, 7);
    long h = 17;
    for (int i = 0; i < p.stratum().length; i++) {
      h = h * 31 + p.pairs().first()[i];
      h = h * 31 + p.pairs().second()[i];
      h = h * 31 + p.pairs().fold()[i];
      h = h * 31 + (p.pairs().genuine()[i] ? 1 : 0);
    }
    assertEquals(1200, p.stratum().length);
    assertEquals(-8960221981659261783L, h);
  }
}
