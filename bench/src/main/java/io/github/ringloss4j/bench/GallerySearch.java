package io.github.ringloss4j.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import io.github.ringloss4j.metrics.Gallery;
import io.github.ringloss4j.metrics.Similarity;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * Time per probe and peak memory of the library's exact top-k search ({@link Gallery#search}) on a
 * synthetic gallery: the figures of {@code docs/performance.md} section "Gallery search" and {@code
 * docs/scale.md}.
 *
 * <p>The gallery is {@link SyntheticEmbeddings}' (row g uniform in [−1, 1)^d, one identity per
 * row), each row made unit with {@link Gallery#template} and streamed into a {@link
 * Gallery.Builder}, so the Java heap holds one block at a time and the engine the gallery once
 * (n·d·4 bytes). The probes are noisy copies of gallery rows. Measured, in one JVM per gallery
 * size:
 *
 * <ul>
 *   <li><b>single</b>: {@code --single} probes searched one at a time (a service answering one
 *       request), after {@code --warmup} unmeasured ones: median and 90th percentile of the time
 *       per probe;
 *   <li><b>batch</b>: {@code --batch} probes in one call ({@link Gallery#PROBE_CHUNK} at a time: a
 *       matrix product instead of matrix-vector products), {@code --repeats} times after one
 *       unmeasured pass: the median time of a pass divided by the probes;
 *   <li><b>exactness</b>: for {@code --check} probes, the top k compared with a double brute force
 *       over every row, streamed from the generator (nothing else holds the gallery twice);
 *   <li><b>memory</b>: the process's peak resident set size ({@code VmHWM}: heap, engine and JVM)
 *       after each phase, and the Java heap's peak ({@link PeakMemoryProfiler}).
 * </ul>
 *
 * <p>Usage: {@code java -Xmx3g -cp bench/target/benchmarks.jar
 * io.github.ringloss4j.bench.GallerySearch --gallery 1000000 [--dim 512] [--k 10] [--single 20]
 * [--warmup 3] [--batch 1024] [--repeats 2] [--check 3]}. The last line is {@code RESULT gallery n
 * d k build_s single_median_ms single_p90_ms batch_ms_per_probe batch_probes peak_rss_mib
 * peak_heap_mib gallery_mib exact_checked}, tab-separated.
 */
public final class GallerySearch {

  private GallerySearch() {}

  /**
   * Runs the measurement.
   *
   * @param args the options above
   */
  public static void main(String[] args) {
    EngineDefaults.apply();
    int n = 100_000;
    int dim = 512;
    int k = 10;
    int single = 20;
    int warmup = 3;
    int batch = 1024;
    int repeats = 2;
    int check = 3;
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.equals("--help") || a.equals("-h")) {
        System.out.println(
            "usage: GallerySearch [--gallery 100000] [--dim 512] [--k 10] [--single 20]"
                + " [--warmup 3] [--batch 1024] [--repeats 2] [--check 3]");
        return;
      }
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException(a + " needs a value");
      }
      int v = Integer.parseInt(args[++i]);
      switch (a) {
        case "--gallery" -> n = v;
        case "--dim" -> dim = v;
        case "--k" -> k = v;
        case "--single" -> single = v;
        case "--warmup" -> warmup = v;
        case "--batch" -> batch = v;
        case "--repeats" -> repeats = v;
        case "--check" -> check = v;
        default -> throw new IllegalArgumentException("unknown option " + a);
      }
    }
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    int probeCount = Math.max(warmup + single, Math.max(batch, check));
    SyntheticEmbeddings data = new SyntheticEmbeddings(42, n, probeCount, dim);
    out.printf(
        Locale.ROOT,
        "gallery n = %d, d = %d, k = %d, engine threads %s, %s%n",
        n,
        dim,
        k,
        System.getProperty("ai.djl.pytorch.num_threads"),
        Engine.getInstance().getEngineName() + " " + Engine.getInstance().getVersion());
    out.printf(Locale.ROOT, "load average at start: %s%n", loadAverage());
    out.printf(
        Locale.ROOT, "peak RSS before the gallery: %.0f MiB%n", PeakMemoryProfiler.peakRssMiB());

    try (NDManager manager = NDManager.newBaseManager()) {
      long t0 = System.nanoTime();
      Gallery.Builder builder = Gallery.builder(manager, dim);
      float[] row = new float[dim];
      for (int g = 0; g < n; g++) {
        data.galleryRow(g, row, 0);
        builder.add("id" + g, unit(row));
      }
      Gallery gallery = builder.build();
      double buildSeconds = (System.nanoTime() - t0) / 1e9;
      double galleryMiB = (double) n * dim * 4 / (1 << 20);
      out.printf(
          Locale.ROOT,
          "built in %.1f s (%.0f MiB of float32 rows); peak RSS %.0f MiB%n",
          buildSeconds,
          galleryMiB,
          PeakMemoryProfiler.peakRssMiB());

      float[][] probes = new float[probeCount][dim];
      for (int p = 0; p < probeCount; p++) {
        data.probe(p, probes[p], 0);
      }

      // One probe at a time: matrix-vector products, memory-bound on the gallery.
      for (int p = 0; p < warmup; p++) {
        gallery.search(probes[p], k);
      }
      double[] singleMs = new double[single];
      int singleHits = 0;
      for (int p = 0; p < single; p++) {
        int probe = warmup + p;
        long s = System.nanoTime();
        List<Gallery.Match> top = gallery.search(probes[probe], k);
        singleMs[p] = (System.nanoTime() - s) / 1e6;
        singleHits += top.get(0).index() == data.mate(probe) ? 1 : 0;
      }
      double[] sortedSingle = singleMs.clone();
      Arrays.sort(sortedSingle);
      double singleMedian = quantile(sortedSingle, 0.5);
      double singleP90 = quantile(sortedSingle, 0.9);
      out.printf(
          Locale.ROOT,
          "single: %d probes one at a time: median %.1f ms, p90 %.1f ms per probe (mate first"
              + " for %d); peak RSS %.0f MiB%n",
          single,
          singleMedian,
          singleP90,
          singleHits,
          PeakMemoryProfiler.peakRssMiB());

      // A batch: matrix products, compute-bound.
      float[][] batchProbes = Arrays.copyOf(probes, batch);
      gallery.search(batchProbes, k);
      double[] passMs = new double[repeats];
      for (int r = 0; r < repeats; r++) {
        long s = System.nanoTime();
        gallery.search(batchProbes, k);
        passMs[r] = (System.nanoTime() - s) / 1e6;
      }
      double[] sortedPasses = passMs.clone();
      Arrays.sort(sortedPasses);
      double batchPerProbe = quantile(sortedPasses, 0.5) / batch;
      out.printf(
          Locale.ROOT,
          "batch: %d probes per call, %d passes %s ms: %.2f ms per probe (%.1f GFLOP/s of"
              + " products); peak RSS %.0f MiB%n",
          batch,
          repeats,
          Arrays.toString(roundAll(passMs)),
          batchPerProbe,
          2.0 * n * dim / (batchPerProbe * 1e6),
          PeakMemoryProfiler.peakRssMiB());

      // Exactness at full scale: the top k against a double brute force over every row.
      int exact = 0;
      if (check > 0) {
        long s = System.nanoTime();
        float[][] checked = Arrays.copyOf(probes, check);
        List<List<Gallery.Match>> got = gallery.search(checked, k);
        List<List<Gallery.Match>> expected = bruteForce(data, checked, k, gallery);
        for (int p = 0; p < check; p++) {
          if (!got.get(p).equals(expected.get(p))) {
            throw new IllegalStateException(
                "probe " + p + ": search " + got.get(p) + " but brute force " + expected.get(p));
          }
          exact++;
        }
        out.printf(
            Locale.ROOT,
            "exact: the top %d of %d probes equal the double brute force over all %d rows (%.1f"
                + " s)%n",
            k,
            exact,
            n,
            (System.nanoTime() - s) / 1e9);
      }
      gallery.close();
      double peakRss = PeakMemoryProfiler.peakRssMiB();
      double peakHeap = PeakMemoryProfiler.peakHeapMiB();
      out.printf(
          Locale.ROOT,
          "peak RSS %.0f MiB, peak heap %.0f MiB, gallery %.0f MiB%n",
          peakRss,
          peakHeap,
          galleryMiB);
      out.printf(
          Locale.ROOT,
          "RESULT\tgallery\t%d\t%d\t%d\t%.2f\t%.2f\t%.2f\t%.3f\t%d\t%.0f\t%.0f\t%.0f\t%d%n",
          n,
          dim,
          k,
          buildSeconds,
          singleMedian,
          singleP90,
          batchPerProbe,
          batch,
          peakRss,
          peakHeap,
          galleryMiB,
          exact);
    }
  }

  /** A row made unit as the gallery stores it: {@link Gallery#template} of one embedding. */
  private static float[] unit(float[] row) {
    return Gallery.template(new float[][] {row});
  }

  /** The definition of the top k: every row scored in double, score descending, index ascending. */
  private static List<List<Gallery.Match>> bruteForce(
      SyntheticEmbeddings data, float[][] probes, int k, Gallery gallery) {
    Comparator<Gallery.Match> best =
        Comparator.comparingDouble(Gallery.Match::score)
            .reversed()
            .thenComparingInt(Gallery.Match::index);
    List<List<Gallery.Match>> tops = new ArrayList<>();
    for (int p = 0; p < probes.length; p++) {
      tops.add(new ArrayList<>());
    }
    float[] row = new float[data.dim()];
    for (int g = 0; g < data.gallerySize(); g++) {
      data.galleryRow(g, row, 0);
      float[] stored = unit(row);
      for (int p = 0; p < probes.length; p++) {
        List<Gallery.Match> top = tops.get(p);
        top.add(
            new Gallery.Match(
                g, gallery.names().get(g), Similarity.COSINE.score(probes[p], stored)));
        if (top.size() > 4 * k) {
          top.sort(best);
          top.subList(k, top.size()).clear();
        }
      }
    }
    for (List<Gallery.Match> top : tops) {
      top.sort(best);
      top.subList(Math.min(k, top.size()), top.size()).clear();
    }
    return tops;
  }

  private static double quantile(double[] sorted, double q) {
    double at = q * (sorted.length - 1);
    int lo = (int) Math.floor(at);
    int hi = (int) Math.ceil(at);
    return sorted[lo] + (sorted[hi] - sorted[lo]) * (at - lo);
  }

  private static long[] roundAll(double[] values) {
    return Arrays.stream(values).mapToLong(Math::round).toArray();
  }

  static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).trim();
    } catch (IOException e) {
      return "unknown";
    }
  }
}
