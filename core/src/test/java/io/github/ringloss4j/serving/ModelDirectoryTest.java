package io.github.ringloss4j.serving;

import static io.github.ringloss4j.serving.ServingTestSupport.network;
import static io.github.ringloss4j.serving.ServingTestSupport.randomImage;
import static io.github.ringloss4j.serving.ServingTestSupport.writePng;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.MalformedModelException;
import ai.djl.inference.Predictor;
import ai.djl.modality.cv.Image;
import ai.djl.modality.cv.ImageFactory;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.DeferredTranslatorFactory;
import io.github.ringloss4j.backbone.Backbones;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Random;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A model directory is data, never code. The hostile directories here carry a compiled class whose
 * static initialiser sets a system property: if any loading path initialises it, the property shows
 * it. The first test shows that DJL's stock path does run it, which is why {@link
 * EmbeddingModels#criteria} exists.
 */
class ModelDirectoryTest {

  /** The system property the hostile class's static initialiser sets. */
  private static final String RAN = "ringloss4j.test.hostileClassRan";

  private static final String HOSTILE = "hostile.Payload";

  @TempDir static Path shared;
  static Path export;
  static Path compiledClasses;
  static float[] expected;
  static Path face;

  @BeforeAll
  static void exportAndCompile() throws Exception {
    Backbones.Input input = Backbones.defaultInput("cnn");
    try (NDManager manager = NDManager.newBaseManager()) {
      Block cnn = network("cnn", 4, input, manager, 11);
      export =
          EmbeddingModels.export(cnn, "cnn", 4, Preprocessing.of(input), shared.resolve("clean"));
    }
    face = writePng(randomImage(1, 28, 28, new Random(11)), shared.resolve("face.png"));
    expected = embed(EmbeddingModels.criteria(export));
    compiledClasses = compileHostileClass(shared.resolve("compiled"));
  }

  @AfterEach
  void forgetTheProperty() {
    System.clearProperty(RAN);
  }

  /**
   * A class whose static initialiser records that it ran. It need not be a BlockFactory: DJL
   * initialises the named class before it checks the type.
   */
  private static Path compileHostileClass(Path dir) throws IOException {
    Path source = dir.resolve("src/hostile/Payload.java");
    Files.createDirectories(source.getParent());
    Files.writeString(
        source,
        "package hostile;\n"
            + "public class Payload {\n"
            + "  static { System.setProperty(\""
            + RAN
            + "\", \"yes\"); }\n"
            + "}\n");
    Path classes = Files.createDirectories(dir.resolve("classes"));
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    int status = javac.run(null, null, null, "-d", classes.toString(), source.toString());
    assertEquals(0, status, "javac");
    return classes;
  }

  private static float[] embed(Criteria<Image, float[]> criteria) throws Exception {
    try (ZooModel<Image, float[]> model = criteria.loadModel();
        Predictor<Image, float[]> predictor = model.newPredictor()) {
      return predictor.predict(ImageFactory.getInstance().fromFile(face));
    }
  }

  /** A copy of the clean export. */
  private static Path copy(Path tmp, String name) throws IOException {
    Path dir = Files.createDirectories(tmp.resolve(name));
    try (var files = Files.list(export)) {
      for (Path f : files.toList()) {
        Files.copy(f, dir.resolve(f.getFileName()));
      }
    }
    return dir;
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (var files = Files.walk(from)) {
      for (Path f : files.toList()) {
        Path target = to.resolve(from.relativize(f).toString());
        if (Files.isDirectory(f)) {
          Files.createDirectories(target);
        } else {
          Files.copy(f, target);
        }
      }
    }
  }

  /** Replaces a key's line of serving.properties (or appends it when the key is absent). */
  private static void setKey(Path dir, String key, String value) throws IOException {
    Path file = dir.resolve(ServingConfig.FILE);
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    List<String> out = new java.util.ArrayList<>();
    boolean replaced = false;
    for (String line : lines) {
      if (line.startsWith(key + "=")) {
        if (value != null) {
          out.add(key + "=" + value);
        }
        replaced = true;
      } else {
        out.add(line);
      }
    }
    if (!replaced && value != null) {
      out.add(key + "=" + value);
    }
    Files.write(file, out, StandardCharsets.UTF_8);
  }

  private static MalformedModelException refused(Path dir) {
    return assertThrows(MalformedModelException.class, () -> EmbeddingModels.criteria(dir));
  }

  @Test
  void djlsStockLoadingRunsTheClassADirectoryNames(@TempDir Path tmp) throws Exception {
    // The threat, shown on DJL 0.36 itself: the named class is initialised, from the directory's
    // classes/, before its type is checked. If this stops holding, DJL has closed the hole too.
    Path dir = copy(tmp, "hostile");
    copyTree(compiledClasses, dir.resolve("classes"));
    setKey(dir, "blockFactory", HOSTILE);
    assertStockLoadingRunsTheClass(dir);
  }

