package io.github.ringloss4j.training;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * The first n images of Debian's {@code dataset-fashion-mnist}, for the library's real-data test.
 * The application has the full, validating IDX reader; this is the minimum a test needs.
 */
final class FashionMnistSlice {

  final float[] pixels;
  final float[] labels;
  final int count;

  private FashionMnistSlice(float[] pixels, float[] labels, int count) {
    this.pixels = pixels;
    this.labels = labels;
    this.count = count;
  }

  static Path directory() {
    Path dir =
        Path.of(System.getProperty("fashion.mnist.dir", "/usr/share/datasets/fashion-mnist"));
    if (!Files.isDirectory(dir)) {
      throw new IllegalStateException(
          dir + " is missing: install it with 'sudo apt-get install dataset-fashion-mnist'");
    }
    return dir;
  }

  static FashionMnistSlice load(String prefix, int offset, int n) throws IOException {
    Path dir = directory();
    float[] pixels = new float[n * 784];
    float[] labels = new float[n];
    try (DataInputStream images = open(dir.resolve(prefix + "-images-idx3-ubyte.gz"));
        DataInputStream lab = open(dir.resolve(prefix + "-labels-idx1-ubyte.gz"))) {
      if (images.readInt() != 0x803 || lab.readInt() != 0x801) {
        throw new IOException("not Fashion-MNIST IDX files in " + dir);
      }
      images.skipNBytes(12 + (long) offset * 784);
      lab.skipNBytes(4 + offset);
      byte[] raw = new byte[n * 784];
      images.readFully(raw);
      for (int i = 0; i < raw.length; i++) {
        pixels[i] = (raw[i] & 0xff) / 255f;
      }
      for (int i = 0; i < n; i++) {
        labels[i] = lab.readUnsignedByte();
      }
    }
    return new FashionMnistSlice(pixels, labels, n);
  }

  private static DataInputStream open(Path file) throws IOException {
    InputStream in = new GZIPInputStream(Files.newInputStream(file), 1 << 16);
    return new DataInputStream(in);
  }
}
