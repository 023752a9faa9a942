package io.github.ringloss4j.serving;

import ai.djl.modality.cv.Image;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.translate.Batchifier;
import ai.djl.translate.Translator;
import ai.djl.translate.TranslatorContext;
import io.github.ringloss4j.backbone.Backbones;
import io.github.ringloss4j.internal.ImagePixels;
import java.awt.image.BufferedImage;
import java.util.Objects;

/**
 * Turns a DJL {@link Image} into an embedding with an embedding network, as {@link Preprocessing}
 * describes: the application's resize and centre crop (the same code as its {@code ImageFolder}),
 * grey or RGB, {@code (x / 255 − mean) / std} per channel, optionally the sum with the mirror
 * image's embedding, optionally L2-normalised.
 *
 * <p>Each image becomes k rows of the network's input batch, k = 2 with flip-sum (the image, then
 * its mirror) and 1 without, so that {@code Predictor.batchPredict} runs one forward pass for all
 * images; the output rows of an image are added in that order, {@code f(x) + f(mirror(x))}, in
 * float. Images wrapping a {@link BufferedImage} (DJL's default {@code BufferedImageFactory}) are
 * read directly, exactly as the application reads files; others through {@link
 * Image#toNDArray(NDManager, Image.Flag)} as 8-bit RGB.
 *
 * <p>Instances are immutable and may serve several predictors at once.
 */
public final class EmbeddingTranslator implements Translator<Image, float[]> {

  private final Preprocessing preprocessing;
  private final int rowsPerImage;
  private final Batchifier batchifier;

  /**
   * Creates the translator.
   *
   * @param preprocessing the steps, including the network's input shape
   */
  public EmbeddingTranslator(Preprocessing preprocessing) {
    this.preprocessing = Objects.requireNonNull(preprocessing, "preprocessing");
    this.rowsPerImage = preprocessing.flipSum() ? 2 : 1;
    this.batchifier = new RowBatchifier(rowsPerImage);
  }

  /**
   * The steps this translator applies.
   *
   * @return the preprocessing
   */
  public Preprocessing getPreprocessing() {
    return preprocessing;
  }

  /**
   * The network input of one image: [k, channels, height, width] with k = 2 (image, mirror) under
   * flip-sum, else 1.
   *
   * @param ctx the predictor's context, whose manager owns the array
   * @param image the image, any size
   * @return the input
   */
  @Override
  public NDList processInput(TranslatorContext ctx, Image image) {
    Backbones.Input input = preprocessing.input();
    BufferedImage view =
        ImagePixels.render(
            rgb(image, ctx.getNDManager()),
            input.height(),
            input.width(),
            input.height(),
            input.width(),
            0,
            0);
    int size = input.channels() * input.height() * input.width();
    float[] rows = new float[rowsPerImage * size];
    for (int k = 0; k < rowsPerImage; k++) {
      float[] chw = preprocessing.normalize(ImagePixels.toChw(view, input.channels(), k == 1));
      System.arraycopy(chw, 0, rows, k * size, size);
    }
    return new NDList(ctx.getNDManager().create(rows, input.batchShape(rowsPerImage)));
  }

  /**
   * The embedding of one image from its k output rows [k, d]: their sum, then, if asked, divided by
   * its norm (computed in double; a zero vector stays zero).
   *
   * @param ctx the predictor's context
   * @param list the network's output for one image, a single [k, d] array
   * @return the embedding, d floats
   * @throws IllegalArgumentException if the output is not one [k, d] array
   */
  @Override
  public float[] processOutput(TranslatorContext ctx, NDList list) {
    NDArray out = list.singletonOrThrow();
    if (out.getShape().dimension() != 2 || out.getShape().get(0) != rowsPerImage) {
      throw new IllegalArgumentException(
          "the embedding network must output [" + rowsPerImage + ", d], got " + out.getShape());
    }
    float[] rows = out.toType(DataType.FLOAT32, false).toFloatArray();
    int d = rows.length / rowsPerImage;
    float[] f = new float[d];
    for (int k = 0; k < rowsPerImage; k++) {
      for (int j = 0; j < d; j++) {
        f[j] += rows[k * d + j];
      }
    }
    return preprocessing.l2Normalize() ? l2Normalized(f) : f;
  }

  private static float[] l2Normalized(float[] f) {
    double s = 0;
    for (float v : f) {
      s += (double) v * v;
    }
    double inv = s > 0 ? 1 / Math.sqrt(s) : 0;
    for (int j = 0; j < f.length; j++) {
      f[j] = (float) (f[j] * inv);
    }
    return f;
  }

  /**
   * Concatenates images' rows along the batch axis (not DJL's stacking, which would add an axis).
   *
   * @return the batchifier for k rows per image
   */
  @Override
  public Batchifier getBatchifier() {
    return batchifier;
  }

  private static BufferedImage rgb(Image image, NDManager manager) {
    if (image.getWrappedImage() instanceof BufferedImage buffered) {
      return ImagePixels.toRgb(buffered);
    }
    try (NDArray hwc = image.toNDArray(manager, Image.Flag.COLOR)) {
      int h = Math.toIntExact(hwc.getShape().get(0));
      int w = Math.toIntExact(hwc.getShape().get(1));
      int[] bytes = hwc.toType(DataType.INT32, false).toIntArray();
      BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
      int[] pixels = new int[w * h];
      for (int i = 0; i < pixels.length; i++) {
        pixels[i] = (bytes[3 * i] << 16) | (bytes[3 * i + 1] << 8) | bytes[3 * i + 2];
      }
      out.setRGB(0, 0, w, h, pixels, 0, w);
      return out;
    }
  }
}
