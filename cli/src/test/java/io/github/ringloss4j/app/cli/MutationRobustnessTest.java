package io.github.ringloss4j.app.cli;

import static io.github.ringloss4j.app.cli.CliEndToEndTest.ok;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.ringloss4j.app.train.Checkpoint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every file the application reads, mutated at seeded random offsets and run through the command
 * that reads it: a packed set ({@code train.rec}, {@code train.idx}, {@code property}, {@code
 * classes.txt}) through {@code unpack}, a gallery ({@code embeddings.npy}, {@code names.txt},
 * {@code gallery.json}) through {@code identify}, a pairs file through {@code evaluate}, and a
 * checkpoint through {@code evaluate}, {@code embed}, {@code export} and {@code verify}.
 *
 * <p>Each run must end with exit 0 and a result that holds what the unmutated file's does, or with
 * exit 2, 3 or 5 and a message naming the mutated file — never exit 1, a stack trace, an
 * out-of-memory error or a number that is not one. The mutations: bytes flipped or set, a span
 * deleted, duplicated or inserted, the file truncated or emptied. {@code -Dringloss.mutations=N}
 * runs N per file kind (default {@value #DEFAULT_PER_KIND}) for a longer soak; {@code
 * -Dringloss.mutationSeed=S} another sequence.
 *
 * <p>What "holds what the unmutated file's does" means, per kind: an unpacked set has as many
 * images, of the same sizes (a record's length is framing; its bytes and label are content a
 * mutation may change validly); an identification prints a decision whose scores are cosines in
 * [−1, 1]; an evaluation writes its file. A checkpoint carries a CRC-32C over all of it, so every
 * mutation of it must fail.
 */
class MutationRobustnessTest {

  static final int DEFAULT_PER_KIND = 400;

  @TempDir static Path tmp;
  static Path faces;
  static Path run;
  static Path packed;
  static Path exported;
  static Path gallery;
  static Path probe;
  static List<Long> unpackedSizes;

  @BeforeAll
  static void data() throws IOException {
    faces = CheckpointFilesTest.faces(tmp.resolve("faces"));
    run = CheckpointFilesTest.committedRun(tmp.resolve("run"));
    packed = tmp.resolve("packed");
    ok("pack", faces.toString(), "--out", packed.toString());
    unpackedSizes = sizes(unpack(packed, tmp.resolve("unpacked")));
    exported = tmp.resolve("exported");
    ok("export", run.toString(), "--out", exported.toString());
    gallery = tmp.resolve("gallery");
    ok("enroll", exported.toString(), faces.toString(), "--out", gallery.toString());
    try (Stream<Path> images = Files.walk(faces.resolve("id1"))) {
      probe = images.filter(Files::isRegularFile).sorted().findFirst().orElseThrow();
    }
  }

  private static Path unpack(Path set, Path out) {
    ok("unpack", set.toString(), "--out", out.toString());
    return out;
  }

  private static List<Long> sizes(Path root) throws IOException {
    try (Stream<Path> files = Files.walk(root)) {
      List<Long> sizes = new ArrayList<>();
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        if (!f.getFileName().toString().startsWith(".")) {
          sizes.add(Files.size(f));
        }
      }
      sizes.sort(null);
      return sizes;
    }
  }

  /** One kind of input: the files to mutate, the command that reads them, what success holds. */
  private interface Kind {
    /** Copies the pristine input into the trial's folder; returns the files one may mutate. */
    List<Path> prepare(Path dir) throws IOException;

    /** The command reading the prepared input, with outputs under {@code out}. */
    String[] command(Path dir, Path out, Random random);

    /** Null when a successful run's result holds what the unmutated input's does, else why not. */
    String checkSuccess(Path dir, Path out, CliEndToEndTest.Run r) throws IOException;
  }

  private static final Pattern SCORE = Pattern.compile("^\\s+\\d+\\t.*\\t(\\S+)$");

  private static Map<String, Kind> kinds() {
    Map<String, Kind> kinds = new LinkedHashMap<>();
    kinds.put(
        "packed set",
        new Kind() {
          @Override
          public List<Path> prepare(Path dir) throws IOException {
            Path set = dir.resolve("packed");
            CorruptInputsTest.copyTree(packed, set);
            try (Stream<Path> files = Files.list(set)) {
              return files.sorted().toList();
            }
          }

          @Override
          public String[] command(Path dir, Path out, Random random) {
            return new String[] {
              "unpack", dir.resolve("packed").toString(), "--out", out.toString()
            };
          }

          @Override
          public String checkSuccess(Path dir, Path out, CliEndToEndTest.Run r) throws IOException {
            List<Long> got = sizes(out);
            return got.equals(unpackedSizes)
                ? null
                : "unpacked images of sizes " + got + ", the set holds " + unpackedSizes;
          }
        });
    kinds.put(
        "gallery",
        new Kind() {
          @Override
          public List<Path> prepare(Path dir) throws IOException {
            Path g = dir.resolve("gallery");
            CorruptInputsTest.copyTree(gallery, g);
            try (Stream<Path> files = Files.list(g)) {
              return files.sorted().toList();
            }
          }

          @Override
          public String[] command(Path dir, Path out, Random random) {
            return new String[] {
              "identify",
              exported.toString(),
              dir.resolve("gallery").toString(),
              probe.toString(),
              "--top",
              "3"
            };
          }

          @Override
          public String checkSuccess(Path dir, Path out, CliEndToEndTest.Run r) {
            if (!r.out().contains(probe + ": ")) {
              return "no decision for the probe:\n" + r.out();
            }
            int scores = 0;
            for (String line : r.out().split("\n")) {
              Matcher m = SCORE.matcher(line);
              if (m.matches()) {
                double score = Double.parseDouble(m.group(1));
                if (!(score >= -1.000001 && score <= 1.000001)) {
                  return "score " + m.group(1) + " is not a cosine:\n" + r.out();
                }
                scores++;
              }
            }
            return scores == 0 ? "no scores:\n" + r.out() : null;
          }
        });
    kinds.put(
        "pairs file",
        new Kind() {
          @Override
          public List<Path> prepare(Path dir) throws IOException {
            return List.of(Files.copy(faces.resolve("pairs.txt"), dir.resolve("pairs.txt")));
          }

          @Override
          public String[] command(Path dir, Path out, Random random) {
            return new String[] {
              "evaluate",
              run.toString(),
              "--data",
              faces.toString(),
              "--pairs",
              dir.resolve("pairs.txt").toString(),
              "--out",
              out.resolve("evaluation.json").toString()
            };
          }

          @Override
          public String checkSuccess(Path dir, Path out, CliEndToEndTest.Run r) {
            return Files.isRegularFile(out.resolve("evaluation.json"))
                ? null
                : "no evaluation.json";
          }
        });
    kinds.put(
        "checkpoint",
        new Kind() {
          @Override
          public List<Path> prepare(Path dir) throws IOException {
            Path copy = dir.resolve("run");
            CorruptInputsTest.copyTree(run, copy);
            return List.of(copy.resolve(Checkpoint.FILE_NAME));
          }

          @Override
          public String[] command(Path dir, Path out, Random random) {
            String copy = dir.resolve("run").toString();
            List<String[]> commands =
                List.of(
                    new String[] {"evaluate", copy, "--data", faces.toString()},
                    new String[] {"embed", copy, "--out", out.toString()},
                    new String[] {"export", copy, "--out", out.toString()},
                    new String[] {"verify", copy, probe.toString(), probe.toString()});
            return commands.get(random.nextInt(commands.size()));
          }

          @Override
          public String checkSuccess(Path dir, Path out, CliEndToEndTest.Run r) {
            return "a mutated checkpoint was accepted (its CRC-32C covers every byte)";
          }
        });
    return kinds;
  }

  private static void deleteTree(Path root) throws IOException {
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  /** Mutates a file in place and says how. */
  static String mutate(Path file, Random random) throws IOException {
    byte[] b = Files.readAllBytes(file);
    int n = b.length;
    int at = n == 0 ? 0 : random.nextInt(n);
    int span = 1 + random.nextInt(Math.max(1, Math.min(64, n - at)));
    byte[] out;
    String how;
    switch (n == 0 ? 6 : random.nextInt(7)) {
      case 0 -> {
        out = b.clone();
        int flips = 1 + random.nextInt(4);
        for (int i = 0; i < flips; i++) {
          out[random.nextInt(n)] ^= (byte) (1 + random.nextInt(255));
        }
        how = flips + " bytes flipped";
      }
      case 1 -> {
        out = b.clone();
        byte value = (byte) (random.nextBoolean() ? 0xFF : random.nextInt(256));
        out[at] = value;
        how = "byte " + at + " set to " + (value & 0xFF);
      }
      case 2 -> {
        out = new byte[n - span];
        System.arraycopy(b, 0, out, 0, at);
        System.arraycopy(b, at + span, out, at, n - at - span);
        how = span + " bytes deleted at " + at;
      }
      case 3 -> {
        out = new byte[n + span];
        System.arraycopy(b, 0, out, 0, at + span);
        System.arraycopy(b, at, out, at + span, n - at);
        how = span + " bytes duplicated at " + at;
      }
      case 4 -> {
        byte[] junk = new byte[span];
        random.nextBytes(junk);
        out = new byte[n + span];
        System.arraycopy(b, 0, out, 0, at);
        System.arraycopy(junk, 0, out, at, span);
        System.arraycopy(b, at, out, at + span, n - at);
        how = span + " random bytes inserted at " + at;
      }
      case 5 -> {
        out = Arrays.copyOf(b, at);
        how = "truncated to " + at + " bytes";
      }
      default -> {
        out = new byte[0];
        how = "emptied";
      }
    }
    Files.write(file, out);
    return how;
  }

  @Test
  @Tag("slow")
  void everyMutatedInputEndsInAResultOrANamedRefusal() throws IOException {
    int perKind = Integer.getInteger("ringloss.mutations", DEFAULT_PER_KIND);
    Random random = new Random(Long.getLong("ringloss.mutationSeed", 20261206L));
    List<String> failures = new ArrayList<>();
    Map<String, int[]> tally = new LinkedHashMap<>();
    int trial = 0;
    for (Map.Entry<String, Kind> entry : kinds().entrySet()) {
      Kind kind = entry.getValue();
      int[] counts = tally.computeIfAbsent(entry.getKey(), k -> new int[2]);
      for (int i = 0; i < perKind; i++, trial++) {
        Path dir = Files.createDirectories(tmp.resolve("m" + trial));
        List<Path> files = kind.prepare(dir);
        Path broken = files.get(random.nextInt(files.size()));
        String how = mutate(broken, random);
        Path out = dir.resolve("out");
        List<String> args = List.of(kind.command(dir, out, random));
        CliEndToEndTest.Run r = CliEndToEndTest.run(args.toArray(new String[0]));
        String what = entry.getKey() + " trial " + i + ": " + broken + " " + how + "; " + args;
        String err = r.err();
        if (err.contains("\tat ")
            || err.contains("internal error")
            || err.contains("Exception in")) {
          failures.add(what + "\n  exit " + r.exit() + ", a stack trace:\n" + err);
        } else if (r.exit() == 0) {
          counts[0]++;
          String wrong = kind.checkSuccess(dir, out, r);
          if (wrong != null) {
            failures.add(what + "\n  exit 0 but " + wrong);
          }
        } else if (!Set.of(2, 3, 5).contains(r.exit())) {
          failures.add(what + "\n  exit " + r.exit() + ": " + err);
        } else if (!err.contains(broken.toString())) {
          failures.add(what + "\n  exit " + r.exit() + " does not name the file: " + err);
        } else {
          counts[1]++;
        }
        deleteTree(dir);
      }
    }
    StringBuilder summary = new StringBuilder();
    tally.forEach(
        (k, c) ->
            summary.append(String.format("%n  %s: %d results, %d named refusals", k, c[0], c[1])));
    System.out.println("MutationRobustnessTest: " + trial + " mutations" + summary);
    assertTrue(
        failures.isEmpty(),
        failures.size()
            + " of "
            + trial
            + " mutations failed:"
            + summary
            + "\n"
            + String.join("\n", failures.subList(0, Math.min(30, failures.size()))));
  }
}
