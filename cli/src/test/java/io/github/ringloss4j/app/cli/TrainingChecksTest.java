package io.github.ringloss4j.app.cli;

import static io.github.ringloss4j.app.cli.CliEndToEndTest.fails;
import static io.github.ringloss4j.app.cli.CliEndToEndTest.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 18's checks of a training run's options and data, made before the work they would spoil:
 * memory, batch, threads, empty splits, non-finite values, the --val sets and --devices before the
 * data, a resume with other epochs, the run directory a failed run leaves; and compare's grid.
 */
class TrainingChecksTest {

  /** The memory figure the application reads instead of the machine's. */
  private static final String AVAILABLE = "ringloss.availableMemory";

  @TempDir static Path tmp;
  static Path idx;
  static Path faces;

  @BeforeAll
  static void data() throws IOException {
    idx = TinyData.idx(tmp.resolve("idx"), 90, 30, 1);
    faces = TinyData.faces(tmp.resolve("faces"), 4, 6, 3);
  }

  /** A one-epoch run on the tiny IDX data (81 training images); {@code more} overrides. */
  static String[] idxTrain(Path out, String... more) {
    List<String> given = List.of(more);
    List<String> args = new ArrayList<>(List.of("train", "--out", out.toString()));
    String[] base = {"--data", idx.toString(), "--epochs", "1", "--batch-size", "16"};
    for (int i = 0; i < base.length; i += 2) {
      if (!given.contains(base[i])) {
        args.addAll(List.of(base[i], base[i + 1]));
      }
    }
    if (!given.contains("--embedding-size")) {
      args.addAll(List.of("--embedding-size", "8"));
    }
    args.add("--no-progress");
    args.addAll(given);
    return args.toArray(new String[0]);
  }

  /** A one-epoch run with an option's value refused, naming it, with exit code 2. */
  private static CliEndToEndTest.Run refused(
      Path out, String message, String option, String value) {
    return fails(RingLossCli.EXIT_USAGE, message, idxTrain(out, option, value));
  }

  /** The arguments with an option's value replaced. */
  private static String[] replaced(String[] args, String option, String value) {
    String[] copy = args.clone();
    copy[List.of(copy).indexOf(option) + 1] = value;
    return copy;
  }

  /** Runs a command with {@code bytes} of memory said to be available; it must be refused. */
  private static void refusedWithin(long bytes, int exit, String[] args, String... named) {
    String old = System.getProperty(AVAILABLE);
    System.setProperty(AVAILABLE, Long.toString(bytes));
    try {
      CliEndToEndTest.Run r = fails(exit, named[0], args);
      for (String more : named) {
        assertTrue(r.err().contains(more), r.err());
      }
      assertFalse(r.err().contains("\tat "), "no stack trace: " + r.err());
    } finally {
      if (old == null) {
        System.clearProperty(AVAILABLE);
      } else {
        System.setProperty(AVAILABLE, old);
      }
    }
  }

  @Test
  void aHeadTooLargeForTheMachineIsRefusedBeforeItIsAllocated() throws IOException {
    Path out = tmp.resolve("huge-head");
    // 10 classes × 200,000,000 × 4 bytes is 8 GB a copy: allocated, it would not have returned.
    refusedWithin(
        1_000_000_000L,
        RingLossCli.EXIT_USAGE,
        idxTrain(out, "--embedding-size", "200000000"),
        "--embedding-size 200000000 / --batch-size 16: training 10 classes needs at least 24.",
        "more than the 1.00 GB of memory available");
    assertFalse(Files.exists(out), "nothing written");

    // A small bound: a packed set's 4 classes at d = 100,000 need 4.8 MB; 1 MB is available.
    Path packed = tmp.resolve("packed");
    ok("pack", faces.toString(), "--out", packed.toString());
    Path small = tmp.resolve("small-bound");
    refusedWithin(
        1_000_000L,
        RingLossCli.EXIT_DATA,
        replaced(
            ReliabilityTest.facesTrain(packed, small, "--epochs", "1"),
            "--embedding-size",
            "100000"),
        packed.resolve("property") + ": 4 classes: training a head for them",
        "needs at least 4.8 MB",
        "more than the 1.0 MB of memory available");
    assertFalse(Files.exists(small), "nothing written");
  }

