package io.github.ringloss4j.internal;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Arithmetic between an NDArray and a number, with the number held as a cached 0-d array.
 *
 * <p>DJL's {@code x.mul(0.5)} (and {@code add}, {@code maximum}, {@code eq}, … with a {@code
 * Number}) creates a 0-d tensor for the number on every call: a Java array, a direct buffer, a copy
 * and two JNI calls, then frees it. On the PyTorch engine that made a scalar operation on a [128]
 * array cost 13–17 µs against 3–4 µs for the same operation with a ready-made 0-d array ({@code
 * EngineOpsBenchmark}, {@code docs/performance.md}), and the ring term makes one to a dozen of them
 * per step. Here each constant is made once per (engine, device, data type, value) and kept on a
 * base manager of its own per engine and device.
 *
 * <p>Lifetime: the cached arrays live until the JVM exits; nothing frees them earlier, by design.
 * The cache is bounded: a 0-d array per constant, at most {@value #MAX_CACHED} of them (a few
 * kilobytes of native memory, a few per penalty in practice), so it does not grow with training; it
 * holds no model state and nothing a user created.
 *
 * <p>The constant has the operand's data type: for a 0-d operand (a mean, a sum) a float64 constant
 * would promote the result to float64. For float32 and float64 operands the results are
 * bit-identical to DJL's, which the tests check: the engine rounds a wider number to the operand's
 * type before computing either way.
 *
 * <p>The cached arrays never require a gradient and are never written to. At most {@value
 * #MAX_CACHED} constants are kept (the library uses a few per penalty); beyond that a constant is
 * made per call on the operand's manager and freed with it. Thread-safe.
 */
public final class Scalars {

  /** How many distinct constants are kept before falling back to one array per call. */
  static final int MAX_CACHED = 1024;

  private static final Map<Key, NDArray> CACHE = new ConcurrentHashMap<>();
  private static final Map<String, NDManager> MANAGERS = new ConcurrentHashMap<>();

  private Scalars() {}

  private record Key(String engine, Device device, DataType type, long bits) {}

  /**
   * The number as a 0-d array of {@code like}'s data type, on its device and engine.
   *
   * @param like the array the constant is combined with
   * @param value the constant
   * @return a shared 0-d array; do not close it or write to it
   */
  public static NDArray of(NDArray like, double value) {
    NDManager owner = like.getManager();
    DataType type = like.getDataType();
    Key key =
        new Key(
            owner.getEngine().getEngineName(),
            like.getDevice(),
            type,
            Double.doubleToLongBits(value));
    NDArray cached = CACHE.get(key);
    if (cached != null) {
      return cached;
    }
    if (CACHE.size() >= MAX_CACHED) {
      return constant(owner, value, type);
    }
    return CACHE.computeIfAbsent(key, k -> create(k, value));
  }

  private static NDArray create(Key key, double value) {
    NDManager manager =
        MANAGERS.computeIfAbsent(
            key.engine() + "/" + key.device(),
            name -> Engine.getEngine(key.engine()).newBaseManager(key.device()));
    return constant(manager, value, key.type());
  }

  private static NDArray constant(NDManager manager, double value, DataType type) {
    NDArray wide = manager.create(value);
    if (type == DataType.FLOAT64) {
      return wide;
    }
    NDArray converted = wide.toType(type, false);
    wide.close();
    return converted;
  }

  /** Forgets the cached constants (they stay valid for whoever holds them); for tests. */
  static void clear() {
    CACHE.clear();
  }

  /**
   * x + c.
   *
   * @param x the array
   * @param c the constant
   * @return a new array
   */
  public static NDArray add(NDArray x, double c) {
    return x.add(of(x, c));
  }

  /**
   * x − c.
   *
   * @param x the array
   * @param c the constant
   * @return a new array
   */
  public static NDArray sub(NDArray x, double c) {
    return x.sub(of(x, c));
  }

  /**
   * x · c.
   *
   * @param x the array
   * @param c the constant
   * @return a new array
   */
  public static NDArray mul(NDArray x, double c) {
    return x.mul(of(x, c));
  }

  /**
   * x / c.
   *
   * @param x the array
   * @param c the constant
   * @return a new array
   */
  public static NDArray div(NDArray x, double c) {
    return x.div(of(x, c));
  }

  /**
   * x^c.
   *
   * @param x the array
   * @param c the exponent
   * @return a new array
   */
  public static NDArray pow(NDArray x, double c) {
    return x.pow(of(x, c));
  }

  /**
   * min(x, c), element-wise.
   *
   * @param x the array
   * @param c the constant
   * @return a new array
   */
  public static NDArray minimum(NDArray x, double c) {
    return x.minimum(of(x, c));
  }

  /**
   * max(x, c), element-wise.
   *
   * @param x the array
   * @param c the constant
   * @return a new array
   */
  public static NDArray maximum(NDArray x, double c) {
    return x.maximum(of(x, c));
  }

  /**
   * x == c, element-wise.
   *
   * @param x the array
   * @param c the constant
   * @return a boolean array
   */
  public static NDArray eq(NDArray x, double c) {
    return x.eq(of(x, c));
  }

  /**
   * x &lt; c, element-wise.
   *
   * @param x the array
   * @param c the constant
   * @return a boolean array
   */
  public static NDArray lt(NDArray x, double c) {
    return x.lt(of(x, c));
  }
}
