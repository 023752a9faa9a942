package io.github.ringloss4j.app.data;

import java.io.IOException;
import java.util.List;
import java.util.Random;

/**
 * Labelled images, read one item at a time into a caller's buffer in CHW order with values in [0,
 * 1]. Implemented for Fashion-MNIST IDX data, image folders and packed sets; batches of them are
 * read by {@link BatchReader}, on several threads at once, so {@link #read} must be thread-safe and
 * its result a function of its arguments alone.
 */
public interface LabelledSource {

  /**
   * The number of items.
   *
   * @return the count
   */
  int size();

  /**
   * The label of an item.
   *
   * @param index the item
   * @return its class index
   */
  int label(int index);

  /**
   * The class names, indexed by label.
   *
   * @return the names
   */
  List<String> classNames();

  /**
   * The item shape.
   *
   * @return {channels, height, width}
   */
  int[] itemShape();

  /**
   * Where an item came from, for embeddings and error messages.
   *
   * @param index the item
   * @return a file path or {@code file#index}
   */
  String sourceOf(int index);

  /**
   * Copies an item into a buffer.
   *
   * @param index the item
   * @param destination the buffer
   * @param offset where the item starts in the buffer
   * @param augmentation a random source for augmentation (the item's own, see {@link
   *     Augmentation}), or null for none
   * @throws IOException if the item cannot be read; a malformed item is a {@link
   *     io.github.ringloss4j.app.io.DataFormatException} naming its file or record
   */
  void read(int index, float[] destination, int offset, Random augmentation) throws IOException;

  /**
   * The number of values in one item.
   *
   * @return channels × height × width
   */
  default int itemSize() {
    int[] s = itemShape();
    return s[0] * s[1] * s[2];
  }

  /**
   * The labels of all items.
   *
   * @return a new array
   */
  default int[] labels() {
    int[] labels = new int[size()];
    for (int i = 0; i < labels.length; i++) {
      labels[i] = label(i);
    }
    return labels;
  }

  /**
   * The labels of several items, as the floats DJL's sparse softmax cross-entropy takes.
   *
   * @param items the items
   * @return their labels
   */
  default float[] labelsOf(int[] items) {
    float[] labels = new float[items.length];
    for (int i = 0; i < items.length; i++) {
      labels[i] = label(items[i]);
    }
    return labels;
  }

  /**
   * The items {@code from, from + 1, …, from + size − 1}.
   *
   * @param from the first item
   * @param size how many
   * @return their indices
   */
  static int[] range(int from, int size) {
    int[] items = new int[size];
    for (int i = 0; i < size; i++) {
      items[i] = from + i;
    }
    return items;
  }
}
