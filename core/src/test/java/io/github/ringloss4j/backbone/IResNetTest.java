package io.github.ringloss4j.backbone;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Parameter counts against InsightFace's iresnet.py, d = 512. Per part, with L the blocks per stage
 * (BN = 2C, PReLU = C, conv k×k = in·out·k²):
 *
 * <pre>
 *   stem         3·64·9 + 128 + 64                                                   =      1,920
 *   IBasicBlock(in → p) = BN(in) + conv3×3(in→p) + BN(p) + PReLU(p) + conv3×3(p→p) + BN(p)
 *                         [+ downsample in·p + 2p on a stage's first block]
 *   stage 1      first 78,400,     others 74,176      (64 → 64)
 *   stage 2      first 230,400,    others 295,808     (64 → 128)
 *   stage 3      first 919,552,    others 1,181,440   (128 → 256)
 *   stage 4      first 3,674,112,  others 4,722,176   (256 → 512)
 *   embedding    BN2d 1,024 + FC 25,088·512 + 512 + BN1d shift 512 (scale frozen) = 12,847,104
 *
 *   18  [2,2,2,2]:   1,920 + 152,576 +   526,208 +  2,100,992 + 8,396,288 + 12,847,104 = 24,025,088
 *   34  [3,4,6,3]:   1,920 + 226,752 + 1,117,824 +  6,826,752 + 13,118,464 + 12,847,104 = 34,138,816
 *   50  [3,4,14,3]:  1,920 + 226,752 + 1,117,824 + 16,278,272 + 13,118,464 + 12,847,104 = 43,590,336
 *   100 [3,13,30,3]: 1,920 + 226,752 + 3,780,096 + 35,181,312 + 13,118,464 + 12,847,104 = 65,155,648
 * </pre>
 *
 * <p>PyTorch's {@code sum(p.numel() for p in model.parameters())} adds the frozen scale's 512: the
 * published 43,590,848 (50) and 65,156,160 (100), and 24,025,600 (18), 34,139,328 (34).
 */
class IResNetTest {

  @ParameterizedTest(name = "iresnet{0}")
  @CsvSource({
    "18, 24025088, 24025600",
    "34, 34138816, 34139328",
    "50, 43590336, 43590848",
    "100, 65155648, 65156160"
  })
  void parameterCountsMatchInsightFace(int depth, long trained, long pytorchParameters) {
    IResNet net = IResNet.builder().setDepth(depth).build();
    try (NDManager manager = NDManager.newBaseManager()) {
      BackboneTestSupport.initializeUnfilled(net, manager);
      assertEquals(trained, BackboneTestSupport.trainedParameters(net), "trained");
      assertEquals(
          pytorchParameters, BackboneTestSupport.learnableParameters(net), "model.parameters()");
      assertArrayEquals(
          new Shape[] {new Shape(2, 512)},
          net.getOutputShapes(new Shape[] {Backbone.inputShape(2)}));
    }
  }

  @Test
  void featuresScaleStaysOneAndFrozenWhateverTheGlobalSettings() {
    IResNet net = IResNet.builder().setDepth(18).optEmbeddingSize(64).build();
    net.freezeParameters(false);
    try (NDManager manager = NDManager.newBaseManager()) {
      // UNFILLED is set on every parameter, the scale included; initialize must restore ones.
      BackboneTestSupport.initializeUnfilled(net, manager);
      Parameter scale = net.getFeaturesScaleParameter();
      assertFalse(scale.requiresGradient());
      assertEquals(new Shape(64), scale.getShape());
      for (float g : scale.getArray().toFloatArray()) {
        assertEquals(1f, g);
      }
    }
  }

  @Test
  void iresnet18TrainsEveryParameterButTheFeaturesScale() {
    IResNet net = IResNet.builder().setDepth(18).build();
    try (NDManager manager = NDManager.newBaseManager()) {
      manager.getEngine().setRandomSeed(11);
      net.initialize(manager, DataType.FLOAT32, Backbone.inputShape(2));
      NDArray x = manager.randomNormal(Backbone.inputShape(2));
      try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
        NDArray y =
            net.forward(new ParameterStore(manager, false), new NDList(x), true).singletonOrThrow();
        assertEquals(new Shape(2, 512), y.getShape());
        // A random projection: the train-mode BN1d over two samples makes Σy and Σy² constant.
        collector.backward(y.mul(manager.randomNormal(y.getShape())).sum());
      }
      for (Pair<String, Parameter> p : net.getParameters()) {
        Parameter parameter = p.getValue();
        if (parameter.requiresGradient()) {
          NDArray grad = parameter.getArray().getGradient();
          assertNotNull(grad, p.getKey());
          assertTrue(grad.abs().sum().getFloat() > 0, "no gradient for " + p.getKey());
        }
      }
      assertFalse(net.getFeaturesScaleParameter().getArray().hasGradient());
    }
  }

  @Test
  void iresnet50MapsFacesToEmbeddings() {
    IResNet net = IResNet.builder().setDepth(50).build();
    try (NDManager manager = NDManager.newBaseManager()) {
      manager.getEngine().setRandomSeed(5);
      net.initialize(manager, DataType.FLOAT32, Backbone.inputShape(2));
      NDArray y =
          net.forward(
                  new ParameterStore(manager, false),
                  new NDList(manager.randomNormal(Backbone.inputShape(2))),
                  false)
              .singletonOrThrow();
      assertEquals(new Shape(2, 512), y.getShape());
      assertTrue(y.isInfinite().logicalOr(y.isNaN()).none().getBoolean(), "finite embeddings");
    }
  }

  @Test
  void configurationValidationAndDescription() {
    IResNet net = IResNet.builder().setDepth(34).optEmbeddingSize(128).optDropout(0.4f).build();
    assertEquals(
        "IResNet(depth=34, stageBlocks=[3, 4, 6, 3], embeddingSize=128, dropout=0.4)",
        net.toString());
    assertEquals(34, net.getDepth());
    assertEquals(128, net.getEmbeddingSize());
    assertEquals(0.4f, net.getDropout());
    assertArrayEquals(
        new Shape[] {new Shape(3, 128)}, net.getOutputShapes(new Shape[] {Backbone.inputShape(3)}));
    assertThrows(IllegalArgumentException.class, () -> IResNet.builder().build());
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> IResNet.builder().setDepth(20).build());
    assertTrue(e.getMessage().contains("20"), e.getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () -> IResNet.builder().setDepth(18).optDropout(1f).build());
    assertThrows(
        IllegalArgumentException.class,
        () -> IResNet.builder().setDepth(18).optEmbeddingSize(0).build());
    try (NDManager manager = NDManager.newBaseManager()) {
      e =
          assertThrows(
              IllegalArgumentException.class,
              () -> net.initialize(manager, DataType.FLOAT32, new Shape(1, 3, 96, 96)));
      assertTrue(e.getMessage().contains("112"), e.getMessage());
    }
  }
}
