package io.github.ringloss4j.app.recordio;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.util.List;
import java.util.SplittableRandom;

/**
 * How a synthetic image was degraded: the quality tail of {@link SyntheticFaces}, recorded per
 * image in {@value #FILE_NAME}.
 *
 * <p>A degraded image is blurred (Gaussian, σ {@code blur} output pixels), area-averaged down to
 * {@code side × side} pixels and bilinearly back up, given Gaussian noise of σ {@code noise} (8-bit
 * levels), and JPEG-compressed at quality {@code jpegQuality} (in percent). Three levels, each a
 * band of every parameter at the reference side of 112 pixels (smaller sides scale the downsampled
 * side and σ by {@code side / 112}, keeping the side at least {@value #MIN_SIDE} and below the
 * image's, so at 40 pixels the levels' sides are about 9–11, 6–8 and 6):
 *
 * <table>
 *   <caption>levels</caption>
 *   <tr><th>level</th><th>downsampled side</th><th>blur σ</th><th>JPEG quality</th><th>noise σ</th></tr>
 *   <tr><td>0 clean</td><td>—</td><td>0</td><td>—</td><td>0</td></tr>
 *   <tr><td>1 mild</td><td>24–32</td><td>0.3–0.8</td><td>30–40</td><td>2–4</td></tr>
 *   <tr><td>2 medium</td><td>16–23</td><td>0.6–1.2</td><td>20–29</td><td>3–6</td></tr>
 *   <tr><td>3 severe</td><td>8–15</td><td>1.0–2.0</td><td>10–19</td><td>5–9</td></tr>
 * </table>
 *
 * <p>The quality bin is {@code high} for level 0 and {@code low} for the others. Drawn values are
 * rounded (σ to 0.01, noise to 0.1) before use, so the recorded numbers are the ones applied.
 *
 * @param level 0 (clean) to 3 (severe)
 * @param side the downsampled side in pixels, 0 when clean
 * @param blur the blur σ in output pixels, 0 when clean
 * @param jpegQuality the JPEG quality in percent, 0 when clean
 * @param noise the noise σ in 8-bit levels, 0 when clean
 */
public record Degradation(int level, int side, float blur, int jpegQuality, float noise) {

  /** The file beside a generated set holding every image's degradation. */
  public static final String FILE_NAME = "quality.csv";

  /** The columns of {@value #FILE_NAME}, in order. */
  public static final List<String> COLUMNS =
      List.of(
          "identity",
          "label",
          "image",
          "item",
          "family",
          "side",
          "blur",
          "jpeg_quality",
          "noise",
          "level",
          "quality");

  /** The smallest downsampled side: below it a face is a few blocks of colour. */
  public static final int MIN_SIDE = 6;

  /** The highest level. */
  public static final int MAX_LEVEL = 3;

  /** No degradation. */
  public static final Degradation CLEAN = new Degradation(0, 0, 0, 0, 0);

  /** Per level 1–3: side, blur, JPEG quality and noise bands {lo, hi} at the reference side. */
  private static final float[][][] BANDS = {
    {{24, 32}, {0.3f, 0.8f}, {30, 40}, {2, 4}},
    {{16, 23}, {0.6f, 1.2f}, {20, 29}, {3, 6}},
    {{8, 15}, {1.0f, 2.0f}, {10, 19}, {5, 9}}
  };

  /**
   * Whether the image is in the low-quality bin.
   *
   * @return true for levels 1–3
   */
  public boolean low() {
    return level > 0;
  }

  /**
   * The quality bin's name.
   *
   * @return {@code high} or {@code low}
   */
  public String bin() {
    return low() ? "low" : "high";
  }

  /**
   * Chooses the degraded images of one identity: {@code share × n} of them, the count rounded up
   * with probability its fractional part, at random positions.
   *
   * @param r the identity's quality generator
   * @param share the share to degrade, in [0, 1]
   * @param n the identity's images
   * @return which are degraded
   */
  static boolean[] choose(SplittableRandom r, double share, int n) {
    boolean[] chosen = new boolean[n];
    double wanted = share * n;
    int count = (int) wanted;
    if (r.nextDouble() < wanted - count) {
      count++;
    }
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    for (int k = 0; k < count; k++) {
      int pick = k + r.nextInt(n - k);
      int image = order[pick];
      order[pick] = order[k];
      order[k] = image;
      chosen[image] = true;
    }
    return chosen;
  }

  /**
   * Draws a degradation of a level.
   *
   * @param r the image's degradation generator
   * @param level 1 to 3
   * @param imageSide the image's side
   * @return the degradation
   */
  static Degradation draw(SplittableRandom r, int level, int imageSide) {
    float[][] band = BANDS[level - 1];
    float k = imageSide / (float) FacePainter.REFERENCE;
    int reference = (int) band[0][0] + r.nextInt((int) (band[0][1] - band[0][0]) + 1);
    int side = Math.max(MIN_SIDE, Math.min(imageSide - 1, Math.round(reference * k)));
    float blur = Math.round(draw(r, band[1]) * k * 100) / 100f;
    int quality = (int) band[2][0] + r.nextInt((int) (band[2][1] - band[2][0]) + 1);
    float noise = Math.round(draw(r, band[3]) * 10) / 10f;
    return new Degradation(level, side, blur, quality, noise);
  }

