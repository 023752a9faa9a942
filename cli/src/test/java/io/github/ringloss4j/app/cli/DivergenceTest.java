package io.github.ringloss4j.app.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.ringloss4j.app.data.Datasets;
import io.github.ringloss4j.app.data.FashionMnist;
import io.github.ringloss4j.app.data.ForwardingSource;
import io.github.ringloss4j.app.data.LabelledSource;
import io.github.ringloss4j.app.data.Subset;
import io.github.ringloss4j.app.eval.Method;
import io.github.ringloss4j.app.train.Checkpoint;
import io.github.ringloss4j.app.train.Progress;
import io.github.ringloss4j.app.train.TrainOptions;
import io.github.ringloss4j.app.train.TrainingRun;
import io.github.ringloss4j.training.DivergenceException;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Divergence in the application: a finite blow-up stops a run (exit code 4) while no method of the
 * comparison trips the guard in normal training, and a diverged epoch writes nothing.
 */
class DivergenceTest {

  @TempDir static Path tmp;
  static Path idx;

  @BeforeAll
  static void data() throws IOException {
    idx = TinyData.idx(tmp.resolve("idx"), 90, 30, 1);
  }

  static final Progress QUIET =
      new Progress(Progress.Mode.OFF, new PrintStream(OutputStream.nullOutputStream()), false);

  static boolean haveFashionMnist() {
    return Files.isDirectory(FashionMnist.DEFAULT_DIR);
  }

  /** Item 3: --lr 1 with a constant schedule runs away to 1e12 and beyond, all finite. */
  @Test
  void aFiniteBlowUpStopsTheRunWithTheRunawayMessage() {
    assumeTrue(haveFashionMnist(), "Fashion-MNIST installed (dataset-fashion-mnist)");
    Path out = tmp.resolve("runaway");
    CliEndToEndTest.Run r =
        CliEndToEndTest.fails(
            RingLossCli.EXIT_DIVERGED,
            "the guard's runaway rule",
            "train",
            "--lr",
            "1",
            "--schedule",
            "constant",
            "--train-limit",
            "1000",
            "--epochs",
            "1",
            "--out",
            out.toString(),
            "--no-progress");
    assertTrue(r.err().contains("ran away to"), r.err());
    assertFalse(r.err().contains("\tat "), r.err());
    assertFalse(Files.exists(out), "a diverged first epoch writes nothing");
  }

  /**
   * Item 3: the runaway rule (1e4 × the first value) fires on none of the comparison's methods in a
   * normal run: each of the default grid, with the options {@code compare} gives it, for 2 epochs
   * on 1,000 Fashion-MNIST images (8 steps an epoch; the first sets the rule's reference, the
   * schedule spans the 16). The held-out pass after each epoch goes through the guard too, here on
   * a tenth of compare's 6,000 validation images (validating changes no weight). The longest test
   * of the suite, so tagged slow.
   */
  @Test
  @Tag("slow")
  void noMethodOfTheComparisonTripsTheGuard() throws IOException {
    assumeTrue(haveFashionMnist(), "Fashion-MNIST installed (dataset-fashion-mnist)");
    CompareCommand compare = new CompareCommand();
    new CommandLine(compare).parseArgs("--epochs", "2", "--train-limit", "1000");
    Datasets.Splits splits = null;
    LabelledSource validation = null;
    for (String name : Method.DEFAULT_GRID) {
      TrainOptions options = compare.options(Method.parse(name), 1000);
      if (splits == null) {
        // One seed for every method: the same split, opened once.
        splits = Datasets.open(options.data(), options.run().seed());
        int[] everyTenth =
            IntStream.range(0, splits.validation().size() / 10).map(i -> 10 * i).toArray();
        validation = new Subset(splits.validation(), everyTenth);
      }
      Path out = tmp.resolve("grid").resolve(name.replace('@', '_').replace('+', '_'));
      // A DivergenceException here fails the test, naming the method through its stack.
      new TrainingRun(options, splits.train(), validation, out, QUIET).run(null);
      assertEquals(2, Checkpoint.read(out).epochsDone(), name);
    }
  }

