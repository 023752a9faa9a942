package io.github.ringloss4j.app.data;

import java.io.IOException;
import java.util.List;
import java.util.Random;

/**
 * A source that hands every call to another, for wrappers that change one or two of them (how an
 * item is read, where it is said to come from) and keep the rest: they extend this and override
 * only what they change.
 */
public abstract class ForwardingSource implements LabelledSource {

  /** The wrapped source. */
  protected final LabelledSource source;

  /**
   * Wraps a source.
   *
   * @param source the source every call goes to unless overridden
   */
  protected ForwardingSource(LabelledSource source) {
    this.source = source;
  }

  @Override
  public int size() {
    return source.size();
  }

  @Override
  public int label(int index) {
    return source.label(index);
  }

  @Override
  public int[] labels() {
    return source.labels();
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
    return source.sourceOf(index);
  }

  @Override
  public void read(int index, float[] destination, int offset, Random augmentation)
      throws IOException {
    source.read(index, destination, offset, augmentation);
  }
}
