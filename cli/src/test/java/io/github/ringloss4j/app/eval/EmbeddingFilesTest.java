package io.github.ringloss4j.app.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.ringloss4j.app.io.DecodedNpy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddingFilesTest {

  @TempDir Path dir;

  /** Rows 0–1 in one pass, row 2 (a zero vector) in the next; d = 2. */
  private static void writeThreeRows(EmbeddingFiles out) throws IOException {
    out.accept(
        new Embedder.Rows(
            0,
            2,
            new float[] {3f, 4f, -1f, 0f},
            new float[] {5f, 1f},
            new int[] {7, 8},
            new int[] {7, 2},
            new String[] {"a.png", "b,c.png"}));
    out.accept(
        new Embedder.Rows(
            2,
            2,
            new float[] {0f, 0f},
            new float[] {0f},
            new int[] {9},
            new int[] {9},
            new String[] {"z.png"}));
  }

  private Map<String, byte[]> contents() throws IOException {
    Map<String, byte[]> all = new TreeMap<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.toList()) {
        all.put(f.getFileName().toString(), Files.readAllBytes(f));
      }
    }
    return all;
  }

  @Test
  void batchesArriveAsTheFiveFilesEmbedWrites() throws IOException {
    try (EmbeddingFiles out = new EmbeddingFiles(dir, 3)) {
      writeThreeRows(out);
      out.commit();
      assertEquals(3, out.written());
      assertEquals(2, out.dimension());
    }
    DecodedNpy raw = DecodedNpy.read(dir.resolve("embeddings.npy"));
    assertArrayEquals(new long[] {3, 2}, raw.shape());
    assertArrayEquals(new float[] {3f, 4f, -1f, 0f, 0f, 0f}, raw.floats());
    // (3, 4) / 5 = (0.6, 0.8); (−1, 0) / 1; the zero vector stays zero.
    assertArrayEquals(
        new float[] {0.6f, 0.8f, -1f, 0f, 0f, 0f},
        DecodedNpy.read(dir.resolve("embeddings_normalized.npy")).floats());
    assertArrayEquals(new float[] {5f, 1f, 0f}, DecodedNpy.read(dir.resolve("norms.npy")).floats());
    assertArrayEquals(new long[] {7, 8, 9}, DecodedNpy.read(dir.resolve("labels.npy")).longs());
    List<String> lines = Files.readAllLines(dir.resolve("embeddings.csv"));
    assertEquals(
        List.of(
            "source,label,norm,f0,f1,u0,u1",
            "a.png,7,5.0,3.0,4.0,0.6,0.8",
            "\"b,c.png\",8,1.0,-1.0,0.0,-1.0,0.0",
            "z.png,9,0.0,0.0,0.0,0.0,0.0"),
        lines);
    assertEquals(EmbeddingFiles.FILES.stream().sorted().toList(), List.copyOf(contents().keySet()));
  }

  @Test
  void aRunThatStopsShortLeavesTheEarlierOutputWhole() throws IOException {
    try (EmbeddingFiles out = new EmbeddingFiles(dir, 3)) {
      writeThreeRows(out);
      out.commit();
    }
    Map<String, byte[]> before = contents();
    // Declared 4 rows, 3 arrive (the source failed, or the process stopped): nothing is replaced.
    try (EmbeddingFiles out = new EmbeddingFiles(dir, 4)) {
      writeThreeRows(out);
      IllegalStateException e = assertThrows(IllegalStateException.class, out::commit);
      assertTrue(e.getMessage().contains("3 rows embedded, 4 were declared"), e.getMessage());
    }
    Map<String, byte[]> after = contents();
    assertEquals(before.keySet(), after.keySet(), "no temporary file is left");
    for (String name : before.keySet()) {
      assertArrayEquals(before.get(name), after.get(name), name);
    }
  }

  @Test
  void aFailedRunIntoANewDirectoryLeavesNoDirectory() throws IOException {
    Path fresh = dir.resolve("fresh");
    try (EmbeddingFiles out = new EmbeddingFiles(fresh, 4)) {
      writeThreeRows(out);
      // The fourth row never arrives: no commit.
    }
    assertTrue(Files.notExists(fresh), "the directory this output created is removed");
  }

  @Test
  void aChangeOfDimensionIsRefused() throws IOException {
    try (EmbeddingFiles out = new EmbeddingFiles(dir, 3)) {
      out.accept(
          new Embedder.Rows(
              0,
              2,
              new float[] {1f, 2f},
              new float[] {1f},
              new int[] {0},
              new int[] {0},
              new String[] {"a"}));
      IllegalStateException e =
          assertThrows(
              IllegalStateException.class,
              () ->
                  out.accept(
                      new Embedder.Rows(
                          1,
                          3,
                          new float[] {1f, 2f, 3f},
                          new float[] {1f},
                          new int[] {0},
                          new int[] {0},
                          new String[] {"b"})));
      assertTrue(e.getMessage().contains("changed from 2 to 3 at row 1"), e.getMessage());
    }
    assertEquals(List.of(), List.copyOf(contents().keySet()));
  }
}
