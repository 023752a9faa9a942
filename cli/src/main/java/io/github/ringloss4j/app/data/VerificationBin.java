package io.github.ringloss4j.app.data;

import io.github.ringloss4j.app.io.DataFormatException;
import io.github.ringloss4j.internal.CheckedUnpickler;
import io.github.ringloss4j.internal.PicklePolicy;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import net.razorvine.pickle.Opcodes;

/**
 * One of InsightFace's verification sets ({@code lfw.bin}, {@code cfp_fp.bin}, {@code
 * agedb_30.bin}, …): N labelled pairs of encoded face images, to be scored with {@link
 * io.github.ringloss4j.metrics.InsightFaceVerification}.
 *
 * <p><b>Format.</b> A Python pickle of the 2-tuple {@code (bins, issame_list)}: {@code bins} a list
 * of 2N encoded images (JPEG or PNG file contents), pair i being images 2i and 2i + 1, and {@code
 * issame_list} a list of N booleans. Two dialects occur, both accepted: files written by Python 2
 * hold the images as byte strings ({@code str}: opcodes {@code SHORT_BINSTRING}, {@code BINSTRING},
 * or {@code STRING} at protocol 0), which Pyrolite returns as Java strings of chars 0–255 and which
 * are turned back into bytes as ISO-8859-1 (the one charset that maps every char 0–255 to the byte
 * of that value; UTF-8 would not); files written by Python 3 hold them as {@code bytes} ({@code
 * SHORT_BINBYTES}, {@code BINBYTES}, {@code BINBYTES8}, {@code BYTEARRAY8}). Python 3 at protocols
 * 0 to 2 writes bytes as {@code _codecs.encode(str, 'latin1')}: that form is accepted too (see
 * below). InsightFace's own {@code load_bin} reads all of these. (Python 3 writes an empty {@code
 * bytes} at those protocols as {@code __builtin__.bytes()}, which is refused like any other global:
 * an empty image could not be decoded anyway.)
 *
 * <p><b>Safety.</b> A pickle is a program for a stack machine that can import and call any Python
 * global; Pyrolite ({@code net.razorvine:pickle}) by default turns an unknown global into an object
 * and a declared length into an allocation, so a 30-byte file can name {@code os.system} or ask for
 * 2 GB. The file is therefore unpickled by Pyrolite through a guard that sees every opcode before
 * Pyrolite executes it ({@code Unpickler.dispatch} overridden in core's {@link CheckedUnpickler},
 * with this reader's policy):
 *
 * <ul>
 *   <li>Opcodes that name, call or build Python objects are refused: {@code GLOBAL}, {@code
 *       STACK_GLOBAL}, {@code REDUCE}, {@code BUILD}, {@code INST}, {@code OBJ}, {@code NEWOBJ},
 *       {@code NEWOBJ_EX}, {@code PERSID}, {@code BINPERSID}, {@code EXT1}, {@code EXT2}, {@code
 *       EXT4}, and the out-of-band {@code NEXT_BUFFER} and {@code READONLY_BUFFER}. The one
 *       exception: {@code GLOBAL} naming exactly {@code _codecs encode}, which the guard itself
 *       replaces by an inert marker, and a {@code REDUCE} applying that marker to exactly the tuple
 *       (a text string, {@code 'latin1'}), which the guard itself evaluates as ISO-8859-1 encoding.
 *       No Python name is ever resolved and nothing is called. This is accepted because it is how
 *       Python 3's standard pickler writes {@code bytes} at protocols 0 to 2 (protocol 2 being the
 *       usual choice for files that Python 2 must read too), so such {@code .bin} files exist and
 *       load in InsightFace; it adds no power to the pickle, since the result is the same bytes a
 *       {@code BINBYTES} opcode would give.
 *   <li>Opcodes that build no part of the accepted shape (dicts, sets, floats, long integers) are
 *       refused as well, so that only the list, tuple, bool, int, string and memo machinery of
 *       Pyrolite is ever reached. Unknown opcodes are refused.
 *   <li>Every declared length ({@code FRAME}, the {@code *BINSTRING}, {@code *BINBYTES}, {@code
 *       *BINUNICODE} and {@code BYTEARRAY8} opcodes) is read ahead and must not exceed the bytes
 *       left in the file before Pyrolite allocates anything, so memory stays within the file's
 *       size, and a forged length is a clear error at once.
 *   <li>After unpickling, only the shape above is accepted: a 2-tuple of a list of 2N non-empty
 *       byte strings, all of one dialect, and a list of N ≥ 1 booleans (not ints); no bytes may
 *       follow the pickle's {@code STOP}. Text ({@code str} in Python 3, {@code unicode} in Python
 *       2) is not an image and is refused.
 * </ul>
 *
 * <p>Every refusal and every malformed or truncated file is a {@link DataFormatException} whose
 * message starts with the file path (and the byte offset of the opcode, or the item, where known)
 * and says what is wrong. A missing file is a {@link NoSuchFileException}.
 *
 * <p><b>Memory and work.</b> The encoded images are held as read, about the size of the file;
 * nothing is decoded here. An image the pickle's memo repeats is one object, checked once; {@link
 * #firstOccurrences} tells which images repeat another, so that a caller decodes and embeds each
 * distinct image once and the work stays bounded by the file's bytes. {@link #image} and {@link
 * #pair} hand out one image's bytes at a time, so a caller can decode and embed pair by pair.
 */
