package io.github.ringloss4j.app.data;

import java.util.Arrays;
import java.util.Objects;

/**
 * Images with one integer class label each, such as the Fashion-MNIST training or test set.
 *
 * <p>The arrays are not copied; callers must not modify them. {@link #equals(Object)} compares
 * content.
 *
 * @param images the images
 * @param labels one label per image, {@code labels[i]} belongs to image {@code i}
 */
public record LabelledImages(Images images, int[] labels) {

  /**
   * Checks that there is exactly one label per image.
   *
   * @param images the images
   * @param labels one label per image
   * @throws IllegalArgumentException if the counts differ
   */
  public LabelledImages {
    Objects.requireNonNull(images, "images");
    Objects.requireNonNull(labels, "labels");
    if (labels.length != images.count()) {
      throw new IllegalArgumentException(
          labels.length + " labels for " + images.count() + " images");
    }
  }

  /**
   * The number of labelled images.
   *
   * @return the count
   */
  public int size() {
    return labels.length;
  }

  /**
   * The examples at the given indices, in that order (indices may repeat).
   *
   * @param indices 0-based example indices
   * @return a new {@code LabelledImages} with copied data
   * @throws IndexOutOfBoundsException naming the position of an out-of-range index
   */
  public LabelledImages subset(int[] indices) {
    Images sub = images.subset(indices);
    int[] subLabels = new int[indices.length];
    for (int i = 0; i < indices.length; i++) {
      subLabels[i] = labels[indices[i]];
    }
    return new LabelledImages(sub, subLabels);
  }

  /**
   * The first {@code n} examples, or all of them when there are fewer; clamping lets a {@code
   * --limit} option exceed the data set size without special cases.
   *
   * @param n how many examples, at least 0
   * @return a new {@code LabelledImages} of {@code min(n, size())} examples
   * @throws IllegalArgumentException if {@code n} is negative
   */
  public LabelledImages firstN(int n) {
    if (n < 0) {
      throw new IllegalArgumentException("n must be >= 0, got " + n);
    }
    int[] indices = new int[Math.min(n, size())];
    Arrays.setAll(indices, i -> i);
    return subset(indices);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof LabelledImages other
        && images.equals(other.images)
        && Arrays.equals(labels, other.labels);
  }

  @Override
  public int hashCode() {
    return 31 * images.hashCode() + Arrays.hashCode(labels);
  }

  @Override
  public String toString() {
    return "LabelledImages[" + images + ", labels=" + labels.length + "]";
  }
}