  /**
   * Item 4 (the gap after the last update): with one batch per epoch, a step is checked before its
   * update and no later step sees the weights it produced; the run must not save them.
   */
  @Test
  void theLastUpdateOfAnEpochIsCheckedBeforeTheCheckpoint() {
    Path out = tmp.resolve("one-batch");
    CliEndToEndTest.Run r =
        CliEndToEndTest.fails(
            RingLossCli.EXIT_DIVERGED,
            "after step 1",
            "train",
            "--data",
            idx.toString(),
            "--out",
            out.toString(),
            "--batch-size",
            "128",
            "--lr",
            "1e6",
            "--schedule",
            "constant",
            "--epochs",
            "1",
            "--no-progress");
    assertFalse(r.err().contains("\tat "), r.err());
    assertFalse(Files.exists(out.resolve(Checkpoint.FILE_NAME)), "no diverged checkpoint");
  }

  /**
   * Training items that turn to NaN after a number of clean ones (read by one worker, in batch
   * order): data that make a run diverge.
   */
  static final class PoisonedFrom extends ForwardingSource {
    private final java.util.concurrent.atomic.AtomicInteger cleanLeft;

    PoisonedFrom(LabelledSource source, int cleanItems) {
      super(source);
      this.cleanLeft = new java.util.concurrent.atomic.AtomicInteger(cleanItems);
    }

    @Override
    public void read(int index, float[] destination, int offset, Random augmentation)
        throws IOException {
      source.read(index, destination, offset, augmentation);
      if (cleanLeft.getAndDecrement() <= 0) {
        Arrays.fill(destination, offset, offset + itemSize(), Float.NaN);
      }
    }
  }

  /**
   * Item 4: a run resumed after epoch 1 that diverges in epoch 2 leaves epoch 1's checkpoint and
   * metrics byte for byte, and names the step counted from the run's start.
   */
  @Test
  void aDivergedEpochKeepsTheLastGoodCheckpointAndCountsStepsFromTheStart() throws IOException {
    TrainOptions options =
        TrainOptions.parse(
            "--data",
            idx.toString(),
            "--epochs",
            "2",
            "--batch-size",
            "16",
            "--embedding-size",
            "8",
            "--lr",
            "0.02",
            "--lambda",
            "0.1",
            // One reader thread: the poisoned source counts the items in the order they are read.
            "--workers",
            "1");
    Datasets.Splits splits = Datasets.open(options.data(), options.run().seed());
    Path out = tmp.resolve("resumed");
    new TrainingRun(options, splits.train(), splits.validation(), out, QUIET).run(null, 1);
    List<String> files = List.of(Checkpoint.FILE_NAME, "metrics.csv", "metrics.json");
    byte[][] good = new byte[files.size()][];
    for (int i = 0; i < good.length; i++) {
      good[i] = Files.readAllBytes(out.resolve(files.get(i)));
    }
    Checkpoint epoch1 = Checkpoint.read(out);
    // As the run counts them: a last batch of one image is left out of each epoch.
    int batches =
        (io.github.ringloss4j.app.train.TrainingRun.imagesPerEpoch(splits.train().size(), 16) + 15)
            / 16;

    // Epoch 2 (the resumed run's first) turns to NaN at its third batch.
    LabelledSource poisoned = new PoisonedFrom(splits.train(), 2 * 16);
    DivergenceException e =
        assertThrows(
            DivergenceException.class,
            () -> new TrainingRun(options, poisoned, splits.validation(), out, QUIET).run(epoch1));
    assertEquals(batches + 3, e.getStep(), e.getMessage());
    assertTrue(e.getMessage().contains("at step " + (batches + 3)), e.getMessage());
    for (int i = 0; i < good.length; i++) {
      assertArrayEquals(good[i], Files.readAllBytes(out.resolve(files.get(i))), files.get(i));
    }
    try (var left = Files.list(out)) {
      assertEquals(files.size(), left.count(), "no temporary files either");
    }
  }
}
