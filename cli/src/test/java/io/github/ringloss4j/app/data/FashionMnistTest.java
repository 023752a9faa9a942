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
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FashionMnistTest {

  private static final int SIDE = FashionMnist.IMAGE_SIDE;

  @TempDir Path dir;

  private static byte[] images(int count) {
    return idx(IdxReader.IMAGES_MAGIC, new int[] {count, SIDE, SIDE}, pattern(count * SIDE * SIDE));
  }

  private static byte[] labels(byte... values) {
    return idx(IdxReader.LABELS_MAGIC, new int[] {values.length}, values);
  }

  private void writeSet(byte[] trainLabels, byte[] testLabels) throws IOException {
    write(dir.resolve("train-images-idx3-ubyte.gz"), gzip(images(4)));
    write(dir.resolve("train-labels-idx1-ubyte.gz"), gzip(trainLabels));
    // The test half is uncompressed to cover both spellings.
    write(dir.resolve("t10k-images-idx3-ubyte"), images(2));
    write(dir.resolve("t10k-labels-idx1-ubyte"), testLabels);
  }

  @Test
  void loadsTinyDataSet() throws IOException {
    writeSet(labels((byte) 0, (byte) 9, (byte) 3, (byte) 3), labels((byte) 5, (byte) 1));
    // A stray, broken uncompressed copy next to the .gz file must be ignored.
    write(dir.resolve("train-images-idx3-ubyte"), new byte[] {1, 2, 3});
    FashionMnist data = FashionMnist.load(dir);
    assertEquals(4, data.train().size());
    assertEquals(2, data.test().size());
    assertArrayEquals(new int[] {0, 9, 3, 3}, data.train().labels());
    assertArrayEquals(new int[] {5, 1}, data.test().labels());
    assertEquals(
        pattern(4 * SIDE * SIDE)[SIDE + 2] & 0xFF,
        Math.round(data.train().images().pixel(0, 1, 2) * 255));
    assertEquals(dir, data.directory());
  }

  @Test
  void labelOutOfRangeNamesFileAndItem() throws IOException {
    writeSet(labels((byte) 0, (byte) 1, (byte) 10, (byte) 2), labels((byte) 5, (byte) 1));
    DataFormatException e = assertThrows(DataFormatException.class, () -> FashionMnist.load(dir));
    Path labelsFile = dir.resolve("train-labels-idx1-ubyte.gz");
    assertTrue(
        e.getMessage().startsWith(labelsFile + " item 2: label 10 out of range"), e.getMessage());
  }

  @Test
  void countMismatchNamesBothFilesAndCounts() throws IOException {
    writeSet(labels((byte) 0, (byte) 1, (byte) 2, (byte) 3), labels((byte) 5, (byte) 1, (byte) 2));
    DataFormatException e = assertThrows(DataFormatException.class, () -> FashionMnist.load(dir));
    String m = e.getMessage();
    assertTrue(m.startsWith(dir.resolve("t10k-images-idx3-ubyte").toString()), m);
    assertTrue(m.contains(dir.resolve("t10k-labels-idx1-ubyte").toString()), m);
    assertTrue(m.contains("2 images") && m.contains("3 labels"), m);
  }

  @Test
  void wrongImageSizeIsRejected() throws IOException {
    writeSet(labels((byte) 0, (byte) 1, (byte) 2, (byte) 3), labels((byte) 5, (byte) 1));
    write(
        dir.resolve("t10k-images-idx3-ubyte"),
        idx(IdxReader.IMAGES_MAGIC, new int[] {2, 32, 32}, new byte[2 * 32 * 32]));
    DataFormatException e = assertThrows(DataFormatException.class, () -> FashionMnist.load(dir));
    assertTrue(e.getMessage().contains("32×32, expected 28×28"), e.getMessage());
  }

  @Test
  void missingDirectoryTellsHowToInstall() {
    Path missing = dir.resolve("absent");
    NoSuchFileException e =
        assertThrows(NoSuchFileException.class, () -> FashionMnist.load(missing));
    assertTrue(e.getMessage().startsWith(missing.toString()), e.getMessage());
    assertTrue(e.getMessage().contains("sudo apt-get install dataset-fashion-mnist"));
    assertTrue(e.getMessage().contains("--data DIR"));
  }

  @Test
  void missingFileNamesIt() throws IOException {
    writeSet(labels((byte) 0, (byte) 1, (byte) 2, (byte) 3), labels((byte) 5, (byte) 1));
    Files.delete(dir.resolve("t10k-labels-idx1-ubyte"));
    NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> FashionMnist.load(dir));
    assertTrue(e.getMessage().contains("t10k-labels-idx1-ubyte"), e.getMessage());
  }

  /** Runs on the real data set where the Debian package dataset-fashion-mnist is installed. */
  @Test
  void realDataSet() throws IOException {
    Path real =
        Path.of(System.getProperty("fashion.mnist.dir", FashionMnist.DEFAULT_DIR.toString()));
    // Not an assumption: ./ringloss test installs the data, and a silent skip would hide a gap.
    assertTrue(
        Files.isDirectory(real),
        "Fashion-MNIST not installed at " + real + ": sudo apt-get install dataset-fashion-mnist");
    FashionMnist data = FashionMnist.load(real);
    assertEquals(60_000, data.train().size());
    assertEquals(10_000, data.test().size());
    for (LabelledImages part : new LabelledImages[] {data.train(), data.test()}) {
      assertEquals(28, part.images().rows());
      assertEquals(28, part.images().cols());
      int[] perClass = new int[10];
      for (int label : part.labels()) {
        assertTrue(label >= 0 && label < 10);
        perClass[label]++;
      }
      int expected = part.size() / 10;
      for (int c = 0; c < 10; c++) {
        assertEquals(expected, perClass[c], FashionMnist.CLASS_NAMES.get(c));
      }
    }
    // The first training image is an ankle boot and the first test image too (published order).
    assertEquals(9, data.train().labels()[0]);
    assertEquals(9, data.test().labels()[0]);
  }
}
