package io.github.ringloss4j.serving;

import static io.github.ringloss4j.serving.ServingTestSupport.assertSameParameters;
import static io.github.ringloss4j.serving.ServingTestSupport.combine;
import static io.github.ringloss4j.serving.ServingTestSupport.forward;
import static io.github.ringloss4j.serving.ServingTestSupport.handTensor;
import static io.github.ringloss4j.serving.ServingTestSupport.network;
import static io.github.ringloss4j.serving.ServingTestSupport.randomImage;
import static io.github.ringloss4j.serving.ServingTestSupport.writePng;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.MalformedModelException;
import ai.djl.inference.Predictor;
import ai.djl.modality.cv.Image;
import ai.djl.modality.cv.ImageFactory;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Block;
import ai.djl.nn.core.Linear;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ModelNotFoundException;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.TranslateException;
import io.github.ringloss4j.backbone.Backbones;
import io.github.ringloss4j.internal.ImagePixels;
import io.github.ringloss4j.nn.RingModelBlock;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Export, then load through DJL's {@code Criteria} exactly as the package documentation shows, and
 * compare every embedding with a direct forward pass of the exported block on the preprocessed
 * tensor computed by hand from the pixel values.
 */
class EmbeddingModelsTest {

  private static final float TOLERANCE = 1e-5f;

  /** The package documentation's loading lines, with the directory and image as parameters. */
  private static float[] embedAsDocumented(Path exported, Path face)
      throws IOException, ModelNotFoundException, MalformedModelException, TranslateException {
    Criteria<Image, float[]> criteria = EmbeddingModels.criteria(exported);
    try (ZooModel<Image, float[]> model = criteria.loadModel();
        Predictor<Image, float[]> predictor = model.newPredictor()) {
      return predictor.predict(ImageFactory.getInstance().fromFile(face));
    }
  }

  private static ZooModel<Image, float[]> load(Path exported)
      throws IOException, ModelNotFoundException, MalformedModelException {
    return EmbeddingModels.criteria(exported).loadModel();
  }

  private static void assertClose(float[] expected, float[] actual, String what) {
    assertEquals(expected.length, actual.length, what + ": length");
    for (int j = 0; j < expected.length; j++) {
      float scale = Math.max(1f, Math.abs(expected[j]));
      assertEquals(expected[j], actual[j], TOLERANCE * scale, what + "[" + j + "]");
    }
  }