  @Test
  void theBatchIsAtMostTheTrainingImages() {
    Path out = tmp.resolve("big-batch");
    CliEndToEndTest.Run r = ok(idxTrain(out, "--batch-size", "100000"));
    assertTrue(
        r.err().contains("--batch-size 100000 is more than the 81 training images: each batch"),
        r.err());
    assertTrue(r.err().contains("m=81"), "the head's memory at the batch trained: " + r.err());
  }

  @Test
  void threadsAndWorkersAreBoundedByTheCores() {
    int cores = Runtime.getRuntime().availableProcessors();
    Path out = tmp.resolve("threads");
    fails(
        RingLossCli.EXIT_USAGE,
        "--threads must be between 1 and the " + cores + " cores, got 10000",
        idxTrain(out, "--threads", "10000"));
    refused(out, "--workers must be at most 4 per core", "--workers", "10000");
    assertFalse(Files.exists(out));
  }

  @Test
  void aSplitWithoutTrainingImagesIsRefusedNamingTheOption() {
    Path out = tmp.resolve("empty");
    refused(
        out,
        "--validation-fraction 0.999 leaves 0 training images (0 classes) of the 90 in " + idx,
        "--validation-fraction",
        "0.999");
    CliEndToEndTest.Run one =
        refused(
            out,
            "--train-limit 1 with --validation-fraction 0.1 leaves 1 training image (1 class)",
            "--train-limit",
            "1");
    assertFalse(one.err().contains("at least two classes (one sub-folder each)"), one.err());
    assertFalse(Files.exists(out));
  }

  @Test
  void valuesThatWouldBeIgnoredOrNotFiniteAreRefused() {
    Path out = tmp.resolve("values");
    refused(out, "--lr must be finite and > 0, got Infinity", "--lr", "Infinity");
    refused(
        out, "--weight-decay must be finite and >= 0, got Infinity", "--weight-decay", "Infinity");
    refused(out, "--image-size must be in [8, 4096], got 100000", "--image-size", "100000");
    refused(out, "--image-size 32 applies to image folders and packed sets", "--image-size", "32");
    assertFalse(Files.exists(out));
  }

