package io.github.ringloss4j.serving;

import static io.github.ringloss4j.serving.ServingTestSupport.assertSameParameters;
import static io.github.ringloss4j.serving.ServingTestSupport.combine;
import static io.github.ringloss4j.serving.ServingTestSupport.forward;
import static io.github.ringloss4j.serving.ServingTestSupport.handTensor;
import static io.github.ringloss4j.serving.ServingTestSupport.ownNetwork;
import static io.github.ringloss4j.serving.ServingTestSupport.randomImage;
import static io.github.ringloss4j.serving.ServingTestSupport.randomised;
import static io.github.ringloss4j.serving.ServingTestSupport.writePng;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.MalformedModelException;
import ai.djl.inference.Predictor;
import ai.djl.modality.cv.Image;
import ai.djl.modality.cv.ImageFactory;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.repository.zoo.ZooModel;
import io.github.ringloss4j.backbone.Backbones;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A network of one's own, not a built-in one, exported and served under a name registered in code:
 * the served embeddings equal the block's, the directory holds only the name, and a loader that has
 * not registered that name refuses it.
 */
class EmbeddingNetworksTest {

  private static final Backbones.Input INPUT = new Backbones.Input(3, 12, 10);
  private static final int D = 5;
  private static final EmbeddingNetworks MINE =
      EmbeddingNetworks.builtIn().with("My-Conv", (d, input) -> ownNetwork(d));

  @TempDir static Path shared;
  static Path exported;
  static Block trained;
  static NDManager manager;
  static Preprocessing preprocessing =
      Preprocessing.of(INPUT)
          .withNormalization(new float[] {0.5f, 0.4f, 0.3f}, new float[] {0.2f, 0.25f, 0.3f})
          .withFlipSum(true);

  @BeforeAll
  static void export() throws Exception {
    manager = NDManager.newBaseManager();
    trained = randomised(ownNetwork(D), INPUT, manager, 21);
    exported =
        EmbeddingModels.export(trained, "my-conv", D, preprocessing, shared.resolve("mine"), MINE);
  }

  @org.junit.jupiter.api.AfterAll
  static void close() {
    manager.close();
  }

