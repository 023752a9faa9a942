package io.github.ringloss4j.app.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.ringloss4j.app.train.Checkpoint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Inputs damaged at random: a checkpoint, IDX files, a pairs file and images, each truncated,
 * zeroed or with bytes flipped, in a fixed number of seeded trials. Whatever the damage, the
 * command must stop with exit code 2, 3 or 5 and one message naming the file, print no stack trace
 * and leave no output behind.
 *
 * <p>The damage is chosen among what the formats can detect, so that every trial must fail: the
 * checkpoint has a CRC-32C over all of it; gzip (the IDX files) checks its deflate data and CRC-32
 * but not its header's time stamp and OS bytes, so flips land after the 10-byte header; a pairs
 * file is text whose flipped bytes (XOR 0xFF) are never UTF-8, and whose truncation removes at
 * least its last digit (a cut newline alone leaves the same pairs); a PNG is checked by its header
 * and its {@code IEND} chunk (JDK's decoder ignores chunk CRCs), so flips hit its first 24 bytes
 * (signature, header chunk, width, height).
 */
class CorruptInputsTest {

  static final int TRIALS = 80;

  @TempDir static Path tmp;
  static Path idx;
  static Path faces;
  static Path run;

  @BeforeAll
  static void data() throws IOException {
    idx = TinyData.idx(tmp.resolve("idx"), 90, 30, 1);
    faces = CheckpointFilesTest.faces(tmp.resolve("faces"));
    run = CheckpointFilesTest.committedRun(tmp.resolve("run"));
  }

  static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path p : files.toList()) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target);
        }
      }
    }
  }

  static List<Path> tree(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      return files.sorted().toList();
    }
  }

  static <T> T pick(List<T> list, Random random) {
    return list.get(random.nextInt(list.size()));
  }

  @Test
  void everyDamagedInputIsNamedWithoutTraceOrOutput() throws IOException {
    Random random = new Random(20261130L);
    List<String> failures = new ArrayList<>();
    for (int trial = 0; trial < TRIALS; trial++) {
      Path dir = Files.createDirectories(tmp.resolve("trial" + trial));
      Mutations.Kind damage =
          Mutations.CUT_FLIP_ZERO[random.nextInt(Mutations.CUT_FLIP_ZERO.length)];
      Path broken;
      String[] command;
      Path out = dir.resolve("out");
      switch (trial % 4) {
        case 0 -> {
          Path trialRun = dir.resolve("run");
          copyTree(run, trialRun);
          broken = trialRun.resolve(Checkpoint.FILE_NAME);
          int size = (int) Files.size(broken);
          Mutations.damage(broken, damage, random, 0, size, size - 1);
          command =
              pick(
                  List.of(
                      new String[] {"evaluate", trialRun.toString(), "--data", faces.toString()},
                      new String[] {"train", "--out", trialRun.toString(), "--resume"},
                      new String[] {"embed", trialRun.toString(), "--out", out.toString()}),
                  random);
        }
        case 1 -> {
          Path data = dir.resolve("idx");
          copyTree(idx, data);
          broken =
              data.resolve(
                  pick(
                      List.of(
                          "train-images-idx3-ubyte.gz",
                          "train-labels-idx1-ubyte.gz",
                          "t10k-images-idx3-ubyte.gz",
                          "t10k-labels-idx1-ubyte.gz"),
                      random));
          int size = (int) Files.size(broken);
          Mutations.damage(broken, damage, random, 10, size, size - 1);
          command =
              new String[] {
                "train", "--data", data.toString(), "--out", out.toString(), "--epochs", "1"
              };
        }
        case 2 -> {
          broken = dir.resolve("pairs.txt");
          Files.copy(faces.resolve("pairs.txt"), broken);
          int size = (int) Files.size(broken);
          Mutations.damage(broken, damage, random, 0, size, size - 2);
          command =
              new String[] {
                "evaluate",
                run.toString(),
                "--data",
                faces.toString(),
                "--pairs",
                broken.toString(),
                "--out",
                out.resolve("evaluation.json").toString()
              };
        }
        default -> {
          Path data = dir.resolve("faces");
          copyTree(faces, data);
          List<Path> images;
          try (Stream<Path> files = Files.walk(data)) {
            images = files.filter(p -> p.toString().endsWith(".png")).sorted().toList();
          }
          broken = pick(images, random);
          int size = (int) Files.size(broken);
          Mutations.damage(broken, damage, random, 0, 24, size - 1);
          command =
              new String[] {
                "train",
                "--data",
                data.toString(),
                "--out",
                out.toString(),
                "--image-size",
                "8",
                "--epochs",
                "1"
              };
        }
      }
      List<Path> before = tree(dir);
      List<String> args = new ArrayList<>(List.of(command));
      args.add("--no-progress");
      CliEndToEndTest.Run r = CliEndToEndTest.run(args.toArray(new String[0]));
      String what = "trial " + trial + ": " + damage + " " + broken + ", " + String.join(" ", args);
      if (Boolean.getBoolean("ringloss.debugTrials")) {
        System.out.println(what + "\n  exit " + r.exit() + ": " + r.err());
      }
      if (!Set.of(2, 3, 5).contains(r.exit())) {
        failures.add(what + "\n  exit " + r.exit() + "\n  " + r.err());
      } else if (!r.err().contains(broken.toString())) {
        failures.add(what + "\n  does not name the file:\n  " + r.err());
      } else if (r.err().contains("\tat ") || r.err().contains("Exception in")) {
        failures.add(what + "\n  stack trace:\n  " + r.err());
      } else if (!before.equals(tree(dir))) {
        failures.add(what + "\n  left output: " + tree(dir));
      }
    }
    assertTrue(
        failures.isEmpty(), failures.size() + " trials failed:\n" + String.join("\n", failures));
    assertEquals(
        TRIALS,
        tree(tmp).stream().filter(p -> p.getFileName().toString().startsWith("trial")).count());
    assertFalse(Files.exists(tmp.resolve("trial0").resolve("out")));
  }
}
