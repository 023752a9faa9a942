package io.github.ringloss4j.interop;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Objects;

/**
 * One tensor of a PyTorch {@code state_dict}: its element type, its shape and its values,
 * contiguous in row-major (C) order, little-endian, as a torch zip file stores a contiguous
 * tensor's storage. Immutable.
 *
 * <p>Reading a file gives tensors whose strides have already been applied, so a transposed or
 * offset view in the file is here a plain contiguous copy.
 */
public final class TorchTensor {

  private final TorchDtype dtype;
  private final long[] shape;
  private final ByteBuffer data;

  private TorchTensor(TorchDtype dtype, long[] shape, ByteBuffer data) {
    this.dtype = dtype;
    this.shape = shape;
    this.data = data;
  }

  /**
   * A tensor over values given as bytes.
   *
   * @param dtype the element type
   * @param shape the sizes, each ≥ 0 (empty for a scalar)
   * @param values exactly {@code numel × dtype.bytes()} bytes from the buffer's position to its
   *     limit, little-endian, row-major; copied
   * @return the tensor
   * @throws IllegalArgumentException if a size is negative or the byte count does not match
   */
  public static TorchTensor of(TorchDtype dtype, long[] shape, ByteBuffer values) {
    Objects.requireNonNull(dtype, "dtype");
    long[] sizes = shape.clone();
    long bytes = Math.multiplyExact(numel(sizes), dtype.bytes());
    if (values.remaining() != bytes) {
      throw new IllegalArgumentException(
          "shape "
              + Arrays.toString(sizes)
              + " of "
              + dtype
              + " needs "
              + bytes
              + " bytes, got "
              + values.remaining());
    }
    ByteBuffer copy = ByteBuffer.allocate((int) bytes).order(ByteOrder.LITTLE_ENDIAN);
    copy.put(values.duplicate()).flip();
    return new TorchTensor(dtype, sizes, copy.asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN));
  }

  /**
   * A tensor over a buffer this package made and hands over, not copied.
   *
   * @param dtype the element type
   * @param shape the sizes, whose product times the element size is {@code owned}'s remaining bytes
   * @param owned little-endian values, referenced by no one else
   * @return the tensor
   */
  static TorchTensor wrap(TorchDtype dtype, long[] shape, ByteBuffer owned) {
    return new TorchTensor(
        dtype, shape.clone(), owned.asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN));
  }

  /**
   * A float32 tensor.
   *
   * @param values the values in row-major order; copied
   * @param shape the sizes, whose product is {@code values.length}
   * @return the tensor
   * @throws IllegalArgumentException if the sizes do not match the values
   */
  public static TorchTensor ofFloats(float[] values, long... shape) {
    ByteBuffer bytes =
        ByteBuffer.allocate(Math.multiplyExact(values.length, 4)).order(ByteOrder.LITTLE_ENDIAN);
    bytes.asFloatBuffer().put(values);
    return of(TorchDtype.FLOAT32, shape, bytes);
  }

  /**
   * An int64 tensor.
   *
   * @param values the values in row-major order; copied
   * @param shape the sizes, whose product is {@code values.length}
   * @return the tensor
   * @throws IllegalArgumentException if the sizes do not match the values
   */
  public static TorchTensor ofLongs(long[] values, long... shape) {
    ByteBuffer bytes =
        ByteBuffer.allocate(Math.multiplyExact(values.length, 8)).order(ByteOrder.LITTLE_ENDIAN);
    bytes.asLongBuffer().put(values);
    return of(TorchDtype.INT64, shape, bytes);
  }

  /**
   * The number of elements of a shape.
   *
   * @param shape the sizes, each ≥ 0
   * @return their product (1 for a scalar)
   * @throws IllegalArgumentException if a size is negative
   * @throws ArithmeticException if the product overflows a long
   */
  public static long numel(long[] shape) {
    long n = 1;
    for (long s : shape) {
      if (s < 0) {
        throw new IllegalArgumentException("negative size in shape " + Arrays.toString(shape));
      }
      n = Math.multiplyExact(n, s);
    }
    return n;
  }

  /**
   * The element type.
   *
   * @return the type
   */
  public TorchDtype dtype() {
    return dtype;
  }

  /**
   * The sizes.
   *
   * @return a copy (empty for a scalar)
   */
  public long[] shape() {
    return shape.clone();
  }

  /**
   * The number of elements.
   *
   * @return the product of the sizes
   */
  public long numel() {
    return numel(shape);
  }

  /**
   * The values as bytes.
   *
   * @return a read-only little-endian view, position 0
   */
  public ByteBuffer data() {
    return data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
  }

  /**
   * The values as float32: exact for float32, float16 and bfloat16 (every value is representable),
   * rounded to nearest for float64.
   *
   * @return the values in row-major order
   * @throws IllegalStateException if the type is not a floating-point type
   */
  public float[] toFloats() {
    ByteBuffer in = data();
    float[] out = new float[Math.toIntExact(numel())];
    switch (dtype) {
      case FLOAT32 -> in.asFloatBuffer().get(out);
      case FLOAT64 -> {
        for (int i = 0; i < out.length; i++) {
          out[i] = (float) in.getDouble(8 * i);
        }
      }
      case FLOAT16 -> {
        for (int i = 0; i < out.length; i++) {
          out[i] = halfToFloat(in.getShort(2 * i));
        }
      }
      case BFLOAT16 -> {
        for (int i = 0; i < out.length; i++) {
          out[i] = Float.intBitsToFloat((in.getShort(2 * i) & 0xffff) << 16);
        }
      }
      default -> throw new IllegalStateException("a " + dtype + " tensor holds no real numbers");
    }
    return out;
  }

  /**
   * The values as int64.
   *
   * @return the values in row-major order
   * @throws IllegalStateException if the type is not an integer or boolean type
   */
  public long[] toLongs() {
    ByteBuffer in = data();
    long[] out = new long[Math.toIntExact(numel())];
    for (int i = 0; i < out.length; i++) {
      out[i] =
          switch (dtype) {
            case INT64 -> in.getLong(8 * i);
            case INT32 -> in.getInt(4 * i);
            case INT16 -> in.getShort(2 * i);
            case INT8, BOOL -> in.get(i);
            case UINT8 -> in.get(i) & 0xff;
            default -> throw new IllegalStateException("a " + dtype + " tensor is not integral");
          };
    }
    return out;
  }

  /** IEEE 754 binary16 to binary32, exactly (Java 17 has no {@code Float.float16ToFloat}). */
  static float halfToFloat(short half) {
    int bits = half & 0xffff;
    int sign = (bits & 0x8000) << 16;
    int exponent = (bits >>> 10) & 0x1f;
    int mantissa = bits & 0x3ff;
    if (exponent == 0x1f) { // infinity or NaN, payload kept
      return Float.intBitsToFloat(sign | 0x7f800000 | (mantissa << 13));
    }
    if (exponent == 0) { // zero or subnormal: mantissa × 2^-24, exact in float
      float magnitude = mantissa * 0x1p-24f;
      return sign == 0 ? magnitude : -magnitude;
    }
    return Float.intBitsToFloat(sign | ((exponent + 112) << 23) | (mantissa << 13));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TorchTensor t
        && dtype == t.dtype
        && Arrays.equals(shape, t.shape)
        && data().equals(t.data());
  }

  @Override
  public int hashCode() {
    return Objects.hash(dtype, Arrays.hashCode(shape), data());
  }

  @Override
  public String toString() {
    return "TorchTensor[" + dtype + " " + Arrays.toString(shape) + "]";
  }
}
