package io.github.ringloss4j.app.cli;

import static io.github.ringloss4j.app.cli.CliEndToEndTest.fails;
import static io.github.ringloss4j.app.cli.CliEndToEndTest.ok;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.ringloss4j.app.data.ImageFolder;
import io.github.ringloss4j.app.io.Temporaries;
import io.github.ringloss4j.app.recordio.FaceVariation;
import io.github.ringloss4j.app.recordio.ImageFormat;
import io.github.ringloss4j.app.recordio.PackedDatasetWriter;
import io.github.ringloss4j.app.recordio.SyntheticFaces;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ringloss synth}, {@code pack} and {@code unpack} end to end, and their exit codes. */
class PackCommandTest {

  @TempDir Path tmp;

  static List<Path> files(Path root) throws IOException {
    try (Stream<Path> walk = Files.walk(root)) {
      return walk.filter(Files::isRegularFile).map(root::relativize).sorted().toList();
    }
  }

  @Test
  void synthPackUnpackRoundTrip() throws IOException {
    Path faces = tmp.resolve("faces");
    String out =
        ok(
                "synth",
                "--identities",
                "3",
                "--per-identity",
                "2",
                "--out",
                faces.toString(),
                "--seed",
                "5",
                "--format",
                "png")
            .out();
    assertTrue(out.contains("wrote 6 synthetic images of 3 identities"), out);
    Path packed = tmp.resolve("packed");
    out = ok("pack", faces.toString(), "--out", packed.toString()).out();
    assertTrue(out.contains("packed 6 images of 3 identities into " + packed), out);
    assertEquals("3,112,112\n", Files.readString(packed.resolve("property")));
    Path back = tmp.resolve("back");
    out = ok("unpack", packed.toString(), "--out", back.toString()).out();
    assertTrue(out.contains("unpacked 6 images of 3 identities"), out);
    // Keys 1..6 in folder order: id0/0.png is key 1, id2/1.png key 6.
    assertEquals(
        List.of("id0/1.png", "id0/2.png", "id1/3.png", "id1/4.png", "id2/5.png", "id2/6.png"),
        files(back).stream().map(Path::toString).toList());
    assertArrayEquals(
        Files.readAllBytes(faces.resolve("id2/1.png")),
        Files.readAllBytes(back.resolve("id2/6.png")));
  }

  @Test
  void synthPackedIsTheSameAsSynthThenPack() throws IOException {
    Path direct = tmp.resolve("direct");
    ok("synth", "--identities", "2", "--per-identity", "3", "--out", direct.toString(), "--packed");
    Path faces = tmp.resolve("faces");
    ok("synth", "--identities", "2", "--per-identity", "3", "--out", faces.toString());
    Path packed = tmp.resolve("packed");
    ok("pack", faces.toString(), "--out", packed.toString());
    for (String name : List.of("train.rec", "train.idx", "property", "classes.txt")) {
      assertArrayEquals(
          Files.readAllBytes(packed.resolve(name)), Files.readAllBytes(direct.resolve(name)), name);
    }
  }

  @Test
  void badDataExitsWithThreeNamingTheFileAndRecord() throws IOException {
    Path packed = tmp.resolve("packed");
    ok("synth", "--identities", "2", "--per-identity", "2", "--out", packed.toString(), "--packed");
    Path rec = packed.resolve("train.rec");
    try (RandomAccessFile f = new RandomAccessFile(rec.toFile(), "rw")) {
      f.setLength(f.length() - 4);
    }
    // The record at the highest offset, checked when opening, is the last class record: key 6.
    fails(3, rec + " at byte", "unpack", packed.toString(), "--out", tmp.resolve("x").toString());
    fails(3, "record key 6", "unpack", packed.toString(), "--out", tmp.resolve("x").toString());
    assertTrue(Files.notExists(tmp.resolve("x")));
    fails(
        3,
        "missing " + tmp.resolve("nowhere"),
        "pack",
        tmp.resolve("nowhere").toString(),
        "--out",
        tmp.resolve("p").toString());
  }

