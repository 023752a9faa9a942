package io.github.ringloss4j.app.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.ringloss4j.app.io.DataFormatException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntConsumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The batch reader: the same batches with any number of workers, bounded, and leaving no thread.
 */
class BatchReaderTest {

  /**
   * Items of three values: the item, its first draw from the augmentation generator (−1 without
   * one), and its label; reads are counted and may run a hook first.
   */
  private static class FakeSource implements LabelledSource {
    final int size;
    final AtomicInteger reads = new AtomicInteger();
    volatile IntConsumer beforeRead = item -> {};

    FakeSource(int size) {
      this.size = size;
    }

    @Override
    public int size() {
      return size;
    }

    @Override
    public int label(int index) {
      return index % 7;
    }

    @Override
    public List<String> classNames() {
      return List.of("0", "1", "2", "3", "4", "5", "6");
    }

    @Override
    public int[] itemShape() {
      return new int[] {1, 1, 3};
    }

    @Override
    public String sourceOf(int index) {
      return "fake/item" + index + ".png";
    }

    @Override
    public void read(int index, float[] destination, int offset, Random augmentation)
        throws IOException {
      beforeRead.accept(index);
      reads.incrementAndGet();
      destination[offset] = index;
      destination[offset + 1] = augmentation == null ? -1 : augmentation.nextInt(1_000_000);
      destination[offset + 2] = label(index);
    }
  }

  private static List<float[]> readAll(BatchReader reader) throws IOException {
    List<float[]> batches = new ArrayList<>();
    while (reader.hasNext()) {
      batches.add(reader.next().images());
    }
    return batches;
  }

