package io.github.ringloss4j.app.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;

/**
 * Seeded damage to a file's bytes, shared by the tests that feed damaged inputs to the readers
 * ({@link CorruptInputsTest} through the whole command line, {@code ReaderMutationTest} through the
 * readers directly).
 */
public final class Mutations {

  private static final String PRINTABLE = "0123456789-+.eE,:{}[]()'\" \nTtrueFalsnl";

  private Mutations() {}

  /** A kind of damage. */
  public enum Kind {
    /** Cut the file short (at most {@code keepAtMost} bytes kept). */
    TRUNCATE,
    /** XOR 0xFF into 1 to 4 bytes in [{@code flipFrom}, {@code flipTo}). */
    FLIP,
    /** Empty the file. */
    ZERO,
    /** Insert 1 to 8 random bytes, or as often printable ASCII, at a random offset. */
    INSERT,
    /** Repeat a span of 1 to 64 bytes right after itself. */
    DUPLICATE
  }

  /** The kinds {@link CorruptInputsTest} uses: damage its formats always detect. */
  static final Kind[] CUT_FLIP_ZERO = {Kind.TRUNCATE, Kind.FLIP, Kind.ZERO};

  /**
   * Damaged bytes.
   *
   * @param bytes the valid bytes, not changed
   * @param kind the damage
   * @param random the source of offsets and values
   * @param flipFrom the first byte a flip may hit
   * @param flipTo one past the last byte a flip may hit (clipped to the length)
   * @param keepAtMost the longest truncation, in bytes
   * @return new bytes
   */
  public static byte[] apply(
      byte[] bytes, Kind kind, Random random, int flipFrom, int flipTo, int keepAtMost) {
    return switch (kind) {
      case ZERO -> new byte[0];
      case TRUNCATE -> Arrays.copyOf(bytes, random.nextInt(Math.min(keepAtMost, bytes.length) + 1));
      case FLIP -> {
        byte[] out = bytes.clone();
        int flips = 1 + random.nextInt(4);
        int to = Math.min(flipTo, out.length);
        for (int i = 0; i < flips; i++) {
          out[flipFrom + random.nextInt(to - flipFrom)] ^= (byte) 0xFF;
        }
        yield out;
      }
      case INSERT -> {
        byte[] extra = new byte[1 + random.nextInt(8)];
        random.nextBytes(extra);
        if (random.nextBoolean()) {
          // Text that a text format may accept: digits, signs, punctuation, letters.
          for (int i = 0; i < extra.length; i++) {
            extra[i] = (byte) PRINTABLE.charAt(random.nextInt(PRINTABLE.length()));
          }
        }
        yield splice(bytes, random.nextInt(bytes.length + 1), extra);
      }
      case DUPLICATE -> {
        int from = random.nextInt(bytes.length);
        int length = 1 + random.nextInt(Math.min(64, bytes.length - from));
        yield splice(bytes, from + length, Arrays.copyOfRange(bytes, from, from + length));
      }
    };
  }

  /**
   * Damages a file in place.
   *
   * @param file the file
   * @param kind the damage
   * @param random the source of offsets and values
   * @param flipFrom the first byte a flip may hit
   * @param flipTo one past the last byte a flip may hit
   * @param keepAtMost the longest truncation, in bytes
   * @throws IOException if the file cannot be read or written
   */
  public static void damage(
      Path file, Kind kind, Random random, int flipFrom, int flipTo, int keepAtMost)
      throws IOException {
    Files.write(file, apply(Files.readAllBytes(file), kind, random, flipFrom, flipTo, keepAtMost));
  }

  private static byte[] splice(byte[] bytes, int at, byte[] inserted) {
    byte[] out = new byte[bytes.length + inserted.length];
    System.arraycopy(bytes, 0, out, 0, at);
    System.arraycopy(inserted, 0, out, at, inserted.length);
    System.arraycopy(bytes, at, out, at + inserted.length, bytes.length - at);
    return out;
  }
}
