package io.github.ringloss4j.app.recordio;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * Synthetic face-like images for tests and benchmarks: {@code identities × perIdentity} RGB images,
 * by default of {@value #SIDE}×{@value #SIDE} pixels, the size of InsightFace's aligned crops.
 *
 * <p>Each identity has a smooth face drawn from its own generator ({@link FaceParameters}): a
 * two-colour background gradient, hair, a skin-toned face ellipse, eyes with irises, eyebrows, nose
 * and mouth at jittered positions and sizes, all with soft (about 1.5 pixel) edges, under two
 * low-frequency shading waves. Each image varies it: a shift of up to {@value #MAX_SHIFT} pixels
 * (scaled with the side) in x and y (edges repeat), a brightness gain in [0.8, 1.2] and offset in
 * [-15, 15], a colour tint of up to ±6 per channel, and independent uniform noise of up to ±10 per
 * sample. That is the plain generator ({@link #SyntheticFaces(int, int, long)}, {@link
 * FaceVariation#NONE}); a {@link FaceVariation} adds what makes face verification hard: the side, a
 * pose per image (rotation, scale, horizontal squeeze, expression, an occluder; {@link
 * FacePainter}), directional light, look-alike families (the faces of identities {@code [f·K,
 * (f+1)·K)} lie between their family parent's and their own) and a quality tail ({@link
 * Degradation}): in each identity, {@code share × perIdentity} images (rounded at random to a whole
 * number) chosen at random are degraded, at a level 1–3 drawn per image.
 *
 * <p>Identity {@code i} is seeded from {@code (seed, i)}, family {@code f} from {@code (seed, f)}
 * on its own stream, and image {@code j} from {@code (seed, i, j)} (with separate streams for its
 * pose and degradation), so every image is a pure function of the seed, the variation and its
 * position: the same on any run, in any order, on any thread. Encoding uses ImageIO (JPEG at
 * quality {@value #JPEG_QUALITY}, or lossless PNG; a degraded image is its low-quality JPEG, stored
 * as it is in JPEG sets), so the bytes are reproducible on one JDK.
 *
 * <p>Writing streams: images are generated in chunks of {@value #CHUNK} in parallel (the common
 * fork-join pool) and written in order, so memory stays at one chunk whatever the count. Class
 * {@code i} is named {@code id<i>} zero-padded to the width of the largest index, which sorts in
 * label order; image files are {@code <j>.jpg} or {@code .png}, zero-padded likewise. Beside the
 * images go {@value Degradation#FILE_NAME} (one row per image, written as the images are, {@link
 * Degradation#COLUMNS}) and {@value ContactSheet#FILE_NAME} ({@link ContactSheet}).
 */
public final class SyntheticFaces {

  /** The default image side in pixels. */
  public static final int SIDE = 112;

  /** The largest shift of an image against its prototype, in pixels at {@value #SIDE}. */
  public static final int MAX_SHIFT = 3;

  /** The JPEG quality. */
  public static final float JPEG_QUALITY = 0.9f;

  /** Images generated (in parallel) before they are written (in order). */
  static final int CHUNK = 256;

  /** Sub-streams of {@code (seed)} for families and of {@code (seed, i)} for its quality tail. */
  private static final long FAMILY_STREAM = -1;

  private static final long QUALITY_STREAM = -2;

  /** Sub-streams of an image's seed {@code (seed, i, j)}. */
  private static final long POSE_STREAM = 1;

  private static final long DEGRADATION_STREAM = 2;

  private final int identities;
  private final int perIdentity;
  private final long seed;
  private final FaceVariation variation;

  /** The last identity each thread used: consecutive images mostly share their identity. */
  private final ThreadLocal<Identity> lastIdentity = new ThreadLocal<>();

  /**
   * Creates the plain generator ({@link FaceVariation#NONE}).
   *
   * @param identities the number of identities, at least 1
   * @param perIdentity the images per identity, at least 1
   * @param seed the seed all images derive from
   * @throws IllegalArgumentException if a count is not positive or there are more than {@link
   *     Integer#MAX_VALUE} images
   */
  public SyntheticFaces(int identities, int perIdentity, long seed) {
    this(identities, perIdentity, seed, FaceVariation.NONE);
  }

  /**
   * Creates a generator.
   *
   * @param identities the number of identities, at least 1
   * @param perIdentity the images per identity, at least 1
   * @param seed the seed all images derive from
   * @param variation what varies
   * @throws IllegalArgumentException if a count is not positive or there are more than {@link
   *     Integer#MAX_VALUE} images
   */
  public SyntheticFaces(int identities, int perIdentity, long seed, FaceVariation variation) {
    if (identities < 1 || perIdentity < 1) {
      throw new IllegalArgumentException(
          "identities and images per identity must be positive, got "
              + identities
              + " and "
              + perIdentity);
    }
    if ((long) identities * perIdentity > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(
          identities + " × " + perIdentity + " images are more than " + Integer.MAX_VALUE);
    }
    this.identities = identities;
    this.perIdentity = perIdentity;
    this.seed = seed;
    this.variation = Objects.requireNonNull(variation, "variation");
  }

  /**
   * The class names.
   *
   * @return {@code id0 … id<n-1>} zero-padded, in label order
   */
  public List<String> classNames() {
    int width = Integer.toString(identities - 1).length();
    List<String> names = new ArrayList<>(identities);
    for (int i = 0; i < identities; i++) {
      names.add("id" + ClassNames.zeroPadded(i, width));
    }
    return names;
  }

  /**
   * The number of identities.
   *
   * @return the count
   */
  public int identities() {
    return identities;
  }

  /**
   * The images per identity.
   *
   * @return the count
   */
  public int perIdentity() {
    return perIdentity;
  }

  /**
   * What varies.
   *
   * @return the variation
   */
  public FaceVariation variation() {
    return variation;
  }

  /**
   * The look-alike family of an identity.
   *
   * @param identity the identity
   * @return {@code identity / familySize}
   */
  public int family(int identity) {
    return identity / variation.familySize();
  }

  /**
   * One image.
   *
   * @param identity the identity, in [0, identities)
   * @param index the image of that identity, in [0, perIdentity)
   * @return a new RGB image of the variation's side
   * @throws IndexOutOfBoundsException if an index is out of range
   */
  public BufferedImage image(int identity, int index) {
    return render(identity, index, -1).image();
  }

  /**
   * How an image is degraded.
   *
   * @param identity the identity, in [0, identities)
   * @param index the image of that identity, in [0, perIdentity)
   * @return its degradation, {@link Degradation#CLEAN} for most
   * @throws IndexOutOfBoundsException if an index is out of range
   */
  public Degradation degradation(int identity, int index) {
    Objects.checkIndex(identity, identities);
    Objects.checkIndex(index, perIdentity);
    return degradationOf(identity, index, -1);
  }

  /**
   * One image, encoded.
   *
   * @param identity the identity
   * @param index the image of that identity
   * @param format the encoding
   * @return the encoded bytes
   */
  public byte[] encoded(int identity, int index, ImageFormat format) {
    return render(identity, index, -1).encoded(format);
  }

  /**
   * An image at a given degradation level, whatever the set holds (for the contact sheet).
   *
   * @param identity the identity
   * @param index the image
   * @param level 0 (clean) to {@value Degradation#MAX_LEVEL}
   * @return the image
   */
  BufferedImage imageAtLevel(int identity, int index, int level) {
    return render(identity, index, level).image();
  }

  /** An image with what it took to make it. */
  private record Rendered(BufferedImage image, byte[] jpeg, Degradation degradation) {
    byte[] encoded(ImageFormat format) {
      if (jpeg != null && format == ImageFormat.JPEG) {
        return jpeg;
      }
      return ImageEncoding.encode(image, format, JPEG_QUALITY);
    }
  }

  private Rendered render(int identity, int index, int level) {
    Objects.checkIndex(identity, identities);
    Objects.checkIndex(index, perIdentity);
    Identity id = identity(identity);
    long imageSeed = mix(mix(seed, identity), index + 1L);
    SplittableRandom poseRandom = new SplittableRandom(mix(imageSeed, POSE_STREAM));
    FacePainter.Pose pose = FacePainter.Pose.draw(poseRandom, variation);
    double lightAngle = poseRandom.nextDouble() * 2 * Math.PI;
    float light = (float) (variation.illumination() * poseRandom.nextDouble());
    int side = variation.side();
    float[][] planes = id.prototype != null ? id.prototype : FacePainter.paint(id.face, pose, side);
    int maxShift = Math.round(MAX_SHIFT * side / (float) SIDE);
    SplittableRandom random = new SplittableRandom(imageSeed);
    int dx = random.nextInt(-maxShift, maxShift + 1);
    int dy = random.nextInt(-maxShift, maxShift + 1);
    float gain = 0.8f + 0.4f * (float) random.nextDouble();
    float[] offset = new float[3];
    float bias = -15 + 30 * (float) random.nextDouble();
    for (int c = 0; c < 3; c++) {
      offset[c] = bias - 6 + 12 * (float) random.nextDouble();
    }
    float lightX = (float) Math.cos(lightAngle) * light / (side / 2f);
    float lightY = (float) Math.sin(lightAngle) * light / (side / 2f);
    float middle = (side - 1) / 2f;
    BufferedImage image = new BufferedImage(side, side, BufferedImage.TYPE_INT_RGB);
    int[] pixels = ((DataBufferInt) image.getRaster().getDataBuffer()).getData();
    long noise = 0;
    int noiseBytes = 0;
    for (int y = 0; y < side; y++) {
      int sy = Math.min(side - 1, Math.max(0, y - dy));
      for (int x = 0; x < side; x++) {
        int source = sy * side + Math.min(side - 1, Math.max(0, x - dx));
        float lit = 1 + (x - middle) * lightX + (y - middle) * lightY;
        int rgb = 0;
        for (int c = 0; c < 3; c++) {
          if (noiseBytes == 0) {
            // One 64-bit draw gives eight noise samples.
            noise = random.nextLong();
            noiseBytes = 8;
          }
          int n = (int) (noise & 0xFF);
          noise >>>= 8;
          noiseBytes--;
          float p = planes[c][source];
          if (light > 0) {
            p *= lit;
          }
          float v = p * gain + offset[c] + (n - 127.5f) * (10f / 128f);
          rgb = rgb << 8 | Math.min(255, Math.max(0, Math.round(v)));
        }
        pixels[y * side + x] = rgb;
      }
    }
    Degradation degradation = degradationOf(identity, index, level);
    if (!degradation.low()) {
      return new Rendered(image, null, degradation);
    }
    byte[] jpeg = degradation.apply(image, degradationRandom(imageSeed));
    return new Rendered(ImageEncoding.decode(jpeg), jpeg, degradation);
  }

  /** The degradation generator of an image, after its level draw. */
  private static SplittableRandom degradationRandom(long imageSeed) {
    SplittableRandom r = new SplittableRandom(mix(imageSeed, DEGRADATION_STREAM));
    r.nextInt(Degradation.MAX_LEVEL);
    return r;
  }

  /** An image's degradation: the set's ({@code level} −1) or one of a given level. */
  private Degradation degradationOf(int identity, int index, int level) {
    long imageSeed = mix(mix(seed, identity), index + 1L);
    if (level < 0) {
      if (!identity(identity).degraded[index]) {
        return Degradation.CLEAN;
      }
      SplittableRandom r = new SplittableRandom(mix(imageSeed, DEGRADATION_STREAM));
      level = 1 + r.nextInt(Degradation.MAX_LEVEL);
    }
    if (level == 0) {
      return Degradation.CLEAN;
    }
    return Degradation.draw(degradationRandom(imageSeed), level, variation.side());
  }

  /** What the images of one identity share. */
  private static final class Identity {
    final int identity;
    final FaceParameters face;

    /** The face drawn once, when every image of the identity has the same drawing; else null. */
    final float[][] prototype;

    /** Which of its images are degraded. */
    final boolean[] degraded;

    Identity(int identity, FaceParameters face, float[][] prototype, boolean[] degraded) {
      this.identity = identity;
      this.face = face;
      this.prototype = prototype;
      this.degraded = degraded;
    }
  }

  private Identity identity(int identity) {
    Identity cached = lastIdentity.get();
    if (cached != null && cached.identity == identity) {
      return cached;
    }
    FaceParameters face = FaceParameters.draw(new SplittableRandom(mix(seed, identity)));
    if (variation.familySize() > 1) {
      long familySeed = mix(mix(seed, FAMILY_STREAM), family(identity));
      FaceParameters parent = FaceParameters.draw(new SplittableRandom(familySeed));
      face = parent.toward(face, variation.familySpread());
    }
    float[][] prototype =
        variation.drawsEachImage()
            ? null
            : FacePainter.paint(face, FacePainter.Pose.NEUTRAL, variation.side());
    Identity made = new Identity(identity, face, prototype, degraded(identity));
    lastIdentity.set(made);
    return made;
  }

  /** Which images of an identity are degraded. */
  private boolean[] degraded(int identity) {
    if (variation.lowQualityShare() == 0) {
      return new boolean[perIdentity];
    }
    SplittableRandom r = new SplittableRandom(mix(mix(seed, identity), QUALITY_STREAM));
    return Degradation.choose(r, variation.lowQualityShare(), perIdentity);
  }

  /**
   * Writes a packed data set ({@link PackedDatasetWriter}) of all images, with {@value
   * Degradation#FILE_NAME} (items named by record key) and {@value ContactSheet#FILE_NAME} beside
   * it ({@link SyntheticSet}).
   *
   * @param dir the data set directory
   * @param format the image encoding
   * @return what was written
   * @throws IllegalArgumentException if there are too many images for a packed set
   * @throws IOException if writing fails; no data set file is then replaced
   */
  public PackedDatasetWriter.Summary writePacked(Path dir, ImageFormat format) throws IOException {
    return SyntheticSet.writePacked(this, dir, format);
  }

  /**
   * Writes an image folder of all images, with {@value Degradation#FILE_NAME} (items named by their
   * path in the folder) and {@value ContactSheet#FILE_NAME} in its root, built under a temporary
   * name and renamed when complete ({@link SyntheticSet}).
   *
   * @param dir the folder to create; it must not exist or be empty
   * @param format the image encoding
   * @return the number of images
   * @throws java.nio.file.FileAlreadyExistsException if {@code dir} exists and is not empty
   * @throws IOException if writing fails; the folder is then not created
   */
  public int writeFolder(Path dir, ImageFormat format) throws IOException {
    return SyntheticSet.writeFolder(this, dir, format);
  }

  /** An encoded image and its degradation. */
  record Encoded(byte[] bytes, Degradation degradation) {}

  /**
   * One image, encoded, with its degradation.
   *
   * @param identity the identity
   * @param index the image of that identity
   * @param format the encoding
   * @return both
   */
  Encoded encodedWithDegradation(int identity, int index, ImageFormat format) {
    Rendered r = render(identity, index, -1);
    return new Encoded(r.encoded(format), r.degradation());
  }

  /** A seed for stream {@code stream} of {@code seed}: the SplitMix64 finaliser of their mix. */
  private static long mix(long seed, long stream) {
    return new SplittableRandom(seed + stream * 0xBF58476D1CE4E5B9L).nextLong();
  }
}
