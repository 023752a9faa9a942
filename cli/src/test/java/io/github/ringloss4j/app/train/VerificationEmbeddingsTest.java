package io.github.ringloss4j.app.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.ringloss4j.app.data.VerificationBin;
import io.github.ringloss4j.app.data.VerificationBinTest;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code VerificationEmbeddings.distinct}: the work of a set is bounded by its distinct images. */
class VerificationEmbeddingsTest {

  @TempDir Path dir;

  /** Embeds image i of a set as {i, first byte}, its mirror image as {-i, first byte}. */
  private static VerificationEmbeddings fake(VerificationBin bin, List<Integer> sizes) {
    sizes.add(bin.imageCount());
    int n = bin.imageCount();
    float[][] plain = new float[n][];
    float[][] flipped = new float[n][];
    for (int i = 0; i < n; i++) {
      plain[i] = new float[] {i, bin.image(i)[0]};
      flipped[i] = new float[] {-i, bin.image(i)[0]};
    }
    return new VerificationEmbeddings(plain, flipped, bin.issame(), "fake");
  }

  @Test
  void oneImageRepeatedIsEmbeddedOnce() throws IOException {
    // 100,000 pairs of one image in 500 KB: embedding each pair's images ran past 300 s.
    byte[] image = {7, 1, 2, 3};
    VerificationBin bin =
        VerificationBin.read(VerificationBinTest.memoBomb(dir.resolve("m.bin"), 100_000, image));
    List<Integer> sizes = new ArrayList<>();
    VerificationEmbeddings e = VerificationEmbeddings.distinct(bin, b -> fake(b, sizes));
    assertEquals(List.of(2), sizes, "one distinct image, paired with itself");
    assertEquals(200_000, e.plain().length);
    assertArrayEquals(new float[] {0, 7}, e.plain()[199_999]);
    assertArrayEquals(new float[] {0, 7}, e.flipped()[12345]);
    assertArrayEquals(bin.issame(), e.issame());
    assertEquals("fake", e.preprocessing());
  }

  @Test
  void aSetWithoutRepeatsIsEmbeddedAsItIs() throws IOException {
    VerificationBin bin =
        VerificationBin.read(
            Path.of("src/test/resources/verification/tiny_py3.bin").toAbsolutePath());
    List<Integer> sizes = new ArrayList<>();
    VerificationEmbeddings whole = fake(bin, new ArrayList<>());
    VerificationEmbeddings e = VerificationEmbeddings.distinct(bin, b -> fake(b, sizes));
    int distinct = (int) java.util.Arrays.stream(bin.firstOccurrences()).distinct().count();
    assertEquals(
        List.of(distinct == bin.imageCount() ? bin.imageCount() : distinct + distinct % 2), sizes);
    for (int i = 0; i < bin.imageCount(); i++) {
      assertEquals(whole.plain()[i][1], e.plain()[i][1], "image " + i + "'s own bytes");
    }
    assertEquals(bin.pairCount(), e.issame().length);
  }
}
