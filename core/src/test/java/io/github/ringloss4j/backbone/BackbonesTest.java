package io.github.ringloss4j.backbone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The registry: names, the networks they build, and the inputs they take. */
class BackbonesTest {

  @Test
  void everyNameBuildsItsNetwork() {
    assertEquals(
        List.of(
            "cnn", "resnet", "iresnet18", "iresnet34", "iresnet50", "iresnet100", "mobilefacenet"),
        Backbones.NAMES);
    for (int depth : new int[] {18, 34, 50, 100}) {
      IResNet net = assertInstanceOf(IResNet.class, Backbones.create("iresnet" + depth, 64));
      assertEquals(depth, net.getDepth());
      assertEquals(64, net.getEmbeddingSize());
      assertEquals(0f, net.getDropout());
    }
    MobileFaceNet mbf = assertInstanceOf(MobileFaceNet.class, Backbones.create("MobileFaceNet", 8));
    assertEquals(8, mbf.getEmbeddingSize());
    assertEquals("cnn", Backbones.canonicalName(" CNN "));
  }

  @Test
  void unknownNamesAndSizesAreRefusedListingTheValidNames() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Backbones.create("vgg", 8));
    assertTrue(e.getMessage().contains("'vgg'"), e.getMessage());
    assertTrue(e.getMessage().contains(Backbones.NAMES.toString()), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Backbones.create(null, 8));
    assertThrows(IllegalArgumentException.class, () -> Backbones.create("cnn", 0));
  }

  /**
   * The application saved cnn parameters in this order and with these shapes (d = 128, 28×28 grey):
   * conv 32·1·3·3 + 32, BN 4·32, conv 64·32·3·3 + 64, BN 4·64, FC 3136·256 + 256, FC 256·128 + 128
   * = 855,168 values, of which 854,976 are trained.
   */
  @Test
  void cnnKeepsTheApplicationsParameterLayout() {
    Block cnn = Backbones.create("cnn", 128);
    try (NDManager manager = NDManager.newBaseManager()) {
      cnn.initialize(manager, DataType.FLOAT32, new Shape(1, 1, 28, 28));
      assertEquals(
          List.of(
              "01Conv2d_weight",
              "01Conv2d_bias",
              "02BatchNorm_gamma",
              "02BatchNorm_beta",
              "02BatchNorm_runningMean",
              "02BatchNorm_runningVar",
              "05Conv2d_weight",
              "05Conv2d_bias",
              "06BatchNorm_gamma",
              "06BatchNorm_beta",
              "06BatchNorm_runningMean",
              "06BatchNorm_runningVar",
              "10Linear_weight",
              "10Linear_bias",
              "12Linear_weight",
              "12Linear_bias"),
          cnn.getParameters().keys());
      long all = cnn.getParameters().values().stream().mapToLong(p -> p.getShape().size()).sum();
      long trained =
          cnn.getParameters().values().stream()
              .filter(Parameter::requiresGradient)
              .mapToLong(p -> p.getShape().size())
              .sum();
      assertEquals(855_168, all);
      assertEquals(854_976, trained);
    }
  }

  @Test
  void resnetTakesAnyInputSize() {
    Block resnet = Backbones.create("resnet", 16);
    try (NDManager manager = NDManager.newBaseManager()) {
      resnet.initialize(manager, DataType.FLOAT32, new Shape(1, 3, 24, 20));
      assertEquals(126, resnet.getParameters().size());
      assertEquals(
          new Shape(2, 16), resnet.getOutputShapes(new Shape[] {new Shape(2, 3, 24, 20)})[0]);
    }
  }

  @Test
  void inputsAreRecordedAndChecked() {
    assertEquals(new Backbones.Input(1, 28, 28), Backbones.defaultInput("cnn"));
    Backbones.Input face = new Backbones.Input(3, 112, 112);
    for (String name : Backbones.NAMES.subList(1, Backbones.NAMES.size())) {
      assertEquals(face, Backbones.defaultInput(name));
      Backbones.checkInput(name, face);
    }
    Backbones.checkInput("cnn", new Backbones.Input(3, 64, 48));
    Backbones.checkInput("resnet", new Backbones.Input(1, 2, 2));
    IllegalArgumentException small =
        assertThrows(
            IllegalArgumentException.class,
            () -> Backbones.checkInput("cnn", new Backbones.Input(1, 3, 28)));
    assertTrue(small.getMessage().contains("1×3×28"), small.getMessage());
    IllegalArgumentException grey =
        assertThrows(
            IllegalArgumentException.class,
            () -> Backbones.checkInput("iresnet50", new Backbones.Input(1, 112, 112)));
    assertTrue(grey.getMessage().contains("3×112×112"), grey.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new Backbones.Input(2, 28, 28));
    assertThrows(IllegalArgumentException.class, () -> new Backbones.Input(1, 0, 28));
  }
}