  @Test
  void badOptionsExitWithTwo() throws IOException {
    Path taken = Files.createDirectories(tmp.resolve("taken"));
    Files.writeString(taken.resolve("keep.txt"), "keep");
    fails(
        2,
        "exists and is not an empty directory",
        "synth",
        "--identities",
        "1",
        "--per-identity",
        "1",
        "--out",
        taken.toString());
    fails(
        2,
        "image format must be jpg or png",
        "synth",
        "--identities",
        "1",
        "--per-identity",
        "1",
        "--out",
        tmp.resolve("s").toString(),
        "--format",
        "gif");
    fails(
        2,
        "must be positive",
        "synth",
        "--identities",
        "0",
        "--per-identity",
        "1",
        "--out",
        tmp.resolve("s").toString());
    assertEquals("keep", Files.readString(taken.resolve("keep.txt")));
  }

  /** {@code synth --identities N --per-identity M --out OUT} and more options. */
  static String[] synth(int identities, int perIdentity, Path out, String... more) {
    List<String> args = new ArrayList<>();
    args.addAll(
        List.of("synth", "--identities", "" + identities, "--per-identity", "" + perIdentity));
    args.addAll(List.of("--out", out.toString()));
    args.addAll(List.of(more));
    return args.toArray(new String[0]);
  }

  @Test
  void synthWritesTheStandInWithItsQualityFileAndContactSheet() throws IOException {
    Path faces = tmp.resolve("faces");
    String out = ok(synth(4, 5, faces, "--side", "24")).out();
    assertTrue(out.contains("wrote " + faces.resolve("quality.csv")), out);
    List<String> rows = Files.readAllLines(faces.resolve("quality.csv"));
    assertEquals(21, rows.size());
    // 30 % of 5 images: 1 or 2 per identity; families of 4.
    long low = rows.stream().filter(r -> r.endsWith(",low")).count();
    assertTrue(low >= 4 && low <= 8, rows.toString());
    assertTrue(rows.get(20).startsWith("id3,3,4,id3/4.jpg,0,"), rows.get(20));
    assertTrue(Files.size(faces.resolve("contact-sheet.png")) > 0);
    Path packed = tmp.resolve("packed");
    ok(synth(4, 5, packed, "--side", "24", "--packed", "--family-size", "1"));
    assertEquals("4,24,24\n", Files.readString(packed.resolve("property")));
    rows = Files.readAllLines(packed.resolve("quality.csv"));
    assertTrue(rows.get(20).startsWith("id3,3,4,20,3,"), rows.get(20));
    assertTrue(Files.size(packed.resolve("contact-sheet.png")) > 0);
    try (Stream<Path> left = Files.list(packed)) {
      assertEquals(
          List.of(
              "classes.txt",
              "contact-sheet.png",
              "property",
              "quality.csv",
              "train.idx",
              "train.rec"),
          left.map(p -> p.getFileName().toString()).sorted().toList());
    }
  }

  @Test
  void synthWithoutVariationIsThePlainGenerator() throws IOException {
    Path direct = tmp.resolve("direct");
    new SyntheticFaces(2, 3, 4).writePacked(direct, ImageFormat.JPEG);
    Path none = tmp.resolve("none");
    ok(synth(2, 3, none, "--seed", "4", "--packed", "--variation", "none"));
    Path zeros = tmp.resolve("zeros");
    String[] allZero = {
      "--rotation",
      "0",
      "--scale",
      "0",
      "--pose",
      "0",
      "--expression",
      "0",
      "--illumination",
      "0",
      "--occlusion",
      "0",
      "--family-size",
      "1",
      "--low-quality-share",
      "0"
    };
    List<String> more = new ArrayList<>(List.of("--seed", "4", "--packed"));
    more.addAll(List.of(allZero));
    ok(synth(2, 3, zeros, more.toArray(new String[0])));
    for (String name : List.of("train.rec", "train.idx", "quality.csv")) {
      byte[] expected = Files.readAllBytes(direct.resolve(name));
      assertArrayEquals(expected, Files.readAllBytes(none.resolve(name)), name);
      assertArrayEquals(expected, Files.readAllBytes(zeros.resolve(name)), name);
    }
  }

