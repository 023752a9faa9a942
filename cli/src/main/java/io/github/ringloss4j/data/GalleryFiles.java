package io.github.ringloss4j.data;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.github.ringloss4j.io.AtomicFiles;
import io.github.ringloss4j.io.DataFormatException;
import io.github.ringloss4j.io.JsonFiles;
import io.github.ringloss4j.io.NpyWriter;
import io.github.ringloss4j.io.StagingDirectory;
import io.github.ringloss4j.metrics.Gallery;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * A gallery directory, as {@code ringloss enroll} writes it and {@code ringloss identify} reads it:
 *
 * <ul>
 *   <li>{@value #EMBEDDINGS}: the identities' unit embeddings, float32 [n, d], written by {@link
 *       NpyWriter} ({@code numpy.load} reads it; so does DJL's {@code NDList.decode}, which is how
 *       it is read back here and how a Java service can read it with the core library alone);
 *   <li>{@value #NAMES}: the identities' names, one per line in row order, UTF-8;
 *   <li>{@value #INFO}: {@link Info}, the model that embedded them and the open-set threshold with
 *       the rates it was calibrated at, written by {@link JsonFiles}.
 * </ul>
 *
 * <p>Why the files are written here, in the application, rather than by the library: the library
 * ({@code io.github.ringloss4j.metrics.Gallery}) depends on DJL's API alone and has no file format
 * and no JSON library; the application already has the {@code .npy} and JSON writers, and a second
 * {@code .npy} writer in the core would duplicate {@link NpyWriter}. Reading needs no code of ours:
 * {@code Gallery.of(manager, names, NDList.decode(manager, in).singletonOrThrow())}.
 *
 * <p>The directory is built under a temporary name and renamed when complete ({@link
 * StagingDirectory}), each file written through {@link AtomicFiles}, so a reader never sees half a
 * gallery. {@code NDList.decode} reads the whole array into one int-sized buffer, which limits a
 * file to 2³¹ − 1 bytes: about 1.05 million identities at d = 512 (see {@code docs/scale.md});
 * while a gallery is read, the decoded array and the gallery are both in engine memory (2·n·d·4
 * bytes at the peak).
 */
public final class GalleryFiles {

  /** The embeddings file. */
  public static final String EMBEDDINGS = "embeddings.npy";

  /** The names file. */
  public static final String NAMES = "names.txt";

  /** The information file. */
  public static final String INFO = "gallery.json";

  /** The layout of {@link Info} that this version writes and reads. */
  public static final int FORMAT = 1;

  private GalleryFiles() {}

  /**
   * The model a gallery was enrolled with.
   *
   * @param kind {@code exported} (a directory of {@code ringloss export}, loaded with DJL's
   *     Criteria) or {@code run} (a training run's checkpoint)
   * @param path the model's directory or checkpoint, absolute
   * @param backbone the network's name
   * @param embeddingSize d
   * @param preprocessing how images became its input, as text
   * @param weightsSha256 the SHA-256 of the weights file, to recognise the model again
   */
  public record Model(
      String kind,
      String path,
      String backbone,
      int embeddingSize,
      String preprocessing,
      String weightsSha256) {}

  /**
   * The contents of {@value #INFO}. The rates are NaN ({@code null} in the file) when the gallery
   * was not calibrated.
   *
   * @param format {@value #FORMAT}
   * @param identities n
   * @param dimension d
   * @param enrolledImages the images the templates were averaged from
   * @param model the model that embedded them
   * @param threshold the open-set threshold: a best score ≥ it is accepted
   * @param targetFpir the FPIR the threshold was calibrated for
   * @param fpir the FPIR achieved on the non-mated calibration images
   * @param nonMatedImages the calibration images of identities not enrolled
   * @param fnir the FNIR at the threshold on the mated calibration images
   * @param matedImages the calibration images of enrolled identities
   * @param calibration the calibration folder, absolute, or empty
   */
  public record Info(
      int format,
      int identities,
      int dimension,
      int enrolledImages,
      Model model,
      double threshold,
      double targetFpir,
      double fpir,
      int nonMatedImages,
      double fnir,
      int matedImages,
      String calibration) {

    /**
     * Whether an open-set threshold was calibrated.
     *
     * @return true when the threshold is a number
     */
    public boolean calibrated() {
      return !Double.isNaN(threshold);
    }
  }

  /**
   * A gallery read back with its information.
   *
   * @param gallery the gallery, owned by the caller (close it)
   * @param info its information
   */
  public record Loaded(Gallery gallery, Info info) {}

  /**
   * Writes a new gallery directory.
   *
   * @param dir the directory to create; it must not exist or be empty
   * @param gallery the gallery
   * @param info its information
   * @throws java.nio.file.FileAlreadyExistsException if {@code dir} exists and is not empty
   * @throws DataFormatException if a name holds a line break, which the names file cannot store
   * @throws IOException if writing fails; nothing is left behind then
   */
  public static void write(Path dir, Gallery gallery, Info info) throws IOException {
    StringBuilder names = new StringBuilder();
    for (String name : gallery.names()) {
      if (name.indexOf('\n') >= 0 || name.indexOf('\r') >= 0) {
        throw new DataFormatException(
            dir.resolve(NAMES), "the name '" + name + "' holds a line break; rename the identity");
      }
      names.append(name).append('\n');
    }
    try (StagingDirectory staging = StagingDirectory.create(dir)) {
      NpyWriter.writeFloat32(staging.path().resolve(EMBEDDINGS), gallery.embeddings());
      AtomicFiles.writeString(staging.path().resolve(NAMES), names.toString());
      JsonFiles.write(staging.path().resolve(INFO), info);
      staging.commit();
    }
  }

  /**
   * Reads a gallery directory.
   *
   * @param manager the manager whose sub-manager will own the gallery
   * @param dir the directory
   * @return the gallery and its information
   * @throws NoSuchFileException naming a missing file
   * @throws DataFormatException naming the file that is malformed or disagrees with the others
   * @throws IOException if a file cannot be read
   */
  public static Loaded read(NDManager manager, Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      throw new NoSuchFileException(
          dir.toString(), null, "not a gallery directory; create one with 'ringloss enroll'");
    }
    Info info = JsonFiles.read(dir.resolve(INFO), Info.class);
    if (info.format() != FORMAT) {
      throw new DataFormatException(
          dir.resolve(INFO),
          "format " + info.format() + " is not one this version reads (" + FORMAT + ")");
    }
    Path namesFile = dir.resolve(NAMES);
    List<String> names;
    try {
      names = Files.readAllLines(namesFile, StandardCharsets.UTF_8);
    } catch (CharacterCodingException e) {
      throw new DataFormatException(namesFile, "not UTF-8 text", e);
    }
    Path embeddingsFile = dir.resolve(EMBEDDINGS);
    if (!Files.isRegularFile(embeddingsFile)) {
      throw new NoSuchFileException(embeddingsFile.toString(), null, "the gallery's embeddings");
    }
    try (NDManager scope = manager.newSubManager();
        InputStream in = Files.newInputStream(embeddingsFile)) {
      NDArray rows;
      try {
        rows = NDList.decode(scope, in).singletonOrThrow();
      } catch (ArithmeticException e) {
        // DJL sizes the whole array as one int-indexed buffer (Math.toIntExact of its bytes)
        throw new DataFormatException(
            embeddingsFile,
            "holds more than 2^31 - 1 bytes of embeddings, beyond what DJL's .npy reader takes"
                + " (about 1.05 million identities at d = 512); split the gallery into shards"
                + " (docs/scale.md)",
            e);
      } catch (RuntimeException e) {
        throw new DataFormatException(embeddingsFile, "not a .npy array: " + e.getMessage(), e);
      }
      if (rows.getDataType() != DataType.FLOAT32 || rows.getShape().dimension() != 2) {
        throw new DataFormatException(
            embeddingsFile,
            "expected a 2-D float32 array, got "
                + rows.getDataType()
                + " of shape "
                + rows.getShape());
      }
      if (rows.getShape().get(0) != names.size()) {
        throw new DataFormatException(
            namesFile,
            names.size()
                + " names for "
                + rows.getShape().get(0)
                + " rows of "
                + embeddingsFile.getFileName());
      }
      if (rows.getShape().get(1) != info.dimension()) {
        throw new DataFormatException(
            embeddingsFile,
            "rows of dimension "
                + rows.getShape().get(1)
                + ", "
                + INFO
                + " says "
                + info.dimension());
      }
      try {
        return new Loaded(Gallery.of(manager, names, rows), info);
      } catch (IllegalArgumentException e) {
        throw new DataFormatException(dir, e.getMessage(), e);
      }
    }
  }
}
