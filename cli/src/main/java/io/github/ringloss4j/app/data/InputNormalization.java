package io.github.ringloss4j.app.data;

import io.github.ringloss4j.backbone.Backbones;
import io.github.ringloss4j.serving.Preprocessing;
import java.io.IOException;
import java.util.Arrays;
import java.util.Random;

/**
 * A run's input normalisation: the network is fed {@code (x / 255 − mean[c]) / std[c]} for channel
 * c, where {@code x / 255} are the values in [0, 1] a source reads. The default, mean 0 and std 1,
 * is {@code x / 255} itself; a network imported from InsightFace expects mean 0.5 and std 0.5.
 *
 * <p>Applied where a source's items become the network's input ({@link #applyTo}, {@link
 * #preprocessing}), with core's {@link Preprocessing#normalize(float[], int)}: the arithmetic of an
 * exported model's translator, so that a run and its export compute bit for bit the same inputs.
 * The default is no work at all: {@link #applyTo} then returns the source itself.
 */
public final class InputNormalization {

  /** The per-channel statistics, held (and checked) by core as those of a 1×1 input. */
  private final Preprocessing statistics;

  /**
   * Validates the values.
   *
   * @param mean one mean of {@code x / 255} per channel, finite
   * @param std one standard deviation per channel, finite and positive
   * @throws IllegalArgumentException unless both have one value per channel (1 or 3), the means
   *     finite and the standard deviations finite and positive
   */
  public InputNormalization(float[] mean, float[] std) {
    this(identity(mean.length).statistics.withNormalization(mean, std));
  }

  private InputNormalization(Preprocessing statistics) {
    this.statistics = statistics;
  }

  /**
   * {@code x / 255} as it is: mean 0, std 1.
   *
   * @param channels 1 or 3
   * @return the identity
   */
  public static InputNormalization identity(int channels) {
    return new InputNormalization(Preprocessing.of(new Backbones.Input(channels, 1, 1)));
  }

  /**
   * The channels.
   *
   * @return 1 or 3
   */
  public int channels() {
    return statistics.input().channels();
  }

  /**
   * Whether it leaves the values as they are: mean 0 and std 1 in every channel.
   *
   * @return true for {@code x / 255} itself
   */
  public boolean isIdentity() {
    return statistics.equals(Preprocessing.of(statistics.input()));
  }

  /**
   * The per-channel means.
   *
   * @return a copy
   */
  public float[] mean() {
    return statistics.mean();
  }

  /**
   * The per-channel standard deviations.
   *
   * @return a copy
   */
  public float[] std() {
    return statistics.std();
  }

  /**
   * Core's preprocessing of an input shape with this normalisation (no flip-sum, no L2), as an
   * export records it.
   *
   * @param input the network's input shape, with {@link #channels} channels
   * @return the preprocessing
   * @throws IllegalArgumentException if the channels differ
   */
  public Preprocessing preprocessing(Backbones.Input input) {
    return Preprocessing.of(input).withNormalization(statistics.mean(), statistics.std());
  }

  /**
   * Core's preprocessing of a run's input shape with this normalisation.
   *
   * @param spec the input shape, with {@link #channels} channels
   * @return the preprocessing
   * @throws IllegalArgumentException if the channels differ
   */
  public Preprocessing preprocessing(ImageSpec spec) {
    return preprocessing(new Backbones.Input(spec.channels(), spec.height(), spec.width()));
  }

  /**
   * A source whose items are normalised after they are read (on the batch reader's workers, not on
   * the thread that runs the network).
   *
   * @param source the items, values {@code x / 255}
   * @return {@code source} itself for the identity, else a source reading normalised items
   * @throws IllegalArgumentException if the source's channels are not {@link #channels}
   */
  public LabelledSource applyTo(LabelledSource source) {
    if (isIdentity()) {
      return source;
    }
    int[] shape = source.itemShape();
    Preprocessing p = preprocessing(new ImageSpec(shape[1], shape[2], shape[0]));
    return new ForwardingSource(source) {
      @Override
      public void read(int index, float[] destination, int offset, Random augmentation)
          throws IOException {
        source.read(index, destination, offset, augmentation);
        p.normalize(destination, offset);
      }
    };
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof InputNormalization n && statistics.equals(n.statistics);
  }

  @Override
  public int hashCode() {
    return statistics.hashCode();
  }

  /**
   * As typed: {@code (x/255 − [0.5, 0.5, 0.5]) / [0.5, 0.5, 0.5]}.
   *
   * @return the formula
   */
  @Override
  public String toString() {
    return isIdentity()
        ? "x/255"
        : "(x/255 − " + Arrays.toString(mean()) + ") / " + Arrays.toString(std());
  }
}
