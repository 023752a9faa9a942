package io.github.ringloss4j.cli;

import static io.github.ringloss4j.cli.CliEndToEndTest.fails;
import static io.github.ringloss4j.cli.CliEndToEndTest.ok;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
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
}
