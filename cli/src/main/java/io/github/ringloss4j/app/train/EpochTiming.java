package io.github.ringloss4j.app.train;

import io.github.ringloss4j.app.data.BatchReader;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where an epoch's time went, at debug level: the time the training thread waited for its batches
 * against the time it spent in the steps, and what the data workers, the garbage collector and the
 * JIT compiler took meanwhile. A slow epoch then says whether the data pipeline or the step was
 * slow. Each step adds two clock readings and nothing is read back from the engine; with trace
 * level each step is logged too.
 */
final class EpochTiming {

  private static final Logger LOG = LoggerFactory.getLogger(EpochTiming.class);

  private final int epoch;
  private final long gcStart = gcMillis();
  private final long jitStart = jitMillis();
  private long waitNanos;
  private long stepNanos;
  private long slowestWait;
  private int slowestWaitStep;

  EpochTiming(int epoch) {
    this.epoch = epoch;
  }

  /**
   * Adds one step.
   *
   * @param b the step's batch in the epoch, from 0
   * @param wait the nanoseconds the training thread waited for the batch
   * @param step the nanoseconds of the step itself (arrays, forward, backward, update, tally)
   */
  void step(int b, long wait, long step) {
    waitNanos += wait;
    stepNanos += step;
    if (wait > slowestWait) {
      slowestWait = wait;
      slowestWaitStep = b + 1;
    }
    if (LOG.isTraceEnabled()) {
      LOG.trace(
          "epoch {} batch {}: waited {} ms for the batch, step {} ms",
          epoch,
          b + 1,
          wait / 1_000_000,
          step / 1_000_000);
    }
  }

  /**
   * Logs the epoch's totals at debug level.
   *
   * @param reading the batch reader's own account
   */
  void log(BatchReader.Timing reading) {
    if (!LOG.isDebugEnabled()) {
      return;
    }
    LOG.debug(
        "epoch {} time: waited {} ms for batches ({} of {} not ready when asked; longest {} ms, at"
            + " batch {}), steps {} ms; workers read and decoded for {} ms; GC {} ms, JIT {} ms",
        epoch,
        waitNanos / 1_000_000,
        reading.notReady(),
        reading.batches(),
        slowestWait / 1_000_000,
        slowestWaitStep,
        stepNanos / 1_000_000,
        reading.readNanos() / 1_000_000,
        gcMillis() - gcStart,
        jitMillis() - jitStart);
  }

  private static long gcMillis() {
    long total = 0;
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      total += Math.max(0, gc.getCollectionTime());
    }
    return total;
  }

  private static long jitMillis() {
    var jit = ManagementFactory.getCompilationMXBean();
    return jit != null && jit.isCompilationTimeMonitoringSupported()
        ? jit.getTotalCompilationTime()
        : 0;
  }
}
