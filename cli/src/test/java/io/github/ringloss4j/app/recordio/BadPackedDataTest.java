package io.github.ringloss4j.app.recordio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.ringloss4j.app.data.ImageSpec;
import io.github.ringloss4j.app.data.PackedSource;
import io.github.ringloss4j.app.io.DataFormatException;
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
        dir.resolve("train.idx")
            + ":3: offset "
            + keep
            + " is past the end of "
            + dir.resolve("train.rec"));
  }

  @Test
  void indexEntryPastTheEndNamesTheLine() throws IOException {
    Path dir = valid();
    List<String> lines = new ArrayList<>(Files.readAllLines(dir.resolve("train.idx")));
    lines.set(1, "2\t1000000");
    Files.write(dir.resolve("train.idx"), lines);
    assertMessage(
        failsToOpen(dir),
        dir.resolve("train.idx")
            + ":2: offset 1000000 is past the end of "
            + dir.resolve("train.rec"));
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
    Path dir =
        plain(
            2,
            IrHeader.pack(0, 0, png(0)),
            IrHeader.pack(1, 1, png(1)),
            IrHeader.pack(2, 2, png(2)));
    try (RecordFile file = RecordFile.open(dir)) {
      long offset = offsetOf(dir, 2);
      assertMessage(
          assertThrows(DataFormatException.class, () -> file.read(2)),
          dir.resolve("train.rec")
              + " at byte "
              + offset
              + ": record key 2: label 2.0 is not a"
              + " class: labels are whole numbers in [0, 2)");
      assertThrows(DataFormatException.class, () -> PackedSource.of(file, new ImageSpec(4, 4, 3)));
    }
  }

  @Test
  void fractionalLabelIsRejected() throws IOException {
    Path dir = plain(1, IrHeader.pack(1.5f, 0, png(0)));
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

  static void overwriteFloat(Path file, long position, float value) throws IOException {
    overwrite(file, position, Float.floatToIntBits(value));
  }

  /** Where label[i] of the header record (key 0) is in the .rec file. */
  static long headerLabel(Path dir, int i) throws IOException {
    return offsetOf(dir, 0) + RecordIo.PART_HEADER_BYTES + IrHeader.SIZE + 4L * i;
  }

  @Test
  void aHugeIndexWithoutLineBreaksIsRefusedAtItsFirstLineWithoutReadingIt() throws IOException {
    Path dir = valid();
    // 3 GB of zeros, sparse: a reader that reads a line whole runs out of memory.
    Files.write(dir.resolve("train.idx"), new byte[0]);
    try (RandomAccessFile f = new RandomAccessFile(dir.resolve("train.idx").toFile(), "rw")) {
      f.setLength(3L << 30);
    }
    assertMessage(
        failsToOpen(dir),
        dir.resolve("train.idx") + ":1: line longer than " + RecordIndex.MAX_LINE + " bytes");
  }

  @Test
  void anIndexWithMoreEntriesThanTheRecFileHasRoomForIsRefused() throws IOException {
    Path dir = plain(1, IrHeader.pack(0, 0, png(0)));
    long size = Files.size(dir.resolve("train.rec"));
    StringBuilder idx = new StringBuilder();
    for (int key = 0; key <= size / 8; key++) {
      idx.append(key).append('\t').append(0).append('\n');
    }
    Files.writeString(dir.resolve("train.idx"), idx);
    assertMessage(
        failsToOpen(dir),
        dir.resolve("train.idx")
            + ":"
            + (size / 8 + 1)
            + ": more entries than "
            + dir.resolve("train.rec"));
  }

  @Test
  void twoKeysAtOneOffsetAreRefused() throws IOException {
    Path dir = plain(2, IrHeader.pack(0, 0, png(0)), IrHeader.pack(1, 1, png(1)));
    Files.writeString(dir.resolve("train.idx"), "0\t0\n1\t0\n");
    assertMessage(failsToOpen(dir), dir.resolve("train.idx") + ": keys 0 and 1 both give offset 0");
  }

  @Test
  void aClassNameLongerThanAFolderNameIsRefusedByLine() throws IOException {
    Path dir = valid();
    Files.writeString(dir.resolve("classes.txt"), "a\n" + "b".repeat(300) + "\nc\n");
    assertMessage(failsToOpen(dir), dir.resolve("classes.txt") + ":2: line longer than 255 bytes");
  }

  @ParameterizedTest
  @CsvSource({"2000000000", "20000000", "4"})
  void aPropertyClassCountThatTheHeaderRecordDoesNotBackIsRefused(int classes) throws IOException {
    Path dir = valid();
    Files.writeString(dir.resolve("property"), classes + ",4,4\n");
    Files.delete(dir.resolve("classes.txt"));
    assertMessage(
        failsToOpen(dir),
        dir.resolve("property") + ": num_classes is " + classes,
        "announces 3 class records");
  }

  @Test
  void aPropertyClassCountThatTheLabelsDoNotBackIsRefused() throws IOException {
    byte[][] images = {
      IrHeader.pack(0, 0, png(0)), IrHeader.pack(1, 1, png(1)), IrHeader.pack(1, 2, png(2))
    };
    // More classes than images: refused when opening, before any name or label is read.
    assertMessage(
        failsToOpen(plain(2_000_000_000, images)),
        tmp.resolve("plain/property") + ": num_classes is 2000000000",
        "lists only 3 images");
    // As many classes as images, but the labels stop at 1.
    Path dir = plain(3, images);
    try (RecordFile file = RecordFile.open(dir)) {
      assertEquals(3, file.classNames().size());
      assertMessage(
          assertThrows(DataFormatException.class, file::labels),
          dir.resolve("property") + ": num_classes is 3, but the labels of the 3 images",
          "go up to 1 (2 classes)");
    }
  }

  @Test
  void numberedClassNamesCostNothingHoweverMany() {
    List<String> names = ClassNames.numbered(Integer.MAX_VALUE);
    assertEquals(Integer.MAX_VALUE, names.size());
    assertEquals("2147483646", names.get(Integer.MAX_VALUE - 1));
    assertEquals("0000000007", names.get(7));
  }

  @Test
  void aHeaderRecordThatUndercountsTheImagesIsRefused() throws IOException {
    Path dir = valid();
    // Images are keys 1-4: the header now says 1-2, leaving keys 3 and 4 out.
    overwriteFloat(dir.resolve("train.rec"), headerLabel(dir, 0), 3f);
    assertMessage(
        failsToOpen(dir),
        dir.resolve("train.rec") + " at byte " + offsetOf(dir, 0) + ": record key 0:",
        "record key 3 holds an image too: the header undercounts the images");
  }

  @Test
  void aHeaderRecordThatOvercountsTheImagesIsRefused() throws IOException {
    Path dir = valid();
    overwriteFloat(dir.resolve("train.rec"), headerLabel(dir, 0), 6f);
    assertMessage(
        failsToOpen(dir),
        dir.resolve("train.rec") + " at byte " + offsetOf(dir, 0) + ": record key 0:",
        "record key 5 holds no image");
  }

  @Test
  void aHeaderRecordWithMoreKeysInTheIndexIsRefused() throws IOException {
    Path dir = valid();
    overwriteFloat(dir.resolve("train.rec"), headerLabel(dir, 1), 7f);
    assertMessage(
        failsToOpen(dir),
        dir.resolve("train.rec") + " at byte " + offsetOf(dir, 0) + ": record key 0:",
        "says the data set has keys 0 to 6",
        "lists 8 keys up to 7");
  }

  @ParameterizedTest
  @CsvSource({"0, 4.5", "1, 8.25"})
  void aFractionalHeaderValueIsRefusedNotTruncated(int which, float value) throws IOException {
    Path dir = valid();
    overwriteFloat(dir.resolve("train.rec"), headerLabel(dir, which), value);
    assertMessage(
        failsToOpen(dir),
        dir.resolve("train.rec") + " at byte " + offsetOf(dir, 0) + ": record key 0:",
        "label[" + which + "] = " + value,
        "must be a whole number");
  }

  @Test
  void aShortenedRecordLengthIsRefusedWhenTheRecordIsRead() throws IOException {
    Path dir = valid();
    long offset = offsetOf(dir, 2);
    Path rec = dir.resolve("train.rec");
    int length;
    try (RandomAccessFile f = new RandomAccessFile(rec.toFile(), "r")) {
      f.seek(offset + 4);
      length = Integer.reverseBytes(f.readInt());
    }
    overwrite(rec, offset + 4, length - 8);
    try (RecordFile file = RecordFile.open(dir)) {
      assertMessage(
          assertThrows(DataFormatException.class, () -> file.read(1)),
          rec + " at byte " + offset + ": record key 2: the record's parts end at byte",
          "but the next record in the index starts at byte " + offsetOf(dir, 3));
      assertEquals(2, file.read(2).label() + 1);
    }
  }

  @Test
  void bytesAfterTheLastRecordAreRefusedWhenOpening() throws IOException {
    Path dir = valid();
    Path rec = dir.resolve("train.rec");
    long size = Files.size(rec);
    Files.write(rec, new byte[8], java.nio.file.StandardOpenOption.APPEND);
    assertMessage(
        failsToOpen(dir),
        rec
            + " at byte "
            + offsetOf(dir, 7)
            + ": record key 7: the record's parts end at byte "
            + size,
        "but the file ends at byte " + (size + 8));
  }
}
