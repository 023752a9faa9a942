package io.github.ringloss4j.app.model;

import io.github.ringloss4j.nn.RadiusInit;
import picocli.CommandLine.ITypeConverter;

/** Where R starts: {@code first-batch} (the first training batch's mean norm) or a number ≥ 0. */
public final class RadiusStart extends SpecText {

  /** The text of the first-batch start. */
  public static final String FIRST_BATCH = "first-batch";

  /** The constant start, or NaN for the first batch's mean norm. */
  private final double constant;

  private RadiusStart(String text, double constant) {
    super(text);
    this.constant = constant;
  }

  /**
   * Parses {@value #FIRST_BATCH} or a number.
   *
   * @param text the text
   * @return the start
   * @throws IllegalArgumentException unless the text is {@value #FIRST_BATCH} or a finite number ≥
   *     0
   */
  public static RadiusStart parse(String text) {
    if (text.equals(FIRST_BATCH)) {
      return new RadiusStart(text, Double.NaN);
    }
    double value;
    try {
      value = Double.parseDouble(text);
    } catch (NumberFormatException e) {
      value = Double.NaN;
    }
    if (!(value >= 0) || Double.isInfinite(value)) {
      throw new IllegalArgumentException(
          "must be '" + FIRST_BATCH + "' or a number >= 0, got '" + text + "'");
    }
    return new RadiusStart(text, value);
  }

  /**
   * The core library's initialiser for R.
   *
   * @return the first batch's mean norm, or the constant
   */
  public RadiusInit init() {
    return Double.isNaN(constant) ? RadiusInit.firstBatchMean() : RadiusInit.constant(constant);
  }

  @Override
  protected String meaning() {
    return Double.isNaN(constant) ? FIRST_BATCH : Double.toString(constant);
  }

  /** Parses {@code --radius-init}. */
  public static final class Converter implements ITypeConverter<RadiusStart> {
    @Override
    public RadiusStart convert(String value) {
      return converted(RadiusStart::parse, value);
    }
  }
}
