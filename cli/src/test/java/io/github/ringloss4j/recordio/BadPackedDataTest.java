package io.github.ringloss4j.recordio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.ringloss4j.data.ImageSpec;
import io.github.ringloss4j.data.PackedSource;
import io.github.ringloss4j.io.DataFormatException;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Damaged packed data: every problem is a {@link DataFormatException} naming the file and the
 * record (key and byte offset) or the line, found when opening if it is cheap to find, else when
 * the record is read; none costs an {@link OutOfMemoryError} or a hang.
 */
class BadPackedDataTest {

  @TempDir Path tmp;

  static byte[] png(int rgb) throws IOException {
    BufferedImage image = new BufferedImage(4, 4, BufferedImage.TYPE_INT_RGB);
    image.setRGB(1, 1, rgb);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(image, "png", out);
    return out.toByteArray();
  }

  /** A valid set: classes a, b, c; images of labels 0, 1, 1, 2 (keys 1-4); keys 0, 5-7 info. */
  Path valid() throws IOException {
    Path dir = tmp.resolve("set");
    int[] labels = {0, 1, 1, 2};
    PackedDatasetWriter.write(
        dir,
        List.of("a", "b", "c"),
        4,
        4,
        sink -> {
          for (int i = 0; i < labels.length; i++) {
            sink.add(labels[i], png(0x102030 * (i + 1)));
          }
        });
    return dir;
  }