  private static List<Thread> workerThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().startsWith(BatchReader.THREAD_PREFIX) && t.isAlive())
        .toList();
  }

  @AfterEach
  void noWorkerOutlivesItsReader() {
    assertEquals(List.of(), workerThreads());
  }

  @Test
  void theBatchesDependOnTheSeedNotOnTheWorkers() throws IOException {
    FakeSource source = new FakeSource(103);
    int[] order = Permutations.of(source.size(), new Random(3));
    Augmentation epoch = new Augmentation(42, 2);
    List<float[]> reference;
    try (BatchReader reader =
        BatchReader.open(source, order, 10, epoch, new BatchReader.Settings(1, 1))) {
      assertEquals(11, reader.batches());
      reference = readAll(reader);
    }
    assertEquals(11, reference.size());
    assertEquals(3 * 3, reference.get(10).length, "the last batch holds the 3 items left");
    for (int b = 0; b < reference.size(); b++) {
      float[] x = reference.get(b);
      for (int k = 0; k < x.length / 3; k++) {
        int position = b * 10 + k;
        assertEquals(order[position], (int) x[3 * k], "the items in the order given");
        assertEquals(
            epoch.random(position).nextInt(1_000_000),
            (int) x[3 * k + 1],
            "augmented with the generator of its position");
      }
    }
    for (int workers : new int[] {2, 3, 5}) {
      for (int prefetch : new int[] {1, 3}) {
        try (BatchReader reader =
            BatchReader.open(
                source, order, 10, epoch, new BatchReader.Settings(workers, prefetch))) {
          List<float[]> batches = readAll(reader);
          for (int b = 0; b < reference.size(); b++) {
            assertArrayEquals(reference.get(b), batches.get(b), workers + " workers, batch " + b);
          }
        }
      }
    }
    try (BatchReader other =
        BatchReader.open(
            source, order, 10, new Augmentation(42, 3), new BatchReader.Settings(2, 2))) {
      assertNotEquals(reference.get(0)[1], other.next().images()[1], "another epoch, other draws");
    }
  }

  @Test
  void batchesCarryTheirItemsAndLabels() throws IOException {
    FakeSource source = new FakeSource(5);
    try (BatchReader reader = BatchReader.inOrder(source, 2, new BatchReader.Settings(2, 1))) {
      BatchReader.Batch first = reader.next();
      assertArrayEquals(new int[] {0, 1}, first.items());
      assertArrayEquals(new float[] {0, 1}, first.labels());
      assertArrayEquals(new float[] {0, -1, 0, 1, -1, 1}, first.images(), "no augmentation");
      reader.next();
      assertEquals(1, reader.next().size());
      assertFalse(reader.hasNext());
      assertThrows(NoSuchElementException.class, reader::next);
    }
  }

  @Test
  void readAheadIsBoundedByThePrefetchCount() throws Exception {
    FakeSource source = new FakeSource(200);
    try (BatchReader reader = BatchReader.inOrder(source, 10, new BatchReader.Settings(3, 2))) {
      reader.next();
      // Batch 0 is in use; batches 1 and 2 are read ahead, and no more however long we wait.
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (source.reads.get() < 30 && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      Thread.sleep(200);
      assertEquals(30, source.reads.get());
      reader.next();
      deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (source.reads.get() < 40 && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      Thread.sleep(100);
      assertEquals(40, source.reads.get());
    }
  }

  @Test
  void theTimingTellsAWaitForTheWorkersFromABatchThatWasReady() throws Exception {
    FakeSource source = new FakeSource(40);
    source.beforeRead = item -> sleep(item < 10 ? 20 : 0);
    try (BatchReader reader = BatchReader.inOrder(source, 10, new BatchReader.Settings(1, 2))) {
      // Batch 1: ten reads of 20 ms on one worker, asked for at once.
      reader.next();
      BatchReader.Timing first = reader.timing();
      assertEquals(1, first.batches());
      assertEquals(1, first.notReady());
      assertTrue(first.waitNanos() >= TimeUnit.MILLISECONDS.toNanos(100), first.toString());
      assertTrue(first.readNanos() >= TimeUnit.MILLISECONDS.toNanos(200), first.toString());
      // Batch 2 is read ahead while the consumer works: ready when asked, no wait counted.
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (source.reads.get() < 30 && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      Thread.sleep(50);
      reader.next();
      BatchReader.Timing second = reader.timing();
      assertEquals(2, second.batches());
      assertEquals(1, second.notReady());
      assertTrue(
          second.waitNanos() - first.waitNanos() < TimeUnit.MILLISECONDS.toNanos(50),
          second.toString());
    }
  }

  @Test
  void aFailedItemSurfacesOnTheConsumerNamingItsFile() throws IOException {
    FakeSource source = new FakeSource(50);
    source.beforeRead =
        item -> {
          if (item == 37) {
            throw new IllegalStateException("decoder bug");
          }
        };
    BatchReader reader = BatchReader.inOrder(source, 8, new BatchReader.Settings(3, 2));
    DataFormatException e =
        assertThrows(
            DataFormatException.class,
            () -> {
              while (reader.hasNext()) {
                reader.next();
              }
            });
    assertTrue(e.getMessage().startsWith("fake/item37.png: cannot be read: "), e.getMessage());
    assertTrue(e.getMessage().contains("decoder bug"), e.getMessage());
    assertEquals(Path.of("fake/item37.png"), e.file());
    assertInstanceOf(IllegalStateException.class, e.getCause());
    assertFalse(reader.hasNext(), "the reader is closed");
    assertThrows(IllegalStateException.class, reader::next);
    reader.close();
  }

  @Test
  void aReadersOwnDataErrorIsPassedOnAsItIs() throws IOException {
    DataFormatException bad = DataFormatException.atItem(Path.of("x.idx"), 3, "bad");
    LabelledSource failing =
        new FakeSource(10) {
          @Override
          public void read(int index, float[] destination, int offset, Random augmentation)
              throws IOException {
            throw bad;
          }
        };
    try (BatchReader reader = BatchReader.inOrder(failing, 4, new BatchReader.Settings(2, 1))) {
      assertSame(bad, assertThrows(DataFormatException.class, reader::next));
    }
  }

  @Test
  void closingEarlyStopsTheWorkersAndDropsQueuedWork() throws IOException {
    FakeSource source = new FakeSource(1000);
    source.beforeRead = item -> sleep(1);
    try (BatchReader reader = BatchReader.inOrder(source, 10, new BatchReader.Settings(2, 3))) {
      reader.next();
    }
    assertTrue(source.reads.get() <= 40, source.reads.get() + " reads for 1 + 3 batches");
  }

  @Test
  void anInterruptedConsumerGetsAnInterruptedIoErrorAndTheWorkersStop() throws Exception {
    FakeSource source = new FakeSource(40);
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    source.beforeRead =
        item -> {
          if (item == 0) {
            started.countDown();
            try {
              release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
        };
    AtomicReference<Throwable> thrown = new AtomicReference<>();
    AtomicReference<Boolean> flag = new AtomicReference<>();
    Thread consumer =
        new Thread(
            () -> {
              try (BatchReader reader =
                  BatchReader.inOrder(source, 10, new BatchReader.Settings(2, 2))) {
                reader.next();
              } catch (Throwable t) {
                thrown.set(t);
              }
              flag.set(Thread.currentThread().isInterrupted());
            });
    consumer.start();
    assertTrue(started.await(10, TimeUnit.SECONDS));
    consumer.interrupt();
    // The consumer now waits in close() for the worker, which finishes its item and stops.
    Thread.sleep(100);
    release.countDown();
    consumer.join(10_000);
    assertFalse(consumer.isAlive());
    assertInstanceOf(InterruptedIOException.class, thrown.get());
    assertTrue(flag.get(), "the interrupt is kept for the caller");
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** A source whose items 3 and 5 do not decode. */
  private static FakeSource failingAt3And5(int size) {
    FakeSource source =
        new FakeSource(size) {
          @Override
          public void read(int index, float[] destination, int offset, Random augmentation)
              throws IOException {
            if (index == 3 || index == 5) {
              throw new DataFormatException(
                  java.nio.file.Path.of(sourceOf(index)), "corrupt JPEG image: damaged inside");
            }
            super.read(index, destination, offset, augmentation);
          }
        };
    return source;
  }

  @Test
  void underSkipBadImagesAnImageThatDoesNotDecodeGivesItsPlaceToAnotherOfItsBatch()
      throws IOException {
    LabelledSource source = SkippingSource.of(failingAt3And5(8), true);
    List<int[]> items = new ArrayList<>();
    try (BatchReader reader = BatchReader.inOrder(source, 4, new BatchReader.Settings(2, 1))) {
      while (reader.hasNext()) {
        BatchReader.Batch batch = reader.next();
        assertEquals(4, batch.size());
        for (int k = 0; k < batch.size(); k++) {
          // The pixels and the label are those of the item now in the place.
          assertEquals(batch.items()[k], batch.images()[3 * k]);
          assertEquals(batch.items()[k] % 7, batch.labels()[k]);
        }
        items.add(batch.items());
      }
    }
    assertArrayEquals(new int[] {0, 1, 2, 2}, items.get(0));
    assertArrayEquals(new int[] {4, 4, 6, 7}, items.get(1));
    assertEquals(2, ((SkippingSource) source).skipped());
  }

  @Test
  void withoutSkipBadImagesAnImageThatDoesNotDecodeStopsTheReadNamingIt() {
    try (BatchReader reader =
        BatchReader.inOrder(failingAt3And5(8), 4, new BatchReader.Settings(2, 1))) {
      DataFormatException e = assertThrows(DataFormatException.class, reader::next);
      assertTrue(e.getMessage().startsWith("fake/item3.png: corrupt JPEG"), e.getMessage());
    }
  }

  @Test
  void aBatchOfOnlyUndecodableImagesStopsEvenUnderSkipBadImages() {
    LabelledSource source = SkippingSource.of(failingAt3And5(8), true);
    int[] order = {3, 5, 0, 1};
    try (BatchReader reader =
        BatchReader.open(source, order, 2, null, new BatchReader.Settings(1, 1))) {
      DataFormatException e = assertThrows(DataFormatException.class, reader::next);
      assertTrue(
          e.getMessage().startsWith("fake/item3.png: with every other image"), e.getMessage());
    }
  }
}
