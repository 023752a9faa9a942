package io.github.ringloss4j.app.data;

import java.io.IOException;
import java.util.List;
import java.util.Random;

/** A view of some items of a {@link LabelledSource}, in a given order. */
public final class Subset implements LabelledSource {

  private final LabelledSource source;
  private final int[] indices;

  /**
   * Creates the view.
   *
   * @param source the full source
   * @param indices the items it shows
   */
  public Subset(LabelledSource source, int[] indices) {
    this.source = source;
    this.indices = indices.clone();
  }

  @Override
  public int size() {
    return indices.length;
  }

  @Override
  public int label(int index) {
    return source.label(indices[index]);
  }

  @Override
  public List<String> classNames() {
    return source.classNames();
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
