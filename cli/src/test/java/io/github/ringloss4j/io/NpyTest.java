package io.github.ringloss4j.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.types.DataType;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link NpyWriter}'s bytes (header, dtype, shape, values) against numpy's format, and its files
 * read back by DJL's decoder.
 */
class NpyTest {

  @TempDir Path dir;

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  @Test
  void headerOf2x3Float32IsExactlyWhatNumpyWrites() throws IOException {
    Path file = dir.resolve("m.npy");
    NpyWriter.writeFloat32(file, new float[][] {{1f, 2f, 3f}, {-0.5f, 0f, 1e-3f}});
    byte[] actual = Files.readAllBytes(file);

    // Preamble: 6 magic bytes + 2 version bytes + 2 length bytes = 10.
    // Dict: "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }" = 59 characters,
    // then numpy's 21 - len("2") = 20 spare spaces: 10 + 59 + 20 + 1 (the '\n') = 90, which is
    // padded with 38 more spaces to the next multiple of 64, 128. Header length = 128 - 10 = 118
    // = 0x76 (numpy 2.x writes these same 128 bytes for np.zeros((2, 3), '<f4')).
    String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
    assertEquals(59, dict.length());
    ByteArrayOutputStream expected = new ByteArrayOutputStream();
    expected.write(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 0x01, 0x00, 0x76, 0x00});
    expected.write(ascii(dict));
    expected.write(ascii(" ".repeat(20 + 38)));
    expected.write('\n');
    assertEquals(128, expected.size());
    assertArrayEquals(expected.toByteArray(), Arrays.copyOf(actual, 128));

    // Data: 6 little-endian float32, e.g. 1.0f = 0x3F800000 -> 00 00 80 3F.
    assertEquals(128 + 6 * 4, actual.length);
    assertArrayEquals(new byte[] {0, 0, (byte) 0x80, 0x3F}, Arrays.copyOfRange(actual, 128, 132));
    assertArrayEquals(new byte[] {0, 0, 0, (byte) 0xBF}, Arrays.copyOfRange(actual, 140, 144));
    ByteBuffer data = ByteBuffer.wrap(actual, 128, 24).order(ByteOrder.LITTLE_ENDIAN);
    float[] values = new float[6];
    data.asFloatBuffer().get(values);
    assertArrayEquals(new float[] {1f, 2f, 3f, -0.5f, 0f, 1e-3f}, values);
  }

  @Test
  void float32RoundTrip() throws IOException {
    Path file = dir.resolve("emb.npy");
    float[][] rows = new float[300][70];
    for (int r = 0; r < rows.length; r++) {
      for (int c = 0; c < rows[r].length; c++) {
        rows[r][c] = (float) Math.sin(r * 0.37 + c) * (r + 1);
      }
    }
    rows[5][3] = Float.NaN;
    rows[6][4] = Float.NEGATIVE_INFINITY;
    NpyWriter.writeFloat32(file, rows);
    String header = headerText(file);
    assertTrue(
        header.startsWith("{'descr': '<f4', 'fortran_order': False, 'shape': (300, 70), }"),
        header);
    assertEquals(0, (10 + header.length()) % 64, "data starts on a 64-byte boundary");
    DecodedNpy back = DecodedNpy.read(file);
    assertEquals(DataType.FLOAT32, back.dataType());
    assertArrayEquals(new long[] {300, 70}, back.shape());
    float[][] decoded = back.rows();
    for (int r = 0; r < rows.length; r++) {
      assertArrayEquals(rows[r], decoded[r], "row " + r);
    }
  }

  @Test
  void oneDimensionalShapeIsWrittenWithTrailingComma() throws IOException {
    Path file = dir.resolve("v.npy");
    NpyWriter.writeFloat32(file, new float[] {1, 2, 3, 4, 5});
    String header = headerText(file);
    assertEquals(118, header.length());
    assertTrue(
        header.startsWith("{'descr': '<f4', 'fortran_order': False, 'shape': (5,), }"), header);
    assertTrue(header.endsWith(" \n"));
    DecodedNpy back = DecodedNpy.read(file);
    assertArrayEquals(new long[] {5}, back.shape());
    assertArrayEquals(new float[] {1, 2, 3, 4, 5}, back.floats());
  }

  @Test
  void int64RoundTrip() throws IOException {
    Path longs = dir.resolve("labels.npy");
    long[] values = {0, -1, Long.MAX_VALUE, Long.MIN_VALUE, 42};
    NpyWriter.writeInt64(longs, values);
    byte[] bytes = Files.readAllBytes(longs);
    assertTrue(new String(bytes, 10, 50, StandardCharsets.US_ASCII).startsWith("{'descr': '<i8'"));
    assertEquals(128 + 5 * 8, bytes.length);
    // -1 as little-endian int64 is eight 0xFF bytes.
    byte[] minusOne = new byte[8];
    Arrays.fill(minusOne, (byte) 0xFF);
    assertArrayEquals(minusOne, Arrays.copyOfRange(bytes, 136, 144));
    DecodedNpy back = DecodedNpy.read(longs);
    assertEquals(DataType.INT64, back.dataType());
    assertArrayEquals(values, back.longs());

    // More values than one 64 KiB write buffer holds.
    long[] many = new long[40_000];
    Arrays.setAll(many, i -> i * 7919L - 1_000_000);
    NpyWriter.writeInt64(longs, many);
    assertArrayEquals(many, DecodedNpy.read(longs).longs());
  }

  @Test
  void raggedRowsAreRejectedBeforeWriting() {
    Path file = dir.resolve("ragged.npy");
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> NpyWriter.writeFloat32(file, new float[][] {{1, 2}, {3, 4}, {5}}));
    assertTrue(e.getMessage().contains("row 2 has 1 values, expected 2"), e.getMessage());
    assertFalse(Files.exists(file));
  }

  @Test
  void emptyMatrix() throws IOException {
    Path file = dir.resolve("empty.npy");
    NpyWriter.writeFloat32(file, new float[0][]);
    assertTrue(headerText(file).contains("'shape': (0, 0), }"), headerText(file));
    assertEquals(128, Files.size(file), "a header and no data");
    DecodedNpy back = DecodedNpy.read(file);
    assertArrayEquals(new long[] {0, 0}, back.shape());
    assertEquals(0, back.rows().length);
  }

  /** The ASCII header dict of a version 1.0 file, padding and newline included. */
  private static String headerText(Path file) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    int length = ByteBuffer.wrap(bytes, 8, 2).order(ByteOrder.LITTLE_ENDIAN).getShort() & 0xFFFF;
    return new String(bytes, 10, length, StandardCharsets.US_ASCII);
  }
}