  /** DJL's stock loading, which follows the directory, fails but has run the hostile class. */
  private static void assertStockLoadingRunsTheClass(Path dir) {
    Criteria<Image, float[]> stock =
        Criteria.builder()
            .setTypes(Image.class, float[].class)
            .optModelPath(dir)
            .optTranslatorFactory(new DeferredTranslatorFactory())
            .build();
    assertThrows(Exception.class, stock::loadModel);
    assertEquals("yes", System.getProperty(RAN), "the directory's class ran");
  }

  @Test
  void aDirectoryCarryingCodeIsRefusedAndNothingRuns(@TempDir Path tmp) throws Exception {
    Path withClasses = copy(tmp, "classes");
    copyTree(compiledClasses, withClasses.resolve("classes"));
    setKey(withClasses, "blockFactory", HOSTILE);
    MalformedModelException e = refused(withClasses);
    assertTrue(e.getMessage().startsWith(withClasses + ": "), e.getMessage());
    assertTrue(e.getMessage().contains("carries code (classes)"), e.getMessage());

    Path withJar = copy(tmp, "jar");
    try (JarOutputStream jar =
        new JarOutputStream(Files.newOutputStream(withJar.resolve("payload.jar")))) {
      jar.putNextEntry(new JarEntry("hostile/Payload.class"));
      jar.write(Files.readAllBytes(compiledClasses.resolve("hostile/Payload.class")));
    }
    assertTrue(refused(withJar).getMessage().contains("carries code (payload.jar)"));

    Path withClassFile = copy(tmp, "class");
    Files.copy(
        compiledClasses.resolve("hostile/Payload.class"), withClassFile.resolve("Payload.class"));
    assertTrue(refused(withClassFile).getMessage().contains("carries code (Payload.class)"));
    assertNull(System.getProperty(RAN), "no class of the directory ran");
  }

  @Test
  void aCheckedDirectoryTamperedBeforeLoadingStillRunsNothing(@TempDir Path tmp) throws Exception {
    // criteria() checks the directory once; DJL reads it again in loadModel(). Code slipped in
    // between is never reached: the factories are instances, and they win over the file's names.
    Path dir = copy(tmp, "late");
    Criteria<Image, float[]> criteria = EmbeddingModels.criteria(dir);
    copyTree(compiledClasses, dir.resolve("classes"));
    setKey(dir, "blockFactory", HOSTILE);
    setKey(dir, "translatorFactory", HOSTILE);
    assertArrayEquals(expected, embed(criteria), 0f);
    assertNull(System.getProperty(RAN), "no class of the directory ran");
  }

  @Test
  void aTorchScriptDirectoryRunsNoClassOfItsDirectoryEither(@TempDir Path tmp) throws Exception {
    // A TorchScript model needs no block, but DJL 0.36 given no blockFactory looks for one among
    // the directory's classes (ClassLoaderUtils.findImplementation without a name) and initialises
    // each. Shown on DJL's stock path first:
    Preprocessing p = Preprocessing.of(TorchScriptFixtures.INPUT);
    Path stock =
        EmbeddingModels.importTorchScript(
            TorchScriptFixtures.file("tiny.pt"), p, tmp.resolve("stock"));
    copyTree(compiledClasses, stock.resolve("classes"));
    setKey(stock, "blockFactory", null);
    assertStockLoadingRunsTheClass(stock);
    System.clearProperty(RAN);

    // Through the library, opted in, with the same code slipped in after the check: the block
    // factory is an instance that builds no block, so DJL scans nothing.
    Path late =
        EmbeddingModels.importTorchScript(
            TorchScriptFixtures.file("tiny.pt"), p, tmp.resolve("late"));
    Criteria<Image, float[]> criteria =
        EmbeddingModels.criteria(late, EmbeddingNetworks.builtIn().withTorchScript());
    copyTree(compiledClasses, late.resolve("classes"));
    setKey(late, "blockFactory", null);
    assertEquals(TorchScriptFixtures.D, embed(criteria).length);
    assertNull(System.getProperty(RAN), "no class of the directory ran");
  }

  @Test
  void onlyThisLibrarysFactoriesAreAccepted(@TempDir Path tmp) throws Exception {
    for (String key : List.of("blockFactory", "translatorFactory")) {
      for (String value : List.of("java.lang.Runtime", HOSTILE, "")) {
        Path dir = copy(tmp, key + value.hashCode());
        setKey(dir, key, value);
        MalformedModelException e = refused(dir);
        assertTrue(
            e.getMessage().startsWith(dir.resolve(ServingConfig.FILE) + ": " + key + "=" + value),
            e.getMessage());
      }
    }
    Path name = copy(tmp, "modelName");
    setKey(name, "option.modelName", "../other");
    assertTrue(refused(name).getMessage().contains("option.modelName=../other is refused"));
    // An export without the class keys (hand-written) still loads, with the library's factories.
    Path bare = copy(tmp, "bare");
    setKey(bare, "blockFactory", null);
    setKey(bare, "translatorFactory", null);
    setKey(bare, "option.modelName", null);
    assertArrayEquals(expected, embed(EmbeddingModels.criteria(bare)), 0f);
    assertNull(System.getProperty(RAN));
  }

