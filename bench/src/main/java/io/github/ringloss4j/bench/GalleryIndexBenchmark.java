package io.github.ringloss4j.bench;

import ai.djl.ndarray.NDManager;
import io.github.ringloss4j.app.io.NpyReader;
import io.github.ringloss4j.metrics.Gallery;
import io.github.ringloss4j.metrics.LuceneGallery;
import io.github.ringloss4j.metrics.LuceneGalleryWriter;
import io.github.ringloss4j.metrics.OpenSetThreshold;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * The Lucene gallery ({@link LuceneGallery}: HNSW shortlist, exact re-scoring) against the exact
 * gallery ({@link Gallery}) on the same rows and probes, in one JVM: build time and index size per
 * graph setting, time per probe one at a time and batched, and recall@10 of the final top-k against
 * the exact top-k, for each shortlist.
 *
 * <p>Three kinds of gallery of n unit rows: <b>random</b> (isotropic Gaussian directions, HNSW's
 * worst case: nothing is near anything) and <b>clustered</b> (n/100 random centres, each row a
 * centre plus Gaussian noise of the same total norm, cos ≈ 0.5 to its centre, like identities of a
 * few populations), whose probes are half <b>mated</b> (a gallery row plus noise, cos ≈ 0.7 to it),
 * half <b>non-mated</b> (fresh rows from the same distribution); and <b>{@code embedded:DIR}</b>,
 * what a trained model gives: {@code DIR} is {@code ringloss embed}'s output ({@code
 * embeddings_normalized.npy}, {@code labels.npy}) over a set with at least two images per identity.
 * There, by ascending label, the last probes/2 identities are never enrolled and their first image
 * is a non-mated probe; every other identity enrols its first image (the first n of them with
 * {@code --gallery n}, else all), and probes/2 of those, drawn at random, give their second image
 * as a mated probe. Recall@k = |top-k ∩ exact top-k| / k, averaged over the probes; "top-1" is the
 * fraction whose best identity equals exact search's. The Lucene index is written to a temporary
 * directory (page cache warm: the same machine just wrote it) and deleted.
 *
 * <p>The open-set decision, as deployed: each pipeline (exact, and each Lucene setting) gets its
 * own threshold τ, calibrated on its own best scores of the non-mated probes at {@code --fpir}
 * ({@link OpenSetThreshold#atFpir}, the rule {@code enroll --calibrate} uses); a probe's decision
 * is its best identity when the best score is ≥ τ, else "unknown". Reported: τ, FNIR at τ (a mated
 * probe is missed unless its own identity ranks first and is accepted) and the fraction of probes
 * whose decision equals exact search's (all, mated, non-mated). Since the Lucene scores are
 * re-scored exactly, a Lucene decision differs only where HNSW missed the best row.
 *
 * <p>Usage: {@code java -Xmx3g -cp bench/target/benchmarks.jar
 * io.github.ringloss4j.bench.GalleryIndexBenchmark [--gallery 20000] [--dim 512] [--k 10] [--probes
 * 200] [--shortlists 10,100,1000] [--m 16,32] [--beam 100] [--data random,clustered,embedded:DIR]
 * [--fpir 0.01]}. Each measured line starts with {@code RESULT}, tab-separated: data, index (exact
 * or lucene M=..), shortlist, build_s, index_mib, single_median_ms, single_p90_ms,
 * batch_ms_per_probe, recall@k, top1_agreement (all probes), top1_mated, top1_non_mated, tau, fnir,
 * decision_agreement (all probes), decision_mated, decision_non_mated.
 */
public final class GalleryIndexBenchmark {

  private GalleryIndexBenchmark() {}

  /**
   * Runs the measurement.
   *
   * @param args the options above
   * @throws IOException if the temporary index cannot be written
   */
  public static void main(String[] args) throws IOException {
    EngineDefaults.apply();
    int n = 20_000;
    int dim = 512;
    int k = 10;
    int probeCount = 200;
    int beam = LuceneGallery.Hnsw.DEFAULTS.beamWidth();
    int[] shortlists = {10, 100, 1000};
    int[] ms = {16, 32};
    List<String> kinds = List.of("random", "clustered");
    double fpir = 0.01;
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.equals("--help") || a.equals("-h")) {
        System.out.println(
            "usage: GalleryIndexBenchmark [--gallery 20000] [--dim 512] [--k 10] [--probes 200]"
                + " [--shortlists 10,100,1000] [--m 16,32] [--beam 100]"
                + " [--data random,clustered,embedded:DIR] [--fpir 0.01]");
        return;
      }
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException(a + " needs a value");
      }
      String v = args[++i];
      switch (a) {
        case "--gallery" -> n = Integer.parseInt(v);
        case "--dim" -> dim = Integer.parseInt(v);
        case "--k" -> k = Integer.parseInt(v);
        case "--probes" -> probeCount = Integer.parseInt(v);
        case "--beam" -> beam = Integer.parseInt(v);
        case "--shortlists" -> shortlists = ints(v);
        case "--m" -> ms = ints(v);
        case "--data" -> kinds = List.of(v.split(","));
        case "--fpir" -> fpir = Double.parseDouble(v);
        default -> throw new IllegalArgumentException("unknown option " + a);
      }
    }
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    out.printf(
        Locale.ROOT,
        "k = %d, %d probes (half mated), engine threads %s; load average %s%n",
        k,
        probeCount,
        System.getProperty("ai.djl.pytorch.num_threads"),
        GallerySearch.loadAverage());
    out.println(
        "RESULT\tdata\tindex\tshortlist\tbuild_s\tindex_mib\tsingle_median_ms\tsingle_p90_ms"
            + "\tbatch_ms_per_probe\trecall@k\ttop1_agreement\ttop1_mated\ttop1_non_mated"
            + "\ttau\tfnir\tdecision_agreement\tdecision_mated\tdecision_non_mated");
    for (String kind : kinds) {
      Random random = new Random(20);
      Probed data =
          kind.startsWith(EMBEDDED)
              ? embedded(Path.of(kind.substring(EMBEDDED.length())), n, probeCount, random)
              : synthetic(kind, n, dim, probeCount, random);
      float[][] rows = data.rows();
      float[][] probes = data.probes();
      int[] mates = data.mates();
      int count = rows.length;
      int width = rows[0].length;
      out.printf(Locale.ROOT, "%s: n = %d, d = %d%n", kind, count, width);
      List<String> names = IntStream.range(0, count).mapToObj(g -> "id" + g).toList();
      List<List<Gallery.Match>> exactTop;
      OpenSet exactDecisions;
      try (NDManager manager = NDManager.newBaseManager()) {
        long t0 = System.nanoTime();
        Gallery exact = Gallery.of(manager, names, rows);
        double build = seconds(t0);
        Timing t = time(exact::search, exact::search, probes, k);
        exactTop = t.tops();
        exactDecisions = OpenSet.of(exactTop, mates, fpir);
        out.println(
            line(kind, "exact", "-", build, count * (double) width * 4 / (1 << 20), t, 1, 1, 1, 1)
                + exactDecisions.columns(exactDecisions));
        exact.close();
      }
      for (int m : ms) {
        Path dir = Files.createTempDirectory("gallery-index");
        try {
          long t0 = System.nanoTime();
          try (LuceneGalleryWriter writer =
              LuceneGallery.writer(dir, width, new LuceneGallery.Hnsw(m, beam))) {
            for (int g = 0; g < count; g++) {
              writer.add(names.get(g), rows[g]);
            }
            writer.commit();
          }
          double build = seconds(t0);
          double mib = size(dir) / (double) (1 << 20);
          for (int shortlist : shortlists) {
            try (LuceneGallery lucene = LuceneGallery.open(dir, shortlist)) {
              Timing t = time(lucene::search, lucene::search, probes, k);
              out.println(
                  line(
                          kind,
                          "lucene M=" + m + " beam=" + beam,
                          Integer.toString(shortlist),
                          build,
                          mib,
                          t,
                          recall(t.tops(), exactTop, k),
                          topOne(t.tops(), exactTop, 0, 1),
                          topOne(t.tops(), exactTop, 0, 2),
                          topOne(t.tops(), exactTop, 1, 2))
                      + OpenSet.of(t.tops(), mates, fpir).columns(exactDecisions));
            }
          }
        } finally {
          try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
              Files.delete(f);
            }
          }
        }
      }
    }
  }

  private interface Single {
    List<Gallery.Match> search(float[] probe, int k);
  }

  private interface Batch {
    List<List<Gallery.Match>> search(float[][] probes, int k);
  }

  /**
   * A pipeline's open-set decisions at its own threshold, calibrated at the target FPIR on its own
   * non-mated best scores.
   *
   * @param tau the threshold
   * @param fnir FNIR at tau over the mated probes
   * @param decisions per probe, the accepted identity's row, or -1 for "unknown"
   * @param mates per probe, its mate's row, or -1 for a non-mated probe
   */
  private record OpenSet(double tau, double fnir, int[] decisions, int[] mates) {

    static OpenSet of(List<List<Gallery.Match>> tops, int[] mates, double fpir) {
      int nonMated = (int) Arrays.stream(mates).filter(m -> m < 0).count();
      double[] nonMatedBest = new double[nonMated];
      double[] firstRankMate = new double[mates.length - nonMated];
      int a = 0;
      int b = 0;
      for (int p = 0; p < mates.length; p++) {
        Gallery.Match best = tops.get(p).get(0);
        if (mates[p] < 0) {
          nonMatedBest[a++] = best.score();
        } else {
          firstRankMate[b++] = best.index() == mates[p] ? best.score() : Double.NaN;
        }
      }
      double tau = OpenSetThreshold.atFpir(nonMatedBest, fpir);
      int[] decisions = new int[mates.length];
      for (int p = 0; p < mates.length; p++) {
        Gallery.Match best = tops.get(p).get(0);
        decisions[p] = OpenSetThreshold.accepts(best.score(), tau) ? best.index() : -1;
      }
      return new OpenSet(tau, OpenSetThreshold.fnir(firstRankMate, tau), decisions, mates);
    }

    /** τ, FNIR and the decision agreement with the reference (all, mated, non-mated probes). */
    String columns(OpenSet reference) {
      int[] same = new int[2];
      int[] count = new int[2];
      for (int p = 0; p < decisions.length; p++) {
        int group = mates[p] >= 0 ? 0 : 1;
        same[group] += decisions[p] == reference.decisions[p] ? 1 : 0;
        count[group]++;
      }
      return String.format(
          Locale.ROOT,
          "\t%.6f\t%.4f\t%.4f\t%.4f\t%.4f",
          tau,
          fnir,
          (same[0] + same[1]) / (double) (count[0] + count[1]),
          same[0] / (double) count[0],
          same[1] / (double) count[1]);
    }
  }

  private static final String EMBEDDED = "embedded:";

  /**
   * Gallery rows and probes.
   *
   * @param rows the enrolled unit rows
   * @param probes the probes, mated and non-mated
   * @param mates per probe, its mate's row, or -1 for a non-mated probe
   */
  private record Probed(float[][] rows, float[][] probes, int[] mates) {}

  /** Even probes are mated (a row plus noise), odd ones fresh rows. */
  private static Probed synthetic(String kind, int n, int dim, int probeCount, Random random) {
    float[][] rows = rows(kind, n, dim, random);
    float[][] probes = new float[probeCount][];
    int[] mates = new int[probeCount];
    for (int p = 0; p < probeCount; p++) {
      mates[p] = p % 2 == 0 ? random.nextInt(n) : -1;
      probes[p] =
          mates[p] >= 0 ? noisy(rows[mates[p]], 1.0, random) : rows(kind, 1, dim, random)[0];
    }
    return new Probed(rows, probes, mates);
  }

  /** The class comment's split of {@code ringloss embed}'s output into gallery and probes. */
  private static Probed embedded(Path dir, int limit, int probeCount, Random random)
      throws IOException {
    float[][] vectors =
        NpyReader.readFloat32Matrix(dir.resolve("embeddings_normalized.npy")).rows();
    long[] labels = NpyReader.readInt64Vector(dir.resolve("labels.npy"));
    if (labels.length != vectors.length) {
      throw new IllegalArgumentException(
          dir + ": " + labels.length + " labels for " + vectors.length + " embeddings");
    }
    // per label, its first and second image, in label order
    TreeMap<Long, int[]> images = new TreeMap<>();
    for (int i = 0; i < labels.length; i++) {
      int[] two = images.computeIfAbsent(labels[i], l -> new int[] {-1, -1});
      if (two[0] < 0) {
        two[0] = i;
      } else if (two[1] < 0) {
        two[1] = i;
      }
    }
    List<int[]> identities = List.copyOf(images.values());
    int held = probeCount / 2;
    int enrolled = Math.min(limit, identities.size() - held);
    if (enrolled < held || identities.stream().anyMatch(two -> two[1] < 0)) {
      throw new IllegalArgumentException(
          dir
              + ": needs two images of each identity and more identities than --probes/2 = "
              + held
              + ", got "
              + identities.size());
    }
    float[][] rows = new float[enrolled][];
    for (int g = 0; g < enrolled; g++) {
      rows[g] = vectors[identities.get(g)[0]];
    }
    int[] mated = random.ints(0, enrolled).distinct().limit(held).toArray();
    float[][] probes = new float[2 * held][];
    int[] mates = new int[2 * held];
    for (int p = 0; p < held; p++) {
      mates[2 * p] = mated[p];
      probes[2 * p] = vectors[identities.get(mated[p])[1]];
      mates[2 * p + 1] = -1;
      probes[2 * p + 1] = vectors[identities.get(identities.size() - held + p)[0]];
    }
    return new Probed(rows, probes, mates);
  }

  private record Timing(
      double medianMs, double p90Ms, double batchMsPerProbe, List<List<Gallery.Match>> tops) {}

  /** Three probes unmeasured, then each one at a time, then all in one call. */
  private static Timing time(Single single, Batch batch, float[][] probes, int k) {
    for (int p = 0; p < Math.min(3, probes.length); p++) {
      single.search(probes[p], k);
    }
    double[] ms = new double[probes.length];
    for (int p = 0; p < probes.length; p++) {
      long t0 = System.nanoTime();
      single.search(probes[p], k);
      ms[p] = (System.nanoTime() - t0) / 1e6;
    }
    Arrays.sort(ms);
    long t0 = System.nanoTime();
    List<List<Gallery.Match>> tops = batch.search(probes, k);
    double batchMs = (System.nanoTime() - t0) / 1e6 / probes.length;
    return new Timing(
        ms[ms.length / 2],
        ms[(int) Math.min(ms.length - 1, Math.ceil(0.9 * ms.length) - 1)],
        batchMs,
        tops);
  }

  private static double recall(
      List<List<Gallery.Match>> found, List<List<Gallery.Match>> exact, int k) {
    double sum = 0;
    for (int p = 0; p < found.size(); p++) {
      Set<Integer> truth = new HashSet<>();
      exact.get(p).forEach(m -> truth.add(m.index()));
      long hits = found.get(p).stream().filter(m -> truth.contains(m.index())).count();
      sum += hits / (double) Math.min(k, exact.get(p).size());
    }
    return sum / found.size();
  }

  /** The fraction of probes from, from + step, … whose best identity is exact search's. */
  private static double topOne(
      List<List<Gallery.Match>> found, List<List<Gallery.Match>> exact, int from, int step) {
    int same = 0;
    int count = 0;
    for (int p = from; p < found.size(); p += step) {
      same += found.get(p).get(0).index() == exact.get(p).get(0).index() ? 1 : 0;
      count++;
    }
    return same / (double) count;
  }

  private static String line(
      String kind,
      String index,
      String shortlist,
      double build,
      double mib,
      Timing t,
      double recall,
      double top1,
      double top1Mated,
      double top1NonMated) {
    return String.format(
        Locale.ROOT,
        "RESULT\t%s\t%s\t%s\t%.1f\t%.1f\t%.3f\t%.3f\t%.3f\t%.4f\t%.4f\t%.4f\t%.4f",
        kind,
        index,
        shortlist,
        build,
        mib,
        t.medianMs(),
        t.p90Ms(),
        t.batchMsPerProbe(),
        recall,
        top1,
        top1Mated,
        top1NonMated);
  }

  /** n unit rows: isotropic, or around n/100 random centres (cos ≈ 0.5 to the centre). */
  private static float[][] rows(String kind, int n, int dim, Random random) {
    float[][] out = new float[n][];
    if (kind.equals("random")) {
      for (int g = 0; g < n; g++) {
        out[g] = gaussianUnit(dim, random);
      }
      return out;
    }
    if (!kind.equals("clustered")) {
      throw new IllegalArgumentException("--data: random or clustered, got " + kind);
    }
    // A fixed set of centres per JVM: probes drawn later come from the same populations.
    float[][] centres = CENTRES.computeIfAbsent(dim, d -> centres(d, 200, new Random(7)));
    for (int g = 0; g < n; g++) {
      out[g] = noisy(centres[random.nextInt(centres.length)], Math.sqrt(3), random);
    }
    return out;
  }

  private static final java.util.Map<Integer, float[][]> CENTRES = new java.util.HashMap<>();

  private static float[][] centres(int dim, int count, Random random) {
    float[][] c = new float[count][];
    for (int i = 0; i < count; i++) {
      c[i] = gaussianUnit(dim, random);
    }
    return c;
  }

  /** The unit direction of v + noise of total norm ≈ ratio·‖v‖ (v unit). */
  private static float[] noisy(float[] v, double ratio, Random random) {
    float[] out = new float[v.length];
    double sigma = ratio / Math.sqrt(v.length);
    for (int j = 0; j < v.length; j++) {
      out[j] = (float) (v[j] + sigma * random.nextGaussian());
    }
    return Gallery.template(new float[][] {out});
  }

  private static float[] gaussianUnit(int dim, Random random) {
    float[] v = new float[dim];
    for (int j = 0; j < dim; j++) {
      v[j] = (float) random.nextGaussian();
    }
    return Gallery.template(new float[][] {v});
  }

  private static int[] ints(String csv) {
    return Arrays.stream(csv.split(",")).mapToInt(Integer::parseInt).toArray();
  }

  private static double seconds(long t0) {
    return (System.nanoTime() - t0) / 1e9;
  }

  private static long size(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      long sum = 0;
      for (Path f : files.toList()) {
        sum += Files.size(f);
      }
      return sum;
    }
  }
}
