package io.github.ringloss4j.app.data;

import java.io.IOException;
import java.util.Random;

/**
 * Low-resolution probes, after the paper's extremely-low-resolution matching: an image is reduced
 * to {@code low × low} pixels by area averaging (each output pixel is the mean of the input area it
 * covers, exact for non-integer ratios such as 28 → 10), then brought back to its original size by
 * bilinear interpolation with half-pixel centres (PyTorch's {@code align_corners=False}). The
 * network therefore sees an input of the usual size that carries only {@code low²} pixels of
 * information.
 */
public final class LowResolution {

  private LowResolution() {}

  /**
   * Degrades one CHW image.
   *
   * @param chw the image, channels × side × side
   * @param channels the number of channels
   * @param side the image side
   * @param low the reduced side, 1 ≤ low ≤ side
   * @return a new image of the same shape
   */
  public static float[] degrade(float[] chw, int channels, int side, int low) {
    if (low < 1 || low > side) {
      throw new IllegalArgumentException("low resolution must be in [1, " + side + "], got " + low);
    }
    if (chw.length != channels * side * side) {
      throw new IllegalArgumentException(
          "image has " + chw.length + " values, expected " + channels * side * side);
    }
    double[][] down = areaWeights(side, low);
    float[] out = new float[chw.length];
    for (int c = 0; c < channels; c++) {
      int base = c * side * side;
      double[] small = new double[low * low];
      // Separable area averaging: rows first, then columns.
      double[] rows = new double[low * side];
      for (int i = 0; i < low; i++) {
        for (int x = 0; x < side; x++) {
          double s = 0;
          for (int y = 0; y < side; y++) {
            s += down[i][y] * chw[base + y * side + x];
          }
          rows[i * side + x] = s;
        }
      }
      for (int i = 0; i < low; i++) {
        for (int j = 0; j < low; j++) {
          double s = 0;
          for (int x = 0; x < side; x++) {
            s += down[j][x] * rows[i * side + x];
          }
          small[i * low + j] = s;
        }
      }
      for (int y = 0; y < side; y++) {
        double sy = source(y, side, low);
        int y0 = (int) Math.floor(sy);
        int y1 = Math.min(y0 + 1, low - 1);
        double wy = sy - y0;
        for (int x = 0; x < side; x++) {
          double sx = source(x, side, low);
          int x0 = (int) Math.floor(sx);
          int x1 = Math.min(x0 + 1, low - 1);
          double wx = sx - x0;
          double top = small[y0 * low + x0] * (1 - wx) + small[y0 * low + x1] * wx;
          double bottom = small[y1 * low + x0] * (1 - wx) + small[y1 * low + x1] * wx;
          out[base + y * side + x] = (float) (top * (1 - wy) + bottom * wy);
        }
      }
    }
    return out;
  }

  /** The source coordinate of output pixel i, half-pixel centres, clamped to the image. */
  private static double source(int i, int side, int low) {
    double s = (i + 0.5) * low / side - 0.5;
    return Math.max(0, Math.min(low - 1, s));
  }

  /** weights[i][y]: the share of input pixel y in output pixel i (rows sum to 1). */
  private static double[][] areaWeights(int side, int low) {
    double[][] w = new double[low][side];
    double scale = (double) side / low;
    for (int i = 0; i < low; i++) {
      double from = i * scale;
      double to = (i + 1) * scale;
      for (int y = (int) Math.floor(from); y < Math.min(side, (int) Math.ceil(to)); y++) {
        double overlap = Math.min(to, y + 1) - Math.max(from, y);
        if (overlap > 0) {
          w[i][y] = overlap / scale;
        }
      }
    }
    return w;
  }

  /**
   * A source whose images are degraded to {@code low × low} on the fly.
   *
   * @param source the full-resolution source (square images)
   * @param low the reduced side
   * @return the degraded view
   */
  public static LabelledSource of(LabelledSource source, int low) {
    int[] shape = source.itemShape();
    if (shape[1] != shape[2]) {
      throw new IllegalArgumentException(
          "low-resolution probes need square images, got " + shape[1] + "x" + shape[2]);
    }
    return new ForwardingSource(source) {
      @Override
      public int[] itemShape() {
        return shape;
      }

      @Override
      public String sourceOf(int index) {
        return source.sourceOf(index) + "@" + low + "px";
      }

      @Override
      public void read(int index, float[] destination, int offset, Random augmentation)
          throws IOException {
        float[] full = new float[source.itemSize()];
        source.read(index, full, 0, null);
        float[] degraded = degrade(full, shape[0], shape[1], low);
        System.arraycopy(degraded, 0, destination, offset, degraded.length);
      }
    };
  }
}
