package io.github.ringloss4j.app.train;

import static java.nio.charset.StandardCharsets.UTF_8;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.ParameterList;
import io.github.ringloss4j.app.data.Datasets;
import io.github.ringloss4j.app.data.ImageSpec;
import io.github.ringloss4j.app.io.AtomicFiles;
import io.github.ringloss4j.app.io.DataFormatException;
import io.github.ringloss4j.app.model.ModelFactory;
import io.github.ringloss4j.nn.RingModelBlock;
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
import java.util.Arrays;
import java.util.HashSet;
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
 * a "diverged" resume. Format 2 (19 metric values per epoch, before MagFace's {@code train_magface}
 * and {@code val_magface}) is read with those two at 0. Format 1 (no checksum, models with
 * positional outputs) is refused with a message saying so.
 *
 * <p>Every count and length in the payload is checked against the bytes left before anything is
 * allocated, and {@link #loadModel} checks the weights' shapes against the saved options (the
 * embedding size, the classes): a file whose checksum holds may still have been edited, and it must
 * then be refused naming the file, never give numbers of another model.
 *
 * @param options the run's options
 * @param classNames the class names, indexed by label
 * @param history the metrics of every completed epoch
 * @param modelParameters the bytes of {@code Block.saveParameters}
 * @param optimizerState the bytes of {@code RingOptimizer.save}
 * @param origin the file it was read from and its checksum; null for one made in memory
 */