  @Test
  void theNetworkIsBuiltOnlyByCodeRegisteredInTheLoaderNeverByANameTheFileHolds(@TempDir Path tmp)
      throws Exception {
    EmbeddingNetworks mine =
        EmbeddingNetworks.builtIn().with("mine", (d, input) -> ServingTestSupport.ownNetwork(d));
    for (String value : List.of(HOSTILE, "java.lang.Runtime", "../cnn", "mine", "")) {
      Path dir = copy(tmp, "backbone" + value.hashCode());
      setKey(dir, "backbone", value);
      MalformedModelException e = refused(dir);
      assertTrue(
          e.getMessage()
              .startsWith(
                  dir.resolve(ServingConfig.FILE)
                      + ": backbone="
                      + value
                      + " is not a known network; known: "
                      + Backbones.NAMES),
          e.getMessage());
    }
    Path named = copy(tmp, "registry");
    setKey(named, "backbone", HOSTILE);
    MalformedModelException e =
        assertThrows(MalformedModelException.class, () -> EmbeddingModels.criteria(named, mine));
    assertTrue(e.getMessage().contains("known: [cnn,"), e.getMessage());
    assertTrue(e.getMessage().contains("mobilefacenet, mine]"), e.getMessage());
    // The built-in network still loads through a registry that adds others.
    assertArrayEquals(expected, embed(EmbeddingModels.criteria(export, mine)), 0f);

    // Checked, then renamed to a class before loading: the factory refuses it as well.
    Path late = copy(tmp, "lateName");
    Criteria<Image, float[]> criteria = EmbeddingModels.criteria(late, mine);
    setKey(late, "backbone", HOSTILE);
    IllegalArgumentException atLoad =
        assertThrows(IllegalArgumentException.class, criteria::loadModel);
    assertTrue(
        atLoad.getMessage().contains("backbone=" + HOSTILE + " is not a known network"),
        atLoad.getMessage());
    assertNull(System.getProperty(RAN), "no class of the directory ran");
  }

  @Test
  void aMalformedConfigurationIsRefusedNamingTheFileAndTheKey(@TempDir Path tmp) throws Exception {
    Path unknownEngine = copy(tmp, "engine");
    setKey(unknownEngine, "engine", "Evil");
    assertTrue(refused(unknownEngine).getMessage().contains("engine=Evil"));
    Path noEngine = copy(tmp, "noEngine");
    setKey(noEngine, "engine", null);
    assertTrue(refused(noEngine).getMessage().contains("missing key 'engine'"));

    Path unknownKey = copy(tmp, "unknownKey");
    setKey(unknownKey, "option.extraFiles", "a");
    assertTrue(refused(unknownKey).getMessage().contains("unknown key 'option.extraFiles'"));

    Path twice = copy(tmp, "twice");
    Files.writeString(
        twice.resolve(ServingConfig.FILE), "backbone=resnet\n", StandardOpenOption.APPEND);
    assertTrue(refused(twice).getMessage().contains("key 'backbone' is given more than once"));

    Path badValue = copy(tmp, "badValue");
    setKey(badValue, "embeddingSize", "-3");
    MalformedModelException bad = refused(badValue);
    assertTrue(
        bad.getMessage()
            .startsWith(badValue.resolve(ServingConfig.FILE) + ": embeddingSize=-3 is not valid"),
        bad.getMessage());

    Path huge = copy(tmp, "huge");
    try (OutputStream out =
        Files.newOutputStream(huge.resolve(ServingConfig.FILE), StandardOpenOption.APPEND)) {
      out.write(new byte[ModelDirectory.MAX_PROPERTIES_BYTES]);
    }
    assertTrue(refused(huge).getMessage().contains("larger than 65536 bytes"));

    Path latin1 = copy(tmp, "latin1");
    Files.write(
        latin1.resolve(ServingConfig.FILE),
        new byte[] {'#', ' ', (byte) 0xE9, '\n'},
        StandardOpenOption.APPEND);
    assertTrue(refused(latin1).getMessage().contains("not UTF-8"));
  }

  @Test
  void missingPiecesAreNamed(@TempDir Path tmp) throws Exception {
    Path none = tmp.resolve("none");
    NoSuchFileException missing =
        assertThrows(NoSuchFileException.class, () -> EmbeddingModels.criteria(none));
    assertEquals(none.toString(), missing.getFile());
    Path file = Files.writeString(tmp.resolve("file"), "x");
    assertEquals(
        "not a directory",
        assertThrows(NoSuchFileException.class, () -> EmbeddingModels.criteria(file)).getReason());
    Path noParameters = copy(tmp, "noParameters");
    Files.delete(noParameters.resolve("embedding-0000.params"));
    assertTrue(
        assertThrows(NoSuchFileException.class, () -> EmbeddingModels.criteria(noParameters))
            .getFile()
            .endsWith("embedding-0000.params"));
    Path noProperties = copy(tmp, "noProperties");
    Files.delete(noProperties.resolve(ServingConfig.FILE));
    assertTrue(
        assertThrows(NoSuchFileException.class, () -> EmbeddingModels.criteria(noProperties))
            .getFile()
            .endsWith(ServingConfig.FILE));
  }
}
