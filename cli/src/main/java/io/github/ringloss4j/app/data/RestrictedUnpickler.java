package io.github.ringloss4j.app.data;

import io.github.ringloss4j.app.io.DataFormatException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import net.razorvine.pickle.Opcodes;
import net.razorvine.pickle.PickleException;
import net.razorvine.pickle.Unpickler;

/**
 * Pyrolite's unpickler, with every opcode checked before it runs; see {@link VerificationBin}'s
 * class comment. Pyrolite 1.5 exposes {@code dispatch(short)}, the {@code stack} and {@code input}
 * to subclasses, and nothing else that a safe reader needs.
 */
final class RestrictedUnpickler extends Unpickler {

  /** The inert stand-in for {@code _codecs.encode}: only {@link #reduceCodecs} knows it. */
  static final Object CODECS_ENCODE = new Object();

  /** {@code _codecs\nencode\n}, the only accepted argument of GLOBAL. */
  private static final byte[] CODECS_GLOBAL = "_codecs\nencode\n".getBytes(StandardCharsets.UTF_8);

  /** Bytes of a GLOBAL argument shown in a refusal message. */
  private static final int GLOBAL_PEEK = 128;

  private final Path file;
  private final Input in;
  private long opcodeOffset;

  RestrictedUnpickler(Path file, Input in) {
    this.file = file;
    this.in = in;
  }

  /** Unpickles the whole file; every failure is reported against the file. */
  Object run() throws IOException {
    try {
      return load(in);
    } catch (DataFormatException e) {
      throw e;
    } catch (IOException e) {
      if (in.remaining() == 0) {
        throw DataFormatException.atByte(
            file,
            in.position(),
            "truncated: the file ends before the pickle's STOP opcode"
                + " (opcode at byte "
                + opcodeOffset
                + " incomplete)");
      }
      throw e;
    } catch (RuntimeException e) {
      // PickleException is a RuntimeException, as are the stack underflows and casts of a
      // malformed opcode sequence
      throw DataFormatException.atByte(
          file, opcodeOffset, "malformed pickle: " + clip(String.valueOf(e.getMessage())));
    } finally {
      close();
    }
  }

  @Override
  protected Object dispatch(short key) throws PickleException, IOException {
    opcodeOffset = in.position() - 1;
    switch (key) {
      case Opcodes.PROTO,
          Opcodes.STOP,
          Opcodes.MARK,
          Opcodes.POP,
          Opcodes.POP_MARK,
          Opcodes.DUP,
          Opcodes.PUT,
          Opcodes.BINPUT,
          Opcodes.LONG_BINPUT,
          Opcodes.MEMOIZE,
          Opcodes.GET,
          Opcodes.BINGET,
          Opcodes.LONG_BINGET,
          Opcodes.EMPTY_LIST,
          Opcodes.LIST,
          Opcodes.APPEND,
          Opcodes.APPENDS,
          Opcodes.EMPTY_TUPLE,
          Opcodes.TUPLE,
          Opcodes.TUPLE1,
          Opcodes.TUPLE2,
          Opcodes.TUPLE3,
          Opcodes.NONE,
          Opcodes.NEWTRUE,
          Opcodes.NEWFALSE,
          Opcodes.INT,
          Opcodes.BININT,
          Opcodes.BININT1,
          Opcodes.BININT2,
          Opcodes.STRING -> {
        // No declared length: fixed-size or newline-terminated arguments, bounded by the file.
        return super.dispatch(key);
      }
      case Opcodes.SHORT_BINSTRING, Opcodes.SHORT_BINBYTES -> {
        requireAvailable(key, 1, false);
        return super.dispatch(key);
      }
      case Opcodes.BINSTRING -> {
        requireAvailable(key, 4, true); // Python reads it as a signed '<i'
        return super.dispatch(key);
      }
      case Opcodes.BINBYTES -> {
        requireAvailable(key, 4, false);
        return super.dispatch(key);
      }
      case Opcodes.BINBYTES8, Opcodes.BYTEARRAY8, Opcodes.FRAME -> {
        requireAvailable(key, 8, false);
        return super.dispatch(key);
      }
      case Opcodes.UNICODE -> {
        return text(key);
      }
      case Opcodes.SHORT_BINUNICODE -> {
        requireAvailable(key, 1, false);
        return text(key);
      }
      case Opcodes.BINUNICODE -> {
        requireAvailable(key, 4, false);
        return text(key);
      }
      case Opcodes.BINUNICODE8 -> {
        requireAvailable(key, 8, false);
        return text(key);
      }
      case Opcodes.GLOBAL -> {
        return global();
      }
      case Opcodes.REDUCE -> {
        return reduceCodecs();
      }
      case Opcodes.STACK_GLOBAL -> {
        // the module and the name are the two text strings on top of the stack
        Object name = stack.size() >= 1 ? stack.pop() : null;
        Object module = stack.size() >= 1 ? stack.pop() : null;
        String shown =
            module instanceof Text m && name instanceof Text n
                ? printable(m.value()) + "." + printable(n.value())
                : "taken from the stack";
        throw refused(
            key,
            "it names the Python global "
                + shown
                + "; a verification set holds only lists of bytes and bools, and this reader"
                + " never runs pickled code");
      }
      case Opcodes.BUILD,
          Opcodes.INST,
          Opcodes.OBJ,
          Opcodes.NEWOBJ,
          Opcodes.NEWOBJ_EX,
          Opcodes.PERSID,
          Opcodes.BINPERSID,
          Opcodes.EXT1,
          Opcodes.EXT2,
          Opcodes.EXT4 ->
          throw refused(
              key,
              "it names, calls or builds a Python object; a verification set holds only lists of"
                  + " bytes and bools, and this reader never runs pickled code");
      case Opcodes.NEXT_BUFFER, Opcodes.READONLY_BUFFER ->
          throw refused(key, "it needs out-of-band buffers, which a file cannot supply");
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
          throw refused(
              key,
              "it builds a dict, set, float or long, which is no part of a verification set:"
                  + " expected a tuple (images, issame) of a list of bytes and a list of bools");
      default ->
          throw DataFormatException.atByte(
              file,
              opcodeOffset,
              String.format(Locale.ROOT, "0x%02x is not a pickle opcode: not a pickle file", key));
    }
  }

