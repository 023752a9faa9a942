package io.github.ringloss4j.app.recordio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.ringloss4j.app.data.ImageFolder;
import io.github.ringloss4j.app.data.ImageSpec;
import io.github.ringloss4j.app.data.PackedSource;
import io.github.ringloss4j.app.data.Packing;
import io.github.ringloss4j.app.io.DataFormatException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Image folder → packed set → image folder, byte for byte, and training reads of both. */
class PackingTest {

  @TempDir Path tmp;

  /**
   * A folder of 3 identities: synthetic JPEGs plus, in the second identity, a PNG whose tEXt chunk
   * puts the RecordIO magic at a 4-byte aligned payload offset, so its record must be split.
   */
  Path folder() throws IOException {
    Path folder = tmp.resolve("faces");
    SyntheticFaces faces = new SyntheticFaces(3, 2, 11);
    faces.writeFolder(folder, ImageFormat.JPEG);
    Files.write(folder.resolve("id1/2.png"), pngWithMagic(faces));
    return folder;
  }

  /** A PNG with a tEXt chunk after IHDR that holds the magic at payload offset 76. */
  static byte[] pngWithMagic(SyntheticFaces faces) throws IOException {
    ByteArrayOutputStream png = new ByteArrayOutputStream();
    ImageIO.write(faces.image(2, 0), "png", png);
    byte[] plain = png.toByteArray();
    // The payload is the 24-byte IRHeader, then the PNG: signature 8 + IHDR 25 bytes, then the
    // tEXt chunk's 8-byte header; its data starts at payload offset 65.
    byte[] keyword = "Comment\0".getBytes(StandardCharsets.ISO_8859_1);
    ByteArrayOutputStream data = new ByteArrayOutputStream();
    data.writeBytes(keyword);
    data.writeBytes("---".getBytes(StandardCharsets.ISO_8859_1)); // 65 + 8 + 3 = 76
    data.writeBytes(RecordIoTest.M);
    data.writeBytes("text".getBytes(StandardCharsets.ISO_8859_1));
    byte[] text = data.toByteArray();
    byte[] type = "tEXt".getBytes(StandardCharsets.ISO_8859_1);
    CRC32 crc = new CRC32();
    crc.update(type);
    crc.update(text);
    ByteBuffer chunk = ByteBuffer.allocate(12 + text.length).order(ByteOrder.BIG_ENDIAN);
    chunk.putInt(text.length).put(type).put(text).putInt((int) crc.getValue());
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(plain, 0, 33);
    out.writeBytes(chunk.array());
    out.write(plain, 33, plain.length - 33);
    return out.toByteArray();
  }

  @Test
  void packThenUnpackGivesTheFolderBackByteForByte() throws IOException {
    Path folder = folder();
    Path packed = tmp.resolve("packed");
    PackedDatasetWriter.Summary summary = Packing.pack(folder, packed, false);
    assertEquals(
        new PackedDatasetWriter.Summary(7, 3, Files.size(packed.resolve("train.rec"))), summary);
    assertEquals("3,112,112\n", Files.readString(packed.resolve("property")));
    assertEquals("id0\nid1\nid2\n", Files.readString(packed.resolve("classes.txt")));

    Path unpacked = tmp.resolve("unpacked");
    assertEquals(new Packing.Unpacked(7, 3, 0), Packing.unpack(packed, unpacked));
    ImageFolder before = ImageFolder.scan(folder);
    ImageFolder after = ImageFolder.scan(unpacked);
    assertEquals(before.classNames(), after.classNames());
    assertEquals(before.entries().size(), after.entries().size());
    for (int i = 0; i < before.entries().size(); i++) {
      ImageFolder.Entry a = before.entries().get(i);
      ImageFolder.Entry b = after.entries().get(i);
      assertEquals(a.label(), b.label());
      assertArrayEquals(Files.readAllBytes(a.path()), Files.readAllBytes(b.path()), "" + a);
    }
    // Keys 1..7 in folder order; the crafted PNG is the third image of id1, key 5.
    assertEquals(
        List.of("1.jpg", "2.jpg"),
        Files.list(unpacked.resolve("id0")).map(p -> p.getFileName().toString()).sorted().toList());
    assertTrue(Files.exists(unpacked.resolve("id1/5.png")));
  }

