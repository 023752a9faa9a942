package io.github.ringloss4j.app.eval;

import io.github.ringloss4j.app.data.DataOptions;
import io.github.ringloss4j.app.data.Datasets;
import io.github.ringloss4j.app.data.LabelledSource;
import io.github.ringloss4j.app.data.PairsFile;
import io.github.ringloss4j.app.io.DataFormatException;
import io.github.ringloss4j.app.train.Checkpoint;
import io.github.ringloss4j.app.train.TrainOptions;
import io.github.ringloss4j.metrics.PairSampler;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Chooses the items and the pairs an evaluation scores. */
public final class EvaluationData {

  private EvaluationData() {}

  /**
   * The items to embed and the pairs to verify, with the data they are read from; closing it closes
   * the data (a packed set's file).
   *
   * @param source the items
   * @param pairs the verification pairs, indices into {@code source}
   * @param data the opened data set {@code source} reads
   */
  public record Prepared(LabelledSource source, Evaluation.PairSet pairs, Datasets.Splits data)
      implements Closeable {

    /**
     * Closes the data; {@code source} cannot be read afterwards.
     *
     * @throws IOException if closing fails
     */
    @Override
    public void close() throws IOException {
      data.close();
    }
  }

  /**
   * The test items of a run's data (or of {@code data} when given), with pairs from {@code
   * pairsFile} when given, else drawn from the labels.
   *
   * @param checkpoint the trained run
   * @param data another data directory, or null for the run's
   * @param pairsFile an LFW-style pairs file for an image folder, or null
   * @param pairsPerKind genuine and impostor pairs to draw when there is no pairs file
   * @param seed the seed of the drawing
   * @return the prepared data
   * @throws IOException naming the file when something is missing or malformed
   */
  public static Prepared prepare(
      Checkpoint checkpoint, Path data, Path pairsFile, int pairsPerKind, long seed)
      throws IOException {
    TrainOptions o = checkpoint.options();
    long runSeed = o.run().seed();
    // With a pairs file every image of the folder is a candidate, so nothing is held out.
    DataOptions target =
        o.data().forReading(data, pairsFile == null ? o.data().validationFraction() : 0);
    Path dataDir = Datasets.directory(target.directory());
    if (pairsFile == null) {
      Datasets.Splits opened = Datasets.open(target, runSeed);
      try {
        LabelledSource test = opened.test();
        Datasets.requireModelInput(test, o.data(), dataDir);
        if (!Evaluation.PairSet.available(test.labels())) {
          PairSampler.Available a = PairSampler.available(test.labels());
          throw new DataFormatException(
              dataDir,
              "its "
                  + test.size()
                  + " test items allow "
                  + a.genuine()
                  + " genuine and "
                  + a.impostor()
                  + " impostor pairs; verification needs at least 2 of each (classes with two or"
                  + " more test items): evaluate with --pairs FILE or, for an image folder, whose"
                  + " test items are the run's held-out share, train with a larger"
                  + " --validation-fraction");
        }
        return new Prepared(
            test, Evaluation.PairSet.sampled(test.labels(), pairsPerKind, seed), opened);
      } catch (IOException | RuntimeException e) {
        opened.close();
        throw e;
      }
    }
    Path root = Datasets.directory(target.directory());
    if (Datasets.isIdx(root) || Datasets.isPacked(root)) {
      throw new IllegalArgumentException(
          "--pairs needs --data to be an image folder (LFW layout), not "
              + (Datasets.isIdx(root) ? "IDX files: " : "a packed set: ")
              + root);
    }
    PairsFile parsed = PairsFile.parse(pairsFile);
    parsed.checkImagesExist(root);
    // An image folder holds no open file: the splits need no closing before the pairs are read.
    Datasets.Splits opened = Datasets.open(target, runSeed);
    LabelledSource all = opened.train();
    Map<Path, Integer> index = new HashMap<>();
    for (int i = 0; i < all.size(); i++) {
      index.put(Path.of(all.sourceOf(i)).toAbsolutePath().normalize(), i);
    }
    List<PairsFile.Pair> list = parsed.pairs();
    int[] first = new int[list.size()];
    int[] second = new int[list.size()];
    boolean[] genuine = new boolean[list.size()];
    int[] fold = new int[list.size()];
    for (int p = 0; p < list.size(); p++) {
      PairsFile.Pair pair = list.get(p);
      first[p] = lookup(index, parsed.resolve(root, pair.name1(), pair.index1()), pairsFile, pair);
      second[p] = lookup(index, parsed.resolve(root, pair.name2(), pair.index2()), pairsFile, pair);
      genuine[p] = pair.genuine();
      fold[p] = pair.fold();
    }
    return new Prepared(
        all,
        new Evaluation.PairSet(
            first,
            second,
            genuine,
            fold,
            parsed.folds(),
            "pairs from " + pairsFile + " (" + parsed.folds() + " folds)"),
        opened);
  }

  private static int lookup(Map<Path, Integer> index, Path image, Path file, PairsFile.Pair pair)
      throws IOException {
    Integer i = index.get(image.toAbsolutePath().normalize());
    if (i == null) {
      throw DataFormatException.atLine(
          file, pair.line(), image + " is not an image of the folder's identities");
    }
    return i;
  }
}
