package io.github.ringloss4j.app.cli;

import io.github.ringloss4j.app.data.Packing;
import io.github.ringloss4j.app.io.OutputPaths;
import io.github.ringloss4j.app.recordio.Degradation;
import io.github.ringloss4j.app.recordio.FaceVariation;
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
        "Generate a synthetic stand-in for a face set: N identities x M RGB images, deterministic"
            + " for a seed (each image a pure function of seed, identity and image). By default"
            + " (--variation face) faces vary in pose (rotation, scale, a horizontal squeeze),"
            + " expression, directional light and occluders (a bar, glasses); identities come in"
            + " look-alike families; and a quality tail of images is degraded (downsampled to 8-32"
            + " px at side 112, proportionally less at smaller sides but at least 6 px, and back;"
            + " blurred, noised, JPEG-compressed at quality 10-40) at levels 1 (mild) to 3"
            + " (severe). --variation none gives the plain generator (a smooth"
            + " random face varied by shift, brightness, tint and noise); any option below"
            + " overrides the preset's value.",
        "",
        "Writes an image folder, or with --packed a packed data set, plus quality.csv (one row"
            + " per image: identity, label, image, item, family, side, blur, jpeg_quality, noise,"
            + " level 0-3, quality high/low) and contact-sheet.png (families, unrelated faces, one"
            + " identity at levels 0-3, the set's first images) beside it."
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

    @Option(
        names = "--variation",
        defaultValue = "face",
        paramLabel = "face|none",
        description =
            "The preset of the options below: face (the stand-in; the defaults shown) or none"
                + " (all 0, families of 1: the plain generator, whose 112-px images are those of"
                + " earlier releases). Default: ${DEFAULT-VALUE}.")
    String variation;

    @Option(
        names = "--side",
        paramLabel = "PX",
        description = "Image side, 16-224; the faces are drawn at that side. Default: 112.")
    Integer side;

    @Option(
        names = "--rotation",
        paramLabel = "DEG",
        description = "Largest in-plane rotation, +- degrees, 0-45. Default: 10.")
    Double rotation;

    @Option(
        names = "--scale",
        paramLabel = "F",
        description = "Largest change of scale, +- fraction, 0-0.3. Default: 0.08.")
    Double scale;

    @Option(
        names = "--pose",
        paramLabel = "F",
        description =
            "Largest horizontal squeeze, 0-0.6: the features move sideways by up to this fraction"
                + " of the face's half-width, one half compressed (a turned head). Default: 0.3.")
    Double pose;

    @Option(
        names = "--expression",
        paramLabel = "F",
        description =
            "Strength of expressions, 0-1: mouth opening, smile or frown, eye openness. Default:"
                + " 0.6.")
    Double expression;

    @Option(
        names = "--illumination",
        paramLabel = "F",
        description =
            "Strongest directional light, 0-1: a linear shading ramp in a random direction, up to"
                + " this relative change from the centre to an edge. Default: 0.4.")
    Double illumination;

    @Option(
        names = "--occlusion",
        paramLabel = "P",
        description =
            "Probability of an occluder, 0-1: a dark bar across the face or glasses (clear to"
                + " dark), half each. Default: 0.1.")
    Double occlusion;

    @Option(
        names = "--family-size",
        paramLabel = "K",
        description =
            "Identities per look-alike family (identity i is in family i / K), 1-10000; 1 makes"
                + " identities independent. Default: 4.")
    Integer familySize;

    @Option(
        names = "--family-spread",
        paramLabel = "F",
        description =
            "How far a family member's face is from its family's parent, (0, 1]: each face"
                + " parameter is parent + F x (own - parent); 1 is an independent face. Default:"
                + " 0.35.")
    Double familySpread;

    @Option(
        names = "--low-quality-share",
        paramLabel = "F",
        description =
            "Share of degraded images, 0-1, in every identity (the count rounded at random), each"
                + " at a level 1-3 drawn per image. Default: 0.3.")
    Double lowQualityShare;

    /** The variation: the preset's values, overridden by the options given. */
    FaceVariation faceVariation() {
      FaceVariation p = FaceVariation.preset(variation);
      return new FaceVariation(
          side != null ? side : p.side(),
          rotation != null ? rotation : p.rotation(),
          scale != null ? scale : p.scale(),
          pose != null ? pose : p.pose(),
          expression != null ? expression : p.expression(),
          illumination != null ? illumination : p.illumination(),
          occlusion != null ? occlusion : p.occlusion(),
          familySize != null ? familySize : p.familySize(),
          familySpread != null ? familySpread : p.familySpread(),
          lowQualityShare != null ? lowQualityShare : p.lowQualityShare());
    }

    @Override
    public Integer call() throws IOException {
      ImageFormat f = ImageFormat.parse(format);
      FaceVariation v = faceVariation();
      OutputPaths.requireWritableDirectory(out, "--out");
      SyntheticFaces faces = new SyntheticFaces(identities, perIdentity, seed, v);
      if (packed) {
        print(faces.writePacked(out, f), out);
      } else {
        int n = intoNewFolder(out, () -> faces.writeFolder(out, f));
        System.out.println(
            "wrote " + n + " synthetic images of " + identities + " identities into " + out);
      }
      System.out.println(
          "wrote "
              + out.resolve(Degradation.FILE_NAME)
              + " (each image's degradation) and "
              + out.resolve("contact-sheet.png"));
      return 0;
    }
  }
}
