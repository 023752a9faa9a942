package io.github.ringloss4j.app.data;

import io.github.ringloss4j.app.io.DataFormatException;
import io.github.ringloss4j.app.io.OutputPaths;
import io.github.ringloss4j.app.io.StagingDirectory;
import io.github.ringloss4j.app.recordio.ClassNames;
import io.github.ringloss4j.app.recordio.ImageFormat;
import io.github.ringloss4j.app.recordio.IrHeader;
import io.github.ringloss4j.app.recordio.PackedDatasetWriter;
import io.github.ringloss4j.app.recordio.RecordFile;
import io.github.ringloss4j.app.recordio.RecordIo;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;
import java.util.List;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * Converts between an image folder ({@link ImageFolder}: one sub-folder per identity) and a packed
 * data set, keeping every image's encoded bytes unchanged in both directions.
 *
 * <p>Packing: classes and their labels are the folder's ({@link ImageFolder#scan}: sorted folder
 * names), images are packed in the folder's order (by label, then file name) with {@link
 * PackedDatasetWriter}. Every file must start with a JPEG or PNG signature and have the same size,
 * which the {@code property} file records (InsightFace's sets hold aligned crops of one size). The
 * folder first gets the pre-check training gives it ({@link ImageHeaders}: readable header,
 * complete PNG or JPEG ending), so a packed set holds no image a run would refuse; with {@code
 * skipBad} those images are left out. Only the image headers are read, nothing is decoded or
 * re-encoded.
 *
 * <p>Unpacking: image {@code i} becomes {@code OUT/<class name>/<key>.<jpg|png>}, the key
 * zero-padded to the width of the largest one so that file-name order is key order; the extension
 * follows the bytes' signature. Packing a folder and unpacking it gives the same folder names and
 * the same file contents byte for byte in the same order, so the same labels; file names are not
 * stored (RecordIO has no place for them). Every record gets the training pre-check as it is
 * written ({@link ImageHeaders#checked(RecordFile, boolean)}), so a damaged record (a bad length, a
 * truncated image) is refused, all of them named, rather than written. The output folder is built
 * under a temporary name and renamed when complete ({@link StagingDirectory}). A class without
 * images has no folder, so an image folder read from the output then numbers the classes
 * differently; {@link Unpacked} counts such classes.
 */
public final class Packing {

  private Packing() {}

  /**
   * What {@link #unpack} wrote.
   *
   * @param images the number of image files
   * @param classes the number of class folders
   * @param emptyClasses the classes of the data set without any image, which got no folder
   */
  public record Unpacked(int images, int classes, int emptyClasses) {}

  /**
   * Packs an image folder.
   *
   * @param folder the image folder
   * @param dataset the data set directory to write (created if missing; its data set files are
   *     replaced), not inside {@code folder}
   * @param skipBad whether to leave out the images the training pre-check refuses ({@link
   *     ImageHeaders}) instead of failing
   * @return what was written
   * @throws IllegalArgumentException if {@code dataset} is inside {@code folder}, or the folder has
   *     more images than a packed set holds
   * @throws DataFormatException naming every image the training pre-check refuses (unless {@code
   *     skipBad}), or naming the file when an image is not JPEG or PNG, is too large, has a
   *     different size than the first, or a class name cannot be stored
   * @throws IOException if reading or writing fails; no data set file is then replaced
   */
  public static PackedDatasetWriter.Summary pack(Path folder, Path dataset, boolean skipBad)
      throws IOException {
    if (OutputPaths.realPath(dataset).startsWith(OutputPaths.realPath(folder))) {
      throw new IllegalArgumentException(
          "the packed data set " + dataset + " must not be inside the image folder " + folder);
    }
    ImageFolder scanned = ImageFolder.scan(folder);
    for (String name : scanned.classNames()) {
      String problem = ClassNames.problem(name);
      if (problem != null) {
        throw new DataFormatException(folder.resolve(name), problem);
      }
    }
    PackedDatasetWriter.checkCapacity(scanned.entries().size(), scanned.numClasses());
    // The training pre-check, so that a pack holds only images a run can use.
    ImageFolder images = ImageHeaders.checked(scanned, skipBad);
    List<ImageFolder.Entry> entries = images.entries();
    Path firstFile = entries.get(0).path();
    int[] size = imageSize(firstFile, readImage(firstFile));
    return PackedDatasetWriter.write(
        dataset,
        images.classNames(),
        size[0],
        size[1],
        sink -> {
          for (ImageFolder.Entry entry : entries) {
            byte[] bytes = readImage(entry.path());
            int[] s = imageSize(entry.path(), bytes);
            if (s[0] != size[0] || s[1] != size[1]) {
              throw new DataFormatException(
                  entry.path(),
                  "is "
                      + s[1]
                      + "×"
                      + s[0]
                      + " pixels, but "
                      + firstFile
                      + " is "
                      + size[1]
                      + "×"
                      + size[0]
                      + "; a packed data set's images all have the size its property file records");
            }
            sink.add(entry.label(), bytes);
          }
        });
  }

  private static byte[] readImage(Path file) throws IOException {
    long bytes = Files.size(file);
    if (bytes > RecordIo.MAX_PAYLOAD - IrHeader.SIZE) {
      throw new DataFormatException(
          file, "is " + bytes + " bytes, too large for a RecordIO record (2^29 bytes)");
    }
    return Files.readAllBytes(file);
  }

  /** Height and width from the image header, without decoding the pixels. */
  private static int[] imageSize(Path file, byte[] encoded) throws IOException {
    ImageFormat format = ImageFormat.of(encoded);
    if (format == null) {
      throw new DataFormatException(
          file, "does not start like a JPEG or PNG file; a packed data set stores JPEG or PNG");
    }
    try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(encoded))) {
      Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
      if (!readers.hasNext()) {
        throw new DataFormatException(file, "no decoder recognises this " + format + " file");
      }
      ImageReader reader = readers.next();
      try {
        reader.setInput(in, true, true);
        return new int[] {reader.getHeight(0), reader.getWidth(0)};
      } catch (IOException | RuntimeException e) {
        throw new DataFormatException(file, "has a corrupt " + format + " header: " + e);
      } finally {
        reader.dispose();
      }
    }
  }

  /**
   * Unpacks a data set into a new image folder.
   *
   * @param dataset the data set directory or {@code .rec} file
   * @param folder the folder to create; it must not exist or be empty
   * @return what was written
   * @throws java.nio.file.FileAlreadyExistsException if {@code folder} exists and is not empty
   * @throws DataFormatException naming every record that is malformed or whose image the training
   *     pre-check refuses ({@link ImageHeaders#checked(RecordFile, boolean)}), the property file
   *     when its class count does not match the labels, or the record whose image is neither JPEG
   *     nor PNG; the folder is then not created
   * @throws IOException if reading or writing fails
   */
  public static Unpacked unpack(Path dataset, Path folder) throws IOException {
    try (RecordFile file = RecordFile.open(dataset);
        StagingDirectory stage = StagingDirectory.create(folder)) {
      List<String> names = file.classNames();
      Path[] dirs = new Path[names.size()];
      int[] classes = new int[1];
      // Items are in key order, so the last key is the largest.
      int width = Long.toString(file.key(file.size() - 1)).length();
      // Every record is checked as for training, and all bad ones named, before the commit.
      ImageHeaders.checked(
          file,
          false,
          image -> {
            ImageFormat format = ImageFormat.of(image.image());
            if (format == null) {
              throw file.error(
                  image,
                  "the image does not start like a JPEG or PNG file, so it cannot be unpacked");
            }
            Path dir = dirs[image.label()];
            if (dir == null) {
              dir = classFolder(stage.path(), names.get(image.label()));
              dirs[image.label()] = Files.createDirectory(dir);
              classes[0]++;
            }
            String name = ClassNames.zeroPadded(image.key(), width) + "." + format.extension();
            Files.write(dir.resolve(name), image.image(), StandardOpenOption.CREATE_NEW);
          });
      stage.commit();
      return new Unpacked(file.size(), classes[0], names.size() - classes[0]);
    }
  }

  /** A class's folder, refused when its name cannot be a file name in this process's encoding. */
  private static Path classFolder(Path root, String name) throws IOException {
    try {
      return root.resolve(name);
    } catch (InvalidPathException e) {
      throw new IOException(
          "cannot create the folder of class '"
              + name
              + "': the name cannot be encoded as a file name in this process's encoding ("
              + System.getProperty("sun.jnu.encoding", "unknown")
              + "); run with a UTF-8 locale (the ringloss launcher does, e.g. LC_ALL=C.UTF-8)",
          e);
    }
  }
}
