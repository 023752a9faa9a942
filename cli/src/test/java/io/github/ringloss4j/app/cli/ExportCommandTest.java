package io.github.ringloss4j.app.cli;

import static io.github.ringloss4j.app.cli.CliEndToEndTest.fails;
import static io.github.ringloss4j.app.cli.CliEndToEndTest.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.inference.Predictor;
import ai.djl.modality.cv.Image;
import ai.djl.modality.cv.ImageFactory;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ZooModel;
import io.github.ringloss4j.app.cli.CliEndToEndTest.Run;
import io.github.ringloss4j.app.io.DecodedNpy;
import io.github.ringloss4j.serving.EmbeddingModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ringloss export}: a service loads the network with Criteria and gets embed's vectors. */
class ExportCommandTest {

  @TempDir Path tmp;

  @Test
  void theExportedModelEmbedsAsEmbedDoes() throws Exception {
    Path faces = TinyData.faces(tmp.resolve("faces"), 3, 5, 3);
    Path run = tmp.resolve("run");
    ok(
        "train",
        "--data",
        faces.toString(),
        "--out",
        run.toString(),
        "--epochs",
        "1",
        "--batch-size",
        "4",
        "--embedding-size",
        "8",
        "--image-size",
        "16",
        "--channels",
        "3",
        "--validation-fraction",
        "0",
        "--no-progress");
    Path images = faces.resolve("id1");
    Path embedded = tmp.resolve("embedded");
    ok("embed", run.toString(), "--images", images.toString(), "--out", embedded.toString());
    Path exported = tmp.resolve("exported");
    ok("export", run.toString(), "--out", exported.toString());
    try (Stream<Path> files = Files.list(exported)) {
      // The embedding network's parameters and serving.properties: no head, ring or optimiser.
      assertEquals(
          List.of("embedding-0000.params", "serving.properties"),
          files.map(p -> p.getFileName().toString()).sorted().toList());
    }

    float[][] expected = DecodedNpy.read(embedded.resolve("embeddings_normalized.npy")).rows();
    List<Path> sorted;
    try (Stream<Path> files = Files.list(images)) {
      sorted = files.sorted().toList();
    }
    // The service's lines, as the README shows them.
    Criteria<Image, float[]> criteria = EmbeddingModels.criteria(exported);
    try (ZooModel<Image, float[]> model = criteria.loadModel();
        Predictor<Image, float[]> predictor = model.newPredictor()) {
      for (int i = 0; i < sorted.size(); i++) {
        float[] e = predictor.predict(ImageFactory.getInstance().fromFile(sorted.get(i)));
        assertEquals(8, e.length);
        for (int j = 0; j < e.length; j++) {
          assertEquals(expected[i][j], e[j], 1e-5f, "image " + sorted.get(i) + ", component " + j);
        }
      }
    }
    // A second export into the same place is refused, naming it.
    fails(2, "exported", "export", run.toString(), "--out", exported.toString());
    assertTrue(Files.exists(exported.resolve("serving.properties")));

    // A model directory is data: one that names a class or carries code is refused by enroll and
    // identify (exit 3, naming the file and the key or entry) before anything is loaded.
    Path gallery = tmp.resolve("gallery");
    ok("enroll", exported.toString(), faces.toString(), "--out", gallery.toString());
    Path refusedGallery = tmp.resolve("refused-gallery");
    Path properties = exported.resolve("serving.properties");
    String clean = Files.readString(properties);
    Files.writeString(
        properties,
        clean.replace(
            "blockFactory=io.github.ringloss4j.serving.EmbeddingBlockFactory",
            "blockFactory=java.lang.Runtime"));
    for (String command : List.of("enroll", "identify")) {
      String[] args =
          command.equals("enroll")
              ? new String[] {
                "enroll", exported.toString(), faces.toString(), "--out", refusedGallery.toString()
              }
              : new String[] {
                "identify", exported.toString(), gallery.toString(), sorted.get(0).toString()
              };
      Run r = fails(3, properties + ": blockFactory=java.lang.Runtime is refused", args);
      assertFalse(r.err().contains("\tat "), r.err());
    }
    Files.writeString(properties, clean);
    Files.createDirectories(exported.resolve("classes"));
    fails(
        3,
        exported + ": refused: the model directory carries code (classes)",
        "enroll",
        exported.toString(),
        faces.toString(),
        "--out",
        refusedGallery.toString());
    assertFalse(Files.exists(refusedGallery));
  }
}
