package io.github.ringloss4j.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.profile.InternalProfiler;
import org.openjdk.jmh.results.AggregationPolicy;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.ScalarResult;

/**
 * A JMH profiler that reports, after every iteration, the benchmark process's peak memory so far:
 *
 * <ul>
 *   <li>{@code ·mem.peakRss}: the peak resident set size ({@code VmHWM} of {@code
 *       /proc/self/status}), Java heap, engine (native) allocations and the JVM itself together;
 *   <li>{@code ·mem.peakHeap}: the sum of the peak usages of the Java heap's memory pools, an upper
 *       bound of the peak heap in use.
 * </ul>
 *
 * <p>Both are aggregated with MAX, so the result is the peak of the whole fork, setup included. Use
 * with {@code -prof io.github.ringloss4j.bench.PeakMemoryProfiler}; the peak native memory is about
 * peakRss minus the committed heap. Linux only ({@code peakRss} is NaN elsewhere).
 */
public final class PeakMemoryProfiler implements InternalProfiler {

  private static final double MIB = 1024.0 * 1024.0;

  @Override
  public String getDescription() {
    return "Peak resident set size (VmHWM) and peak Java heap of the benchmark fork";
  }

  @Override
  public void beforeIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams) {
    // Peaks are cumulative: nothing to reset.
  }

  @Override
  public Collection<? extends Result<?>> afterIteration(
      BenchmarkParams benchmarkParams, IterationParams iterationParams, IterationResult result) {
    return List.of(
        new ScalarResult("·mem.peakRss", peakRssMiB(), "MiB", AggregationPolicy.MAX),
        new ScalarResult("·mem.peakHeap", peakHeapMiB(), "MiB", AggregationPolicy.MAX));
  }

  /**
   * The process's peak resident set size.
   *
   * @return MiB, or NaN when {@code /proc/self/status} cannot be read
   */
  static double peakRssMiB() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmHWM:")) {
          String[] parts = line.trim().split("\\s+");
          return Long.parseLong(parts[1]) / 1024.0;
        }
      }
    } catch (IOException | RuntimeException e) {
      return Double.NaN;
    }
    return Double.NaN;
  }

  /**
   * The sum of the heap pools' peak usages.
   *
   * @return MiB
   */
  static double peakHeapMiB() {
    long bytes = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP && pool.getPeakUsage() != null) {
        bytes += pool.getPeakUsage().getUsed();
      }
    }
    return bytes / MIB;
  }
}
