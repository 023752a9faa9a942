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
import io.github.ringloss4j.metrics.GallerySearch;
import io.github.ringloss4j.metrics.LuceneGallery;
import io.github.ringloss4j.metrics.LuceneGalleryWriter;
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
          + " every enrolled identity.",
      "With --index lucene, GALLERY holds a Lucene index (GALLERY/index: one document per"
          + " identity, an HNSW graph over the templates) and gallery.json; 'identify' searches it"
          + " for a shortlist and re-scores that exactly. Enrolling into an existing Lucene gallery"
          + " adds the identities of DIR (with the same model), each change one atomic commit;"
          + " 'ringloss unenroll' removes identities."
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
      names = "--index",
      paramLabel = "KIND",
      defaultValue = GalleryFiles.EXACT,
      description =
          "How the gallery is stored and searched: 'exact' (embeddings.npy and names.txt, exact"
              + " search) or 'lucene' (a Lucene HNSW index, an approximate shortlist re-scored"
              + " exactly; --out may then be an existing Lucene gallery to add to). Default:"
              + " ${DEFAULT-VALUE}.")
  String index;

  @Option(
      names = "--hnsw-m",
      paramLabel = "M",
      description =
          "With --index lucene: the HNSW graph's neighbours per node, in [1, 512]. Default:"
              + " Lucene's 16, or an existing gallery's own.")
  Integer hnswM;

  @Option(
      names = "--hnsw-beam",
      paramLabel = "WIDTH",
      description =
          "With --index lucene: the candidates considered per insertion into the graph, in [1,"
              + " 3200]. Default: Lucene's 100, or an existing gallery's own.")
  Integer hnswBeam;

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
    OptionChecks.require(
        index.equals(GalleryFiles.EXACT) || index.equals(GalleryFiles.LUCENE),
        "--index",
        index,
        "'" + GalleryFiles.EXACT + "' or '" + GalleryFiles.LUCENE + "'");
    boolean lucene = index.equals(GalleryFiles.LUCENE);
    LuceneGallery.Hnsw hnsw = hnsw(lucene);
    // Refused before any work, as export refuses: a usage error, exit 2.
    OutputPaths.requireWritableDirectory(out, "--out");
    GalleryFiles.Info previous = null;
    if (Files.exists(out) && !StagingDirectory.isEmptyDirectory(out)) {
      previous = lucene ? existingLuceneGallery() : null;
      if (previous == null) {
        throw new IllegalArgumentException(
            "--out "
                + out
                + " exists and is not an empty directory"
                + (lucene ? " nor a Lucene gallery" : "")
                + "; choose another");
      }
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
      if (previous != null) {
        requireSameModel(previous.model(), embedder.info());
      }
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
      Enrolment e = new Enrolment(enrolment, calibration, embedder, embeddings.length, target);
      if (lucene) {
        enrollLucene(e, names, templates, hnsw, previous);
        return 0;
      }
      try (Gallery gallery = Gallery.of(manager, names, templates)) {
        enrolled(e, gallery.size(), gallery.dimension());
        OpenSetThreshold.Calibration c = calibration == null ? null : calibrate(gallery, e);
        GalleryFiles.write(out, gallery, info(e, gallery.size(), gallery.dimension(), c, null));
        report(c);
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

  /** What one enrolment works with. */
  private record Enrolment(
      ImageFolder enrolment,
      ImageFolder calibration,
      ModelEmbedder embedder,
      int images,
      double target) {}

  /** The graph parameters given, checked and named as options; null when neither was given. */
  private LuceneGallery.Hnsw hnsw(boolean lucene) {
    if (hnswM == null && hnswBeam == null) {
      return null;
    }
    if (!lucene) {
      throw new IllegalArgumentException(
          (hnswM != null ? "--hnsw-m" : "--hnsw-beam")
              + " sets the graph of a Lucene gallery: it needs --index "
              + GalleryFiles.LUCENE);
    }
    int m = hnswM == null ? LuceneGallery.Hnsw.DEFAULTS.maxConn() : hnswM;
    int beam = hnswBeam == null ? LuceneGallery.Hnsw.DEFAULTS.beamWidth() : hnswBeam;
    OptionChecks.require(m >= 1 && m <= 512, "--hnsw-m", m, "in [1, 512]");
    OptionChecks.require(beam >= 1 && beam <= 3200, "--hnsw-beam", beam, "in [1, 3200]");
    return new LuceneGallery.Hnsw(m, beam);
  }

  /**
   * The information of the Lucene gallery in --out, to add to; null when --out holds no gallery.
   */
  private GalleryFiles.Info existingLuceneGallery() throws IOException {
    if (!Files.isRegularFile(out.resolve(GalleryFiles.INFO))) {
      return null;
    }
    if (!GalleryFiles.readInfo(out).lucene()) {
      throw new IllegalArgumentException(
          "--out "
              + out
              + " is an exact gallery, which is written once: enroll into a new --out, or create"
              + " a Lucene gallery (--index lucene) to add identities to later");
    }
    return GalleryFiles.luceneInfo(out);
  }

  private void requireSameModel(GalleryFiles.Model enrolled, GalleryFiles.Model used) {
    if (!enrolled.weightsSha256().equals(used.weightsSha256())
        || enrolled.embeddingSize() != used.embeddingSize()) {
      throw new IllegalArgumentException(
          "--out "
              + out
              + " was enrolled with the "
              + enrolled.kind()
              + " model "
              + enrolled.path()
              + " (d = "
              + enrolled.embeddingSize()
              + ", weights SHA-256 "
              + enrolled.weightsSha256()
              + "); MODEL "
              + model
              + " is another (d = "
              + used.embeddingSize()
              + ", weights SHA-256 "
              + used.weightsSha256()
              + "): enroll into it with the model it holds");
    }
  }

  /**
   * A new Lucene gallery (staged, then renamed) or identities added to an existing one: one commit,
   * with the calibration measured on the gallery as it will be searched.
   */
  private void enrollLucene(
      Enrolment e,
      List<String> names,
      float[][] templates,
      LuceneGallery.Hnsw hnsw,
      GalleryFiles.Info previous)
      throws IOException {
    if (previous != null) {
      writeLucene(out, e, names, templates, hnsw, previous);
      return;
    }
    try (StagingDirectory staging = StagingDirectory.create(out)) {
      writeLucene(staging.path(), e, names, templates, hnsw, null);
      staging.commit();
    }
  }

  private void writeLucene(
      Path gallery,
      Enrolment e,
      List<String> names,
      float[][] templates,
      LuceneGallery.Hnsw hnsw,
      GalleryFiles.Info previous)
      throws IOException {
    int d = templates[0].length;
    try (LuceneGalleryWriter writer = GalleryFiles.luceneWriter(gallery, d, hnsw)) {
      for (int c = 0; c < names.size(); c++) {
        if (writer.contains(names.get(c))) {
          throw new IllegalArgumentException(
              "identity '"
                  + names.get(c)
                  + "' of DIR "
                  + dir
                  + " is already enrolled in --out "
                  + out
                  + ": remove it first ('ringloss unenroll') or rename its folder");
        }
        writer.add(names.get(c), templates[c]);
      }
      enrolled(e, names.size(), d);
      OpenSetThreshold.Calibration c = null;
      if (e.calibration() != null) {
        try (LuceneGallery view = writer.view(LuceneGallery.DEFAULT_SHORTLIST)) {
          c = calibrate(view, e);
        }
      }
      GalleryFiles.commitLucene(gallery, writer, info(e, writer.size(), d, c, previous));
      if (c == null && previous != null && previous.calibrated()) {
        System.err.printf(
            Locale.ROOT,
            "ringloss enroll: warning: the threshold %.6f was calibrated with %d identities; with %d"
                + " now its FPIR is higher: recalibrate with --calibrate DIR2%n",
            previous.threshold(),
            previous.identities(),
            writer.size());
      } else {
        report(c);
      }
      System.out.println(
          "wrote "
              + out
              + " ("
              + GalleryFiles.LUCENE_INDEX
              + "/, "
              + GalleryFiles.INFO
              + "): "
              + writer.size()
              + " identities");
    }
  }

  private void enrolled(Enrolment e, int identities, int d) {
    System.out.printf(
        Locale.ROOT,
        "enrolled %d identities from %d images (d = %d) with the %s model %s%n",
        identities,
        e.images(),
        d,
        e.embedder().info().kind(),
        model);
  }

  /**
   * The gallery's information: this enrolment's calibration, or (adding to a Lucene gallery without
   * one) the previous.
   */
  private GalleryFiles.Info info(
      Enrolment e,
      int identities,
      int d,
      OpenSetThreshold.Calibration c,
      GalleryFiles.Info previous) {
    int images = e.images() + (previous == null ? 0 : previous.enrolledImages());
    String kind = index;
    if (c == null && previous != null) {
      return previous.withIdentities(identities, images, kind);
    }
    return new GalleryFiles.Info(
        GalleryFiles.FORMAT,
        identities,
        d,
        images,
        previous == null ? e.embedder().info() : previous.model(),
        c == null ? Double.NaN : c.threshold(),
        c == null ? Double.NaN : c.targetFpir(),
        c == null ? Double.NaN : c.fpir(),
        c == null ? 0 : c.nonMatedProbes(),
        c == null ? Double.NaN : c.fnir(),
        c == null ? 0 : c.matedProbes(),
        c == null ? "" : calibrate.toAbsolutePath().normalize().toString(),
        kind);
  }

  private OpenSetThreshold.Calibration calibrate(GallerySearch gallery, Enrolment run)
      throws IOException {
    ImageFolder calibration = run.calibration();
    ModelEmbedder embedder = run.embedder();
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
    int reused = enrolledAgain(mated, run.enrolment());
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
        run.target());
  }

  private static void report(OpenSetThreshold.Calibration c) {
    if (c == null) {
      System.out.println(
          "no open-set threshold: 'identify' lists the best matches without a decision"
              + " (enroll with --calibrate DIR2, or pass identify --threshold)");
      return;
    }
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
