package io.github.ringloss4j.train;

import ai.djl.Model;
import io.github.ringloss4j.io.AtomicFiles;
import io.github.ringloss4j.model.ModelFactory;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Everything needed to resume, evaluate or embed: the options (as JSON, {@link
 * TrainOptions#toJson}), the classes, the epochs done with their metrics, the model parameters (R
 * included) and the optimiser state.
 *
 * <p>Written to a temporary file in the same directory and renamed over the old one ({@link
 * AtomicFiles}), so a crash or a kill at any moment leaves the previous checkpoint whole.
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
  private static final int FORMAT = 1;

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
    return ModelFactory.load(
        options.model(),
        options.ring(),
        options.optimizer().kind(),
        classNames.size(),
        modelParameters);
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
          DataOutputStream out = new DataOutputStream(stream);
          out.writeInt(MAGIC);
          out.writeInt(FORMAT);
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
        });
  }

  /**
   * Reads a checkpoint, from a file or a run directory.
   *
   * @param path the checkpoint file or the directory that holds {@value #FILE_NAME}
   * @return the checkpoint
   * @throws IOException naming the file when it is missing, truncated or not a checkpoint
   */
  public static Checkpoint read(Path path) throws IOException {
    Path file = Files.isDirectory(path) ? path.resolve(FILE_NAME) : path;
    if (!Files.isRegularFile(file)) {
      throw new NoSuchFileException(
          file.toString(), null, "no checkpoint here; train a model with 'ringloss train' first");
    }
    try (InputStream raw = new BufferedInputStream(Files.newInputStream(file));
        DataInputStream in = new DataInputStream(raw)) {
      if (in.readInt() != MAGIC) {
        throw new IOException(file + ": not a ringloss checkpoint (bad magic number at byte 0)");
      }
      int format = in.readInt();
      if (format != FORMAT) {
        throw new IOException(file + ": checkpoint format " + format + ", expected " + FORMAT);
      }
      TrainOptions options;
      try {
        options = TrainOptions.fromJson(readString(in));
      } catch (IOException e) {
        throw new IOException(file + ": " + e.getMessage(), e);
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
        throw new IOException(file + ": trailing bytes after the checkpoint");
      }
      return new Checkpoint(options, List.copyOf(names), List.copyOf(history), params, state);
    } catch (EOFException e) {
      throw new IOException(file + ": truncated checkpoint", e);
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
    if (n < 0 || n > (1 << 30)) {
      throw new IOException(file + ": corrupt checkpoint (block length " + n + ")");
    }
    byte[] b = new byte[n];
    in.readFully(b);
    return b;
  }
}
