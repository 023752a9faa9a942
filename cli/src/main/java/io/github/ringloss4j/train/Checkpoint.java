package io.github.ringloss4j.train;

import ai.djl.Model;
import io.github.ringloss4j.io.AtomicFiles;
import io.github.ringloss4j.io.DataFormatException;
import io.github.ringloss4j.model.ModelFactory;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * Everything needed to resume, evaluate or embed: the options (as JSON, {@link
 * TrainOptions#toJson}), the classes, the epochs done with their metrics, the model parameters (R
 * included) and the optimiser state.
 *
 * <p>Written to a temporary file in the same directory and renamed over the old one ({@link
 * AtomicFiles}), so a crash or a kill at any moment leaves the previous checkpoint whole.
 *
 * <p>Format {@value #FORMAT}: the magic {@code RLCK}, the format, the payload's length (8 bytes)
 * and its CRC-32C (4 bytes), then the payload (options, classes, history, model parameters,
 * optimiser state). The checksum is verified on every read, before anything is parsed or used, so a
 * corrupted file is reported as such, naming the file, instead of surfacing later as NaN weights or
 * a "diverged" resume. Format 1 (no checksum, models with positional outputs) is refused with a
 * message saying so.
 *
 * @param options the run's options
 * @param classNames the class names, indexed by label
 * @param history the metrics of every completed epoch
 * @param modelParameters the bytes of {@code Block.saveParameters}
 * @param optimizerState the bytes of {@code RingOptimizer.save}
 */
public record Checkpoint(
    TrainOptions options,
    List<String> classNames,
    List<EpochMetrics> history,
    byte[] modelParameters,
    byte[] optimizerState) {

  /** The file name inside a run directory. */
  public static final String FILE_NAME = "checkpoint.bin";

  private static final int MAGIC = 0x524c434b; // "RLCK"

  /** The current format; see the class documentation. */
  static final int FORMAT = 2;

  private static final int HEADER_BYTES = 4 + 4 + 8 + 4;

  /**
   * The number of completed epochs.
   *
   * @return the count
   */
  public int epochsDone() {
    return history.size();
  }

  /**
   * The trained model, ready for inference.
   *
   * @return the model; its block is a {@code RingModelBlock}
   * @throws IOException if the parameters do not fit the options
   */
  public Model loadModel() throws IOException {
    return ModelFactory.load(options.model(), options.ring(), classNames.size(), modelParameters);
  }

  /**
   * Writes the checkpoint atomically.
   *
   * @param file the target
   * @throws IOException if writing fails; the previous file is then untouched
   */
  public void write(Path file) throws IOException {
    AtomicFiles.write(
        file,
        stream -> {
          byte[] payload = payload();
          CRC32C crc = new CRC32C();
          crc.update(payload);
          DataOutputStream out = new DataOutputStream(stream);
          out.writeInt(MAGIC);
          out.writeInt(FORMAT);
          out.writeLong(payload.length);
          out.writeInt((int) crc.getValue());
          out.write(payload);
          out.flush();
        });
  }

  private byte[] payload() throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    writeString(out, options.toJson());
    out.writeInt(classNames.size());
    for (String name : classNames) {
      out.writeUTF(name);
    }
    out.writeInt(history.size());
    for (EpochMetrics m : history) {
      for (double v : m.values()) {
        out.writeDouble(v);
      }
    }
    writeBytes(out, modelParameters);
    writeBytes(out, optimizerState);
    out.flush();
    return bytes.toByteArray();
  }

  /**
   * Reads a checkpoint, from a file or a run directory.
   *
   * @param path the checkpoint file or the directory that holds {@value #FILE_NAME}
   * @return the checkpoint
   * @throws NoSuchFileException when there is no checkpoint
   * @throws DataFormatException naming the file when it is truncated, corrupted (checksum), of
   *     another format or not a checkpoint
   * @throws IOException when it cannot be read
   */
  public static Checkpoint read(Path path) throws IOException {
    Path file = Files.isDirectory(path) ? path.resolve(FILE_NAME) : path;
    if (!Files.isRegularFile(file)) {
      throw new NoSuchFileException(
          file.toString(), null, "no checkpoint here; train a model with 'ringloss train' first");
    }
    byte[] payload = verifiedPayload(file);
    try (InputStream raw = new ByteArrayInputStream(payload);
        DataInputStream in = new DataInputStream(raw)) {
      TrainOptions options;
      try {
        options = TrainOptions.fromJson(readString(in));
      } catch (IOException e) {
        throw new DataFormatException(file, "the saved options: " + e.getMessage(), e);
      }
      int classes = in.readInt();
      List<String> names = new ArrayList<>(classes);
      for (int i = 0; i < classes; i++) {
        names.add(in.readUTF());
      }
      int epochs = in.readInt();
      List<EpochMetrics> history = new ArrayList<>(epochs);
      for (int e = 0; e < epochs; e++) {
        double[] v = new double[EpochMetrics.HEADER.size()];
        for (int i = 0; i < v.length; i++) {
          v[i] = in.readDouble();
        }
        history.add(EpochMetrics.of(v));
      }
      byte[] params = readBytes(in, file);
      byte[] state = readBytes(in, file);
      if (in.read() != -1) {
        throw new DataFormatException(file, "trailing bytes inside the checkpoint's payload");
      }
      return new Checkpoint(options, List.copyOf(names), List.copyOf(history), params, state);
    } catch (EOFException e) {
      throw new DataFormatException(file, "the checkpoint's payload ends early", e);
    }
  }

  /** The payload after checking the header, the length and the CRC-32C, before any parsing. */
  private static byte[] verifiedPayload(Path file) throws IOException {
    try (FileChannel channel = FileChannel.open(file)) {
      long size = channel.size();
      ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES);
      while (header.hasRemaining() && channel.read(header) >= 0) {
        // read the whole header, or as much as there is
      }
      if (header.position() < 8 || header.getInt(0) != MAGIC) {
        throw DataFormatException.atByte(
            file, 0, "not a ringloss checkpoint (no RLCK magic number)");
      }
      int format = header.getInt(4);
      if (format != FORMAT) {
        throw new DataFormatException(
            file,
            format < FORMAT
                ? "checkpoint format "
                    + format
                    + " was written by an older ringloss4j (before checksums and named model"
                    + " outputs); this version reads format "
                    + FORMAT
                    + ": retrain the run, or evaluate it with the version that wrote it"
                : "checkpoint format "
                    + format
                    + " was written by a newer ringloss4j; this version reads format "
                    + FORMAT);
      }
      if (header.hasRemaining()) {
        throw new DataFormatException(file, "truncated checkpoint: the header ends early");
      }
      long length = header.getLong(8);
      if (length != size - HEADER_BYTES) {
        throw new DataFormatException(
            file,
            "the checkpoint is corrupted or truncated: its header announces "
                + length
                + " bytes of payload but the file holds "
                + (size - HEADER_BYTES));
      }
      if (length > Integer.MAX_VALUE - 8) {
        throw new DataFormatException(file, "checkpoint payload of " + length + " bytes");
      }
      ByteBuffer payload = ByteBuffer.allocate((int) length);
      while (payload.hasRemaining() && channel.read(payload) >= 0) {
        // read it all
      }
      CRC32C crc = new CRC32C();
      crc.update(payload.array());
      if ((int) crc.getValue() != header.getInt(16)) {
        throw new DataFormatException(
            file,
            "the checkpoint is corrupted: its CRC-32C checksum does not match (a damaged copy or"
                + " disk); restore it from a backup or retrain");
      }
      return payload.array();
    }
  }

  private static void writeString(DataOutputStream out, String s) throws IOException {
    writeBytes(out, s.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  private static String readString(DataInputStream in) throws IOException {
    int n = in.readInt();
    byte[] b = new byte[n];
    in.readFully(b);
    return new String(b, java.nio.charset.StandardCharsets.UTF_8);
  }

  private static void writeBytes(DataOutputStream out, byte[] bytes) throws IOException {
    out.writeInt(bytes.length);
    out.write(bytes);
  }

  private static byte[] readBytes(DataInputStream in, Path file) throws IOException {
    int n = in.readInt();
    if (n < 0 || n > in.available()) {
      throw new DataFormatException(file, "corrupt checkpoint (block length " + n + ")");
    }
    byte[] b = new byte[n];
    in.readFully(b);
    return b;
  }
}
