package io.github.ringloss4j.app.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.ringloss4j.app.eval.EvaluationFile;
import io.github.ringloss4j.app.io.RunLock;
import io.github.ringloss4j.app.train.Checkpoint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run directory has one writer at a time, its evaluation files belong to their checkpoints, and
 * its files are found when named by a bare file name.
 */
class RunDirectoryTest {

  @TempDir static Path tmp;
  static Path faces;
  static String image;

  @BeforeAll
  static void data() throws IOException {
    faces = CheckpointFilesTest.faces(tmp.resolve("faces"));
    image = faces.resolve("id0").resolve("id0_0001.png").toString();
  }

  @Test
  void aRunInUseRefusesEveryOtherWriterAtOnceNamingTheHolder() throws IOException {
    Path run = CheckpointFilesTest.committedRun(tmp.resolve("in-use"));
    String holder = "pid " + ProcessHandle.current().pid();
    try (RunLock training = RunLock.acquire(run, "ringloss train --out " + run)) {
      assertTrue(training.holder().startsWith(holder));
      List<String[]> writers =
          List.of(
              new String[] {"train", "--out", run.toString(), "--resume", "--no-progress"},
              new String[] {"train", "--out", run.toString(), "--no-progress"},
              new String[] {"evaluate", run.toString(), "--data", faces.toString()},
              new String[] {"export", run.toString(), "--out", run.resolve("model").toString()},
              new String[] {
                "enroll", run.toString(), faces.toString(), "--out", run.resolve("g").toString()
              });
      for (String[] args : writers) {
        CliEndToEndTest.Run r =
            CliEndToEndTest.fails(RingLossCli.EXIT_IO, "ringloss train --out " + run, args);
        assertTrue(
            r.err().contains(run + " is in use by process " + ProcessHandle.current().pid()),
            r.err());
        assertFalse(r.err().contains("\tat "), r.err());
      }
      assertFalse(Files.exists(run.resolve("evaluation.json")));
      assertFalse(Files.exists(run.resolve("model")));
      assertFalse(Files.exists(run.resolve("g")));
      // Reading it and writing elsewhere is not writing it.
      CliEndToEndTest.ok(
          "evaluate",
          run.toString(),
          "--data",
          faces.toString(),
          "--out",
          tmp.resolve("elsewhere.json").toString());
    }
    CliEndToEndTest.ok("evaluate", run.toString(), "--data", faces.toString());
    assertFalse(Files.exists(run.resolve(RunLock.FILE_NAME)), "released and removed");
  }

