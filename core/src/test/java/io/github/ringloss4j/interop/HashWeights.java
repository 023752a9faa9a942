package io.github.ringloss4j.interop;

import ai.djl.ndarray.types.Shape;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The deterministic weights and inputs of bench/pytorch/insightface_names.py, computed the same
 * way: every value is a multiple of 2^-15 (times a power of two), exactly a float32, so both sides
 * start from identical bits.
 */
final class HashWeights {

  private HashWeights() {}

  static long fnv1a64(String text) {
    long h = 0xCBF29CE484222325L;
    for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
      h = (h ^ (b & 0xff)) * 0x100000001B3L;
    }
    return h;
  }

  /** u(name, i), a multiple of 2^-15 in [-1, 1). */
  static double uniform(long seed, long i) {
    long z = seed + (i + 1) * 0x9E3779B97F4A7C15L;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    z ^= z >>> 31;
    return (z >>> 48) / 32768.0 - 1;
  }

  static float[] uniform(String name, int count) {
    long seed = fnv1a64(name);
    float[] u = new float[count];
    for (int i = 0; i < count; i++) {
      u[i] = (float) uniform(seed, i);
    }
    return u;
  }

  /** The state dict for the given names and shapes, as the Python script's hash_value. */
  static Map<String, TorchTensor> stateDict(Map<String, Shape> names, boolean iresnet) {
    Map<String, TorchTensor> dict = new LinkedHashMap<>();
    names.forEach(
        (name, shape) -> {
          long[] dims = shape.getShape();
          if (name.endsWith(".num_batches_tracked")) {
            dict.put(name, TorchTensor.ofLongs(new long[] {0}, dims));
            return;
          }
          int count = Math.toIntExact(shape.size());
          float[] v = uniform(name, count);
          String module = name.substring(0, name.lastIndexOf('.'));
          for (int i = 0; i < count; i++) {
            double u = v[i];
            double x;
            if (name.endsWith(".weight") && dims.length >= 2) {
              long fanIn = count / dims[0];
              int k = (63 - Long.numberOfLeadingZeros(fanIn)) / 2;
              x = u * Math.scalb(1.0, -k);
            } else if (name.endsWith(".running_var")) {
              x = 1 + u / 4;
            } else if (name.endsWith(".weight") && names.containsKey(module + ".running_mean")) {
              x = iresnet && name.equals("features.weight") ? 1 : 1 + u / 4;
            } else if (name.endsWith(".weight")) {
              x = 0.25 + u / 8;
            } else {
              x = u / 8;
            }
            v[i] = (float) x;
          }
          dict.put(name, TorchTensor.ofFloats(v, dims));
        });
    return dict;
  }

  /** The two inputs [2, 3, 112, 112]. */
  static float[] inputs() {
    return uniform("input", 2 * 3 * 112 * 112);
  }
}
