package io.github.ringloss4j.app.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * The face protocol's identity-disjoint split: a seeded draw of the classes whose images are held
 * out of training altogether and form the test set, so every test identity is one the model has
 * never seen, as in face verification (LFW's people are not CASIA-WebFace's).
 *
 * @param seed the seed of the draw
 * @param testLabels the test identities' labels in the full data set, ascending
 * @param testNames their class names, in the same order
 * @param classes the number of classes of the full data set
 */
public record IdentitySplit(long seed, int[] testLabels, List<String> testNames, int classes) {

  /**
   * Draws the split.
   *
   * @param classNames the full data set's classes
   * @param spec {@code --test-identities}: a count N ≥ 2, or a fraction in (0, 1) of the classes
   * @param seed the seed
   * @return the split
   * @throws IllegalArgumentException naming {@code --test-identities} when the spec is not a count
   *     or fraction, or leaves fewer than 2 identities on either side
   */
  public static IdentitySplit draw(List<String> classNames, String spec, long seed) {
    int classes = classNames.size();
    int n = count(spec, classes);
    if (n < 2 || classes - n < 2) {
      throw new IllegalArgumentException(
          "--test-identities "
              + spec
              + " holds out "
              + n
              + " of the "
              + classes
              + " identities; both the test and the training side need at least 2");
    }
    int[] order = Permutations.of(classes, new Random(seed));
    int[] test = Arrays.copyOf(order, n);
    Arrays.sort(test);
    List<String> names = new ArrayList<>();
    for (int label : test) {
      names.add(classNames.get(label));
    }
    return new IdentitySplit(seed, test, List.copyOf(names), classes);
  }

  /** {@code --test-identities} as a count of the classes. */
  private static int count(String spec, int classes) {
    String s = spec.strip();
    try {
      if (s.matches("[0-9]+")) {
        return Integer.parseInt(s);
      }
      double fraction = Double.parseDouble(s);
      if (fraction > 0 && fraction < 1) {
        return (int) Math.round(fraction * classes);
      }
    } catch (NumberFormatException e) {
      // Named below.
    }
    throw new IllegalArgumentException(
        "--test-identities must be a count (e.g. 1000) or a fraction in (0, 1) (e.g. 0.2), got '"
            + spec
            + "'");
  }

  /**
   * The test labels as a list, for {@code --exclude-classes}.
   *
   * @return the labels, ascending
   */
  public List<Integer> testLabelList() {
    return Arrays.stream(testLabels).boxed().toList();
  }

  /**
   * As the report says it.
   *
   * @return e.g. "1000 of 3000 identities held out (seed 7)"
   */
  public String describe() {
    return String.format(
        Locale.ROOT,
        "%d of %d identities held out of training as the test identities (drawn with seed %d)",
        testLabels.length,
        classes,
        seed);
  }
}