  @Test
  void synthHelpStatesTheFaceLikeDefaults() {
    String help = ok("synth", "--help").out().replaceAll("\\s+", " ");
    FaceVariation f = FaceVariation.FACE_LIKE;
    Object[][] defaults = {
      {"--side", f.side()},
      {"--rotation", f.rotation()},
      {"--scale", f.scale()},
      {"--pose", f.pose()},
      {"--expression", f.expression()},
      {"--illumination", f.illumination()},
      {"--occlusion", f.occlusion()},
      {"--family-size", f.familySize()},
      {"--family-spread", f.familySpread()},
      {"--low-quality-share", f.lowQualityShare()}
    };
    for (Object[] d : defaults) {
      String value =
          d[1] instanceof Double v && v == Math.rint(v)
              ? Long.toString(v.longValue())
              : d[1].toString();
      int at = help.indexOf(" " + d[0] + "=");
      assertTrue(at >= 0, d[0] + " in " + help);
      int next = help.indexOf(" --", at + 3);
      String text = help.substring(at, next < 0 ? help.length() : next);
      assertTrue(text.contains("Default: " + value + "."), text);
    }
  }

  @Test
  void badSynthOptionsExitWithTwoNamingTheOption() {
    String[][] cases = {
      {"--side", "8"},
      {"--rotation", "90"},
      {"--scale", "0.5"},
      {"--pose", "1"},
      {"--expression", "2"},
      {"--illumination", "-1"},
      {"--occlusion", "1.5"},
      {"--family-size", "0"},
      {"--family-spread", "0"},
      {"--low-quality-share", "2"},
      {"--variation", "some"}
    };
    for (String[] c : cases) {
      Path out = tmp.resolve("s");
      fails(2, c[0] + " must be", synth(2, 1, out, c[0], c[1]));
      assertFalse(Files.exists(out), c[0]);
    }
  }

  @Test
  void outputsThatCannotBeWrittenAreRefusedBeforeAnyWork() throws IOException {
    Path faces = tmp.resolve("faces");
    ok("synth", "--identities", "2", "--per-identity", "1", "--out", faces.toString());
    Path packed = tmp.resolve("packed");
    ok("pack", faces.toString(), "--out", packed.toString());
    fails(5, "--out /proc/x", "pack", faces.toString(), "--out", "/proc/x");
    fails(5, "--out /proc/x", "unpack", packed.toString(), "--out", "/proc/x");
    fails(
        5,
        "--out /proc/x",
        "synth",
        "--identities",
        "1",
        "--per-identity",
        "1",
        "--out",
        "/proc/x");
    // enroll checks its --out before it opens the model (here there is none) or embeds anything.
    fails(
        5,
        "--out /proc/x",
        "enroll",
        tmp.resolve("no-model").toString(),
        faces.toString(),
        "--out",
        "/proc/x");
    // A link that leads into the input is inside it, whatever its own path says.
    Path link = Files.createSymbolicLink(tmp.resolve("link-into-faces"), faces);
    fails(
        2,
        "must not be inside the image folder",
        "pack",
        faces.toString(),
        "--out",
        link.resolve("packed").toString());
    assertFalse(Files.exists(faces.resolve("packed")));
    Path file = Files.writeString(tmp.resolve("file"), "x");
    fails(
        2,
        "--out " + file + " is an existing file",
        "pack",
        faces.toString(),
        "--out",
        file.toString());
  }

  /** The pid of a process that has ended. */
  static long deadPid() throws Exception {
    Process p = new ProcessBuilder("true").start();
    p.waitFor();
    return p.pid();
  }

  /** A temporary name as a process of this host with that pid would have made it. */
  static String temporary(String name, long pid) {
    String mine = Temporaries.prefix(name);
    String self = Long.toString(ProcessHandle.current().pid());
    return mine.replace(".tmp-" + self + "-", ".tmp-" + pid + "-") + "0123456789abcdef";
  }

