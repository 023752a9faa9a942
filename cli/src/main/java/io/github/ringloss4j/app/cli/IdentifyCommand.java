package io.github.ringloss4j.app.cli;

import ai.djl.ndarray.NDManager;
import io.github.ringloss4j.app.data.GalleryFiles;
import io.github.ringloss4j.app.eval.ModelEmbedder;
import io.github.ringloss4j.app.io.OptionChecks;
import io.github.ringloss4j.metrics.Gallery;
import io.github.ringloss4j.metrics.GallerySearch;
import io.github.ringloss4j.metrics.LuceneGallery;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ringloss identify}: who is in this image, among a gallery's identities, or nobody? */
@Command(
    name = "identify",
    mixinStandardHelpOptions = true,
    description = {
      "Search a gallery ('ringloss enroll') for each image: its exact top-k identities by cosine"
          + " similarity, and the decision at the gallery's open-set threshold: the best identity"
          + " when its score is >= the threshold, 'unknown' below it.",
      "Output: a line 'threshold …', then per image a line 'IMAGE: NAME (SCORE >= threshold T)' or"
          + " 'IMAGE: unknown (best NAME SCORE < threshold T)', followed by the top-k as"
          + " 'RANK<TAB>NAME<TAB>SCORE'. Exit code 0 whether the image is known or not; the"
          + " decision is the printed one. Equal scores are listed in enrolment order.",
      "A Lucene gallery ('enroll --index lucene') is searched through its HNSW graph for a"
          + " shortlist of --shortlist identities, which are re-scored exactly: the scores are"
          + " exact, and an identity the graph misses is not listed."
    })
public final class IdentifyCommand implements Callable<Integer> {

  @Parameters(
      index = "0",
      paramLabel = "MODEL",
      description = "The model the gallery was enrolled with (exported or run directory).")
  Path model;

  @Parameters(index = "1", paramLabel = "GALLERY", description = "The gallery directory.")
  Path galleryDir;

  @Parameters(index = "2..*", arity = "1..*", paramLabel = "IMAGE", description = "The images.")
  List<Path> images;

  @Option(
      names = "--top",
      defaultValue = "5",
      description = "How many identities to list per image. Default: ${DEFAULT-VALUE}.")
  int top;

  @Option(
      names = "--threshold",
      description =
          "Use this open-set threshold, a cosine in [-1, 1], instead of the gallery's (best"
              + " score >= threshold is accepted).")
  Double threshold;

  @Option(
      names = "--shortlist",
      paramLabel = "K",
      description =
          "For a Lucene gallery: the identities asked of the HNSW graph per image, re-scored"
              + " exactly (at least --top are asked; >= the gallery's size searches exactly)."
              + " Default: 100.")
  Integer shortlist;

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
    OptionChecks.require(top >= 1, "--top", top, ">= 1");
    OptionChecks.require(batchSize >= 1, "--batch-size", batchSize, ">= 1");
    OptionChecks.require(
        threshold == null || (threshold >= -1 && threshold <= 1),
        "--threshold",
        threshold,
        "a cosine in [-1, 1]");
    OptionChecks.require(shortlist == null || shortlist >= 1, "--shortlist", shortlist, ">= 1");
    try (NDManager manager = NDManager.newBaseManager()) {
      if (shortlist != null && !GalleryFiles.readInfo(galleryDir).lucene()) {
        throw new IllegalArgumentException(
            "--shortlist sets the search of a Lucene gallery; GALLERY "
                + galleryDir
                + " is exact (searched exactly, without a shortlist)");
      }
      GalleryFiles.Opened opened =
          GalleryFiles.open(
              manager, galleryDir, shortlist == null ? LuceneGallery.DEFAULT_SHORTLIST : shortlist);
      GalleryFiles.Info info = opened.info();
      try (GallerySearch gallery = opened.gallery();
          ModelEmbedder embedder = ModelEmbedder.open(model, trust.networks())) {
        GalleryFiles.Model used = embedder.info();
        if (used.embeddingSize() != gallery.dimension()) {
          throw new IllegalArgumentException(
              "MODEL "
                  + model
                  + " embeds in d = "
                  + used.embeddingSize()
                  + " but GALLERY "
                  + galleryDir
                  + " holds d = "
                  + gallery.dimension()
                  + "; identify with the model it was enrolled with ("
                  + info.model().path()
                  + ")");
        }
        if (!used.weightsSha256().equals(info.model().weightsSha256())) {
          System.err.println(
              "ringloss identify: warning: GALLERY "
                  + galleryDir
                  + " was enrolled with "
                  + info.model().kind()
                  + " model "
                  + info.model().path()
                  + ", whose weights differ from MODEL "
                  + model
                  + "'s; scores compare embeddings of two models unless this is the same network"
                  + " as a run and as an export");
        }
        double t = threshold != null ? threshold : info.threshold();
        System.out.println(thresholdLine(t, info));
        float[][] probes = embedder.embed(images, batchSize);
        List<List<Gallery.Match>> results = gallery.search(probes, top);
        for (int i = 0; i < images.size(); i++) {
          print(images.get(i), results.get(i), t);
        }
      }
    }
    return 0;
  }

  private String thresholdLine(double t, GalleryFiles.Info info) {
    if (threshold != null) {
      return String.format(Locale.ROOT, "threshold %.6f (--threshold)", t);
    }
    if (!info.calibrated()) {
      return "threshold none: the gallery was enrolled without --calibrate; best matches only";
    }
    return String.format(
        Locale.ROOT,
        "threshold %.6f (calibrated at FPIR %s on %d non-mated images: FPIR %.4f, FNIR %s)",
        t,
        info.targetFpir(),
        info.nonMatedImages(),
        info.fpir(),
        Double.isNaN(info.fnir())
            ? "not measured"
            : String.format(Locale.ROOT, "%.4f", info.fnir()));
  }

  private static void print(Path image, List<Gallery.Match> top, double t) {
    Gallery.Match best = top.get(0);
    if (Double.isNaN(t)) {
      System.out.printf(
          Locale.ROOT, "%s: best %s %.6f (no threshold)%n", image, best.name(), best.score());
    } else {
      Gallery.Decision decision = new Gallery.Decision(top, t);
      if (decision.isUnknown()) {
        System.out.printf(
            Locale.ROOT,
            "%s: unknown (best %s %.6f < threshold %.6f)%n",
            image,
            best.name(),
            best.score(),
            t);
      } else {
        System.out.printf(
            Locale.ROOT, "%s: %s (%.6f >= threshold %.6f)%n", image, best.name(), best.score(), t);
      }
    }
    for (int r = 0; r < top.size(); r++) {
      System.out.printf(
          Locale.ROOT, "  %d\t%s\t%.6f%n", r + 1, top.get(r).name(), top.get(r).score());
    }
  }
}
