package io.github.ringloss4j.app.model;

import ai.djl.nn.Block;
import io.github.ringloss4j.head.Heads;
import java.util.Locale;
import picocli.CommandLine.ITypeConverter;

/**
 * The classification head, as given ({@code softmax}, {@code arcface(s=30)}, …). Parsing checks the
 * name and every parameter; the block itself is built per model, when the number of classes is
 * known.
 */
public final class HeadSpec extends SpecText {

  private HeadSpec(String text) {
    super(text);
  }

  /**
   * Parses a head specification ({@link Heads#create}).
   *
   * @param text the specification
   * @return the head
   * @throws IllegalArgumentException naming the valid names or parameters
   */
  public static HeadSpec parse(String text) {
    // Heads can only be checked by building one; two classes is the smallest valid head.
    Heads.create(text, 2);
    return new HeadSpec(text);
  }

  /**
   * A new head block.
   *
   * @param classes the number of classes
   * @return the block, uninitialised
   */
  public Block create(int classes) {
    return Heads.create(text(), classes);
  }

  /**
   * Whether the head is plain softmax (a linear layer), whose weights are used as they are; the
   * others normalise them (or the features) first.
   *
   * @return true for {@code softmax}, with or without parameters
   */
  public boolean isSoftmax() {
    String t = text().strip().toLowerCase(Locale.ROOT);
    int open = t.indexOf('(');
    return (open < 0 ? t : t.substring(0, open)).strip().equals("softmax");
  }

  @Override
  protected String meaning() {
    // The head's description names its class and every parameter's value, defaults included.
    return Heads.create(text(), 2).toString();
  }

  /** Parses {@code --head}. */
  public static final class Converter implements ITypeConverter<HeadSpec> {
    @Override
    public HeadSpec convert(String value) {
      return converted(HeadSpec::parse, value);
    }
  }
}
