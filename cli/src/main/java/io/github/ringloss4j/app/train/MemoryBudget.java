package io.github.ringloss4j.app.train;

import io.github.ringloss4j.app.io.DataFormatException;
import io.github.ringloss4j.app.model.OptimizerKind;
import io.github.ringloss4j.head.PartialFcMemory;
import java.io.BufferedReader;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The memory a training run will certainly need, estimated before anything is allocated and
 * compared with what the machine has, so that a head too large for it (millions of classes declared
 * by a data set's {@code property} file, a huge {@code --embedding-size}) is refused with its
 * figure instead of an {@link OutOfMemoryError} or a kill by the kernel.
 *
 * <p>What is counted, float32 (4 bytes) each, C classes, d the embedding size, m the batch:
 *
 * <ul>
 *   <li>the head's weights C×d (and its bias C for softmax), their gradient (dense, even with
 *       Partial FC), and the optimiser's state copies: one (SGD's momentum; none at momentum 0) or
 *       two (Adam's moments);
 *   <li>with center loss, the centres C×d and their pending update;
 *   <li>per step, three arrays of the logits' size m×|S| (logits, softmax, their gradient; |S| = C
 *       for the full head) and, for the normalising heads, the normalised weight copy |S|×d and its
 *       gradient;
 *   <li>the input: prefetch + 2 batches of m images (those read ahead, the one being stepped, its
 *       array in the engine).
 * </ul>
 *
 * The backbone, its activations and the engine's own overhead are not counted: the estimate is a
 * lower bound, and a run it refuses could not have trained.
 *
 * <p>What the machine has: {@code MemAvailable} of {@code /proc/meminfo} (Linux), else the total
 * physical memory the JVM reports. The system property {@value #AVAILABLE_PROPERTY} (bytes)
 * overrides it, for tests and for machines whose figure misleads (a container's limit).
 */
final class MemoryBudget {

  /** Overrides the available memory, in bytes. */
  static final String AVAILABLE_PROPERTY = "ringloss.availableMemory";

  private static final double GB = 1e9;

  private MemoryBudget() {}

  /**
   * The estimate's parts, in bytes.
   *
   * @param head the head's weights, gradient and optimiser state (and the centres)
   * @param step what one step's logits and normalised weights take
   * @param input the input batches
   * @param copies how many C×d copies {@code head} counts
   */
  record Estimate(long head, long step, long input, int copies) {

    long total() {
      return head + step + input;
    }

    String describe() {
      return String.format(
          Locale.ROOT,
          "the head's weights, gradient and optimiser state (%d copies of classes × embedding"
              + " size × 4 bytes) %s, one step's logits and normalised weights %s, the input"
              + " batches %s; the backbone not counted",
          copies,
          gb(head),
          gb(step),
          gb(input));
    }
  }

  /**
   * Estimates a run's memory.
   *
   * @param memory the head's figures ({@code ModelFactory.headMemory})
   * @param options the run's options (optimiser, center loss)
   * @param cosineHead whether the head normalises its weights (every head but softmax)
   * @param itemFloats floats per input image
   * @param prefetch the batches read ahead
   * @return the estimate
   */
  static Estimate estimate(
      PartialFcMemory memory,
      TrainOptions options,
      boolean cosineHead,
      long itemFloats,
      int prefetch) {
    int state =
        options.optimizer().kind() == OptimizerKind.ADAM
            ? 2
            : options.optimizer().momentum() > 0 ? 1 : 0;
    int copies = 2 + state;
    long classesByDimension = (long) Float.BYTES * memory.classes() * memory.dimension();
    long head = memory.weightBytes() + memory.gradientBytes() + state * memory.weightBytes();
    if (options.model().centerLambda() > 0) {
      head += 2 * classesByDimension;
      copies += 2;
    }
    long step = 3 * memory.logitsBytes() + (cosineHead ? 2 * memory.sampledWeightBytes() : 0);
    long input = (long) Float.BYTES * memory.batch() * itemFloats * (prefetch + 2L);
    return new Estimate(head, step, input, copies);
  }

  /**
   * Fails unless the estimate fits the memory available.
   *
   * @param estimate the run's estimate
   * @param classes the number of classes
   * @param embeddingSize d
   * @param batch the effective batch
   * @param classSource the file or folder the class count comes from, or null when it is fixed (IDX
   *     data)
   * @throws DataFormatException naming {@code classSource} when the head, whose size the data
   *     decide, takes more of the estimate than the input
   * @throws IllegalArgumentException naming {@code --embedding-size} and {@code --batch-size}
   *     otherwise
   */
  static void require(
      Estimate estimate, int classes, int embeddingSize, int batch, Path classSource)
      throws DataFormatException {
    long available = available();
    if (estimate.total() <= available) {
      return;
    }
    String figures =
        String.format(
            Locale.ROOT,
            "needs at least %s, more than the %s of memory available (%s); lower"
                + " --embedding-size (or --batch-size, or the logits with --sample-rate), or train"
                + " on a machine with more memory",
            gb(estimate.total()),
            gb(available),
            estimate.describe());
    String count = String.format(Locale.ROOT, "%,d classes", classes);
    if (classSource != null && estimate.head() + estimate.step() > estimate.input()) {
      throw new DataFormatException(
          classSource,
          count
              + ": training a head for them with --embedding-size "
              + embeddingSize
              + " and a batch of "
              + batch
              + " "
              + figures);
    }
    throw new IllegalArgumentException(
        "--embedding-size "
            + embeddingSize
            + " / --batch-size "
            + batch
            + ": training "
            + count
            + " "
            + figures);
  }

  /**
   * The memory this process may still use: {@value #AVAILABLE_PROPERTY} if set, else Linux's {@code
   * MemAvailable}, else the total physical memory.
   *
   * @return bytes
   */
  static long available() {
    String set = System.getProperty(AVAILABLE_PROPERTY);
    if (set != null) {
      return Long.parseLong(set.strip());
    }
    Path meminfo = Path.of("/proc/meminfo");
    if (Files.isReadable(meminfo)) {
      try (BufferedReader in = Files.newBufferedReader(meminfo, StandardCharsets.US_ASCII)) {
        for (String line = in.readLine(); line != null; line = in.readLine()) {
          // "MemAvailable:   12345678 kB"
          if (line.startsWith("MemAvailable:")) {
            String[] parts = line.substring("MemAvailable:".length()).strip().split("\\s+");
            return Long.parseLong(parts[0]) * 1024;
          }
        }
      } catch (IOException | RuntimeException e) {
        // Fall back to the JVM's figure.
      }
    }
    if (ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.OperatingSystemMXBean os) {
      return os.getTotalMemorySize();
    }
    return Long.MAX_VALUE;
  }

  /** Bytes in GB (10⁹), MB or kB, whichever keeps the figure readable. */
  private static String gb(long bytes) {
    return bytes >= GB
        ? String.format(Locale.ROOT, "%.2f GB", bytes / GB)
        : bytes >= 1e6
            ? String.format(Locale.ROOT, "%.1f MB", bytes / 1e6)
            : String.format(Locale.ROOT, "%.1f kB", bytes / 1e3);
  }
}
