package io.github.ringloss4j.app.cli;

import static io.github.ringloss4j.app.cli.CliEndToEndTest.fails;
import static io.github.ringloss4j.app.cli.CliEndToEndTest.ok;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.ringloss4j.app.train.Checkpoint;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --sample-rate}: Partial FC through the application, trained, saved and evaluated. */
class SampledHeadTest {

  @TempDir Path tmp;

  @Test
  void aSampledHeadTrainsResumesAndEvaluates() throws Exception {
    Path idx = TinyData.idx(tmp.resolve("idx"), 90, 30, 4);
    Path run = tmp.resolve("run");
    String[] train = train(idx, run, "cosface");
    CliEndToEndTest.Run r = ok(train);
    assertTrue(r.err().contains("head memory (float32): C=10"), r.err());
    assertTrue(Checkpoint.read(run).options().model().sampleRate() == 0.5);
    train[6] = "2";
    ok(append(train, "--resume"));
    ok("evaluate", run.toString(), "--pairs-per-kind", "40");
    fails(
        2, "--sample-rate", "train", "--out", tmp.resolve("bad").toString(), "--sample-rate", "0");
  }

  /**
   * {@code --sparse-update}: a run that updates only the sampled rows trains, says so in its head
   * memory line, keeps the option in its checkpoint and resumes; without sampling it is an option
   * error.
   */
  @Test
  void theSparseUpdateTrainsAndResumes() throws Exception {
    Path idx = TinyData.idx(tmp.resolve("idx"), 90, 30, 4);
    Path run = tmp.resolve("sparse");
    String[] train = append(train(idx, run, "arcface"), "--sparse-update");
    CliEndToEndTest.Run r = ok(train);
    assertTrue(r.err().contains("(sampled rows)"), r.err());
    assertTrue(Checkpoint.read(run).options().model().sparseUpdate());
    train[6] = "2";
    ok(append(train, "--resume"));
    fails(
        2,
        "--sparse-update",
        "train",
        "--data",
        idx.toString(),
        "--out",
        tmp.resolve("bad").toString(),
        "--sparse-update");
  }

  /** One epoch of a 10-class sampled head at r = 0.5; the epochs are at index 6. */
  private static String[] train(Path idx, Path run, String head) {
    return new String[] {
      "train",
      "--data",
      idx.toString(),
      "--out",
      run.toString(),
      "--epochs",
      "1",
      "--batch-size",
      "16",
      "--embedding-size",
      "8",
      "--head",
      head,
      "--sample-rate",
      "0.5",
      "--no-progress"
    };
  }

  private static String[] append(String[] args, String extra) {
    String[] out = java.util.Arrays.copyOf(args, args.length + 1);
    out[args.length] = extra;
    return out;
  }
}
