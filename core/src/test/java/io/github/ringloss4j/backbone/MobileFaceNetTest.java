package io.github.ringloss4j.backbone;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/**
 * MobileFaceNet against InsightFace's mobilefacenet.py. With ConvBlock(i→o, k, g) = i/g·o·k² + 3o
 * and LinearBlock = i/g·o·k² + 2o, and DepthWise(i→o, inner g) = ConvBlock(i→g) + ConvBlock(g→g,
 * 3×3, g) + LinearBlock(g→o), {@code get_mbf} (blocks (1, 4, 6, 2), s = 2, d = 512) counts
 *
 * <pre>
 *   ConvBlock(3→128, 3×3)                      3,840
 *   ConvBlock(128→128, 3×3, groups 64)         2,688
 *   DepthWise(128→128, 128) ×(1 + 4)         174,720   (34,944 each)
 *   DepthWise(128→256, 256)                  102,656
 *   Residual(256, 6, 256)                    812,544   (135,424 each)
 *   DepthWise(256→256, 512)                  270,336
 *   Residual(256, 2, 256)                    270,848
 *   conv_sep ConvBlock(256→512)              132,608
 *   GDC 26,112 + Linear 262,144 + BN1d 1,024 289,280
 *                                          = 2,059,520
 * </pre>
 *
 * <p>{@code get_mbf_large} (blocks (2, 8, 12, 4), s = 4) by the same rules: 6,314,880.
 */
class MobileFaceNetTest {

  @Test
  void getMbfHasTheReferenceParameterCount() {
    MobileFaceNet net = MobileFaceNet.builder().build();
    try (NDManager manager = NDManager.newBaseManager()) {
      BackboneTestSupport.initializeUnfilled(net, manager);
      // Nothing is frozen: the trained count is the reference's model.parameters().
      assertEquals(2_059_520L, BackboneTestSupport.trainedParameters(net));
      assertEquals(2_059_520L, BackboneTestSupport.learnableParameters(net));
    }
  }

  @Test
  void getMbfLargeHasTheDerivedParameterCount() {
    MobileFaceNet net = MobileFaceNet.builder().optBlocks(2, 8, 12, 4).optScale(4).build();
    try (NDManager manager = NDManager.newBaseManager()) {
      BackboneTestSupport.initializeUnfilled(net, manager);
      assertEquals(6_314_880L, BackboneTestSupport.trainedParameters(net));
    }
  }

  @Test
  void mapsFacesToEmbeddingsAndSurvivesASaveLoadRoundTrip()
      throws IOException, MalformedModelException {
    try (NDManager manager = NDManager.newBaseManager()) {
      manager.getEngine().setRandomSeed(3);
      MobileFaceNet net = MobileFaceNet.builder().build();
      net.initialize(manager, DataType.FLOAT32, Backbone.inputShape(2));
      NDList x = new NDList(manager.randomNormal(Backbone.inputShape(2)));
      ParameterStore store = new ParameterStore(manager, false);
      // A training pass moves the BatchNorm running statistics, so the saved state is not fresh.
      assertEquals(new Shape(2, 512), net.forward(store, x, true).singletonOrThrow().getShape());
      NDArray y = net.forward(store, x, false).singletonOrThrow();
      assertEquals(new Shape(2, 512), y.getShape());

      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      net.saveParameters(new DataOutputStream(bytes));
      MobileFaceNet loaded = MobileFaceNet.builder().build();
      loaded.loadParameters(
          manager, new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
      NDArray z = loaded.forward(store, x, false).singletonOrThrow();
      assertArrayEquals(y.toFloatArray(), z.toFloatArray(), 0f);
    }
  }

  @Test
  void configurationValidationAndDescription() {
    MobileFaceNet net = MobileFaceNet.builder().optEmbeddingSize(256).build();
    assertEquals("MobileFaceNet(blocks=[1, 4, 6, 2], scale=2, embeddingSize=256)", net.toString());
    assertArrayEquals(new int[] {1, 4, 6, 2}, net.getBlocks());
    assertEquals(2, net.getScale());
    assertArrayEquals(
        new Shape[] {new Shape(4, 256)}, net.getOutputShapes(new Shape[] {Backbone.inputShape(4)}));
    assertThrows(
        IllegalArgumentException.class, () -> MobileFaceNet.builder().optBlocks(1, 4, 6).build());
    assertThrows(
        IllegalArgumentException.class,
        () -> MobileFaceNet.builder().optBlocks(1, -1, 6, 2).build());
    assertThrows(IllegalArgumentException.class, () -> MobileFaceNet.builder().optScale(0).build());
    assertThrows(
        IllegalArgumentException.class, () -> MobileFaceNet.builder().optEmbeddingSize(0).build());
  }
}
