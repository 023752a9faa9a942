package io.github.ringloss4j.app.recordio;

import io.github.ringloss4j.app.io.StagingDirectory;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * Synthetic face-like images for tests and benchmarks: {@code identities × perIdentity} RGB images
 * of {@value #SIDE}×{@value #SIDE} pixels, the size of InsightFace's aligned crops.
 *
 * <p>Each identity has a smooth prototype drawn from its own generator: a two-colour background
 * gradient, hair, a skin-toned face ellipse, eyes with irises, eyebrows, nose and mouth at jittered
 * positions and sizes, all with soft (about 1.5 pixel) edges, under two low-frequency shading
 * waves. Each image varies it: a shift of up to {@value #MAX_SHIFT} pixels in x and y (edges
 * repeat), a brightness gain in [0.8, 1.2] and offset in [-15, 15], a colour tint of up to ±6 per
 * channel, and independent uniform noise of up to ±10 per sample. Identity {@code i} is seeded from
 * {@code (seed, i)} and image {@code j} from {@code (seed, i, j)}, so every image is a pure
 * function of the seed and its position: the same on any run, in any order, on any thread. Encoding
 * uses ImageIO (JPEG at quality {@value #JPEG_QUALITY}, or lossless PNG), so the bytes are
 * reproducible on one JDK.
 *
 * <p>Writing streams: images are generated in chunks of {@value #CHUNK} in parallel (the common
 * fork-join pool) and written in order, so memory stays at one chunk whatever the count. Class
 * {@code i} is named {@code id<i>} zero-padded to the width of the largest index, which sorts in
 * label order; image files are {@code <j>.jpg} or {@code .png}, zero-padded likewise.
 */
public final class SyntheticFaces {

  /** The image side in pixels. */
  public static final int SIDE = 112;

  /** The largest shift of an image against its prototype, in pixels. */
  public static final int MAX_SHIFT = 3;

  /** The JPEG quality. */
  public static final float JPEG_QUALITY = 0.9f;

  /** Images generated (in parallel) before they are written (in order). */
  static final int CHUNK = 256;

  private final int identities;
  private final int perIdentity;
  private final long seed;

  /** The last prototype each thread used: consecutive images mostly share their identity. */
  private final ThreadLocal<Prototype> lastPrototype = new ThreadLocal<>();

  /**
   * Creates the generator.
   *
   * @param identities the number of identities, at least 1
   * @param perIdentity the images per identity, at least 1
   * @param seed the seed all images derive from
   * @throws IllegalArgumentException if a count is not positive or there are more than {@link
   *     Integer#MAX_VALUE} images
   */
  public SyntheticFaces(int identities, int perIdentity, long seed) {
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
   * One image.
   *
   * @param identity the identity, in [0, identities)
   * @param index the image of that identity, in [0, perIdentity)
   * @return a new {@value #SIDE}×{@value #SIDE} RGB image
   * @throws IndexOutOfBoundsException if an index is out of range
   */
  public BufferedImage image(int identity, int index) {
    Objects.checkIndex(identity, identities);
    Objects.checkIndex(index, perIdentity);
    Prototype prototype = lastPrototype.get();
    if (prototype == null || prototype.identity != identity) {
      prototype = new Prototype(identity, mix(seed, identity));
      lastPrototype.set(prototype);
    }
    SplittableRandom random = new SplittableRandom(mix(mix(seed, identity), index + 1L));
    int dx = random.nextInt(-MAX_SHIFT, MAX_SHIFT + 1);
    int dy = random.nextInt(-MAX_SHIFT, MAX_SHIFT + 1);
    float gain = 0.8f + 0.4f * (float) random.nextDouble();
    float[] offset = new float[3];
    float bias = -15 + 30 * (float) random.nextDouble();
    for (int c = 0; c < 3; c++) {
      offset[c] = bias - 6 + 12 * (float) random.nextDouble();
    }
    BufferedImage image = new BufferedImage(SIDE, SIDE, BufferedImage.TYPE_INT_RGB);
    int[] pixels = ((DataBufferInt) image.getRaster().getDataBuffer()).getData();
    long noise = 0;
    int noiseBytes = 0;
    for (int y = 0; y < SIDE; y++) {
      int sy = Math.min(SIDE - 1, Math.max(0, y - dy));
      for (int x = 0; x < SIDE; x++) {
        int source = sy * SIDE + Math.min(SIDE - 1, Math.max(0, x - dx));
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
          float v = prototype.rgb[c][source] * gain + offset[c] + (n - 127.5f) * (10f / 128f);
          rgb = rgb << 8 | Math.min(255, Math.max(0, Math.round(v)));
        }
        pixels[y * SIDE + x] = rgb;
      }
    }
    return image;
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
    BufferedImage image = image(identity, index);
    ImageWriter writer =
        ImageIO.getImageWritersByFormatName(format == ImageFormat.JPEG ? "jpeg" : "png").next();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(8192);
    // An explicit memory stream: ImageIO.createImageOutputStream would use a disk cache.
    try (ImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
      ImageWriteParam param = writer.getDefaultWriteParam();
      if (format == ImageFormat.JPEG) {
        param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
        param.setCompressionQuality(JPEG_QUALITY);
      }
      writer.setOutput(out);
      writer.write(null, new IIOImage(image, null, null), param);
    } catch (IOException e) {
      throw new UncheckedIOException("encoding a synthetic image in memory failed", e);
    } finally {
      writer.dispose();
    }
    return bytes.toByteArray();
  }

  /**
   * Writes a packed data set ({@link PackedDatasetWriter}) of all images.
   *
   * @param dir the data set directory
   * @param format the image encoding
   * @return what was written
   * @throws IllegalArgumentException if there are too many images for a packed set
   * @throws IOException if writing fails; no data set file is then replaced
   */
  public PackedDatasetWriter.Summary writePacked(Path dir, ImageFormat format) throws IOException {
    PackedDatasetWriter.checkCapacity((long) identities * perIdentity, identities);
    return PackedDatasetWriter.write(
        dir,
        classNames(),
        SIDE,
        SIDE,
        sink -> generate(format, (identity, index, bytes) -> sink.add(identity, bytes)));
  }

  /**
   * Writes an image folder of all images, built under a temporary name and renamed when complete.
   *
   * @param dir the folder to create; it must not exist or be empty
   * @param format the image encoding
   * @return the number of images
   * @throws java.nio.file.FileAlreadyExistsException if {@code dir} exists and is not empty
   * @throws IOException if writing fails; the folder is then not created
   */
  public int writeFolder(Path dir, ImageFormat format) throws IOException {
    List<String> names = classNames();
    int width = Integer.toString(perIdentity - 1).length();
    try (StagingDirectory stage = StagingDirectory.create(dir)) {
      generate(
          format,
          (identity, index, bytes) -> {
            Path classDir = stage.path().resolve(names.get(identity));
            if (index == 0) {
              Files.createDirectory(classDir);
            }
            String file = ClassNames.zeroPadded(index, width) + "." + format.extension();
            Files.write(classDir.resolve(file), bytes, StandardOpenOption.CREATE_NEW);
          });
      stage.commit();
    }
    return identities * perIdentity;
  }

  /** Receives encoded images in order. */
  private interface EncodedSink {
    void accept(int identity, int index, byte[] bytes) throws IOException;
  }

  private void generate(ImageFormat format, EncodedSink sink) throws IOException {
    int total = identities * perIdentity;
    for (int start = 0; start < total; start += CHUNK) {
      int first = start;
      byte[][] chunk =
          IntStream.range(first, Math.min(total, first + CHUNK))
              .parallel()
              .mapToObj(i -> encoded(i / perIdentity, i % perIdentity, format))
              .toArray(byte[][]::new);
      for (int k = 0; k < chunk.length; k++) {
        sink.accept((first + k) / perIdentity, (first + k) % perIdentity, chunk[k]);
      }
    }
  }

  /** A seed for stream {@code stream} of {@code seed}: the SplitMix64 finaliser of their mix. */
  private static long mix(long seed, long stream) {
    return new SplittableRandom(seed + stream * 0xBF58476D1CE4E5B9L).nextLong();
  }

  /** An identity's smooth face, as float RGB planes in [0, 255]. */
  private static final class Prototype {
    final int identity;
    final float[][] rgb = new float[3][SIDE * SIDE];

    Prototype(int identity, long seed) {
      this.identity = identity;
      SplittableRandom r = new SplittableRandom(seed);
      float[] top = colour(r, 40, 200);
      float[] bottom = colour(r, 40, 200);
      for (int y = 0; y < SIDE; y++) {
        float t = y / (SIDE - 1f);
        for (int c = 0; c < 3; c++) {
          float v = top[c] + (bottom[c] - top[c]) * t;
          Arrays.fill(rgb[c], y * SIDE, (y + 1) * SIDE, v);
        }
      }
      float tone = (float) r.nextDouble();
      float[] skin = new float[3];
      float[] light = {240, 200, 170};
      float[] dark = {110, 70, 50};
      for (int c = 0; c < 3; c++) {
        skin[c] = light[c] + (dark[c] - light[c]) * tone + uniform(r, -10, 10);
      }
      float[] hair = colour(r, 15, 120);
      float cx = 56 + uniform(r, -4, 4);
      float cy = 60 + uniform(r, -4, 4);
      float rx = uniform(r, 30, 38);
      float ry = uniform(r, 40, 48);
      ellipse(cx, cy - 6, rx + 5, ry + 4, hair);
      ellipse(cx, cy + 4, rx, ry - 4, skin);
      ellipse(cx, cy - ry + uniform(r, 2, 10), rx * 0.95f, ry * 0.35f, hair);
      float ex = rx * uniform(r, 0.34f, 0.46f);
      float ey = cy - ry * uniform(r, 0.12f, 0.24f);
      float[] white = {235, 235, 230};
      float[] iris = colour(r, 20, 110);
      float irisRadius = uniform(r, 2.5f, 3.5f);
      float brow = uniform(r, 6, 8);
      for (float side : new float[] {-1, 1}) {
        ellipse(cx + side * ex, ey, uniform(r, 5, 7), uniform(r, 3, 4), white);
        ellipse(cx + side * ex, ey, irisRadius, irisRadius, iris);
        ellipse(cx + side * ex, ey - brow, uniform(r, 6, 8), 1.8f, hair);
      }
      float[] nose = {skin[0] * 0.85f, skin[1] * 0.85f, skin[2] * 0.85f};
      ellipse(cx, cy + uniform(r, 4, 8), uniform(r, 3, 4.5f), uniform(r, 6, 10), nose);
      float[] lips = {uniform(r, 150, 200), uniform(r, 60, 100), uniform(r, 60, 100)};
      ellipse(cx, cy + ry * uniform(r, 0.42f, 0.55f), uniform(r, 8, 14), uniform(r, 2.5f, 4), lips);
      shade(r);
    }

    /** Blends a soft-edged ellipse of one colour into the planes. */
    private void ellipse(float cx, float cy, float rx, float ry, float[] colour) {
      float sharpness = Math.min(rx, ry) / 1.5f;
      int x0 = Math.max(0, (int) Math.floor(cx - rx - 1));
      int x1 = Math.min(SIDE - 1, (int) Math.ceil(cx + rx + 1));
      int y0 = Math.max(0, (int) Math.floor(cy - ry - 1));
      int y1 = Math.min(SIDE - 1, (int) Math.ceil(cy + ry + 1));
      for (int y = y0; y <= y1; y++) {
        float v = (y - cy) / ry;
        for (int x = x0; x <= x1; x++) {
          float u = (x - cx) / rx;
          float alpha = (1 - (float) Math.sqrt(u * u + v * v)) * sharpness;
          if (alpha <= 0) {
            continue;
          }
          alpha = Math.min(1, alpha);
          int i = y * SIDE + x;
          for (int c = 0; c < 3; c++) {
            rgb[c][i] += (colour[c] - rgb[c][i]) * alpha;
          }
        }
      }
    }

    /** Multiplies by two random low-frequency waves, like uneven lighting. */
    private void shade(SplittableRandom r) {
      float[][] waves = new float[2][];
      for (int w = 0; w < 2; w++) {
        double angle = r.nextDouble() * 2 * Math.PI;
        double frequency = uniform(r, 0.02f, 0.06f);
        waves[w] =
            new float[] {
              (float) (Math.cos(angle) * frequency),
              (float) (Math.sin(angle) * frequency),
              uniform(r, 0, (float) (2 * Math.PI)),
              uniform(r, 0.03f, 0.08f)
            };
      }
      for (int y = 0; y < SIDE; y++) {
        for (int x = 0; x < SIDE; x++) {
          float factor = 1;
          for (float[] w : waves) {
            factor += w[3] * (float) Math.cos(w[0] * x + w[1] * y + w[2]);
          }
          int i = y * SIDE + x;
          for (int c = 0; c < 3; c++) {
            rgb[c][i] *= factor;
          }
        }
      }
    }

    private static float[] colour(SplittableRandom r, float lo, float hi) {
      return new float[] {uniform(r, lo, hi), uniform(r, lo, hi), uniform(r, lo, hi)};
    }

    private static float uniform(SplittableRandom r, float lo, float hi) {
      return lo + (hi - lo) * (float) r.nextDouble();
    }
  }
}
