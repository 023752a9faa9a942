package io.github.ringloss4j.app.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.ringloss4j.app.io.DataFormatException;
import io.github.ringloss4j.app.recordio.IrHeader;
import io.github.ringloss4j.app.recordio.RecordFile;
import io.github.ringloss4j.app.recordio.RecordIo;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The header check that finds unreadable images before training. */
class ImageHeadersTest {

  @TempDir Path root;

  private Path png(Path file) throws IOException {
    Files.createDirectories(file.getParent());
    ImageIO.write(new BufferedImage(12, 10, BufferedImage.TYPE_INT_RGB), "png", file.toFile());
    return file;
  }

  private Path jpeg(Path file) throws IOException {
    Files.createDirectories(file.getParent());
    ImageIO.write(new BufferedImage(12, 10, BufferedImage.TYPE_INT_RGB), "jpg", file.toFile());
    return file;
  }

  @Test
  void eachKindOfBadFileIsNamedWithItsProblem() throws IOException {
    Path good = png(root.resolve("a/good.png"));
    Path jpg = jpeg(root.resolve("a/good.jpg"));
    Path empty = Files.write(root.resolve("a/empty.png"), new byte[0]);
    byte[] whole = Files.readAllBytes(good);
    Path header = Files.write(root.resolve("a/header.png"), Arrays.copyOf(whole, 20));
    Path cut = Files.write(root.resolve("a/cut.png"), Arrays.copyOf(whole, whole.length - 5));
    Path text = Files.writeString(root.resolve("a/text.jpg"), "not an image at all\n");
    assertNull(ImageHeaders.problem(good));
    assertNull(ImageHeaders.problem(jpg));
    assertEquals("empty file (0 bytes)", ImageHeaders.problem(empty));
    assertTrue(ImageHeaders.problem(header).startsWith("damaged PNG header"), "header");
    assertTrue(ImageHeaders.problem(cut).contains("IEND"), ImageHeaders.problem(cut));
    assertTrue(ImageHeaders.problem(text).startsWith("not an image"), ImageHeaders.problem(text));
  }

  @Test
  void everyBadFileIsListedOnceUpToALimitOrSkipped() throws IOException {
    for (int i = 0; i < 3; i++) {
      png(root.resolve("a/" + i + ".png"));
      png(root.resolve("b/" + i + ".png"));
    }
    ImageFolder clean = ImageFolder.scan(root);
    assertSame(clean, ImageHeaders.checked(clean, false), "a clean folder passes as it is");
    for (int i = 0; i < ImageHeaders.LISTED + 5; i++) {
      Files.write(root.resolve("b/bad" + i + ".png"), new byte[0]);
    }
    ImageFolder folder = ImageFolder.scan(root);
    DataFormatException e =
        assertThrows(DataFormatException.class, () -> ImageHeaders.checked(folder, false));
    assertTrue(e.getMessage().startsWith(root.toString()), e.getMessage());
    assertTrue(e.getMessage().contains("25 of 31 images cannot be read"), e.getMessage());
    assertTrue(e.getMessage().contains("bad0.png: empty file"), e.getMessage());
    assertTrue(e.getMessage().contains("and 5 more"), e.getMessage());
    assertTrue(e.getMessage().contains("--skip-bad-images"), e.getMessage());

    ImageFolder kept = ImageHeaders.checked(folder, true);
    assertEquals(6, kept.entries().size());
    assertEquals(List.of("a", "b"), kept.classNames());

    // A class whose every image is bad cannot be trained, skipped or not.
    for (int i = 0; i < 3; i++) {
      Files.write(root.resolve("a/" + i + ".png"), new byte[0]);
    }
    DataFormatException emptied =
        assertThrows(
            DataFormatException.class, () -> ImageHeaders.checked(ImageFolder.scan(root), true));
    assertTrue(
        emptied.getMessage().contains("'a' has no readable image left"), emptied.getMessage());
  }

  /** A 12×10 JPEG of noise, whose compressed data are long enough to be cut inside. */
  private Path noisyJpeg(Path file) throws IOException {
    Files.createDirectories(file.getParent());
    BufferedImage image = new BufferedImage(12, 10, BufferedImage.TYPE_INT_RGB);
    java.util.Random random = new java.util.Random(1);
    for (int y = 0; y < 10; y++) {
      for (int x = 0; x < 12; x++) {
        image.setRGB(x, y, random.nextInt());
      }
    }
    ImageIO.write(image, "jpg", file.toFile());
    return file;
  }

