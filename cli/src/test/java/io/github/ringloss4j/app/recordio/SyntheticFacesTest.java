package io.github.ringloss4j.app.recordio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.ringloss4j.app.data.ImageFolder;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ForkJoinPool;
import java.util.function.BiPredicate;
import java.util.stream.IntStream;
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

  /** The face-like stand-in at a small side, with a quality tail. */
  static final FaceVariation SMALL =
      new FaceVariation(32, 10, 0.08, 0.3, 0.6, 0.4, 0.3, 4, 0.35, 0.3);

  static String sha256(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }

  /** The pixels of images (0..n) × (0..m) as RGB bytes. */
  static byte[] pixels(SyntheticFaces faces, int n, int m) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < m; j++) {
        BufferedImage im = faces.image(i, j);
        for (int y = 0; y < im.getHeight(); y++) {
          for (int x = 0; x < im.getWidth(); x++) {
            int p = im.getRGB(x, y);
            out.write(p >> 16);
            out.write(p >> 8);
            out.write(p);
          }
        }
      }
    }
    return out.toByteArray();
  }

  @Test
  void thePlainGeneratorKeepsTheImagesOfEarlierReleases() throws Exception {
    // Checksums computed with the generator before the face-like variation was added.
    for (SyntheticFaces faces :
        List.of(new SyntheticFaces(3, 5, 42), new SyntheticFaces(3, 5, 42, FaceVariation.NONE))) {
      assertEquals(
          "be314a9f791ebad7f9a30f7569c3ca2b724c3f17b52997f49dc2a400a8082c61",
          sha256(pixels(faces, 3, 5)));
      assertEquals(
          "61b8af5b911056e98720e4b2526ef6917fa48d5c683c5bb32a9fe49298b5d351",
          sha256(faces.encoded(2, 3, ImageFormat.JPEG)));
      assertEquals(
          "be8110958bef9a1716ce4679b3103ddc2b2491841d5263407da2097497246420",
          sha256(faces.encoded(1, 4, ImageFormat.PNG)));
      assertEquals(Degradation.CLEAN, faces.degradation(2, 4));
    }
  }

  @Test
  void faceLikeImagesAreTheSameOnAnyThreadCountAndInAnyOrder() throws Exception {
    int n = 6;
    int m = 5;
    List<byte[]> serial = new ArrayList<>();
    SyntheticFaces one = new SyntheticFaces(n, m, 8, SMALL);
    for (int i = 0; i < n * m; i++) {
      serial.add(one.encoded(i / m, i % m, ImageFormat.PNG));
    }
    SyntheticFaces other = new SyntheticFaces(n, m, 8, SMALL);
    ForkJoinPool pool = new ForkJoinPool(4);
    try {
      byte[][] parallel =
          pool.submit(
                  () ->
                      IntStream.range(0, n * m)
                          .map(i -> n * m - 1 - i)
                          .parallel()
                          .mapToObj(i -> other.encoded(i / m, i % m, ImageFormat.PNG))
                          .toArray(byte[][]::new))
              .get();
      for (int i = 0; i < n * m; i++) {
        assertArrayEquals(serial.get(i), parallel[n * m - 1 - i], "image " + i);
      }
    } finally {
      pool.shutdown();
    }
    BufferedImage image = one.image(1, 1);
    assertEquals(32, image.getWidth());
    assertEquals(32, image.getHeight());
    assertFalse(
        java.util.Arrays.equals(
            serial.get(7), new SyntheticFaces(n, m, 9, SMALL).encoded(1, 2, ImageFormat.PNG)));
  }

  @Test
  void theLowQualityShareIsTheOneAskedForAndItsLevelsAreGraded() {
    // 7 images per identity: 2.1 degraded on average, rounded at random per identity.
    SyntheticFaces faces = new SyntheticFaces(300, 7, 3, SMALL);
    int low = 0;
    int[] byLevel = new int[4];
    for (int i = 0; i < 300; i++) {
      int perIdentity = 0;
      for (int j = 0; j < 7; j++) {
        Degradation d = faces.degradation(i, j);
        byLevel[d.level()]++;
        if (d.low()) {
          perIdentity++;
          assertTrue(d.side() >= Degradation.MIN_SIDE && d.side() < 32, d.toString());
          assertTrue(d.jpegQuality() >= 10 && d.jpegQuality() <= 40, d.toString());
          assertTrue(d.blur() > 0 && d.noise() > 0, d.toString());
        } else {
          assertEquals(Degradation.CLEAN, d);
        }
      }
      assertTrue(perIdentity == 2 || perIdentity == 3, "identity " + i + ": " + perIdentity);
      low += perIdentity;
    }
    assertEquals(0.3, low / 2100.0, 0.03);
    for (int level = 1; level <= 3; level++) {
      assertTrue(byLevel[level] > 150, "level " + level + ": " + byLevel[level]);
    }
    // Whole shares are exact; the sides of the levels do not overlap at 112 pixels.
    FaceVariation at112 = new FaceVariation(112, 0, 0, 0, 0, 0, 0, 1, 1, 0.5);
    SyntheticFaces exact = new SyntheticFaces(20, 10, 3, at112);
    int[] lo = {0, 99, 99, 99};
    int[] hi = new int[4];
    int count = 0;
    for (int i = 0; i < 20; i++) {
      for (int j = 0; j < 10; j++) {
        Degradation d = exact.degradation(i, j);
        count += d.low() ? 1 : 0;
        lo[d.level()] = Math.min(lo[d.level()], d.side());
        hi[d.level()] = Math.max(hi[d.level()], d.side());
      }
    }
    assertEquals(100, count);
    assertTrue(hi[3] < lo[2] && hi[2] < lo[1] && hi[1] <= 32 && lo[3] >= 8, lo + " " + hi);
  }

  @Test
  void degradedImagesAreTheirLowQualityJpegAndLessDetailed() {
    SyntheticFaces faces = new SyntheticFaces(1, 4, 1, SMALL);
    BufferedImage clean = faces.imageAtLevel(0, 0, 0);
    BufferedImage severe = faces.imageAtLevel(0, 0, 3);
    assertTrue(
        roughness(severe) < 0.5 * roughness(clean), roughness(severe) + " " + roughness(clean));
    for (int j = 0; j < 4; j++) {
      Degradation d = faces.degradation(0, j);
      byte[] jpeg = faces.encoded(0, j, ImageFormat.JPEG);
      assertEquals(ImageFormat.JPEG, ImageFormat.of(jpeg));
      assertEquals(
          d.low(),
          !java.util.Arrays.equals(
              jpeg,
              ImageEncoding.encode(
                  faces.image(0, j), ImageFormat.JPEG, SyntheticFaces.JPEG_QUALITY)));
    }
  }

  /** The mean absolute difference of horizontally adjacent green samples. */
  static double roughness(BufferedImage image) {
    double sum = 0;
    for (int y = 0; y < image.getHeight(); y++) {
      for (int x = 1; x < image.getWidth(); x++) {
        sum +=
            Math.abs(((image.getRGB(x, y) >> 8) & 0xFF) - ((image.getRGB(x - 1, y) >> 8) & 0xFF));
      }
    }
    return sum / (image.getHeight() * (image.getWidth() - 1));
  }

  /** The mean distance of image 0 of {@code i} to image 1 of {@code j} over the pairs that pass. */
  static double meanDistance(SyntheticFaces faces, BiPredicate<Integer, Integer> pairs) {
    double sum = 0;
    int count = 0;
    for (int i = 0; i < faces.identities(); i++) {
      for (int j = 0; j < faces.identities(); j++) {
        if (pairs.test(i, j)) {
          sum += distance(faces.image(i, 0), faces.image(j, 1));
          count++;
        }
      }
    }
    return sum / count;
  }

  @Test
  void familyMembersAreCloserToEachOtherThanToOtherFamilies() {
    FaceVariation noTail = new FaceVariation(32, 10, 0.08, 0.3, 0.6, 0.4, 0.1, 4, 0.35, 0);
    SyntheticFaces faces = new SyntheticFaces(24, 2, 5, noTail);
    double self = meanDistance(faces, (i, j) -> i.equals(j));
    double within =
        meanDistance(faces, (i, j) -> !i.equals(j) && faces.family(i) == faces.family(j));
    double across = meanDistance(faces, (i, j) -> faces.family(i) != faces.family(j));
    assertTrue(within < 0.9 * across, "within " + within + ", across " + across);
    // Yet a member is closer to itself than to its family.
    assertTrue(self < within, "self " + self + ", within " + within);
    // Independent identities (families of 1) are not closer to their "family".
    SyntheticFaces independent =
        new SyntheticFaces(
            24, 2, 5, new FaceVariation(32, 10, 0.08, 0.3, 0.6, 0.4, 0.1, 1, 0.35, 0));
    double neighbours = meanDistance(independent, (i, j) -> !i.equals(j) && i / 4 == j / 4);
    double others = meanDistance(independent, (i, j) -> i / 4 != j / 4);
    assertTrue(neighbours > 0.9 * others, "neighbours " + neighbours + ", others " + others);
  }

  @Test
  void writesTheQualityFileAndTheContactSheetBesideAFolderAndAPackedSet() throws IOException {
    SyntheticFaces faces = new SyntheticFaces(5, 3, 2, SMALL);
    Path folder = tmp.resolve("folder");
    faces.writeFolder(folder, ImageFormat.JPEG);
    List<String> rows = Files.readAllLines(folder.resolve(Degradation.FILE_NAME));
    assertEquals(String.join(",", Degradation.COLUMNS), rows.get(0));
    assertEquals(16, rows.size());
    Degradation d = faces.degradation(4, 2);
    String expected =
        "id4,4,2,id4/2.jpg,1,"
            + (d.low() ? d.side() : "")
            + ","
            + d.blur()
            + ","
            + (d.low() ? d.jpegQuality() : "")
            + ","
            + d.noise()
            + ","
            + d.level()
            + ","
            + d.bin();
    assertEquals(expected, rows.get(15));
    BufferedImage sheet = ImageIO.read(folder.resolve(ContactSheet.FILE_NAME).toFile());
    assertTrue(sheet.getWidth() >= 4 * 96, "width " + sheet.getWidth());
    Path packed = tmp.resolve("packed");
    faces.writePacked(packed, ImageFormat.PNG);
    rows = Files.readAllLines(packed.resolve(Degradation.FILE_NAME));
    assertEquals(16, rows.size());
    assertTrue(rows.get(15).startsWith("id4,4,2,15,1,"), rows.get(15));
    assertTrue(Files.isRegularFile(packed.resolve(ContactSheet.FILE_NAME)));
    try (RecordFile file = RecordFile.open(packed)) {
      assertEquals(new DatasetProperty(5, 32, 32), file.property());
      assertTrue(file.sourceOf(14).endsWith("#15"));
    }
  }

  @Test
  void aFailedPackedWriteLeavesNoQualityFileOrTemporaries() throws IOException {
    Path packed = tmp.resolve("packed");
    Files.createDirectories(packed.resolve(RecordFile.IDX_FILE));
    SyntheticFaces faces = new SyntheticFaces(2, 2, 2, SMALL);
    assertThrows(IOException.class, () -> faces.writePacked(packed, ImageFormat.JPEG));
    try (var listing = Files.list(packed)) {
      assertEquals(List.of(packed.resolve(RecordFile.IDX_FILE)), listing.toList());
    }
  }

  @Test
  void variationOptionsAreCheckedNamingTheOption() {
    FaceVariation f = FaceVariation.FACE_LIKE;
    String[][] cases = {
      {"--side", "15"},
      {"--side", "225"},
      {"--rotation", "46"},
      {"--scale", "0.31"},
      {"--pose", "0.61"},
      {"--expression", "1.1"},
      {"--illumination", "-0.1"},
      {"--occlusion", "2"},
      {"--family-size", "0"},
      {"--family-spread", "0"},
      {"--low-quality-share", "1.5"}
    };
    for (String[] c : cases) {
      double v = Double.parseDouble(c[1]);
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () ->
                  new FaceVariation(
                      c[0].equals("--side") ? (int) v : f.side(),
                      c[0].equals("--rotation") ? v : f.rotation(),
                      c[0].equals("--scale") ? v : f.scale(),
                      c[0].equals("--pose") ? v : f.pose(),
                      c[0].equals("--expression") ? v : f.expression(),
                      c[0].equals("--illumination") ? v : f.illumination(),
                      c[0].equals("--occlusion") ? v : f.occlusion(),
                      c[0].equals("--family-size") ? (int) v : f.familySize(),
                      c[0].equals("--family-spread") ? v : f.familySpread(),
                      c[0].equals("--low-quality-share") ? v : f.lowQualityShare()),
              c[0]);
      assertTrue(e.getMessage().startsWith(c[0] + " must be"), e.getMessage());
    }
    assertThrows(IllegalArgumentException.class, () -> FaceVariation.preset("faces"));
    assertEquals(FaceVariation.NONE, FaceVariation.preset("NONE"));
  }

  @Test
  void rejectsEmptyCounts() {
    assertThrows(IllegalArgumentException.class, () -> new SyntheticFaces(0, 3, 1));
    assertThrows(IllegalArgumentException.class, () -> new SyntheticFaces(3, 0, 1));
    assertThrows(IllegalArgumentException.class, () -> new SyntheticFaces(1 << 16, 1 << 16, 1));
  }
}
