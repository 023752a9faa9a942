package io.github.ringloss4j.app.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.ringloss4j.app.train.TrainOptions;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class ComparisonHeaderTest {

  private static final Machine MACHINE =
      new Machine(
          "Some CPU, Linux amd64",
          4,
          16,
          "17.0.15",
          new Machine.EngineInfo("9.9.9", "PyTorch", "3.0.0", "CPU"));

  private static ComparisonHeader.Data data(List<Integer> train, List<Integer> test, int side) {
    return new ComparisonHeader.Data(
        "the data in /d", new TreeSet<>(train), new TreeSet<>(test), 10, side);
  }

  private static ComparisonHeader header(String limit, ComparisonHeader.OpenSet open)
      throws Exception {
    return new ComparisonHeader(
        "ringloss compare --x",
        1.25,
        30,
        MACHINE,
        data(List.of(1200), List.of(300), 16),
        TrainOptions.parse("--train-limit", limit, "--epochs", "3"),
        List.of(1000L, 1001L),
        "20 genuine + 20 impostor pairs",
        open,
        List.of(8, 4),
        false);
  }

  @Test
  void theMachineAndTheDataAreWhatRan() throws Exception {
    String md = header("0", null).markdown();
    assertTrue(
        md.contains(
            "in 1.3 minutes (finished runs are reused: their summary.json when it was evaluated the"
                + " same way, else their checkpoint, so a rerun only re-evaluates or only"
                + " tabulates; the runs' own training took 30.0 minutes in all), on Some CPU,"
                + " Linux amd64, 4 CPU cores with 16 GiB of memory, Java 17.0.15, DJL 9.9.9 with"
                + " PyTorch 3.0.0 (CPU).\n"),
        md);
    assertTrue(
        md.contains(
            "Data: the data in /d, 1,200 training images per run (a seeded sample; 10% of it"
                + " held out for validation), the 300 test images for evaluation."),
        md);
    assertTrue(md.contains("3 epochs, seeds 1000, 1001."), md);
    assertTrue(md.contains("brought back to 16 px bilinearly"), md);
    assertFalse(md.contains("Open set"), md);
    assertFalse(md.contains("60,000"), md);
  }

  @Test
  void theOpenSetNamesItsClassesImagesAndFolds() throws Exception {
    ComparisonHeader.OpenSet open =
        new ComparisonHeader.OpenSet(
            data(List.of(950, 960), List.of(28, 31), 16),
            2,
            "{0,1}, {2,3}, {4,5}, {6,7}, {8,9}",
            5,
            "every fold for every seed",
            "Every class was held out.");
    String all = header("0", open).markdown();
    assertTrue(
        all.contains(
            "\nOpen set: each run trains on 8 of the 10 classes (the head has 8 classes) and is"
                + " verified on the test images of the 2 it never saw; the held-out pair is one"
                + " of 5 folds, {0,1}, {2,3}, {4,5}, {6,7}, {8,9} (every fold for every seed)."
                + " Every class was held out. The training sample (all 950 to 960 images) is"
                + " drawn from the 8 classes only. Verification only: identification among 2"
                + " classes is trivial; no classification accuracy. Pairs per fold: as above,"
                + " drawn from the fold's 28 to 31 test images.\n"),
        all);
    assertTrue(header("2000", open).markdown().contains("(all 950 to 960 images)"));
    // A limit the data reach: a sample of them, though it may happen to be all.
    assertTrue(header("960", open).markdown().contains("(950 to 960 images)"));
  }

  @Test
  void countsAreWrittenByHand() {
    assertEquals("60,000", ComparisonHeader.count(new TreeSet<>(List.of(60000))));
    assertEquals("1,990 to 2,010", ComparisonHeader.count(new TreeSet<>(List.of(2010, 1990))));
  }
}
