package io.github.ringloss4j.app.cli;

import io.github.ringloss4j.app.data.GalleryFiles;
import io.github.ringloss4j.metrics.LuceneGalleryWriter;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code ringloss unenroll}: removes identities from a Lucene gallery, in one atomic commit. */
@Command(
    name = "unenroll",
    mixinStandardHelpOptions = true,
    description = {
      "Remove identities, by name, from a Lucene gallery ('ringloss enroll --index lucene'): one"
          + " atomic commit, so a kill leaves the gallery as it was. Every NAME must be enrolled"
          + " and at least one identity must remain. An exact gallery is written once: enroll"
          + " again without the identity instead.",
      "The open-set threshold is kept; it was calibrated with more identities, so FPIR at it is"
          + " now no higher."
    })
public final class UnenrollCommand implements Callable<Integer> {

  @Parameters(index = "0", paramLabel = "GALLERY", description = "The Lucene gallery directory.")
  Path galleryDir;

  @Parameters(
      index = "1..*",
      arity = "1..*",
      paramLabel = "NAME",
      description = "The identities to remove.")
  List<String> names;

  @Override
  public Integer call() throws Exception {
    if (!GalleryFiles.readInfo(galleryDir).lucene()) {
      throw new IllegalArgumentException(
          "GALLERY "
              + galleryDir
              + " is an exact gallery, which is written once: enroll again without the identity"
              + " (or use --index lucene for a gallery that changes)");
    }
    GalleryFiles.Info info = GalleryFiles.luceneInfo(galleryDir);
    try (LuceneGalleryWriter writer =
        GalleryFiles.luceneWriter(galleryDir, info.dimension(), null)) {
      for (String name : new LinkedHashSet<>(names)) {
        if (!writer.contains(name)) {
          throw new IllegalArgumentException(
              "NAME '" + name + "' is not enrolled in GALLERY " + galleryDir);
        }
        writer.remove(name);
      }
      if (writer.size() == 0) {
        throw new IllegalArgumentException(
            "removing every identity would leave GALLERY "
                + galleryDir
                + " empty; delete the directory instead");
      }
      GalleryFiles.commitLucene(
          galleryDir,
          writer,
          info.withIdentities(writer.size(), info.enrolledImages(), info.index()));
      System.out.printf(
          Locale.ROOT,
          "removed %d identities from %s: %d remain%n",
          info.identities() - writer.size(),
          galleryDir,
          writer.size());
    }
    return 0;
  }
}
