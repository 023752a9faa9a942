package io.github.ringloss4j.app.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.ringloss4j.app.io.DataFormatException;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link VerificationBin} on the fixtures of {@code verification/make_fixture.py} (every dialect,
 * checked against the SHA-256 of each image that Python wrote) and on hostile and malformed
 * pickles, each of which must be a {@link DataFormatException} naming the file.
 */
public class VerificationBinTest {

  @TempDir Path dir;

  static Path resource(String name) {
    try {
      return Path.of(VerificationBinTest.class.getResource("/verification/" + name).toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A pickle written as text: each char is one byte (0–255). */
  private Path pickle(String name, String bytes) throws IOException {
    return Files.write(dir.resolve(name), bytes.getBytes(StandardCharsets.ISO_8859_1));
  }

  private static DataFormatException refused(Path file, String... fragments) {
    DataFormatException e =
        assertThrows(DataFormatException.class, () -> VerificationBin.read(file), file.toString());
    assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
    for (String fragment : fragments) {
      assertTrue(
          e.getMessage().contains(fragment),
          "message '" + e.getMessage() + "' lacks '" + fragment + "'");
    }
    return e;
  }

  @Test
  void everyDialectGivesPythonsBytes() throws Exception {
    InsightFaceFixture reference = InsightFaceFixture.load();
    List<String> sha256 = reference.strings("bin_image_sha256");
    boolean[] issame = reference.booleans("bin_issame");
    Object[][] files = {
      {"tiny_py3.bin", VerificationBin.Dialect.PYTHON3_BYTES},
      {"tiny_py3_proto2.bin", VerificationBin.Dialect.PYTHON3_BYTES},
      {"tiny_py2.bin", VerificationBin.Dialect.PYTHON2_STR},
      {"tiny_py2_proto0.bin", VerificationBin.Dialect.PYTHON2_STR},
    };
    for (Object[] f : files) {
      VerificationBin bin = VerificationBin.read(resource((String) f[0]));
      assertEquals(f[1], bin.dialect(), (String) f[0]);
      assertEquals(12, bin.pairCount());
      assertEquals(24, bin.imageCount());
      assertArrayEquals(issame, bin.issame(), (String) f[0]);
      for (int i = 0; i < bin.imageCount(); i++) {
        assertEquals(sha256.get(i), sha256(bin.image(i)), f[0] + " image " + i);
      }
      VerificationBin.Pair pair = bin.pair(3);
      assertArrayEquals(bin.image(6), pair.first());
      assertArrayEquals(bin.image(7), pair.second());
      assertEquals(issame[3], pair.same());
      assertEquals(issame[3], bin.isSame(3));
    }
  }

  @Test
  void everyByteValueSurvivesEveryDialect() throws IOException {
    // ([bytes 0..255, bytes 255..0], [True]): Python 2 strings come back through ISO-8859-1,
    // Python 3 protocol 2 and 0 through _codecs.encode of a BINUNICODE (UTF-8) or UNICODE
    // (raw-unicode-escape) text, protocol 4 as raw bytes.
    byte[] up = new byte[256];
    byte[] down = new byte[256];
    for (int b = 0; b < 256; b++) {
      up[b] = (byte) b;
      down[b] = (byte) (255 - b);
    }
    for (String name : new String[] {"py3_p4", "py3_p2", "py3_p0", "py2_p2", "py2_p0"}) {
      VerificationBin bin = VerificationBin.read(resource("bytes256_" + name + ".bin"));
      assertArrayEquals(up, bin.image(0), name);
      assertArrayEquals(down, bin.image(1), name);
      assertEquals(
          name.startsWith("py2")
              ? VerificationBin.Dialect.PYTHON2_STR
              : VerificationBin.Dialect.PYTHON3_BYTES,
          bin.dialect(),
          name);
    }
  }

  @Test
  void imagesDecode() throws IOException {
    // Image 0 is 16 x 16 noise (over 255 bytes: BINSTRING / BINBYTES), image 1 a 4 x 4 gradient.
    VerificationBin bin = VerificationBin.read(resource("tiny_py2.bin"));
    BufferedImage big = ImageIO.read(new ByteArrayInputStream(bin.image(0)));
    BufferedImage small = ImageIO.read(new ByteArrayInputStream(bin.image(1)));
    assertEquals(16, big.getWidth());
    assertEquals(4, small.getHeight());
    assertTrue(bin.image(0).length > 255);
  }

  @Test
  void refusesGlobalsAndCalls() throws IOException {
    // Pickled by Python from an object whose __reduce__ is os.system (module posix on Linux).
    refused(
        resource("hostile_posix_system_proto2.bin"),
        "at byte 2",
        "refused pickle opcode GLOBAL",
        "posix.system");
    refused(
        resource("hostile_posix_system_proto4.bin"),
        "refused pickle opcode STACK_GLOBAL",
        "posix.system");
    // PROTO 2, GLOBAL os system, BINUNICODE 'ls', TUPLE1, REDUCE, STOP
    refused(
        pickle("os.bin", "\u0080\u0002cos\nsystem\nX\u0002\0\0\0ls\u0085R."),
        "at byte 2",
        "GLOBAL",
        "os.system");
    // REDUCE without a global: an empty list called on (u'',)
    refused(
        pickle("reduce.bin", "\u0080\u0002]X\0\0\0\0\u0085R."),
        "at byte 9",
        "refused pickle opcode REDUCE",
        "it calls a list of 0");
    // _codecs.encode is accepted for 'latin1' only
    refused(
        pickle(
            "utf8.bin", "\u0080\u0002c_codecs\nencode\nX\u0001\0\0\0aX\u0005\0\0\0utf-8\u0086R."),
        "REDUCE",
        "the function _codecs.encode");
    for (String opcode : new String[] {"b", "i", "o", "\u0081", "\u0092", "P", "Q", "\u0082"}) {
      // BUILD, INST, OBJ, NEWOBJ, NEWOBJ_EX, PERSID, BINPERSID, EXT1: refused before they run
      refused(pickle("op.bin", "\u0080\u0004" + opcode), "at byte 2", "refused pickle opcode");
    }
  }

  @Test
  void forgedLengthsAreRefusedAtOnce() throws IOException {
    assertTimeoutPreemptively(
        Duration.ofSeconds(5),
        () -> {
          // PROTO 3, BINBYTES of 0x7fffffff bytes, STOP: 8 bytes declaring 2 GB.
          Path twoGb = pickle("2gb.bin", "\u0080\u0003B\u00ff\u00ff\u00ff\u007f.");
          assertEquals(8, Files.size(twoGb));
          refused(twoGb, "at byte 2", "BINBYTES declares 2147483647 bytes but only 1 remain");
          // BINBYTES8 of 2^62, BINUNICODE of 2^32 - 1, BINSTRING of -1, FRAME of 2^63 + 1
          refused(
              pickle("b8.bin", "\u0080\u0004\u008e\0\0\0\0\0\0\0\u0040."),
              "BINBYTES8 declares 4611686018427387904 bytes");
          refused(
              pickle("u4.bin", "\u0080\u0003X\u00ff\u00ff\u00ff\u00ff."),
              "BINUNICODE declares 4294967295 bytes");
          refused(
              pickle("s4.bin", "\u0080\u0002T\u00ff\u00ff\u00ff\u00ff."),
              "BINSTRING declares -1 bytes");
          refused(
              pickle("frame.bin", "\u0080\u0004\u0095\u0001\0\0\0\0\0\0\u0080."),
              "FRAME declares 9223372036854775809 bytes");
          refused(
              pickle("short.bin", "\u0080\u0002U\u00c8abc."),
              "SHORT_BINSTRING declares 200 bytes but only 4 remain");
        });
  }

  @Test
  void refusesWrongShapes() throws IOException {
    // EMPTY_DICT
    refused(pickle("dict.bin", "\u0080\u0002}q\0."), "refused pickle opcode EMPTY_DICT");
    // ([], [], []): a tuple of 3
    refused(
        pickle("three.bin", "\u0080\u0002]]]\u0087."),
        "the pickle holds a tuple of 3",
        "expected a tuple (images, issame)");
    // [] alone
    refused(pickle("list.bin", "\u0080\u0002]."), "the pickle holds a list of 0");
    // ([b'a', b'b', b'c'], [True]): 3 images for 1 flag
    refused(
        pickle("odd.bin", "\u0080\u0003](C\u0001aC\u0001bC\u0001ce]\u0088a\u0086."),
        "holds 3 images for 1 issame flags: expected 2 × 1 = 2 images");
    // ([b'a', b'b'], [1]): an int flag
    refused(
        pickle("int.bin", "\u0080\u0003](C\u0001aC\u0001be]K\u0001a\u0086."),
        "item 0",
        "issame[0] is an int: expected a bool");
    // (['a', 'b'], [True]): text, not bytes
    refused(
        pickle("text.bin", "\u0080\u0003](X\u0001\0\0\0aX\u0001\0\0\0be]\u0088a\u0086."),
        "image 0 is a text string (1 chars): expected bytes");
    // ([b'a', 'b'], [True]) in mixed dialects: bytes, then a Python 2 str
    refused(
        pickle("mixed.bin", "\u0080\u0003](C\u0001aU\u0001be]\u0088a\u0086."),
        "image 1 is a Python 2 byte string (1) but image 0 is bytes (1)");
    // ([b'', b'b'], [True]): an empty image
    refused(
        pickle("empty-image.bin", "\u0080\u0003](C\0C\u0001be]\u0088a\u0086."), "image 0 is empty");
    // ([], []): no pairs
    refused(pickle("none.bin", "\u0080\u0002]]\u0086."), "issame is empty");
    // ([b'a', b'b'], [True]) followed by a stray byte
    refused(
        pickle("trailing.bin", "\u0080\u0003](C\u0001aC\u0001be]\u0088a\u0086.x"),
        "1 bytes follow the pickle's STOP opcode");
  }

  @Test
  void acceptsTheSmallestValidSet() throws IOException {
    // ([b'a', b'b'], [True]) at protocol 3
    VerificationBin bin =
        VerificationBin.read(pickle("ok.bin", "\u0080\u0003](C\u0001aC\u0001be]\u0088a\u0086."));
    assertEquals(1, bin.pairCount());
    assertArrayEquals("a".getBytes(StandardCharsets.US_ASCII), bin.image(0));
    assertTrue(bin.isSame(0));
  }

  @Test
  void refusesEmptyTruncatedAndMissingFiles() throws IOException {
    refused(pickle("zero.bin", ""), "empty file");
    refused(pickle("text.bin", "hello"), "malformed pickle");
    refused(pickle("junk.bin", "\u00ff"), "0xff is not a pickle opcode");
    byte[] whole = Files.readAllBytes(resource("tiny_py2.bin"));
    Path half = Files.write(dir.resolve("half.bin"), Arrays.copyOf(whole, 1000));
    refused(half, "truncated");
    Path missing = dir.resolve("missing.bin");
    NoSuchFileException e =
        assertThrows(NoSuchFileException.class, () -> VerificationBin.read(missing));
    assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
  }

  @Test
  void everyTruncationAndByteFlipIsADataFormatException() throws IOException {
    // Prefixes of every fixture (every length up to 400 bytes, then every 11th), and 300 random
    // single-byte corruptions of each: the reader must either return a set or throw a
    // DataFormatException naming the file, never anything else (no OutOfMemoryError, no runtime
    // exception escaping from Pyrolite).
    Random random = new Random(3);
    for (String name :
        new String[] {
          "tiny_py3.bin", "tiny_py2.bin", "tiny_py3_proto2.bin", "tiny_py2_proto0.bin"
        }) {
      byte[] whole = Files.readAllBytes(resource(name));
      Path file = dir.resolve(name);
      for (int length = 0; length < whole.length; length += length < 400 ? 1 : 11) {
        Files.write(file, Arrays.copyOf(whole, length));
        refused(file);
      }
      for (int k = 0; k < 300; k++) {
        byte[] corrupt = whole.clone();
        corrupt[random.nextInt(corrupt.length)] = (byte) random.nextInt(256);
        Files.write(file, corrupt);
        try {
          VerificationBin.read(file);
        } catch (DataFormatException e) {
          assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
        }
      }
    }
  }

  /**
   * 100,000 pairs of one image through the pickle's memo (BINPUT once, BINGET 199,999 times): about
   * 500 KB whose images are one object.
   */
  public static Path memoBomb(Path file, int pairs, byte[] image) throws IOException {
    java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
    b.write(new byte[] {(byte) 0x80, 3, ']', '(', 'B'});
    b.write(new byte[] {(byte) image.length, (byte) (image.length >> 8), 0, 0});
    b.write(image);
    b.write(new byte[] {'q', 1});
    for (int i = 1; i < 2 * pairs; i++) {
      b.write(new byte[] {'h', 1});
    }
    b.write(new byte[] {'e', ']', '('});
    for (int i = 0; i < pairs; i++) {
      b.write(i % 2 == 0 ? 0x88 : 0x89);
    }
    b.write(new byte[] {'e', (byte) 0x86, '.'});
    return Files.write(file, b.toByteArray());
  }

  @Test
  void imagesTheMemoRepeatsAreFoundOnce() throws IOException {
    byte[] png = Files.readAllBytes(resource("tiny_py3.bin")); // any bytes will do
    Path file = memoBomb(dir.resolve("memo.bin"), 100_000, Arrays.copyOf(png, 300));
    VerificationBin bin =
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> VerificationBin.read(file));
    assertEquals(100_000, bin.pairCount());
    int[] first = bin.firstOccurrences();
    assertEquals(200_000, first.length);
    assertTrue(Arrays.stream(first).allMatch(i -> i == 0));
    VerificationBin once = bin.images(new int[] {0});
    assertEquals(2, once.imageCount(), "one image, paired with itself");
    assertArrayEquals(bin.image(0), once.image(1));

    // Equal bytes in distinct objects are one image too; the order of first occurrences is kept.
    VerificationBin fixture = VerificationBin.read(resource("tiny_py2.bin"));
    int[] distinct = fixture.firstOccurrences();
    for (int i = 0; i < distinct.length; i++) {
      assertTrue(distinct[i] <= i);
      assertArrayEquals(fixture.image(i), fixture.image(distinct[i]));
    }
  }

  private static String sha256(byte[] bytes) throws NoSuchAlgorithmException {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }
}