  /** A text opcode run by Pyrolite, its string then marked as text so it is never an image. */
  private Object text(short key) throws IOException {
    Object result = super.dispatch(key);
    stack.add(new Text((String) stack.pop()));
    return result;
  }

  /**
   * GLOBAL: only {@code _codecs encode} is accepted, as the inert {@link #CODECS_ENCODE}; the names
   * are read here and never reach Pyrolite's class lookup.
   */
  private Object global() throws IOException {
    in.mark(GLOBAL_PEEK);
    byte[] ahead = in.readNBytes(GLOBAL_PEEK);
    in.reset();
    if (ahead.length >= CODECS_GLOBAL.length
        && Arrays.equals(Arrays.copyOf(ahead, CODECS_GLOBAL.length), CODECS_GLOBAL)) {
      in.skipNBytes(CODECS_GLOBAL.length);
      stack.add(CODECS_ENCODE);
      return NO_RETURN_VALUE;
    }
    String name = new String(ahead, StandardCharsets.ISO_8859_1);
    String[] parts = name.split("\n", 3);
    String shown =
        parts.length >= 2 ? printable(parts[0]) + "." + printable(parts[1]) : printable(name);
    throw refused(
        Opcodes.GLOBAL,
        "it names the Python global "
            + shown
            + "; the only global accepted is _codecs.encode, with which Python 3 writes bytes"
            + " at protocol 2");
  }

  /**
   * REDUCE: only {@code _codecs.encode(text, 'latin1')} is evaluated, here, as the ISO-8859-1
   * encoding of the text; any other call is refused.
   */
  private Object reduceCodecs() throws DataFormatException {
    Object args = stack.size() >= 2 ? stack.pop() : null;
    Object callable = stack.size() >= 1 ? stack.pop() : null;
    if (callable == CODECS_ENCODE
        && args instanceof Object[] a
        && a.length == 2
        && a[0] instanceof Text text
        && a[1] instanceof Text encoding
        && encoding.value().equals("latin1")) {
      String s = text.value();
      for (int c = 0; c < s.length(); c++) {
        if (s.charAt(c) > 0xFF) {
          throw DataFormatException.atByte(
              file,
              opcodeOffset,
              "_codecs.encode(str, 'latin1') of a char above 0xFF at " + c + ": not bytes");
        }
      }
      stack.add(s.getBytes(StandardCharsets.ISO_8859_1));
      return NO_RETURN_VALUE;
    }
    throw refused(
        Opcodes.REDUCE,
        "it calls "
            + VerificationBin.describe(callable)
            + " on "
            + VerificationBin.describe(args)
            + "; the only call accepted is _codecs.encode(str, 'latin1'), with which Python 3"
            + " writes bytes at protocol 2");
  }

  /**
   * Reads ahead the opcode's declared length (little-endian, {@code width} bytes) and requires it
   * to fit in what is left of the file after the length itself.
   */
  private void requireAvailable(short key, int width, boolean signed) throws IOException {
    in.mark(width);
    byte[] raw = in.readNBytes(width);
    in.reset();
    if (raw.length < width) {
      throw DataFormatException.atByte(
          file,
          opcodeOffset,
          "truncated: opcode " + name(key) + " needs a " + width + "-byte length, the file ends");
    }
    long length = 0;
    for (int b = width - 1; b >= 0; b--) {
      length = (length << 8) | (raw[b] & 0xFF);
    }
    if (signed && width == 4) {
      length = (int) length;
    }
    long left = in.remaining() - width;
    // an 8-byte length with its top bit set is negative here and refused as well
    if (length < 0 || length > left) {
      throw DataFormatException.atByte(
          file,
          opcodeOffset,
          "opcode "
              + name(key)
              + " declares "
              + (signed ? Long.toString(length) : Long.toUnsignedString(length))
              + " bytes but only "
              + left
              + " remain in the file: truncated, or a corrupt or forged length");
    }
  }

