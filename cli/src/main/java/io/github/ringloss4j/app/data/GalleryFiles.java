package io.github.ringloss4j.app.data;

import ai.djl.ndarray.NDManager;
import io.github.ringloss4j.app.io.AtomicFiles;
import io.github.ringloss4j.app.io.DataFormatException;
import io.github.ringloss4j.app.io.JsonFiles;
import io.github.ringloss4j.app.io.NpyReader;
import io.github.ringloss4j.app.io.NpyWriter;
import io.github.ringloss4j.app.io.StagingDirectory;
import io.github.ringloss4j.app.io.TextLines;
import io.github.ringloss4j.metrics.Gallery;
import io.github.ringloss4j.metrics.GallerySearch;
import io.github.ringloss4j.metrics.LuceneGallery;
import io.github.ringloss4j.metrics.LuceneGalleryWriter;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.lucene.store.LockObtainFailedException;

/**
 * A gallery directory, as {@code ringloss enroll} writes it and {@code ringloss identify} reads it:
 *
 * <ul>
 *   <li>{@value #EMBEDDINGS}: the identities' unit embeddings, float32 [n, d], written by {@link
 *       NpyWriter} ({@code numpy.load} reads it, and so does DJL's {@code NDList.decode}, which is
 *       how a Java service can read it with the core library alone);
 *   <li>{@value #NAMES}: the identities' names, one per line in row order, UTF-8;
 *   <li>{@value #INFO}: {@link Info}, the model that embedded them and the open-set threshold with
 *       the rates it was calibrated at, written by {@link JsonFiles}.
 * </ul>
 *
 * <p>Why the files are written here, in the application, rather than by the library: the library
 * ({@code io.github.ringloss4j.metrics.Gallery}) depends on DJL's API alone and has no file format
 * and no JSON library; the application already has the {@code .npy} and JSON writers, and a second
 * {@code .npy} writer in the core would duplicate {@link NpyWriter}. A service that trusts the
 * directory needs no code of ours: {@code Gallery.of(manager, names, NDList.decode(manager,
 * in).singletonOrThrow())}.
 *
 * <p>Reading, here, treats the directory as untrusted input: {@value #INFO} is read with exact
 * types and no repeated key, and its values are checked (a threshold is a cosine in [-1, 1], rates
 * in [0, 1], none without a threshold); {@value #EMBEDDINGS} is read by {@link NpyReader} (which
 * honours the byte order and checks the declared shape against the file's size before allocating,
 * unlike DJL's decoder); its header's shape must agree with {@code identities} and {@code
 * dimension} before the rows are read, and {@value #NAMES} must hold exactly one distinct,
 * non-empty name per row, read as a stream of bounded lines ({@link TextLines}, which drops a
 * byte-order mark). Every failure names the file (and the key or line).
 *
 * <p><b>A Lucene gallery</b> ({@code enroll --index lucene}; {@code "index": "lucene"} in {@value
 * #INFO}) holds, instead of the embeddings and the names, a Lucene index directory {@value
 * #LUCENE_INDEX} ({@link LuceneGallery}: one document per identity, searched through its HNSW graph
 * and re-scored exactly). It grows and shrinks in place: each change is one Lucene commit, atomic,
 * which carries its own copy of the {@value #INFO} text in its metadata; that copy is the one read
 * (it changes together with the identities), and {@value #INFO} is rewritten from it after each
 * commit for people and for telling the kinds apart. A kill between the two leaves an older {@value
 * #INFO} beside a complete index, never a gallery that cannot be read. {@code "index"} is {@value
 * #EXACT} for the files above; files written before the key existed lack it and are read as exact.
 *
 * <p>The directory is built under a temporary name and renamed when complete ({@link
 * StagingDirectory}), each file written through {@link AtomicFiles}, so a reader never sees half a
 * gallery. While a gallery is read, the rows and the gallery are both in memory (2·n·d·4 bytes at
 * the peak); {@code NDList.decode} reads the whole array into one int-sized buffer, which limits a
 * service reading the file with DJL to 2³¹ − 1 bytes: about 1.05 million identities at d = 512 (see
 * {@code docs/scale.md}).
 */