  @Test
  void aTruncatedJpegIsFoundByItsMissingEndMarker() throws IOException {
    Path jpg = noisyJpeg(root.resolve("a/good.jpg"));
    byte[] whole = Files.readAllBytes(jpg);
    Path cut = Files.write(root.resolve("a/cut.jpg"), Arrays.copyOf(whole, whole.length - 30));
    Path padded = Files.write(root.resolve("a/padded.jpg"), Arrays.copyOf(whole, whole.length + 8));
    assertTrue(ImageHeaders.problem(cut).contains("FF D9"), ImageHeaders.problem(cut));
    assertTrue(ImageHeaders.problem(Files.readAllBytes(cut)).contains("FF D9"));
    assertNull(ImageHeaders.problem(padded), "a little padding after the marker is accepted");
    // Decoding applies the same rule, so the pre-check and training agree.
    assertThrows(
        DataFormatException.class, () -> ImageFolder.loadImage(cut, new ImageSpec(10, 12, 3)));
  }

  /** A packed set (no header record) of the given images, labels 0, 1, 0, 1, … */
  private Path packed(List<byte[]> images) throws IOException {
    Path dir = Files.createDirectories(root.resolve("packed"));
    java.io.ByteArrayOutputStream rec = new java.io.ByteArrayOutputStream();
    StringBuilder idx = new StringBuilder();
    for (int key = 0; key < images.size(); key++) {
      idx.append(key).append('\t').append(rec.size()).append('\n');
      RecordIo.write(rec, IrHeader.pack(key % 2, key, images.get(key)));
    }
    Files.write(dir.resolve("train.rec"), rec.toByteArray());
    Files.writeString(dir.resolve("train.idx"), idx);
    Files.writeString(dir.resolve("property"), "2,10,12\n");
    return dir;
  }

  @Test
  void packedRecordsGetTheSamePreCheckAndSkip() throws IOException {
    byte[] good = Files.readAllBytes(noisyJpeg(root.resolve("a/good.jpg")));
    byte[] cut = Arrays.copyOf(good, good.length - 30);
    List<byte[]> images = new java.util.ArrayList<>();
    for (int key = 0; key < 30; key++) {
      images.add(key >= 4 && key < 4 + ImageHeaders.LISTED + 3 ? cut : good);
    }
    Path dir = packed(images);
    Path rec = dir.resolve("train.rec");
    ImageSpec spec = new ImageSpec(10, 12, 3);
    try (RecordFile file = RecordFile.open(dir)) {
      DataFormatException e =
          assertThrows(DataFormatException.class, () -> PackedSource.checked(file, spec, false));
      assertTrue(
          e.getMessage().startsWith(rec + ": 23 of 30 images cannot be read"), e.getMessage());
      assertTrue(e.getMessage().contains(": record key 4: the file does not end with the JPEG"));
      assertTrue(e.getMessage().contains("and 3 more"), e.getMessage());

      LabelledSource kept = PackedSource.checked(file, spec, true);
      assertEquals(7, kept.size());
      assertEquals(rec + "#27", kept.sourceOf(4));
      assertEquals(1, kept.label(4));
      kept.read(4, new float[spec.size()], 0, null);
    }
  }

  @Test
  void aPackedRecordWhoseFramingIsBrokenIsListedWithTheBadImages() throws IOException {
    byte[] good = Files.readAllBytes(png(root.resolve("a/good.png")));
    Path dir = packed(List.of(good, good, good, good));
    Path rec = dir.resolve("train.rec");
    long second = Files.size(rec) / 4;
    try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(rec.toFile(), "rw")) {
      f.seek(second + 4);
      f.writeInt(Integer.reverseBytes(good.length + IrHeader.SIZE - 4));
    }
    try (RecordFile file = RecordFile.open(dir)) {
      DataFormatException e =
          assertThrows(
              DataFormatException.class,
              () -> PackedSource.checked(file, new ImageSpec(10, 12, 3), false));
      assertTrue(e.getMessage().startsWith(rec + ": 1 of 4 images cannot be read"));
      assertTrue(
          e.getMessage()
              .contains(rec + " at byte " + second + ": record key 1: the record's parts"),
          e.getMessage());
    }
  }
}