  @Test
  void devicesAndValidationSetsAreCheckedBeforeTheData() throws IOException {
    Path missing = tmp.resolve("no-data");
    Path out = tmp.resolve("early");
    List<String> base =
        List.of("train", "--data", missing.toString(), "--out", out.toString(), "--no-progress");
    List<String> devices = new ArrayList<>(base);
    devices.addAll(List.of("--devices", "gpu:x"));
    fails(RingLossCli.EXIT_USAGE, "--devices", devices.toArray(new String[0]));

    // A set whose pickle is sound but whose first image does not decode.
    byte[] bin = Files.readAllBytes(VerificationSetsTest.FIXTURES.resolve("tiny_py3.bin"));
    int png = indexOf(bin, new byte[] {(byte) 0x89, 'P', 'N', 'G'});
    assertTrue(png > 0);
    for (int i = png + 8; i < png + 24; i++) {
      bin[i] = (byte) 0xff;
    }
    Path bad = Files.write(tmp.resolve("bad.bin"), bin);
    List<String> val = new ArrayList<>(base);
    val.addAll(List.of("--val", bad.toString()));
    CliEndToEndTest.Run r =
        fails(RingLossCli.EXIT_DATA, bad + " item 0", val.toArray(new String[0]));
    assertFalse(r.err().contains(missing.toString()), "the data are not read first: " + r.err());
    assertFalse(Files.exists(out), "nothing written");
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  @Test
  void otherEpochsOnResumeSayTheScheduleMatchesNeitherLength() {
    Path out = tmp.resolve("resume-epochs");
    ok(idxTrain(out, "--epochs", "2", "--stop-after", "1"));
    CliEndToEndTest.Run r =
        ok(
            "train",
            "--out",
            out.toString(),
            "--resume",
            "--epochs",
            "3",
            // The saved values, written otherwise: not a change.
            "--penalty",
            "l2",
            "--lr",
            "0.010",
            "--no-progress");
    assertTrue(
        r.err().contains("--epochs 3 on resume (checkpoint: 2) with the cosine schedule"), r.err());
    assertTrue(r.err().contains("matches neither a 2-epoch run nor a 3-epoch one"), r.err());
  }

  @Test
  void aRunThatFailsBeforeItsFirstCheckpointLeavesNoDirectory() {
    // The run directory can be made, but no file in it: its path is at the system's limit, so the
    // checkpoint's temporary file's name is too long. A full disk fails at the same place.
    Path root = tmp.resolve("long");
    Path out = root;
    while (out.toAbsolutePath().toString().length() < 4050) {
      out = out.resolve("d".repeat(200));
    }
    int room = 4080 - out.toAbsolutePath().toString().length();
    out = out.resolve("r".repeat(Math.min(200, room)));
    CliEndToEndTest.Run r = fails(RingLossCli.EXIT_IO, "File name too long", idxTrain(out));
    assertTrue(r.err().contains(out.toAbsolutePath().toString()), "names the path: " + r.err());
    assertFalse(Files.exists(root), "the directories the run made are removed");
    assertTrue(Files.isDirectory(tmp), "what existed stays");
  }

  @Test
  void compareRefusesAMethodGivenTwice() {
    Path out = tmp.resolve("compare");
    for (String[] twice :
        new String[][] {
          {"softmax,softmax", "'softmax' and 'softmax'"},
          {"softmax,ring@0.01,ring@0.010", "'ring@0.01' and 'ring@0.010'"},
          {"arcface,ArcFace", "'arcface' and 'ArcFace'"}
        }) {
      fails(
          RingLossCli.EXIT_USAGE,
          "--methods lists one method twice: " + twice[1],
          "compare",
          "--data",
          idx.toString(),
          "--out",
          out.toString(),
          "--methods",
          twice[0]);
    }
    assertEquals(2, CompareCommand.distinct(List.of("arcface", "arcface+ring@0.01")).size());
    assertFalse(Files.exists(out.resolve("softmax")), "nothing trained");
  }

  @Test
  void theOpenSetTextSaysWhichClassesWereHeldOut() {
    CompareCommand compare = new CompareCommand();
    compare.seeds = 3;
    List<List<Integer>> rotated = compare.openFolds(false);
    assertEquals(List.of(List.of(0), List.of(1), List.of(2)), rotated);
    String three = OpenSetFolds.heldOutText(rotated);
    assertEquals(
        "Per method, these runs held out {0,1}, {2,3}, {4,5} once each. Never held out: {6,7},"
            + " {8,9} (use --seeds a multiple of 5, or --open-folds all, to hold out every class).",
        three);
    compare.seeds = 5;
    assertTrue(
        OpenSetFolds.heldOutText(compare.openFolds(false)).endsWith("Every class was held out."));
    compare.seeds = 7;
    assertEquals(
        "Per method, these runs held out {4,5}, {6,7}, {8,9} once each; {0,1}, {2,3} 2 times"
            + " each. Every class was held out.",
        OpenSetFolds.heldOutText(compare.openFolds(false)));
    compare.seeds = 2;
    assertEquals(
        "Per method, these runs held out {0,1}, {2,3}, {4,5}, {6,7}, {8,9} 2 times each. Every"
            + " class was held out.",
        OpenSetFolds.heldOutText(compare.openFolds(true)));
  }
}
