package io.github.ringloss4j.app.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code compare} with the face protocol on an image folder and on a packed set: an
 * identity-disjoint split, every run trained without the test identities, the same pairs and
 * open-set design for every method.
 */
class CompareFaceTest {

  @TempDir Path tmp;

  private CliEndToEndTest.Run compare(Path data, Path out, String... more) {
    return compareHolding(data, out, "4", "20", more);
  }

  private CliEndToEndTest.Run compareHolding(
      Path data, Path out, String testIdentities, String pairsPerKind, String... more) {
    List<String> args =
        new java.util.ArrayList<>(
            List.of(
                "compare",
                "--data",
                data.toString(),
                "--test-identities",
                testIdentities,
                "--methods",
                "softmax,ring@0.01",
                "--seeds",
                "2",
                "--epochs",
                "1",
                "--image-size",
                "16",
                "--channels",
                "3",
                "--batch-size",
                "8",
                "--pairs-per-kind",
                pairsPerKind,
                "--out",
                out.toString(),
                "--no-progress"));
    args.addAll(List.of(more));
    return CliEndToEndTest.run(args.toArray(String[]::new));
  }

  @Test
  void anImageFolderIsSplitByIdentityAndEveryMethodSharesTheTest() throws Exception {
    Path folder = TinyData.faces(tmp.resolve("faces"), 10, 6, 3);
    Path out = tmp.resolve("out");
    // An InsightFace .bin set as an extra verification target of every run.
    Path lfw =
        Files.copy(
            VerificationSetsTest.FIXTURES.resolve("tiny_py3.bin"),
            Files.createDirectories(tmp.resolve("sets")).resolve("lfw.bin"));
    CliEndToEndTest.Run run = compare(folder, out, "--bin", lfw.toString());
    assertEquals(0, run.exit(), run.out() + run.err());
    JsonObject split =
        JsonParser.parseString(Files.readString(out.resolve("split.json"))).getAsJsonObject();
    assertEquals(4, split.get("test_identities").getAsInt());
    assertEquals(10, split.get("classes").getAsInt());
    List<String> test =
        split.getAsJsonArray("names").asList().stream().map(e -> e.getAsString()).toList();
    // Every run trained on the 6 other identities: its checkpoint's head has 6 classes, and the
    // saved options leave out exactly the test identities' labels.
    for (String method : List.of("softmax", "ring@0.01")) {
      for (String seed : List.of("seed1000", "seed1001")) {
        Path summary = out.resolve(method).resolve(seed).resolve("summary.json");
        JsonObject o = JsonParser.parseString(Files.readString(summary)).getAsJsonObject();
        String excluded = o.getAsJsonObject("options").toString();
        for (String name : test) {
          int label = Integer.parseInt(name.substring(2));
          assertTrue(excluded.contains(Integer.toString(label)), excluded);
        }
        assertEquals(
            o.get("evaluation").getAsString(),
            JsonParser.parseString(
                    Files.readString(
                        out.resolve("softmax").resolve("seed1000").resolve("summary.json")))
                .getAsJsonObject()
                .get("evaluation")
                .getAsString(),
            "one test for every run");
      }
    }
    String md = Files.readString(out.resolve("results.md"));
    assertTrue(md.contains("4 of 10 identities held out of training as the test identities"), md);
    assertTrue(md.contains("## 1:1 verification by quality stratum"), md);
    assertTrue(md.contains("## Open-set 1:N identification"), md);
    assertTrue(md.contains("## Effect sizes on the face metrics"), md);
    assertTrue(md.contains("| ring@0.01 | softmax | 2 |"), md);
    assertTrue(md.contains("every image of the training identities"), md);
    assertTrue(md.contains("## Verification sets"), md);
    assertTrue(md.contains("| method | lfw |"), md);
    assertTrue(!md.contains("Low-resolution matching"), "no probe sides by default: " + md);
    assertTrue(Files.size(out.resolve("results").resolve("strata.png")) > 1000);
    // A second call reuses every run: nothing is trained or evaluated again.
    CliEndToEndTest.Run again = compare(folder, out, "--bin", lfw.toString());
    assertEquals(0, again.exit(), again.err());
    assertEquals(4, again.out().split("reused", -1).length - 1, again.out());
  }

  @Test
  void aPackedStandInIsStratifiedByItsRecordedQualityAndFillsTheReadmeBlock() throws Exception {
    Path packed = tmp.resolve("packed");
    CliEndToEndTest.Run synth =
        CliEndToEndTest.run(
            "synth",
            "--identities",
            "12",
            "--per-identity",
            "8",
            "--side",
            "16",
            "--packed",
            "--out",
            packed.toString());
    assertEquals(0, synth.exit(), synth.err());
    Path readme =
        Files.writeString(
            tmp.resolve("README.md"),
            "# x\n\n<!-- compare:face-headline -->\nold\n<!-- /compare:face-headline -->\n");
    Path out = tmp.resolve("out");
    CliEndToEndTest.Run run =
        compareHolding(packed, out, "6", "4", "--resolutions", "8", "--readme", readme.toString());
    assertEquals(0, run.exit(), run.out() + run.err());
    String md = Files.readString(out.resolve("results.md"));
    assertTrue(md.contains("6 of 12 identities held out"), md);
    assertTrue(md.contains("| method | high-high acc. | high-low acc. | low-low acc. |"), md);
    assertTrue(md.contains("## Mean ‖f‖ by recorded degradation level"), md);
    assertTrue(md.contains("FNIR, low probes"), md);
    assertTrue(md.contains("Low-resolution matching"), md);
    assertTrue(Files.size(out.resolve("results").resolve("norm_by_level.png")) > 1000);
    assertTrue(Files.readString(out.resolve("compare_effects.csv")).contains("holm_p"));
    String table = Files.readString(readme);
    assertTrue(table.contains("| low-low acc. | Δ vs softmax [95 % CI] |"), table);
    assertTrue(table.contains("| ring@0.01 |"), table);
    assertTrue(!table.contains("\nold\n"), table);
  }

  @Test
  void badFaceOptionsAreNamed() throws Exception {
    Path folder = TinyData.faces(tmp.resolve("faces"), 4, 3, 3);
    CliEndToEndTest.Run run = compareHolding(folder, tmp.resolve("o1"), "3", "20");
    assertEquals(2, run.exit(), run.err());
    assertTrue(
        run.err().contains("--test-identities 3 holds out 3 of the 4 identities"), run.err());
    CliEndToEndTest.Run bin =
        CliEndToEndTest.run(
            "compare",
            "--protocol",
            "closed",
            "--bin",
            "x.bin",
            "--out",
            tmp.resolve("o2").toString());
    assertEquals(2, bin.exit(), bin.err());
    assertTrue(bin.err().contains("--bin needs --protocol face"), bin.err());
    CliEndToEndTest.Run sides = compare(folder, tmp.resolve("o3"), "--resolutions", "a,b");
    assertEquals(2, sides.exit(), sides.err());
    assertTrue(sides.err().contains("--resolutions"), sides.err());
  }
}
