package io.github.ringloss4j.app.recordio;

import java.util.Locale;

/**
 * What varies in {@link SyntheticFaces} beyond the plain generator, each field the value of one
 * option of {@code ringloss synth} (named in the messages of the checks).
 *
 * <p>{@link #NONE} is the plain generator of {@link SyntheticFaces#SyntheticFaces(int, int, long)}:
 * 112-pixel images, each identity independent, no per-image variation beyond shift, brightness,
 * tint and noise, no quality tail. {@link #FACE_LIKE} is the stand-in for a face set: every
 * variation on, look-alike families of 4, 30 % of the images degraded.
 *
 * @param side the image side in pixels, in [{@value #MIN_SIDE}, {@value #MAX_SIDE}] ({@code
 *     --side}); the geometry is drawn at that side directly
 * @param rotation the largest in-plane rotation, in degrees, in [0, 45] ({@code --rotation})
 * @param scale the largest change of scale, a fraction in [0, 0.3] ({@code --scale})
 * @param pose the largest horizontal squeeze, in [0, 0.6] ({@code --pose}): the features move
 *     sideways by up to this fraction of the face's half-width, one half compressed and the other
 *     stretched, as in a turned head
 * @param expression the strength of expressions, in [0, 1] ({@code --expression}): mouth opening,
 *     smile or frown curvature, eye openness
 * @param illumination the strongest directional light, in [0, 1] ({@code --illumination}): a linear
 *     shading ramp across the image in a random direction, this relative brightness difference
 *     between the centre and an edge at most
 * @param occlusion the probability of an occluder, in [0, 1] ({@code --occlusion}): a dark bar
 *     across part of the face or glasses (clear to dark), half each
 * @param familySize identities per look-alike family, in [1, 10000] ({@code --family-size}):
 *     identity {@code i} belongs to family {@code i / familySize}; 1 makes identities independent
 * @param familySpread how far a family member is from its family's parent, in (0, 1] ({@code
 *     --family-spread}): each parameter of a member's face is {@code parent + spread × (own −
 *     parent)}, so 1 is an independent face
 * @param lowQualityShare the share of degraded images, in [0, 1] ({@code --low-quality-share})
 */
public record FaceVariation(
    int side,
    double rotation,
    double scale,
    double pose,
    double expression,
    double illumination,
    double occlusion,
    int familySize,
    double familySpread,
    double lowQualityShare) {

  /** The smallest image side. */
  public static final int MIN_SIDE = 16;

  /** The largest image side. */
  public static final int MAX_SIDE = 224;

  /** The plain generator: no variation beyond the old one, no families, no quality tail. */
  public static final FaceVariation NONE =
      new FaceVariation(SyntheticFaces.SIDE, 0, 0, 0, 0, 0, 0, 1, 0.35, 0);

  /** The face-like stand-in, {@code ringloss synth}'s default. */
  public static final FaceVariation FACE_LIKE =
      new FaceVariation(SyntheticFaces.SIDE, 10, 0.08, 0.3, 0.6, 0.4, 0.1, 4, 0.35, 0.3);

  /**
   * Checks every field.
   *
   * @param side the side
   * @param rotation the rotation
   * @param scale the scale
   * @param pose the pose
   * @param expression the expression
   * @param illumination the illumination
   * @param occlusion the occlusion probability
   * @param familySize the family size
   * @param familySpread the family spread
   * @param lowQualityShare the low-quality share
   * @throws IllegalArgumentException naming the option of a value out of its range
   */
  public FaceVariation {
    if (side < MIN_SIDE || side > MAX_SIDE) {
      throw new IllegalArgumentException(
          "--side must be in [" + MIN_SIDE + ", " + MAX_SIDE + "] pixels, got " + side);
    }
    check("--rotation", rotation, 0, 45);
    check("--scale", scale, 0, 0.3);
    check("--pose", pose, 0, 0.6);
    check("--expression", expression, 0, 1);
    check("--illumination", illumination, 0, 1);
    check("--occlusion", occlusion, 0, 1);
    if (familySize < 1 || familySize > 10_000) {
      throw new IllegalArgumentException("--family-size must be in [1, 10000], got " + familySize);
    }
    if (!(familySpread > 0 && familySpread <= 1)) {
      throw new IllegalArgumentException(
          "--family-spread must be in (0, 1] (1: independent faces), got " + familySpread);
    }
    check("--low-quality-share", lowQualityShare, 0, 1);
  }

  private static void check(String option, double value, double lo, double hi) {
    if (!(value >= lo && value <= hi)) {
      throw new IllegalArgumentException(
          option + " must be in [" + lo + ", " + hi + "], got " + value);
    }
  }

  /**
   * A preset by name.
   *
   * @param name {@code face} ({@link #FACE_LIKE}) or {@code none} ({@link #NONE}), any case
   * @return the preset
   * @throws IllegalArgumentException naming {@code --variation} for another name
   */
  public static FaceVariation preset(String name) {
    return switch (name.toLowerCase(Locale.ROOT)) {
      case "face" -> FACE_LIKE;
      case "none" -> NONE;
      default ->
          throw new IllegalArgumentException("--variation must be face or none, got " + name);
    };
  }

  /**
   * Whether images of one identity differ in their drawing (pose, expression, occluder), so that an
   * identity's face cannot be drawn once and reused.
   *
   * @return true when any of those is on
   */
  boolean drawsEachImage() {
    return rotation > 0 || scale > 0 || pose > 0 || expression > 0 || occlusion > 0;
  }
}
