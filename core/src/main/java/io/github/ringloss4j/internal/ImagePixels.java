package io.github.ringloss4j.internal;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.DataBufferInt;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;

/**
 * The application's image geometry and colour steps, pixel for pixel, so that a served network sees
 * exactly the tensors it was trained and evaluated on.
 *
 * <ul>
 *   <li>Colour ({@link #toRgb}): every image becomes 8-bit sRGB without colour management; grey
 *       {@code g} becomes {@code (g, g, g)} with deeper samples rounded to 8 bits, alpha is dropped
 *       without compositing.
 *   <li>Geometry ({@link #render}): the image is scaled by {@code max(H / h, W / w)} so that it
 *       covers the target (the shorter side of a square target becomes the target size) with
 *       bilinear interpolation, after halving while it is more than twice too large (a single
 *       bilinear step would alias); the centre is kept. An image already of the target size passes
 *       unchanged.
 *   <li>Tensor ({@link #toChw}): CHW floats {@code v / 255}; one channel is the BT.601 luma {@code
 *       round(0.299 R + 0.587 G + 0.114 B)}, which returns grey input unchanged.
 * </ul>
 *
 * <p>These are the steps of the command-line application's {@code ImageFolder} (its evaluation
 * view, and with an offset window its augmentation), which delegates here so that the two cannot
 * drift apart. Decoding is not part of it: a service decodes with DJL's {@code ImageFactory}. Not
 * API: the module exports this package to the application alone.
 */
public final class ImagePixels {

  private ImagePixels() {}

  /**
   * Converts any decoded image to 8-bit sRGB without colour management.
   *
   * @param src the image in whatever type a decoder produced
   * @return {@code src} itself when it is already {@link BufferedImage#TYPE_INT_RGB}, else a new
   *     image of that type
   */
  public static BufferedImage toRgb(BufferedImage src) {
    if (src.getType() == BufferedImage.TYPE_INT_RGB) {
      return src;
    }
    int w = src.getWidth();
    int h = src.getHeight();
    BufferedImage dst = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    int[] out = ((DataBufferInt) dst.getRaster().getDataBuffer()).getData();
    ColorModel cm = src.getColorModel();
    int[] row = new int[w];
    if (src.getType() == BufferedImage.TYPE_3BYTE_BGR && cm.getColorSpace().isCS_sRGB()) {
      // What ImageIO decodes 8-bit RGB files to: sRGB samples, which getRGB returns unchanged,
      // read directly instead of through the colour model pixel by pixel (several times faster;
      // the serving path pays this on every image).
      Raster raster = src.getRaster();
      int[] samples = new int[3 * w];
      for (int y = 0; y < h; y++) {
        raster.getPixels(0, y, w, 1, samples);
        for (int x = 0; x < w; x++) {
          out[y * w + x] = (samples[3 * x] << 16) | (samples[3 * x + 1] << 8) | samples[3 * x + 2];
        }
      }
    } else if (!(cm instanceof IndexColorModel)
        && cm.getColorSpace().getType() == ColorSpace.TYPE_GRAY) {
      // getRGB would treat Java's linear grey colour space as non-sRGB and brighten the values;
      // image files store grey levels that are meant to be shown as-is.
      Raster raster = src.getRaster();
      int max = (1 << cm.getComponentSize(0)) - 1;
      for (int y = 0; y < h; y++) {
        raster.getSamples(0, y, w, 1, 0, row);
        for (int x = 0; x < w; x++) {
          int g = (int) ((row[x] * 255L + max / 2) / max);
          out[y * w + x] = (g << 16) | (g << 8) | g;
        }
      }
    } else {
      for (int y = 0; y < h; y++) {
        src.getRGB(0, y, w, 1, row, 0, w);
        for (int x = 0; x < w; x++) {
          out[y * w + x] = row[x] & 0xFFFFFF;
        }
      }
    }
    return dst;
  }

