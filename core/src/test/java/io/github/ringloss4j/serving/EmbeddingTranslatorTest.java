package io.github.ringloss4j.serving;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.modality.cv.Image;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.github.ringloss4j.backbone.Backbones;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The translator's batching and output steps, without a network. */
class EmbeddingTranslatorTest {

  @Test
  void rowsOfSeveralImagesAreConcatenatedAndCutBack() {
    RowBatchifier batchifier = new RowBatchifier(2);
    try (NDManager manager = NDManager.newBaseManager()) {
      NDList[] items = new NDList[3];
      for (int i = 0; i < items.length; i++) {
        items[i] = new NDList(manager.arange(6f).reshape(2, 3).add(10 * i));
      }
      NDList batch = batchifier.batchify(items);
      assertEquals(new Shape(6, 3), batch.singletonOrThrow().getShape());
      NDList[] back = batchifier.unbatchify(batch);
      assertEquals(3, back.length);
      for (int i = 0; i < items.length; i++) {
        assertArrayEquals(
            items[i].singletonOrThrow().toFloatArray(), back[i].singletonOrThrow().toFloatArray());
      }
      assertThrows(
          IllegalArgumentException.class,
          () -> batchifier.unbatchify(new NDList(manager.zeros(new Shape(3, 4)))));
    }
  }

  @Test
  void flipSumAddsTheRowsAndL2DividesByTheNorm() {
    Backbones.Input input = new Backbones.Input(1, 4, 4);
    try (NDManager manager = NDManager.newBaseManager()) {
      NDArray rows = manager.create(new float[][] {{3f, -1f, 0.5f}, {1f, 4f, 2.5f}});
      float[] sum = {4f, 3f, 3f};
      float[] plain =
          new EmbeddingTranslator(Preprocessing.of(input).withFlipSum(true))
              .processOutput(null, new NDList(rows));
      assertArrayEquals(sum, plain);
      float[] unit =
          new EmbeddingTranslator(Preprocessing.of(input).withFlipSum(true).withL2Normalize(true))
              .processOutput(null, new NDList(rows));
      double norm = Math.sqrt(16 + 9 + 9);
      assertArrayEquals(
          new float[] {(float) (4 / norm), (float) (3 / norm), (float) (3 / norm)}, unit, 1e-7f);
      float[] zero =
          new EmbeddingTranslator(Preprocessing.of(input).withL2Normalize(true))
              .processOutput(null, new NDList(manager.zeros(new Shape(1, 3))));
      assertArrayEquals(new float[3], zero, "a zero embedding stays zero");
      assertThrows(
          IllegalArgumentException.class,
          () ->
              new EmbeddingTranslator(Preprocessing.of(input))
                  .processOutput(null, new NDList(rows)),
          "two rows where one was expected");
    }
  }

  @Test
  void theFactoryServesImageToFloatArrayOnly() {
    EmbeddingTranslatorFactory factory = new EmbeddingTranslatorFactory();
    assertEquals(true, factory.isSupported(Image.class, float[].class));
    assertEquals(false, factory.isSupported(Image.class, NDList.class));
    assertThrows(
        IllegalArgumentException.class,
        () -> factory.newInstance(Image.class, String.class, null, java.util.Map.of()));
  }

  @Test
  void normalisationIsPerChannelAndExactForMeanZeroStdOne() {
    Backbones.Input input = new Backbones.Input(3, 1, 2);
    float[] chw = {0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f};
    assertArrayEquals(chw.clone(), Preprocessing.of(input).normalize(chw.clone()));
    float[] mean = {0.1f, 0.2f, 0.3f};
    float[] std = {0.5f, 0.25f, 2f};
    float[] out = Preprocessing.of(input).withNormalization(mean, std).normalize(chw.clone());
    float[] expected = new float[6];
    for (int i = 0; i < 6; i++) {
      expected[i] = (chw[i] - mean[i / 2]) / std[i / 2];
    }
    assertArrayEquals(expected, out, Arrays.toString(out));
    // One input of a batch, where it starts: the same values, the rest untouched.
    Preprocessing p = Preprocessing.of(input).withNormalization(mean, std);
    float[] batch = new float[14];
    System.arraycopy(chw, 0, batch, 5, 6);
    p.normalize(batch, 5);
    assertArrayEquals(expected, Arrays.copyOfRange(batch, 5, 11));
    assertArrayEquals(new float[5], Arrays.copyOfRange(batch, 0, 5));
    assertArrayEquals(new float[3], Arrays.copyOfRange(batch, 11, 14));
    assertThrows(IndexOutOfBoundsException.class, () -> p.normalize(batch, 9));
  }
}
