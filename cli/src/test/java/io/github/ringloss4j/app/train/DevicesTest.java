package io.github.ringloss4j.app.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code --devices} and the data-parallel split of a batch. No machine here has a GPU or a second
 * device (DJL maps every CPU device to {@code cpu()}), so the split's arithmetic is tested on its
 * own; the ring's split start and the optimiser's per-device state have their own harnesses in core
 * ({@code RingLossBlockTest}, {@code RingOptimizerDevicesTest}).
 */
class DevicesTest {

  @Test
  void cpuAndAutoWithoutAGpuAreTheCpu() {
    assertArrayEquals(new Device[] {Device.cpu()}, Devices.parse("cpu"));
    assertArrayEquals(new Device[] {Device.cpu()}, Devices.parse(" AUTO "));
  }

  @Test
  void gpuRequestsNameTheOptionAndSayWhy() {
    for (String spec : new String[] {"gpu", "gpu:0", "gpu:0,1"}) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> Devices.parse(spec));
      assertTrue(e.getMessage().startsWith("--devices: the engine sees no GPU"), e.getMessage());
    }
    for (String spec : new String[] {"tpu", "gpu:", "gpu:a", "gpu:0,0", "gpu:-1"}) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> Devices.parse(spec));
      assertTrue(e.getMessage().startsWith("--devices: "), e.getMessage());
      assertTrue(e.getMessage().contains("'" + spec + "'"), e.getMessage());
    }
  }

  @Test
  void aBatchIsSplitAsEvenlyAsPossible() {
    // 10 items over 3 devices: 4 + 3 + 3
    assertArrayEquals(new long[] {0, 4, 7, 10}, TrainingStep.splitBounds(10, 3));
    assertArrayEquals(new long[] {0, 64, 128}, TrainingStep.splitBounds(128, 2));
    assertThrows(IllegalArgumentException.class, () -> TrainingStep.splitBounds(1, 2));
  }

  @Test
  void splitOutputsAreJoinedInOrderWithTheirNames() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDList a = new NDList(m.create(new float[] {1, 2}), m.create(new float[][] {{1}, {2}}));
      NDList b = new NDList(m.create(new float[] {3}), m.create(new float[][] {{3}}));
      a.get(0).setName("feature_norms");
      b.get(0).setName("feature_norms");
      NDList joined = TrainingStep.concatByName(List.of(a, b), Device.cpu());
      NDArray norms = joined.get("feature_norms");
      assertArrayEquals(new float[] {1, 2, 3}, norms.toFloatArray());
      assertEquals(3, joined.get(1).getShape().get(0));
    }
  }
}