  @Test
  void theImageHoldingTheMagicIsStoredAsASplitRecord() throws IOException {
    Path packed = tmp.resolve("packed");
    Packing.pack(folder(), packed, false);
    byte[] rec = Files.readAllBytes(packed.resolve("train.rec"));
    String line = Files.readAllLines(packed.resolve("train.idx")).get(4);
    assertTrue(line.startsWith("5\t"), line);
    int offset = Integer.parseInt(line.substring(2));
    int lrecord = ByteBuffer.wrap(rec, offset + 4, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
    assertEquals(RecordIo.FIRST, lrecord >>> 29);
    assertEquals(76, lrecord & ((1 << 29) - 1));
    try (RecordFile file = RecordFile.open(packed)) {
      assertArrayEquals(Files.readAllBytes(tmp.resolve("faces/id1/2.png")), file.read(4).image());
    }
  }

  @Test
  void writesInsightFacesHeaderAndIdentityRecords() throws IOException {
    Path packed = tmp.resolve("packed");
    Packing.pack(folder(), packed, false);
    Map<Long, Long> offsets = new LinkedHashMap<>();
    for (String line : Files.readAllLines(packed.resolve("train.idx"))) {
      String[] f = line.split("\t");
      offsets.put(Long.parseLong(f[0]), Long.parseLong(f[1]));
    }
    // face2rec2's order: images 1..7, the header 0, the identities 8..10.
    assertEquals(
        List.of(1L, 2L, 3L, 4L, 5L, 6L, 7L, 0L, 8L, 9L, 10L), List.copyOf(offsets.keySet()));
    long[] keys = {0, 8, 9, 10};
    float[][] ranges = {{8, 11}, {1, 3}, {3, 6}, {6, 8}};
    Path rec = packed.resolve("train.rec");
    try (FileChannel ch = FileChannel.open(rec)) {
      for (int r = 0; r < keys.length; r++) {
        RecordLocation at = new RecordLocation(rec, keys[r], offsets.get(keys[r]));
        ByteBuffer b = ByteBuffer.wrap(RecordIo.read(ch, ch.size(), at));
        b.order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(32, b.capacity(), "header, two labels, no image");
        assertEquals(2, b.getInt(0), "flag of key " + keys[r]);
        assertEquals(keys[r], b.getLong(8), "id");
        assertEquals(ranges[r][0], b.getFloat(24));
        assertEquals(ranges[r][1], b.getFloat(28));
      }
    }
    try (RecordFile file = RecordFile.open(packed)) {
      assertTrue(file.hasHeaderRecord());
      assertArrayEquals(new int[] {0, 0, 1, 1, 1, 2, 2}, file.labels());
    }
  }

  @Test
  void packedSourceReadsWhatTheImageFolderReads() throws IOException {
    Path folder = folder();
    Path packed = tmp.resolve("packed");
    Packing.pack(folder, packed, false);
    ImageFolder images = ImageFolder.scan(folder);
    for (ImageSpec spec : List.of(new ImageSpec(64, 64, 3), new ImageSpec(40, 56, 1))) {
      try (RecordFile file = RecordFile.open(packed)) {
        PackedSource source = PackedSource.of(file, spec);
        assertEquals(images.classNames(), source.classNames());
        for (int i = 0; i < source.size(); i++) {
          ImageFolder.Entry entry = images.entries().get(i);
          assertEquals(entry.label(), source.label(i));
          assertArrayEquals(images.load(entry, spec), source.load(i), "load " + entry);
          // Records are decoded from their bytes by the folder's own code: equal, not close.
          assertArrayEquals(
              images.loadAugmented(entry, spec, new Random(i)),
              source.loadAugmented(i, new Random(i)),
              "augmented " + entry);
          float[] batch = new float[spec.size() + 3];
          source.read(i, batch, 3, null);
          assertArrayEquals(
              images.load(entry, spec), java.util.Arrays.copyOfRange(batch, 3, batch.length));
          source.read(i, batch, 3, new Random(i));
          assertArrayEquals(
              images.loadAugmented(entry, spec, new Random(i)),
              java.util.Arrays.copyOfRange(batch, 3, batch.length));
        }
      }
    }
  }

  @Test
  void packRejectsImagesOfAnotherSizeNamingTheFile() throws IOException {
    Path folder = folder();
    Path odd = folder.resolve("id2/9.png");
    ImageIO.write(new java.awt.image.BufferedImage(50, 40, 1), "png", odd.toFile());
    DataFormatException e =
        assertThrows(
            DataFormatException.class, () -> Packing.pack(folder, tmp.resolve("p"), false));
    assertTrue(e.getMessage().startsWith(odd + ": is 50×40 pixels"), e.getMessage());
    assertTrue(Files.notExists(tmp.resolve("p/train.rec")));
  }

  @Test
  void packRejectsFilesThatAreNotJpegOrPng() throws IOException {
    Path folder = folder();
    Path text = Files.writeString(folder.resolve("id0/notes.jpg"), "not an image");
    DataFormatException e =
        assertThrows(
            DataFormatException.class, () -> Packing.pack(folder, tmp.resolve("p"), false));
    // The training pre-check refuses it first, naming it in its list.
    assertTrue(
        e.getMessage().startsWith(folder + ": 1 of 8 images cannot be read"), e.getMessage());
    assertTrue(e.getMessage().contains(text + ": not an image"), e.getMessage());
  }

  @Test
  void packRefusesToWriteInsideTheFolder() throws IOException {
    Path folder = folder();
    assertThrows(
        IllegalArgumentException.class,
        () -> Packing.pack(folder, folder.resolve("packed"), false));
  }

  @Test
  void unpackNeedsANewOrEmptyFolderAndLeavesNothingOnFailure() throws IOException {
    Path packed = tmp.resolve("packed");
    Packing.pack(folder(), packed, false);
    Path taken = Files.createDirectories(tmp.resolve("taken"));
    Files.writeString(taken.resolve("x.txt"), "x");
    assertThrows(FileAlreadyExistsException.class, () -> Packing.unpack(packed, taken));
    Path empty = Files.createDirectories(tmp.resolve("empty"));
    assertEquals(7, Packing.unpack(packed, empty).images());
    assertEquals(3, Files.list(empty).count());
    // A record whose image is not JPEG/PNG: no output folder, no temporary folder left.
    Path junk = tmp.resolve("junk");
    PackedDatasetWriter.write(junk, List.of("a"), 2, 2, sink -> sink.add(0, new byte[] {1, 2}));
    DataFormatException e =
        assertThrows(DataFormatException.class, () -> Packing.unpack(junk, tmp.resolve("out")));
    assertTrue(e.getMessage().contains("record key 1: not an image"), e.getMessage());
    assertTrue(Files.notExists(tmp.resolve("out")));
    assertEquals(
        List.of(),
        Files.list(tmp).filter(p -> p.getFileName().toString().startsWith(".out")).toList());
  }
}
