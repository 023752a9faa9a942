package io.github.ringloss4j.app.io;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * A {@code .npy} file written element by element, for arrays too large to hold: its shape is
 * declared up front (the header comes first), its elements arrive in C order, and it replaces the
 * target only when {@link #commit} finds exactly the declared count written ({@link
 * AtomicFiles.Pending}); closing it before then leaves the target untouched. {@link NpyWriter}
 * writes whole arrays through it.
 */
public final class NpyStream implements Closeable {

  private static final int CHUNK = 1 << 16;

  private final Path file;
  private final AtomicFiles.Pending pending;
  private final ByteBuffer buf = ByteBuffer.allocate(CHUNK).order(ByteOrder.LITTLE_ENDIAN);
  private final long expected;
  private final int elementBytes;
  private long written;

  private NpyStream(Path file, String descr, int elementBytes, int... shape) throws IOException {
    long count = 1;
    for (int dim : shape) {
      if (dim < 0) {
        throw new IllegalArgumentException(
            file + ": negative dimension in shape " + Arrays.toString(shape));
      }
      count *= dim;
    }
    byte[] header = NpyWriter.header(descr, shape);
    this.file = file;
    this.expected = count;
    this.elementBytes = elementBytes;
    this.pending = AtomicFiles.open(file);
    try {
      pending.stream().write(header);
    } catch (IOException | RuntimeException e) {
      pending.close();
      throw e;
    }
  }

  /**
   * Opens a float32 array ({@code '<f4'}).
   *
   * @param file the file to create or replace on commit
   * @param shape its dimensions
   * @return the stream
   * @throws IOException if the temporary file cannot be created
   */
  public static NpyStream float32(Path file, int... shape) throws IOException {
    return new NpyStream(file, "<f4", Float.BYTES, shape);
  }

  /**
   * Opens an int64 array ({@code '<i8'}).
   *
   * @param file the file to create or replace on commit
   * @param shape its dimensions
   * @return the stream
   * @throws IOException if the temporary file cannot be created
   */
  public static NpyStream int64(Path file, int... shape) throws IOException {
    return new NpyStream(file, "<i8", Long.BYTES, shape);
  }

  /**
   * Appends float32 elements.
   *
   * @param values the values
   * @param from the first to write
   * @param count how many
   * @throws IOException if writing fails
   */
  public void putFloats(float[] values, int from, int count) throws IOException {
    require(Float.BYTES, count);
    for (int i = from; i < from + count; i++) {
      if (buf.remaining() < Float.BYTES) {
        flush();
      }
      buf.putFloat(values[i]);
    }
  }

  /**
   * Appends one int64 element.
   *
   * @param value the value
   * @throws IOException if writing fails
   */
  public void putLong(long value) throws IOException {
    require(Long.BYTES, 1);
    if (buf.remaining() < Long.BYTES) {
      flush();
    }
    buf.putLong(value);
  }

  private void require(int bytes, int count) {
    if (bytes != elementBytes) {
      throw new IllegalStateException(file + ": wrong element type for this array");
    }
    if (count < 0 || written + count > expected) {
      throw new IllegalStateException(
          file + ": " + (written + count) + " elements written, its shape holds " + expected);
    }
    written += count;
  }

  private void flush() throws IOException {
    pending.stream().write(buf.array(), 0, buf.position());
    buf.clear();
  }

  /**
   * Replaces the target with the complete array.
   *
   * @throws IllegalStateException if fewer elements were written than the shape holds; the target
   *     is then unchanged
   * @throws IOException if writing fails; the target is then unchanged
   */
  public void commit() throws IOException {
    if (written != expected) {
      throw new IllegalStateException(
          file + ": " + written + " elements written, its shape holds " + expected);
    }
    flush();
    pending.commit();
  }

  /**
   * Deletes the temporary file unless committed.
   *
   * @throws IOException if it cannot be deleted
   */
  @Override
  public void close() throws IOException {
    pending.close();
  }
}
