package io.github.ringloss4j.app.data;

import io.github.ringloss4j.app.io.DataFormatException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.stream.Stream;

/** Unlabelled image files (label −1): a flat folder to embed, or the two images to verify. */
public final class ImageFiles implements LabelledSource {

  private final List<Path> files;
  private final ImageSpec spec;

  /**
   * Creates the source.
   *
   * @param files the images, in order
   * @param spec the input shape the model expects
   */
  public ImageFiles(List<Path> files, ImageSpec spec) {
    this.files = List.copyOf(files);
    this.spec = spec;
  }

  /**
   * Every JPEG or PNG directly in a folder, sorted by name.
   *
   * @param dir the folder
   * @param spec the input shape
   * @return the source
   * @throws IOException naming the folder when it is missing or has no images
   */
  public static ImageFiles inFolder(Path dir, ImageSpec spec) throws IOException {
    return new ImageFiles(listFolder(dir), spec);
  }

  /**
   * Every JPEG or PNG directly in a folder, sorted by name.
   *
   * @param dir the folder
   * @return the files
   * @throws IOException naming the folder when it is missing or has no images
   */
  public static List<Path> listFolder(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      throw new NoSuchFileException(dir.toString(), null, "not a directory of images");
    }
    List<Path> images;
    try (Stream<Path> list = Files.list(dir)) {
      images =
          list.filter(Files::isRegularFile)
              .filter(p -> ImageFolder.EXTENSIONS.contains(extension(p)))
              .sorted()
              .toList();
    }
    if (images.isEmpty()) {
      throw new DataFormatException(dir, "no .jpg, .jpeg or .png images in this folder");
    }
    return images;
  }

  private static String extension(Path p) {
    String name = p.getFileName().toString();
    int dot = name.lastIndexOf('.');
    return dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
  }

  @Override
  public int size() {
    return files.size();
  }

  @Override
  public int label(int index) {
    return -1;
  }

  @Override
  public List<String> classNames() {
    return List.of();
  }

  @Override
  public int[] itemShape() {
    return new int[] {spec.channels(), spec.height(), spec.width()};
  }

  @Override
  public String sourceOf(int index) {
    return files.get(index).toString();
  }

  @Override
  public void read(int index, float[] destination, int offset, Random augmentation)
      throws IOException {
    float[] pixels = ImageFolder.loadImage(files.get(index), spec);
    System.arraycopy(pixels, 0, destination, offset, pixels.length);
  }
}
