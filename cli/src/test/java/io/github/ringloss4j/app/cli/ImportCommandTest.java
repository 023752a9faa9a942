package io.github.ringloss4j.app.cli;

import static io.github.ringloss4j.app.cli.CliEndToEndTest.ok;
import static io.github.ringloss4j.app.cli.CliEndToEndTest.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.github.ringloss4j.app.io.NpyReader;
import io.github.ringloss4j.backbone.Backbone;
import io.github.ringloss4j.backbone.MobileFaceNet;
import io.github.ringloss4j.interop.InsightFaceWeights;
import io.github.ringloss4j.interop.TorchStateDict;
import io.github.ringloss4j.serving.ServingConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ringloss import} and {@code export --format pytorch}: weights cross from a PyTorch
 * state_dict into a model directory the other commands take, and back, byte for byte; a hostile or
 * mismatched file is refused with exit 3 and runs nothing; a TorchScript model serves only when
 * allowed.
 */
class ImportCommandTest {

  @TempDir static Path tmp;

  /** A MobileFaceNet (d = 16, DJL's random initialisation) as InsightFace-named model.pth. */
  static Path pth;

  static Path faces;

  @BeforeAll
  static void files() throws IOException {
    pth = Files.createDirectories(tmp.resolve("original")).resolve("model.pth");
    try (NDManager manager = NDManager.newBaseManager()) {
      MobileFaceNet net = MobileFaceNet.builder().optEmbeddingSize(16).build();
      net.initialize(manager, DataType.FLOAT32, Backbone.inputShape(1));
      TorchStateDict.write(InsightFaceWeights.stateDict(net), pth);
    }
    faces = TinyData.faces(tmp.resolve("faces"), 2, 2, 3);
  }

  @Test
  void importedWeightsGoBackToTheSameFileByteForByte() throws IOException {
    Path dir = tmp.resolve("imported");
    String out =
        ok("import", pth.toString(), "--model", "mobilefacenet", "--out", dir.toString()).out();
    assertTrue(out.contains("imported mobilefacenet (d = 16, 333 tensors)"), out);
    String properties = Files.readString(dir.resolve(ServingConfig.FILE));
    // InsightFace's normalisation recorded by default, so the directory serves as trained there.
    assertTrue(properties.contains("mean=0.5,0.5,0.5"), properties);
    assertTrue(properties.contains("std=0.5,0.5,0.5"), properties);

    // Java → PyTorch → Java → PyTorch: the writer is deterministic, so exact weights give the same
    // bytes (the zip's folder is named after the file, hence the same name in another folder).
    Path back = Files.createDirectories(tmp.resolve("back")).resolve("model.pth");
    ok("export", dir.toString(), "--format", "pytorch", "--out", back.toString());
    assertArrayEquals(Files.readAllBytes(pth), Files.readAllBytes(back));

    // The directory is a model directory like export's: embed takes it.
    Path embedded = tmp.resolve("embedded");
    ok(
        "embed",
        dir.toString(),
        "--images",
        faces.resolve("id0").toString(),
        "--out",
        embedded.toString());
    float[][] e = NpyReader.readFloat32Matrix(embedded.resolve("embeddings.npy")).rows();
    assertEquals(2, e.length);
    assertEquals(16, e[0].length);
  }

  @Test
  void aRingLossFineTuneStartsFromImportedWeightsOnInsightFacesInputs() throws IOException {
    Path dir = tmp.resolve("to-fine-tune");
    ok("import", pth.toString(), "--model", "mobilefacenet", "--out", dir.toString());
    Path run = tmp.resolve("fine-tune");
    ok(
        "train",
        "--data",
        faces.toString(),
        "--model",
        "mobilefacenet",
        "--embedding-size",
        "16",
        "--image-size",
        "112",
        "--channels",
        "3",
        "--init-from",
        dir.toString(),
        "--lambda",
        "0.01",
        "--epochs",
        "1",
        "--batch-size",
        "2",
        "--validation-fraction",
        "0",
        "--no-progress",
        "--out",
        run.toString());
    // The run keeps InsightFace's normalisation, and its export hands it on.
    Path exported = tmp.resolve("fine-tuned");
    ok("export", run.toString(), "--out", exported.toString());
    String properties = Files.readString(exported.resolve(ServingConfig.FILE));
    assertTrue(properties.contains("mean=0.5,0.5,0.5"), properties);
  }

