package io.github.ringloss4j.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Blocks;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import io.github.ringloss4j.head.PartialFcHead;
import io.github.ringloss4j.nn.RingModelBlock;
import io.github.ringloss4j.nn.RingOutputs;
import org.junit.jupiter.api.Test;

class SampledLabelsLossTest {

  /**
   * Logits (0, ln 3): softmax (1/4, 3/4). With the remapped label 1 the loss is −ln(3/4) = ln(4/3)
   * = 0.2876821; without it the batch's label 0 gives −ln(1/4) = ln 4 = 1.3862944.
   */
  @Test
  void readsTheRemappedLabelsWhenPresentElseTheBatchLabels() {
    try (NDManager manager = NDManager.newBaseManager()) {
      NDArray logits = manager.create(new double[][] {{0, Math.log(3)}});
      logits.setName(RingOutputs.LOGITS);
      NDArray remapped = manager.create(new float[] {1});
      remapped.setName(PartialFcHead.SAMPLED_LABELS);
      NDList labels = new NDList(manager.create(new float[] {0}));
      SampledLabelsLoss loss = SampledLabelsLoss.softmaxCrossEntropy();
      assertEquals("softmax", loss.getName());
      double sampled = loss.evaluate(labels, new NDList(logits, remapped)).getDouble();
      assertEquals(Math.log(4.0 / 3), sampled, 1e-12);
      double full = loss.evaluate(labels, new NDList(logits)).getDouble();
      assertEquals(Math.log(4), full, 1e-12);
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () -> loss.evaluate(labels, new NDList(manager.create(new float[] {1}))));
      assertTrue(e.getMessage().contains("logits"), e.getMessage());
    }
  }

  /**
   * Through a {@link RingModelBlock}: a training forward passes the head's remapped labels on by
   * name, a validation forward returns full logits and none, and the loss takes the right labels in
   * both.
   */
  @Test
  void worksOnTheOutputsOfARingModel() {
    try (NDManager manager = NDManager.newBaseManager()) {
      PartialFcHead head =
          PartialFcHead.builder()
              .setHead(Linear.builder().setUnits(10).build())
              .optClasses(10)
              .optSampleRate(0.3)
              .build();
      RingModelBlock model = RingModelBlock.of(Blocks.identityBlock(), head);
      model.initialize(manager, DataType.FLOAT32, new Shape(4, 3));
      NDArray x = manager.randomNormal(new Shape(4, 3));
      NDList labels = new NDList(manager.create(new float[] {9, 2, 9, 5}));
      ParameterStore store = new ParameterStore(manager, false);
      NDList train = model.forward(store, new NDList(x), labels, null);
      NDArray remapped = RingOutputs.get(train, PartialFcHead.SAMPLED_LABELS);
      assertEquals(new Shape(4, 3), RingOutputs.get(train, RingOutputs.LOGITS).getShape());
      SampledLabelsLoss loss = SampledLabelsLoss.softmaxCrossEntropy();
      assertEquals(remapped, loss.effectiveLabels(labels, train).head());
      double expected =
          ai.djl.training.loss.Loss.softmaxCrossEntropyLoss()
              .evaluate(new NDList(remapped), new NDList(train.get(RingOutputs.LOGITS)))
              .getFloat();
      assertEquals(expected, loss.evaluate(labels, train).getFloat(), 0);
      NDList validation = model.forward(store, new NDList(x), false);
      assertEquals(null, validation.get(PartialFcHead.SAMPLED_LABELS));
      assertEquals(new Shape(4, 10), RingOutputs.get(validation, RingOutputs.LOGITS).getShape());
      assertEquals(labels, loss.effectiveLabels(labels, validation));
    }
  }
}
