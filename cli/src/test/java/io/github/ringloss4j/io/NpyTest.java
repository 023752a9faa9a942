package io.github.ringloss4j.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
    NpyReader.Header h = NpyReader.readHeader(file);
    assertEquals("<f4", h.descr());
    assertArrayEquals(new int[] {300, 70}, h.shape());
    assertFalse(h.fortranOrder());
    assertEquals(0, h.dataOffset() % 64);
    float[][] back = NpyReader.readFloat32Matrix(file);
    assertEquals(rows.length, back.length);
    for (int r = 0; r < rows.length; r++) {
      assertArrayEquals(rows[r], back[r], "row " + r);
    }
    float[] flat = {0f, 0.25f, 0.5f, 0.75f, 1f, 1.25f};
    NpyWriter.writeFloat32(file, flat, 2, 3);
    assertArrayEquals(new int[] {2, 3}, NpyReader.readHeader(file).shape());
    assertArrayEquals(flat, NpyReader.readFloat32(file));
  }

  @Test
  void oneDimensionalShapeIsWrittenWithTrailingComma() throws IOException {
    Path file = dir.resolve("v.npy");
    NpyWriter.writeFloat32(file, new float[] {1, 2, 3, 4, 5});
    String header = new String(Files.readAllBytes(file), 10, 118, StandardCharsets.US_ASCII);
    assertTrue(
        header.startsWith("{'descr': '<f4', 'fortran_order': False, 'shape': (5,), }"), header);
    assertTrue(header.endsWith(" \n"));
    assertArrayEquals(new float[] {1, 2, 3, 4, 5}, NpyReader.readFloat32(file));
    assertArrayEquals(new int[] {5}, NpyReader.readHeader(file).shape());
  }

  @Test
  void int64AndInt32RoundTrip() throws IOException {
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
    assertArrayEquals(values, NpyReader.readInt64(longs));

    Path ints = dir.resolve("ints.npy");
    int[] many = new int[40_000];
    Arrays.setAll(many, i -> i * 7919 - 1_000_000);
    NpyWriter.writeInt32(ints, many);
    assertEquals("<i4", NpyReader.readHeader(ints).descr());
    assertArrayEquals(many, NpyReader.readInt32(ints));
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
    assertThrows(
        IllegalArgumentException.class, () -> NpyWriter.writeFloat32(file, new float[5], 2, 3));
  }

  @Test
  void emptyMatrix() throws IOException {
    Path file = dir.resolve("empty.npy");
    NpyWriter.writeFloat32(file, new float[0][]);
    assertArrayEquals(new int[] {0, 0}, NpyReader.readHeader(file).shape());
    assertEquals(0, NpyReader.readFloat32Matrix(file).length);
  }

  private Path npy(String name, String dict, int dataBytes) throws IOException {
    byte[] d = ascii(dict + "\n");
    ByteBuffer buf = ByteBuffer.allocate(10 + d.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
    buf.put(NpyWriter.MAGIC).put((byte) 1).put((byte) 0).putShort((short) d.length).put(d);
    return Files.write(dir.resolve(name), buf.array());
  }

  private void assertBad(Path file, String fragment) {
    DataFormatException e =
        assertThrows(DataFormatException.class, () -> NpyReader.readFloat32(file));
    assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
    assertTrue(e.getMessage().contains(fragment), "'" + fragment + "' in: " + e.getMessage());
  }

  @Test
  void readerRejectsMalformedFiles() throws IOException {
    String ok = "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }";
    assertEquals(8, NpyReader.readFloat32(npy("ok.npy", ok, 8)).length * 4);
    assertBad(npy("short.npy", ok, 7), "truncated");
    assertBad(npy("long.npy", ok, 9), "trailing bytes");
    assertBad(npy("f8.npy", ok.replace("<f4", "<f8"), 16), "unsupported dtype '<f8'");
    assertBad(npy("be.npy", ok.replace("<f4", ">f4"), 8), "unsupported dtype '>f4'");
    assertBad(
        npy("fortran.npy", "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 1), }", 8),
        "Fortran-order");
    assertBad(npy("noshape.npy", "{'descr': '<f4', 'fortran_order': False, }", 4), "'shape'");
    assertBad(npy("paren.npy", ok.replace("(2,)", "(2)"), 8), "(n,)");
    assertBad(npy("key.npy", ok.replace("'shape'", "'shap'"), 8), "unexpected key 'shap'");
    Path i8 = dir.resolve("i8.npy");
    NpyWriter.writeInt64(i8, new long[] {1});
    assertBad(i8, "dtype '<i8', expected '<f4'");
    Path notNpy = Files.writeString(dir.resolve("text.npy"), "hello world, not numpy");
    assertBad(notNpy, "at byte 0: not a .npy file");
    Path empty = Files.write(dir.resolve("empty.npy"), new byte[0]);
    assertBad(empty, "at byte 0: empty file");
    byte[] v3 = Files.readAllBytes(npy("v3.npy", ok, 8));
    v3[6] = 3;
    assertBad(Files.write(dir.resolve("v3.npy"), v3), "version 3.0");
    assertThrows(NoSuchFileException.class, () -> NpyReader.readFloat32(dir.resolve("nope.npy")));
  }

  @Test
  void readerAcceptsVersion2AndReorderedKeys() throws IOException {
    byte[] d = ascii("{\"shape\": (1, 2), \"descr\": \"<i4\", \"fortran_order\": False}\n");
    ByteBuffer buf = ByteBuffer.allocate(12 + d.length + 8).order(ByteOrder.LITTLE_ENDIAN);
    buf.put(NpyWriter.MAGIC).put((byte) 2).put((byte) 0).putInt(d.length).put(d);
    buf.putInt(-7).putInt(9);
    Path file = Files.write(dir.resolve("v2.npy"), buf.array());
    assertArrayEquals(new int[] {-7, 9}, NpyReader.readInt32(file));
    assertArrayEquals(new int[] {1, 2}, NpyReader.readHeader(file).shape());
  }
}
