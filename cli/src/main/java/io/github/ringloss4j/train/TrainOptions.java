package io.github.ringloss4j.train;

import io.github.ringloss4j.model.Backbones;
import io.github.ringloss4j.penalty.Penalties;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.util.Locale;
import java.util.Properties;

/**
 * Every option of a training run. Saved in each checkpoint, so that {@code --resume}, {@code
 * evaluate} and {@code embed} rebuild the same model, and the report can name what produced it.
 *
 * @param data the data directory: Fashion-MNIST IDX files or an image folder; null for the built-in
 *     Fashion-MNIST
 * @param model the backbone name ({@link Backbones#NAMES})
 * @param embeddingSize the embedding dimension
 * @param imageSize the side of the square input for image folders (IDX data is 28)
 * @param channels 1 (grey) or 3 (colour) for image folders
 * @param lambda the ring weight λ; 0 trains softmax alone
 * @param penalty the penalty specification ({@link Penalties#parse})
 * @param radiusInit {@code first-batch} or a number
 * @param radiusFrozen whether R is frozen
 * @param radiusLrMultiplier R's learning-rate multiplier
 * @param optimizer {@code sgd} or {@code adam}
 * @param learningRate the base learning rate
 * @param momentum SGD momentum
 * @param weightDecay L2 weight decay (never applied to R)
 * @param schedule {@code cosine}, {@code step} or {@code constant}
 * @param epochs the number of epochs
 * @param batchSize the batch size
 * @param seed the seed of initialisation, shuffling, splitting and augmentation
 * @param validationFraction the share of training data held out for validation
 * @param augment random flip and crop for image folders
 * @param trainLimit train on n training items (0: all): a seeded sample of IDX data, the first n of
 *     an image folder's training split
 * @param head the classification head ({@code io.github.ringloss4j.head.Heads}), e.g. {@code
 *     softmax} or {@code arcface(s=30)}
 * @param centerLambda the center-loss weight λ_c; 0 for none
 */