  @Test
  void aHostilePickleIsRefusedWithExit3AndRunsNothing() throws IOException {
    Path marker = tmp.resolve("pwned");
    // GLOBAL os.system, its argument, REDUCE: what torch.load would run with weights_only=False.
    ByteArrayOutputStream pickle = new ByteArrayOutputStream();
    byte[] command = ("touch " + marker).getBytes(StandardCharsets.UTF_8);
    pickle.writeBytes(new byte[] {(byte) 0x80, 2});
    pickle.writeBytes("cos\nsystem\n".getBytes(StandardCharsets.US_ASCII));
    pickle.write('X');
    pickle.writeBytes(new byte[] {(byte) command.length, 0, 0, 0});
    pickle.writeBytes(command);
    pickle.writeBytes(new byte[] {(byte) 0x85, 'R', '.'});
    Path hostile = tmp.resolve("hostile.pth");
    writeStoredZip(hostile, "hostile/data.pkl", pickle.toByteArray());

    Path dir = tmp.resolve("never");
    CliEndToEndTest.Run r =
        run("import", hostile.toString(), "--model", "iresnet18", "--out", dir.toString());
    assertEquals(3, r.exit(), r.err());
    assertTrue(r.err().contains("os") && r.err().contains("system"), r.err());
    assertTrue(r.err().contains(hostile.toString()), r.err());
    assertFalse(Files.exists(marker), "the pickle's command ran");
    assertFalse(Files.exists(dir));
  }

  @Test
  void aStateDictOfAnotherNetworkIsRefusedNamingWhatDiffers() {
    CliEndToEndTest.Run r =
        run(
            "import",
            pth.toString(),
            "--model",
            "iresnet18",
            "--out",
            tmp.resolve("wrong").toString());
    assertEquals(3, r.exit(), r.err());
    // The embedding size is read off features.bias, which a MobileFaceNet file lacks.
    assertTrue(r.err().contains("features.bias"), r.err());
    assertFalse(Files.exists(tmp.resolve("wrong")));
  }

  @Test
  void usageErrorsNameTheOption() throws IOException {
    String out = tmp.resolve("usage").toString();
    String file = pth.toString();
    assertUsage(run("import", file, "--out", out), "--model is required");
    assertUsage(run("import", file, "--model", "cnn", "--out", out), "no InsightFace counterpart");
    assertUsage(
        run("import", file, "--model", "iresnet50", "--torchscript", "--out", out),
        "exclude each other");
    assertUsage(
        run("import", file, "--model", "iresnet50", "--mean", "0.1,0.2", "--out", out), "--mean");
    assertUsage(
        run("import", file, "--model", "iresnet50", "--image-size", "96", "--out", out),
        "3×112×112");
    Path full = Files.createDirectories(tmp.resolve("full"));
    Files.writeString(full.resolve("x"), "x");
    assertUsage(
        run("import", file, "--model", "iresnet50", "--out", full.toString()), "not an empty");
  }

  @Test
  void exportToPyTorchRefusesWhatHasNoMeaningThere() throws IOException {
    Path dir = tmp.resolve("for-export");
    ok("import", pth.toString(), "--model", "mobilefacenet", "--out", dir.toString());
    assertUsage(
        run("export", dir.toString(), "--format", "pytorch", "--flip-sum", "--out", "x.pth"),
        "--flip-sum");
    Path exists = Files.writeString(tmp.resolve("exists.pth"), "");
    assertUsage(
        run("export", dir.toString(), "--format", "pytorch", "--out", exists.toString()), "exists");
  }

  @Test
  void aTracedModelImportsAndServesOnlyWhenAllowed() throws IOException {
    // The traced fixture core's TorchScript tests use (a small CNN, 3×112×112 → 64, torch 1.13).
    Path traced =
        Path.of("..", "core", "src", "test", "resources", "serving", "torchscript", "tiny.pt");
    Path dir = tmp.resolve("traced");
    ok("import", traced.toString(), "--torchscript", "--out", dir.toString());
    Path images = faces.resolve("id1");
    CliEndToEndTest.Run refused =
        run(
            "embed",
            dir.toString(),
            "--images",
            images.toString(),
            "--out",
            tmp.resolve("no").toString());
    assertEquals(3, refused.exit(), refused.err());
    assertTrue(refused.err().contains("--allow-torchscript"), refused.err());
    Path embedded = tmp.resolve("traced-embedded");
    ok(
        "embed",
        dir.toString(),
        "--allow-torchscript",
        "--images",
        images.toString(),
        "--out",
        embedded.toString());
    assertEquals(64, NpyReader.readFloat32Matrix(embedded.resolve("embeddings.npy")).columns());
    assertUsage(
        run(
            "export",
            dir.toString(),
            "--format",
            "pytorch",
            "--out",
            tmp.resolve("ts.pth").toString()),
        "TorchScript");
  }

  private static void assertUsage(CliEndToEndTest.Run r, String fragment) {
    assertEquals(2, r.exit(), r.err());
    assertTrue(r.err().contains(fragment), r.err());
  }

  /** A zip with one STORED entry, as torch writes its entries. */
  private static void writeStoredZip(Path file, String name, byte[] content) throws IOException {
    try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(file))) {
      ZipEntry entry = new ZipEntry(name);
      entry.setMethod(ZipEntry.STORED);
      entry.setSize(content.length);
      CRC32 crc = new CRC32();
      crc.update(content);
      entry.setCrc(crc.getValue());
      zip.putNextEntry(entry);
      zip.write(content);
      zip.closeEntry();
    }
  }
}
