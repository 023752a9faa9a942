package io.github.ringloss4j.interop;

import java.util.Arrays;
import java.util.Optional;

/**
 * The element types a PyTorch {@code state_dict} file holds, each with the name of the storage
 * class torch pickles for it ({@code torch.FloatStorage} and so on) and its size in bytes.
 */
public enum TorchDtype {
  /** {@code torch.float64}. */
  FLOAT64("DoubleStorage", 8, true),
  /** {@code torch.float32}. */
  FLOAT32("FloatStorage", 4, true),
  /** {@code torch.float16}. */
  FLOAT16("HalfStorage", 2, true),
  /** {@code torch.bfloat16}. */
  BFLOAT16("BFloat16Storage", 2, true),
  /** {@code torch.int64}: BatchNorm's {@code num_batches_tracked}. */
  INT64("LongStorage", 8, false),
  /** {@code torch.int32}. */
  INT32("IntStorage", 4, false),
  /** {@code torch.int16}. */
  INT16("ShortStorage", 2, false),
  /** {@code torch.int8}. */
  INT8("CharStorage", 1, false),
  /** {@code torch.uint8}. */
  UINT8("ByteStorage", 1, false),
  /** {@code torch.bool}. */
  BOOL("BoolStorage", 1, false);

  private final String storage;
  private final int bytes;
  private final boolean floatingPoint;

  TorchDtype(String storage, int bytes, boolean floatingPoint) {
    this.storage = storage;
    this.bytes = bytes;
    this.floatingPoint = floatingPoint;
  }

  /**
   * The storage class's name in module {@code torch}, as a pickle names it.
   *
   * @return e.g. {@code FloatStorage}
   */
  public String storageName() {
    return storage;
  }

  /**
   * The size of one element.
   *
   * @return bytes per element
   */
  public int bytes() {
    return bytes;
  }

  /**
   * Whether the type holds real numbers.
   *
   * @return true for the float types
   */
  public boolean isFloatingPoint() {
    return floatingPoint;
  }

  /**
   * The type whose storage class has this name.
   *
   * @param storageName e.g. {@code FloatStorage}
   * @return the type, or empty if torch writes no such storage
   */
  public static Optional<TorchDtype> ofStorage(String storageName) {
    return Arrays.stream(values()).filter(t -> t.storage.equals(storageName)).findFirst();
  }
}