public record TrainOptions(
    String data,
    String model,
    int embeddingSize,
    int imageSize,
    int channels,
    double lambda,
    String penalty,
    String radiusInit,
    boolean radiusFrozen,
    double radiusLrMultiplier,
    String optimizer,
    double learningRate,
    double momentum,
    double weightDecay,
    String schedule,
    int epochs,
    int batchSize,
    long seed,
    double validationFraction,
    boolean augment,
    int trainLimit,
    String head,
    double centerLambda) {

  /** Validates every option, naming the first bad one. */
  public TrainOptions {
    require(Backbones.NAMES.contains(model), "--model", model, "one of " + Backbones.NAMES);
    require(embeddingSize >= 1, "--embedding-size", embeddingSize, ">= 1");
    require(imageSize >= 8, "--image-size", imageSize, ">= 8");
    require(channels == 1 || channels == 3, "--channels", channels, "1 or 3");
    require(lambda >= 0 && Double.isFinite(lambda), "--lambda", lambda, "finite and >= 0");
    Penalties.parse(penalty);
    require(
        radiusInit.equals("first-batch") || isNonNegativeNumber(radiusInit),
        "--radius-init",
        radiusInit,
        "'first-batch' or a number >= 0");
    require(radiusLrMultiplier > 0, "--radius-lr-mult", radiusLrMultiplier, "> 0");
    require(
        optimizer.equals("sgd") || optimizer.equals("adam"),
        "--optimizer",
        optimizer,
        "sgd or adam");
    require(learningRate > 0, "--lr", learningRate, "> 0");
    require(momentum >= 0 && momentum < 1, "--momentum", momentum, "in [0, 1)");
    require(weightDecay >= 0, "--weight-decay", weightDecay, ">= 0");
    require(
        schedule.equals("cosine") || schedule.equals("step") || schedule.equals("constant"),
        "--schedule",
        schedule,
        "cosine, step or constant");
    require(epochs >= 1, "--epochs", epochs, ">= 1");
    require(batchSize >= 2, "--batch-size", batchSize, ">= 2");
    require(
        validationFraction >= 0 && validationFraction < 1,
        "--validation-fraction",
        validationFraction,
        "in [0, 1)");
    require(trainLimit >= 0, "--train-limit", trainLimit, ">= 0");
    io.github.ringloss4j.head.Heads.create(head, 2);
    require(
        centerLambda >= 0 && Double.isFinite(centerLambda),
        "--center-lambda",
        centerLambda,
        "finite and >= 0");
  }

  private static boolean isNonNegativeNumber(String s) {
    try {
      double v = Double.parseDouble(s);
      return v >= 0 && Double.isFinite(v);
    } catch (NumberFormatException e) {
      return false;
    }
  }

  private static void require(boolean ok, String option, Object value, String expected) {
    if (!ok) {
      throw new IllegalArgumentException(option + " must be " + expected + ", got " + value);
    }
  }

  /**
   * A short label for reports: {@code softmax} or {@code softmax + ring (λ=0.01, squared)}.
   *
   * @return the label
   */
  public String method() {
    String base = head.equals("softmax") ? "softmax" : head;
    if (centerLambda > 0) {
      base += String.format(Locale.ROOT, " + center (λc=%s)", centerLambda);
    }
    return lambda == 0
        ? base
        : String.format(Locale.ROOT, "%s + ring (λ=%s, %s)", base, lambda, penalty);
  }

  /**
   * The options as a properties text (sorted keys), for checkpoints and reports.
   *
   * @return the text
   */
  public String toPropertiesText() {
    Properties p = new Properties();
    p.setProperty("data", data == null ? "" : data);
    p.setProperty("model", model);
    p.setProperty("embeddingSize", Integer.toString(embeddingSize));
    p.setProperty("imageSize", Integer.toString(imageSize));
    p.setProperty("channels", Integer.toString(channels));
    p.setProperty("lambda", Double.toString(lambda));
    p.setProperty("penalty", penalty);
    p.setProperty("radiusInit", radiusInit);
    p.setProperty("radiusFrozen", Boolean.toString(radiusFrozen));
    p.setProperty("radiusLrMultiplier", Double.toString(radiusLrMultiplier));
    p.setProperty("optimizer", optimizer);
    p.setProperty("learningRate", Double.toString(learningRate));
    p.setProperty("momentum", Double.toString(momentum));
    p.setProperty("weightDecay", Double.toString(weightDecay));
    p.setProperty("schedule", schedule);
    p.setProperty("epochs", Integer.toString(epochs));
    p.setProperty("batchSize", Integer.toString(batchSize));
    p.setProperty("seed", Long.toString(seed));
    p.setProperty("validationFraction", Double.toString(validationFraction));
    p.setProperty("augment", Boolean.toString(augment));
    p.setProperty("trainLimit", Integer.toString(trainLimit));
    p.setProperty("head", head);
    p.setProperty("centerLambda", Double.toString(centerLambda));
    StringBuilder sb = new StringBuilder();
    p.stringPropertyNames().stream()
        .sorted()
        .forEach(k -> sb.append(k).append('=').append(escape(p.getProperty(k))).append('\n'));
    return sb.toString();
  }

  private static String escape(String v) {
    StringWriter w = new StringWriter();
    Properties one = new Properties();
    one.setProperty("k", v);
    try {
      one.store(w, null);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    String stored = w.toString().lines().filter(l -> l.startsWith("k=")).findFirst().orElse("k=");
    return stored.substring(2);
  }

  /**
   * Reads options written by {@link #toPropertiesText()}.
   *
   * @param text the text
   * @return the options
   * @throws IOException if a key is missing or malformed
   */
  public static TrainOptions fromPropertiesText(String text) throws IOException {
    Properties p = new Properties();
    p.load(new StringReader(text));
    try {
      String data = p.getProperty("data", "");
      return builder()
          .data(data.isEmpty() ? null : data)
          .model(get(p, "model"))
          .embeddingSize(Integer.parseInt(get(p, "embeddingSize")))
          .imageSize(Integer.parseInt(get(p, "imageSize")))
          .channels(Integer.parseInt(get(p, "channels")))
          .lambda(Double.parseDouble(get(p, "lambda")))
          .penalty(get(p, "penalty"))
          .radiusInit(get(p, "radiusInit"))
          .radiusFrozen(Boolean.parseBoolean(get(p, "radiusFrozen")))
          .radiusLrMultiplier(Double.parseDouble(get(p, "radiusLrMultiplier")))
          .optimizer(get(p, "optimizer"))
          .learningRate(Double.parseDouble(get(p, "learningRate")))
          .momentum(Double.parseDouble(get(p, "momentum")))
          .weightDecay(Double.parseDouble(get(p, "weightDecay")))
          .schedule(get(p, "schedule"))
          .epochs(Integer.parseInt(get(p, "epochs")))
          .batchSize(Integer.parseInt(get(p, "batchSize")))
          .seed(Long.parseLong(get(p, "seed")))
          .validationFraction(Double.parseDouble(get(p, "validationFraction")))
          .augment(Boolean.parseBoolean(get(p, "augment")))
          .trainLimit(Integer.parseInt(get(p, "trainLimit")))
          .head(get(p, "head"))
          .centerLambda(Double.parseDouble(get(p, "centerLambda")))
          .build();
    } catch (RuntimeException e) {
      throw new IOException("malformed training options: " + e.getMessage(), e);
    }
  }

  private static String get(Properties p, String key) throws IOException {
    String v = p.getProperty(key);
    if (v == null) {
      throw new IOException("training options lack '" + key + "'");
    }
    return v;
  }

  /**
   * The same options with another epoch count, for {@code --resume --epochs N}.
   *
   * @param newEpochs the epoch count
   * @return the options
   */
  public TrainOptions withEpochs(int newEpochs) {
    return toBuilder().epochs(newEpochs).build();
  }

  /**
   * The options with which to read data for evaluation or embedding: another data directory when
   * given, a chosen validation fraction, no augmentation and no limit.
   *
   * @param otherData a data directory, or null to keep this run's
   * @param fraction the validation fraction of the split
   * @return the options
   */
  public TrainOptions forReading(String otherData, double fraction) {
    return toBuilder()
        .data(otherData != null ? otherData : data)
        .validationFraction(fraction)
        .augment(false)
        .trainLimit(0)
        .build();
  }

  /**
   * R's learning-rate multiplier when none is given: ∂L/∂R is λ·mean(e), so with SGD 1/λ makes R's
   * step lr·mean(e) — R follows the mean norm at the base rate instead of λ times slower, a failure
   * of public ports. Adam normalises the gradient itself, so 1 suffices there.
   *
   * @param lambda the ring weight
   * @param optimizer {@code sgd} or {@code adam}
   * @return the multiplier
   */
  public static double autoRadiusLrMultiplier(double lambda, String optimizer) {
    return optimizer.equals("sgd") && lambda > 0 ? 1 / lambda : 1;
  }

  /**
   * A builder holding the command line's defaults.
   *
   * @return the builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * A builder holding these options.
   *
   * @return the builder
   */
  public Builder toBuilder() {
    return builder()
        .data(data)
        .model(model)
        .embeddingSize(embeddingSize)
        .imageSize(imageSize)
        .channels(channels)
        .lambda(lambda)
        .penalty(penalty)
        .radiusInit(radiusInit)
        .radiusFrozen(radiusFrozen)
        .radiusLrMultiplier(radiusLrMultiplier)
        .optimizer(optimizer)
        .learningRate(learningRate)
        .momentum(momentum)
        .weightDecay(weightDecay)
        .schedule(schedule)
        .epochs(epochs)
        .batchSize(batchSize)
        .seed(seed)
        .validationFraction(validationFraction)
        .augment(augment)
        .trainLimit(trainLimit)
        .head(head)
        .centerLambda(centerLambda);
  }

  /**
   * Builds {@link TrainOptions}; starts from the command line's defaults, and an unset R multiplier
   * resolves to {@link #autoRadiusLrMultiplier}.
   */
  public static final class Builder {
    private String data;
    private String model = "cnn";
    private int embeddingSize = 128;
    private int imageSize = 28;
    private int channels = 1;
    private double lambda = 0.01;
    private String penalty = "squared";
    private String radiusInit = "first-batch";
    private boolean radiusFrozen;
    private double radiusLrMultiplier = Double.NaN;
    private String optimizer = "sgd";
    private double learningRate = 0.01;
    private double momentum = 0.9;
    private double weightDecay = 5e-4;
    private String schedule = "cosine";
    private int epochs = 3;
    private int batchSize = 128;
    private long seed = 42;
    private double validationFraction = 0.1;
    private boolean augment;
    private int trainLimit;
    private String head = "softmax";
    private double centerLambda;

    private Builder() {}

    /**
     * @param v the data directory, null for Fashion-MNIST @return this builder
     */
    public Builder data(String v) {
      data = v;
      return this;
    }

    /**
     * @param v the backbone @return this builder
     */
    public Builder model(String v) {
      model = v;
      return this;
    }

    /**
     * @param v the embedding dimension @return this builder
     */
    public Builder embeddingSize(int v) {
      embeddingSize = v;
      return this;
    }

    /**
     * @param v the image side for folders @return this builder
     */
    public Builder imageSize(int v) {
      imageSize = v;
      return this;
    }

    /**
     * @param v 1 or 3 @return this builder
     */
    public Builder channels(int v) {
      channels = v;
      return this;
    }

    /**
     * @param v the ring weight λ @return this builder
     */
    public Builder lambda(double v) {
      lambda = v;
      return this;
    }

    /**
     * @param v the penalty specification @return this builder
     */
    public Builder penalty(String v) {
      penalty = v;
      return this;
    }

    /**
     * @param v {@code first-batch} or a number @return this builder
     */
    public Builder radiusInit(String v) {
      radiusInit = v;
      return this;
    }

    /**
     * @param v whether R is frozen @return this builder
     */
    public Builder radiusFrozen(boolean v) {
      radiusFrozen = v;
      return this;
    }

    /**
     * @param v R's learning-rate multiplier, NaN for automatic @return this builder
     */
    public Builder radiusLrMultiplier(double v) {
      radiusLrMultiplier = v;
      return this;
    }

    /**
     * @param v {@code sgd} or {@code adam} @return this builder
     */
    public Builder optimizer(String v) {
      optimizer = v;
      return this;
    }

    /**
     * @param v the learning rate @return this builder
     */
    public Builder learningRate(double v) {
      learningRate = v;
      return this;
    }

    /**
     * @param v the SGD momentum @return this builder
     */
    public Builder momentum(double v) {
      momentum = v;
      return this;
    }

    /**
     * @param v the weight decay @return this builder
     */
    public Builder weightDecay(double v) {
      weightDecay = v;
      return this;
    }

    /**
     * @param v the schedule @return this builder
     */
    public Builder schedule(String v) {
      schedule = v;
      return this;
    }

    /**
     * @param v the epochs @return this builder
     */
    public Builder epochs(int v) {
      epochs = v;
      return this;
    }

    /**
     * @param v the batch size @return this builder
     */
    public Builder batchSize(int v) {
      batchSize = v;
      return this;
    }

    /**
     * @param v the seed @return this builder
     */
    public Builder seed(long v) {
      seed = v;
      return this;
    }

    /**
     * @param v the validation fraction @return this builder
     */
    public Builder validationFraction(double v) {
      validationFraction = v;
      return this;
    }

    /**
     * @param v whether to augment @return this builder
     */
    public Builder augment(boolean v) {
      augment = v;
      return this;
    }

    /**
     * @param v the training-item limit, 0 for all @return this builder
     */
    public Builder trainLimit(int v) {
      trainLimit = v;
      return this;
    }

    /**
     * @param v the head specification @return this builder
     */
    public Builder head(String v) {
      head = v;
      return this;
    }

    /**
     * @param v the center-loss weight @return this builder
     */
    public Builder centerLambda(double v) {
      centerLambda = v;
      return this;
    }

    /**
     * Validates and builds.
     *
     * @return the options
     * @throws IllegalArgumentException naming the first bad option
     */
    public TrainOptions build() {
      double multiplier =
          Double.isNaN(radiusLrMultiplier)
              ? autoRadiusLrMultiplier(lambda, optimizer)
              : radiusLrMultiplier;
      return new TrainOptions(
          data,
          model,
          embeddingSize,
          imageSize,
          channels,
          lambda,
          penalty,
          radiusInit,
          radiusFrozen,
          multiplier,
          optimizer,
          learningRate,
          momentum,
          weightDecay,
          schedule,
          epochs,
          batchSize,
          seed,
          validationFraction,
          augment,
          trainLimit,
          head,
          centerLambda);
    }
  }
}
