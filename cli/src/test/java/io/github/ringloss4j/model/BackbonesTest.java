package io.github.ringloss4j.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import org.junit.jupiter.api.Test;

class BackbonesTest {

  private static NDArray embed(Block block, Shape input) {
    try (NDManager manager = NDManager.newBaseManager()) {
      block.initialize(manager, DataType.FLOAT32, input);
      NDArray x = manager.randomUniform(0, 1, input);
      NDArray f = block.forward(new ParameterStore(manager, false), new NDList(x), false).head();
      assertEquals(block.getOutputShapes(new Shape[] {input})[0], f.getShape());
      float[] values = f.toFloatArray();
      for (float v : values) {
        assertTrue(Float.isFinite(v));
      }
      f.detach();
      return f;
    }
  }

  @Test
  void smallCnnMaps28x28ImagesToTheEmbeddingSize() {
    for (int d : new int[] {2, 128}) {
      NDArray f = embed(Backbones.create("cnn", d), new Shape(3, 1, 28, 28));
      assertEquals(new Shape(3, d), f.getShape());
      f.close();
    }
  }

  @Test
  void resnetMapsFaceSizeColourImagesToTheEmbeddingSize() {
    NDArray f = embed(Backbones.create("resnet", 64), new Shape(2, 3, 112, 112));
    assertEquals(new Shape(2, 64), f.getShape());
    f.close();
  }

  @Test
  void rejectsUnknownNamesAndSizes() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Backbones.create("vgg", 8));
    assertTrue(e.getMessage().contains("cnn") && e.getMessage().contains("resnet"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Backbones.create("cnn", 0));
  }
}
