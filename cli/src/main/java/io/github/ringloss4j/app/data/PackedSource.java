package io.github.ringloss4j.app.data;

import io.github.ringloss4j.app.io.DataFormatException;
import io.github.ringloss4j.app.recordio.PackedImage;
import io.github.ringloss4j.app.recordio.RecordFile;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.util.List;
import java.util.Objects;
import java.util.Random;

/**
 * The images of a packed data set as training input: the packed counterpart of an image folder's
 * source, decoding each record the way {@link ImageFolder} decodes a file.
 *
 * <p>Decoding: a record's image bytes are decoded in memory with the image folder's decoder and
 * checks, and turned into the model's input by the same code ({@code ImageFolder.pixels}), so
 * {@link #load} gives exactly what {@link ImageFolder#loadImage} gives for the same bytes in a
 * file, and {@link #loadAugmented} exactly what {@link ImageFolder#loadAugmented} gives for the
 * same generator state. A record whose image does not decode is a {@link DataFormatException}
 * naming the {@code .rec} file, the key and the offset.
 *
 * <p>Labels are read once when the source is created ({@link RecordFile#labels()}). Nothing else is
 * kept: a packed set is usually far larger than memory, and each read allocates only its record and
 * its image. Reads are thread-safe (positional reads on the record file's channel), so the batch
 * reader's workers decode records in parallel.
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
   * Creates the source after checking every image record ({@link ImageHeaders#checked(RecordFile,
   * boolean)}: framing, header, label, image header and ending, class count), the packed
   * counterpart of an image folder's pre-check; with {@code skipBad}, the bad records are left out
   * (and an image that still fails to decode when read is left out of its batch, {@link
   * SkippingSource}).
   *
   * @param file the open data set; it stays owned by the caller, who closes it
   * @param spec the model's input shape
   * @param skipBad whether to leave bad records out instead of failing ({@code --skip-bad-images})
   * @return the source: all images, or the readable ones
   * @throws DataFormatException naming every bad record, or the property file when its class count
   *     does not match the labels
   * @throws IOException if reading fails
   */
  public static LabelledSource checked(RecordFile file, ImageSpec spec, boolean skipBad)
      throws IOException {
    Objects.requireNonNull(spec, "spec");
    ImageHeaders.PackedItems good = ImageHeaders.checked(file, skipBad);
    if (good.items().length == file.size()) {
      return SkippingSource.of(new PackedSource(file, spec, good.labels()), skipBad);
    }
    // Labels of the records left out are never asked for: the subset does not reach them.
    int[] labels = new int[file.size()];
    for (int i = 0; i < good.items().length; i++) {
      labels[good.items()[i]] = good.labels()[i];
    }
    return SkippingSource.of(new Subset(new PackedSource(file, spec, labels), good.items()), true);
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
  public int[] labels() {
    return labels.clone();
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
    float[] pixels = ImageFolder.pixels(decode(index), spec, augmentation);
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
    return ImageFolder.pixels(decode(index), spec, null);
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
    return ImageFolder.pixels(decode(index), spec, rng);
  }

  private BufferedImage decode(int index) throws IOException {
    PackedImage image = file.read(index);
    // The decoder's message is kept in the record's; the record is what the user can find.
    return ImageFolder.decode(
        image.image(),
        (problem, cause) -> file.error(image, "the image does not decode: " + problem));
  }
}
