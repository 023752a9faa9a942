package io.github.ringloss4j.serving;

import static io.github.ringloss4j.serving.ServingTestSupport.combine;
import static io.github.ringloss4j.serving.ServingTestSupport.forward;
import static io.github.ringloss4j.serving.ServingTestSupport.handTensor;
import static io.github.ringloss4j.serving.ServingTestSupport.network;
import static io.github.ringloss4j.serving.ServingTestSupport.randomImage;
import static io.github.ringloss4j.serving.TorchScriptFixtures.D;
import static io.github.ringloss4j.serving.TorchScriptFixtures.INPUT;
import static io.github.ringloss4j.serving.TorchScriptFixtures.file;
import static io.github.ringloss4j.serving.TorchScriptFixtures.rows;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.inference.Predictor;
import ai.djl.modality.cv.Image;
import ai.djl.modality.cv.ImageFactory;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.repository.zoo.ZooModel;
import io.github.ringloss4j.backbone.Backbones;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A network that is none of ours, traced by torch 1.13 ({@code tiny.pt}, see {@link
 * TorchScriptFixtures}), imported with {@link EmbeddingModels#importTorchScript} and served through
 * {@link EmbeddingModels#criteria(Path, EmbeddingNetworks)}: torch's own outputs, the project's
 * preprocessing around it, and the refusals.
 */
class TorchScriptModelsTest {

  private static final EmbeddingNetworks OPT_IN = EmbeddingNetworks.builtIn().withTorchScript();

  /**
   * DJL's libtorch 2.7.1 against torch 1.13's outputs. Measured: max |difference| 8.9e-8 over the
   * three inputs' 192 values (of order 0.1 to 1); 1e-6 is float32 rounding of sums of a few hundred
   * products, with room.
   */
  private static final float TOLERANCE = 1e-6f;

  @TempDir static Path shared;
  static Path imported;

  @BeforeAll
  static void importTheFixture() throws Exception {
    imported =
        EmbeddingModels.importTorchScript(
            file("tiny.pt"), Preprocessing.of(INPUT), shared.resolve("imported"));
  }

  private static float maxAbsDifference(float[] expected, float[] actual) {
    assertEquals(expected.length, actual.length, "length");
    float max = 0;
    for (int j = 0; j < expected.length; j++) {
      max = Math.max(max, Math.abs(expected[j] - actual[j]));
    }
    return max;
  }

  @Test
  void theImportedDirectoryHoldsTheFileAndTheConfiguration() throws Exception {
    assertArrayEquals(
        Files.readAllBytes(file("tiny.pt")), Files.readAllBytes(imported.resolve("embedding.pt")));
    try (var entries = Files.list(imported)) {
      assertEquals(
          List.of("embedding.pt", ServingConfig.FILE),
          entries.map(p -> p.getFileName().toString()).sorted().toList());
    }
    ModelDirectory dir = ModelDirectory.open(imported, OPT_IN);
    assertTrue(dir.isTorchScript());
    assertEquals(imported.resolve("embedding.pt"), dir.parameters());
    assertEquals("PyTorch", dir.engine());
    assertEquals(
        new ServingConfig(EmbeddingNetworks.TORCHSCRIPT, D, Preprocessing.of(INPUT)), dir.config());
    // No temporary directory is left beside it.
    try (var siblings = Files.list(shared)) {
      assertEquals(List.of(imported), siblings.toList());
    }
  }

  @Test
  void theLoadedModelGivesTorchsOutputs() throws Exception {
    float[][] inputs = rows("inputs.f32", 3 * 112 * 112);
    float[][] torch = rows("outputs.f32", D);
    assertEquals(2, inputs.length);
    assertEquals(3, torch.length);
    float[][] all = {inputs[0], inputs[1], new float[3 * 112 * 112]};
    try (ZooModel<Image, float[]> model = EmbeddingModels.criteria(imported, OPT_IN).loadModel()) {
      float[][] djl = forward(model.getBlock(), INPUT, all);
      float max = 0;
      for (int i = 0; i < all.length; i++) {
        max = Math.max(max, maxAbsDifference(torch[i], djl[i]));
      }
      assertTrue(max <= TOLERANCE, "max |DJL - torch| = " + max);
      // Not vacuous: the outputs differ between inputs by far more than the tolerance.
      assertTrue(maxAbsDifference(torch[0], torch[1]) > 1000 * TOLERANCE);
    }
  }

  @Test
  void anImageServesAsThePreprocessedTensorThroughTheModel(@TempDir Path tmp) throws Exception {
    Random random = new Random(22);
    BufferedImage picture = randomImage(3, 112, 112, random);
    Image image = ImageFactory.getInstance().fromImage(picture);
    Block reference;
    try (ZooModel<Image, float[]> model = EmbeddingModels.criteria(imported, OPT_IN).loadModel()) {
      reference = model.getBlock();
      for (boolean flipSum : new boolean[] {false, true}) {
        for (boolean l2 : new boolean[] {false, true}) {
          Preprocessing p =
              Preprocessing.of(INPUT)
                  .withNormalization(
                      new float[] {0.5f, 0.4f, 0.3f}, new float[] {0.5f, 0.25f, 0.2f})
                  .withFlipSum(flipSum)
                  .withL2Normalize(l2);
          Path dir =
              EmbeddingModels.importTorchScript(
                  file("tiny.pt"), p, tmp.resolve("served-" + flipSum + "-" + l2));
          float[] served;
          try (ZooModel<Image, float[]> served0 =
                  EmbeddingModels.criteria(dir, OPT_IN).loadModel();
              Predictor<Image, float[]> predictor = served0.newPredictor()) {
            served = predictor.predict(image);
          }
          float[][] rows =
              flipSum
                  ? forward(
                      reference, INPUT, handTensor(picture, p, false), handTensor(picture, p, true))
                  : forward(reference, INPUT, handTensor(picture, p, false));
          float[] expected = combine(rows, l2);
          String what = "flipSum " + flipSum + ", l2 " + l2;
          assertTrue(maxAbsDifference(expected, served) <= 1e-5f, what);
          if (l2) {
            double norm = 0;
            for (float v : served) {
              norm += (double) v * v;
            }
            assertEquals(1.0, Math.sqrt(norm), 1e-5, what);
          }
        }
      }
    }
  }

  @Test
  void withoutTheOptInTheDirectoryIsRefusedSayingHowToOptIn() {
    for (EmbeddingNetworks networks :
        List.of(
            EmbeddingNetworks.builtIn(),
            EmbeddingNetworks.builtIn()
                .with("mine", (d, input) -> ServingTestSupport.ownNetwork(d)))) {
      MalformedModelException e =
          assertThrows(
              MalformedModelException.class, () -> EmbeddingModels.criteria(imported, networks));
      assertTrue(
          e.getMessage().startsWith(imported.resolve(ServingConfig.FILE) + ": "), e.getMessage());
      assertTrue(e.getMessage().contains("TorchScript"), e.getMessage());
      assertTrue(
          e.getMessage().contains("EmbeddingNetworks.builtIn().withTorchScript()"), e.getMessage());
    }
    assertThrows(MalformedModelException.class, () -> EmbeddingModels.criteria(imported));
    assertThrows(MalformedModelException.class, () -> ModelDirectory.open(imported));
    // DJL's by-name path makes the factory with the built-in networks: refused the same way.
    try (Model model = Model.newInstance(EmbeddingModels.MODEL_NAME)) {
      assertThrows(
          IllegalArgumentException.class,
          () ->
              new EmbeddingBlockFactory()
                  .newBlock(
                      model,
                      imported,
                      new ServingConfig(EmbeddingNetworks.TORCHSCRIPT, D, Preprocessing.of(INPUT))
                          .toArguments()));
    }
  }

  @Test
  void theOptInKeepsTheRegistrationsAndTheNameIsReserved() {
    EmbeddingNetworks mine =
        EmbeddingNetworks.builtIn().with("mine", (d, input) -> ServingTestSupport.ownNetwork(d));
    assertFalse(mine.contains("torchscript"));
    EmbeddingNetworks both = mine.withTorchScript();
    assertTrue(both.allowsTorchScript());
    assertTrue(both.contains("mine"));
    assertTrue(both.contains("TorchScript"));
    assertTrue(both.with("other", (d, input) -> null).allowsTorchScript());
    IllegalArgumentException reserved =
        assertThrows(
            IllegalArgumentException.class,
            () -> EmbeddingNetworks.builtIn().with("torchscript", (d, input) -> null));
    assertTrue(reserved.getMessage().contains("reserved"), reserved.getMessage());
    assertThrows(IllegalArgumentException.class, () -> both.newBlock("torchscript", D, INPUT));
  }

  @Test
  void exportRefusesTheReservedName(@TempDir Path tmp) throws Exception {
    Backbones.Input input = Backbones.defaultInput("cnn");
    try (NDManager manager = NDManager.newBaseManager()) {
      Block cnn = network("cnn", 4, input, manager, 3);
      assertThrows(
          IllegalArgumentException.class,
          () ->
              EmbeddingModels.export(
                  cnn, "torchscript", 4, Preprocessing.of(input), tmp.resolve("x"), OPT_IN));
    }
    assertFalse(Files.exists(tmp.resolve("x")));
  }

  /** Import fails naming the file, and leaves nothing behind. */
  private static String importRefused(Path traced, Preprocessing p, Path tmp) throws Exception {
    Path out = tmp.resolve("out");
    MalformedModelException e =
        assertThrows(
            MalformedModelException.class, () -> EmbeddingModels.importTorchScript(traced, p, out));
    assertTrue(e.getMessage().startsWith(traced + ": "), e.getMessage());
    try (var left = Files.list(tmp)) {
      assertEquals(
          List.of(),
          left.filter(f -> f.getFileName().toString().matches("\\.?out.*")).toList(),
          "nothing left behind");
    }
    return e.getMessage();
  }

  @Test
  void aFileThatIsNotTorchScriptIsRefusedAtImport(@TempDir Path tmp) throws Exception {
    Path garbage = Files.write(tmp.resolve("garbage.pt"), "not a model at all\n".getBytes());
    assertTrue(importRefused(garbage, Preprocessing.of(INPUT), tmp).contains("not a TorchScript"));
    Path stateDict = Files.copy(file("state_dict.pth"), tmp.resolve("state_dict.pth"));
    String message = importRefused(stateDict, Preprocessing.of(INPUT), tmp);
    assertTrue(message.contains("not a TorchScript") && message.contains("state_dict"), message);
    Files.delete(stateDict);
    Files.delete(garbage);
    assertThrows(
        NoSuchFileException.class,
        () ->
            EmbeddingModels.importTorchScript(
                tmp.resolve("absent.pt"), Preprocessing.of(INPUT), tmp.resolve("out")));
  }

  @Test
  void aWrongOutputOrInputShapeIsRefusedAtImport(@TempDir Path tmp) throws Exception {
    Path wrong = Files.copy(file("wrong_output.pt"), tmp.resolve("wrong_output.pt"));
    String message = importRefused(wrong, Preprocessing.of(INPUT), tmp);
    assertTrue(message.contains("one float32 array (1, d)"), message);
    assertTrue(message.contains("float32 (1, 16, 1, 1)"), message);
    Files.delete(wrong);

    Path pair = Files.copy(file("tuple_output.pt"), tmp.resolve("tuple_output.pt"));
    message = importRefused(pair, Preprocessing.of(INPUT), tmp);
    assertTrue(message.endsWith("it gave 2 array(s): float32 (1, 64), float32 (1)"), message);
    Files.delete(pair);

    Path tiny = Files.copy(file("tiny.pt"), tmp.resolve("tiny.pt"));
    // Grey input: the first convolution wants 3 channels.
    message = importRefused(tiny, Preprocessing.of(new Backbones.Input(1, 112, 112)), tmp);
    assertTrue(message.contains("zero input (1, 1, 112, 112) failed"), message);
    assertTrue(message.endsWith("but got 1 channels instead"), message);
  }

  @Test
  void mixturesAreRefusedNamingTheFile(@TempDir Path tmp) throws Exception {
    for (String extra : List.of("embedding-0000.params", "old-0003.params", "embedding")) {
      Path dir = Files.createDirectories(tmp.resolve("ts-" + extra));
      for (String f : List.of("embedding.pt", ServingConfig.FILE)) {
        Files.copy(imported.resolve(f), dir.resolve(f));
      }
      Files.write(dir.resolve(extra), new byte[] {1, 2, 3});
      MalformedModelException e =
          assertThrows(MalformedModelException.class, () -> ModelDirectory.open(dir, OPT_IN));
      assertTrue(e.getMessage().startsWith(dir.resolve(extra) + ": refused"), e.getMessage());
    }

    Backbones.Input input = Backbones.defaultInput("cnn");
    Path exported;
    try (NDManager manager = NDManager.newBaseManager()) {
      Block cnn = network("cnn", 4, input, manager, 4);
      exported = EmbeddingModels.export(cnn, "cnn", 4, Preprocessing.of(input), tmp.resolve("e"));
    }
    Files.copy(file("tiny.pt"), exported.resolve("model.pt"));
    MalformedModelException e =
        assertThrows(MalformedModelException.class, () -> ModelDirectory.open(exported, OPT_IN));
    assertTrue(
        e.getMessage().startsWith(exported.resolve("model.pt") + ": refused"), e.getMessage());

    Path missing = Files.createDirectories(tmp.resolve("missing"));
    Files.copy(imported.resolve(ServingConfig.FILE), missing.resolve(ServingConfig.FILE));
    NoSuchFileException absent =
        assertThrows(NoSuchFileException.class, () -> ModelDirectory.open(missing, OPT_IN));
    assertEquals(missing.resolve("embedding.pt").toString(), absent.getFile());
  }
}
