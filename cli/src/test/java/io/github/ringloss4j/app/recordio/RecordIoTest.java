package io.github.ringloss4j.app.recordio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The RecordIO framing against bytes worked out by hand from dmlc-core's WriteRecord. */
class RecordIoTest {

  @TempDir Path tmp;

  static final byte[] M = {0x0a, 0x23, (byte) 0xd7, (byte) 0xce};

  /** A part header: the magic and lrecord = cflag << 29 | length, little-endian. */
  static byte[] part(int cflag, int length) {
    return ByteBuffer.allocate(8)
        .order(ByteOrder.LITTLE_ENDIAN)
        .putInt(0xced7230a)
        .putInt(cflag << 29 | length)
        .array();
  }

  static byte[] concat(byte[]... arrays) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] a : arrays) {
      out.writeBytes(a);
    }
    return out.toByteArray();
  }

  static byte[] bytes(int... values) {
    byte[] b = new byte[values.length];
    for (int i = 0; i < b.length; i++) {
      b[i] = (byte) values[i];
    }
    return b;
  }

  static byte[] write(byte[] payload) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    long written = RecordIo.write(out, payload);
    assertEquals(out.size(), written);
    assertEquals(0, written % 4);
    return out.toByteArray();
  }

  byte[] readBack(byte[] file, int limit) throws IOException {
    Path rec = Files.write(tmp.resolve("r.rec"), file);
    try (FileChannel ch = FileChannel.open(rec)) {
      RecordLocation at = new RecordLocation(rec, 7, 0);
      return RecordIo.readPrefix(ch, ch.size(), at, limit).bytes();
    }
  }

  @Test
  void unsplitRecordIsOnePartPaddedToFourBytes() throws IOException {
    byte[] payload = bytes(1, 2, 3, 4, 5);
    byte[] expected = concat(part(0, 5), payload, new byte[3]);
    assertArrayEquals(expected, write(payload));
    assertArrayEquals(payload, readBack(expected, Integer.MAX_VALUE));
  }

  @Test
  void emptyRecordIsAHeaderOnly() throws IOException {
    assertArrayEquals(part(0, 0), write(new byte[0]));
    assertArrayEquals(new byte[0], readBack(part(0, 0), Integer.MAX_VALUE));
  }

  @Test
  void magicAtAlignedOffsetsSplitsTheRecordAndIsDropped() throws IOException {
    // Offsets: 0 magic, 4 magic (adjacent: an empty middle part), 8..11 data, 12 magic,
    // 16..20 data with an unaligned magic at 17 (kept), 21 bytes in all.
    byte[] payload = concat(M, M, bytes(9, 9, 9, 9), M, bytes(7), M, bytes(8, 8, 8, 8, 8, 8, 8, 8));
    assertEquals(29, payload.length);
    byte[] expected =
        concat(
            part(1, 0),
            part(2, 0),
            part(2, 4),
            bytes(9, 9, 9, 9),
            part(3, 13),
            concat(bytes(7), M, bytes(8, 8, 8, 8, 8, 8, 8, 8)),
            new byte[3]);
    assertArrayEquals(expected, write(payload));
    assertArrayEquals(payload, readBack(expected, Integer.MAX_VALUE));
  }

  @Test
  void magicInTheLastFourBytesLeavesAnEmptyLastPart() throws IOException {
    byte[] payload = concat(bytes(1, 2, 3, 4), M);
    byte[] expected = concat(part(1, 4), bytes(1, 2, 3, 4), part(3, 0));
    assertArrayEquals(expected, write(payload));
    assertArrayEquals(payload, readBack(expected, Integer.MAX_VALUE));
  }

  @Test
  void magicOnlyAtUnalignedOffsetsIsNotSplit() throws IOException {
    byte[] payload = concat(bytes(1, 2), M, bytes(3, 4));
    assertArrayEquals(concat(part(0, 8), payload), write(payload));
  }

  @Test
  void prefixStopsAnywhereInsideAJoinedRecord() throws IOException {
    byte[] payload = concat(bytes(1, 2, 3, 4), M, M, bytes(5, 6, 7));
    byte[] file = write(payload);
    for (int limit = 0; limit <= payload.length + 2; limit++) {
      assertArrayEquals(
          Arrays.copyOf(payload, Math.min(limit, payload.length)),
          readBack(file, limit),
          "limit " + limit);
    }
  }

  @Test
  void randomPayloadsDenseWithMagicRoundTrip() throws IOException {
    java.util.Random random = new java.util.Random(5);
    for (int trial = 0; trial < 200; trial++) {
      byte[] payload = new byte[random.nextInt(40)];
      for (int i = 0; i < payload.length; i++) {
        // Mostly magic bytes, so magics land at every alignment and next to each other.
        payload[i] = random.nextInt(3) > 0 ? M[i % 4] : (byte) random.nextInt(256);
      }
      assertArrayEquals(payload, readBack(write(payload), Integer.MAX_VALUE), "trial " + trial);
    }
  }
}
