package io.github.ringloss4j.app.data;

import java.util.Arrays;
import java.util.Objects;

/**
 * A stack of equally sized greyscale images stored as unsigned bytes, as read from an IDX file.
 *
 * <p>{@code pixels} holds the images one after another, each row-major ({@code rows × cols} bytes),
 * exactly as in the IDX file; byte value 0..255 is read as {@code (b & 0xFF) / 255f}. The array is
 * not copied (the training set is 47 MB), so callers must not modify it. {@link #equals(Object)}
 * compares pixel content.
 *
 * @param count the number of images, at least 0
 * @param rows the image height in pixels, at least 1
 * @param cols the image width in pixels, at least 1
 * @param pixels {@code count × rows × cols} unsigned bytes
 */
public record Images(int count, int rows, int cols, byte[] pixels) {

  /**
   * Validates the geometry against the pixel array.
   *
   * @param count the number of images
   * @param rows the image height
   * @param cols the image width
   * @param pixels the pixel bytes
   * @throws IllegalArgumentException if a size is out of range or {@code pixels} has the wrong
   *     length
   */
  public Images {
    Objects.requireNonNull(pixels, "pixels");
    if (count < 0 || rows < 1 || cols < 1) {
      throw new IllegalArgumentException(
          "bad image geometry count=" + count + " rows=" + rows + " cols=" + cols);
    }
    if ((long) count * rows * cols != pixels.length) {
      throw new IllegalArgumentException(
          "pixels has "
              + pixels.length
              + " bytes, expected count × rows × cols = "
              + ((long) count * rows * cols));
    }
  }

  /**
   * The number of pixels of one image.
   *
   * @return {@code rows × cols}
   */
  public int pixelsPerImage() {
    return rows * cols;
  }

  /**
   * One pixel scaled to [0, 1].
   *
   * @param item the 0-based image index
   * @param r the row, 0 at the top
   * @param c the column, 0 at the left
   * @return the pixel value divided by 255
   * @throws IndexOutOfBoundsException if an index is out of range
   */
  public float pixel(int item, int r, int c) {
    Objects.checkIndex(item, count);
    Objects.checkIndex(r, rows);
    Objects.checkIndex(c, cols);
    return (pixels[(item * rows + r) * cols + c] & 0xFF) / 255f;
  }

  /**
   * One image as floats in [0, 1], row-major (the CHW layout of a one-channel image).
   *
   * @param item the 0-based image index
   * @return a new array of {@code rows × cols} values
   * @throws IndexOutOfBoundsException if {@code item} is out of range
   */
  public float[] image(int item) {
    float[] out = new float[pixelsPerImage()];
    copyImage(item, out, 0);
    return out;
  }

  /**
   * Copies one image as floats in [0, 1] into {@code dst}, for filling a batch buffer without
   * allocating.
   *
   * @param item the 0-based image index
   * @param dst the destination
   * @param offset where in {@code dst} the image starts
   * @throws IndexOutOfBoundsException if {@code item} is out of range or {@code dst} is too short
   */
  public void copyImage(int item, float[] dst, int offset) {
    Objects.checkIndex(item, count);
    int n = pixelsPerImage();
    Objects.checkFromIndexSize(offset, n, dst.length);
    int base = item * n;
    for (int i = 0; i < n; i++) {
      dst[offset + i] = (pixels[base + i] & 0xFF) / 255f;
    }
  }

  /**
   * The images at the given indices, in that order (indices may repeat).
   *
   * @param indices 0-based image indices
   * @return a new {@code Images} with copied pixels
   * @throws IndexOutOfBoundsException naming the position of an out-of-range index
   */
  public Images subset(int[] indices) {
    int n = pixelsPerImage();
    byte[] out = new byte[Math.multiplyExact(indices.length, n)];
    for (int i = 0; i < indices.length; i++) {
      int item = indices[i];
      if (item < 0 || item >= count) {
        throw new IndexOutOfBoundsException(
            "indices[" + i + "] = " + item + " is out of range [0, " + count + ")");
      }
      System.arraycopy(pixels, item * n, out, i * n, n);
    }
    return new Images(indices.length, rows, cols, out);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Images other
        && count == other.count
        && rows == other.rows
        && cols == other.cols
        && Arrays.equals(pixels, other.pixels);
  }

  @Override
  public int hashCode() {
    return Objects.hash(count, rows, cols, Arrays.hashCode(pixels));
  }

  @Override
  public String toString() {
    return "Images[count=" + count + ", rows=" + rows + ", cols=" + cols + "]";
  }
}
