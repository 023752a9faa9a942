package io.github.ringloss4j.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.modality.cv.Image;
import ai.djl.ndarray.NDManager;
import ai.djl.repository.zoo.Criteria;
import io.github.ringloss4j.backbone.Backbones;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The serving.properties keys: written in full, read back exactly, and refused clearly. */
class ServingConfigTest {

  private static final Path FILE = Path.of("model", ServingConfig.FILE);

  private static final ServingConfig FACE =
      new ServingConfig(
          "IResNet50",
          512,
          Preprocessing.of(Backbones.defaultInput("iresnet50"))
              .withNormalization(new float[] {0.5f, 0.4f, 1e-4f}, new float[] {0.5f, 0.25f, 3f})
              .withFlipSum(true)
              .withL2Normalize(true));

  private static Map<String, String> arguments() {
    return new HashMap<>(FACE.toArguments());
  }

  private static String refusal(Map<String, ?> arguments) {
    return assertThrows(
            IllegalArgumentException.class, () -> ServingConfig.fromArguments(arguments, FILE))
        .getMessage();
  }

  @Test
  void theArgumentsAreWrittenInOrderAndReadBackExactly() {
    assertEquals("iresnet50", FACE.backbone(), "names are stored as listed in Backbones.NAMES");
    assertEquals(
        List.of(
            "exportFormat",
            "backbone",
            "embeddingSize",
            "channels",
            "height",
            "width",
            "mean",
            "std",
            "flipSum",
            "l2Normalize"),
        List.copyOf(FACE.toArguments().keySet()));
    assertEquals("0.5,0.4,1.0E-4", FACE.toArguments().get("mean"));
    assertEquals(FACE, ServingConfig.fromArguments(FACE.toArguments(), FILE));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "exportFormat",
        "backbone",
        "embeddingSize",
        "channels",
        "height",
        "width",
        "mean",
        "std",
        "flipSum",
        "l2Normalize"
      })
  void aMissingKeyIsNamedWithTheFile(String key) {
    Map<String, String> arguments = arguments();
    arguments.remove(key);
    String message = refusal(arguments);
    assertTrue(message.startsWith(FILE + ": missing key '" + key + "'"), message);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "exportFormat | 2              | exportFormat=2",
        "backbone     | vgg16          | backbone=vgg16 is not a known network; known: [cnn,",
        "embeddingSize| 0              | embeddingSize=0 is not valid; expected the embedding dimension",
        "embeddingSize| many           | embeddingSize=many is not valid",
        "channels     | 2              | channels, height, width: channels must be 1 or 3",
        "height       | 96             | backbone, channels, height, width: iresnet50 cannot take 3×96×112",
        "width        | -1             | width=-1 is not valid",
        "mean         | 0.5,0.5        | mean needs one value per channel (3)",
        "mean         | 0.5,x,0.5      | mean=0.5,x,0.5 is not valid",
        "std          | 1,0,1          | std must be positive",
        "flipSum      | yes            | flipSum=yes is not valid; expected true or false",
        "l2Normalize  | TRUE           | l2Normalize=TRUE is not valid"
      })
  void anInvalidValueIsNamedWithTheFile(String key, String value, String expected) {
    Map<String, String> arguments = arguments();
    arguments.put(key, value);
    String message = refusal(arguments);
    assertTrue(message.startsWith(FILE + ": "), message);
    assertTrue(message.contains(expected), message);
  }

  @Test
  void criteriaArgumentsMayBeOtherObjects() {
    Map<String, Object> arguments = new HashMap<>(FACE.toArguments());
    arguments.put("embeddingSize", 512);
    arguments.put("flipSum", Boolean.TRUE);
    assertEquals(FACE, ServingConfig.fromArguments(arguments, FILE));
  }

  @Test
  void loadingThroughCriteriaFailsWithTheKeyAndTheFile(@TempDir Path tmp) throws Exception {
    Backbones.Input input = Backbones.defaultInput("cnn");
    Path exported;
    try (NDManager manager = NDManager.newBaseManager()) {
      exported =
          EmbeddingModels.export(
              ServingTestSupport.network("cnn", 4, input, manager, 9),
              "cnn",
              4,
              Preprocessing.of(input),
              tmp.resolve("m"));
    }
    Path file = exported.resolve(ServingConfig.FILE);
    String original = Files.readString(file, StandardCharsets.UTF_8);
    Criteria<Image, float[]> criteria = EmbeddingModels.criteria(exported);
    for (String[] edit :
        new String[][] {
          {"backbone=cnn\n", "", "missing key 'backbone'"},
          {"backbone=cnn\n", "backbone=lenet\n", "backbone=lenet is not a known network"},
          {"flipSum=false\n", "", "missing key 'flipSum'"},
          {"mean=0.0\n", "mean=0.0,0.0,0.0\n", "mean needs one value per channel (1)"}
        }) {
      assertTrue(original.contains(edit[0]), edit[0]);
      Files.writeString(file, original.replace(edit[0], edit[1]), StandardCharsets.UTF_8);
      String message =
          assertThrows(IllegalArgumentException.class, criteria::loadModel).getMessage();
      assertTrue(message.contains(file.toString()), message);
      assertTrue(message.contains(edit[2]), message);
    }
  }

  @Test
  void theFileListsDjlsKeysThenTheConfiguration(@TempDir Path tmp) throws Exception {
    Backbones.Input input = Backbones.defaultInput("cnn");
    Path exported;
    try (NDManager manager = NDManager.newBaseManager()) {
      exported =
          EmbeddingModels.export(
              ServingTestSupport.network("cnn", 4, input, manager, 10),
              "cnn",
              4,
              Preprocessing.of(input).withL2Normalize(true),
              tmp.resolve("m"));
    }
    List<String> lines =
        Files.readAllLines(exported.resolve(ServingConfig.FILE)).stream()
            .filter(l -> !l.startsWith("#"))
            .collect(Collectors.toList());
    assertEquals(
        List.of(
            "engine=PyTorch",
            "blockFactory=io.github.ringloss4j.serving.EmbeddingBlockFactory",
            "translatorFactory=io.github.ringloss4j.serving.EmbeddingTranslatorFactory",
            "option.modelName=embedding",
            "exportFormat=1",
            "backbone=cnn",
            "embeddingSize=4",
            "channels=1",
            "height=28",
            "width=28",
            "mean=0.0",
            "std=1.0",
            "flipSum=false",
            "l2Normalize=true"),
        lines);
  }
}
