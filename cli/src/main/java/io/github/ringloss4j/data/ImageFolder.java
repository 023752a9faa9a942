package io.github.ringloss4j.data;

import io.github.ringloss4j.io.DataFormatException;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.DataBufferInt;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
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
 *       with its {@code IEND} chunk (cut short after the pixel data, which ImageIO does not
 *       notice), or an image larger than {@value #MAX_PIXELS} pixels is a {@link
 *       DataFormatException} naming the file. Alpha is discarded without compositing and EXIF
 *       orientation is not applied.
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
    BufferedImage rgb = toRgb(decode(file));
    BufferedImage view =
        render(rgb, spec.height(), spec.width(), spec.height(), spec.width(), 0, 0);
    return toChw(view, spec.channels(), false);
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
    BufferedImage rgb = toRgb(decode(e.path()));
    int coverHeight = Math.max(spec.height(), (int) Math.round(spec.height() * AUGMENT_SCALE));
    int coverWidth = Math.max(spec.width(), (int) Math.round(spec.width() * AUGMENT_SCALE));
    boolean flip = rng.nextBoolean();
    int dx = rng.nextInt(coverWidth - spec.width() + 1);
    int dy = rng.nextInt(coverHeight - spec.height() + 1);
    BufferedImage view = render(rgb, coverHeight, coverWidth, spec.height(), spec.width(), dx, dy);
    return toChw(view, spec.channels(), flip);
  }

  /**
   * Splits the entries into training and validation parts, stratified by class: within each class
   * the entries are shuffled with a generator seeded from {@code seed} and the class label (so a
   * class's split does not depend on the other classes), and the first {@code
   * round(validationFraction × n)} go to validation, but never all of them: every class keeps at
   * least one training entry. The same seed always gives the same split.
   *
   * @param validationFraction the share of each class to hold out, in [0, 1)
   * @param seed the shuffle seed
   * @return the split
   * @throws IllegalArgumentException if {@code validationFraction} is outside [0, 1)
   */
  public Split split(double validationFraction, long seed) {
    if (!(validationFraction >= 0 && validationFraction < 1)) {
      throw new IllegalArgumentException(
          "validation fraction must be in [0, 1), got " + validationFraction);
    }
    List<Entry> train = new ArrayList<>();
    List<Entry> validation = new ArrayList<>();
    int start = 0;
    while (start < entries.size()) {
      int label = entries.get(start).label();
      int end = start;
      while (end < entries.size() && entries.get(end).label() == label) {
        end++;
      }
      List<Entry> members = entries.subList(start, end);
      List<Entry> shuffled = new ArrayList<>(members);
      Collections.shuffle(shuffled, new Random(classSeed(seed, label)));
      int held =
          Math.min((int) Math.round(validationFraction * members.size()), members.size() - 1);
      Set<Entry> heldOut = new HashSet<>(shuffled.subList(0, held));
      for (Entry entry : members) {
        (heldOut.contains(entry) ? validation : train).add(entry);
      }
      start = end;
    }
    return new Split(train, validation);
  }

  private static long classSeed(long seed, int label) {
    // SplitMix64 finaliser: neighbouring (seed, label) pairs get unrelated generator seeds.
    long z = seed + 0x9E3779B97F4A7C15L * (label + 1L);
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
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
    try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
      if (in == null) {
        throw new IOException(file + ": cannot open for image decoding");
      }
      Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
      if (!readers.hasNext()) {
        throw new DataFormatException(
            file, "not an image: no decoder recognises its content (expected JPEG or PNG)");
      }
      ImageReader reader = readers.next();
      List<String> warnings = new ArrayList<>();
      try {
        reader.setInput(in, true, true);
        reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
        int width = reader.getWidth(0);
        int height = reader.getHeight(0);
        if (width < 1 || height < 1 || (long) width * height > MAX_PIXELS) {
          throw new DataFormatException(
              file,
              "image is "
                  + width
                  + "×"
                  + height
                  + " pixels, expected a non-empty image of at most "
                  + MAX_PIXELS
                  + " pixels");
        }
        BufferedImage image = reader.read(0);
        if (formatName(reader).equals("PNG") && !endsWithPngEnd(file)) {
          // ImageIO stops reading once the pixels are decoded, so a PNG cut short after its
          // image data would otherwise pass unnoticed.
          warnings.add("the file does not end with the PNG IEND chunk (truncated?)");
        }
        if (!warnings.isEmpty()) {
          throw new DataFormatException(
              file, "damaged " + formatName(reader) + " image: " + String.join("; ", warnings));
        }
        return image;
      } catch (DataFormatException e) {
        throw e;
      } catch (IOException | RuntimeException e) {
        // Decoders signal malformed data with IIOException but also with EOFException or
        // unchecked exceptions (e.g. IndexOutOfBoundsException on bad Huffman tables).
        throw new DataFormatException(
            file, "corrupt or unsupported " + formatName(reader) + " image: " + e, e);
      } finally {
        reader.dispose();
      }
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

  static boolean endsWithPngEnd(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = ch.size();
      if (size < PNG_END.length) {
        return false;
      }
      ByteBuffer tail = ByteBuffer.allocate(PNG_END.length);
      while (tail.hasRemaining()) {
        if (ch.read(tail, size - PNG_END.length + tail.position()) < 0) {
          return false;
        }
      }
      return Arrays.equals(tail.array(), PNG_END);
    }
  }

  /** Converts any decoded image to 8-bit sRGB without colour management (see class doc). */
  static BufferedImage toRgb(BufferedImage src) {
    if (src.getType() == BufferedImage.TYPE_INT_RGB) {
      return src;
    }
    int w = src.getWidth();
    int h = src.getHeight();
    BufferedImage dst = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    int[] out = ((DataBufferInt) dst.getRaster().getDataBuffer()).getData();
    ColorModel cm = src.getColorModel();
    int[] row = new int[w];
    if (!(cm instanceof IndexColorModel) && cm.getColorSpace().getType() == ColorSpace.TYPE_GRAY) {
      // getRGB would treat Java's linear grey colour space as non-sRGB and brighten the values;
      // image files store grey levels that are meant to be shown as-is.
      Raster raster = src.getRaster();
      int max = (1 << cm.getComponentSize(0)) - 1;
      for (int y = 0; y < h; y++) {
        raster.getSamples(0, y, w, 1, 0, row);
        for (int x = 0; x < w; x++) {
          int g = (int) ((row[x] * 255L + max / 2) / max);
          out[y * w + x] = (g << 16) | (g << 8) | g;
        }
      }
    } else {
      for (int y = 0; y < h; y++) {
        src.getRGB(0, y, w, 1, row, 0, w);
        for (int x = 0; x < w; x++) {
          out[y * w + x] = row[x] & 0xFFFFFF;
        }
      }
    }
    return dst;
  }

  /**
   * Scales {@code src} to cover {@code coverHeight × coverWidth}, centre-crops to that size, and
   * returns the {@code height × width} window at ({@code dx}, {@code dy}) inside it.
   */
  static BufferedImage render(
      BufferedImage src, int coverHeight, int coverWidth, int height, int width, int dx, int dy) {
    double scale =
        Math.max((double) coverHeight / src.getHeight(), (double) coverWidth / src.getWidth());
    int scaledWidth = Math.max(coverWidth, (int) Math.round(src.getWidth() * scale));
    int scaledHeight = Math.max(coverHeight, (int) Math.round(src.getHeight() * scale));
    BufferedImage current = src;
    while (current.getWidth() / 2 >= scaledWidth && current.getHeight() / 2 >= scaledHeight) {
      current =
          drawScaled(
              current,
              current.getWidth() / 2,
              current.getHeight() / 2,
              0,
              0,
              current.getWidth() / 2,
              current.getHeight() / 2);
    }
    int x0 = (scaledWidth - coverWidth) / 2 + dx;
    int y0 = (scaledHeight - coverHeight) / 2 + dy;
    return drawScaled(current, width, height, -x0, -y0, scaledWidth, scaledHeight);
  }

  private static BufferedImage drawScaled(
      BufferedImage src, int canvasWidth, int canvasHeight, int x, int y, int w, int h) {
    BufferedImage dst = new BufferedImage(canvasWidth, canvasHeight, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = dst.createGraphics();
    try {
      g.setRenderingHint(
          RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
      g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
      g.drawImage(src, x, y, w, h, null);
    } finally {
      g.dispose();
    }
    return dst;
  }

  /** Converts an INT_RGB image to CHW floats, optionally mirrored left-right. */
  static float[] toChw(BufferedImage rgb, int channels, boolean flip) {
    int w = rgb.getWidth();
    int h = rgb.getHeight();
    int plane = w * h;
    float[] out = new float[channels * plane];
    int[] row = new int[w];
    for (int y = 0; y < h; y++) {
      rgb.getRGB(0, y, w, 1, row, 0, w);
      for (int x = 0; x < w; x++) {
        int p = row[flip ? w - 1 - x : x];
        int r = (p >> 16) & 0xFF;
        int g = (p >> 8) & 0xFF;
        int b = p & 0xFF;
        int i = y * w + x;
        if (channels == 3) {
          out[i] = r / 255f;
          out[plane + i] = g / 255f;
          out[2 * plane + i] = b / 255f;
        } else {
          out[i] = ((299 * r + 587 * g + 114 * b + 500) / 1000) / 255f;
        }
      }
    }
    return out;
  }
}
