package io.github.ringloss4j.app.cli;

import ai.djl.ndarray.NDManager;
import io.github.ringloss4j.app.data.GalleryFiles;
import io.github.ringloss4j.app.data.ImageFolder;
import io.github.ringloss4j.app.eval.ModelEmbedder;
import io.github.ringloss4j.app.io.DataFormatException;
import io.github.ringloss4j.app.io.OptionChecks;
import io.github.ringloss4j.app.io.OutputPaths;
import io.github.ringloss4j.app.io.RunLock;
import io.github.ringloss4j.app.io.StagingDirectory;
import io.github.ringloss4j.app.train.Checkpoint;
import io.github.ringloss4j.metrics.Gallery;
import io.github.ringloss4j.metrics.OpenSetThreshold;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ringloss enroll}: a gallery of identities for 1:N search ({@link Gallery}), optionally
 * with an open-set threshold calibrated at a false-positive identification rate ({@link
 * OpenSetThreshold}), written as {@link GalleryFiles}.
 */
@Command(
    name = "enroll",
    mixinStandardHelpOptions = true,
    description = {
      "Enroll one identity per sub-folder of DIR into a gallery for 'ringloss identify': each"
          + " identity's template is the L2-normalised mean of its images' L2-normalised"
          + " embeddings. Writes GALLERY/embeddings.npy (float32 [identities, d]), names.txt (one"
          + " name per line, UTF-8) and gallery.json (model, threshold, rates).",
      "With --calibrate DIR2 (one sub-folder per identity: folders of identities NOT in DIR give"
          + " the non-mated probes, folders named as enrolled identities the mated ones, other"
          + " images than those enrolled), the open-set threshold is the smallest score whose"
          + " false-positive identification rate on the non-mated probes is <= --fpir, and the"
          + " false-negative identification rate there is measured on the mated ones. A 1:1"
          + " verification threshold is not an open-set threshold: a search compares a probe with"
          + " every enrolled identity."
    })
public final class EnrollCommand implements Callable<Integer> {

  @Parameters(
      index = "0",
      paramLabel = "MODEL",
      description =
          "An exported model directory ('ringloss export'; loaded with DJL's Criteria as a service"
              + " would) or a run directory.")
  Path model;

  @Parameters(
      index = "1",
      paramLabel = "DIR",
      description = "One sub-folder of .jpg/.png images per identity; the folder name is the name.")
  Path dir;

  @Option(
      names = "--out",
      paramLabel = "GALLERY",
      required = true,
      description = "The gallery directory to create; it must not exist or be empty.")
  Path out;

  @Option(
      names = "--calibrate",
      paramLabel = "DIR2",
      description =
          "Calibration images, one sub-folder per identity: identities not enrolled (non-mated"
              + " probes, required) and enrolled ones (mated probes, optional).")
  Path calibrate;

  @Option(
      names = "--fpir",
      paramLabel = "RATE",
      description =
          "The target false-positive identification rate of the threshold, in (0, 1); needs"
              + " --calibrate. Default: 0.01.")
  Double fpir;

  @Option(
      names = "--batch-size",
      defaultValue = "32",
      description = "Images per forward pass. Default: ${DEFAULT-VALUE}.")
  int batchSize;

  @Mixin RuntimeOptions runtime;

  @Mixin TorchScriptTrust trust;

  @Override
  public Integer call() throws Exception {
    runtime.apply();
    OptionChecks.require(batchSize >= 1, "--batch-size", batchSize, ">= 1");
    if (fpir != null && calibrate == null) {
      throw new IllegalArgumentException("--fpir needs --calibrate DIR2 to measure it on");
    }
    double target = fpir == null ? 0.01 : fpir;
    OptionChecks.require(target > 0 && target < 1, "--fpir", target, "in (0, 1)");
    // Refused before any work, as export refuses: a usage error, exit 2.
    OutputPaths.requireWritableDirectory(out, "--out");
    if (Files.exists(out) && !StagingDirectory.isEmptyDirectory(out)) {
      throw new IllegalArgumentException(
          "--out " + out + " exists and is not an empty directory; choose another");
    }
    ImageFolder enrolment = ImageFolder.scan(dir);
    ImageFolder calibration = calibrate == null ? null : ImageFolder.scan(calibrate);
    // One writer per run directory: when the gallery goes inside the run it reads.
    RunLock lock =
        RunLock.forOutput(
            Checkpoint.directoryOf(model), out, CommandLines.current("enroll", model));
    try (lock;
        ModelEmbedder embedder = ModelEmbedder.open(model, trust.networks());
        NDManager manager = NDManager.newBaseManager()) {
      float[][] embeddings = embedder.embed(paths(enrolment.entries()), batchSize);
      List<String> names = enrolment.classNames();
      float[][] templates = new float[names.size()][];
      for (int c = 0; c < names.size(); c++) {
        try {
          templates[c] = Gallery.template(rowsOf(enrolment.entries(), embeddings, c));
        } catch (IllegalArgumentException e) {
          throw new DataFormatException(dir.resolve(names.get(c)), e.getMessage(), e);
        }
      }
      try (Gallery gallery = Gallery.of(manager, names, templates)) {
        System.out.printf(
            Locale.ROOT,
            "enrolled %d identities from %d images (d = %d) with the %s model %s%n",
            gallery.size(),
            embeddings.length,
            gallery.dimension(),
            embedder.info().kind(),
            model);
        OpenSetThreshold.Calibration c =
            calibration == null
                ? null
                : calibrate(gallery, calibration, enrolment, embedder, target);
        GalleryFiles.Info info =
            new GalleryFiles.Info(
                GalleryFiles.FORMAT,
                gallery.size(),
                gallery.dimension(),
                embeddings.length,
                embedder.info(),
                c == null ? Double.NaN : c.threshold(),
                c == null ? Double.NaN : c.targetFpir(),
                c == null ? Double.NaN : c.fpir(),
                c == null ? 0 : c.nonMatedProbes(),
                c == null ? Double.NaN : c.fnir(),
                c == null ? 0 : c.matedProbes(),
                c == null ? "" : calibrate.toAbsolutePath().normalize().toString());
        GalleryFiles.write(out, gallery, info);
        if (c != null) {
          report(c);
        } else {
          System.out.println(
              "no open-set threshold: 'identify' lists the best matches without a decision"
                  + " (enroll with --calibrate DIR2, or pass identify --threshold)");
        }
        System.out.println(
            "wrote "
                + out
                + " ("
                + String.join(", ", GalleryFiles.EMBEDDINGS, GalleryFiles.NAMES, GalleryFiles.INFO)
                + ")");
      }
    }
    return 0;
  }