  @Test
  void temporariesOfAKilledProcessAreDeletedByTheNextRunAndOutputFoldersGetTheNormalMode()
      throws Exception {
    Path faces = tmp.resolve("faces");
    Path packed = Files.createDirectories(tmp.resolve("packed"));
    long dead = deadPid();
    Path staleFile = Files.writeString(packed.resolve(temporary("train.rec", dead)), "x");
    Path staleDir = Files.createDirectories(tmp.resolve(temporary("faces", dead) + "/id0"));
    // A live process's temporaries (pid 1 always runs), and old unnamed ones, are kept.
    Path live = Files.writeString(packed.resolve(temporary("train.rec", 1)), "x");
    Path old = Files.writeString(packed.resolve(".train.rec.tmp-0123456789abcdef"), "x");
    ok("synth", "--identities", "2", "--per-identity", "1", "--out", faces.toString());
    ok("pack", faces.toString(), "--out", packed.toString());
    assertTrue(Files.notExists(staleFile));
    assertTrue(Files.notExists(staleDir.getParent()));
    assertTrue(Files.exists(live) && Files.exists(old));
    // Made through a staging folder, yet with the mode of any new folder (umask), not 0700.
    Path plain = Files.createDirectory(tmp.resolve("plain"));
    assertEquals(Files.getPosixFilePermissions(plain), Files.getPosixFilePermissions(faces));
    Path back = tmp.resolve("back");
    ok("unpack", packed.toString(), "--out", back.toString());
    assertEquals(Files.getPosixFilePermissions(plain), Files.getPosixFilePermissions(back));
  }

  /** Writes a packed set of a folder's images as they are, bad ones included. */
  static void packAsIs(Path folder, Path packed) throws IOException {
    ImageFolder images = ImageFolder.scan(folder);
    PackedDatasetWriter.write(
        packed,
        images.classNames(),
        112,
        112,
        sink -> {
          for (ImageFolder.Entry e : images.entries()) {
            sink.add(e.label(), Files.readAllBytes(e.path()));
          }
        });
  }

  @Test
  void truncatedImagesAreRefusedByPackAndUnpackOrSkipped() throws IOException {
    Path faces = tmp.resolve("faces");
    ok(
        "synth",
        "--identities",
        "2",
        "--per-identity",
        "3",
        "--out",
        faces.toString(),
        "--format",
        "png");
    Path cut = faces.resolve("id1/1.png");
    byte[] whole = Files.readAllBytes(cut);
    Files.write(cut, Arrays.copyOf(whole, whole.length - 20));
    Path packed = tmp.resolve("packed");
    fails(
        3,
        cut + ": the file does not end with the PNG IEND chunk",
        "pack",
        faces.toString(),
        "--out",
        packed.toString());
    assertTrue(Files.notExists(packed.resolve("train.rec")));
    String err =
        ok("pack", faces.toString(), "--out", packed.toString(), "--skip-bad-images").err();
    assertTrue(err.contains("leaving out 1 unreadable of 6 images"), err);

    Path bad = tmp.resolve("bad");
    packAsIs(faces, bad);
    Path back = tmp.resolve("back");
    fails(
        3,
        bad.resolve("train.rec") + ": 1 of 6 images cannot be read",
        "unpack",
        bad.toString(),
        "--out",
        back.toString());
    fails(
        3,
        "record key 5: the file does not end with the PNG IEND chunk",
        "unpack",
        bad.toString(),
        "--out",
        back.toString());
    assertTrue(Files.notExists(back));
  }

  @Test
  void aShortenedRecordLengthIsRefusedByUnpack() throws IOException {
    Path packed = tmp.resolve("packed");
    ok("synth", "--identities", "2", "--per-identity", "2", "--out", packed.toString(), "--packed");
    Path rec = packed.resolve("train.rec");
    long offset = -1;
    for (String line : Files.readAllLines(packed.resolve("train.idx"))) {
      if (line.startsWith("2\t")) {
        offset = Long.parseLong(line.substring(2));
      }
    }
    try (RandomAccessFile f = new RandomAccessFile(rec.toFile(), "rw")) {
      f.seek(offset + 4);
      int length = Integer.reverseBytes(f.readInt());
      f.seek(offset + 4);
      f.writeInt(Integer.reverseBytes(length - 100));
    }
    Path back = tmp.resolve("back");
    fails(
        3,
        rec + " at byte " + offset + ": record key 2: the record's parts end at byte",
        "unpack",
        packed.toString(),
        "--out",
        back.toString());
    assertTrue(Files.notExists(back));
  }

