package io.github.ringloss4j.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** {@link TorchTensor}'s conversions that the .pth tests do not pin down one by one. */
class TorchTensorTest {

  @Test
  void halfToFloatIsExactOnEveryKindOfValue() {
    assertEquals(1.0f, TorchTensor.halfToFloat((short) 0x3c00));
    assertEquals(-2.0f, TorchTensor.halfToFloat((short) 0xc000));
    assertEquals(65504f, TorchTensor.halfToFloat((short) 0x7bff), "the largest half");
    assertEquals(0x1p-14f, TorchTensor.halfToFloat((short) 0x0400), "the smallest normal");
    assertEquals(0x1p-24f, TorchTensor.halfToFloat((short) 0x0001), "the smallest subnormal");
    assertEquals(0x3ffp-24f, TorchTensor.halfToFloat((short) 0x03ff), "the largest subnormal");
    assertEquals(Float.floatToIntBits(-0.0f), Float.floatToIntBits(halfOf(0x8000)), "-0");
    assertEquals(Float.POSITIVE_INFINITY, TorchTensor.halfToFloat((short) 0x7c00));
    assertEquals(Float.NEGATIVE_INFINITY, TorchTensor.halfToFloat((short) 0xfc00));
    assertTrue(Float.isNaN(TorchTensor.halfToFloat((short) 0x7e00)));
    // every finite half: the float's bits put back into half format give the same half
    for (int h = 0; h < 0x10000; h++) {
      if ((h & 0x7c00) == 0x7c00) {
        continue;
      }
      float f = halfOf(h);
      assertEquals(h, floatToHalfExact(f), Integer.toHexString(h));
    }
  }

  private static float halfOf(int bits) {
    return TorchTensor.halfToFloat((short) bits);
  }

  /** The half of a float that is exactly a half (the test's independent inverse). */
  private static int floatToHalfExact(float f) {
    int sign = Float.floatToRawIntBits(f) >>> 31 << 15;
    float a = Math.abs(f);
    if (a == 0) {
      return sign;
    }
    if (a < 0x1p-14f) {
      return sign | (int) (a / 0x1p-24f);
    }
    int exponent = Math.getExponent(a);
    int mantissa = (int) ((a / Math.scalb(1f, exponent) - 1) * 1024);
    return sign | ((exponent + 15) << 10) | mantissa;
  }
}
