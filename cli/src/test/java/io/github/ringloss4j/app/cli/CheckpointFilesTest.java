package io.github.ringloss4j.app.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.ringloss4j.app.train.Checkpoint;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checkpoint files as users have them: one written by this version (a committed resource), damaged
 * ones and one of the older format. A damaged or foreign checkpoint stops {@code evaluate} and
 * {@code train --resume} with exit code 3 naming the file, before any work and without writing.
 *
 * <p><b>The committed checkpoint</b>, {@value #RESOURCE}: a 1-epoch run of a tiny CNN (8×8 grey
 * input, 2-d embedding) on {@link #faces}. When the checkpoint format changes ({@code
 * Checkpoint.FORMAT}, or what the payload holds), {@link #committedCheckpointLoadsAndEvaluates}
 * fails; regenerate the file with
 *
 * <pre>
 * mvn -o -pl core,cli test -Dtest=CheckpointFilesTest -Dringloss.regenerateCheckpoint=true
 * </pre>
 *
 * <p>which runs {@link #regenerate} (writing into {@code src/test/resources}), and commit it with
 * the format change, saying why old checkpoints no longer load.
 */
class CheckpointFilesTest {

  static final String RESOURCE = "checkpoints/tiny-format2.bin";

  @TempDir static Path tmp;
  static Path faces;

  @BeforeAll
  static void data() throws IOException {
    faces = faces(tmp.resolve("faces"));
  }

  /** The data the committed checkpoint was trained on, regenerated identically (seeded). */
  static Path faces(Path dir) throws IOException {
    return TinyData.faces(dir, 3, 4, 11);
  }

  static String[] trainTiny(Path data, Path out) {
    return new String[] {
      "train",
      "--data",
      data.toString(),
      "--out",
      out.toString(),
      "--image-size",
      "8",
      "--embedding-size",
      "2",
      "--epochs",
      "1",
      "--batch-size",
      "4",
      "--momentum",
      "0",
      "--validation-fraction",
      "0.5",
      "--seed",
      "3",
      "--no-progress"
    };
  }

  /** Writes the committed checkpoint anew; run on purpose only (see the class comment). */
  @Test
  @EnabledIfSystemProperty(named = "ringloss.regenerateCheckpoint", matches = "true")
  void regenerate() throws IOException {
    Path run = tmp.resolve("regenerated");
    CliEndToEndTest.ok(trainTiny(faces, run));
    Path target = Path.of("src/test/resources").resolve(RESOURCE);
    Files.createDirectories(target.getParent());
    Files.copy(
        run.resolve(Checkpoint.FILE_NAME),
        target,
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
  }

  /** The committed checkpoint in a run directory of its own. */
  static Path committedRun(Path dir) throws IOException {
    Files.createDirectories(dir);
    try (InputStream in = CheckpointFilesTest.class.getResourceAsStream("/" + RESOURCE)) {
      assertTrue(in != null, RESOURCE + " on the test class path");
      Files.copy(in, dir.resolve(Checkpoint.FILE_NAME));
    }
    return dir;
  }

  @Test
  void committedCheckpointLoadsAndEvaluates() throws IOException {
    Path run = committedRun(tmp.resolve("committed"));
    Checkpoint checkpoint = Checkpoint.read(run);
    assertEquals(List.of("id0", "id1", "id2"), checkpoint.classNames());
    assertEquals(1, checkpoint.epochsDone());
    // Saved before the input normalisation existed: read as x/255, what it was trained on.
    assertTrue(checkpoint.options().inputNormalization().isIdentity());
    CliEndToEndTest.Run r =
        CliEndToEndTest.ok("evaluate", run.toString(), "--data", faces.toString());
    assertTrue(r.out().contains("cosine"), r.out());
    assertTrue(Files.exists(run.resolve("evaluation.json")));
  }

  /** The committed run with 16 bytes of 0xFF written over the middle of its checkpoint. */
  static Path damaged(Path dir) throws IOException {
    Path run = committedRun(dir);
    Path file = run.resolve(Checkpoint.FILE_NAME);
    byte[] bytes = Files.readAllBytes(file);
    Arrays.fill(bytes, bytes.length / 2, bytes.length / 2 + 16, (byte) 0xFF);
    Files.write(file, bytes);
    return run;
  }

  private static List<Path> listing(Path dir) throws IOException {
    try (var files = Files.list(dir)) {
      return files.sorted().toList();
    }
  }

  @Test
  void damagedCheckpointStopsEvaluateAndResumeBeforeAnyWork() throws IOException {
    Path run = damaged(tmp.resolve("damaged"));
    Path file = run.resolve(Checkpoint.FILE_NAME);
    byte[] before = Files.readAllBytes(file);
    List<Path> files = listing(run);

    refused(run, "CRC-32C");

    CliEndToEndTest.Run resume =
        CliEndToEndTest.fails(
            RingLossCli.EXIT_DATA,
            file.toString(),
            "train",
            "--out",
            run.toString(),
            "--resume",
            "--epochs",
            "2",
            "--no-progress");
    assertTrue(resume.err().contains("corrupted"), resume.err());
    // Nothing written and nothing replaced: the damaged file is left for the user to restore.
    assertEquals(files, listing(run));
    assertArrayEquals(before, Files.readAllBytes(file));
  }

  @Test
  void aFormatOneCheckpointSaysAnOlderVersionWroteIt() throws IOException {
    Path run = Files.createDirectories(tmp.resolve("format1"));
    Path file = run.resolve(Checkpoint.FILE_NAME);
    // Format 1: the magic "RLCK", the format, then the payload without a length or checksum.
    ByteBuffer old = ByteBuffer.allocate(64);
    old.putInt(0x524c434b).putInt(1).put("{\"data\":{}}".getBytes(StandardCharsets.UTF_8));
    Files.write(file, old.array());
    CliEndToEndTest.Run r =
        CliEndToEndTest.fails(
            RingLossCli.EXIT_DATA, file.toString(), "evaluate", run.toString(), "--no-progress");
    assertTrue(r.err().contains("older ringloss4j"), r.err());
    CliEndToEndTest.fails(
        RingLossCli.EXIT_DATA, "older ringloss4j", "train", "--out", run.toString(), "--resume");
    assertEquals(List.of(file), listing(run), "nothing written");
  }

  /**
   * A checkpoint's payload in its fields, each count and length as the file declares it, so that a
   * test can edit one and write the file back with a correct CRC-32C: the contents are then
   * inconsistent although the checksum holds.
   */
  static final class Payload {
    int optionsLength;
    String options;
    int classCount;
    List<String> names = new ArrayList<>();
    int epochCount;
    byte[] history;
    int parametersLength;
    byte[] parameters;
    int stateLength;
    byte[] state;

    static Payload of(Path file) throws IOException {
      byte[] bytes = Files.readAllBytes(file);
      DataInputStream in =
          new DataInputStream(new ByteArrayInputStream(bytes, 20, bytes.length - 20));
      Payload p = new Payload();
      p.optionsLength = in.readInt();
      p.options = new String(in.readNBytes(p.optionsLength), StandardCharsets.UTF_8);
      p.classCount = in.readInt();
      for (int i = 0; i < p.classCount; i++) {
        p.names.add(in.readUTF());
      }
      p.epochCount = in.readInt();
      // The committed checkpoint is of format 2: 19 metric values per epoch (no MagFace columns).
      p.history = in.readNBytes(p.epochCount * 8 * 19);
      p.parametersLength = in.readInt();
      p.parameters = in.readNBytes(p.parametersLength);
      p.stateLength = in.readInt();
      p.state = in.readNBytes(p.stateLength);
      return p;
    }

    /** Replaces the options' text, with its length. */
    void options(String text) {
      options = text;
      optionsLength = text.getBytes(StandardCharsets.UTF_8).length;
    }

    /** Replaces the class names, with their count. */
    void names(List<String> list) {
      names = list;
      classCount = list.size();
    }

    /** Writes the checkpoint file: header, this payload, its CRC-32C computed anew. */
    void write(Path file) throws IOException {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      DataOutputStream out = new DataOutputStream(bytes);
      out.writeInt(optionsLength);
      out.write(options.getBytes(StandardCharsets.UTF_8));
      out.writeInt(classCount);
      for (String name : names) {
        out.writeUTF(name);
      }
      out.writeInt(epochCount);
      out.write(history);
      out.writeInt(parametersLength);
      out.write(parameters);
      out.writeInt(stateLength);
      out.write(state);
      byte[] payload = bytes.toByteArray();
      CRC32C crc = new CRC32C();
      crc.update(payload);
      ByteBuffer header = ByteBuffer.allocate(20);
      header.putInt(0x524c434b).putInt(2).putLong(payload.length).putInt((int) crc.getValue());
      Files.write(file, header.array());
      Files.write(file, payload, StandardOpenOption.APPEND);
    }
  }

  /** The committed run with its payload edited, the checksum correct. */
  static Path edited(Path dir, Consumer<Payload> edit) throws IOException {
    Path run = committedRun(dir);
    Path file = run.resolve(Checkpoint.FILE_NAME);
    Payload payload = Payload.of(file);
    edit.accept(payload);
    payload.write(file);
    return run;
  }

  @Test
  void theCommittedCheckpointRewrittenUnchangedIsTheSameFile() throws IOException {
    Path run = edited(tmp.resolve("unchanged"), p -> {});
    try (InputStream in = CheckpointFilesTest.class.getResourceAsStream("/" + RESOURCE)) {
      assertArrayEquals(in.readAllBytes(), Files.readAllBytes(run.resolve(Checkpoint.FILE_NAME)));
    }
  }

  /** Evaluate refuses the edited run with exit 3 naming the file and the words, no trace. */
  private static void refused(Path run, String... named) {
    Path file = run.resolve(Checkpoint.FILE_NAME);
    CliEndToEndTest.Run r =
        CliEndToEndTest.fails(
            RingLossCli.EXIT_DATA,
            file.toString(),
            "evaluate",
            run.toString(),
            "--data",
            faces.toString(),
            "--no-progress");
    for (String word : named) {
      assertTrue(r.err().contains(word), r.err());
    }
    assertFalse(r.err().contains("\tat "), "no stack trace: " + r.err());
    assertFalse(Files.exists(run.resolve("evaluation.json")), "nothing written");
  }

  @Test
  void countsAndLengthsAreBoundedByTheBytesLeftBeforeAllocating() throws IOException {
    // Each would allocate first and fail with NegativeArraySizeException or OutOfMemoryError.
    refused(edited(tmp.resolve("options-negative"), p -> p.optionsLength = -5), "'options'", "-5");
    refused(
        edited(tmp.resolve("options-huge"), p -> p.optionsLength = Integer.MAX_VALUE), "'options'");
    refused(edited(tmp.resolve("classes-negative"), p -> p.classCount = -1), "'classes'");
    refused(
        edited(tmp.resolve("classes-huge"), p -> p.classCount = Integer.MAX_VALUE), "'classes'");
    refused(
        edited(tmp.resolve("history-huge"), p -> p.epochCount = Integer.MAX_VALUE), "'history'");
    refused(edited(tmp.resolve("history-negative"), p -> p.epochCount = -3), "'history'");
    refused(
        edited(tmp.resolve("parameters-negative"), p -> p.parametersLength = -1),
        "'model parameters'");
  }

  @Test
  void weightsThatDoNotFitTheSavedOptionsAreRefused() throws IOException {
    // The run has a 2-d embedding and 3 classes; the weights keep them whatever the options say.
    Path embedding =
        edited(
            tmp.resolve("embedding-edited"),
            p -> {
              String text = p.options.replace("\"embeddingSize\": 2,", "\"embeddingSize\": 3,");
              assertFalse(text.equals(p.options), p.options);
              p.options(text);
            });
    refused(embedding, "embeddingSize 3", "do not fit");
    CliEndToEndTest.fails(
        RingLossCli.EXIT_DATA,
        "do not fit",
        "train",
        "--out",
        embedding.toString(),
        "--resume",
        "--epochs",
        "2",
        "--no-progress");
    refused(
        edited(tmp.resolve("classes-edited"), p -> p.names(p.names.subList(0, 2))),
        "2 classes",
        "do not fit");
    refused(
        edited(tmp.resolve("classes-repeated"), p -> p.names(List.of("id0", "id0", "id2"))),
        "'classes'");
  }
}
