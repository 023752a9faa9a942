package io.github.ringloss4j.app.data;

import io.github.ringloss4j.app.io.DataFormatException;
import io.github.ringloss4j.internal.ImagePixels;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * A labelled image data set laid out as one sub-folder per class (identity), such as LFW or a
 * folder of aligned face crops: {@code ROOT/<class>/<image>.jpg}.
 *
 * <p>Format and decisions:
 *
 * <ul>
 *   <li>Classes are the sub-folders of the root, sorted by name in {@link String#compareTo}
 *       (code-point) order, so labels do not depend on the locale or the file system's listing
 *       order; label {@code i} is the {@code i}-th folder. Images are the files of each class
 *       folder ending in {@code .jpg}, {@code .jpeg} or {@code .png} (any letter case), sorted the
 *       same way. Other files, nested folders (no recursion) and names starting with {@code .}
 *       (hidden files, macOS {@code ._*} resource forks) are ignored. An empty class folder is an
 *       error, because a class without examples breaks stratified splits and classifier heads.
 *   <li>Images are decoded with ImageIO by content, not by extension. A file that no decoder
 *       recognises, that fails to decode, that makes the decoder emit a warning (such as a
 *       truncated JPEG, which ImageIO would otherwise return half grey), a PNG that does not end
 *       with its {@code IEND} chunk (cut short after the pixel data, which ImageIO does not notice)
 *       or a JPEG without its end-of-image marker ({@link #truncation}), or an image larger than
 *       {@value #MAX_PIXELS} pixels is a {@link DataFormatException} naming the file. Alpha is
 *       discarded without compositing and EXIF orientation is not applied.
 *   <li>Colour: every image is first converted to 8-bit sRGB (grey {@code g} becomes {@code (g, g,
 *       g)}, samples deeper than 8 bits are rounded); a 1-channel output is the BT.601 luma {@code
 *       round(0.299 R + 0.587 G + 0.114 B)}, which returns grey input unchanged.
 *   <li>Geometry ({@link #load}): the image is scaled by {@code max(H / h, W / w)} so that it
 *       covers the {@code H × W} target (for a square target: the shorter side becomes the target
 *       size), with bilinear interpolation, after halving repeatedly while it is more than twice
 *       too large (a single bilinear step would alias); the centre {@code H × W} is kept.
 *   <li>Augmentation ({@link #loadAugmented}): the same resize and centre crop but to {@value
 *       #AUGMENT_SCALE}× the target ({@code round(1.125 H) × round(1.125 W)}), then a uniformly
 *       random {@code H × W} crop inside it and a horizontal flip with probability 0.5. Keeping the
 *       random crop inside the enlarged centre crop keeps training views close to the evaluation
 *       view. The generator is used in this order: {@code nextBoolean()} for the flip, then {@code
 *       nextInt} for the x offset and for the y offset.
 *   <li>The output is a new {@code float[channels × H × W]} in CHW order with values in [0, 1].
 *       Colour, geometry and this conversion are {@link ImagePixels}'s, the exported model's
 *       preprocessing, so training, evaluation and a service see the same tensors; packed records
 *       go through the same code ({@code PackedSource}) and give the same values for the same
 *       bytes.
 *   <li>Nothing decoded is kept: every load decodes the file again, so memory does not grow with
 *       the data set (the batch reader decodes on worker threads ahead of the model).
 *   <li>Instances are immutable; {@link #load} and {@link #loadAugmented} may be called from
 *       several threads (each with its own {@link Random}).
 * </ul>
 */
public final class ImageFolder {

  /** The accepted image file extensions, lower case, without the dot. */
  public static final Set<String> EXTENSIONS = Set.of("jpg", "jpeg", "png");

  /** The enlargement before the random crop of {@link #loadAugmented}. */
  public static final double AUGMENT_SCALE = 1.125;

  /** The largest image accepted, in pixels, to bound the memory of one decode. */
  public static final long MAX_PIXELS = 100_000_000L;

  /**
   * One image of the data set.
   *
   * @param path the image file
   * @param label the class index, an index into {@link #classNames()}
   */
  public record Entry(Path path, int label) {

    /**
     * Checks the fields.
     *
     * @param path the image file
     * @param label the class index
     * @throws IllegalArgumentException if {@code label} is negative
     */
    public Entry {
      Objects.requireNonNull(path, "path");
      if (label < 0) {
        throw new IllegalArgumentException("label must be >= 0, got " + label);
      }
    }
  }

  /**
   * A partition of the entries into training and validation parts; each list is ordered by label,
   * then by file name.
   *
   * @param train the training entries
   * @param validation the validation entries
   */
  public record Split(List<Entry> train, List<Entry> validation) {

    /**
     * Makes both lists unmodifiable.
     *
     * @param train the training entries
     * @param validation the validation entries
     */
    public Split {
      train = List.copyOf(train);
      validation = List.copyOf(validation);
    }
  }

  private static final Comparator<Path> BY_NAME =
      Comparator.comparing(p -> p.getFileName().toString());

  private final Path root;
  private final List<String> classNames;
  private final List<Entry> entries;

  private ImageFolder(Path root, List<String> classNames, List<Entry> entries) {
    this.root = root;
    this.classNames = List.copyOf(classNames);
    this.entries = List.copyOf(entries);
  }

  /**
   * Lists the classes and images under {@code root}; images are not opened.
   *
   * @param root the data set folder
   * @return the data set
   * @throws NoSuchFileException if {@code root} does not exist
   * @throws DataFormatException if {@code root} is not a directory, has no class sub-folders, or a
   *     class folder has no images (naming that folder)
   * @throws IOException if a folder cannot be listed
   */
  public static ImageFolder scan(Path root) throws IOException {
    if (!Files.exists(root)) {
      throw new NoSuchFileException(root.toString(), null, "image folder does not exist");
    }
    if (!Files.isDirectory(root)) {
      throw new DataFormatException(
          root, "is not a directory; expected a folder with one sub-folder of images per class");
    }
    List<Path> classDirs;
    try (Stream<Path> children = Files.list(root)) {
      classDirs =
          children.filter(p -> !isHidden(p)).filter(Files::isDirectory).sorted(BY_NAME).toList();
    }
    if (classDirs.isEmpty()) {
      throw new DataFormatException(
          root,
          "has no class sub-folders; expected "
              + root
              + "/<class>/<image>.jpg (or .jpeg, .png), one sub-folder per class");
    }
    List<String> names = new ArrayList<>();
    List<Entry> entries = new ArrayList<>();
    for (int label = 0; label < classDirs.size(); label++) {
      Path classDir = classDirs.get(label);
      List<Path> images;
      try (Stream<Path> files = Files.list(classDir)) {
        images =
            files
                .filter(p -> !isHidden(p))
                .filter(ImageFolder::hasImageExtension)
                .filter(Files::isRegularFile)
                .sorted(BY_NAME)
                .toList();
      }
      if (images.isEmpty()) {
        throw new DataFormatException(
            classDir,
            "class folder '"
                + classDir.getFileName()
                + "' contains no .jpg, .jpeg or .png images; remove it or add images");
      }
      names.add(classDir.getFileName().toString());
      for (Path image : images) {
        entries.add(new Entry(image, label));
      }
    }
    return new ImageFolder(root, names, entries);
  }

  /**
   * The same folder without some images ({@link ImageHeaders#checked} with {@code
   * --skip-bad-images}); labels and class names stay as scanned.
   *
   * @param left the images to leave out
   * @return the folder
   * @throws DataFormatException naming a class folder left without images
   */
  ImageFolder without(Set<Path> left) throws DataFormatException {
    List<Entry> kept = entries.stream().filter(e -> !left.contains(e.path())).toList();
    boolean[] hasImages = new boolean[classNames.size()];
    kept.forEach(e -> hasImages[e.label()] = true);
    for (int label = 0; label < hasImages.length; label++) {
      if (!hasImages[label]) {
        throw new DataFormatException(
            root.resolve(classNames.get(label)),
            "class folder '" + classNames.get(label) + "' has no readable image left");
      }
    }
    return new ImageFolder(root, classNames, kept);
  }

  private static boolean isHidden(Path p) {
    return p.getFileName().toString().startsWith(".");
  }

  private static boolean hasImageExtension(Path p) {
    String name = p.getFileName().toString();
    int dot = name.lastIndexOf('.');
    return dot >= 0 && EXTENSIONS.contains(name.substring(dot + 1).toLowerCase(Locale.ROOT));
  }

  /**
   * The folder that was scanned.
   *
   * @return the root
   */
  public Path root() {
    return root;
  }

  /**
   * All images, ordered by label, then by file name.
   *
   * @return an unmodifiable list
   */
  public List<Entry> entries() {
    return entries;
  }

  /**
   * The class folder names, indexed by label.
   *
   * @return an unmodifiable list
   */
  public List<String> classNames() {
    return classNames;
  }

  /**
   * The number of classes.
   *
   * @return {@code classNames().size()}
   */
  public int numClasses() {
    return classNames.size();
  }

  /**
   * Decodes an image, resizes it to cover the target, keeps the centre and converts it to CHW
   * floats (see the class documentation).
   *
   * @param e the image
   * @param spec the output shape
   * @return {@code spec.size()} floats in [0, 1]
   * @throws NoSuchFileException if the file no longer exists
   * @throws DataFormatException if the file cannot be decoded, naming it
   * @throws IOException if the file cannot be read
   */
  public float[] load(Entry e, ImageSpec spec) throws IOException {
    return loadImage(e.path(), spec);
  }

  /**
   * Decodes any image file the way {@link #load} does: resize the shorter side, centre-crop,
   * convert to the spec's channels; for single images outside a folder (verification, embedding).
   *
   * @param file the image
   * @param spec the output shape
   * @return {@code spec.size()} floats in [0, 1]
   * @throws DataFormatException if the file cannot be decoded, naming it
   * @throws IOException if the file cannot be read
   */
  public static float[] loadImage(Path file, ImageSpec spec) throws IOException {
    return pixels(decode(file), spec, null);
  }

  /**
   * Like {@link #load} but with a random crop of the image enlarged {@value #AUGMENT_SCALE}× and a
   * random horizontal flip (see the class documentation); the same generator state gives the same
   * output.
   *
   * @param e the image
   * @param spec the output shape
   * @param rng the source of randomness
   * @return {@code spec.size()} floats in [0, 1]
   * @throws NoSuchFileException if the file no longer exists
   * @throws DataFormatException if the file cannot be decoded, naming it
   * @throws IOException if the file cannot be read
   */
  public float[] loadAugmented(Entry e, ImageSpec spec, Random rng) throws IOException {
    Objects.requireNonNull(rng, "rng");
    return pixels(decode(e.path()), spec, rng);
  }

  /**
   * The model's input from a decoded image: colour conversion, cover-resize, then the centre view
   * ({@code augmentation} null) or the random crop and flip of the class documentation, as CHW
   * floats. Image files and packed records both come through here, so the same bytes give the same
   * values whichever way they are stored; the pixel steps are the exported model's ({@link
   * ImagePixels}), so a service sees what training and evaluation saw.
   *
   * @param decoded the image as a decoder returned it
   * @param spec the output shape
   * @param augmentation the source of randomness, or null for the evaluation view
   * @return {@code spec.size()} floats in [0, 1]
   */
  static float[] pixels(BufferedImage decoded, ImageSpec spec, Random augmentation) {
    BufferedImage rgb = ImagePixels.toRgb(decoded);
    int h = spec.height();
    int w = spec.width();
    if (augmentation == null) {
      return ImagePixels.toChw(ImagePixels.render(rgb, h, w, h, w, 0, 0), spec.channels(), false);
    }
    int coverHeight = Math.max(h, (int) Math.round(h * AUGMENT_SCALE));
    int coverWidth = Math.max(w, (int) Math.round(w * AUGMENT_SCALE));
    boolean flip = augmentation.nextBoolean();
    int dx = augmentation.nextInt(coverWidth - w + 1);
    int dy = augmentation.nextInt(coverHeight - h + 1);
    BufferedImage view = ImagePixels.render(rgb, coverHeight, coverWidth, h, w, dx, dy);
    return ImagePixels.toChw(view, spec.channels(), flip);
  }

  /**
   * Splits the entries into training and validation parts, stratified by class ({@link
   * LabelSplit#stratified}, the split packed sets get too): within each class a seeded shuffle
   * picks {@code round(validationFraction × n)} entries for validation, but every class keeps at
   * least one training entry. The same seed always gives the same split.
   *
   * @param validationFraction the share of each class to hold out, in [0, 1)
   * @param seed the shuffle seed
   * @return the split
   * @throws IllegalArgumentException if {@code validationFraction} is outside [0, 1)
   */
  public Split split(double validationFraction, long seed) {
    int[] labels = new int[entries.size()];
    for (int i = 0; i < labels.length; i++) {
      labels[i] = entries.get(i).label();
    }
    LabelSplit split = LabelSplit.stratified(labels, validationFraction, seed);
    return new Split(select(split.train()), select(split.validation()));
  }

  private List<Entry> select(int[] indices) {
    List<Entry> selected = new ArrayList<>(indices.length);
    for (int i : indices) {
      selected.add(entries.get(i));
    }
    return selected;
  }

  /**
   * Where an image being decoded came from, for its error messages: a file, a record or an item.
   */
  @FunctionalInterface
  interface ImageOrigin {
    /**
     * An error about the image.
     *
     * @param problem what is wrong
     * @param cause the decoder's exception, or null
     * @return the exception naming the origin
     */
    DataFormatException error(String problem, Throwable cause);
  }

  /**
   * Decodes one image file with ImageIO, treating decoder warnings as errors.
   *
   * @param file the image
   * @return the decoded image, in whatever type the decoder produced
   * @throws NoSuchFileException if the file does not exist
   * @throws DataFormatException if the file is not a decodable image or too large
   * @throws IOException if the file cannot be read
   */
  static BufferedImage decode(Path file) throws IOException {
    if (!Files.exists(file)) {
      throw new NoSuchFileException(file.toString(), null, "image file not found");
    }
    if (!Files.isRegularFile(file)) {
      throw new DataFormatException(file, "is not a regular file, expected an image");
    }
    // Streamed from the file rather than read whole: only the decoder's buffers are held.
    try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
      if (in == null) {
        throw new IOException(file + ": cannot open for image decoding");
      }
      return decode(
          in, (problem, cause) -> new DataFormatException(file, problem, cause), () -> tail(file));
    }
  }

  /**
   * Decodes an image held in memory (an item of a verification set or a packed record) with exactly
   * the checks of {@link #decode(Path)}, without a temporary file.
   *
   * @param bytes the encoded image
   * @param origin names the image in error messages
   * @return the decoded image, in whatever type the decoder produced
   * @throws DataFormatException from {@code origin} if the bytes are not a decodable image or too
   *     large
   * @throws IOException if decoding fails otherwise
   */
  static BufferedImage decode(byte[] bytes, ImageOrigin origin) throws IOException {
    // A memory cache explicitly: ImageIO.createImageInputStream would spill to a temporary file.
    try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
      return decode(in, origin, () -> tail(bytes));
    }
  }

  /** The last bytes of an image's encoding ({@link #TAIL} at most), read after its header. */
  @FunctionalInterface
  interface Tail {
    /**
     * Reads the last bytes.
     *
     * @return at most {@link #TAIL} bytes
     * @throws IOException if reading fails
     */
    byte[] read() throws IOException;
  }

  private static BufferedImage decode(ImageInputStream in, ImageOrigin origin, Tail tail)
      throws IOException {
    Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
    if (!readers.hasNext()) {
      throw origin.error(
          "not an image: no decoder recognises its content (expected JPEG or PNG)", null);
    }
    ImageReader reader = readers.next();
    List<String> warnings = new ArrayList<>();
    try {
      reader.setInput(in, true, true);
      reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
      int width = reader.getWidth(0);
      int height = reader.getHeight(0);
      if (width < 1 || height < 1 || (long) width * height > MAX_PIXELS) {
        throw origin.error(
            "image is "
                + width
                + "×"
                + height
                + " pixels, expected a non-empty image of at most "
                + MAX_PIXELS
                + " pixels",
            null);
      }
      BufferedImage image = reader.read(0);
      // ImageIO stops reading once the pixels are decoded, so a PNG cut short after its image
      // data would otherwise pass unnoticed.
      String truncated = truncation(formatName(reader), tail.read());
      if (truncated != null) {
        warnings.add(truncated);
      }
      if (!warnings.isEmpty()) {
        throw origin.error(
            "damaged " + formatName(reader) + " image: " + String.join("; ", warnings), null);
      }
      return image;
    } catch (DataFormatException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      // Decoders signal malformed data with IIOException but also with EOFException or
      // unchecked exceptions (e.g. IndexOutOfBoundsException on bad Huffman tables).
      throw origin.error("corrupt or unsupported " + formatName(reader) + " image: " + e, e);
    } finally {
      reader.dispose();
    }
  }

  private static String formatName(ImageReader reader) {
    try {
      return reader.getFormatName().toUpperCase(Locale.ROOT);
    } catch (IOException e) {
      return "image";
    }
  }

  private static final byte[] PNG_END = {
    0, 0, 0, 0, 'I', 'E', 'N', 'D', (byte) 0xAE, 0x42, 0x60, (byte) 0x82
  };

  /** How many bytes at the end of an image {@link #truncation} looks at. */
  static final int TAIL = 64;

  /**
   * Why an image's last bytes show that it was cut short: a PNG must end with its {@code IEND}
   * chunk, a JPEG with its end-of-image marker {@code FF D9} (within its last {@value #TAIL} bytes,
   * which tolerates a little padding after it; the marker cannot occur inside the compressed data,
   * where an {@code FF} byte is always followed by {@code 00} or a restart marker).
   *
   * @param format the decoder's format name, upper case
   * @param tail the last bytes of the encoding, at most {@link #TAIL}
   * @return the problem, or null when the ending is complete (or the format has no such rule)
   */
  static String truncation(String format, byte[] tail) {
    if (format.equals("PNG") && !endsWith(tail, PNG_END)) {
      return "the file does not end with the PNG IEND chunk (truncated?)";
    }
    if (format.equals("JPEG") && !hasJpegEnd(tail)) {
      return "the file does not end with the JPEG end-of-image marker FF D9 (truncated?)";
    }
    return null;
  }

  private static boolean hasJpegEnd(byte[] tail) {
    for (int i = tail.length - 2; i >= 0; i--) {
      if (tail[i] == (byte) 0xFF && tail[i + 1] == (byte) 0xD9) {
        return true;
      }
    }
    return false;
  }

  private static boolean endsWith(byte[] bytes, byte[] end) {
    return bytes.length >= end.length
        && Arrays.equals(bytes, bytes.length - end.length, bytes.length, end, 0, end.length);
  }

  /**
   * The last bytes of an encoded image held in memory.
   *
   * @param bytes the encoding
   * @return its last {@link #TAIL} bytes (all of them when shorter)
   */
  static byte[] tail(byte[] bytes) {
    return Arrays.copyOfRange(bytes, Math.max(0, bytes.length - TAIL), bytes.length);
  }

  /**
   * The last bytes of an image file.
   *
   * @param file the image
   * @return its last {@link #TAIL} bytes (all of them when shorter)
   * @throws IOException if the file cannot be read
   */
  static byte[] tail(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = ch.size();
      ByteBuffer tail = ByteBuffer.allocate((int) Math.min(size, TAIL));
      while (tail.hasRemaining()) {
        if (ch.read(tail, size - tail.capacity() + tail.position()) < 0) {
          break;
        }
      }
      return Arrays.copyOf(tail.array(), tail.position());
    }
  }
}
