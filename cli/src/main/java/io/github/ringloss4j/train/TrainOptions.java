package io.github.ringloss4j.train;

import io.github.ringloss4j.models.Backbones;
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
      return new TrainOptions(
          data.isEmpty() ? null : data,
          get(p, "model"),
          Integer.parseInt(get(p, "embeddingSize")),
          Integer.parseInt(get(p, "imageSize")),
          Integer.parseInt(get(p, "channels")),
          Double.parseDouble(get(p, "lambda")),
          get(p, "penalty"),
          get(p, "radiusInit"),
          Boolean.parseBoolean(get(p, "radiusFrozen")),
          Double.parseDouble(get(p, "radiusLrMultiplier")),
          get(p, "optimizer"),
          Double.parseDouble(get(p, "learningRate")),
          Double.parseDouble(get(p, "momentum")),
          Double.parseDouble(get(p, "weightDecay")),
          get(p, "schedule"),
          Integer.parseInt(get(p, "epochs")),
          Integer.parseInt(get(p, "batchSize")),
          Long.parseLong(get(p, "seed")),
          Double.parseDouble(get(p, "validationFraction")),
          Boolean.parseBoolean(get(p, "augment")),
          Integer.parseInt(get(p, "trainLimit")),
          get(p, "head"),
          Double.parseDouble(get(p, "centerLambda")));
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
        radiusLrMultiplier,
        optimizer,
        learningRate,
        momentum,
        weightDecay,
        schedule,
        newEpochs,
        batchSize,
        seed,
        validationFraction,
        augment,
        trainLimit,
        head,
        centerLambda);
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
    return new TrainOptions(
        otherData != null ? otherData : data,
        model,
        embeddingSize,
        imageSize,
        channels,
        lambda,
        penalty,
        radiusInit,
        radiusFrozen,
        radiusLrMultiplier,
        optimizer,
        learningRate,
        momentum,
        weightDecay,
        schedule,
        epochs,
        batchSize,
        seed,
        fraction,
        false,
        0,
        head,
        centerLambda);
  }
}