  @Test
  void anOwnNetworkIsServedExactlyAsItsBlockComputes(@TempDir Path tmp) throws Exception {
    assertTrue(
        Files.readAllLines(exported.resolve(ServingConfig.FILE)).contains("backbone=my-conv"),
        "the directory records the registered name in lower case, and no class");
    Random random = new Random(21);
    List<Image> images = new ArrayList<>();
    List<float[]> expected = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      BufferedImage image = randomImage(3, 12, 10, random);
      images.add(ImageFactory.getInstance().fromFile(writePng(image, tmp.resolve(i + ".png"))));
      expected.add(
          combine(
              forward(
                  trained,
                  INPUT,
                  handTensor(image, preprocessing, false),
                  handTensor(image, preprocessing, true)),
              false));
    }
    try (ZooModel<Image, float[]> model = EmbeddingModels.criteria(exported, MINE).loadModel();
        Predictor<Image, float[]> predictor = model.newPredictor()) {
      List<float[]> batch = predictor.batchPredict(images);
      for (int i = 0; i < images.size(); i++) {
        assertArrayEquals(expected.get(i), predictor.predict(images.get(i)), 1e-5f, "image " + i);
        assertArrayEquals(expected.get(i), batch.get(i), 1e-5f, "batched image " + i);
      }
      assertSameParameters(trained, model.getBlock());
    }
  }

  @Test
  void withoutTheRegistrationTheDirectoryIsRefusedNamingFileKeyAndKnownNetworks() {
    Path file = exported.resolve(ServingConfig.FILE);
    MalformedModelException builtInOnly =
        assertThrows(MalformedModelException.class, () -> EmbeddingModels.criteria(exported));
    assertTrue(
        builtInOnly
            .getMessage()
            .startsWith(
                file
                    + ": backbone=my-conv is not a known network; known: "
                    + Backbones.NAMES
                    + " (a network of your own loads only with the EmbeddingNetworks that"
                    + " registers it"),
        builtInOnly.getMessage());

    EmbeddingNetworks others =
        EmbeddingNetworks.builtIn().with("other-net", (d, input) -> ownNetwork(d));
    MalformedModelException unknown =
        assertThrows(
            MalformedModelException.class, () -> EmbeddingModels.criteria(exported, others));
    assertTrue(
        unknown.getMessage().startsWith(file + ": backbone=my-conv is not a known network"),
        unknown.getMessage());
    assertTrue(unknown.getMessage().contains("mobilefacenet, other-net]"), unknown.getMessage());
  }

  @Test
  void anOwnNetworkExportedAsABuiltInNamesWhatDiffers(@TempDir Path tmp) {
    // The case: the embedding alone, but not the network the name builds.
    Block mine = randomised(ownNetwork(D), new Backbones.Input(1, 28, 28), manager, 22);
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                EmbeddingModels.export(
                    mine,
                    "cnn",
                    D,
                    Preprocessing.of(new Backbones.Input(1, 28, 28)),
                    tmp.resolve("x")));
    String message = e.getMessage();
    assertTrue(
        message.startsWith(
            "the block does not have the parameters of a new 'cnn' (embedding size 5, input"
                + " 1×28×28): 8 parameters against 16; #0: the block has 01Conv2d_weight (6, 1, 3,"
                + " 3), 'cnn' has 01Conv2d_weight (32, 1, 3, 3);"),
        message);
    assertTrue(message.contains("and 11 more"), message);
    assertTrue(message.contains("EmbeddingNetworks.builtIn().with("), message);
    assertFalse(message.contains("getEmbedding"), "the block is no whole model: " + message);
    assertTrue(Files.notExists(tmp.resolve("x")));

    // A registered name whose code builds another architecture: named by parameter and shape.
    EmbeddingNetworks wider =
        EmbeddingNetworks.builtIn()
            .with(
                "my-conv",
                (d, input) ->
                    new SequentialBlock()
                        .add(Conv2d.builder().setKernelShape(new Shape(3, 3)).setFilters(7).build())
                        .add(Blocks.batchFlattenBlock())
                        .add(Linear.builder().setUnits(d).build()));
    String other =
        assertThrows(
                IllegalArgumentException.class,
                () ->
                    EmbeddingModels.export(
                        trained, "my-conv", D, preprocessing, tmp.resolve("y"), wider))
            .getMessage();
    assertTrue(
        other.contains("#0: the block has 01Conv2d_weight (6, 3, 3, 3), 'my-conv' has"), other);
    assertFalse(other.contains("EmbeddingNetworks.builtIn().with("), "registered: " + other);
  }

  @Test
  void theRegistryRefusesAmbiguousNamesAndAFactoryThatReturnsTheTrainedBlock(@TempDir Path tmp) {
    EmbeddingNetwork any = (d, input) -> ownNetwork(d);
    assertEquals(List.of("my-conv"), MINE.names().subList(Backbones.NAMES.size(), 8));
    assertTrue(MINE.contains("MY-CONV") && MINE.isRegistered("my-conv"));
    assertFalse(MINE.isRegistered("cnn") || EmbeddingNetworks.builtIn().contains("my-conv"));
    assertMessage(
        () -> MINE.with("my-conv", any), "a network named 'my-conv' is already registered");
    assertMessage(() -> MINE.with("CNN", any), "'CNN' is a built-in network");
    for (String bad : new String[] {"", "../x", "a b", "x=y", "-x", "x".repeat(65)}) {
      assertMessage(() -> MINE.with(bad, any), "a network name is 1 to 64 letters");
    }
    assertThrows(NullPointerException.class, () -> MINE.with("x", null));
    assertMessage(
        () -> EmbeddingModels.export(trained, "vgg", D, preprocessing, tmp.resolve("v"), MINE),
        "unknown network 'vgg'; known: [cnn,",
        "my-conv]");
    EmbeddingNetworks same = EmbeddingNetworks.builtIn().with("same", (d, input) -> trained);
    assertMessage(
        () -> EmbeddingModels.export(trained, "same", D, preprocessing, tmp.resolve("s"), same),
        "returned the block being exported");
    EmbeddingNetworks broken = EmbeddingNetworks.builtIn().with("broken", (d, input) -> null);
    assertThrows(
        IllegalStateException.class,
        () ->
            EmbeddingModels.export(trained, "broken", D, preprocessing, tmp.resolve("b"), broken));
  }

  private static void assertMessage(
      org.junit.jupiter.api.function.Executable call, String... parts) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
    for (String part : parts) {
      assertTrue(e.getMessage().contains(part), e.getMessage());
    }
  }
}
