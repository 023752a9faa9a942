package io.github.ringloss4j.app.cli;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.zip.GZIPOutputStream;
import javax.imageio.ImageIO;

/** Small data sets the end-to-end tests write for themselves. */
final class TinyData {

  private TinyData() {}

  /**
   * IDX files in the Fashion-MNIST layout: 3 classes drawn as a bright bar at a class-specific row,
   * with noise, so a small network separates them in a few steps.
   */
  static Path idx(Path dir, int train, int test, long seed) throws IOException {
    return idx(dir, train, test, seed, 3);
  }

  /** As {@link #idx(Path, int, int, long)} with the given number of classes (up to 28). */
  static Path idx(Path dir, int train, int test, long seed, int classes) throws IOException {
    Files.createDirectories(dir);
    Random random = new Random(seed);
    write(dir, "train", train, random, classes);
    write(dir, "t10k", test, random, classes);
    return dir;
  }

  private static void write(Path dir, String prefix, int n, Random random, int classes)
      throws IOException {
    byte[] pixels = new byte[n * 784];
    byte[] labels = new byte[n];
    for (int i = 0; i < n; i++) {
      int label = i % classes;
      labels[i] = (byte) label;
      for (int r = 0; r < 28; r++) {
        for (int c = 0; c < 28; c++) {
          boolean bar = (classes == 3 ? r / 9 : r * classes / 28) == label;
          int v = (bar ? 200 : 20) + random.nextInt(40);
          pixels[i * 784 + r * 28 + c] = (byte) v;
        }
      }
    }
    try (DataOutputStream out = gzip(dir.resolve(prefix + "-images-idx3-ubyte.gz"))) {
      out.writeInt(0x803);
      out.writeInt(n);
      out.writeInt(28);
      out.writeInt(28);
      out.write(pixels);
    }
    try (DataOutputStream out = gzip(dir.resolve(prefix + "-labels-idx1-ubyte.gz"))) {
      out.writeInt(0x801);
      out.writeInt(n);
      out.write(labels);
    }
  }

  private static DataOutputStream gzip(Path file) throws IOException {
    OutputStream raw = Files.newOutputStream(file);
    return new DataOutputStream(new GZIPOutputStream(raw));
  }

  /**
   * An LFW-style folder: identities id0..id(k−1), each with m PNG images of a class-specific colour
   * and position, plus a 2-fold pairs.txt with n matched and n mismatched pairs per fold.
   */
  static Path faces(Path root, int identities, int perIdentity, long seed) throws IOException {
    Random random = new Random(seed);
    for (int id = 0; id < identities; id++) {
      String name = "id" + id;
      Path dir = Files.createDirectories(root.resolve(name));
      for (int j = 1; j <= perIdentity; j++) {
        BufferedImage image = new BufferedImage(20, 18, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setColor(new Color(30 + random.nextInt(20), 30, 30));
        g.fillRect(0, 0, 20, 18);
        g.setColor(new Color(80 * id % 256, 255 - 60 * id % 256, 100 + 40 * id % 156));
        g.fillRect(2 + 4 * id % 12, 3, 6, 10);
        g.dispose();
        ImageIO.write(image, "png", dir.resolve(String.format("%s_%04d.png", name, j)).toFile());
      }
    }
    StringBuilder pairs = new StringBuilder("2\t3\n");
    for (int fold = 0; fold < 2; fold++) {
      for (int p = 0; p < 3; p++) {
        int id = (fold * 3 + p) % identities;
        pairs
            .append("id")
            .append(id)
            .append('\t')
            .append(1)
            .append('\t')
            .append(2 + p % (perIdentity - 1))
            .append('\n');
      }
      for (int p = 0; p < 3; p++) {
        int a = (fold + p) % identities;
        int b = (a + 1) % identities;
        pairs
            .append("id")
            .append(a)
            .append("\t1\tid")
            .append(b)
            .append('\t')
            .append(1 + p % perIdentity)
            .append('\n');
      }
    }
    Files.writeString(root.resolve("pairs.txt"), pairs.toString());
    return root;
  }
}