public final class VerificationBin {

  /** How the images were stored. */
  public enum Dialect {
    /** Python 2 byte strings ({@code str}), returned by Pyrolite as strings of chars 0–255. */
    PYTHON2_STR,
    /** Python 3 {@code bytes}, directly or through {@code _codecs.encode(str, 'latin1')}. */
    PYTHON3_BYTES
  }

  /**
   * One verification pair.
   *
   * @param first the encoded first image (image 2i of the file)
   * @param second the encoded second image (image 2i + 1)
   * @param same whether both show one person
   */
  public record Pair(byte[] first, byte[] second, boolean same) {

    /**
     * Checks for null.
     *
     * @param first the encoded first image
     * @param second the encoded second image
     * @param same whether both show one person
     */
    public Pair {
      Objects.requireNonNull(first, "first");
      Objects.requireNonNull(second, "second");
    }
  }

  private final Path file;
  private final List<Object> images;
  private final boolean[] issame;
  private final Dialect dialect;

  private VerificationBin(Path file, List<Object> images, boolean[] issame, Dialect dialect) {
    this.file = file;
    this.images = images;
    this.issame = issame;
    this.dialect = dialect;
  }

  /**
   * Reads and checks a verification set; see the class comment for what is accepted.
   *
   * @param file the {@code .bin} file
   * @return the set, with its images still encoded
   * @throws NoSuchFileException if the file does not exist
   * @throws DataFormatException if the file is empty, is not a pickle, uses a refused opcode,
   *     declares a length beyond its end, is truncated, or does not have the expected shape
   * @throws IOException if the file cannot be read
   */
  public static VerificationBin read(Path file) throws IOException {
    Objects.requireNonNull(file, "file");
    Object root;
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = channel.size();
      if (size == 0) {
        throw new DataFormatException(
            file, "empty file: expected a pickled (images, issame) verification set");
      }
      CheckedUnpickler unpickler =
          new CheckedUnpickler(
              new BinPolicy(file), new BufferedInputStream(Channels.newInputStream(channel)), size);
      root = unpickler.run();
      if (unpickler.remaining() > 0) {
        throw DataFormatException.atByte(
            file,
            unpickler.position(),
            unpickler.remaining()
                + " bytes follow the pickle's STOP opcode: expected the end of file");
      }
    } catch (NoSuchFileException e) {
      throw new NoSuchFileException(
          file.toString(), null, "no such file: expected an InsightFace verification .bin");
    }
    return shape(file, root);
  }

  /**
   * The file the set was read from.
   *
   * @return the path as given to {@link #read}
   */
  public Path file() {
    return file;
  }

  /**
   * The number of pairs N.
   *
   * @return N, at least 1
   */
  public int pairCount() {
    return issame.length;
  }

  /**
   * The number of images, 2N.
   *
   * @return 2N
   */
  public int imageCount() {
    return images.size();
  }

  /**
   * How the images were stored in the file.
   *
   * @return the dialect
   */
  public Dialect dialect() {
    return dialect;
  }

  /**
   * Whether pair i shows one person.
   *
   * @param pair the pair index i, in [0, N)
   * @return {@code issame_list[i]}
   * @throws IndexOutOfBoundsException if the index is out of range
   */
  public boolean isSame(int pair) {
    Objects.checkIndex(pair, issame.length);
    return issame[pair];
  }

  /**
   * All the flags.
   *
   * @return a copy of {@code issame_list}, N entries
   */
  public boolean[] issame() {
    return issame.clone();
  }

  /**
   * The encoded bytes of one image, exactly as they were pickled (a JPEG or PNG file's content).
   *
   * @param index the image index, in [0, 2N); pair i is images 2i and 2i + 1
   * @return a new array
   * @throws IndexOutOfBoundsException if the index is out of range
   */
  public byte[] image(int index) {
    Objects.checkIndex(index, images.size());
    Object image = images.get(index);
    // A Python 2 str arrives as chars 0-255 (checked in shape): ISO-8859-1 maps each back to its
    // byte.
    return image instanceof String s
        ? s.getBytes(StandardCharsets.ISO_8859_1)
        : ((byte[]) image).clone();
  }

  /**
   * Pair i: images 2i and 2i + 1 and the flag, for decoding one pair at a time.
   *
   * @param pair the pair index i, in [0, N)
   * @return the pair
   * @throws IndexOutOfBoundsException if the index is out of range
   */
  public Pair pair(int pair) {
    Objects.checkIndex(pair, issame.length);
    return new Pair(image(2 * pair), image(2 * pair + 1), issame[pair]);
  }

  /**
   * Which images repeat an earlier one, so that each distinct image is decoded and embedded once: a
   * pickle's memo lets a small file list one image many times (100,000 pairs of one image in 400
   * KB), and sets may hold the same image bytes twice.
   *
   * @return for each image i, the index of the first image with the same bytes (i itself when it is
   *     the first), 2N entries
   */
  public int[] firstOccurrences() {
    int[] first = new int[images.size()];
    Map<Object, Integer> byObject = new IdentityHashMap<>();
    Map<Object, Integer> byContent = new HashMap<>();
    for (int i = 0; i < first.length; i++) {
      Object image = images.get(i);
      Integer seen = byObject.get(image);
      if (seen == null) {
        Object key = image instanceof byte[] b ? new Bytes(b) : image;
        seen = byContent.putIfAbsent(key, i);
        seen = seen == null ? i : seen;
        byObject.put(image, seen);
      }
      first[i] = seen;
    }
    return first;
  }

  /**
   * A set of some of these images, paired in the order given (the last one twice when their count
   * is odd), every pair flagged different: the images to embed once each, see {@link
   * #firstOccurrences}. Its pairs mean nothing.
   *
   * @param indices image indices, at least one, each in [0, 2N)
   * @return the set, reading from the same file
   */
  public VerificationBin images(int[] indices) {
    if (indices.length == 0) {
      throw new IllegalArgumentException("at least one image is needed");
    }
    List<Object> chosen = new ArrayList<>(indices.length + 1);
    for (int i : indices) {
      chosen.add(images.get(Objects.checkIndex(i, images.size())));
    }
    if (chosen.size() % 2 == 1) {
      chosen.add(chosen.get(chosen.size() - 1));
    }
    return new VerificationBin(file, List.copyOf(chosen), new boolean[chosen.size() / 2], dialect);
  }

  /** An image's bytes as a key of their content. */
  private record Bytes(byte[] value) {
    @Override
    public boolean equals(Object o) {
      return o instanceof Bytes b && Arrays.equals(value, b.value);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(value);
    }

    @Override
    public String toString() {
      return "bytes (" + value.length + ")";
    }
  }

  /** The accepted shape of the class comment, or a {@link DataFormatException}. */
  private static VerificationBin shape(Path file, Object root) throws DataFormatException {
    String expected = "expected a tuple (images, issame) of a list of 2N images and N bools";
    if (!(root instanceof Object[] tuple) || tuple.length != 2) {
      throw new DataFormatException(file, "the pickle holds " + describe(root) + ": " + expected);
    }
    if (!(tuple[0] instanceof List<?> images)) {
      throw new DataFormatException(
          file, "the tuple's first item is " + describe(tuple[0]) + ": " + expected);
    }
    if (!(tuple[1] instanceof List<?> flags)) {
      throw new DataFormatException(
          file, "the tuple's second item is " + describe(tuple[1]) + ": " + expected);
    }
    if (flags.isEmpty()) {
      throw new DataFormatException(file, "issame is empty: expected at least one pair");
    }
    if (images.size() != 2L * flags.size()) {
      throw new DataFormatException(
          file,
          "holds "
              + images.size()
              + " images for "
              + flags.size()
              + " issame flags: expected 2 × "
              + flags.size()
              + " = "
              + 2L * flags.size()
              + " images, two per pair");
    }
    boolean[] issame = new boolean[flags.size()];
    for (int i = 0; i < issame.length; i++) {
      if (!(flags.get(i) instanceof Boolean b)) {
        throw DataFormatException.atItem(
            file, i, "issame[" + i + "] is " + describe(flags.get(i)) + ": expected a bool");
      }
      issame[i] = b;
    }
    Dialect dialect = null;
    List<Object> kept = new ArrayList<>(images.size());
    Set<Object> checked = Collections.newSetFromMap(new IdentityHashMap<>());
    for (int i = 0; i < images.size(); i++) {
      Object image = images.get(i);
      Dialect d;
      int length;
      if (image instanceof byte[] bytes) {
        d = Dialect.PYTHON3_BYTES;
        length = bytes.length;
      } else if (image instanceof String s) {
        d = Dialect.PYTHON2_STR;
        length = s.length();
        // A string the memo repeats is checked once, so that the work is bounded by the file.
        for (int c = checked.add(s) ? 0 : s.length(); c < s.length(); c++) {
          if (s.charAt(c) > 0xFF) {
            throw DataFormatException.atItem(
                file, i, "image " + i + " has a char above 0xFF at " + c + ": not a byte string");
          }
        }
      } else {
        throw DataFormatException.atItem(
            file, i, "image " + i + " is " + describe(image) + ": expected bytes");
      }
      if (length == 0) {
        throw DataFormatException.atItem(
            file, i, "image " + i + " is empty: expected an encoded JPEG or PNG");
      }
      if (dialect == null) {
        dialect = d;
      } else if (d != dialect) {
        throw DataFormatException.atItem(
            file,
            i,
            "image "
                + i
                + " is "
                + describe(image)
                + " but image 0 is "
                + describe(images.get(0))
                + ": expected one dialect throughout");
      }
      kept.add(image);
    }
    return new VerificationBin(file, List.copyOf(kept), issame, dialect);
  }

  /**
   * What a verification set may hold: the data opcodes of {@link CheckedUnpickler}, and the one
   * global and call with which Python 3 writes bytes at protocol 2, {@code _codecs.encode(str,
   * 'latin1')}, evaluated here as the ISO-8859-1 encoding of the text.
   */
  private static final class BinPolicy extends PicklePolicy {

    /** The inert stand-in for {@code _codecs.encode}: only {@link #reduce} knows it. */
    static final Object CODECS_ENCODE = new Object();

    private static final String NO_CODE =
        "a verification set holds only lists of bytes and bools, and this reader never runs"
            + " pickled code";

    private final Path file;

    BinPolicy(Path file) {
      this.file = file;
    }

    @Override
    public String whyNot(short opcode, String name) {
      return switch (opcode) {
        case Opcodes.STACK_GLOBAL -> NO_CODE;
        case Opcodes.EMPTY_DICT,
            Opcodes.DICT,
            Opcodes.SETITEM,
            Opcodes.SETITEMS,
            Opcodes.EMPTY_SET,
            Opcodes.ADDITEMS,
            Opcodes.FROZENSET,
            Opcodes.FLOAT,
            Opcodes.BINFLOAT,
            Opcodes.LONG,
            Opcodes.LONG1,
            Opcodes.LONG4 ->
            "it builds a dict, set, float or long, which is no part of a verification set:"
                + " expected a tuple (images, issame) of a list of bytes and a list of bools";
        default -> "it names, calls or builds a Python object; " + NO_CODE;
      };
    }

    @Override
    public Object global(String module, String name) {
      return module.equals("_codecs") && name.equals("encode") ? CODECS_ENCODE : null;
    }

    @Override
    public String whyNotGlobal() {
      return "the only global accepted is _codecs.encode, with which Python 3 writes bytes"
          + " at protocol 2";
    }

    @Override
    public Object reduce(Object callable, Object args) throws PicklePolicy.Rejected {
      if (callable == CODECS_ENCODE
          && args instanceof Object[] a
          && a.length == 2
          && a[0] instanceof CheckedUnpickler.Text text
          && a[1] instanceof CheckedUnpickler.Text encoding
          && encoding.value().equals("latin1")) {
        String s = text.value();
        for (int c = 0; c < s.length(); c++) {
          if (s.charAt(c) > 0xFF) {
            throw PicklePolicy.Rejected.malformed(
                "_codecs.encode(str, 'latin1') of a char above 0xFF at " + c + ": not bytes");
          }
        }
        return s.getBytes(StandardCharsets.ISO_8859_1);
      }
      throw PicklePolicy.Rejected.refused(
          "it calls "
              + describe(callable)
              + " on "
              + describe(args)
              + "; the only call accepted is _codecs.encode(str, 'latin1'), with which Python 3"
              + " writes bytes at protocol 2");
    }

    @Override
    public String describe(Object value) {
      return VerificationBin.describe(value);
    }

    @Override
    public IOException failure(long byteOffset, String message) {
      return DataFormatException.atByte(file, byteOffset, message);
    }
  }

  /** A Python-flavoured description of an unpickled value, never its content. */
  static String describe(Object value) {
    return value == BinPolicy.CODECS_ENCODE
        ? "the function _codecs.encode"
        : CheckedUnpickler.describe(value);
  }
}