  @Test
  void cnnOnGreyImagesMatchesTheBlockOnXOver255(@TempDir Path tmp) throws Exception {
    Backbones.Input input = Backbones.defaultInput("cnn");
    Preprocessing p = Preprocessing.of(input);
    Random random = new Random(1);
    try (NDManager manager = NDManager.newBaseManager()) {
      Block cnn = network("cnn", 16, input, manager, 1);
      Path exported = EmbeddingModels.export(cnn, "cnn", 16, p, tmp.resolve("exported"));
      List<BufferedImage> images = new ArrayList<>();
      List<Image> djlImages = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        BufferedImage image = randomImage(1, 28, 28, random);
        images.add(image);
        Path file = writePng(image, tmp.resolve("face" + i + ".png"));
        djlImages.add(ImageFactory.getInstance().fromFile(file));
        float[] expected = forward(cnn, input, handTensor(image, p, false))[0];
        assertClose(expected, embedAsDocumented(exported, file), "image " + i);
      }
      try (ZooModel<Image, float[]> model = load(exported);
          Predictor<Image, float[]> predictor = model.newPredictor()) {
        List<float[]> batch = predictor.batchPredict(djlImages);
        for (int i = 0; i < images.size(); i++) {
          float[] expected = forward(cnn, input, handTensor(images.get(i), p, false))[0];
          assertClose(expected, batch.get(i), "batched image " + i);
        }
      }
    }
  }

  @Test
  void resnetWithNormalisationFlipSumAndL2MatchesTheHandComputation(@TempDir Path tmp)
      throws Exception {
    // A non-square input and distinct per-channel statistics catch transposed axes and channels.
    Backbones.Input input = new Backbones.Input(3, 24, 20);
    float[] mean = {0.5f, 0.4f, 0.3f};
    float[] std = {0.2f, 0.25f, 0.3f};
    Random random = new Random(2);
    try (NDManager manager = NDManager.newBaseManager()) {
      Block resnet = network("resnet", 8, input, manager, 2);
      for (boolean flipSum : new boolean[] {false, true}) {
        for (boolean l2 : new boolean[] {false, true}) {
          Preprocessing p =
              Preprocessing.of(input)
                  .withNormalization(mean, std)
                  .withFlipSum(flipSum)
                  .withL2Normalize(l2);
          Path exported =
              EmbeddingModels.export(resnet, "resnet", 8, p, tmp.resolve("m-" + flipSum + l2));
          BufferedImage image = randomImage(3, 24, 20, random);
          Path file = writePng(image, tmp.resolve("face-" + flipSum + l2 + ".png"));
          float[][] rows =
              flipSum
                  ? forward(resnet, input, handTensor(image, p, false), handTensor(image, p, true))
                  : forward(resnet, input, handTensor(image, p, false));
          float[] expected = combine(rows, l2);
          float[] actual = embedAsDocumented(exported, file);
          assertClose(expected, actual, "flipSum=" + flipSum + " l2=" + l2);
          if (l2) {
            double norm = 0;
            for (float v : actual) {
              norm += (double) v * v;
            }
            assertEquals(1, Math.sqrt(norm), 1e-6);
          }
        }
      }
    }
  }

  @Test
  void imagesOfOtherSizesAreResizedAsTheApplicationDoesForAnyImageImplementation(@TempDir Path tmp)
      throws Exception {
    Backbones.Input input = new Backbones.Input(3, 16, 16);
    Preprocessing p = Preprocessing.of(input).withFlipSum(true);
    try (NDManager manager = NDManager.newBaseManager()) {
      Block resnet = network("resnet", 4, input, manager, 3);
      Path exported = EmbeddingModels.export(resnet, "resnet", 4, p, tmp.resolve("exported"));
      BufferedImage large = randomImage(3, 50, 37, new Random(3));
      Path file = writePng(large, tmp.resolve("large.png"));
      BufferedImage view = ImagePixels.render(large, 16, 16, 16, 16, 0, 0);
      float[] expected =
          combine(
              forward(resnet, input, handTensor(view, p, false), handTensor(view, p, true)), false);
      try (ZooModel<Image, float[]> model = load(exported);
          Predictor<Image, float[]> predictor = model.newPredictor()) {
        Image decoded = ImageFactory.getInstance().fromFile(file);
        assertClose(expected, predictor.predict(decoded), "BufferedImage");
        // An Image that wraps no BufferedImage (e.g. OpenCV's) goes through toNDArray.
        Image opaque = hideWrappedImage(decoded);
        assertClose(expected, predictor.predict(opaque), "other Image");
      }
    }
  }

  /** Delegates every method to {@code image} but reports a wrapped object of another type. */
  private static Image hideWrappedImage(Image image) {
    return (Image)
        java.lang.reflect.Proxy.newProxyInstance(
            Image.class.getClassLoader(),
            new Class<?>[] {Image.class},
            (proxy, method, args) ->
                method.getName().equals("getWrappedImage")
                    ? "not a BufferedImage"
                    : method.invoke(image, args));
  }

  @Test
  void theExportHoldsTheEmbeddingNetworkAloneAndLoadsIntoABareBackbone(@TempDir Path tmp)
      throws Exception {
    Backbones.Input input = Backbones.defaultInput("cnn");
    try (NDManager manager = NDManager.newBaseManager()) {
      RingModelBlock trained =
          RingModelBlock.of(
              network("cnn", 8, input, manager, 4), Linear.builder().setUnits(10).build());
      trained.initialize(manager, DataType.FLOAT32, input.batchShape(1));
      // As the application restores a checkpoint: head, ring and embedding from one stream into
      // a fresh, uninitialised model.
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      trained.saveParameters(new DataOutputStream(bytes));
      RingModelBlock restored =
          RingModelBlock.of(Backbones.create("cnn", 8), Linear.builder().setUnits(10).build());
      restored.loadParameters(
          manager, new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
      Preprocessing p = Preprocessing.of(input);

      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () -> EmbeddingModels.export(restored, "cnn", 8, p, tmp.resolve("whole")));
      assertTrue(e.getMessage().contains("getEmbedding"), e.getMessage());
      assertTrue(Files.notExists(tmp.resolve("whole")));

      Path exported =
          EmbeddingModels.export(restored.getEmbedding(), "cnn", 8, p, tmp.resolve("exported"));
      assertEquals(Set.of("embedding-0000.params", "serving.properties"), fileNames(exported));
      assertEquals(new ServingConfig("cnn", 8, p), ServingConfig.read(exported));
      // The bare backbone reads the file to its end: nothing of the head or ring is in it.
      Block embedding = trained.getEmbedding();
      try (ZooModel<Image, float[]> model = load(exported)) {
        assertSameParameters(embedding, model.getBlock());
      }
    }
  }

  @Test
  void theExportedDirectoryLoadsUnderAnyName(@TempDir Path tmp) throws Exception {
    Backbones.Input input = Backbones.defaultInput("cnn");
    try (NDManager manager = NDManager.newBaseManager()) {
      Block cnn = network("cnn", 4, input, manager, 5);
      Path exported =
          EmbeddingModels.export(cnn, "cnn", 4, Preprocessing.of(input), tmp.resolve("a"));
      Path renamed = Files.move(exported, tmp.resolve("renamed-model"));
      BufferedImage image = randomImage(1, 28, 28, new Random(5));
      float[] expected = forward(cnn, input, handTensor(image, Preprocessing.of(input), false))[0];
      assertClose(expected, embedAsDocumented(renamed, writePng(image, tmp.resolve("x.png"))), "");
    }
  }

  @Test
  void exportRefusesMismatchesAndNeverLeavesPartialDirectories(@TempDir Path tmp) throws Exception {
    Backbones.Input input = Backbones.defaultInput("cnn");
    Preprocessing p = Preprocessing.of(input);
    try (NDManager manager = NDManager.newBaseManager()) {
      Block cnn = network("cnn", 8, input, manager, 6);
      Path out = tmp.resolve("out");
      assertThrows(
          IllegalArgumentException.class, () -> EmbeddingModels.export(cnn, "resnet", 8, p, out));
      IllegalArgumentException wrongSize =
          assertThrows(
              IllegalArgumentException.class, () -> EmbeddingModels.export(cnn, "cnn", 9, p, out));
      assertTrue(wrongSize.getMessage().contains("embedding size"), wrongSize.getMessage());
      Preprocessing other = Preprocessing.of(new Backbones.Input(1, 32, 32));
      IllegalArgumentException wrongInput =
          assertThrows(
              IllegalArgumentException.class,
              () -> EmbeddingModels.export(cnn, "cnn", 8, other, out));
      assertTrue(
          wrongInput.getMessage().contains("initialised for input"), wrongInput.getMessage());
      IllegalArgumentException unknown =
          assertThrows(
              IllegalArgumentException.class, () -> EmbeddingModels.export(cnn, "vgg", 8, p, out));
      assertTrue(unknown.getMessage().contains(Backbones.NAMES.toString()), unknown.getMessage());
      assertThrows(
          IllegalStateException.class,
          () -> EmbeddingModels.export(Backbones.create("cnn", 8), "cnn", 8, p, out));

      Files.createDirectories(out);
      EmbeddingModels.export(cnn, "cnn", 8, p, out); // an empty directory is taken over
      FileAlreadyExistsException exists =
          assertThrows(
              FileAlreadyExistsException.class,
              () -> EmbeddingModels.export(cnn, "cnn", 8, p, out));
      assertTrue(exists.getMessage().contains(out.toString()), exists.getMessage());
      assertEquals(Set.of("out"), fileNames(tmp), "no temporary directory is left behind");
    }
  }

  @Test
  void anIResNet18ExportServesTheSameEmbeddingAsTheBlock(@TempDir Path tmp) throws Exception {
    Backbones.Input input = Backbones.defaultInput("iresnet18");
    Preprocessing p =
        Preprocessing.of(input)
            .withNormalization(new float[] {0.5f, 0.5f, 0.5f}, new float[] {0.5f, 0.5f, 0.5f})
            .withFlipSum(true);
    try (NDManager manager = NDManager.newBaseManager()) {
      Block net = network("iresnet18", 8, input, manager, 7);
      Path exported = EmbeddingModels.export(net, "iresnet18", 8, p, tmp.resolve("iresnet18"));
      BufferedImage face = randomImage(3, 112, 112, new Random(7));
      float[] expected =
          combine(
              forward(net, input, handTensor(face, p, false), handTensor(face, p, true)), false);
      assertClose(expected, embedAsDocumented(exported, writePng(face, tmp.resolve("f.png"))), "");
    }
  }

  private static Set<String> fileNames(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(f -> f.getFileName().toString()).collect(Collectors.toSet());
    }
  }
}
