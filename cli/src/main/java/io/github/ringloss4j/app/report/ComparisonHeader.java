package io.github.ringloss4j.app.report;

import io.github.ringloss4j.app.model.ModelOptions;
import io.github.ringloss4j.app.model.OptimizerKind;
import io.github.ringloss4j.app.model.OptimizerOptions;
import io.github.ringloss4j.app.model.RadiusStart;
import io.github.ringloss4j.app.model.RingOptions;
import io.github.ringloss4j.app.train.TrainOptions;
import java.math.BigDecimal;
import java.util.List;
import java.util.Locale;
import java.util.SortedSet;
import java.util.stream.Collectors;

/**
 * The head of {@code results.md}: what produced it, on which machine, on which data, and what every
 * run shares, each told from what ran (the running engine, the data the runs were given, the runs'
 * own options) rather than from constants.
 *
 * @param command the command line
 * @param minutes this call's wall time
 * @param trainingMinutes the runs' own summed training time, reused runs included
 * @param machine where it ran
 * @param data the closed-set data (or the first protocol's)
 * @param shared what every run shares: the first run's options
 * @param seeds the seeds
 * @param pairs how the verification pairs were drawn
 * @param openSet the open-set protocol, or null when it did not run
 * @param probeSides the low-resolution probe sides, possibly none
 * @param face whether the runs follow the face protocol (an identity-disjoint split)
 */
public record ComparisonHeader(
    String command,
    double minutes,
    double trainingMinutes,
    Machine machine,
    Data data,
    TrainOptions shared,
    List<Long> seeds,
    String pairs,
    OpenSet openSet,
    List<Integer> probeSides,
    boolean face) {

  /**
   * The data of one protocol, as its runs were given them.
   *
   * @param source what the data are, e.g. "Fashion-MNIST (Debian's dataset-fashion-mnist)"
   * @param trainingImages the images each run drew its training and validation items from, the
   *     distinct counts over the runs (one when every run had as many)
   * @param testImages the test images evaluated on, the distinct counts over the runs' test sets
   * @param classes the classes of the data
   * @param side the images' side in pixels
   */
  public record Data(
      String source,
      SortedSet<Integer> trainingImages,
      SortedSet<Integer> testImages,
      int classes,
      int side) {}

  /**
   * The open-set protocol.
   *
   * @param data its data: per fold, the training images of the classes not held out and the test
   *     images of the held-out ones
   * @param heldOutClasses the classes each fold holds out
   * @param folds the folds, e.g. "{0,1}, {2,3}, {4,5}, {6,7}, {8,9}"
   * @param foldCount how many
   * @param rule which runs hold out which fold, e.g. "seed number k, from 0, holds out fold k mod
   *     5"
   * @param heldOut which classes these runs held out, one or two sentences
   */
  public record OpenSet(
      Data data, int heldOutClasses, String folds, int foldCount, String rule, String heldOut) {}

  /**
   * The Markdown.
   *
   * @return the title and the paragraphs, each ending with a line break
   */
  public String markdown() {
    ModelOptions model = shared.model();
    OptimizerOptions optimizer = shared.optimizer();
    RingOptions ring = shared.ring();
    String header =
        String.format(
            Locale.ROOT,
            "# Results: ring loss against the heads the paper compares with%n%n"
                + "Produced by `%s` in %.1f minutes (finished runs are reused: their summary.json"
                + " when it was evaluated the same way, else their checkpoint, so a rerun only"
                + " re-evaluates or only tabulates; the runs' own training took %.1f minutes in"
                + " all), on %s.%n%n"
                + "Data: %s, %s training images per run (%s; %s%% of it held out for"
                + " validation), the %s test images %sfor evaluation. Every method: the same %s"
                + " backbone (%d-d embedding), %s, learning rate %s with a %s schedule, weight"
                + " decay %s, batch %d, %d epochs, seeds %s. Ring runs: %s penalty, %s, R"
                + " learning-rate multiplier %s. Verification: %s, cosine score.%s%n",
            command,
            minutes,
            trainingMinutes,
            machine,
            data.source(),
            count(data.trainingImages()),
            face
                ? "every image of the training identities"
                    + (shared.data().trainLimit() > 0 ? ", at most --train-limit" : "")
                : "a seeded sample",
            percent(shared.data().validationFraction()),
            count(data.testImages()),
            face ? "of the test identities " : "",
            model.backbone().toString().toUpperCase(Locale.ROOT),
            model.embeddingSize(),
            optimizer.kind() == OptimizerKind.SGD
                ? "SGD momentum " + plain(optimizer.momentum())
                : optimizer.kind().toString().toUpperCase(Locale.ROOT),
            optimizer.learningRate(),
            optimizer.schedule(),
            plain(optimizer.weightDecay()),
            shared.run().batchSize(),
            shared.run().epochs(),
            seeds.stream().map(String::valueOf).collect(Collectors.joining(", ")),
            ring.penalty(),
            ring.radiusInit().text().equals(RadiusStart.FIRST_BATCH)
                ? "R from the first batch's mean norm"
                : "R from " + ring.radiusInit(),
            ring.radiusLrMultiplierRule(optimizer.kind()),
            pairs,
            probeSides.isEmpty()
                ? ""
                : String.format(
                    Locale.ROOT,
                    " Low resolution (probe sides %s): the second image of each pair is reduced to"
                        + " the given side by area averaging and brought back to %d px bilinearly;"
                        + " the first stays at full resolution.",
                    probeSides.stream().map(String::valueOf).collect(Collectors.joining(", ")),
                    data.side()));
    if (openSet == null) {
      return header;
    }
    Data open = openSet.data();
    int trained = open.classes() - openSet.heldOutClasses();
    // "all" when the sample is the whole data: no limit, or one the data did not reach.
    int limit = shared.data().trainLimit();
    return header
        + String.format(
            Locale.ROOT,
            "%nOpen set: each run trains on %d of the %d classes (the head has %d classes) and is"
                + " verified on the test images of the %d it never saw; the held-out pair is one"
                + " of %d folds, %s (%s). %s The training sample (%s images) is drawn from the %d"
                + " classes only. Verification only: identification among %d classes is trivial;"
                + " no classification accuracy. Pairs per fold: as above, drawn from the fold's"
                + " %s test images.%n",
            trained,
            open.classes(),
            trained,
            openSet.heldOutClasses(),
            openSet.foldCount(),
            openSet.folds(),
            openSet.rule(),
            openSet.heldOut(),
            (limit == 0 || limit > open.trainingImages().last() ? "all " : "")
                + count(open.trainingImages()),
            trained,
            openSet.heldOutClasses(),
            count(open.testImages()));
  }

  /** A count as written by hand, or the range of several: "60,000", "1,990 to 2,010". */
  static String count(SortedSet<Integer> counts) {
    String first = String.format(Locale.ROOT, "%,d", counts.first());
    return counts.size() == 1
        ? first
        : first + " to " + String.format(Locale.ROOT, "%,d", counts.last());
  }

  /** A number as written by hand: 0.0005, not 5.0E-4; 10, not 10.0. */
  private static String plain(double value) {
    return plain(new BigDecimal(Double.toString(value)));
  }

  /** A share as a percentage written by hand: 10 for 0.1 (not 10.000000000000002). */
  private static String percent(double share) {
    return plain(new BigDecimal(Double.toString(share)).movePointRight(2));
  }

  private static String plain(BigDecimal value) {
    return value.stripTrailingZeros().toPlainString();
  }
}