  private OpenSetThreshold.Calibration calibrate(
      Gallery gallery,
      ImageFolder calibration,
      ImageFolder enrolment,
      ModelEmbedder embedder,
      double target)
      throws IOException {
    List<Path> nonMated = new ArrayList<>();
    List<Path> mated = new ArrayList<>();
    List<Integer> mates = new ArrayList<>();
    Set<String> outsiders = new HashSet<>();
    for (ImageFolder.Entry e : calibration.entries()) {
      String name = calibration.classNames().get(e.label());
      int mate = gallery.indexOf(name);
      if (mate < 0) {
        nonMated.add(e.path());
        outsiders.add(name);
      } else {
        mated.add(e.path());
        mates.add(mate);
      }
    }
    if (nonMated.isEmpty()) {
      throw new DataFormatException(
          calibrate,
          "every identity folder here is enrolled; FPIR is measured on probes of identities that"
              + " are not in the gallery: add folders of other identities");
    }
    int reused = enrolledAgain(mated, enrolment);
    float[][] nonMatedEmbeddings = embedder.embed(nonMated, batchSize);
    float[][] matedEmbeddings = embedder.embed(mated, batchSize);
    System.out.printf(
        Locale.ROOT,
        "calibrating on %s: %d images of %d identities not enrolled, %d images of enrolled"
            + " identities%n",
        calibrate,
        nonMated.size(),
        outsiders.size(),
        mated.size());
    if (reused > 0) {
      System.err.printf(
          Locale.ROOT,
          "ringloss enroll: warning: %d calibration images are also enrolled images; FNIR is"
              + " optimistic on them%n",
          reused);
    }
    return OpenSetThreshold.calibrate(
        gallery,
        nonMatedEmbeddings,
        matedEmbeddings,
        mates.stream().mapToInt(Integer::intValue).toArray(),
        target);
  }

  private static void report(OpenSetThreshold.Calibration c) {
    System.out.printf(
        Locale.ROOT,
        "threshold %.6f at target FPIR %s: FPIR %.4f (%d of %d non-mated), FNIR %s%n",
        c.threshold(),
        c.targetFpir(),
        c.fpir(),
        Math.round(c.fpir() * c.nonMatedProbes()),
        c.nonMatedProbes(),
        c.matedProbes() == 0
            ? "not measured (no mated images)"
            : String.format(
                Locale.ROOT,
                "%.4f (%d of %d mated)",
                c.fnir(),
                Math.round(c.fnir() * c.matedProbes()),
                c.matedProbes()));
    if (1.0 / c.nonMatedProbes() > c.targetFpir()) {
      System.out.printf(
          Locale.ROOT,
          "note: %d non-mated images resolve FPIR to 1/%d = %.4f, coarser than %s: the threshold"
              + " lies above all of them; use at least %d for this target%n",
          c.nonMatedProbes(),
          c.nonMatedProbes(),
          1.0 / c.nonMatedProbes(),
          c.targetFpir(),
          (int) Math.ceil(10 / c.targetFpir()));
    }
  }

  /** The calibration images that are also enrolled images (the same file). */
  private static int enrolledAgain(List<Path> mated, ImageFolder enrolment) throws IOException {
    Set<Path> enrolled = new HashSet<>();
    for (ImageFolder.Entry e : enrolment.entries()) {
      enrolled.add(e.path().toRealPath());
    }
    int count = 0;
    for (Path p : mated) {
      count += enrolled.contains(p.toRealPath()) ? 1 : 0;
    }
    return count;
  }

  private static List<Path> paths(List<ImageFolder.Entry> entries) {
    return entries.stream().map(ImageFolder.Entry::path).toList();
  }

  private static float[][] rowsOf(List<ImageFolder.Entry> entries, float[][] rows, int label) {
    List<float[]> out = new ArrayList<>();
    for (int i = 0; i < entries.size(); i++) {
      if (entries.get(i).label() == label) {
        out.add(rows[i]);
      }
    }
    return out.toArray(new float[0][]);
  }
}