public final class GalleryFiles {

  /** The embeddings file. */
  public static final String EMBEDDINGS = "embeddings.npy";

  /** The names file. */
  public static final String NAMES = "names.txt";

  /** The information file. */
  public static final String INFO = "gallery.json";

  /** The Lucene index directory of a Lucene gallery. */
  public static final String LUCENE_INDEX = "index";

  /** {@link Info#index} of a gallery of {@value #EMBEDDINGS} and {@value #NAMES}. */
  public static final String EXACT = "exact";

  /** {@link Info#index} of a gallery in a Lucene index. */
  public static final String LUCENE = "lucene";

  /** The key of a Lucene gallery's commit metadata that holds its {@value #INFO} text. */
  static final String COMMIT_INFO = INFO;

  /** The layout of {@link Info} that this version writes and reads. */
  public static final int FORMAT = 1;

  /** The longest line of {@value #NAMES}, in bytes. */
  static final int MAX_NAME_BYTES = 4096;

  /**
   * How far a calibrated threshold may lie outside [-1, 1]: a score is a float32 dot product of
   * unit rows, which rounding can take slightly past ±1, and the threshold is just above a score.
   */
  static final double COSINE_ROUNDING = 1e-5;

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
   * @param index how the identities are stored and searched: {@value #EXACT} or {@value #LUCENE}
   *     ({@value #EXACT} in files written before the key existed)
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
      String calibration,
      @JsonFiles.KindWhenAbsent(EXACT) String index) {

    /**
     * The information of a gallery that no calibration set has thresholded: no threshold (NaN) and
     * no rates.
     *
     * @param identities n
     * @param dimension d
     * @param enrolledImages the images the templates were averaged from
     * @param model the model that embedded them
     * @param index {@value #EXACT} or {@value #LUCENE}
     * @return the information
     */
    public static Info uncalibrated(
        int identities, int dimension, int enrolledImages, Model model, String index) {
      return new Info(
          FORMAT,
          identities,
          dimension,
          enrolledImages,
          model,
          Double.NaN,
          Double.NaN,
          Double.NaN,
          0,
          Double.NaN,
          0,
          "",
          index);
    }

    /**
     * This information for another set of identities, of the given kind, with the same model and
     * calibration.
     *
     * @param count n
     * @param images the images the templates were averaged from
     * @param kind {@value #EXACT} or {@value #LUCENE}
     * @return the new information
     */
    public Info withIdentities(int count, int images, String kind) {
      return new Info(
          format,
          count,
          dimension,
          images,
          model,
          threshold,
          targetFpir,
          fpir,
          nonMatedImages,
          fnir,
          matedImages,
          calibration,
          kind);
    }

    /**
     * Whether the identities are in a Lucene index.
     *
     * @return true for {@value #LUCENE}
     */
    public boolean lucene() {
      return LUCENE.equals(index);
    }

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
   * A gallery of either kind, opened with its information.
   *
   * @param gallery the gallery, owned by the caller (close it)
   * @param info its information
   */
  public record Opened(GallerySearch gallery, Info info) {}

  /**
   * Writes a new gallery directory.
   *
   * @param dir the directory to create; it must not exist or be empty
   * @param gallery the gallery
   * @param info its information
   * @throws java.nio.file.FileAlreadyExistsException if {@code dir} exists and is not empty
   * @throws DataFormatException if a name holds a line break or starts with a byte-order mark,
   *     which the names file cannot store
   * @throws IOException if writing fails; nothing is left behind then
   */
  public static void write(Path dir, Gallery gallery, Info info) throws IOException {
    StringBuilder names = new StringBuilder();
    for (String name : gallery.names()) {
      if (name.indexOf('\n') >= 0 || name.indexOf('\r') >= 0) {
        throw new DataFormatException(
            dir.resolve(NAMES), "the name '" + name + "' holds a line break; rename the identity");
      }
      if (name.startsWith("\uFEFF")) {
        throw new DataFormatException(
            dir.resolve(NAMES),
            "the name '" + name + "' starts with a byte-order mark, which readers drop; rename it");
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
    Info info = readInfo(dir);
    Path infoFile = dir.resolve(INFO);
    if (info.lucene()) {
      throw new DataFormatException(
          infoFile,
          "'index' is '" + LUCENE + "': the identities are in " + dir.resolve(LUCENE_INDEX));
    }
    Path embeddingsFile = dir.resolve(EMBEDDINGS);
    if (!Files.isRegularFile(embeddingsFile)) {
      throw new NoSuchFileException(embeddingsFile.toString(), null, "the gallery's embeddings");
    }
    // The shape first, from the header alone: the other files are checked against it before the
    // rows are read.
    long[] shape = NpyReader.float32MatrixShape(embeddingsFile);
    if (shape[0] != info.identities()) {
      throw new DataFormatException(
          infoFile,
          "'identities' is "
              + info.identities()
              + " but "
              + embeddingsFile
              + " holds "
              + shape[0]
              + " rows");
    }
    if (shape[1] != info.dimension()) {
      throw new DataFormatException(
          infoFile,
          "'dimension' is "
              + info.dimension()
              + " but the rows of "
              + embeddingsFile
              + " have "
              + shape[1]
              + " values");
    }
    Path namesFile = dir.resolve(NAMES);
    List<String> names = readNames(namesFile, info.identities(), embeddingsFile);
    NpyReader.Matrix rows = NpyReader.readFloat32Matrix(embeddingsFile);
    if (rows.rows().length != names.size() || rows.columns() != info.dimension()) {
      throw new DataFormatException(embeddingsFile, "changed while the gallery was read");
    }
    try {
      return new Loaded(Gallery.of(manager, names, rows.rows()), info);
    } catch (IllegalArgumentException e) {
      // The names were checked already: what is left is a row (zero, not finite).
      throw new DataFormatException(embeddingsFile, e.getMessage(), e);
    }
  }

  /**
   * Reads and checks a gallery's {@value #INFO}.
   *
   * @param dir the gallery directory
   * @return its information
   * @throws NoSuchFileException if the directory or the file is missing
   * @throws DataFormatException naming the file and the key that is malformed
   * @throws IOException if the file cannot be read
   */
  public static Info readInfo(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      throw new NoSuchFileException(
          dir.toString(), null, "not a gallery directory; create one with 'ringloss enroll'");
    }
    Path infoFile = dir.resolve(INFO);
    Info info = JsonFiles.read(infoFile, Info.class);
    check(infoFile, info);
    return info;
  }

  /**
   * Opens a gallery of either kind, as its {@value #INFO} says.
   *
   * @param manager the manager whose sub-manager will own an exact gallery
   * @param dir the gallery directory
   * @param shortlist a Lucene gallery's shortlist k' ({@link LuceneGallery#open(Path, int)})
   * @return the gallery and its information
   * @throws NoSuchFileException naming a missing file
   * @throws DataFormatException naming the file or the index directory that is malformed
   * @throws IOException if a file cannot be read
   */
  public static Opened open(NDManager manager, Path dir, int shortlist) throws IOException {
    if (readInfo(dir).lucene()) {
      return openLucene(dir, shortlist);
    }
    Loaded loaded = read(manager, dir);
    return new Opened(loaded.gallery(), loaded.info());
  }

  /**
   * Opens a Lucene gallery: its index's last commit and the {@value #INFO} text that commit
   * carries.
   *
   * @param dir the gallery directory
   * @param shortlist the shortlist k'
   * @return the gallery and its information
   * @throws NoSuchFileException if the index directory is missing
   * @throws DataFormatException naming the index directory when Lucene cannot read it or its
   *     description is malformed or disagrees with it
   * @throws IOException if the index cannot be read for another reason (permissions)
   */
  public static Opened openLucene(Path dir, int shortlist) throws IOException {
    Path index = luceneIndex(dir);
    LuceneGallery gallery;
    try {
      gallery = LuceneGallery.open(index, shortlist);
    } catch (AccessDeniedException e) {
      throw e;
    } catch (IOException e) {
      throw unreadable(index, e);
    }
    try {
      String text = gallery.userData().get(COMMIT_INFO);
      if (text == null) {
        throw new DataFormatException(
            index,
            "its last commit carries no '"
                + COMMIT_INFO
                + "': not a gallery of 'ringloss enroll --index lucene'");
      }
      Info info = JsonFiles.read(index, text, Info.class);
      check(index, info);
      if (!info.lucene() || info.identities() != gallery.size()) {
        throw new DataFormatException(
            index,
            "its description says 'index' "
                + info.index()
                + " and "
                + info.identities()
                + " identities, the index holds "
                + gallery.size());
      }
      if (info.dimension() != gallery.dimension()) {
        throw new DataFormatException(
            index,
            "its description says d = "
                + info.dimension()
                + ", the index holds d = "
                + gallery.dimension());
      }
      return new Opened(gallery, info);
    } catch (IOException | RuntimeException e) {
      gallery.close();
      throw e;
    }
  }

  /**
   * The information of a Lucene gallery, as its index's last commit carries it ({@link
   * #openLucene}), for a change to it.
   *
   * @param dir the gallery directory
   * @return its information
   * @throws IOException as {@link #openLucene}
   */
  public static Info luceneInfo(Path dir) throws IOException {
    Opened opened = openLucene(dir, LuceneGallery.DEFAULT_SHORTLIST);
    opened.gallery().close();
    return opened.info();
  }

  /**
   * A writer of a Lucene gallery's index (created when missing), to add and remove identities and
   * then {@link #commitLucene}.
   *
   * @param dir the gallery directory
   * @param dimension d
   * @param hnsw the graph parameters of a new index; null for an existing one's own
   * @return the writer; closing it without a commit drops the changes
   * @throws IllegalArgumentException if d or the graph parameters differ from the index's
   * @throws DataFormatException naming the index directory when Lucene cannot read it
   * @throws IOException if the index is locked by another writer or cannot be written
   */
  public static LuceneGalleryWriter luceneWriter(Path dir, int dimension, LuceneGallery.Hnsw hnsw)
      throws IOException {
    Path index = dir.resolve(LUCENE_INDEX);
    try {
      return LuceneGallery.writer(index, dimension, hnsw);
    } catch (AccessDeniedException | LockObtainFailedException e) {
      throw e;
    } catch (IOException e) {
      throw unreadable(index, e);
    }
  }

  /**
   * Commits a Lucene gallery's changes, atomically with the information they go with, then rewrites
   * {@value #INFO} from it.
   *
   * @param dir the gallery directory
   * @param writer its index's writer
   * @param info the information after the changes, {@code index} {@value #LUCENE}
   * @throws IOException if writing fails; the previous commit then stays
   */
  public static void commitLucene(Path dir, LuceneGalleryWriter writer, Info info)
      throws IOException {
    String text = JsonFiles.toJson(info);
    writer.commit(Map.of(COMMIT_INFO, text));
    AtomicFiles.writeString(dir.resolve(INFO), text);
  }

  private static Path luceneIndex(Path dir) throws NoSuchFileException {
    Path index = dir.resolve(LUCENE_INDEX);
    if (!Files.isDirectory(index)) {
      throw new NoSuchFileException(index.toString(), null, "the gallery's Lucene index");
    }
    return index;
  }

  private static DataFormatException unreadable(Path index, IOException e) {
    return new DataFormatException(
        index, "not a readable Lucene gallery index: " + e.getMessage(), e);
  }

  /**
   * Reads the names file: exactly one non-empty, distinct name per row of the embeddings, each line
   * at most {@value #MAX_NAME_BYTES} bytes, read as a stream that stops at the first name too many.
   */
  private static List<String> readNames(Path namesFile, int rows, Path embeddingsFile)
      throws IOException {
    List<String> names = new ArrayList<>();
    Map<String, Long> lines = new HashMap<>();
    try (TextLines in = TextLines.open(namesFile, MAX_NAME_BYTES)) {
      for (String name = in.next(); name != null; name = in.next()) {
        long line = in.lineNumber();
        if (names.size() == rows) {
          throw DataFormatException.atLine(
              namesFile,
              line,
              "more names than the "
                  + rows
                  + " rows of "
                  + embeddingsFile
                  + ": expected one name per row");
        }
        if (name.isEmpty()) {
          throw DataFormatException.atLine(namesFile, line, "empty name: expected one per line");
        }
        Long first = lines.putIfAbsent(name, line);
        if (first != null) {
          throw DataFormatException.atLine(
              namesFile, line, "the name '" + name + "' is also on line " + first);
        }
        names.add(name);
      }
    } catch (NoSuchFileException e) {
      throw new NoSuchFileException(namesFile.toString(), null, "the gallery's names");
    }
    if (names.size() != rows) {
      throw new DataFormatException(
          namesFile,
          names.size()
              + " names for the "
              + rows
              + " rows of "
              + embeddingsFile
              + ": expected one name per row");
    }
    return names;
  }

  /** The information's own consistency, each failure naming the file and the key. */
  private static void check(Path file, Info info) throws DataFormatException {
    if (info.format() != FORMAT) {
      throw new DataFormatException(
          file, "'format' " + info.format() + " is not one this version reads (" + FORMAT + ")");
    }
    if (!info.index().equals(EXACT) && !info.lucene()) {
      throw new DataFormatException(
          file, "'index' is '" + info.index() + "', expected '" + EXACT + "' or '" + LUCENE + "'");
    }
    requireKey(file, "identities", info.identities(), info.identities() >= 1, ">= 1");
    requireKey(file, "dimension", info.dimension(), info.dimension() >= 1, ">= 1");
    requireKey(
        file,
        "enrolled_images",
        info.enrolledImages(),
        info.enrolledImages() >= info.identities(),
        ">= 'identities' (" + info.identities() + ")");
    requireKey(
        file,
        "model.embedding_size",
        info.model().embeddingSize(),
        info.model().embeddingSize() == info.dimension(),
        "equal to 'dimension' (" + info.dimension() + ")");
    if (!info.calibrated()) {
      String uncalibrated = "null (0 for a count) when 'threshold' is null: no calibration";
      requireKey(
          file, "target_fpir", info.targetFpir(), Double.isNaN(info.targetFpir()), uncalibrated);
      requireKey(file, "fpir", info.fpir(), Double.isNaN(info.fpir()), uncalibrated);
      requireKey(file, "fnir", info.fnir(), Double.isNaN(info.fnir()), uncalibrated);
      requireKey(
          file,
          "non_mated_images",
          info.nonMatedImages(),
          info.nonMatedImages() == 0,
          uncalibrated);
      requireKey(file, "mated_images", info.matedImages(), info.matedImages() == 0, uncalibrated);
      return;
    }
    double t = info.threshold();
    requireKey(
        file,
        "threshold",
        t,
        t >= -1 - COSINE_ROUNDING && t <= 1 + COSINE_ROUNDING,
        "a cosine similarity in [-1, 1]");
    double target = info.targetFpir();
    requireKey(
        file, "target_fpir", target, target > 0 && target < 1, "a rate in (0, 1) with 'threshold'");
    requireKey(file, "fpir", info.fpir(), info.fpir() >= 0 && info.fpir() <= 1, "a rate in [0, 1]");
    requireKey(file, "non_mated_images", info.nonMatedImages(), info.nonMatedImages() >= 1, ">= 1");
    requireKey(file, "mated_images", info.matedImages(), info.matedImages() >= 0, ">= 0");
    boolean measured = info.matedImages() > 0;
    requireKey(
        file,
        "fnir",
        info.fnir(),
        measured ? info.fnir() >= 0 && info.fnir() <= 1 : Double.isNaN(info.fnir()),
        measured ? "a rate in [0, 1]" : "null: there are no 'mated_images'");
  }

  private static void requireKey(Path file, String key, double value, boolean ok, String expected)
      throws DataFormatException {
    if (!ok) {
      String shown =
          Double.isNaN(value)
              ? "null"
              : value == Math.rint(value) && Math.abs(value) < 1e15
                  ? Long.toString((long) value)
                  : Double.toString(value);
      throw new DataFormatException(file, "'" + key + "' is " + shown + ", expected " + expected);
    }
  }
}
