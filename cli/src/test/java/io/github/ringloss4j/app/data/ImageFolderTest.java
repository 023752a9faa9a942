package io.github.ringloss4j.app.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.ringloss4j.app.data.ImageFolder.Entry;
import io.github.ringloss4j.app.data.ImageFolder.Split;
import io.github.ringloss4j.app.io.DataFormatException;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageFolderTest {

  @TempDir Path root;

  private static BufferedImage solid(int w, int h, int type, Color color) {
    BufferedImage img = new BufferedImage(w, h, type);
    Graphics2D g = img.createGraphics();
    g.setColor(color);
    g.fillRect(0, 0, w, h);
    g.dispose();
    return img;
  }

  private static BufferedImage grey(int w, int h, int level) {
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
    byte[] data = ((java.awt.image.DataBufferByte) img.getRaster().getDataBuffer()).getData();
    Arrays.fill(data, (byte) level);
    return img;
  }

  /** Left half black, right half white. */
  private static BufferedImage halves(int w, int h) {
    BufferedImage img = solid(w, h, BufferedImage.TYPE_INT_RGB, Color.BLACK);
    Graphics2D g = img.createGraphics();
    g.setColor(Color.WHITE);
    g.fillRect(w / 2, 0, w - w / 2, h);
    g.dispose();
    return img;
  }

  private static Path save(BufferedImage img, Path file, String format) throws IOException {
    Files.createDirectories(file.getParent());
    assertTrue(ImageIO.write(img, format, file.toFile()), "no writer for " + format);
    return file;
  }

  private static void assertAll(float[] values, int from, int to, float expected, float tol) {
    for (int i = from; i < to; i++) {
      assertEquals(expected, values[i], tol, "index " + i);
    }
  }

  private ImageFolder smallFolder() throws IOException {
    Color c = new Color(200, 100, 50);
    save(solid(40, 30, BufferedImage.TYPE_INT_RGB, c), root.resolve("bob/b2.PNG"), "png");
    save(solid(20, 20, BufferedImage.TYPE_INT_RGB, c), root.resolve("bob/b1.jpg"), "jpeg");
    save(grey(25, 35, 77), root.resolve("alice/a1.png"), "png");
    save(grey(16, 16, 77), root.resolve("alice/a0.JPEG"), "jpeg");
    Files.writeString(root.resolve("alice/notes.txt"), "not an image");
    Files.write(root.resolve("alice/.hidden.jpg"), new byte[] {1, 2, 3});
    Files.writeString(root.resolve("README"), "a file at the root is not a class");
    Files.createDirectories(root.resolve(".git"));
    return ImageFolder.scan(root);
  }

  @Test
  void scansClassesAndFilesInNameOrder() throws IOException {
    ImageFolder folder = smallFolder();
    assertEquals(List.of("alice", "bob"), folder.classNames());
    assertEquals(
        List.of(
            new Entry(root.resolve("alice/a0.JPEG"), 0),
            new Entry(root.resolve("alice/a1.png"), 0),
            new Entry(root.resolve("bob/b1.jpg"), 1),
            new Entry(root.resolve("bob/b2.PNG"), 1)),
        folder.entries());
    assertEquals(2, folder.numClasses());
  }

  @Test
  void solidRgbPngGivesExactChwValues() throws IOException {
    ImageFolder folder = smallFolder();
    Entry png = folder.entries().get(3);
    ImageSpec spec = new ImageSpec(12, 20, 3);
    float[] chw = folder.load(png, spec);
    assertEquals(3 * 12 * 20, chw.length);
    int plane = 12 * 20;
    assertAll(chw, 0, plane, 200 / 255f, 0);
    assertAll(chw, plane, 2 * plane, 100 / 255f, 0);
    assertAll(chw, 2 * plane, 3 * plane, 50 / 255f, 0);
    float[] luma = folder.load(png, new ImageSpec(8, 8, 1));
    assertEquals(64, luma.length);
    // round(0.299 * 200 + 0.587 * 100 + 0.114 * 50) = round(124.2) = 124
    assertAll(luma, 0, 64, 124 / 255f, 0);
  }

  @Test
  void greyPngKeepsItsLevelInEveryChannel() throws IOException {
    ImageFolder folder = smallFolder();
    Entry greyPng = folder.entries().get(1);
    assertAll(folder.load(greyPng, new ImageSpec(10, 10, 3)), 0, 300, 77 / 255f, 0);
    assertAll(folder.load(greyPng, new ImageSpec(10, 10, 1)), 0, 100, 77 / 255f, 0);
  }

  @Test
  void jpegsDecodeCloseToTheirColour() throws IOException {
    ImageFolder folder = smallFolder();
    float tol = 3 / 255f;
    float[] rgb = folder.load(folder.entries().get(2), new ImageSpec(16, 16, 3));
    assertAll(rgb, 0, 256, 200 / 255f, tol);
    assertAll(rgb, 256, 512, 100 / 255f, tol);
    assertAll(rgb, 512, 768, 50 / 255f, tol);
    float[] greyRgb = folder.load(folder.entries().get(0), new ImageSpec(16, 16, 3));
    assertAll(greyRgb, 0, 768, 77 / 255f, tol);
  }

  @Test
  void resizesShorterSideThenCropsCentre() throws IOException {
    // 60×20 in three vertical bands: red | green | blue. Scaled by max(20/20, 20/60) = 1 and
    // centre-cropped to 20×20, only the green band remains.
    BufferedImage img = solid(60, 20, BufferedImage.TYPE_INT_RGB, Color.RED);
    Graphics2D g = img.createGraphics();
    g.setColor(Color.GREEN);
    g.fillRect(20, 0, 20, 20);
    g.setColor(Color.BLUE);
    g.fillRect(40, 0, 20, 20);
    g.dispose();
    Path file = save(img, root.resolve("c/bands.png"), "png");
    ImageFolder folder = ImageFolder.scan(root);
    float[] chw = folder.load(new Entry(file, 0), new ImageSpec(20, 20, 3));
    assertAll(chw, 0, 400, 0f, 0);
    assertAll(chw, 400, 800, 1f, 0);
    assertAll(chw, 800, 1200, 0f, 0);
    // A 10×10 target halves the image (30×10) and keeps its middle third too.
    float[] small = folder.load(new Entry(file, 0), new ImageSpec(10, 10, 3));
    assertAll(small, 100, 200, 1f, 1e-6f);
  }

  @Test
  void largeDownscaleKeepsHalves() throws IOException {
    Path file = save(halves(400, 400), root.resolve("c/halves.png"), "png");
    ImageFolder folder = ImageFolder.scan(root);
    float[] out = folder.load(new Entry(file, 0), new ImageSpec(16, 16, 1));
    for (int y = 0; y < 16; y++) {
      assertEquals(0f, out[y * 16], "row " + y + " left");
      assertEquals(1f, out[y * 16 + 15], "row " + y + " right");
    }
  }

  @Test
  void augmentationFlipsAsSeededAndIsDeterministic() throws IOException {
    Path file = save(halves(64, 64), root.resolve("c/halves.png"), "png");
    ImageFolder folder = ImageFolder.scan(root);
    Entry e = new Entry(file, 0);
    ImageSpec spec = new ImageSpec(32, 32, 1);
    boolean sawFlip = false;
    boolean sawPlain = false;
    // Random's first outputs for neighbouring seeds are correlated, so draw unrelated seeds.
    SplittableRandom seeds = new SplittableRandom(5);
    for (int trial = 0; trial < 20; trial++) {
      long seed = seeds.nextLong();
      boolean flip = new Random(seed).nextBoolean();
      float[] out = folder.loadAugmented(e, spec, new Random(seed));
      assertEquals(32 * 32, out.length);
      // The crop moves by at most 4 of 36 pixels, so the outer columns keep their colour.
      for (int y = 0; y < 32; y++) {
        assertEquals(flip ? 1f : 0f, out[y * 32], "seed " + seed + " row " + y);
        assertEquals(flip ? 0f : 1f, out[y * 32 + 31], "seed " + seed + " row " + y);
      }
      assertArrayEquals(out, folder.loadAugmented(e, spec, new Random(seed)));
      sawFlip |= flip;
      sawPlain |= !flip;
    }
    assertTrue(sawFlip && sawPlain);
  }

  @Test
  void augmentationCropsRandomly() throws IOException {
    // A horizontal gradient shows the crop offset through the first column's value.
    BufferedImage img = new BufferedImage(72, 72, BufferedImage.TYPE_INT_RGB);
    for (int x = 0; x < 72; x++) {
      for (int y = 0; y < 72; y++) {
        int v = x * 3;
        img.setRGB(x, y, (v << 16) | (v << 8) | v);
      }
    }
    Path file = save(img, root.resolve("c/gradient.png"), "png");
    ImageFolder folder = ImageFolder.scan(root);
    Set<Float> firstColumns = new HashSet<>();
    for (long seed = 0; seed < 30; seed++) {
      firstColumns.add(
          folder.loadAugmented(new Entry(file, 0), new ImageSpec(32, 32, 1), new Random(seed))[0]);
    }
    assertTrue(firstColumns.size() >= 3, "crop offsets seen: " + firstColumns);
  }

  private ImageFolder splitFolder() throws IOException {
    BufferedImage img = grey(4, 4, 9);
    for (int i = 0; i < 10; i++) {
      save(img, root.resolve("a/" + i + ".png"), "png");
    }
    for (int i = 0; i < 5; i++) {
      save(img, root.resolve("b/" + i + ".png"), "png");
    }
    save(img, root.resolve("c/only.png"), "png");
    return ImageFolder.scan(root);
  }

  private static long count(List<Entry> entries, int label) {
    return entries.stream().filter(e -> e.label() == label).count();
  }

  @Test
  void splitIsStratifiedDeterministicAndComplete() throws IOException {
    ImageFolder folder = splitFolder();
    Split split = folder.split(0.2, 42);
    assertEquals(2, count(split.validation(), 0));
    assertEquals(1, count(split.validation(), 1));
    assertEquals(0, count(split.validation(), 2));
    assertEquals(8, count(split.train(), 0));
    assertEquals(4, count(split.train(), 1));
    assertEquals(1, count(split.train(), 2));
    Set<Entry> union = new HashSet<>(split.train());
    union.addAll(split.validation());
    assertEquals(new HashSet<>(folder.entries()), union);
    assertEquals(folder.entries().size(), split.train().size() + split.validation().size());
    assertEquals(split, folder.split(0.2, 42));
    List<Split> others = new ArrayList<>();
    for (long seed = 1; seed <= 5; seed++) {
      others.add(folder.split(0.2, seed));
    }
    assertTrue(others.stream().anyMatch(s -> !s.validation().equals(split.validation())));
  }

  @Test
  void splitKeepsOneTrainingExamplePerClass() throws IOException {
    Split split = splitFolder().split(0.99, 7);
    for (int label = 0; label < 3; label++) {
      assertEquals(1, count(split.train(), label), "label " + label);
    }
    assertThrows(IllegalArgumentException.class, () -> splitFolder().split(1.0, 7));
    assertThrows(IllegalArgumentException.class, () -> splitFolder().split(-0.1, 7));
    assertThrows(IllegalArgumentException.class, () -> splitFolder().split(Double.NaN, 7));
  }

  @Test
  void emptyClassFolderIsNamed() throws IOException {
    save(grey(4, 4, 1), root.resolve("full/x.png"), "png");
    Files.createDirectories(root.resolve("empty"));
    Files.writeString(root.resolve("empty/readme.txt"), "no images here");
    DataFormatException e = assertThrows(DataFormatException.class, () -> ImageFolder.scan(root));
    assertTrue(e.getMessage().startsWith(root.resolve("empty").toString()), e.getMessage());
    assertTrue(e.getMessage().contains("'empty' contains no .jpg, .jpeg or .png"));
  }

  @Test
  void corruptImagesAreNamed() throws IOException {
    byte[] noise = new byte[500];
    new Random(1).nextBytes(noise);
    Path random = root.resolve("c/x.jpg");
    Files.createDirectories(random.getParent());
    Files.write(random, noise);
    Path good =
        save(
            solid(64, 64, BufferedImage.TYPE_INT_RGB, Color.ORANGE),
            root.resolve("c/y.jpg"),
            "jpeg");
    byte[] jpeg = Files.readAllBytes(good);
    Path cut = root.resolve("c/z.jpg");
    Files.write(cut, Arrays.copyOf(jpeg, jpeg.length / 2));
    // Only the end-of-image marker missing: ImageIO decodes it but warns.
    Path noEnd = root.resolve("c/v.jpg");
    Files.write(noEnd, Arrays.copyOf(jpeg, jpeg.length - 2));
    Path pngCut = save(halves(64, 64), root.resolve("c/w.png"), "png");
    byte[] png = Files.readAllBytes(pngCut);
    Files.write(pngCut, Arrays.copyOf(png, png.length - 20));
    ImageFolder folder = ImageFolder.scan(root);
    ImageSpec spec = new ImageSpec(8, 8, 3);
    for (Path bad : List.of(random, cut, noEnd, pngCut)) {
      DataFormatException e =
          assertThrows(DataFormatException.class, () -> folder.load(new Entry(bad, 0), spec));
      assertTrue(e.getMessage().startsWith(bad.toString() + ": "), e.getMessage());
    }
    assertEquals(8 * 8 * 3, folder.load(new Entry(good, 0), spec).length);
  }

  @Test
  void missingOrInvalidRootIsNamed() throws IOException {
    Path missing = root.resolve("nope");
    NoSuchFileException e1 =
        assertThrows(NoSuchFileException.class, () -> ImageFolder.scan(missing));
    assertTrue(e1.getMessage().contains(missing.toString()), e1.getMessage());
    Path file = Files.writeString(root.resolve("file.txt"), "x");
    DataFormatException e2 = assertThrows(DataFormatException.class, () -> ImageFolder.scan(file));
    assertTrue(e2.getMessage().startsWith(file.toString()), e2.getMessage());
    Path noClasses = Files.createDirectories(root.resolve("empty-root"));
    DataFormatException e3 =
        assertThrows(DataFormatException.class, () -> ImageFolder.scan(noClasses));
    assertTrue(e3.getMessage().startsWith(noClasses + ": has no class sub-folders"));
  }

  @Test
  void deletedImageIsNamed() throws IOException {
    ImageFolder folder = smallFolder();
    Entry first = folder.entries().get(0);
    Files.delete(first.path());
    NoSuchFileException e =
        assertThrows(NoSuchFileException.class, () -> folder.load(first, new ImageSpec(4, 4, 1)));
    assertTrue(e.getMessage().contains(first.path().toString()));
    assertFalse(Files.exists(first.path()));
    assertNotEquals(0, folder.entries().size());
  }
}
