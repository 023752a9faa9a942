package io.github.ringloss4j.app.data;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Random;

/**
 * A source without some classes: the items of the other classes, in their order, relabelled 0, 1, …
 * in the order of the kept classes, whose names it keeps. The open-set protocol trains on such a
 * source ({@code --exclude-classes}), so the head has as many classes as are kept.
 */
public final class ClassFilter implements LabelledSource {

  private final LabelledSource source;
  private final int[] indices;
  private final int[] newLabel;
  private final List<String> names;

  private ClassFilter(LabelledSource source, int[] indices, int[] newLabel, List<String> names) {
    this.source = source;
    this.indices = indices;
    this.newLabel = newLabel;
    this.names = names;
  }

  /**
   * The source without the given classes.
   *
   * @param source the full source
   * @param excluded labels of the source to leave out; empty for the source itself
   * @return the filtered, relabelled source
   * @throws IllegalArgumentException naming {@code --exclude-classes} when a label is not a class
   *     of the source or fewer than two classes would be left
   */
  public static LabelledSource without(LabelledSource source, Collection<Integer> excluded) {
    if (excluded.isEmpty()) {
      return source;
    }
    List<String> all = source.classNames();
    boolean[] out = new boolean[all.size()];
    for (int label : excluded) {
      if (label < 0 || label >= all.size()) {
        throw new IllegalArgumentException(
            "--exclude-classes: "
                + label
                + " is not a class label; the data have labels 0 to "
                + (all.size() - 1));
      }
      out[label] = true;
    }
    int[] newLabel = new int[all.size()];
    List<String> names = new ArrayList<>();
    for (int c = 0; c < all.size(); c++) {
      newLabel[c] = out[c] ? -1 : names.size();
      if (!out[c]) {
        names.add(all.get(c));
      }
    }
    if (names.size() < 2) {
      throw new IllegalArgumentException(
          "--exclude-classes " + excluded + " leaves fewer than two classes to train on");
    }
    int[] labels = source.labels();
    int n = 0;
    for (int label : labels) {
      n += out[label] ? 0 : 1;
    }
    int[] indices = new int[n];
    n = 0;
    for (int i = 0; i < labels.length; i++) {
      if (!out[labels[i]]) {
        indices[n++] = i;
      }
    }
    return new ClassFilter(source, indices, newLabel, List.copyOf(names));
  }

  /**
   * The items of the given classes only, with their labels unchanged: the held-out classes' test
   * images of the open-set protocol.
   *
   * @param source the full source
   * @param kept the labels to keep
   * @return a view of those items, in their order
   */
  public static Subset only(LabelledSource source, Collection<Integer> kept) {
    int[] labels = source.labels();
    int n = 0;
    for (int label : labels) {
      n += kept.contains(label) ? 1 : 0;
    }
    int[] indices = new int[n];
    n = 0;
    for (int i = 0; i < labels.length; i++) {
      if (kept.contains(labels[i])) {
        indices[n++] = i;
      }
    }
    return new Subset(source, indices);
  }

  @Override
  public int size() {
    return indices.length;
  }

  @Override
  public int label(int index) {
    return newLabel[source.label(indices[index])];
  }

  @Override
  public List<String> classNames() {
    return names;
  }

  @Override
  public int[] itemShape() {
    return source.itemShape();
  }

  @Override
  public String sourceOf(int index) {
    return source.sourceOf(indices[index]);
  }

  @Override
  public void read(int index, float[] destination, int offset, Random augmentation)
      throws IOException {
    source.read(indices[index], destination, offset, augmentation);
  }
}
