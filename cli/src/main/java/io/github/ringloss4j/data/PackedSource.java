package io.github.ringloss4j.data;

import io.github.ringloss4j.io.DataFormatException;
import io.github.ringloss4j.recordio.PackedImage;
import io.github.ringloss4j.recordio.RecordFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Random;

/**
 * The images of a packed data set as training input: the packed counterpart of an image folder's
 * source, decoding each record the way {@link ImageFolder} decodes a file.
 *
 * <p>Decoding: {@link #load} gives exactly what {@link ImageFolder#loadImage} gives for the same
 * bytes in a file (same decoder checks, colour conversion, cover-resize and centre crop, CHW floats
 * in [0, 1]). {@link #loadAugmented} follows {@link ImageFolder#loadAugmented} for the same
 * generator state (used in the same order: {@code nextBoolean} for the flip, {@code nextInt} for x,
 * then y), but as that method needs an image folder, the image is rendered at {@value
 * ImageFolder#AUGMENT_SCALE}× the target through {@link ImageFolder#loadImage} and the window cut
 * out and mirrored afterwards; Java2D rounds a few bilinear samples differently at the other canvas
 * origin, so rare values differ by one 8-bit level (1/255; measured: 1 of 2,240 values in 1 of 14
 * test images, none for square targets). Because those methods read files, each decode writes the
 * record's bytes to a temporary file (deleted right after; {@code java.io.tmpdir}). This costs a
 * small file write per image next to a decode, and goes away once the image folder code can decode
 * bytes. A record whose image does not decode is a {@link DataFormatException} naming the {@code
 * .rec} file, the key and the offset.
 *
 * <p>Labels are read once when the source is created ({@link RecordFile#labels()}). Nothing is
 * cached: a packed set is usually far larger than memory. Reads are thread-safe.
 */
public final class PackedSource implements LabelledSource {

  private final RecordFile file;
  private final ImageSpec spec;
  private final int[] labels;

  private PackedSource(RecordFile file, ImageSpec spec, int[] labels) {
    this.file = file;
    this.spec = spec;
    this.labels = labels;
  }

  /**
   * Creates the source, reading every image's label.
   *
   * @param file the open data set; it stays owned by the caller, who closes it
   * @param spec the model's input shape
   * @return the source
   * @throws DataFormatException naming the first record with a bad header or label
   * @throws IOException if reading fails
   */
  public static PackedSource of(RecordFile file, ImageSpec spec) throws IOException {
    Objects.requireNonNull(spec, "spec");
    return new PackedSource(file, spec, file.labels());
  }

  @Override
  public int size() {
    return labels.length;
  }

  @Override
  public int label(int index) {
    return labels[index];
  }

  @Override
  public List<String> classNames() {
    return file.classNames();
  }

  @Override
  public int[] itemShape() {
    return new int[] {spec.channels(), spec.height(), spec.width()};
  }

  @Override
  public String sourceOf(int index) {
    return file.sourceOf(index);
  }

  @Override
  public void read(int index, float[] destination, int offset, Random augmentation)
      throws IOException {
    float[] pixels = augmentation == null ? load(index) : loadAugmented(index, augmentation);
    System.arraycopy(pixels, 0, destination, offset, pixels.length);
  }

  /**
   * Decodes an image like {@link ImageFolder#loadImage}.
   *
   * @param index the image
   * @return {@code spec.size()} floats in [0, 1], CHW
   * @throws DataFormatException naming the record when it is malformed or does not decode
   * @throws IOException if reading fails
   */
  public float[] load(int index) throws IOException {
    return decode(file.read(index), spec);
  }

  /**
   * Decodes an image like {@link ImageFolder#loadAugmented}: random crop of the enlarged image and
   * random horizontal flip.
   *
   * @param index the image
   * @param rng the source of randomness
   * @return {@code spec.size()} floats in [0, 1], CHW
   * @throws DataFormatException naming the record when it is malformed or does not decode
   * @throws IOException if reading fails
   */
  public float[] loadAugmented(int index, Random rng) throws IOException {
    Objects.requireNonNull(rng, "rng");
    int h = spec.height();
    int w = spec.width();
    int coverHeight = Math.max(h, (int) Math.round(h * ImageFolder.AUGMENT_SCALE));
    int coverWidth = Math.max(w, (int) Math.round(w * ImageFolder.AUGMENT_SCALE));
    float[] cover =
        decode(file.read(index), new ImageSpec(coverHeight, coverWidth, spec.channels()));
    boolean flip = rng.nextBoolean();
    int dx = rng.nextInt(coverWidth - w + 1);
    int dy = rng.nextInt(coverHeight - h + 1);
    float[] out = new float[spec.size()];
    for (int c = 0; c < spec.channels(); c++) {
      for (int y = 0; y < h; y++) {
        int from = (c * coverHeight + dy + y) * coverWidth + dx;
        int to = (c * h + y) * w;
        for (int x = 0; x < w; x++) {
          out[to + x] = cover[from + (flip ? w - 1 - x : x)];
        }
      }
    }
    return out;
  }

  private float[] decode(PackedImage image, ImageSpec target) throws IOException {
    Path temp = Files.createTempFile("ringloss-record-", ".img");
    try {
      Files.write(temp, image.image());
      return ImageFolder.loadImage(temp, target);
    } catch (DataFormatException e) {
      // The message names the temporary file; the record is what the user can find.
      String message = e.getMessage();
      String prefix = temp + ": ";
      throw file.error(
          image,
          "the image does not decode: "
              + (message.startsWith(prefix) ? message.substring(prefix.length()) : message));
    } finally {
      Files.deleteIfExists(temp);
    }
  }
}
