package io.github.ringloss4j.app.data;

import io.github.ringloss4j.app.io.DataFormatException;
import io.github.ringloss4j.app.io.IoConsumer;
import io.github.ringloss4j.app.recordio.PackedImage;
import io.github.ringloss4j.app.recordio.RecordFile;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The check of every image's header before training, so that an unreadable file stops a run before
 * it starts (naming every such file at once) instead of an hour into it, one file per attempt.
 *
 * <p>What is checked, without decoding any pixels (about 30 µs a file): the file is not empty; a
 * decoder recognises its content ({@link ImageIO#getImageReaders}); its header gives a size ({@link
 * ImageReader#getWidth}, {@link ImageReader#getHeight}) within {@link ImageFolder#MAX_PIXELS}; and
 * its ending is complete: a PNG ends with its {@code IEND} chunk, a JPEG with its end-of-image
 * marker, the rule {@link ImageFolder}'s decoding applies ({@link ImageFolder#truncation}), checked
 * here because reading the last 64 bytes finds every truncated file. A JPEG damaged inside, with
 * its ending intact, is still found only when it is decoded; with {@code --skip-bad-images}
 * training then leaves it out too ({@link SkippingSource}).
 *
 * <p>Packed sets get the same check, record by record ({@link #checked(RecordFile, boolean)}), with
 * their framing, IRHeader and label. Bad images are named in one message, up to {@value #LISTED}
 * and then their count; with {@code --skip-bad-images} they are left out and logged instead.
 */
public final class ImageHeaders {

  private static final Logger LOG = LoggerFactory.getLogger(ImageHeaders.class);

  /** How many bad files a message lists by name before "and N more". */
  static final int LISTED = 20;

  private ImageHeaders() {}

  /**
   * What is wrong with an image file's header.
   *
   * @param file the image
   * @return the problem, or null when the header is readable
   * @throws IOException if the file cannot be read at all (an I/O failure, not a bad image)
   */
  public static String problem(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      return "not a regular file";
    }
    if (Files.size(file) == 0) {
      return "empty file (0 bytes)";
    }
    try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
      if (in == null) {
        throw new IOException(file + ": cannot open for image decoding");
      }
      return problem(in, () -> ImageFolder.tail(file));
    }
  }

  /**
   * What is wrong with an encoded image's header (the checks of {@link #problem(Path)}), for a
   * packed record's image.
   *
   * @param encoded the image bytes
   * @return the problem, or null when the header is readable
   */
  public static String problem(byte[] encoded) {
    if (encoded.length == 0) {
      return "empty image (0 bytes)";
    }
    try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(encoded))) {
      return problem(in, () -> ImageFolder.tail(encoded));
    } catch (IOException e) {
      // Nothing is read from a file here, so a failure can only come from the bytes.
      return "cannot be read as an image: " + e;
    }
  }

  private static String problem(ImageInputStream in, ImageFolder.Tail tail) throws IOException {
    Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
    if (!readers.hasNext()) {
      return "not an image: no decoder recognises its content (expected JPEG or PNG)";
    }
    ImageReader reader = readers.next();
    String format = format(reader);
    try {
      reader.setInput(in, true, true);
      int width = reader.getWidth(0);
      int height = reader.getHeight(0);
      if (width < 1 || height < 1 || (long) width * height > ImageFolder.MAX_PIXELS) {
        return String.format(
            Locale.ROOT,
            "%s header gives %d×%d pixels, expected a non-empty image of at most %d pixels",
            format,
            width,
            height,
            ImageFolder.MAX_PIXELS);
      }
    } catch (IOException | RuntimeException e) {
      // Decoders report a damaged header with IIOException, EOFException or unchecked ones.
      return "damaged " + format + " header: " + e.getMessage();
    } finally {
      reader.dispose();
    }
    return ImageFolder.truncation(format, tail.read());
  }

  /**
   * A folder whose every image has a readable header: the folder itself, or with {@code skipBad}
   * the folder without its bad images (a WARN lists them, up to {@value #LISTED}).
   *
   * @param folder the scanned folder
   * @param skipBad whether to leave bad images out instead of failing
   * @return the folder to read
   * @throws DataFormatException naming the root and every bad file (up to {@value #LISTED}, then
   *     their count), or a class left without images by {@code skipBad}
   * @throws IOException if a file cannot be read at all
   */
  public static ImageFolder checked(ImageFolder folder, boolean skipBad) throws IOException {
    Bad bad = new Bad();
    Set<Path> left = new HashSet<>();
    for (ImageFolder.Entry e : folder.entries()) {
      String problem = problem(e.path());
      if (problem != null) {
        bad.add(e.path() + ": " + problem);
        left.add(e.path());
      }
    }
    if (bad.count == 0) {
      return folder;
    }
    bad.report(folder.root(), folder.entries().size(), skipBad);
    return folder.without(left);
  }

  /**
   * The readable images of a packed set.
   *
   * @param items their items in the record file, increasing
   * @param labels their labels, indexed like {@code items}
   */
  public record PackedItems(int[] items, int[] labels) {}

  /**
   * Checks every image record of a packed set before it is used, as {@link #checked(ImageFolder,
   * boolean)} checks a folder: the record's framing and its length against the next record, its
   * IRHeader and label, and its image's header and ending (see {@link #problem(byte[])}); then the
   * class count against the labels ({@link RecordFile#checkClassCount}). One pass over the file in
   * index order, reading each record once (a record is a few kilobytes; only one is held at a
   * time).
   *
   * @param file the open set
   * @param skipBad whether to leave bad records out instead of failing
   * @return the readable images (all of them unless {@code skipBad})
   * @throws DataFormatException naming the {@code .rec} file and every bad record (up to {@value
   *     #LISTED}, then their count), the property file when the class count does not match the
   *     labels, or a class left without images by {@code skipBad}
   * @throws IOException if the file cannot be read
   */
  public static PackedItems checked(RecordFile file, boolean skipBad) throws IOException {
    return checked(file, skipBad, image -> {});
  }

  /**
   * {@link #checked(RecordFile, boolean)}, giving each readable image to a consumer during the one
   * pass (unpacking writes it), so that the records are read only once.
   *
   * @param file the open set
   * @param skipBad whether to leave bad records out instead of failing
   * @param each receives each readable image, in item order
   * @return the readable images
   * @throws DataFormatException as {@link #checked(RecordFile, boolean)}; the consumer has then
   *     seen the readable images before the first bad one, or all of them
   * @throws IOException if reading fails, or the consumer fails
   */
  public static PackedItems checked(RecordFile file, boolean skipBad, IoConsumer<PackedImage> each)
      throws IOException {
    Bad bad = new Bad();
    int[] items = new int[file.size()];
    int[] labels = new int[file.size()];
    boolean[] lost = new boolean[file.numClasses()];
    int n = 0;
    for (int item = 0; item < file.size(); item++) {
      PackedImage image;
      try {
        image = file.read(item);
      } catch (DataFormatException e) {
        bad.add(e.getMessage());
        continue;
      }
      String problem = problem(image.image());
      if (problem != null) {
        bad.add(file.error(image, problem).getMessage());
        lost[image.label()] = true;
        continue;
      }
      items[n] = item;
      labels[n] = image.label();
      n++;
      if (bad.count == 0 || skipBad) {
        each.accept(image);
      }
    }
    items = Arrays.copyOf(items, n);
    labels = Arrays.copyOf(labels, n);
    if (bad.count > 0) {
      bad.report(file.recFile(), file.size(), skipBad);
      for (int label : labels) {
        lost[label] = false;
      }
      for (int label = 0; label < lost.length; label++) {
        if (lost[label]) {
          throw new DataFormatException(
              file.recFile(),
              "class "
                  + label
                  + " ('"
                  + file.classNames().get(label)
                  + "') has no readable image"
                  + " left");
        }
      }
    }
    file.checkClassCount(labels);
    return new PackedItems(items, labels);
  }

  /** The bad images found: the first {@value #LISTED} described, and how many. */
  private static final class Bad {
    final List<String> lines = new ArrayList<>();
    int count;

    void add(String line) {
      if (count++ < LISTED) {
        lines.add(line);
      }
    }

    /** Fails naming them, or with {@code skip} logs them. */
    void report(Path where, int total, boolean skip) throws DataFormatException {
      String listing =
          "\n  "
              + String.join("\n  ", lines)
              + (count > LISTED ? "\n  and " + (count - LISTED) + " more" : "");
      if (!skip) {
        throw new DataFormatException(
            where,
            count
                + " of "
                + total
                + " images cannot be read (train and pack with --skip-bad-images leave them out):"
                + listing);
      }
      LOG.warn(
          "--skip-bad-images: leaving out {} unreadable of {} images of {}:{}",
          count,
          total,
          where,
          listing);
    }
  }

  private static String format(ImageReader reader) {
    try {
      return reader.getFormatName().toUpperCase(Locale.ROOT);
    } catch (IOException e) {
      return "image";
    }
  }
}
