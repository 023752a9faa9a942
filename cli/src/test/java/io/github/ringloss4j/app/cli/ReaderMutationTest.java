package io.github.ringloss4j.app.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import io.github.ringloss4j.app.data.GalleryFiles;
import io.github.ringloss4j.app.data.PairsFile;
import io.github.ringloss4j.app.data.VerificationBin;
import io.github.ringloss4j.app.io.DataFormatException;
import io.github.ringloss4j.metrics.Gallery;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded mutations of valid gallery files ({@code embeddings.npy}, {@code names.txt}, {@code
 * gallery.json}), a pairs file and a {@code .bin}, each handed to its reader directly: every read
 * either returns a result of the valid file's structure (the same counts, finite values in range)
 * or throws a {@link DataFormatException} (or {@link NoSuchFileException}) whose message names the
 * file; never another exception, an error, or a non-finite number.
 */
class ReaderMutationTest {

  static final int PER_FILE = 400;

  @TempDir Path tmp;

  private final List<String> failures = new ArrayList<>();

  /** The reader under test, returning a description of what is wrong with its result, or null. */
  @FunctionalInterface
  interface Read {
    String check(Path file) throws Exception;
  }

  private void mutate(Path file, Random random, Read read) throws IOException {
    byte[] valid = Files.readAllBytes(file);
    String ok = call(file, read);
    assertEquals(null, ok, "the valid " + file);
    Mutations.Kind[] kinds = Mutations.Kind.values();
    for (int trial = 0; trial < PER_FILE; trial++) {
      Mutations.Kind kind = kinds[random.nextInt(kinds.length)];
      Files.write(file, Mutations.apply(valid, kind, random, 0, valid.length, valid.length - 1));
      String problem = call(file, read);
      if (problem != null) {
        failures.add(file.getFileName() + " trial " + trial + " " + kind + ": " + problem);
      }
    }
    Files.write(file, valid);
  }

  private static String call(Path file, Read read) {
    try {
      return read.check(file);
    } catch (DataFormatException | NoSuchFileException e) {
      return e.getMessage() != null && e.getMessage().contains(file.toString())
          ? null
          : "message does not name the file: " + e.getMessage();
    } catch (Throwable e) {
      return e.getClass().getName() + ": " + e.getMessage();
    }
  }

  @Test
  void mutatedFilesGiveAValidResultOrAnErrorNamingTheFile() throws IOException {
    Random random = new Random(20261201L);
    Path gallery = tmp.resolve("gallery");
    List<String> names = List.of("ada", "björk", "cy", "dee", "eve", "fox");
    float[][] rows = new float[names.size()][8];
    for (int r = 0; r < rows.length; r++) {
      rows[r][r] = 0.6f;
      rows[r][(r + 3) % 8] = -0.8f;
    }
    GalleryFiles.Model model =
        new GalleryFiles.Model("run", "/m", "tiny", 8, "x/255", "ab".repeat(32));
    GalleryFiles.Info info =
        new GalleryFiles.Info(
            1, 6, 8, 18, model, 0.4375, 0.01, 0.0, 20, 0.25, 8, "/c", GalleryFiles.EXACT);
    try (NDManager manager = NDManager.newBaseManager()) {
      try (Gallery g = Gallery.of(manager, names, rows)) {
        GalleryFiles.write(gallery, g, info);
      }
      Read readGallery =
          file -> {
            GalleryFiles.Loaded loaded = GalleryFiles.read(manager, gallery);
            try (Gallery g = loaded.gallery()) {
              GalleryFiles.Info i = loaded.info();
              float[] probe = rows[2];
              double best = g.search(new float[][] {probe}, 1).get(0).get(0).score();
              boolean ok =
                  g.size() == i.identities()
                      && g.dimension() == i.dimension()
                      && i.identities() >= 1
                      && Double.isFinite(best)
                      && (Double.isNaN(i.threshold()) || Math.abs(i.threshold()) <= 1.0001)
                      && (!i.calibrated() || Double.isFinite(i.targetFpir()));
              return ok ? null : "accepted with " + i + ", best score " + best;
            }
          };
      for (String f : List.of(GalleryFiles.EMBEDDINGS, GalleryFiles.NAMES, GalleryFiles.INFO)) {
        mutate(gallery.resolve(f), random, readGallery);
      }
    }
    Path pairs =
        Files.writeString(
            tmp.resolve("pairs.txt"),
            "2 2\nAlice 1 2\nBob 1 3\nAlice 1 Bob 2\nCarol 2 Dave 1\n"
                + "Carol 1 2\nDave 2 3\nBob 3 Carol 1\nDave 1 Alice 2\n");
    mutate(
        pairs,
        random,
        file -> {
          PairsFile p = PairsFile.parse(file);
          boolean ok =
              !p.pairs().isEmpty()
                  && p.folds() >= 1
                  && p.pairs().stream()
                      .allMatch(q -> q.index1() > 0 && q.index2() > 0 && q.fold() < p.folds());
          return ok ? null : "accepted " + p.pairs();
        });
    Path bin = tmp.resolve("tiny.bin");
    try {
      Files.copy(Path.of(getClass().getResource("/verification/tiny_py3.bin").toURI()), bin);
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
    mutate(
        bin,
        random,
        file -> {
          VerificationBin b = VerificationBin.read(file);
          boolean ok =
              b.pairCount() >= 1
                  && b.imageCount() == 2 * b.pairCount()
                  && b.image(b.imageCount() - 1).length > 0
                  && b.firstOccurrences().length == b.imageCount();
          return ok ? null : "accepted " + b.pairCount() + " pairs";
        });
    assertTrue(
        failures.isEmpty(), failures.size() + " mutations failed:\n" + String.join("\n", failures));
  }
}
