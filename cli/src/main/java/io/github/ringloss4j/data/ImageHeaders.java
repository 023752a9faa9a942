package io.github.ringloss4j.data;

import io.github.ringloss4j.io.DataFormatException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The check of every image's header before training, so that an unreadable file stops a run before
 * it starts (naming every such file at once) instead of an hour into it, one file per attempt.
 *
 * <p>What is checked, without decoding any pixels (about 30 µs a file): the file is not empty; a
 * decoder recognises its content ({@link ImageIO#getImageReaders}); its header gives a size ({@link
 * ImageReader#getWidth}, {@link ImageReader#getHeight}) within {@link ImageFolder#MAX_PIXELS}; and
 * a PNG ends with its {@code IEND} chunk, the same rule {@link ImageFolder}'s decoding applies,
 * checked here because reading 12 bytes finds every truncated PNG. A JPEG damaged after its header
 * is still found only when it is decoded.
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
      if (format.equals("PNG") && !ImageFolder.endsWithPngEnd(file)) {
        return "the file does not end with the PNG IEND chunk (truncated?)";
      }
      return null;
    }
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
    Map<Path, String> bad = new LinkedHashMap<>();
    for (ImageFolder.Entry e : folder.entries()) {
      String problem = problem(e.path());
      if (problem != null) {
        bad.put(e.path(), problem);
      }
    }
    if (bad.isEmpty()) {
      return folder;
    }
    if (!skipBad) {
      throw new DataFormatException(
          folder.root(),
          bad.size()
              + " of "
              + folder.entries().size()
              + " images cannot be read (--skip-bad-images trains on the rest):"
              + listing(bad));
    }
    LOG.warn(
        "--skip-bad-images: leaving out {} unreadable of {} images:{}",
        bad.size(),
        folder.entries().size(),
        listing(bad));
    return folder.without(bad.keySet());
  }

  /** One line per bad file, up to {@value #LISTED}, then how many more. */
  private static String listing(Map<Path, String> bad) {
    List<String> lines = new ArrayList<>();
    for (Map.Entry<Path, String> e : bad.entrySet()) {
      if (lines.size() == LISTED) {
        lines.add("and " + (bad.size() - LISTED) + " more");
        break;
      }
      lines.add(e.getKey() + ": " + e.getValue());
    }
    return "\n  " + String.join("\n  ", lines);
  }

  private static String format(ImageReader reader) {
    try {
      return reader.getFormatName().toUpperCase(Locale.ROOT);
    } catch (IOException e) {
      return "image";
    }
  }
}