  @Test
  void eachCheckpointHasItsEvaluationAndVerifyUsesItsOwnThreshold() throws IOException {
    Path run = CheckpointFilesTest.committedRun(tmp.resolve("two-checkpoints"));
    Path best = run.resolve("best.bin");
    Files.copy(run.resolve(Checkpoint.FILE_NAME), best);
    CliEndToEndTest.ok("evaluate", run.toString(), "--data", faces.toString());
    Path evaluation = run.resolve(EvaluationFile.FILE_NAME);
    byte[] ofCheckpoint = Files.readAllBytes(evaluation);
    CliEndToEndTest.ok("evaluate", best.toString(), "--data", faces.toString());
    assertArrayEquals(ofCheckpoint, Files.readAllBytes(evaluation), "best.bin's is another file");
    Path ofBest = run.resolve("evaluation-best.json");
    assertTrue(Files.readString(ofBest).contains("\"checkpoint\": \"best.bin\""));
    CliEndToEndTest.ok("verify", run.toString(), image, image);
    CliEndToEndTest.ok("verify", best.toString(), image, image);

    // best.bin's evaluation where checkpoint.bin's belongs (as evaluate wrote it before).
    Files.copy(ofBest, evaluation, StandardCopyOption.REPLACE_EXISTING);
    CliEndToEndTest.Run mixed =
        CliEndToEndTest.fails(
            RingLossCli.EXIT_DATA, evaluation.toString(), "verify", run.toString(), image, image);
    assertTrue(mixed.err().contains("belongs to checkpoint best.bin"), mixed.err());
    assertTrue(mixed.err().contains(Checkpoint.FILE_NAME), mixed.err());

    // A checkpoint trained further since its evaluation: another checksum.
    Files.write(evaluation, ofCheckpoint);
    CheckpointFilesTest.Payload p =
        CheckpointFilesTest.Payload.of(run.resolve(Checkpoint.FILE_NAME));
    p.history[7] ^= 1;
    p.write(run.resolve(Checkpoint.FILE_NAME));
    CliEndToEndTest.Run stale =
        CliEndToEndTest.fails(
            RingLossCli.EXIT_DATA, "CRC-32C", "verify", run.toString(), image, image);
    assertTrue(stale.err().contains("run 'ringloss evaluate"), stale.err());

    // A file of an earlier version does not say which checkpoint it belongs to.
    Files.writeString(
        evaluation,
        new String(ofCheckpoint, java.nio.charset.StandardCharsets.UTF_8)
            .replaceFirst("\"checkpoint\":", "\"checkpoint_was\":"));
    CliEndToEndTest.Run old =
        CliEndToEndTest.fails(
            RingLossCli.EXIT_DATA, evaluation.toString(), "verify", run.toString(), image, image);
    assertTrue(old.err().contains("run 'ringloss evaluate' on the checkpoint again"), old.err());
  }

  @Test
  void verifyRefusesAThresholdThatIsNoCosine() throws IOException {
    Path run = CheckpointFilesTest.committedRun(tmp.resolve("thresholds"));
    for (String t : new String[] {"NaN", "1.5", "-1.01", "Infinity", "-Infinity"}) {
      CliEndToEndTest.Run r =
          CliEndToEndTest.fails(
              RingLossCli.EXIT_USAGE,
              "--threshold",
              "verify",
              run.toString(),
              image,
              image,
              "--threshold",
              t);
      assertTrue(r.err().contains("[-1, 1]"), r.err());
    }
    CliEndToEndTest.ok("verify", run.toString(), image, image, "--threshold", "-1");
    CliEndToEndTest.Run one =
        CliEndToEndTest.run("verify", run.toString(), image, image, "--threshold", "1");
    assertTrue(one.exit() == 0 || one.exit() == VerifyCommand.EXIT_DIFFERENT, one.err());
  }

  @Test
  void aCheckpointNamedByItsBareFileNameIsFoundInTheWorkingDirectory() throws IOException {
    // The tests run in the module's directory; the checkpoint is copied there for this test.
    String name = "bare-" + UUID.randomUUID() + ".bin";
    Path bare = Path.of(name);
    assertTrue(bare.getParent() == null);
    Path evaluation = EvaluationFile.fileFor(bare);
    try {
      Files.copy(
          CheckpointFilesTest.committedRun(tmp.resolve("bare")).resolve(Checkpoint.FILE_NAME),
          bare);
      CliEndToEndTest.ok("evaluate", name, "--data", faces.toString());
      assertTrue(Files.isRegularFile(evaluation), evaluation.toString());
      CliEndToEndTest.ok("verify", name, image, image);
      CliEndToEndTest.ok("export", name, "--out", tmp.resolve("bare-export").toString());
      CliEndToEndTest.ok(
          "embed",
          name,
          "--images",
          faces.resolve("id1").toString(),
          "--out",
          tmp.resolve("bare-embed").toString());
      CliEndToEndTest.ok(
          "enroll", name, faces.toString(), "--out", tmp.resolve("bare-gallery").toString());
      CliEndToEndTest.ok("identify", name, tmp.resolve("bare-gallery").toString(), image);
    } finally {
      Files.deleteIfExists(bare);
      Files.deleteIfExists(evaluation);
    }
  }
}
