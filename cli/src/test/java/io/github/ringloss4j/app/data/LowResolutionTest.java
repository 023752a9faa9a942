package io.github.ringloss4j.app.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;
import org.junit.jupiter.api.Test;

class LowResolutionTest {

  @Test
  void fullResolutionIsTheIdentity() {
    float[] image = new float[2 * 5 * 5];
    Random random = new Random(1);
    for (int i = 0; i < image.length; i++) {
      image[i] = random.nextFloat();
    }
    assertArrayEquals(image, LowResolution.degrade(image, 2, 5, 5), 1e-6f);
  }

  @Test
  void constantImagesStayConstant() {
    float[] image = new float[28 * 28];
    java.util.Arrays.fill(image, 0.3f);
    for (int low : new int[] {14, 10, 7, 3, 1}) {
      for (float v : LowResolution.degrade(image, 1, 28, low)) {
        assertEquals(0.3f, v, 1e-6f);
      }
    }
  }

  @Test
  void handComputedFourToTwoAndBack() {
    // 4×4 image, rows 0..3 = {0,0,4,4}, {0,0,4,4}, {8,8,12,12}, {8,8,12,12}: its 2×2 area means are
    // {0, 4; 8, 12}. Upsampling back with half-pixel centres: output x=0 maps to source
    // (0.5·2/4 − 0.5) = −0.25 → clamped to 0; x=1 → 0.25; x=2 → 0.75; x=3 → 1.25 → clamped to 1.
    float[] image = {0, 0, 4, 4, 0, 0, 4, 4, 8, 8, 12, 12, 8, 8, 12, 12};
    float[] out = LowResolution.degrade(image, 1, 4, 2);
    // Row 0 (source row 0): 0, 0.25·4 = 1, 0.75·4 = 3, 4.
    assertArrayEquals(new float[] {0, 1, 3, 4}, java.util.Arrays.copyOfRange(out, 0, 4), 1e-6f);
    // Row 1 (source row 0.25): 0.75·row0 + 0.25·row1 of {0,4},{8,12}: x=0 → 2, x=3 → 0.75·4 +
    // 0.25·12 = 6
    assertEquals(2f, out[4], 1e-6f);
    assertEquals(6f, out[7], 1e-6f);
  }

  @Test
  void nonIntegerRatiosAverageExactAreas() {
    // 3 → 2: output pixel 0 covers input [0, 1.5): (1·a + 0.5·b)/1.5 along each axis.
    float[] image = {3, 6, 9, 3, 6, 9, 3, 6, 9};
    float[] out = LowResolution.degrade(image, 1, 3, 2);
    // column means: left (3 + 0.5·6)/1.5 = 4, right (0.5·6 + 9)/1.5 = 8; upsampled: x=0 → −0.17
    // clamped 0 → 4; x=1 → 0.5 → 6; x=2 → 1.17 clamped 1 → 8.
    assertArrayEquals(new float[] {4, 6, 8}, java.util.Arrays.copyOfRange(out, 0, 3), 1e-5f);
  }

  @Test
  void rejectsBadSizes() {
    assertThrows(
        IllegalArgumentException.class, () -> LowResolution.degrade(new float[16], 1, 4, 5));
    assertThrows(
        IllegalArgumentException.class, () -> LowResolution.degrade(new float[15], 1, 4, 2));
  }
}
