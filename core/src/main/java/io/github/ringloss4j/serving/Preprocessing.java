package io.github.ringloss4j.serving;

import io.github.ringloss4j.backbone.Backbones;
import java.util.Arrays;
import java.util.Objects;

/**
 * How an image becomes the network's input and how the network's output becomes the served
 * embedding; an export records it in {@code serving.properties} so that the directory alone
 * decides.
 *
 * <ol>
 *   <li>The image is converted, resized and centre-cropped to {@code input} as the application does
 *       (with the same code), giving values {@code x / 255} in [0, 1] for pixel values x.
 *   <li>Channel c is normalised: {@code (x / 255 − mean[c]) / std[c]}. The application trains on
 *       {@code x / 255} ({@link #of}: mean 0, std 1); ImageNet-style statistics or InsightFace's
 *       {@code (x / 255 − 0.5) / 0.5} are {@link #withNormalization} for networks trained so.
 *   <li>With {@code flipSum} the network embeds the image and its left-right mirror and the two
 *       embeddings are added, InsightFace's test-time protocol: {@code f = f(x) + f(mirror(x))}.
 *   <li>With {@code l2Normalize} the result is divided by its Euclidean norm, {@code f / ‖f‖} (a
 *       zero vector stays zero), the form cosine scoring compares; without it the raw norm, which
 *       Ring loss trains towards R, is kept.
 * </ol>
 *
 * @param input the network's input shape; its channels decide grey (BT.601 luma) or RGB
 * @param mean per-channel mean of {@code x / 255}, one per channel, finite
 * @param std per-channel standard deviation, one per channel, finite and positive
 * @param flipSum whether to add the mirror image's embedding
 * @param l2Normalize whether to L2-normalise the result
 */
public record Preprocessing(
    Backbones.Input input, float[] mean, float[] std, boolean flipSum, boolean l2Normalize) {

  /**
   * Validates the values and copies the arrays.
   *
   * @param input the input shape
   * @param mean the means
   * @param std the standard deviations
   * @param flipSum flip-sum or not
   * @param l2Normalize L2 or not
   * @throws IllegalArgumentException if {@code mean} or {@code std} does not have one finite value
   *     per channel or a standard deviation is not positive
   */
  public Preprocessing {
    Objects.requireNonNull(input, "input");
    mean = perChannel("mean", mean, input.channels()).clone();
    std = perChannel("std", std, input.channels()).clone();
    for (float s : std) {
      if (!(s > 0)) {
        throw new IllegalArgumentException("std must be positive, got " + Arrays.toString(std));
      }
    }
  }

  private static float[] perChannel(String name, float[] values, int channels) {
    Objects.requireNonNull(values, name);
    if (values.length != channels) {
      throw new IllegalArgumentException(
          name + " needs one value per channel (" + channels + "), got " + Arrays.toString(values));
    }
    for (float v : values) {
      if (!Float.isFinite(v)) {
        throw new IllegalArgumentException(
            name + " must be finite, got " + Arrays.toString(values));
      }
    }
    return values;
  }

  /**
   * The application's preprocessing for a network input: {@code x / 255} (mean 0, std 1), no
   * flip-sum, no L2 normalisation.
   *
   * @param input the network's input shape
   * @return the preprocessing
   */
  public static Preprocessing of(Backbones.Input input) {
    float[] std = new float[input.channels()];
    Arrays.fill(std, 1f);
    return new Preprocessing(input, new float[input.channels()], std, false, false);
  }

  /**
   * A copy with other per-channel statistics.
   *
   * @param mean one mean of {@code x / 255} per channel
   * @param std one positive standard deviation per channel
   * @return the new preprocessing
   * @throws IllegalArgumentException as the constructor
   */
  public Preprocessing withNormalization(float[] mean, float[] std) {
    return new Preprocessing(input, mean, std, flipSum, l2Normalize);
  }

  /**
   * A copy with flip-sum on or off.
   *
   * @param flipSum whether to add the mirror image's embedding
   * @return the new preprocessing
   */
  public Preprocessing withFlipSum(boolean flipSum) {
    return new Preprocessing(input, mean, std, flipSum, l2Normalize);
  }

  /**
   * A copy with L2 normalisation on or off.
   *
   * @param l2Normalize whether to divide the embedding by its norm
   * @return the new preprocessing
   */
  public Preprocessing withL2Normalize(boolean l2Normalize) {
    return new Preprocessing(input, mean, std, flipSum, l2Normalize);
  }

  /**
   * The per-channel means.
   *
   * @return a copy
   */
  @Override
  public float[] mean() {
    return mean.clone();
  }

  /**
   * The per-channel standard deviations.
   *
   * @return a copy
   */
  @Override
  public float[] std() {
    return std.clone();
  }

  /**
   * Normalises CHW values {@code x / 255} in place: {@code (v − mean[c]) / std[c]} in float, which
   * leaves them bit for bit unchanged for mean 0 and std 1.
   *
   * @param chw {@code channels × height × width} values of the input shape
   * @return {@code chw}
   * @throws IllegalArgumentException if the length does not match the input shape
   */
  public float[] normalize(float[] chw) {
    int plane = input.height() * input.width();
    if (chw.length != input.channels() * plane) {
      throw new IllegalArgumentException(
          "expected " + input + " = " + input.channels() * plane + " values, got " + chw.length);
    }
    return normalize(chw, 0);
  }

  /**
   * Normalises one input's CHW values {@code x / 255} in place where they start in a larger array
   * (a batch): the same arithmetic as {@link #normalize(float[])}, so that an application feeding
   * batches computes bit for bit the inputs a service computes.
   *
   * @param values holds {@code channels × height × width} values of the input shape from {@code
   *     offset}
   * @param offset where the input starts
   * @return {@code values}
   * @throws IndexOutOfBoundsException if the input does not fit in {@code values} from {@code
   *     offset}
   */
  public float[] normalize(float[] values, int offset) {
    int plane = input.height() * input.width();
    Objects.checkFromIndexSize(offset, input.channels() * plane, values.length);
    for (int c = 0; c < input.channels(); c++) {
      int from = offset + c * plane;
      for (int i = from; i < from + plane; i++) {
        values[i] = (values[i] - mean[c]) / std[c];
      }
    }
    return values;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Preprocessing p
        && input.equals(p.input)
        && Arrays.equals(mean, p.mean)
        && Arrays.equals(std, p.std)
        && flipSum == p.flipSum
        && l2Normalize == p.l2Normalize;
  }

  @Override
  public int hashCode() {
    return Objects.hash(input, Arrays.hashCode(mean), Arrays.hashCode(std), flipSum, l2Normalize);
  }

  @Override
  public String toString() {
    return "Preprocessing[input="
        + input
        + ", mean="
        + Arrays.toString(mean)
        + ", std="
        + Arrays.toString(std)
        + ", flipSum="
        + flipSum
        + ", l2Normalize="
        + l2Normalize
        + "]";
  }
}
