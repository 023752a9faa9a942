package io.github.ringloss4j.serving;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.github.ringloss4j.internal.ImagePixels;
import java.awt.image.BufferedImage;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The application's colour and geometry steps on small hand-made images. */
class ImagePixelsTest {

  @Test
  void greyLevelsAreKeptAsStoredNotGammaConverted() {
    BufferedImage grey = new BufferedImage(2, 1, BufferedImage.TYPE_BYTE_GRAY);
    grey.getRaster().setSample(0, 0, 0, 7);
    grey.getRaster().setSample(1, 0, 0, 200);
    BufferedImage rgb = ImagePixels.toRgb(grey);
    assertEquals(0x070707, rgb.getRGB(0, 0) & 0xFFFFFF);
    assertEquals(0xC8C8C8, rgb.getRGB(1, 0) & 0xFFFFFF);
    assertArrayEquals(new float[] {7 / 255f, 200 / 255f}, ImagePixels.toChw(rgb, 1, false));
    assertSame(rgb, ImagePixels.toRgb(rgb), "INT_RGB passes through");
  }

  @Test
  void threeByteBgrImagesGiveTheColourModelsRgbValues() {
    // ImageIO's type for 8-bit RGB files, read directly from the raster: the same values getRGB
    // gives, also for a sub-image whose raster starts inside a larger buffer.
    Random random = new Random(3);
    BufferedImage bgr = new BufferedImage(13, 7, BufferedImage.TYPE_3BYTE_BGR);
    for (int y = 0; y < 7; y++) {
      for (int x = 0; x < 13; x++) {
        bgr.setRGB(x, y, random.nextInt(1 << 24));
      }
    }
    for (BufferedImage src : new BufferedImage[] {bgr, bgr.getSubimage(2, 1, 9, 5)}) {
      BufferedImage rgb = ImagePixels.toRgb(src);
      assertEquals(BufferedImage.TYPE_INT_RGB, rgb.getType());
      for (int y = 0; y < src.getHeight(); y++) {
        for (int x = 0; x < src.getWidth(); x++) {
          assertEquals(src.getRGB(x, y) & 0xFFFFFF, rgb.getRGB(x, y) & 0xFFFFFF, x + "," + y);
        }
      }
    }
  }

  @Test
  void intRgbRowsReadFromTheRasterEqualTheColourModelsValues() {
    // toChw reads TYPE_INT_RGB rows straight from the raster; TYPE_INT_ARGB goes through getRGB.
    BufferedImage rgb = ServingTestSupport.randomImage(3, 6, 11, new Random(4));
    BufferedImage argb = new BufferedImage(11, 6, BufferedImage.TYPE_INT_ARGB);
    for (int y = 0; y < 6; y++) {
      for (int x = 0; x < 11; x++) {
        argb.setRGB(x, y, 0xFF000000 | rgb.getRGB(x, y));
      }
    }
    assertEquals(BufferedImage.TYPE_INT_RGB, rgb.getType());
    for (int channels : new int[] {1, 3}) {
      for (boolean flip : new boolean[] {false, true}) {
        assertArrayEquals(
            ImagePixels.toChw(argb, channels, flip),
            ImagePixels.toChw(rgb, channels, flip),
            channels + " channels, flip " + flip);
      }
    }
  }

  @Test
  void oneChannelIsRoundedBt601LumaAndFlipMirrorsColumns() {
    BufferedImage rgb = new BufferedImage(2, 1, BufferedImage.TYPE_INT_RGB);
    rgb.setRGB(0, 0, 0xFF0000);
    rgb.setRGB(1, 0, 0x0000FF);
    // round(0.299 * 255) = 76, round(0.114 * 255) = 29
    assertArrayEquals(new float[] {76 / 255f, 29 / 255f}, ImagePixels.toChw(rgb, 1, false));
    assertArrayEquals(new float[] {29 / 255f, 76 / 255f}, ImagePixels.toChw(rgb, 1, true));
    assertArrayEquals(
        new float[] {1, 0, 0, 0, 0, 1}, ImagePixels.toChw(rgb, 3, false), "R, G, B planes");
  }

  @Test
  void anImageOfTheTargetSizePassesUnchanged() {
    BufferedImage rgb = ServingTestSupport.randomImage(3, 9, 7, new Random(1));
    BufferedImage view = ImagePixels.render(rgb, 9, 7, 9, 7, 0, 0);
    for (int y = 0; y < 9; y++) {
      for (int x = 0; x < 7; x++) {
        assertEquals(rgb.getRGB(x, y), view.getRGB(x, y), x + "," + y);
      }
    }
  }

  @Test
  void largeImagesAreHalvedScaledToCoverAndCentreCropped() {
    // Left third red, the rest blue: a 600×200 image covering 20×20 becomes 60×20, whose centre
    // 20 columns are blue.
    BufferedImage wide = new BufferedImage(600, 200, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < 200; y++) {
      for (int x = 0; x < 600; x++) {
        wide.setRGB(x, y, x < 200 ? 0xFF0000 : 0x0000FF);
      }
    }
    BufferedImage view = ImagePixels.render(wide, 20, 20, 20, 20, 0, 0);
    assertEquals(20, view.getWidth());
    assertEquals(20, view.getHeight());
    for (int y = 0; y < 20; y++) {
      for (int x = 0; x < 20; x++) {
        assertEquals(0x0000FF, view.getRGB(x, y) & 0xFFFFFF, x + "," + y);
      }
    }
  }
}