  private DataFormatException refused(short key, String why) {
    return DataFormatException.atByte(
        file, opcodeOffset, "refused pickle opcode " + name(key) + ": " + why);
  }

  private static String name(short key) {
    return switch (key) {
      case Opcodes.GLOBAL -> "GLOBAL";
      case Opcodes.STACK_GLOBAL -> "STACK_GLOBAL";
      case Opcodes.REDUCE -> "REDUCE";
      case Opcodes.BUILD -> "BUILD";
      case Opcodes.INST -> "INST";
      case Opcodes.OBJ -> "OBJ";
      case Opcodes.NEWOBJ -> "NEWOBJ";
      case Opcodes.NEWOBJ_EX -> "NEWOBJ_EX";
      case Opcodes.PERSID -> "PERSID";
      case Opcodes.BINPERSID -> "BINPERSID";
      case Opcodes.EXT1 -> "EXT1";
      case Opcodes.EXT2 -> "EXT2";
      case Opcodes.EXT4 -> "EXT4";
      case Opcodes.NEXT_BUFFER -> "NEXT_BUFFER";
      case Opcodes.READONLY_BUFFER -> "READONLY_BUFFER";
      case Opcodes.EMPTY_DICT -> "EMPTY_DICT";
      case Opcodes.DICT -> "DICT";
      case Opcodes.SETITEM -> "SETITEM";
      case Opcodes.SETITEMS -> "SETITEMS";
      case Opcodes.EMPTY_SET -> "EMPTY_SET";
      case Opcodes.ADDITEMS -> "ADDITEMS";
      case Opcodes.FROZENSET -> "FROZENSET";
      case Opcodes.FLOAT -> "FLOAT";
      case Opcodes.BINFLOAT -> "BINFLOAT";
      case Opcodes.LONG -> "LONG";
      case Opcodes.LONG1 -> "LONG1";
      case Opcodes.LONG4 -> "LONG4";
      case Opcodes.SHORT_BINSTRING -> "SHORT_BINSTRING";
      case Opcodes.BINSTRING -> "BINSTRING";
      case Opcodes.SHORT_BINBYTES -> "SHORT_BINBYTES";
      case Opcodes.BINBYTES -> "BINBYTES";
      case Opcodes.BINBYTES8 -> "BINBYTES8";
      case Opcodes.BYTEARRAY8 -> "BYTEARRAY8";
      case Opcodes.FRAME -> "FRAME";
      case Opcodes.SHORT_BINUNICODE -> "SHORT_BINUNICODE";
      case Opcodes.BINUNICODE -> "BINUNICODE";
      case Opcodes.BINUNICODE8 -> "BINUNICODE8";
      default -> String.format(Locale.ROOT, "0x%02x", key);
    };
  }

  /** A name from the file, safe to print: control and non-ASCII chars escaped, clipped. */
  private static String printable(String s) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < s.length() && b.length() < 60; i++) {
      char c = s.charAt(i);
      if (c >= 0x20 && c < 0x7F) {
        b.append(c);
      } else {
        b.append(String.format(Locale.ROOT, "\\x%02x", (int) c));
      }
    }
    return b.toString();
  }

  private static String clip(String message) {
    return message.length() <= 200 ? message : message.substring(0, 200) + "…";
  }

  /** A Python text string (Python 3 str, Python 2 unicode): never an image. */
  record Text(String value) {}

  /**
   * The file as Pyrolite reads it: buffered, with the position and the bytes left known, and
   * mark/reset for reading lengths ahead.
   */
  static final class Input extends InputStream {
    private final InputStream in;
    private final long size;
    private long position;
    private long markPosition = -1;

    Input(InputStream in, long size) {
      this.in = in;
      this.size = size;
    }

    long position() {
      return position;
    }

    long remaining() {
      return Math.max(0, size - position);
    }

    @Override
    public int read() throws IOException {
      int b = in.read();
      if (b >= 0) {
        position++;
      }
      return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
      int n = in.read(buffer, offset, length);
      if (n > 0) {
        position += n;
      }
      return n;
    }

    @Override
    public long skip(long n) throws IOException {
      long skipped = in.skip(n);
      position += skipped;
      return skipped;
    }

    @Override
    public boolean markSupported() {
      return true;
    }

    @Override
    public synchronized void mark(int limit) {
      in.mark(limit);
      markPosition = position;
    }

    @Override
    public synchronized void reset() throws IOException {
      in.reset();
      position = markPosition;
    }

    @Override
    public void close() throws IOException {
      in.close();
    }
  }
}
