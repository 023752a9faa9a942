package io.github.ringloss4j.app.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ImagesPerEpochTest {

  @Test
  void onlyALastBatchOfOneImageIsLeftOut() {
    // 9 = 2·4 + 1: the ninth image would be a batch of its own.
    assertEquals(8, TrainingRun.imagesPerEpoch(9, 4));
    // 54,000 = 421·128 + 112 (Fashion-MNIST's training split): nothing left out.
    assertEquals(54_000, TrainingRun.imagesPerEpoch(54_000, 128));
    // 10 = 2·4 + 2: a last batch of two trains.
    assertEquals(10, TrainingRun.imagesPerEpoch(10, 4));
    assertEquals(8, TrainingRun.imagesPerEpoch(8, 4));
    // 129 = 128 + 1.
    assertEquals(128, TrainingRun.imagesPerEpoch(129, 128));
    // A single image is not dropped to nothing.
    assertEquals(1, TrainingRun.imagesPerEpoch(1, 4));
  }
}