  /**
   * Scales an RGB image to cover {@code coverHeight × coverWidth}, centre-crops to that size, and
   * returns the {@code height × width} window at ({@code dx}, {@code dy}) inside it. The evaluation
   * (and serving) view is {@code render(rgb, H, W, H, W, 0, 0)}.
   *
   * @param src a {@link BufferedImage#TYPE_INT_RGB} image, see {@link #toRgb}
   * @param coverHeight the height to cover
   * @param coverWidth the width to cover
   * @param height the output height, at most {@code coverHeight}
   * @param width the output width, at most {@code coverWidth}
   * @param dx the window's left edge inside the cover crop
   * @param dy the window's top edge inside the cover crop
   * @return a new {@code height × width} RGB image
   */
  public static BufferedImage render(
      BufferedImage src, int coverHeight, int coverWidth, int height, int width, int dx, int dy) {
    double scale =
        Math.max((double) coverHeight / src.getHeight(), (double) coverWidth / src.getWidth());
    int scaledWidth = Math.max(coverWidth, (int) Math.round(src.getWidth() * scale));
    int scaledHeight = Math.max(coverHeight, (int) Math.round(src.getHeight() * scale));
    BufferedImage current = src;
    while (current.getWidth() / 2 >= scaledWidth && current.getHeight() / 2 >= scaledHeight) {
      current =
          drawScaled(
              current,
              current.getWidth() / 2,
              current.getHeight() / 2,
              0,
              0,
              current.getWidth() / 2,
              current.getHeight() / 2);
    }
    int x0 = (scaledWidth - coverWidth) / 2 + dx;
    int y0 = (scaledHeight - coverHeight) / 2 + dy;
    return drawScaled(current, width, height, -x0, -y0, scaledWidth, scaledHeight);
  }

  private static BufferedImage drawScaled(
      BufferedImage src, int canvasWidth, int canvasHeight, int x, int y, int w, int h) {
    BufferedImage dst = new BufferedImage(canvasWidth, canvasHeight, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = dst.createGraphics();
    try {
      g.setRenderingHint(
          RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
      g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
      g.drawImage(src, x, y, w, h, null);
    } finally {
      g.dispose();
    }
    return dst;
  }

  /**
   * Converts an RGB image to CHW floats in [0, 1], optionally mirrored left-right.
   *
   * @param rgb a {@link BufferedImage#TYPE_INT_RGB} image
   * @param channels 1 (BT.601 luma) or 3 (R, G, B planes)
   * @param flip whether column {@code x} takes the pixel of column {@code w − 1 − x}
   * @return a new array of {@code channels × height × width} values {@code v / 255}
   */
  public static float[] toChw(BufferedImage rgb, int channels, boolean flip) {
    int w = rgb.getWidth();
    int h = rgb.getHeight();
    int plane = w * h;
    float[] out = new float[channels * plane];
    int[] row = new int[w];
    // TYPE_INT_RGB (what toRgb and render give) holds the packed 0xRRGGBB values getRGB returns:
    // a row at a time from the raster, not through the colour model pixel by pixel.
    Raster packed = rgb.getType() == BufferedImage.TYPE_INT_RGB ? rgb.getRaster() : null;
    for (int y = 0; y < h; y++) {
      if (packed != null) {
        packed.getDataElements(0, y, w, 1, row);
      } else {
        rgb.getRGB(0, y, w, 1, row, 0, w);
      }
      for (int x = 0; x < w; x++) {
        int p = row[flip ? w - 1 - x : x];
        int r = (p >> 16) & 0xFF;
        int g = (p >> 8) & 0xFF;
        int b = p & 0xFF;
        int i = y * w + x;
        if (channels == 3) {
          out[i] = r / 255f;
          out[plane + i] = g / 255f;
          out[2 * plane + i] = b / 255f;
        } else {
          out[i] = ((299 * r + 587 * g + 114 * b + 500) / 1000) / 255f;
        }
      }
    }
    return out;
  }
}
