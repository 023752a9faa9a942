package io.github.ringloss4j.app.recordio;

import io.github.ringloss4j.app.io.AtomicFiles;
import io.github.ringloss4j.app.io.CsvWriter;
import io.github.ringloss4j.app.io.StagingDirectory;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Writes a {@link SyntheticFaces} set to disk, streaming: the images (an image folder or a packed
 * set), its {@value Degradation#FILE_NAME} written row by row as the images are, and its {@value
 * ContactSheet#FILE_NAME}. Images are generated in chunks in parallel and written in order, so
 * memory stays at one chunk whatever the count.
 *
 * <p>Atomicity: a folder is built in a {@link StagingDirectory} and renamed when complete, the
 * quality file and the sheet inside it. In a packed set's directory every file is renamed into
 * place when complete ({@link AtomicFiles}): {@code train.idx}, {@code train.rec}, {@code property}
 * and {@code classes.txt}, then the quality file, then the sheet; a failure before the renames
 * replaces nothing.
 */
final class SyntheticSet {

  private SyntheticSet() {}

  /**
   * Writes a packed data set ({@link PackedDatasetWriter}) of all images, with {@value
   * Degradation#FILE_NAME} (items named by record key) and {@value ContactSheet#FILE_NAME} beside
   * it.
   *
   * @param dir the data set directory
   * @param format the image encoding
   * @return what was written
   * @throws IllegalArgumentException if there are too many images for a packed set
   * @throws IOException if writing fails; no data set file is then replaced
   */
  static PackedDatasetWriter.Summary writePacked(SyntheticFaces faces, Path dir, ImageFormat format)
      throws IOException {
    int identities = faces.identities();
    int perIdentity = faces.perIdentity();
    PackedDatasetWriter.checkCapacity((long) identities * perIdentity, identities);
    PackedDatasetWriter.Summary[] summary = new PackedDatasetWriter.Summary[1];
    // The quality file is renamed last, after the data set's own files.
    AtomicFiles.write(
        dir.resolve(Degradation.FILE_NAME),
        quality ->
            summary[0] =
                PackedDatasetWriter.write(
                    dir,
                    faces.classNames(),
                    faces.variation().side(),
                    faces.variation().side(),
                    sink ->
                        generate(
                            faces,
                            format,
                            quality,
                            (identity, index) ->
                                Integer.toString(identity * perIdentity + index + 1),
                            (identity, index, bytes) -> sink.add(identity, bytes))));
    ContactSheet.write(faces, dir.resolve(ContactSheet.FILE_NAME));
    return summary[0];
  }

  /**
   * Writes an image folder of all images, with {@value Degradation#FILE_NAME} (items named by their
   * path in the folder) and {@value ContactSheet#FILE_NAME} in its root, built under a temporary
   * name and renamed when complete.
   *
   * @param dir the folder to create; it must not exist or be empty
   * @param format the image encoding
   * @return the number of images
   * @throws java.nio.file.FileAlreadyExistsException if {@code dir} exists and is not empty
   * @throws IOException if writing fails; the folder is then not created
   */
  static int writeFolder(SyntheticFaces faces, Path dir, ImageFormat format) throws IOException {
    int perIdentity = faces.perIdentity();
    List<String> names = faces.classNames();
    int width = Integer.toString(perIdentity - 1).length();
    try (StagingDirectory stage = StagingDirectory.create(dir)) {
      AtomicFiles.write(
          stage.path().resolve(Degradation.FILE_NAME),
          quality ->
              generate(
                  faces,
                  format,
                  quality,
                  (identity, index) -> names.get(identity) + "/" + fileName(index, width, format),
                  (identity, index, bytes) -> {
                    Path classDir = stage.path().resolve(names.get(identity));
                    if (index == 0) {
                      Files.createDirectory(classDir);
                    }
                    Files.write(
                        classDir.resolve(fileName(index, width, format)),
                        bytes,
                        StandardOpenOption.CREATE_NEW);
                  }));
      ContactSheet.write(faces, stage.path().resolve(ContactSheet.FILE_NAME));
      stage.commit();
    }
    return faces.identities() * perIdentity;
  }

  private static String fileName(int index, int width, ImageFormat format) {
    return ClassNames.zeroPadded(index, width) + "." + format.extension();
  }

  /** Receives encoded images in order. */
  private interface EncodedSink {
    void accept(int identity, int index, byte[] bytes) throws IOException;
  }

  /** Names an image in the quality file as its data set does. */
  private interface ItemNames {
    String of(int identity, int index);
  }

  /**
   * Generates every image in chunks of {@value SyntheticFaces#CHUNK} in parallel and hands them to
   * the sink in order, writing each one's row of the quality file after it.
   */
  private static void generate(
      SyntheticFaces faces,
      ImageFormat format,
      OutputStream qualityOut,
      ItemNames items,
      EncodedSink sink)
      throws IOException {
    Writer quality = new OutputStreamWriter(qualityOut, StandardCharsets.UTF_8);
    CsvWriter.writeLine(quality, Degradation.COLUMNS);
    List<String> names = faces.classNames();
    int perIdentity = faces.perIdentity();
    int total = faces.identities() * perIdentity;
    for (int start = 0; start < total; start += SyntheticFaces.CHUNK) {
      int first = start;
      SyntheticFaces.Encoded[] chunk =
          IntStream.range(first, Math.min(total, first + SyntheticFaces.CHUNK))
              .parallel()
              .mapToObj(i -> faces.encodedWithDegradation(i / perIdentity, i % perIdentity, format))
              .toArray(SyntheticFaces.Encoded[]::new);
      for (int k = 0; k < chunk.length; k++) {
        int identity = (first + k) / perIdentity;
        int index = (first + k) % perIdentity;
        sink.accept(identity, index, chunk[k].bytes());
        CsvWriter.writeLine(
            quality,
            row(
                faces,
                names.get(identity),
                identity,
                index,
                items.of(identity, index),
                chunk[k].degradation()));
      }
    }
    quality.flush();
  }

  private static List<String> row(
      SyntheticFaces faces, String name, int identity, int index, String item, Degradation d) {
    return List.of(
        name,
        CsvWriter.num(identity),
        CsvWriter.num(index),
        item,
        CsvWriter.num(faces.family(identity)),
        d.low() ? CsvWriter.num(d.side()) : "",
        CsvWriter.num(d.blur()),
        d.low() ? CsvWriter.num(d.jpegQuality()) : "",
        CsvWriter.num(d.noise()),
        CsvWriter.num(d.level()),
        d.bin());
  }
}
