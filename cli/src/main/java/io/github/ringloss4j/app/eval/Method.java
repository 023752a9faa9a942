package io.github.ringloss4j.app.eval;

import io.github.ringloss4j.app.model.HeadSpec;
import io.github.ringloss4j.head.Heads;
import java.util.List;
import java.util.Locale;

/**
 * A method of the comparison grid, by name: a head, optionally with ring loss and/or center loss.
 *
 * <p>Syntax: {@code softmax}, {@code ring@0.01} (softmax + ring with λ = 0.01), a head name ({@code
 * l2softmax}, {@code normface}, {@code sphereface}, {@code cosface}, {@code arcface}), a head with
 * ring ({@code sphereface+ring@0.01}) and {@code center@0.01} (softmax + center loss with λc =
 * 0.01).
 *
 * @param name the name as given
 * @param head the head
 * @param lambda the ring weight, 0 for none
 * @param centerLambda the center-loss weight, 0 for none
 */
public record Method(String name, HeadSpec head, double lambda, double centerLambda) {

  private static final HeadSpec SOFTMAX = HeadSpec.parse("softmax");

  /**
   * The paper's comparison, on the data we have: softmax with ring at three λ, each normalising or
   * margin head without and with ring at the paper's λ = 0.01, and center loss.
   */
  public static final List<String> DEFAULT_GRID =
      List.of(
          "softmax",
          "ring@0.001",
          "ring@0.01",
          "ring@0.1",
          "l2softmax",
          "l2softmax+ring@0.01",
          "normface",
          "normface+ring@0.01",
          "sphereface",
          "sphereface+ring@0.01",
          "cosface",
          "cosface+ring@0.01",
          "arcface",
          "arcface+ring@0.01",
          "center@0.01");

  /**
   * The face protocol's comparison: softmax with ring at three λ, L2-softmax, CosFace and ArcFace
   * without and with ring at the paper's λ = 0.01, and the norm-aware heads that followed ring
   * loss, MagFace and AdaFace, which use the norm as a quality signal where ring loss equalises it.
   */
  public static final List<String> FACE_GRID =
      List.of(
          "softmax",
          "ring@0.001",
          "ring@0.01",
          "ring@0.1",
          "l2softmax",
          "cosface",
          "cosface+ring@0.01",
          "arcface",
          "arcface+ring@0.01",
          "magface",
          "adaface");

  /**
   * Parses a method name.
   *
   * @param spec the name
   * @return the method
   * @throws IllegalArgumentException naming the syntax when the name is not understood
   */
  public static Method parse(String spec) {
    String s = spec.trim().toLowerCase(Locale.ROOT);
    try {
      if (s.startsWith("center")) {
        double lc = s.contains("@") ? Double.parseDouble(s.substring(s.indexOf('@') + 1)) : 0.01;
        return new Method(spec.trim(), SOFTMAX, 0, positive(lc, spec));
      }
      if (s.startsWith("ring@")) {
        return new Method(
            spec.trim(), SOFTMAX, positive(Double.parseDouble(s.substring(5)), spec), 0);
      }
      int plus = s.indexOf("+ring@");
      if (plus > 0) {
        HeadSpec head = HeadSpec.parse(s.substring(0, plus));
        return new Method(
            spec.trim(), head, positive(Double.parseDouble(s.substring(plus + 6)), spec), 0);
      }
      return new Method(spec.trim(), HeadSpec.parse(s), 0, 0);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(syntax(spec), e);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(syntax(spec) + " (" + e.getMessage() + ")", e);
    }
  }

  private static double positive(double v, String spec) {
    if (!(v > 0) || Double.isInfinite(v)) {
      throw new IllegalArgumentException(syntax(spec));
    }
    return v;
  }

  private static String syntax(String spec) {
    return "--methods: '"
        + spec
        + "' is not a method; use softmax, ring@LAMBDA, center@LAMBDA, a head ("
        + String.join(", ", Heads.NAMES)
        + ") or HEAD+ring@LAMBDA";
  }
}
