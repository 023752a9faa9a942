package io.github.ringloss4j.app.data;

import io.github.ringloss4j.app.io.DataFormatException;
import io.github.ringloss4j.internal.ImagePixels;
import io.github.ringloss4j.serving.Preprocessing;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.TreeSet;

/**
 * The images of a {@link VerificationBin} as a run's model input: each image decoded from its bytes
 * (in memory, with {@link ImageFolder}'s decoder and checks), converted, resized and centre-cropped
 * to the run's input shape and scaled to {@code x / 255} exactly as the run's own image data are
 * ({@code ImageFolder.pixels}, that is {@link ImagePixels}), and its horizontal mirror image.
 *
 * <p>Why the model's own preprocessing and not InsightFace's: InsightFace's {@code verification.py}
 * feeds {@code ((x / 255) − 0.5) / 0.5} because its networks were trained on that; a ringloss run
 * was trained on its own input normalisation ({@code x / 255} unless it set {@code --input-mean}
 * and {@code --input-std}, as a fine-tune of an InsightFace network does) and on its own input size
 * and channels, and a network fed another normalisation than its training one measures the
 * mismatch, not the network. The protocol (pairs, flips, folds, thresholds) stays InsightFace's.
 *
 * <p>The mirror image is the left-right flip of the resized view, as InsightFace flips the input
 * tensor after its own resizing. One image is decoded at a time; nothing decoded is kept, so memory
 * does not grow with the set beyond the encoded bytes the {@link VerificationBin} holds.
 *
 * <p>Not thread-safe: it records the source shapes it has seen, for {@link #preprocessing}.
 */
public final class VerificationImages {

  /** More distinct source shapes than this are summarised, not listed. */
  private static final int SHAPES_LISTED = 4;

  private final VerificationBin bin;
  private final ImageSpec spec;
  private final InputNormalization input;
  private final Preprocessing normalization;
  private final TreeSet<String> sourceShapes = new TreeSet<>();

  /**
   * The images of a set, for a run's input shape, as {@code x / 255}.
   *
   * @param bin the verification set
   * @param spec the run's input shape ({@link Datasets#inputSpec})
   */
  public VerificationImages(VerificationBin bin, ImageSpec spec) {
    this(bin, spec, InputNormalization.identity(spec.channels()));
  }

  /**
   * The images of a set, for a run's input shape and input normalisation.
   *
   * @param bin the verification set
   * @param spec the run's input shape ({@link Datasets#inputSpec})
   * @param input the run's input normalisation, of {@code spec}'s channels
   * @throws IllegalArgumentException if the channels differ
   */
  public VerificationImages(VerificationBin bin, ImageSpec spec, InputNormalization input) {
    this.bin = Objects.requireNonNull(bin, "bin");
    this.spec = Objects.requireNonNull(spec, "spec");
    this.input = Objects.requireNonNull(input, "input");
    this.normalization = input.isIdentity() ? null : input.preprocessing(spec);
  }

  /**
   * The number of images, 2N.
   *
   * @return {@link VerificationBin#imageCount()}
   */
  public int count() {
    return bin.imageCount();
  }

  /**
   * Decodes image {@code index} and writes its view and its mirror image, {@code spec.size()}
   * floats each in CHW order, normalised with the run's input normalisation.
   *
   * @param index the image index, in [0, 2N)
   * @param plain where the view goes
   * @param flipped where its mirror image goes
   * @param offset where in both arrays the image starts
   * @throws DataFormatException naming the {@code .bin} file and the image index when the bytes are
   *     not a decodable JPEG or PNG
   * @throws IOException if decoding fails otherwise
   */
  public void read(int index, float[] plain, float[] flipped, int offset) throws IOException {
    BufferedImage decoded = decoded(index);
    // The view the run's own images get, then the same view read right to left.
    float[] view = ImageFolder.pixels(decoded, spec, null);
    if (normalization != null) {
      normalization.normalize(view);
    }
    System.arraycopy(view, 0, plain, offset, view.length);
    int w = spec.width();
    for (int row = 0; row < view.length; row += w) {
      for (int x = 0; x < w; x++) {
        flipped[offset + row + x] = view[row + w - 1 - x];
      }
    }
  }

  /**
   * Decodes image {@code index} with {@link ImageFolder}'s decoder and checks (its size bounded
   * before its pixels are allocated), as it is, not resized.
   *
   * @param index the image index, in [0, 2N)
   * @return the decoded image
   * @throws DataFormatException naming the {@code .bin} file and the image index when the bytes are
   *     not a decodable JPEG or PNG
   * @throws IOException if decoding fails otherwise
   */
  public BufferedImage decoded(int index) throws IOException {
    BufferedImage decoded =
        ImageFolder.decode(
            bin.image(index),
            (problem, cause) -> DataFormatException.atItem(bin.file(), index, problem, cause));
    if (sourceShapes.size() <= SHAPES_LISTED) {
      sourceShapes.add(shape(decoded));
    }
    return decoded;
  }

  /**
   * The sizes and colours of the images decoded so far, for the output.
   *
   * @return e.g. {@code 112×112 RGB}, or {@code images of more than 4 sizes}
   */
  public String sourceShapes() {
    List<String> shapes = new ArrayList<>(sourceShapes);
    return shapes.size() > SHAPES_LISTED
        ? "images of more than " + SHAPES_LISTED + " sizes"
        : String.join(", ", shapes);
  }

  /**
   * What was done to the images read so far, for the output: their size and colour against the
   * run's input, and the normalisation with the reason for it.
   *
   * @return e.g. {@code 112×112 RGB images resized to 28×28 grey as the run's own inputs are (…);
   *     pixels x/255, the model's own normalisation, not InsightFace's (…)}
   */
  public String preprocessing() {
    String target = spec.width() + "×" + spec.height() + " " + colour(spec.channels());
    String source = sourceShapes();
    String geometry =
        source.equals(target)
            ? source + " images, the run's input size and colour"
            : source
                + " images resized to "
                + target
                + " as the run's own inputs are (cover and centre crop"
                + (spec.channels() == 1 ? "; grey is the BT.601 luma)" : ")");
    String pixels =
        input.isIdentity()
            ? "pixels x/255, the model's own normalisation, not InsightFace's ((x/255) − 0.5)/0.5,"
                + " since the model was trained on x/255"
            : "pixels " + input + ", the model's own normalisation";
    return geometry + "; " + pixels + "; each image's embedding is fused with its mirror image's";
  }

  private static String shape(BufferedImage decoded) {
    int components = decoded.getColorModel().getNumColorComponents();
    return String.format(
        Locale.ROOT,
        "%d×%d %s",
        decoded.getWidth(),
        decoded.getHeight(),
        colour(components == 1 ? 1 : 3));
  }

  private static String colour(int channels) {
    return channels == 1 ? "grey" : "RGB";
  }
}
