package io.github.ringloss4j.app.recordio;

import java.util.Objects;

/**
 * One image record of a packed data set.
 *
 * <p>The array is not copied; callers must not modify it.
 *
 * @param key the record's key in the index
 * @param offset the byte offset of the record in the {@code .rec} file
 * @param label the class label, checked against the class count
 * @param image the encoded image exactly as stored (JPEG or PNG bytes, not checked)
 */
public record PackedImage(long key, long offset, int label, byte[] image) {

  /**
   * Checks that the image is present.
   *
   * @param key the record key
   * @param offset the record offset
   * @param label the class label
   * @param image the encoded image
   */
  public PackedImage {
    Objects.requireNonNull(image, "image");
  }
}