  private static float draw(SplittableRandom r, float[] band) {
    return band[0] + (band[1] - band[0]) * (float) r.nextDouble();
  }

  /**
   * Degrades an image.
   *
   * @param clean the clean image, TYPE_INT_RGB
   * @param r the generator of the noise
   * @return the degraded image as JPEG bytes at {@link #jpegQuality}
   */
  byte[] apply(BufferedImage clean, SplittableRandom r) {
    int n = clean.getWidth();
    int[] pixels = ((DataBufferInt) clean.getRaster().getDataBuffer()).getData();
    float[][] planes = new float[3][n * n];
    for (int i = 0; i < pixels.length; i++) {
      for (int c = 0; c < 3; c++) {
        planes[c][i] = (pixels[i] >> (16 - 8 * c)) & 0xFF;
      }
    }
    BufferedImage out = new BufferedImage(n, n, BufferedImage.TYPE_INT_RGB);
    int[] result = ((DataBufferInt) out.getRaster().getDataBuffer()).getData();
    float[][] degraded = new float[3][];
    for (int c = 0; c < 3; c++) {
      degraded[c] = resample(downsample(blur(planes[c], n, blur), n, side), side, n);
    }
    for (int i = 0; i < result.length; i++) {
      int rgb = 0;
      for (int c = 0; c < 3; c++) {
        float v = degraded[c][i] + noise * (float) r.nextGaussian();
        rgb = rgb << 8 | Math.min(255, Math.max(0, Math.round(v)));
      }
      result[i] = rgb;
    }
    return ImageEncoding.encode(out, ImageFormat.JPEG, jpegQuality / 100f);
  }

  /** A separable Gaussian blur, edges repeated. */
  private static float[] blur(float[] plane, int n, float sigma) {
    if (sigma <= 0) {
      return plane;
    }
    int radius = (int) Math.ceil(3 * sigma);
    float[] kernel = new float[2 * radius + 1];
    float sum = 0;
    for (int k = -radius; k <= radius; k++) {
      kernel[k + radius] = (float) Math.exp(-0.5 * k * k / (sigma * sigma));
      sum += kernel[k + radius];
    }
    for (int k = 0; k < kernel.length; k++) {
      kernel[k] /= sum;
    }
    float[] rows = new float[n * n];
    float[] out = new float[n * n];
    for (int y = 0; y < n; y++) {
      for (int x = 0; x < n; x++) {
        float v = 0;
        for (int k = -radius; k <= radius; k++) {
          v += kernel[k + radius] * plane[y * n + Math.min(n - 1, Math.max(0, x + k))];
        }
        rows[y * n + x] = v;
      }
    }
    for (int y = 0; y < n; y++) {
      for (int x = 0; x < n; x++) {
        float v = 0;
        for (int k = -radius; k <= radius; k++) {
          v += kernel[k + radius] * rows[Math.min(n - 1, Math.max(0, y + k)) * n + x];
        }
        out[y * n + x] = v;
      }
    }
    return out;
  }

  /** Box averages of an {@code n × n} plane down to {@code m × m}, {@code m <= n}. */
  private static float[] downsample(float[] plane, int n, int m) {
    float[] out = new float[m * m];
    for (int ty = 0; ty < m; ty++) {
      int y0 = ty * n / m;
      int y1 = (ty + 1) * n / m;
      for (int tx = 0; tx < m; tx++) {
        int x0 = tx * n / m;
        int x1 = (tx + 1) * n / m;
        float sum = 0;
        for (int y = y0; y < y1; y++) {
          for (int x = x0; x < x1; x++) {
            sum += plane[y * n + x];
          }
        }
        out[ty * m + tx] = sum / ((y1 - y0) * (x1 - x0));
      }
    }
    return out;
  }

  /** Bilinear resampling of an {@code m × m} plane to {@code n × n}, pixel centres aligned. */
  private static float[] resample(float[] plane, int m, int n) {
    float[] out = new float[n * n];
    float k = (float) m / n;
    for (int y = 0; y < n; y++) {
      float sy = Math.min(m - 1, Math.max(0, (y + 0.5f) * k - 0.5f));
      int y0 = (int) sy;
      int y1 = Math.min(m - 1, y0 + 1);
      float wy = sy - y0;
      for (int x = 0; x < n; x++) {
        float sx = Math.min(m - 1, Math.max(0, (x + 0.5f) * k - 0.5f));
        int x0 = (int) sx;
        int x1 = Math.min(m - 1, x0 + 1);
        float wx = sx - x0;
        float topRow = plane[y0 * m + x0] * (1 - wx) + plane[y0 * m + x1] * wx;
        float bottomRow = plane[y1 * m + x0] * (1 - wx) + plane[y1 * m + x1] * wx;
        out[y * n + x] = topRow * (1 - wy) + bottomRow * wy;
      }
    }
    return out;
  }
}
