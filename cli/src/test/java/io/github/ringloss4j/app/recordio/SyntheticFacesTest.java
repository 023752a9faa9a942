package io.github.ringloss4j.app.recordio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.ringloss4j.app.data.ImageFolder;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The synthetic faces: deterministic, face-sized, identity-structured, streamed to disk. */
class SyntheticFacesTest {

  @TempDir Path tmp;

  @Test
  void imagesArePureFunctionsOfSeedAndPosition() {
    SyntheticFaces a = new SyntheticFaces(4, 5, 42);
    SyntheticFaces b = new SyntheticFaces(4, 5, 42);
    byte[] first = a.encoded(3, 2, ImageFormat.PNG);
    a.encoded(0, 0, ImageFormat.PNG); // another identity in between changes nothing
    assertArrayEquals(first, a.encoded(3, 2, ImageFormat.PNG));
    assertArrayEquals(first, b.encoded(3, 2, ImageFormat.PNG));
    assertArrayEquals(a.encoded(1, 4, ImageFormat.JPEG), b.encoded(1, 4, ImageFormat.JPEG));
    assertFalse(
        java.util.Arrays.equals(
            first, new SyntheticFaces(4, 5, 43).encoded(3, 2, ImageFormat.PNG)));
    assertFalse(java.util.Arrays.equals(first, a.encoded(3, 1, ImageFormat.PNG)));
  }

  @Test
  void imagesOfOneIdentityAreCloserThanImagesOfTwo() throws IOException {
    SyntheticFaces faces = new SyntheticFaces(6, 4, 7);
    double same = 0;
    double different = 0;
    int sameCount = 0;
    int differentCount = 0;
    for (int i = 0; i < 6; i++) {
      for (int j = 0; j < 6; j++) {
        for (int m = 0; m < 2; m++) {
          double d = distance(faces.image(i, m), faces.image(j, m + 2));
          if (i == j) {
            same += d;
            sameCount++;
          } else {
            different += d;
            differentCount++;
          }
        }
      }
    }
    same /= sameCount;
    different /= differentCount;
    assertTrue(same * 1.5 < different, "same " + same + ", different " + different);
    BufferedImage decoded =
        ImageIO.read(new ByteArrayInputStream(faces.encoded(0, 0, ImageFormat.JPEG)));
    assertEquals(SyntheticFaces.SIDE, decoded.getWidth());
    assertEquals(SyntheticFaces.SIDE, decoded.getHeight());
  }

  /** The root mean square difference of two RGB images, in 8-bit levels. */
  static double distance(BufferedImage a, BufferedImage b) {
    double sum = 0;
    for (int y = 0; y < a.getHeight(); y++) {
      for (int x = 0; x < a.getWidth(); x++) {
        int p = a.getRGB(x, y);
        int q = b.getRGB(x, y);
        for (int shift = 0; shift < 24; shift += 8) {
          double d = ((p >> shift) & 0xFF) - ((q >> shift) & 0xFF);
          sum += d * d;
        }
      }
    }
    return Math.sqrt(sum / (3.0 * a.getWidth() * a.getHeight()));
  }

  @Test
  void writesAnImageFolderWithSortedNames() throws IOException {
    SyntheticFaces faces = new SyntheticFaces(12, 11, 3);
    Path dir = tmp.resolve("faces");
    assertEquals(132, faces.writeFolder(dir, ImageFormat.PNG));
    ImageFolder folder = ImageFolder.scan(dir);
    assertEquals(faces.classNames(), folder.classNames());
    assertEquals("id00", folder.classNames().get(0));
    assertEquals("id11", folder.classNames().get(11));
    ImageFolder.Entry entry = folder.entries().get(11 * 5 + 10);
    assertEquals(dir.resolve("id05/10.png"), entry.path());
    assertEquals(5, entry.label());
    assertArrayEquals(faces.encoded(5, 10, ImageFormat.PNG), Files.readAllBytes(entry.path()));
    assertThrows(FileAlreadyExistsException.class, () -> faces.writeFolder(dir, ImageFormat.PNG));
  }

  @Test
  void writesAPackedSetThatReadsBack() throws IOException {
    // More images than one generation chunk, so chunks must be written in order.
    SyntheticFaces faces = new SyntheticFaces(3, SyntheticFaces.CHUNK / 2 + 1, 9);
    Path dir = tmp.resolve("packed");
    PackedDatasetWriter.Summary summary = faces.writePacked(dir, ImageFormat.JPEG);
    assertEquals(3 * (SyntheticFaces.CHUNK / 2 + 1), summary.images());
    try (RecordFile file = RecordFile.open(dir)) {
      assertEquals(new DatasetProperty(3, 112, 112), file.property());
      assertEquals(List.of("id0", "id1", "id2"), file.classNames());
      int per = SyntheticFaces.CHUNK / 2 + 1;
      for (int item : new int[] {0, per - 1, per, 2 * per + 7, file.size() - 1}) {
        PackedImage image = file.read(item);
        assertEquals(item / per, image.label());
        assertArrayEquals(faces.encoded(item / per, item % per, ImageFormat.JPEG), image.image());
      }
    }
  }

  @Test
  void rejectsEmptyCounts() {
    assertThrows(IllegalArgumentException.class, () -> new SyntheticFaces(0, 3, 1));
    assertThrows(IllegalArgumentException.class, () -> new SyntheticFaces(3, 0, 1));
    assertThrows(IllegalArgumentException.class, () -> new SyntheticFaces(1 << 16, 1 << 16, 1));
  }
}
