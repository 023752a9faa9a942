package io.github.ringloss4j.app.data;

import io.github.ringloss4j.app.io.DataFormatException;
import java.io.Closeable;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one batch reader of training, validation and embedding: it reads the batches of a {@link
 * LabelledSource} in a fixed order on worker threads, ahead of the thread that uses them.
 *
 * <p>Threads and queue: {@link Settings#workers} threads decode, resize and augment; the batches
 * are taken in order by one consumer (the training or embedding thread), which meanwhile runs the
 * model. At most {@link Settings#prefetch} batches are read ahead of the one the consumer holds:
 * taking batch b starts batch b + prefetch. Each batch is split into one contiguous part per
 * worker, so a single batch is decoded by all workers at once, and the parts of the next batches
 * queue behind it. Memory is therefore about (prefetch + 1) decoded batches, whatever the size of
 * the data set; nothing is kept once the consumer drops a batch.
 *
 * <p>Determinism: the items come in the order given, and an item's augmentation uses its own
 * generator, derived from the seed, the epoch and its position ({@link Augmentation}), not a
 * generator shared by the workers. So the batches are the same whatever the number of workers and
 * however the threads are scheduled, and a resumed run replays exactly what an uninterrupted one
 * read.
 *
 * <p>Errors: an item that cannot be read fails its batch; the consumer gets the error from {@link
 * #next} as a {@link DataFormatException} naming the file or packed record (a reader's own one as
 * it is, any other exception wrapped with the item's {@link LabelledSource#sourceOf}), and the
 * reader is closed. The exception is a source that skips bad images ({@link SkippingSource}, under
 * {@code --skip-bad-images}): an item it leaves out gets in its batch a copy of the nearest read
 * item of the same batch (pixels and label), so the batch keeps its size; only a batch none of
 * whose items could be read fails. {@link #close} (also on an error or an interrupt of the
 * consumer) stops queued work, lets each worker finish the item it is decoding (workers are not
 * interrupted: an interrupt would close a packed set's shared file channel) and waits for the
 * worker threads to end, so none outlives the reader.
 *
 * <p>Cores: the workers run while the engine computes the previous batch, so workers plus the
 * engine's intra-op threads ({@code ai.djl.pytorch.num_threads}, the application's {@code
 * --threads}) should not exceed the cores; {@link Settings#defaultWorkers} keeps to that.
 */
public final class BatchReader implements Closeable {

  /** The name prefix of the worker threads. */
  public static final String THREAD_PREFIX = "ringloss-data-";

  private static final Logger LOG = LoggerFactory.getLogger(BatchReader.class);

  /** How long {@link #close} waits for a worker to finish its current item. */
  private static final long CLOSE_TIMEOUT_MILLIS = 60_000;

  private static final AtomicInteger READERS = new AtomicInteger();

  /**
   * How a reader runs.
   *
   * @param workers the decoding threads, at least 1
   * @param prefetch the batches read ahead of the one in use, at least 1
   */
  public record Settings(int workers, int prefetch) {

    /** The default read-ahead: enough to hide one slow batch, small in memory. */
    public static final int DEFAULT_PREFETCH = 2;

    /**
     * Checks the counts.
     *
     * @param workers at least 1
     * @param prefetch at least 1
     * @throws IllegalArgumentException if a count is below 1
     */
    public Settings {
      if (workers < 1 || prefetch < 1) {
        throw new IllegalArgumentException(
            "workers and prefetch must be >= 1, got " + workers + " and " + prefetch);
      }
    }

    /**
     * The default workers with the default read-ahead.
     *
     * @return the settings
     */
    public static Settings defaults() {
      return new Settings(defaultWorkers(), DEFAULT_PREFETCH);
    }

    /**
     * The worker count that, with the engine's threads, uses every core without oversubscribing:
     * {@code max(1, cores − engine threads)}, where the engine's threads are {@code
     * ai.djl.pytorch.num_threads} (the launcher sets it, {@code --threads} overrides it) or, when
     * it is not set, one per core as PyTorch chooses. With 2 cores and 2 engine threads it is 1:
     * that worker then shares the cores with the engine, but it decodes mostly while the engine
     * waits for the next batch or runs single-threaded parts of the step.
     *
     * @return at least 1
     */
    public static int defaultWorkers() {
      int cores = Runtime.getRuntime().availableProcessors();
      Integer engine = Integer.getInteger("ai.djl.pytorch.num_threads");
      return Math.max(1, cores - (engine == null ? cores : engine));
    }
  }

  /**
   * One batch.
   *
   * @param items the source's items, in batch order
   * @param images their pixels, {@code items.length × itemSize} values in CHW order
   * @param labels their labels as floats, the form DJL's softmax cross-entropy takes
   */
  public record Batch(int[] items, float[] images, float[] labels) {

    /**
     * The number of items.
     *
     * @return {@code items.length}
     */
    public int size() {
      return items.length;
    }
  }

  /**
   * Where a reader's time went, for the diagnostics of a slow epoch: whether the consumer waited
   * for its batches, and how long the workers took to read them.
   *
   * @param batches the batches taken so far
   * @param notReady how many of them were not fully read when the consumer asked for them
   * @param waitNanos the consumer's time blocked in {@link #next}, waiting for the workers
   * @param readNanos the workers' time reading, decoding and assembling items, summed over workers
   */
  public record Timing(int batches, int notReady, long waitNanos, long readNanos) {}

  /**
   * A batch being read: its parts run on the workers; {@code skipped[k]} marks an item that a
   * {@link SkippingSource} left out.
   */
  private record Pending(int index, Batch batch, List<Future<Void>> parts, boolean[] skipped) {}

  private final LabelledSource source;
  private final int[] order;
  private final int batchSize;
  private final Augmentation augmentation;
  private final Settings settings;
  private final int itemSize;
  private final int count;
  private final ThreadPoolExecutor pool;
  private final List<Thread> threads = new CopyOnWriteArrayList<>();
  private final ArrayDeque<Pending> window = new ArrayDeque<>();
  private int submitted;
  private volatile boolean closed;
  // Diagnostics (Timing): the consumer's waits, the workers' reading time; nanoTime only.
  private long waitNanos;
  private int taken;
  private int notReady;
  private final LongAdder readNanos = new LongAdder();

  private BatchReader(
      LabelledSource source,
      int[] order,
      int batchSize,
      Augmentation augmentation,
      Settings settings) {
    if (batchSize < 1) {
      throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
    }
    this.source = source;
    this.order = order.clone();
    this.batchSize = batchSize;
    this.augmentation = augmentation;
    this.settings = settings;
    this.itemSize = source.itemSize();
    this.count = (order.length + batchSize - 1) / batchSize;
    String prefix = THREAD_PREFIX + READERS.incrementAndGet() + "-";
    AtomicInteger made = new AtomicInteger();
    this.pool =
        new ThreadPoolExecutor(
            settings.workers(),
            settings.workers(),
            0,
            TimeUnit.MILLISECONDS,
            new LinkedBlockingQueue<>(),
            task -> {
              Thread t = new Thread(task, prefix + made.incrementAndGet());
              // Never keeps the JVM alive, even if a caller forgets to close the reader.
              t.setDaemon(true);
              threads.add(t);
              return t;
            });
    fill();
  }

  /**
   * Starts reading batches of the items in a given order: batch b holds {@code order[b × batchSize
   * …]}, the last one possibly smaller.
   *
   * @param source the items
   * @param order the items to read, in order (e.g. an epoch's permutation)
   * @param batchSize the items per batch
   * @param augmentation the epoch's augmentation, or null for none; the item at position p of
   *     {@code order} is augmented with {@code augmentation.random(p)}
   * @param settings the workers and read-ahead
   * @return the reader; close it
   */
  public static BatchReader open(
      LabelledSource source,
      int[] order,
      int batchSize,
      Augmentation augmentation,
      Settings settings) {
    return new BatchReader(source, order, batchSize, augmentation, settings);
  }

  /**
   * Starts reading every item of a source in index order, without augmentation: validation and
   * embedding.
   *
   * @param source the items
   * @param batchSize the items per batch
   * @param settings the workers and read-ahead
   * @return the reader; close it
   */
  public static BatchReader inOrder(LabelledSource source, int batchSize, Settings settings) {
    return open(source, LabelledSource.range(0, source.size()), batchSize, null, settings);
  }

  /**
   * The number of batches.
   *
   * @return {@code ceil(items / batchSize)}
   */
  public int batches() {
    return count;
  }

  /**
   * Whether a batch is left.
   *
   * @return true until every batch was taken
   */
  public boolean hasNext() {
    return !window.isEmpty();
  }

  /**
   * The next batch, waiting until the workers have read it.
   *
   * @return the batch
   * @throws DataFormatException naming the file or record of an item that could not be read; the
   *     reader is then closed
   * @throws InterruptedIOException if the calling thread is interrupted while waiting; the reader
   *     is then closed and the thread's interrupt flag set again
   * @throws NoSuchElementException if every batch was taken
   * @throws IllegalStateException if the reader is closed
   */
  public Batch next() throws IOException {
    if (closed) {
      throw new IllegalStateException("the batch reader is closed");
    }
    Pending pending = window.poll();
    if (pending == null) {
      throw new NoSuchElementException("all " + count + " batches were read");
    }
    long asked = System.nanoTime();
    boolean ready = true;
    try {
      for (Future<Void> part : pending.parts()) {
        ready &= part.isDone();
        part.get();
      }
    } catch (InterruptedException e) {
      close();
      Thread.currentThread().interrupt();
      InterruptedIOException interrupted =
          new InterruptedIOException(
              "interrupted while waiting for batch " + (pending.index() + 1) + " of " + count);
      interrupted.initCause(e);
      throw interrupted;
    } catch (ExecutionException e) {
      close();
      throw rethrown(e.getCause());
    }
    waitNanos += System.nanoTime() - asked;
    taken++;
    notReady += ready ? 0 : 1;
    fillSkipped(pending);
    fill();
    return pending.batch();
  }

  /**
   * Where the time went so far (read by the consumer thread).
   *
   * @return the batches taken, how many were not ready, the consumer's wait, the workers' reading
   */
  public Timing timing() {
    return new Timing(taken, notReady, waitNanos, readNanos.sum());
  }

  /**
   * Gives the place of each item left out to the nearest read item of the batch before it (or after
   * it, at the start), so that the batch keeps its size and stays valid for batch norm.
   */
  private void fillSkipped(Pending pending) throws IOException {
    boolean[] skipped = pending.skipped();
    Batch batch = pending.batch();
    int good = -1;
    for (int k = 0; k < skipped.length && good < 0; k++) {
      good = skipped[k] ? -1 : k;
    }
    if (good < 0) {
      close();
      throw new DataFormatException(
          Path.of(source.sourceOf(batch.items()[0])),
          "with every other image of its batch of "
              + batch.size()
              + ", does not decode; --skip-bad-images has no image left to fill the batch");
    }
    for (int k = 0; k < skipped.length; k++) {
      if (skipped[k]) {
        batch.items()[k] = batch.items()[good];
        batch.labels()[k] = batch.labels()[good];
        System.arraycopy(batch.images(), good * itemSize, batch.images(), k * itemSize, itemSize);
      } else {
        good = k;
      }
    }
  }

  /** Starts batches until {@code prefetch} are in flight or all are started. */
  private void fill() {
    while (window.size() < settings.prefetch() && submitted < count) {
      int index = submitted++;
      int from = index * batchSize;
      int size = Math.min(batchSize, order.length - from);
      int[] items = Arrays.copyOfRange(order, from, from + size);
      Batch batch = new Batch(items, new float[size * itemSize], source.labelsOf(items));
      int parts = Math.min(settings.workers(), size);
      List<Future<Void>> futures = new ArrayList<>(parts);
      boolean[] skipped = new boolean[size];
      for (int p = 0; p < parts; p++) {
        int lo = (int) ((long) size * p / parts);
        int hi = (int) ((long) size * (p + 1) / parts);
        futures.add(pool.submit(() -> read(from, batch, lo, hi, skipped)));
      }
      window.add(new Pending(index, batch, futures, skipped));
    }
  }

  /** Reads items {@code lo … hi − 1} of a batch whose first item is at {@code from}. */
  private Void read(int from, Batch batch, int lo, int hi, boolean[] skipped) throws IOException {
    long start = System.nanoTime();
    try {
      readItems(from, batch, lo, hi, skipped);
    } finally {
      readNanos.add(System.nanoTime() - start);
    }
    return null;
  }

  private void readItems(int from, Batch batch, int lo, int hi, boolean[] skipped)
      throws IOException {
    for (int k = lo; k < hi && !closed; k++) {
      int position = from + k;
      int item = batch.items()[k];
      Random random = augmentation == null ? null : augmentation.random(position);
      try {
        source.read(item, batch.images(), k * itemSize, random);
      } catch (SkippingSource.Skipped e) {
        // Seen by the consumer after the part's future completes, which orders the write.
        skipped[k] = true;
      } catch (DataFormatException e) {
        throw e;
      } catch (IOException | RuntimeException e) {
        // Whatever went wrong, the user needs to know which image: name it.
        throw new DataFormatException(Path.of(source.sourceOf(item)), "cannot be read: " + e, e);
      }
    }
  }

  private static IOException rethrown(Throwable cause) {
    if (cause instanceof IOException io) {
      return io;
    }
    if (cause instanceof Error error) {
      throw error;
    }
    throw new IllegalStateException("a data worker failed", cause);
  }

  /**
   * Stops the workers: queued parts are dropped, running ones stop after their current item, and
   * this waits until every worker thread has ended. Idempotent.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    for (Pending pending : window) {
      for (Future<Void> part : pending.parts()) {
        part.cancel(false);
      }
    }
    window.clear();
    pool.shutdown();
    boolean interrupted = false;
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(CLOSE_TIMEOUT_MILLIS);
    for (Thread t : threads) {
      while (t.isAlive()) {
        long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        if (left <= 0) {
          LOG.warn("data worker {} did not stop within {} ms", t.getName(), CLOSE_TIMEOUT_MILLIS);
          break;
        }
        try {
          t.join(left);
        } catch (InterruptedException e) {
          // Keep waiting (a worker stops after one item) and restore the flag afterwards.
          interrupted = true;
        }
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }
}
