package io.github.ringloss4j.app.data;

/**
 * The shape of a model's image input: {@code channels × height × width} floats in [0, 1], CHW
 * order.
 *
 * @param height the output height in pixels, at least 1
 * @param width the output width in pixels, at least 1
 * @param channels 1 (greyscale) or 3 (RGB, in that channel order)
 */
public record ImageSpec(int height, int width, int channels) {

  /**
   * Validates the shape.
   *
   * @param height the output height
   * @param width the output width
   * @param channels 1 or 3
   * @throws IllegalArgumentException if a side is not positive or {@code channels} is not 1 or 3
   */
  public ImageSpec {
    if (height < 1 || width < 1) {
      throw new IllegalArgumentException(
          "image height and width must be positive, got " + height + "×" + width);
    }
    if (channels != 1 && channels != 3) {
      throw new IllegalArgumentException("channels must be 1 or 3, got " + channels);
    }
  }

  /**
   * The number of floats of one image.
   *
   * @return {@code channels × height × width}
   */
  public int size() {
    return channels * height * width;
  }
}
