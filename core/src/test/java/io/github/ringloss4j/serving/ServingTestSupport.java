package io.github.ringloss4j.serving;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.XavierInitializer;
import io.github.ringloss4j.backbone.Backbones;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Random;
import javax.imageio.ImageIO;

/** Seeded networks, images written as PNG, and the reference forward pass for the serving tests. */
final class ServingTestSupport {

  private ServingTestSupport() {}

  /**
   * A network with seeded random weights, random BatchNorm running statistics and random PReLU
   * slopes, so that an export that dropped, reordered or re-initialised any of them could not
   * match.
   */
  static Block network(String backbone, int d, Backbones.Input input, NDManager manager, int seed) {
    return randomised(Backbones.create(backbone, d), input, manager, seed);
  }

  /**
   * A network of one's own, not a built-in one: conv3×3(6)–BN–ReLU–maxpool, FC(d), on any input of
   * at least 3×3.
   */
  static Block ownNetwork(int d) {
    return new SequentialBlock()
        .add(Conv2d.builder().setKernelShape(new Shape(3, 3)).setFilters(6).build())
        .add(BatchNorm.builder().build())
        .add(Activation::relu)
        .add(Pool.maxPool2dBlock(new Shape(2, 2)))
        .add(Blocks.batchFlattenBlock())
        .add(Linear.builder().setUnits(d).build());
  }

  /** {@code block} initialised for {@code input} with seeded random values everywhere. */
  static Block randomised(Block block, Backbones.Input input, NDManager manager, int seed) {
    Engine.getInstance().setRandomSeed(seed);
    block.setInitializer(new XavierInitializer(), Parameter.Type.WEIGHT);
    block.initialize(manager, DataType.FLOAT32, input.batchShape(1));
    Random random = new Random(seed);
    for (Parameter p : block.getParameters().values()) {
      Parameter.Type type = p.getType();
      if (type == Parameter.Type.RUNNING_MEAN
          || type == Parameter.Type.RUNNING_VAR
          || type == Parameter.Type.OTHER) {
        float[] values = new float[Math.toIntExact(p.getArray().size())];
        for (int i = 0; i < values.length; i++) {
          values[i] =
              switch (type) {
                case RUNNING_MEAN -> (float) (0.2 * random.nextGaussian());
                case RUNNING_VAR -> 0.5f + random.nextFloat();
                default -> 0.1f + 0.3f * random.nextFloat(); // PReLU slopes, 0.25 at initialisation
              };
        }
        p.getArray().set(values);
      }
    }
    return block;
  }

  /** The same parameters, by name and value, in the same order. */
  static void assertSameParameters(Block expected, Block actual) {
    assertEquals(expected.getParameters().keys(), actual.getParameters().keys());
    for (int i = 0; i < expected.getParameters().size(); i++) {
      assertArrayEquals(
          expected.getParameters().valueAt(i).getArray().toFloatArray(),
          actual.getParameters().valueAt(i).getArray().toFloatArray(),
          expected.getParameters().keyAt(i));
    }
  }

  /** An image of random pixels: grey (TYPE_BYTE_GRAY) for 1 channel, else TYPE_INT_RGB. */
  static BufferedImage randomImage(int channels, int height, int width, Random random) {
    BufferedImage image =
        new BufferedImage(
            width,
            height,
            channels == 1 ? BufferedImage.TYPE_BYTE_GRAY : BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        if (channels == 1) {
          image.getRaster().setSample(x, y, 0, random.nextInt(256));
        } else {
          image.setRGB(x, y, random.nextInt(1 << 24));
        }
      }
    }
    return image;
  }

  /** Writes a PNG, which stores the pixels losslessly. */
  static Path writePng(BufferedImage image, Path file) throws IOException {
    if (!ImageIO.write(image, "png", file.toFile())) {
      throw new IOException("no PNG writer");
    }
    return file;
  }

  /**
   * The network input of an image of exactly the input size, by hand from its pixel values: {@code
   * (v / 255 − mean) / std} in CHW order, optionally mirrored.
   */
  static float[] handTensor(BufferedImage image, Preprocessing p, boolean mirrored) {
    int c = p.input().channels();
    int h = image.getHeight();
    int w = image.getWidth();
    float[] mean = p.mean();
    float[] std = p.std();
    float[] out = new float[c * h * w];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int sx = mirrored ? w - 1 - x : x;
        for (int ch = 0; ch < c; ch++) {
          int v =
              c == 1
                  ? image.getRaster().getSample(sx, y, 0)
                  : (image.getRGB(sx, y) >> (16 - 8 * ch)) & 0xFF;
          out[(ch * h + y) * w + x] = (v / 255f - mean[ch]) / std[ch];
        }
      }
    }
    return out;
  }

  /** The network's output rows for inputs [k, c, h, w], in inference mode. */
  static float[][] forward(Block block, Backbones.Input input, float[]... tensors) {
    int size = input.channels() * input.height() * input.width();
    float[] batch = new float[tensors.length * size];
    for (int k = 0; k < tensors.length; k++) {
      System.arraycopy(tensors[k], 0, batch, k * size, size);
    }
    try (NDManager manager = NDManager.newBaseManager()) {
      NDList out =
          block.forward(
              new ParameterStore(manager, false),
              new NDList(manager.create(batch, input.batchShape(tensors.length))),
              false);
      float[] flat = out.singletonOrThrow().toFloatArray();
      int d = flat.length / tensors.length;
      float[][] rows = new float[tensors.length][d];
      for (int k = 0; k < tensors.length; k++) {
        System.arraycopy(flat, k * d, rows[k], 0, d);
      }
      return rows;
    }
  }

  /** Plain-Java flip-sum and L2 normalisation: f = Σ rows, then f / ‖f‖ in double if asked. */
  static float[] combine(float[][] rows, boolean l2) {
    float[] f = new float[rows[0].length];
    for (float[] row : rows) {
      for (int j = 0; j < f.length; j++) {
        f[j] += row[j];
      }
    }
    if (l2) {
      double s = 0;
      for (float v : f) {
        s += (double) v * v;
      }
      for (int j = 0; j < f.length; j++) {
        f[j] = (float) (f[j] / Math.sqrt(s));
      }
    }
    return f;
  }
}
