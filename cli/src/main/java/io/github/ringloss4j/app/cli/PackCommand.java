package io.github.ringloss4j.app.cli;

import io.github.ringloss4j.app.data.Packing;
import io.github.ringloss4j.app.io.OutputPaths;
import io.github.ringloss4j.app.recordio.ImageFormat;
import io.github.ringloss4j.app.recordio.PackedDatasetWriter;
import io.github.ringloss4j.app.recordio.SyntheticFaces;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ringloss pack}: an image folder into InsightFace's packed format; with {@link Unpack} and
 * {@link Synth}, the commands of {@link io.github.ringloss4j.app.recordio}.
 */
@Command(
    name = "pack",
    mixinStandardHelpOptions = true,
    description = {
      "Pack an image folder (one sub-folder of .jpg/.png images per identity) into InsightFace's"
          + " packed format: DATASET/train.rec and train.idx (MXNet RecordIO), property"
          + " (num_classes,height,width) and classes.txt (the folder names, which InsightFace"
          + " ignores). Image bytes are stored unchanged; all images must have the same size."
    })
public final class PackCommand implements Callable<Integer> {

  @Parameters(index = "0", paramLabel = "DIR", description = "The image folder.")
  Path folder;

  @Option(
      names = "--out",
      paramLabel = "DATASET",
      required = true,
      description = "The data set directory to write; its data set files are replaced.")
  Path out;

  @Option(
      names = "--skip-bad-images",
      description =
          "Leave out the images that training's pre-check refuses (unreadable header, truncated"
              + " PNG or JPEG), listing them in a warning, instead of refusing the folder.")
  boolean skipBadImages;

  @Override
  public Integer call() throws IOException {
    OutputPaths.requireWritableDirectory(out, "--out");
    print(Packing.pack(folder, out, skipBadImages), out);
    return 0;
  }

  private static void print(PackedDatasetWriter.Summary s, Path out) {
    System.out.println(
        "packed "
            + s.images()
            + " images of "
            + s.classes()
            + " identities into "
            + out
            + " (train.rec "
            + s.recBytes()
            + " bytes, train.idx, property, classes.txt)");
  }

  /** Writes a new folder. */
  private interface FolderWrite<T> {
    T run() throws IOException;
  }

  /**
   * Runs a write into the new folder {@code out}, reporting an occupied {@code out} as a bad option
   * value (exit 2) rather than as bad input data.
   */
  private static <T> T intoNewFolder(Path out, FolderWrite<T> write) throws IOException {
    try {
      return write.run();
    } catch (FileAlreadyExistsException e) {
      if (out.toString().equals(e.getFile())) {
        throw new IllegalArgumentException("--out " + out + " " + e.getReason(), e);
      }
      throw e;
    }
  }

  /** {@code ringloss unpack}: a packed data set back into an image folder. */
  @Command(
      name = "unpack",
      mixinStandardHelpOptions = true,
      description = {
        "Unpack a packed data set (train.rec, train.idx, property; from InsightFace or ringloss"
            + " pack) into a new image folder OUT/<class>/<key>.jpg|png, the image bytes"
            + " unchanged. Class folders are named from classes.txt, else by zero-padded label."
      })
  public static final class Unpack implements Callable<Integer> {

    @Parameters(
        index = "0",
        paramLabel = "DATASET",
        description = "The data set directory, or a .rec file with its .idx beside it.")
    Path dataset;

    @Option(
        names = "--out",
        paramLabel = "DIR",
        required = true,
        description = "The image folder to create; it must not exist or be empty.")
    Path out;

    @Override
    public Integer call() throws IOException {
      OutputPaths.requireWritableDirectory(out, "--out");
      Packing.Unpacked u = intoNewFolder(out, () -> Packing.unpack(dataset, out));
      System.out.println(
          "unpacked " + u.images() + " images of " + u.classes() + " identities into " + out);
      if (u.emptyClasses() > 0) {
        System.out.println(
            "note: "
                + u.emptyClasses()
                + " classes of the data set have no images and got no folder, so the folder's"
                + " labels are numbered without them");
      }
      return 0;
    }
  }

  /** {@code ringloss synth}: synthetic face-like images for tests and benchmarks. */
  @Command(
      name = "synth",
      mixinStandardHelpOptions = true,
      description = {
        "Generate synthetic face-like 112x112 RGB images: N identities x M images, each a smooth"
            + " random face varied by shift, brightness, tint and noise; deterministic for a"
            + " seed. Writes an image folder, or with --packed a packed data set."
      })
  public static final class Synth implements Callable<Integer> {

    @Option(names = "--identities", paramLabel = "N", required = true, description = "Identities.")
    int identities;

    @Option(
        names = "--per-identity",
        paramLabel = "M",
        required = true,
        description = "Images per identity.")
    int perIdentity;

    @Option(
        names = "--out",
        paramLabel = "DIR",
        required = true,
        description =
            "The folder to create (must not exist or be empty), or with --packed the data set"
                + " directory to write.")
    Path out;

    @Option(names = "--packed", description = "Write a packed data set instead of a folder.")
    boolean packed;

    @Option(
        names = "--seed",
        defaultValue = "0",
        description = "The seed every image derives from. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(
        names = "--format",
        defaultValue = "jpg",
        description = "jpg or png. Default: ${DEFAULT-VALUE}.")
    String format;

    @Override
    public Integer call() throws IOException {
      ImageFormat f = ImageFormat.parse(format);
      OutputPaths.requireWritableDirectory(out, "--out");
      SyntheticFaces faces = new SyntheticFaces(identities, perIdentity, seed);
      if (packed) {
        print(faces.writePacked(out, f), out);
      } else {
        int n = intoNewFolder(out, () -> faces.writeFolder(out, f));
        System.out.println(
            "wrote " + n + " synthetic images of " + identities + " identities into " + out);
      }
      return 0;
    }
  }
}
