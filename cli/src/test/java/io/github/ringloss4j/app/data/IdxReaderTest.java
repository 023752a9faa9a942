package io.github.ringloss4j.app.data;

import static io.github.ringloss4j.app.data.IdxTestFiles.gzip;
import static io.github.ringloss4j.app.data.IdxTestFiles.idx;
import static io.github.ringloss4j.app.data.IdxTestFiles.pattern;
import static io.github.ringloss4j.app.data.IdxTestFiles.write;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.ringloss4j.app.io.DataFormatException;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxReaderTest {

  private static final int ROWS = 2;
  private static final int COLS = 4;
  private static final int COUNT = 3;

  @TempDir Path dir;

  private static byte[] imageFile(byte[] pixels) {
    return idx(IdxReader.IMAGES_MAGIC, new int[] {COUNT, ROWS, COLS}, pixels);
  }

  private static void assertPixels(byte[] expected, Images images) {
    assertEquals(COUNT, images.count());
    assertEquals(ROWS, images.rows());
    assertEquals(COLS, images.cols());
    for (int item = 0; item < COUNT; item++) {
      for (int r = 0; r < ROWS; r++) {
        for (int c = 0; c < COLS; c++) {
          int raw = expected[(item * ROWS + r) * COLS + c] & 0xFF;
          assertEquals(raw / 255f, images.pixel(item, r, c), "item " + item + " r" + r + " c" + c);
        }
      }
    }
  }

  private DataFormatException assertBad(Path file, String... fragments) {
    DataFormatException e =
        assertThrows(
            DataFormatException.class,
            () -> {
              if (file.getFileName().toString().contains("labels")) {
                IdxReader.readLabels(file);
              } else {
                IdxReader.readImages(file);
              }
            });
    assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
    for (String fragment : fragments) {
      assertTrue(e.getMessage().contains(fragment), "'" + fragment + "' in: " + e.getMessage());
    }
    return e;
  }

  @Test
  void readsPlainImagesPixelByPixel() throws IOException {
    byte[] pixels = pattern(COUNT * ROWS * COLS);
    Images images = IdxReader.readImages(write(dir.resolve("images"), imageFile(pixels)));
    assertPixels(pixels, images);
    assertEquals(0f, images.pixel(0, 0, 0));
    assertEquals(1f, images.pixel(0, 0, 1));
    float[] second = images.image(1);
    for (int i = 0; i < ROWS * COLS; i++) {
      assertEquals((pixels[ROWS * COLS + i] & 0xFF) / 255f, second[i]);
    }
  }

  @Test
  void detectsGzipByContentNotName() throws IOException {
    byte[] pixels = pattern(COUNT * ROWS * COLS);
    // Compressed content under a plain name, and plain content under a .gz name.
    Path gz = write(dir.resolve("images-no-suffix"), gzip(imageFile(pixels)));
    Path plain = write(dir.resolve("images.gz"), imageFile(pixels));
    assertPixels(pixels, IdxReader.readImages(gz));
    assertPixels(pixels, IdxReader.readImages(plain));
  }

  @Test
  void readsLabelsPlainAndGzip() throws IOException {
    byte[] labels = {0, 9, 3, 7, (byte) 200};
    byte[] file = idx(IdxReader.LABELS_MAGIC, new int[] {labels.length}, labels);
    assertArrayEquals(labels, IdxReader.readLabels(write(dir.resolve("labels"), file)));
    assertArrayEquals(labels, IdxReader.readLabels(write(dir.resolve("labels.gz"), gzip(file))));
  }

  @Test
  void acceptsZeroImages() throws IOException {
    Images images =
        IdxReader.readImages(
            write(
                dir.resolve("empty-images"),
                idx(IdxReader.IMAGES_MAGIC, new int[] {0, 28, 28}, new byte[0])));
    assertEquals(0, images.count());
    assertEquals(28, images.rows());
  }

  @Test
  void zeroLengthFile() throws IOException {
    assertBad(write(dir.resolve("images"), new byte[0]), "at byte 0", "empty file");
  }

  @Test
  void truncatedHeader() throws IOException {
    byte[] header = Arrays.copyOf(imageFile(new byte[24]), 10);
    assertBad(write(dir.resolve("images"), header), "at byte 10", "truncated header", "found 10");
    assertBad(write(dir.resolve("images.gz"), gzip(header)), "at byte 10", "decompressed");
  }

  @Test
  void truncatedPixelData() throws IOException {
    // 13 of 24 pixel bytes: item 0 (8 bytes) is complete, the data stops in item 1.
    byte[] file = Arrays.copyOf(imageFile(pattern(24)), 16 + 13);
    String[] expected = {
      "at byte 29",
      "truncated: expected 24 bytes of pixel data after the 16-byte header, found 13",
      "item 1 of 3"
    };
    assertBad(write(dir.resolve("images"), file), expected);
    assertBad(write(dir.resolve("images-gz"), gzip(file)), expected);
  }

  @Test
  void truncatedLabels() throws IOException {
    byte[] file = idx(IdxReader.LABELS_MAGIC, new int[] {5}, new byte[] {1, 2, 3});
    assertBad(write(dir.resolve("labels"), file), "at byte 11", "found 3", "item 3 of 5");
  }

  @Test
  void trailingBytes() throws IOException {
    byte[] file = Arrays.copyOf(imageFile(pattern(24)), 16 + 24 + 2);
    assertBad(write(dir.resolve("images"), file), "at byte 40", "2 trailing bytes");
    assertBad(write(dir.resolve("images-gz"), gzip(file)), "at byte 40", "2 trailing bytes");
  }

  @Test
  void wrongMagic() throws IOException {
    byte[] file = idx(0x00000802, new int[] {3, 8}, new byte[24]);
    assertBad(
        write(dir.resolve("images"), file),
        "at byte 0",
        "bad magic number 0x00000802, expected 0x00000803",
        "unsigned-byte data with 2 dimensions");
    byte[] text = "hello, this is not IDX".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    assertBad(write(dir.resolve("images.txt"), text), "at byte 0", "no IDX file");
  }

  @Test
  void labelFileGivenAsImagesAndViceVersa() throws IOException {
    byte[] labels = idx(IdxReader.LABELS_MAGIC, new int[] {3}, new byte[] {1, 2, 3});
    Path asImages = write(dir.resolve("train-images-idx3-ubyte"), labels);
    assertBad(asImages, "bad magic number 0x00000801", "found IDX unsigned-byte labels");
    Path asLabels = write(dir.resolve("train-labels-idx1-ubyte"), imageFile(new byte[24]));
    assertBad(asLabels, "bad magic number 0x00000803", "found IDX unsigned-byte images");
  }

  @Test
  void negativeAndZeroSizes() throws IOException {
    byte[] negative = idx(IdxReader.IMAGES_MAGIC, new int[] {-1, 2, 2}, new byte[0]);
    assertBad(write(dir.resolve("images-neg"), negative), "at byte 4", "bad image count -1");
    byte[] zeroRows = idx(IdxReader.IMAGES_MAGIC, new int[] {1, 0, 2}, new byte[0]);
    assertBad(write(dir.resolve("images-zero"), zeroRows), "at byte 8", "bad rows 0");
  }

  @Test
  void absurdHeaderDoesNotAllocate() throws IOException {
    byte[] huge = idx(IdxReader.IMAGES_MAGIC, new int[] {Integer.MAX_VALUE, 28, 28}, new byte[8]);
    assertBad(write(dir.resolve("images-huge"), huge), "more than a Java array can hold");
    // 1.96 GB declared but 8 bytes present: reported as truncation, both plain (checked against the
    // file size) and gzip (read in chunks), without allocating the declared size.
    byte[] big = idx(IdxReader.IMAGES_MAGIC, new int[] {2_500_000, 28, 28}, new byte[8]);
    assertBad(write(dir.resolve("images-big"), big), "expected 1960000000 bytes", "found 8");
    assertBad(write(dir.resolve("images-big-gz"), gzip(big)), "expected 1960000000", "found 8");
  }

  @Test
  void corruptGzip() throws IOException {
    byte[] gz = gzip(imageFile(pattern(24)));
    byte[] damaged = gz.clone();
    for (int i = 12; i < damaged.length - 8; i++) {
      damaged[i] ^= (byte) 0x5A;
    }
    assertBad(write(dir.resolve("images-damaged"), damaged), "gzip");
    byte[] cut = Arrays.copyOf(gz, gz.length - 5);
    assertBad(write(dir.resolve("images-cut"), cut), "corrupt or truncated gzip");
    byte[] badCrc = gz.clone();
    badCrc[badCrc.length - 6] ^= 1;
    assertBad(write(dir.resolve("images-crc"), badCrc), "corrupt or truncated gzip");
  }

  @Test
  void missingFileNamesPath() {
    Path missing = dir.resolve("nope-images");
    NoSuchFileException e =
        assertThrows(NoSuchFileException.class, () -> IdxReader.readImages(missing));
    assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
  }

  @Test
  void directoryIsRejected() {
    DataFormatException e =
        assertThrows(DataFormatException.class, () -> IdxReader.readImages(dir));
    assertTrue(e.getMessage().startsWith(dir.toString()), e.getMessage());
  }

  @Test
  void subsetAndFirstN() throws IOException {
    byte[] pixels = pattern(COUNT * ROWS * COLS);
    Images images = IdxReader.readImages(write(dir.resolve("images"), imageFile(pixels)));
    LabelledImages all = new LabelledImages(images, new int[] {4, 5, 6});
    LabelledImages sub = all.subset(new int[] {2, 0});
    assertArrayEquals(new int[] {6, 4}, sub.labels());
    assertEquals(images.pixel(2, 1, 3), sub.images().pixel(0, 1, 3));
    assertEquals(images.pixel(0, 1, 2), sub.images().pixel(1, 1, 2));
    assertEquals(2, all.firstN(2).size());
    assertEquals(3, all.firstN(99).size());
    assertArrayEquals(new int[] {4, 5}, all.firstN(2).labels());
    assertThrows(IndexOutOfBoundsException.class, () -> all.subset(new int[] {3}));
    assertThrows(IllegalArgumentException.class, () -> all.firstN(-1));
  }
}
