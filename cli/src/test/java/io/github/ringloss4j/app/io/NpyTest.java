package io.github.ringloss4j.app.io;

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
  void aStreamWrittenPieceByPieceEqualsTheWholeArrayAndCommitsOnlyWhenComplete()
      throws IOException {
    float[][] rows = {{1f, 2f, 3f}, {4f, 5f, 6f}};
    Path whole = dir.resolve("whole.npy");
    NpyWriter.writeFloat32(whole, rows);
    Path streamed = Files.writeString(dir.resolve("streamed.npy"), "old content");
    try (NpyStream npy = NpyStream.float32(streamed, 2, 3)) {
      npy.putFloats(new float[] {9f, 1f, 2f}, 1, 2);
      npy.putFloats(new float[] {3f, 4f, 5f, 6f}, 0, 4);
      assertThrows(
          IllegalStateException.class, () -> npy.putFloats(new float[] {7f}, 0, 1), "beyond");
      assertThrows(IllegalStateException.class, () -> npy.putLong(7), "wrong type");
      npy.commit();
    }
    assertArrayEquals(Files.readAllBytes(whole), Files.readAllBytes(streamed));
    // Too few elements: commit refuses, close drops the temporary file, the target is kept.
    try (NpyStream npy = NpyStream.int64(streamed, 3)) {
      npy.putLong(1);
      npy.putLong(2);
      IllegalStateException short1 = assertThrows(IllegalStateException.class, npy::commit);
      assertTrue(
          short1.getMessage().contains("2 elements written, its shape holds 3"),
          short1.getMessage());
    }
    assertArrayEquals(Files.readAllBytes(whole), Files.readAllBytes(streamed));
    try (var files = Files.list(dir)) {
      assertEquals(2, files.count(), "no temporary file is left");
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

  /** A .npy file of a header dict (padded as numpy pads it) and raw data bytes. */
  private Path npy(String name, String dict, byte[] data) throws IOException {
    int unpadded = 10 + dict.length() + 1;
    int total = (unpadded + 63) / 64 * 64;
    String header = dict + " ".repeat(total - unpadded) + "\n";
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(NpyWriter.MAGIC);
    out.write(new byte[] {1, 0, (byte) header.length(), (byte) (header.length() >> 8)});
    out.write(ascii(header));
    out.write(data);
    return Files.write(dir.resolve(name), out.toByteArray());
  }

  private static byte[] floats(ByteOrder order, float... values) {
    ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(order);
    for (float v : values) {
      b.putFloat(v);
    }
    return b.array();
  }

  private static DataFormatException refused(Path file, String fragment) {
    DataFormatException e =
        assertThrows(DataFormatException.class, () -> NpyReader.readFloat32Matrix(file));
    assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
    assertTrue(e.getMessage().contains(fragment), e.getMessage());
    return e;
  }

  @Test
  void readerReadsWhatTheWriterWrites() throws IOException {
    Path file = dir.resolve("emb.npy");
    float[][] rows = {{1f, -2f, 3.5f}, {0f, 1e-7f, -0f}};
    NpyWriter.writeFloat32(file, rows);
    NpyReader.Matrix back = NpyReader.readFloat32Matrix(file);
    assertEquals(3, back.columns());
    assertArrayEquals(rows, back.rows());
    assertArrayEquals(new long[] {2, 3}, NpyReader.float32MatrixShape(file));
    // Zero rows: the width is still known.
    NpyWriter.writeFloat32(file, new float[0][]);
    assertEquals(0, NpyReader.readFloat32Matrix(file).rows().length);
  }

  @Test
  void int64VectorsAreReadAsWrittenAndCheckedLikeMatrices() throws IOException {
    Path file = dir.resolve("labels.npy");
    // More values than one 64 KiB read buffer holds (8,192 longs).
    long[] many = new long[20_000];
    Arrays.setAll(many, i -> i * 7919L - 1_000_000);
    many[3] = Long.MIN_VALUE;
    NpyWriter.writeInt64(file, many);
    assertArrayEquals(many, NpyReader.readInt64Vector(file));

    ByteBuffer big = ByteBuffer.allocate(16).order(ByteOrder.BIG_ENDIAN).putLong(-2).putLong(7);
    Path bigEndian =
        npy("big-i8.npy", "{'descr': '>i8', 'fortran_order': False, 'shape': (2,), }", big.array());
    assertArrayEquals(new long[] {-2, 7}, NpyReader.readInt64Vector(bigEndian));

    Path floats = dir.resolve("floats.npy");
    NpyWriter.writeFloat32(floats, new float[][] {{1f, 2f}});
    assertThrowsNaming(floats, "dtype '<f4': expected int64");
    assertThrowsNaming(
        npy("m.npy", "{'descr': '<i8', 'fortran_order': False, 'shape': (1, 2), }", new byte[16]),
        "expected a 1-D array");
    // 2.7 KB claiming 10^8 labels: refused before allocating 800 MB.
    assertThrowsNaming(
        npy(
            "bomb-i8.npy",
            "{'descr': '<i8', 'fortran_order': False, 'shape': (100000000,), }",
            new byte[2600]),
        "the header's shape (100000000) of int64 needs 800000000 bytes of data but the file holds"
            + " 2600");
  }

  private static void assertThrowsNaming(Path file, String fragment) {
    DataFormatException e =
        assertThrows(DataFormatException.class, () -> NpyReader.readInt64Vector(file));
    assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
    assertTrue(e.getMessage().contains(fragment), e.getMessage());
  }

  @Test
  void bigEndianIsConvertedAndFortranOrderTransposed() throws IOException {
    Path big =
        npy(
            "big.npy",
            "{'descr': '>f4', 'fortran_order': False, 'shape': (2, 2), }",
            floats(ByteOrder.BIG_ENDIAN, 0.998f, 0.25f, -1f, 2f));
    assertArrayEquals(
        new float[][] {{0.998f, 0.25f}, {-1f, 2f}}, NpyReader.readFloat32Matrix(big).rows());
    // numpy.asfortranarray([[1, 2, 3], [4, 5, 6]]): the columns one after another.
    Path fortran =
        npy(
            "f.npy",
            "{\"descr\": \"<f4\", \"fortran_order\": True, \"shape\": (2, 3)}",
            floats(ByteOrder.LITTLE_ENDIAN, 1, 4, 2, 5, 3, 6));
    assertArrayEquals(
        new float[][] {{1, 2, 3}, {4, 5, 6}}, NpyReader.readFloat32Matrix(fortran).rows());
  }

  @Test
  void otherTypesAreRefusedNotReinterpreted() throws IOException {
    for (String descr : new String[] {"|u1", "<i8", "<f8", "<f2", "f4", "=f4", "<i4"}) {
      Path file =
          npy(
              "t.npy",
              "{'descr': '" + descr + "', 'fortran_order': False, 'shape': (1, 4), }",
              new byte[16]);
      refused(file, "dtype '" + descr + "': expected float32");
    }
  }

  @Test
  void aShapeBeyondTheFileIsRefusedBeforeAllocating() throws IOException {
    // 2.7 KB claiming (4000000, 128): refused without allocating its 2 GB.
    refused(
        npy(
            "bomb.npy",
            "{'descr': '<f4', 'fortran_order': False, 'shape': (4000000, 128), }",
            new byte[2600]),
        "needs 2048000000 bytes of data but the file holds 2600");
    // Allocating 10^9 x 10^9 floats would be an OutOfMemoryError, never a DataFormatException.
    refused(
        npy(
            "huge.npy",
            "{'descr': '<f4', 'fortran_order': False, 'shape': (1000000000, 1000000000), }",
            new byte[16]),
        "truncated, or a corrupt header");
    refused(
        npy(
            "overflow.npy",
            "{'descr': '<f4', 'fortran_order': False, 'shape': (999999999999999999, 99999), }",
            new byte[16]),
        "more than 2^63");
    refused(
        npy(
            "trailing.npy",
            "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 2), }",
            new byte[12]),
        "trailing bytes");
  }

  @Test
  void theHeaderIsParsedStrictly() throws IOException {
    String[][] cases = {
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (1, 1), 'descr': '<f4'}", "twice"},
      {"{'descr': '<f4', 'fortran_order': False}", "lacks 'shape'"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (1, 1), 'x': 1}", "unexpected key 'x'"},
      {"{'descr': '<f4', 'fortran_order': 0, 'shape': (1, 1)}", "True or False"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (-1, 1)}", "non-negative"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (01, 1)}", "plain integer"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (1 1)}", "expected ',' or ')'"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (1)}", "(n,)"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (1, 1)} x", "only spaces"},
      {"{'descr': '<\\x66\\x34', 'fortran_order': False, 'shape': (1, 1)}", "escapes"},
    };
    for (String[] c : cases) {
      refused(npy("h.npy", c[0], new byte[4]), c[1]);
    }
    refused(
        npy("one.npy", "{'descr': '<f4', 'fortran_order': False, 'shape': (4,), }", new byte[16]),
        "expected a 2-D array");
    // An .npz (a zip) is not an .npy file.
    Path zip = Files.write(dir.resolve("z.npy"), new byte[] {'P', 'K', 3, 4, 0, 0, 0, 0, 0, 0});
    refused(zip, "magic");
    Path empty = Files.write(dir.resolve("e.npy"), new byte[0]);
    refused(empty, "magic");
    byte[] valid =
        Files.readAllBytes(
            npy(
                "v.npy",
                "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 1), }",
                new byte[4]));
    refused(Files.write(dir.resolve("cut.npy"), Arrays.copyOf(valid, 40)), "truncated");
    valid[6] = 4;
    refused(Files.write(dir.resolve("v4.npy"), valid), "format version 4.0");
  }

  /** The ASCII header dict of a version 1.0 file, padding and newline included. */
  private static String headerText(Path file) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    int length = ByteBuffer.wrap(bytes, 8, 2).order(ByteOrder.LITTLE_ENDIAN).getShort() & 0xFFFF;
    return new String(bytes, 10, length, StandardCharsets.US_ASCII);
  }
}
