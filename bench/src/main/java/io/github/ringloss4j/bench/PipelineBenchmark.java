package io.github.ringloss4j.bench;

import io.github.ringloss4j.app.data.Augmentation;
import io.github.ringloss4j.app.data.BatchReader;
import io.github.ringloss4j.app.data.Datasets;
import io.github.ringloss4j.app.data.LabelledSource;
import io.github.ringloss4j.app.data.Permutations;
import io.github.ringloss4j.app.recordio.ImageFormat;
import io.github.ringloss4j.app.recordio.SyntheticFaces;
import io.github.ringloss4j.app.train.TrainOptions;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.stream.Stream;

/**
 * The input pipeline alone ({@link BatchReader} over image folders and packed sets), with a dummy
 * consumer in place of the model: no engine, so its threads take no core and the figures are the
 * pipeline's ceiling. Synthetic 112×112 faces ({@link SyntheticFaces}) are generated first.
 *
 * <ul>
 *   <li><b>Throughput</b>: images/s of decode + resize + random crop and flip (the training path,
 *       {@code --augment}), read in one epoch's shuffled order, per worker count, for a JPEG
 *       folder, a PNG folder and a packed set of JPEGs. The files were just written, so they come
 *       from the page cache: this is decoding, not disk. One warm-up pass of 512 images per format
 *       first.
 *   <li><b>Memory</b>: the same number of steps drawn from data sets of different sizes (default
 *       10,000 and 100,000 images), each in a fresh JVM (same {@code -Xmx}): the peak of the heap
 *       in use at the end of a full GC (one every 5 steps, while the reader is open, read from the
 *       heap pools' collection usage) and the peak of the process's anonymous resident memory
 *       ({@code RssAnon} of {@code /proc/self/status}, every step). With streaming both should not
 *       depend on the data set's size except for its index (one path, or one key and offset, and
 *       one label per image).
 * </ul>
 *
 * <p>Usage: {@code java -cp bench/target/benchmarks.jar
 * io.github.ringloss4j.bench.PipelineBenchmark [--dir DIR] [--throughput-images 2000] [--workers
 * 1,2] [--batch 128] [--prefetch 2] [--memory-sizes 10000,100000] [--memory-formats jpeg,packed]
 * [--memory-steps 75] [--memory-xmx 1g] [--no-throughput] [--no-memory] [--keep]}. Without {@code
 * --dir} the data go to a temporary directory deleted at the end; with it, existing data sets of
 * the right size are reused. Lines starting with {@code RESULT} are tab-separated: {@code RESULT
 * throughput <format> <images> <workers> <images/s>} and {@code RESULT memory <format> <images>
 * <steps> <batch> <workers> <peak heap after GC MiB> <peak RssAnon MiB>}.
 */
public final class PipelineBenchmark {

  private static final PrintStream OUT = new PrintStream(System.out, true, StandardCharsets.UTF_8);

  private PipelineBenchmark() {}