  @Test
  void aPackedSetWithABadRecordIsRefusedBeforeTrainingOrSkipped() throws IOException {
    Path faces = tmp.resolve("faces");
    ok("synth", "--identities", "2", "--per-identity", "4", "--out", faces.toString());
    Path cut = faces.resolve("id0/2.jpg");
    byte[] whole = Files.readAllBytes(cut);
    Files.write(cut, Arrays.copyOf(whole, whole.length / 2));
    Path packed = tmp.resolve("packed");
    packAsIs(faces, packed);
    Path out = tmp.resolve("run");
    List<String> args =
        new ArrayList<>(
            List.of(
                "train",
                "--data",
                packed.toString(),
                "--out",
                out.toString(),
                "--image-size",
                "8",
                "--epochs",
                "1",
                "--batch-size",
                "4",
                "--embedding-size",
                "4",
                "--no-progress"));
    fails(
        3,
        packed.resolve("train.rec") + ": 1 of 8 images cannot be read",
        args.toArray(new String[0]));
    assertTrue(Files.notExists(out.resolve("checkpoint.bin")));
    args.add("--skip-bad-images");
    String err = ok(args.toArray(new String[0])).err();
    assertTrue(err.contains("leaving out 1 unreadable of 8 images"), err);
    assertTrue(err.contains("record key 3"), err);
  }

  @Test
  void nonAsciiClassNamesRoundTripAsUtf8() throws IOException {
    Path faces = tmp.resolve("faces");
    ok("synth", "--identities", "2", "--per-identity", "1", "--out", faces.toString());
    Files.move(faces.resolve("id0"), faces.resolve("José"));
    Files.move(faces.resolve("id1"), faces.resolve("Zoë_北京"));
    Path packed = tmp.resolve("packed");
    ok("pack", faces.toString(), "--out", packed.toString());
    assertArrayEquals(
        "José\nZoë_北京\n".getBytes(StandardCharsets.UTF_8),
        Files.readAllBytes(packed.resolve("classes.txt")));
    Path back = tmp.resolve("back");
    ok("unpack", packed.toString(), "--out", back.toString());
    assertTrue(
        Files.isDirectory(back.resolve("José")) && Files.isDirectory(back.resolve("Zoë_北京")));
    // What a non-UTF-8 locale makes of such a name is refused, not stored.
    Files.move(faces.resolve("José"), faces.resolve("Jos\uFFFD"));
    fails(3, "contains U+FFFD", "pack", faces.toString(), "--out", tmp.resolve("p2").toString());
  }

  /** The launcher, run with a stand-in java (and mvn) that prints the locale it was given. */
  static String launcherLocale(String... env) throws Exception {
    Path launcher = Path.of("..", "ringloss").toAbsolutePath().normalize();
    Assumptions.assumeTrue(Files.isRegularFile(launcher), "the ringloss launcher is beside cli/");
    Path bin = Files.createDirectories(Files.createTempDirectory("launcher").resolve("bin"));
    for (String tool : List.of("java", "mvn")) {
      Path stub = Files.writeString(bin.resolve(tool), "#!/bin/sh\necho \"LC_ALL=$LC_ALL\"\n");
      stub.toFile().setExecutable(true);
    }
    ProcessBuilder pb = new ProcessBuilder("bash", launcher.toString(), "pack", "--help");
    pb.environment().put("PATH", bin + ":" + System.getenv("PATH"));
    pb.environment().remove("LC_ALL");
    pb.environment().remove("LC_CTYPE");
    for (String e : env) {
      String[] kv = e.split("=", 2);
      pb.environment().put(kv[0], kv[1]);
    }
    pb.redirectErrorStream(true);
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), out);
    return out.lines().filter(l -> l.startsWith("LC_ALL=")).reduce((a, b) -> b).orElse(out);
  }

  @Test
  void theLauncherRunsJavaInAUtf8LocaleWhenTheLocaleIsNot() throws Exception {
    Assumptions.assumeTrue(
        new ProcessBuilder("sh", "-c", "locale -a | grep -qix 'C.utf-\\?8'").start().waitFor() == 0,
        "a C.UTF-8 locale is installed");
    assertTrue(launcherLocale("LANG=C", "LC_ALL=").matches("LC_ALL=C\\.(?i)utf-?8"));
    assertEquals("LC_ALL=", launcherLocale("LANG=C.UTF-8"));
  }
}
