package io.github.ringloss4j.app.model;

import io.github.ringloss4j.penalty.Penalties;
import io.github.ringloss4j.penalty.Penalty;
import picocli.CommandLine.ITypeConverter;

/** The ring penalty ρ, as given ({@code squared}, {@code huber(delta=0.5)}, …) and as parsed. */
public final class PenaltySpec extends SpecText {

  private final Penalty penalty;

  private PenaltySpec(String text, Penalty penalty) {
    super(text);
    this.penalty = penalty;
  }

  /**
   * Parses a penalty specification ({@link Penalties#parse}).
   *
   * @param text the specification
   * @return the penalty with its text
   * @throws IllegalArgumentException naming the valid names or parameters
   */
  public static PenaltySpec parse(String text) {
    return new PenaltySpec(text, Penalties.parse(text));
  }

  /**
   * The parsed penalty.
   *
   * @return the penalty
   */
  public Penalty penalty() {
    return penalty;
  }

  @Override
  protected String meaning() {
    return penalty.toString();
  }

  /** Parses {@code --penalty}. */
  public static final class Converter implements ITypeConverter<PenaltySpec> {
    @Override
    public PenaltySpec convert(String value) {
      return converted(PenaltySpec::parse, value);
    }
  }
}