  /**
   * Runs the measurements.
   *
   * @param args the options above
   * @throws Exception if the data cannot be written or read, or a child JVM fails
   */
  public static void main(String[] args) throws Exception {
    if (args.length > 0 && args[0].equals("--child-memory")) {
      childMemory(args);
      return;
    }
    Path dir = null;
    int throughputImages = 2000;
    int[] workers = {1, 2};
    int batch = 128;
    int prefetch = BatchReader.Settings.DEFAULT_PREFETCH;
    int[] memorySizes = {10_000, 100_000};
    List<String> memoryFormats = List.of("jpeg", "packed");
    int memorySteps = 75;
    String xmx = "1g";
    boolean throughput = true;
    boolean memory = true;
    boolean keep = false;
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      switch (a) {
        case "--help", "-h" -> {
          OUT.println(
              "usage: PipelineBenchmark [--dir DIR] [--throughput-images N] [--workers 1,2]"
                  + " [--batch N] [--prefetch N] [--memory-sizes 10000,100000]"
                  + " [--memory-formats jpeg,png,packed] [--memory-steps N] [--memory-xmx 1g]"
                  + " [--no-throughput] [--no-memory] [--keep]");
          return;
        }
        case "--no-throughput" -> throughput = false;
        case "--no-memory" -> memory = false;
        case "--keep" -> keep = true;
        default -> {
          if (i + 1 >= args.length) {
            throw new IllegalArgumentException(a + " needs a value (see --help)");
          }
          String v = args[++i];
          switch (a) {
            case "--dir" -> dir = Path.of(v);
            case "--throughput-images" -> throughputImages = Integer.parseInt(v);
            case "--workers" -> workers = ints(v);
            case "--batch" -> batch = Integer.parseInt(v);
            case "--prefetch" -> prefetch = Integer.parseInt(v);
            case "--memory-sizes" -> memorySizes = ints(v);
            case "--memory-formats" -> memoryFormats = List.of(v.split(","));
            case "--memory-steps" -> memorySteps = Integer.parseInt(v);
            case "--memory-xmx" -> xmx = v;
            default -> throw new IllegalArgumentException("unknown option " + a + " (see --help)");
          }
        }
      }
    }
    boolean temporary = dir == null;
    Path root = temporary ? Files.createTempDirectory("ringloss-pipeline-") : dir;
    OUT.printf(
        Locale.ROOT,
        "cores %d; data in %s; batch %d, prefetch %d, augmentation on, dummy consumer%n",
        Runtime.getRuntime().availableProcessors(),
        root,
        batch,
        prefetch);
    try {
      if (throughput) {
        for (String format : List.of("jpeg", "png", "packed")) {
          Path data = ensure(root, format, throughputImages);
          for (int w : workers) {
            double[] measured = throughput(data, w, prefetch, batch);
            int images = (int) measured[1];
            OUT.printf(
                Locale.ROOT,
                "throughput %-6s %,7d images, %d worker%s: %8.1f images/s%n",
                format,
                images,
                w,
                w == 1 ? " " : "s",
                measured[0]);
            OUT.printf(
                Locale.ROOT,
                "RESULT\tthroughput\t%s\t%d\t%d\t%.1f%n",
                format,
                images,
                w,
                measured[0]);
          }
        }
      }
      if (memory) {
        int w = workers[workers.length - 1];
        for (String format : memoryFormats) {
          for (int size : memorySizes) {
            Path data = ensure(root, format, size);
            String line = child(data, format, size, memorySteps, batch, w, prefetch, xmx);
            String[] f = line.split("\t");
            OUT.printf(
                Locale.ROOT,
                "memory %-6s %,8d images, %d steps of %d, %d workers, -Xmx%s: peak heap after GC"
                    + " %7.1f MiB, peak RssAnon %7.1f MiB%n",
                format,
                size,
                memorySteps,
                batch,
                w,
                xmx,
                Double.parseDouble(f[7]),
                Double.parseDouble(f[8]));
            OUT.println(line);
          }
        }
      }
    } finally {
      if (temporary && !keep) {
        delete(root);
      }
    }
  }

  private static int[] ints(String list) {
    return Arrays.stream(list.split(",")).mapToInt(Integer::parseInt).toArray();
  }

  /** The data set {@code format-images} under root, generated when missing. */
  private static Path ensure(Path root, String format, int images) throws IOException {
    Path data = root.resolve(format + "-" + images);
    if (Files.isDirectory(data)) {
      return data;
    }
    // Identities of 20 images (the count rounded up to them), like a small face set; fixed seed.
    int perIdentity = 20;
    int identities = (images + perIdentity - 1) / perIdentity;
    SyntheticFaces faces = new SyntheticFaces(identities, perIdentity, 1);
    long start = System.nanoTime();
    switch (format) {
      case "jpeg" -> faces.writeFolder(data, ImageFormat.JPEG);
      case "png" -> faces.writeFolder(data, ImageFormat.PNG);
      case "packed" -> faces.writePacked(data, ImageFormat.JPEG);
      default ->
          throw new IllegalArgumentException("format must be jpeg, png or packed: " + format);
    }
    OUT.printf(
        Locale.ROOT,
        "generated %s (%,d images, %.0f MB) in %.0f s%n",
        data,
        identities * perIdentity,
        size(data) / 1e6,
        (System.nanoTime() - start) / 1e9);
    return data;
  }

  /** The training split (no validation) at 3×112×112, with augmentation. */
  private static Datasets.Splits open(Path data) throws IOException {
    TrainOptions o =
        TrainOptions.parse(
            "--data",
            data.toString(),
            "--image-size",
            "112",
            "--channels",
            "3",
            "--validation-fraction",
            "0",
            "--augment");
    return Datasets.open(o.data(), o.run().seed());
  }

  /** {images/s, images} of one timed epoch after a warm-up pass. */
  private static double[] throughput(Path data, int workers, int prefetch, int batch)
      throws IOException {
    try (Datasets.Splits splits = open(data)) {
      LabelledSource train = splits.train();
      int[] order = Permutations.of(train.size(), new Random(7));
      BatchReader.Settings settings = new BatchReader.Settings(workers, prefetch);
      drain(train, Arrays.copyOf(order, Math.min(512, order.length)), batch, settings);
      long start = System.nanoTime();
      drain(train, order, batch, settings);
      return new double[] {order.length / ((System.nanoTime() - start) / 1e9), order.length};
    }
  }

  /** Reads every batch; the checksum keeps the reads from being optimised away. */
  private static double drain(
      LabelledSource source, int[] order, int batch, BatchReader.Settings settings)
      throws IOException {
    double checksum = 0;
    try (BatchReader reader =
        BatchReader.open(source, order, batch, new Augmentation(42, 1), settings)) {
      while (reader.hasNext()) {
        checksum += reader.next().images()[0];
      }
    }
    return checksum;
  }

  private static String child(
      Path data,
      String format,
      int size,
      int steps,
      int batch,
      int workers,
      int prefetch,
      String xmx)
      throws IOException, InterruptedException {
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> command =
        new ArrayList<>(
            List.of(
                java,
                "-Xmx" + xmx,
                "-Djava.awt.headless=true",
                "-cp",
                System.getProperty("java.class.path"),
                PipelineBenchmark.class.getName(),
                "--child-memory",
                data.toString(),
                format,
                Integer.toString(size),
                Integer.toString(steps),
                Integer.toString(batch),
                Integer.toString(workers),
                Integer.toString(prefetch)));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String result = null;
    List<String> output = new ArrayList<>();
    try (BufferedReader in =
        new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        output.add(line);
        if (line.startsWith("RESULT\tmemory")) {
          result = line;
        }
      }
    }
    int exit = process.waitFor();
    if (exit != 0 || result == null) {
      throw new IOException(
          "the memory child exited with " + exit + ":\n" + String.join("\n", output));
    }
    return result;
  }

  /** In a fresh JVM: {@code steps} batches of one shuffled epoch, sampling memory. */
  private static void childMemory(String[] args) throws IOException {
    Path data = Path.of(args[1]);
    String format = args[2];
    int size = Integer.parseInt(args[3]);
    int steps = Integer.parseInt(args[4]);
    int batch = Integer.parseInt(args[5]);
    int workers = Integer.parseInt(args[6]);
    int prefetch = Integer.parseInt(args[7]);
    long peakHeap = 0;
    long peakRss = 0;
    try (Datasets.Splits splits = open(data)) {
      LabelledSource train = splits.train();
      int[] order = Permutations.of(train.size(), new Random(7));
      if ((long) steps * batch > order.length) {
        throw new IllegalArgumentException(
            steps + " steps of " + batch + " need more than the " + order.length + " images");
      }
      order = Arrays.copyOf(order, steps * batch);
      try (BatchReader reader =
          BatchReader.open(
              train,
              order,
              batch,
              new Augmentation(42, 1),
              new BatchReader.Settings(workers, prefetch))) {
        for (int step = 0; reader.hasNext(); step++) {
          float[] images = reader.next().images();
          if (images[0] < -1) {
            OUT.println("unreachable: keeps the batch alive until here");
          }
          peakRss = Math.max(peakRss, rssAnonBytes());
          if (step % 5 == 4) {
            System.gc();
            peakHeap = Math.max(peakHeap, heapAfterLastGc());
          }
        }
      }
    }
    OUT.printf(
        Locale.ROOT,
        "RESULT\tmemory\t%s\t%d\t%d\t%d\t%d\t%.1f\t%.1f%n",
        format,
        size,
        steps,
        batch,
        workers,
        peakHeap / 1048576.0,
        peakRss / 1048576.0);
  }

  /**
   * The heap in use at the end of the last collection, as the JVM recorded it then: reading the
   * heap's current use instead would count what the workers allocated since.
   */
  private static long heapAfterLastGc() {
    long used = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      MemoryUsage afterGc = pool.getCollectionUsage();
      if (pool.getType() == MemoryType.HEAP && afterGc != null) {
        used += afterGc.getUsed();
      }
    }
    return used;
  }

  /** The process's anonymous resident memory (heap, native allocations, stacks), in bytes. */
  private static long rssAnonBytes() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("RssAnon:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
      }
    }
    return 0;
  }

  private static long size(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(Files::isRegularFile).mapToLong(PipelineBenchmark::sizeOf).sum();
    }
  }

  private static long sizeOf(Path file) {
    try {
      return Files.size(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void delete(Path root) throws IOException {
    try (Stream<Path> files = Files.walk(root)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
