package io.github.ringloss4j.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.ParameterTracker;
import ai.djl.training.tracker.Tracker;
import io.github.ringloss4j.head.NormFaceHead;
import io.github.ringloss4j.nn.RadiusInit;
import io.github.ringloss4j.nn.RingLossBlock;
import io.github.ringloss4j.nn.RingModelBlock;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Data-parallel training as DJL's parameter server drives it: after the gradients of a step are
 * summed, {@code update} is called once per device copy of each parameter. No machine here has two
 * devices (DJL maps every CPU device to {@code cpu()} and the Trainer refuses duplicates), so the
 * harness holds k weight copies of one parameter and calls {@code update} once per copy per step,
 * exactly as {@code LocalParameterServer.update} does; the result must equal one device.
 */
class RingOptimizerDevicesTest {

  private static final int STEPS = 5;

  /** A model whose first parameter is a [3, 4] weight; its id names the parameter. */
  private static RingModelBlock model() {
    return RingModelBlock.builder()
        .setEmbedding(Linear.builder().setUnits(3).build())
        .optRing(RingLossBlock.builder().optRadiusInit(RadiusInit.constant(1)).build())
        .build();
  }

  private static String weightId(Block model) {
    return model.getParameters().get(0).getValue().getId();
  }

  /** The gradient of step t, the same on every device after the parameter server's reduction. */
  private static NDArray gradient(NDManager manager, int t) {
    float[] g = new float[12];
    for (int i = 0; i < g.length; i++) {
      g[i] = (float) Math.sin(0.7 * i + 1.3 * t);
    }
    return manager.create(g, new Shape(3, 4));
  }

  private static NDArray initialWeight(NDManager manager) {
    float[] w = new float[12];
    for (int i = 0; i < w.length; i++) {
      w[i] = (float) Math.cos(0.3 * i);
    }
    return manager.create(w, new Shape(3, 4));
  }

  /** Trains k copies for the given steps and returns every copy's final weight. */
  private static List<float[]> train(
      Optimizer optimizer, String id, NDManager manager, int copies, int from, int to) {
    List<NDArray> weights = new ArrayList<>();
    for (int c = 0; c < copies; c++) {
      weights.add(initialWeight(manager));
    }
    return train(optimizer, id, manager, weights, from, to);
  }

  private static List<float[]> train(
      Optimizer optimizer, String id, NDManager manager, List<NDArray> weights, int from, int to) {
    for (int t = from; t < to; t++) {
      NDArray grad = gradient(manager, t);
      for (NDArray w : weights) {
        optimizer.update(id, w, grad.duplicate());
      }
    }
    List<float[]> out = new ArrayList<>();
    for (NDArray w : weights) {
      out.add(w.toFloatArray());
    }
    return out;
  }

  /** A schedule that depends on the step, so a step counter running k times too fast shows. */
  private static ParameterTracker schedule() {
    return Tracker.factor().setBaseValue(0.1f).setFactor(0.5f).build();
  }

  private static Optimizer ringOptimizer(String kind, Block model) {
    RingOptimizer.Builder b =
        kind.equals("adam") ? RingOptimizer.adamBuilder() : RingOptimizer.sgdBuilder();
    return b.setLearningRateTracker(schedule()).optWeightDecays(1e-2f).build(model);
  }

  @ParameterizedTest
  @ValueSource(strings = {"sgd", "adam"})
  void twoDeviceCopiesTakeExactlyTheOneDeviceStep(String kind) {
    try (NDManager manager = NDManager.newBaseManager()) {
      RingModelBlock one = model();
      float[] single = train(ringOptimizer(kind, one), weightId(one), manager, 1, 0, STEPS).get(0);
      RingModelBlock two = model();
      List<float[]> copies = train(ringOptimizer(kind, two), weightId(two), manager, 2, 0, STEPS);
      assertArrayEquals(single, copies.get(0), kind + ": device 0");
      assertArrayEquals(single, copies.get(1), kind + ": device 1");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"sgd", "adam"})
  void stockOptimizersAreRightOnOneDeviceOnly(String kind) {
    // The limit RadiusLearningRate documents: DJL's optimisers count every update call, so the
    // schedule of the second copy runs ahead and the copies part.
    try (NDManager manager = NDManager.newBaseManager()) {
      RingModelBlock two = model();
      Optimizer stock =
          kind.equals("adam")
              ? Optimizer.adam().optLearningRateTracker(schedule()).build()
              : Optimizer.sgd().setLearningRateTracker(schedule()).optMomentum(0.9f).build();
      List<float[]> copies = train(stock, weightId(two), manager, 2, 0, STEPS);
      assertNotEquals(copies.get(0)[0], copies.get(1)[0], kind);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"sgd", "adam"})
  void aStateSavedOnOneDeviceResumesOnTwo(String kind) throws Exception {
    try (NDManager manager = NDManager.newBaseManager()) {
      RingModelBlock straight = model();
      float[] uninterrupted =
          train(ringOptimizer(kind, straight), weightId(straight), manager, 1, 0, STEPS).get(0);

      RingModelBlock first = model();
      Optimizer before = ringOptimizer(kind, first);
      List<NDArray> w = List.of(initialWeight(manager));
      train(before, weightId(first), manager, w, 0, 2);
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      ((RingOptimizer) before).save(new DataOutputStream(bytes));

      RingModelBlock resumed = model();
      RingOptimizer after = (RingOptimizer) ringOptimizer(kind, resumed);
      after.load(manager, new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
      // The ids differ between the two models; the structural names match.
      List<NDArray> copies = List.of(w.get(0).duplicate(), w.get(0).duplicate());
      List<float[]> out = train(after, weightId(resumed), manager, copies, 2, STEPS);
      assertArrayEquals(uninterrupted, out.get(0), kind + ": device 0");
      assertArrayEquals(uninterrupted, out.get(1), kind + ": device 1");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"sgd", "adam"})
  void learnedScalarsOfTypeOtherAreNotDecayed(String kind) {
    Block model = model();
    RingOptimizer optimizer = (RingOptimizer) ringOptimizer(kind, model);
    Parameter radius = ((RingModelBlock) model).getRing().getRadiusParameter();
    assertEquals(0f, optimizer.weightDecay(radius.getId(), new Shape(1)));
    assertEquals(1e-2f, optimizer.weightDecay(weightId(model), new Shape(3, 4)));
    RingModelBlock decayed =
        RingModelBlock.builder()
            .setEmbedding(Linear.builder().setUnits(3).build())
            .optRing(RingLossBlock.builder().optRadiusWeightDecay(true).build())
            .build();
    RingOptimizer opted = (RingOptimizer) ringOptimizer(kind, decayed);
    assertEquals(
        1e-2f, opted.weightDecay(decayed.getRing().getRadiusParameter().getId(), new Shape(1)));
    // A head's learned scale s is a learned scalar of type OTHER too.
    RingModelBlock withScale =
        RingModelBlock.of(
            Linear.builder().setUnits(3).build(),
            NormFaceHead.builder().setClasses(4).optLearnScale(true).build());
    RingOptimizer heads = (RingOptimizer) ringOptimizer(kind, withScale);
    String scale = withScale.getHead().getParameters().get(NormFaceHead.SCALE).getId();
    assertEquals(0f, heads.weightDecay(scale, new Shape(1)));
  }
}
