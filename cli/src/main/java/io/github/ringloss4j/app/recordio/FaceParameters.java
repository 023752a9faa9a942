package io.github.ringloss4j.app.recordio;

import java.util.SplittableRandom;

/**
 * An identity's face as {@value #COUNT} uniform draws in [0, 1), in the order {@link FacePainter}
 * reads them (background, skin, hair, face outline, eyes, brows, nose, mouth, shading waves).
 *
 * <p>Keeping the raw draws rather than the colours and sizes they map to makes a look-alike family
 * one line: a member's draws lie between its family parent's and its own independent draws ({@link
 * #toward}), so every colour and size stays inside its range.
 */
final class FaceParameters {

  /** The number of draws a face takes. */
  static final int COUNT = 48;

  private final double[] draws;

  private FaceParameters(double[] draws) {
    this.draws = draws;
  }

  /**
   * Draws a face.
   *
   * @param random the identity's (or family's) generator
   * @return its parameters
   */
  static FaceParameters draw(SplittableRandom random) {
    double[] draws = new double[COUNT];
    for (int i = 0; i < COUNT; i++) {
      draws[i] = random.nextDouble();
    }
    return new FaceParameters(draws);
  }

  /**
   * A family member's face.
   *
   * @param own the member's own, independent draws
   * @param spread how far from this parent toward {@code own}, in (0, 1]
   * @return {@code this + spread × (own − this)}, draw by draw
   */
  FaceParameters toward(FaceParameters own, double spread) {
    double[] child = new double[COUNT];
    for (int i = 0; i < COUNT; i++) {
      child[i] = draws[i] + spread * (own.draws[i] - draws[i]);
    }
    return new FaceParameters(child);
  }

  /** Reads the draws in order. */
  Cursor cursor() {
    return new Cursor();
  }

  /** The draws read one after the other, as a generator would give them. */
  final class Cursor {
    private int next;

    /** The next draw as it is. */
    double nextDouble() {
      return draws[next++];
    }

    /** The next draw mapped to [lo, hi) in float arithmetic. */
    float uniform(float lo, float hi) {
      return lo + (hi - lo) * (float) nextDouble();
    }

    /** The next three draws as a colour with channels in [lo, hi). */
    float[] colour(float lo, float hi) {
      return new float[] {uniform(lo, hi), uniform(lo, hi), uniform(lo, hi)};
    }
  }
}