  /** A set of the given payloads at keys 0, 1, … (every key an image), with a property file. */
  Path plain(int classes, byte[]... payloads) throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("plain"));
    ByteArrayOutputStream rec = new ByteArrayOutputStream();
    StringBuilder idx = new StringBuilder();
    for (int key = 0; key < payloads.length; key++) {
      idx.append(key).append('\t').append(rec.size()).append('\n');
      RecordIo.write(rec, payloads[key]);
    }
    Files.write(dir.resolve("train.rec"), rec.toByteArray());
    Files.writeString(dir.resolve("train.idx"), idx);
    Files.writeString(dir.resolve("property"), classes + ",4,4\n");
    return dir;
  }

  static long offsetOf(Path dir, long key) throws IOException {
    for (String line : Files.readAllLines(dir.resolve("train.idx"))) {
      String[] f = line.split("\t");
      if (Long.parseLong(f[0]) == key) {
        return Long.parseLong(f[1]);
      }
    }
    throw new AssertionError("no key " + key);
  }

  static void overwrite(Path file, long position, int littleEndianInt) throws IOException {
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.seek(position);
      f.write(
          ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(littleEndianInt).array());
    }
  }

  static DataFormatException failsToOpen(Path dir) {
    return assertThrows(DataFormatException.class, () -> RecordFile.open(dir).close());
  }

  static void assertMessage(DataFormatException e, String start, String... contains) {
    assertTrue(e.getMessage().startsWith(start), e.getMessage());
    for (String part : contains) {
      assertTrue(e.getMessage().contains(part), e.getMessage());
    }
  }

  @Test
  void truncatedInsideTheLastRecordIsFoundWhenOpening() throws IOException {
    Path dir = valid();
    Path rec = dir.resolve("train.rec");
    long size = Files.size(rec);
    try (RandomAccessFile f = new RandomAccessFile(rec.toFile(), "rw")) {
      f.setLength(size - 10);
    }
    // The last record is class c's range record, key 7, 40 bytes long.
    long last = offsetOf(dir, 7);
    assertEquals(size - 40, last);
    assertMessage(
        failsToOpen(dir),
        rec + " at byte " + last + ": record key 7: a part of 32 bytes",
        "the file is truncated");
  }

  @Test
  void truncatedBeforeIndexedRecordsIsFoundWhenOpening() throws IOException {
    Path dir = valid();
    long keep = offsetOf(dir, 3);
    try (RandomAccessFile f = new RandomAccessFile(dir.resolve("train.rec").toFile(), "rw")) {
      f.setLength(keep);
    }
    // Line 3 is key 3, the first entry whose record is gone.
    assertMessage(
        failsToOpen(dir),
        dir.resolve("train.idx") + ":3: offset " + keep + " is past the end of the .rec file");
  }

  @Test
  void indexEntryPastTheEndNamesTheLine() throws IOException {
    Path dir = valid();
    List<String> lines = new ArrayList<>(Files.readAllLines(dir.resolve("train.idx")));
    lines.set(1, "2\t1000000");
    Files.write(dir.resolve("train.idx"), lines);
    assertMessage(
        failsToOpen(dir),
        dir.resolve("train.idx") + ":2: offset 1000000 is past the end of the .rec file");
  }

  @Test
  void recordLengthBeyondTheFileIsReportedWhenReadWithoutAllocatingIt() throws IOException {
    Path dir = valid();
    long offset = offsetOf(dir, 2);
    overwrite(dir.resolve("train.rec"), offset + 4, (1 << 29) - 1);
    try (RecordFile file = RecordFile.open(dir)) {
      DataFormatException e = assertThrows(DataFormatException.class, () -> file.read(1));
      assertMessage(
          e,
          dir.resolve("train.rec")
              + " at byte "
              + offset
              + ": record key 2: a part of 536870911"
              + " bytes needs the file to reach byte",
          "truncated or the length field is corrupt");
      assertThrows(DataFormatException.class, file::labels);
      assertEquals(1, file.read(2).label());
    }
  }

  @Test
  void wrongMagicInsideIsReportedWhenRead() throws IOException {
    Path dir = valid();
    long offset = offsetOf(dir, 3);
    overwrite(dir.resolve("train.rec"), offset, 0x12345678);
    try (RecordFile file = RecordFile.open(dir)) {
      assertMessage(
          assertThrows(DataFormatException.class, () -> file.read(2)),
          dir.resolve("train.rec")
              + " at byte "
              + offset
              + ": record key 3: bad magic 0x12345678,"
              + " expected 0xced7230a");
    }
  }

  @Test
  void wrongMagicOfTheFirstRecordIsFoundWhenOpening() throws IOException {
    Path dir = valid();
    overwrite(dir.resolve("train.rec"), 0, 0);
    assertMessage(
        failsToOpen(dir), dir.resolve("train.rec") + " at byte 0: record key 1: bad magic");
  }

  @Test
  void anIndexOffsetIntoTheMiddleOfASplitRecordIsCaught() throws IOException {
    byte[] payload = IrHeader.pack(0, 0, RecordIoTest.concat(RecordIoTest.M, new byte[8]));
    Path dir = plain(1, payload, IrHeader.pack(0, 1, new byte[4]));
    // The payload's magic at offset 24 splits it: parts at bytes 0 (24 bytes) and 32.
    Files.writeString(dir.resolve("train.idx"), "0\t32\n1\t48\n");
    assertMessage(
        failsToOpen(dir),
        dir.resolve("train.rec")
            + " at byte 32: record key 0: continuation flag 3 where a record"
            + " starts");
  }

  @Test
  void labelOutsideTheClassCountNamesTheRecord() throws IOException {
    Path dir = valid();
    Files.writeString(dir.resolve("property"), "2,4,4\n");
    Files.writeString(dir.resolve("classes.txt"), "a\nb\n");
    try (RecordFile file = RecordFile.open(dir)) {
      long offset = offsetOf(dir, 4);
      assertMessage(
          assertThrows(DataFormatException.class, () -> file.read(3)),
          dir.resolve("train.rec")
              + " at byte "
              + offset
              + ": record key 4: label 2.0 is not a"
              + " class: labels are whole numbers in [0, 2)");
      assertThrows(DataFormatException.class, () -> PackedSource.of(file, new ImageSpec(4, 4, 3)));
    }
  }

  @Test
  void fractionalLabelIsRejected() throws IOException {
    Path dir = plain(3, IrHeader.pack(1.5f, 0, png(0)));
    try (RecordFile file = RecordFile.open(dir)) {
      assertMessage(
          assertThrows(DataFormatException.class, () -> file.read(0)),
          dir.resolve("train.rec") + " at byte 0: record key 0: label 1.5 is not a class");
    }
  }

  @Test
  void payloadThatIsNotAnImageIsReportedWhenDecoded() throws IOException {
    Path dir = plain(1, IrHeader.pack(0, 0, png(0)), IrHeader.pack(0, 1, new byte[] {1, 2, 3}));
    try (RecordFile file = RecordFile.open(dir)) {
      PackedSource source = PackedSource.of(file, new ImageSpec(4, 4, 3));
      source.load(0);
      long offset = offsetOf(dir, 1);
      assertMessage(
          assertThrows(DataFormatException.class, () -> source.load(1)),
          dir.resolve("train.rec")
              + " at byte "
              + offset
              + ": record key 1: the image does not"
              + " decode: not an image");
      assertThrows(
          DataFormatException.class,
          () -> source.read(1, new float[48], 0, new java.util.Random(1)));
    }
  }

  @Test
  void payloadShorterThanTheHeaderOrItsLabels() throws IOException {
    byte[] manyLabels = IrHeader.pack(0, 2, new byte[8]);
    manyLabels[0] = (byte) 200; // flag 200: 800 bytes of labels announced
    Path dir = plain(1, IrHeader.pack(0, 0, png(0)), new byte[10], manyLabels);
    try (RecordFile file = RecordFile.open(dir)) {
      assertMessage(
          assertThrows(DataFormatException.class, () -> file.read(1)),
          dir.resolve("train.rec")
              + " at byte "
              + offsetOf(dir, 1)
              + ": record key 1: the"
              + " payload has 10 bytes, fewer than the 24");
      assertMessage(
          assertThrows(DataFormatException.class, () -> file.read(2)),
          dir.resolve("train.rec")
              + " at byte "
              + offsetOf(dir, 2)
              + ": record key 2: IRHeader"
              + " flag 200 announces");
    }
  }

  @Test
  void headerRecordAnnouncingUnindexedImagesIsCaught() throws IOException {
    Path dir = valid();
    List<String> lines = new ArrayList<>(Files.readAllLines(dir.resolve("train.idx")));
    lines.remove(2); // key 3
    Files.write(dir.resolve("train.idx"), lines);
    assertMessage(
        failsToOpen(dir),
        dir.resolve("train.rec")
            + " at byte "
            + offsetOf(dir, 0)
            + ": record key 0: the header"
            + " record says the images are keys 1 to 4, but key 3 is not in");
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "10572,112|1|expected num_classes,height,width (3 comma-separated integers), found 2",
        "a,112,112|1|num_classes 'a' is not a positive integer",
        "3,0,112|1|height '0' is not a positive integer",
        "3,112,112\\n3,112,112|2|a second line",
      })
  void malformedPropertyNamesTheLine(String content, int line, String problem) throws IOException {
    Path dir = valid();
    Files.writeString(dir.resolve("property"), content.replace("\\n", "\n"));
    assertMessage(failsToOpen(dir), dir.resolve("property") + ":" + line + ": " + problem);
  }

  @Test
  void emptyOrMissingProperty() throws IOException {
    Path dir = valid();
    Files.writeString(dir.resolve("property"), "\n");
    assertMessage(failsToOpen(dir), dir.resolve("property") + ": is empty");
    Files.delete(dir.resolve("property"));
    assertThrows(NoSuchFileException.class, () -> RecordFile.open(dir));
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "1 0|1|expected key<TAB>offset, found 1 tab-separated fields",
        "1\\t0\\t5|1|expected key<TAB>offset, found 3 tab-separated fields",
        "x\\t0|1|key 'x' is not an integer",
        "-1\\t0|1|key '-1' is not an integer",
        "1\\t-4|1|offset '-4' is not a non-negative integer",
        "1\\t0\\n2\\t6|2|offset 6 is not a multiple of 4",
        "1\\t0\\n\\n2\\t0|2|expected key<TAB>offset, found a blank line",
        "5\\t0\\n1\\t0\\n5\\t0|3|key 5 is listed again (first on line 1)",
      })
  void malformedIndexNamesTheLine(String content, int line, String problem) throws IOException {
    Path dir = valid();
    Files.writeString(dir.resolve("train.idx"), content.replace("\\t", "\t").replace("\\n", "\n"));
    assertMessage(failsToOpen(dir), dir.resolve("train.idx") + ":" + line + ": " + problem);
  }

  @Test
  void emptyIndex() throws IOException {
    Path dir = valid();
    Files.writeString(dir.resolve("train.idx"), "");
    assertMessage(failsToOpen(dir), dir.resolve("train.idx") + ": has no entries");
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "a\\nb\\n|: has 2 class names, but the property file says 3 classes",
        "a\\nb/../c\\nd\\n|:2: class name 'b/../c' contains '/'",
        "a\\nc\\nb\\n|:3: 'b' does not sort after 'c'",
        "a\\n.b\\nc\\n|:2: class name '.b' starts with '.'",
      })
  void malformedClassNames(String content, String problem) throws IOException {
    Path dir = valid();
    Files.writeString(dir.resolve("classes.txt"), content.replace("\\n", "\n"));
    assertMessage(failsToOpen(dir), dir.resolve("classes.txt") + problem);
  }
}
