package io.github.ringloss4j.app.model;

import java.util.function.Function;
import picocli.CommandLine.TypeConversionException;

/**
 * An option value written as text and parsed once, where the command line meets the application: a
 * penalty such as {@code huber(delta=0.5)}, a head such as {@code arcface(s=30)}, R's start.
 *
 * <p>The text is what the user typed. It is also what a checkpoint saves, so saved options read
 * like the command line that made them, and loading them parses the text again. Two values are
 * equal when their texts are: that is how the application has always told runs apart.
 */
public abstract class SpecText {

  private final String text;

  /**
   * Keeps the text of a value its subclass has parsed.
   *
   * @param text the text as given
   */
  protected SpecText(String text) {
    this.text = text;
  }

  /**
   * The text as given.
   *
   * @return the text
   */
  public final String text() {
    return text;
  }

  /**
   * What the text means once parsed, in one form for all its spellings: {@code l2} and {@code
   * squared} are one penalty, {@code 1} and {@code 1.0} one radius.
   *
   * @return a description of the parsed value
   */
  protected abstract String meaning();

  /**
   * Whether two values mean the same, however they were written; {@link #equals} compares the
   * texts.
   *
   * @param other another value, or null
   * @return true when both are of one kind and parse to the same value
   */
  public final boolean sameValue(SpecText other) {
    return other != null && other.getClass() == getClass() && other.meaning().equals(meaning());
  }

  @Override
  public final String toString() {
    return text;
  }

  @Override
  public final boolean equals(Object other) {
    return other != null && other.getClass() == getClass() && ((SpecText) other).text.equals(text);
  }

  @Override
  public final int hashCode() {
    return text.hashCode();
  }

  /**
   * Runs a parser for picocli: its {@link IllegalArgumentException} becomes a {@link
   * TypeConversionException}, which the application reports after the option's name, e.g. {@code
   * --penalty: delta must be > 0, got -1.0}, with exit code 2.
   *
   * @param parser the subclass's parser
   * @param text the option's value
   * @param <T> the parsed type
   * @return the parsed value
   * @throws TypeConversionException with the parser's message
   */
  protected static <T> T converted(Function<String, T> parser, String text) {
    try {
      return parser.apply(text);
    } catch (IllegalArgumentException e) {
      TypeConversionException failure = new TypeConversionException(e.getMessage());
      failure.initCause(e);
      throw failure;
    }
  }
}