public record Checkpoint(
    TrainOptions options,
    List<String> classNames,
    List<EpochMetrics> history,
    byte[] modelParameters,
    byte[] optimizerState,
    Origin origin) {

  /**
   * A checkpoint made in memory, not read from a file.
   *
   * @param options the run's options
   * @param classNames the class names, indexed by label
   * @param history the metrics of every completed epoch
   * @param modelParameters the bytes of {@code Block.saveParameters}
   * @param optimizerState the bytes of {@code RingOptimizer.save}
   */
  public Checkpoint(
      TrainOptions options,
      List<String> classNames,
      List<EpochMetrics> history,
      byte[] modelParameters,
      byte[] optimizerState) {
    this(options, classNames, history, modelParameters, optimizerState, null);
  }

  /**
   * Which file a checkpoint was read from, and which content: results computed from a checkpoint
   * record it ({@code evaluation.json}), so that they are never applied to another one.
   *
   * @param file the file, as it was given
   * @param crc32c the CRC-32C of its payload, from its header (checked on reading)
   */
  public record Origin(Path file, int crc32c) {

    /**
     * The file's name without its directory: {@code checkpoint.bin}, {@code best.bin}.
     *
     * @return the name
     */
    public String fileName() {
      return file.toAbsolutePath().getFileName().toString();
    }

    /**
     * The checksum as 8 hexadecimal digits.
     *
     * @return e.g. {@code 0a1b2c3d}
     */
    public String checksum() {
      return String.format("%08x", crc32c);
    }
  }

  /** The file name inside a run directory. */
  public static final String FILE_NAME = "checkpoint.bin";

  private static final int MAGIC = 0x524c434b; // "RLCK"

  /** The current format; see the class documentation. */
  static final int FORMAT = 3;

  /**
   * The oldest format read: format 2 differs only by its history, {@link #FORMAT_2_METRICS} values
   * per epoch (before MagFace's two columns, read as 0).
   */
  static final int OLDEST_FORMAT = 2;

  /** The metric values per epoch in format 2. */
  static final int FORMAT_2_METRICS = 19;

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
   * @throws DataFormatException naming the file when the parameters cannot be loaded or their
   *     shapes do not fit the saved options
   * @throws IOException if the parameters do not fit the options
   */
  public Model loadModel() throws IOException {
    Path file = origin == null ? Path.of(FILE_NAME) : origin.file();
    // Started outside the try: an engine that cannot start is the machine's failure, not the
    // file's.
    Engine.getInstance();
    Model model;
    try {
      model =
          ModelFactory.load(options.model(), options.ring(), classNames.size(), modelParameters);
    } catch (IOException | RuntimeException e) {
      // The checksum held, so these bytes are what was written: parameters of another model.
      throw new DataFormatException(
          file,
          "the saved parameters cannot be loaded with the saved options: " + e.getMessage(),
          e);
    }
    try {
      requireShapesOfOptions(model, file);
      return model;
    } catch (IOException | RuntimeException e) {
      model.close();
      throw e;
    }
  }

  /**
   * Fails unless the weights fit the saved options, as {@link #loadModel} checks: for a command
   * that loads the parameters itself ({@code train --resume}).
   *
   * @throws DataFormatException naming the file and the first parameter whose shape differs
   * @throws IOException if the parameters cannot be loaded
   */
  public void requireWeightsFitOptions() throws IOException {
    loadModel().close();
  }

  /**
   * Fails unless every loaded parameter has the shape a model built from the saved options has: DJL
   * takes the shapes from the saved arrays, so an edited embedding size or class list would
   * otherwise run the old network under the new description.
   */
  private void requireShapesOfOptions(Model loaded, Path file) throws IOException {
    ImageSpec spec = Datasets.inputSpec(options.data());
    RingModelBlock expected =
        ModelFactory.block(options.model(), options.ring(), classNames.size());
    try (NDManager manager = NDManager.newBaseManager()) {
      expected.initialize(
          manager,
          DataType.FLOAT32,
          ModelFactory.inputShape(1, new int[] {spec.channels(), spec.height(), spec.width()}));
      ParameterList want = expected.getParameters();
      ParameterList have = loaded.getBlock().getParameters();
      if (want.size() != have.size()) {
        throw new DataFormatException(
            file,
            "the saved model has "
                + have.size()
                + " parameters but its saved options describe "
                + want.size());
      }
      for (int i = 0; i < want.size(); i++) {
        Shape w = shapeOf(want.get(i).getValue());
        Shape h = shapeOf(have.get(i).getValue());
        if (!want.get(i).getKey().equals(have.get(i).getKey()) || !w.equals(h)) {
          throw new DataFormatException(
              file,
              "the saved weights do not fit the saved options (embeddingSize "
                  + options.model().embeddingSize()
                  + ", "
                  + classNames.size()
                  + " classes): parameter "
                  + have.get(i).getKey()
                  + " has shape "
                  + h
                  + " where the options give "
                  + want.get(i).getKey()
                  + " "
                  + w
                  + "; the file was edited or mixes two runs");
        }
      }
    }
  }

  private static Shape shapeOf(Parameter p) {
    return p.isInitialized() ? p.getArray().getShape() : new Shape(-1);
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
    Path file = fileOf(path);
    if (!Files.isRegularFile(file)) {
      throw new NoSuchFileException(
          file.toString(), null, "no checkpoint here; train a model with 'ringloss train' first");
    }
    ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES);
    byte[] payload = verifiedPayload(file, header);
    Origin origin = new Origin(file, header.getInt(16));
    try (InputStream raw = new ByteArrayInputStream(payload);
        DataInputStream in = new DataInputStream(raw)) {
      TrainOptions options;
      try {
        options = TrainOptions.fromJson(new String(readBytes(in, file, "options"), UTF_8));
      } catch (DataFormatException e) {
        throw e;
      } catch (IOException e) {
        throw new DataFormatException(file, "the saved options: " + e.getMessage(), e);
      }
      // Each name takes at least its 2-byte length, each epoch its metric values.
      int classes = readCount(in, file, "classes", 2);
      List<String> names = new ArrayList<>(classes);
      for (int i = 0; i < classes; i++) {
        names.add(in.readUTF());
      }
      if (classes == 0 || new HashSet<>(names).size() != classes) {
        throw new DataFormatException(
            file, "field 'classes': " + classes + " names, not distinct and at least one");
      }
      int values =
          header.getInt(4) == OLDEST_FORMAT ? FORMAT_2_METRICS : EpochMetrics.HEADER.size();
      int epochs = readCount(in, file, "history", 8 * values);
      List<EpochMetrics> history = new ArrayList<>(epochs);
      for (int e = 0; e < epochs; e++) {
        double[] v = new double[values];
        for (int i = 0; i < v.length; i++) {
          v[i] = in.readDouble();
        }
        history.add(EpochMetrics.of(Arrays.copyOf(v, EpochMetrics.HEADER.size())));
      }
      byte[] params = readBytes(in, file, "model parameters");
      byte[] state = readBytes(in, file, "optimizer state");
      if (in.read() != -1) {
        throw new DataFormatException(file, "trailing bytes inside the checkpoint's payload");
      }
      return new Checkpoint(
          options, List.copyOf(names), List.copyOf(history), params, state, origin);
    } catch (EOFException e) {
      throw new DataFormatException(file, "the checkpoint's payload ends early", e);
    } catch (DataFormatException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      // Parsed from memory: any failure is the content's (a class name that is not UTF-8).
      throw new DataFormatException(file, "malformed checkpoint payload: " + e.getMessage(), e);
    }
  }

  /**
   * The checkpoint file a command's RUN argument names.
   *
   * @param path a run directory or a checkpoint file
   * @return {@code path/}{@value #FILE_NAME} for a directory, else {@code path}
   */
  public static Path fileOf(Path path) {
    return Files.isDirectory(path) ? path.resolve(FILE_NAME) : path;
  }

  /**
   * The run directory of a command's RUN argument: the directory itself, or the checkpoint file's
   * directory (also when the file is given by its bare name).
   *
   * @param path a run directory or a checkpoint file
   * @return the directory
   */
  public static Path directoryOf(Path path) {
    return Files.isDirectory(path) ? path : path.toAbsolutePath().getParent();
  }

  /** The payload after checking the header, the length and the CRC-32C, before any parsing. */
  private static byte[] verifiedPayload(Path file, ByteBuffer header) throws IOException {
    try (FileChannel channel = FileChannel.open(file)) {
      long size = channel.size();
      while (header.hasRemaining() && channel.read(header) >= 0) {
        // read the whole header, or as much as there is
      }
      if (header.position() < 8 || header.getInt(0) != MAGIC) {
        throw DataFormatException.atByte(
            file, 0, "not a ringloss checkpoint (no RLCK magic number)");
      }
      int format = header.getInt(4);
      if (format < OLDEST_FORMAT || format > FORMAT) {
        throw new DataFormatException(
            file,
            format < OLDEST_FORMAT
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
    writeBytes(out, s.getBytes(UTF_8));
  }

  private static void writeBytes(DataOutputStream out, byte[] bytes) throws IOException {
    out.writeInt(bytes.length);
    out.write(bytes);
  }

  /** A length-prefixed block, its length checked against the bytes left before allocating. */
  private static byte[] readBytes(DataInputStream in, Path file, String field) throws IOException {
    byte[] b = new byte[readCount(in, file, field, 1)];
    in.readFully(b);
    return b;
  }

  /**
   * A count of items of at least {@code minBytes} bytes each, checked against the bytes left (the
   * payload is in memory, so {@code available} is exact).
   */
  private static int readCount(DataInputStream in, Path file, String field, int minBytes)
      throws IOException {
    int n = in.readInt();
    int left = in.available();
    if (n < 0 || n > left / minBytes) {
      throw new DataFormatException(
          file,
          "corrupt checkpoint: field '"
              + field
              + "' declares "
              + n
              + (minBytes == 1 ? " bytes" : " items")
              + " but "
              + left
              + " bytes are left in the payload");
    }
    return n;
  }
}
