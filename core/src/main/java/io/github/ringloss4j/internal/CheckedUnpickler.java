package io.github.ringloss4j.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import net.razorvine.pickle.Opcodes;
import net.razorvine.pickle.PickleException;
import net.razorvine.pickle.Unpickler;

/**
 * Pyrolite's unpickler with every opcode checked before it runs: the one reader of untrusted Python
 * pickles in the project (InsightFace's {@code .bin} verification sets, the {@code data.pkl} of a
 * PyTorch {@code .pth}). Each reader supplies a {@link PicklePolicy}: which Python globals it
 * accepts (as inert stand-ins it defines), what a call ({@code REDUCE}) of one of them means, what
 * a persistent id ({@code BINPERSID}) loads, and which of the optional value opcodes (dicts,
 * floats, longs, {@code BUILD}, {@code STACK_GLOBAL}) may occur.
 *
 * <p>What this class guarantees whatever the policy:
 *
 * <ul>
 *   <li>No Python name is ever resolved by Pyrolite (its class lookup and {@code load_reduce} are
 *       never reached): {@code GLOBAL} and {@code STACK_GLOBAL} are read here and handed to the
 *       policy, which returns its own stand-in or refuses; {@code REDUCE}, {@code BUILD} and {@code
 *       BINPERSID} are evaluated here by the policy. {@code INST}, {@code OBJ}, {@code NEWOBJ},
 *       {@code NEWOBJ_EX}, text {@code PERSID}, the {@code EXT} registry and sets are always
 *       refused; out-of-band buffers ({@code NEXT_BUFFER}, {@code READONLY_BUFFER}) too, since a
 *       file cannot supply them. Unknown opcodes are refused.
 *   <li>Every declared length ({@code FRAME}, the {@code *BINSTRING}, {@code *BINBYTES}, {@code
 *       *BINUNICODE}, {@code BYTEARRAY8}, {@code LONG1}, {@code LONG4}) is read ahead and must fit
 *       in the bytes left in the input before Pyrolite allocates anything, so memory stays within
 *       the input's size.
 *   <li>Dicts keep the pickle's order, and a key Python could not hash (a list, dict or set) is
 *       refused, so that no Java {@code hashCode} recurses through a self-referencing list.
 *   <li>Text strings ({@code str} in Python 3, {@code unicode} in Python 2) arrive as {@link Text},
 *       so that a reader can tell them from Python 2 byte strings (plain Java strings).
 * </ul>
 *
 * <p>Every refusal and every malformed or truncated input becomes the exception the policy makes
 * from the byte offset of the opcode and a message ({@link PicklePolicy#failure}).
 */
public final class CheckedUnpickler extends Unpickler {

  /**
   * A Python text string (Python 3 {@code str}, Python 2 {@code unicode}).
   *
   * @param value the text
   */
  public record Text(String value) {}

  /** Bytes of a GLOBAL argument read ahead: module and name must fit. */
  private static final int GLOBAL_PEEK = 256;

  private final PicklePolicy policy;
  private final Input in;
  private long opcodeOffset;

  /**
   * An unpickler of one input.
   *
   * @param policy what is accepted
   * @param input the pickle, positioned at its start; must support mark/reset (e.g. buffered)
   * @param size the number of bytes the input holds, which bounds every declared length
   */
  public CheckedUnpickler(PicklePolicy policy, InputStream input, long size) {
    this.policy = policy;
    this.in = new Input(input, size);
  }

  /**
   * The bytes read so far.
   *
   * @return the offset after the last opcode read
   */
  public long position() {
    return in.position();
  }

  /**
   * The bytes left after the pickle.
   *
   * @return the input's size minus {@link #position()}
   */
  public long remaining() {
    return in.remaining();
  }

  /**
   * Unpickles up to the {@code STOP} opcode; every failure is the policy's exception.
   *
   * @return the unpickled value
   * @throws IOException the policy's failure, or the input's
   */
  public Object run() throws IOException {
    try {
      return load(in);
    } catch (Failure e) {
      throw e.exception;
    } catch (IOException e) {
      if (in.remaining() == 0) {
        throw policy.failure(
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
      throw policy.failure(
          opcodeOffset, "malformed pickle: " + clip(String.valueOf(e.getMessage())));
    } finally {
      close();
    }
  }

  /** Carries a policy's exception out of Pyrolite's loop, past the generic handlers. */
  private static final class Failure extends IOException {
    private static final long serialVersionUID = 1L;
    private final transient IOException exception;

    Failure(IOException exception) {
      this.exception = exception;
    }
  }

  private Failure fail(String message) {
    return new Failure(policy.failure(opcodeOffset, message));
  }

  private Failure refused(short key, String why) {
    return fail("refused pickle opcode " + name(key) + ": " + why);
  }

  private Failure rejected(short key, PicklePolicy.Rejected r) {
    return r.isRefusal() ? refused(key, r.getMessage()) : fail(r.getMessage());
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
      case Opcodes.STACK_GLOBAL -> {
        return stackGlobal();
      }
      case Opcodes.REDUCE -> {
        Object args = stack.size() >= 2 ? stack.pop() : null;
        Object callable = stack.size() >= 1 ? stack.pop() : null;
        try {
          stack.add(policy.reduce(callable, args));
        } catch (PicklePolicy.Rejected r) {
          throw rejected(key, r);
        } catch (IOException e) {
          throw new Failure(e);
        }
        return NO_RETURN_VALUE;
      }
      case Opcodes.BUILD -> {
        requireAccepted(key);
        Object state = stack.pop();
        try {
          policy.build(stack.peek(), state);
        } catch (PicklePolicy.Rejected r) {
          throw rejected(key, r);
        }
        return NO_RETURN_VALUE;
      }
      case Opcodes.BINPERSID -> {
        requireAccepted(key);
        try {
          stack.add(policy.persistentLoad(stack.pop()));
        } catch (PicklePolicy.Rejected r) {
          throw rejected(key, r);
        } catch (IOException e) {
          throw new Failure(e);
        }
        return NO_RETURN_VALUE;
      }
      case Opcodes.EMPTY_DICT -> {
        requireAccepted(key);
        stack.add(new LinkedHashMap<>());
        return NO_RETURN_VALUE;
      }
      case Opcodes.DICT -> {
        requireAccepted(key);
        Map<Object, Object> dict = new LinkedHashMap<>();
        putAll(key, dict, stack.pop_all_since_marker());
        stack.add(dict);
        return NO_RETURN_VALUE;
      }
      case Opcodes.SETITEM -> {
        requireAccepted(key);
        Object value = stack.pop();
        Object k = stack.pop();
        putAll(key, stack.peek(), List.of(wrapNull(k), wrapNull(value)));
        return NO_RETURN_VALUE;
      }
      case Opcodes.SETITEMS -> {
        requireAccepted(key);
        List<Object> items = stack.pop_all_since_marker();
        putAll(key, stack.peek(), items);
        return NO_RETURN_VALUE;
      }
      case Opcodes.FLOAT, Opcodes.BINFLOAT, Opcodes.LONG -> {
        requireAccepted(key);
        return super.dispatch(key);
      }
      case Opcodes.LONG1 -> {
        requireAccepted(key);
        requireAvailable(key, 1, false);
        return super.dispatch(key);
      }
      case Opcodes.LONG4 -> {
        requireAccepted(key);
        requireAvailable(key, 4, true);
        return super.dispatch(key);
      }
      case Opcodes.INST,
          Opcodes.OBJ,
          Opcodes.NEWOBJ,
          Opcodes.NEWOBJ_EX,
          Opcodes.PERSID,
          Opcodes.EXT1,
          Opcodes.EXT2,
          Opcodes.EXT4,
          Opcodes.EMPTY_SET,
          Opcodes.ADDITEMS,
          Opcodes.FROZENSET ->
          throw refused(key, policy.whyNot(key, name(key)));
      case Opcodes.NEXT_BUFFER, Opcodes.READONLY_BUFFER ->
          throw refused(key, "it needs out-of-band buffers, which a file cannot supply");
      default ->
          throw fail(
              String.format(Locale.ROOT, "0x%02x is not a pickle opcode: not a pickle file", key));
    }
  }

  /** Java's List.of takes no null: a None key or value travels as this. */
  private static final Object NONE = new Object();

  private static Object wrapNull(Object o) {
    return o == null ? NONE : o;
  }

  /** Puts key, value, key, value… into the dict, in order, refusing unhashable keys. */
  private void putAll(short key, Object target, List<Object> items) throws Failure {
    if (!(target instanceof Map<?, ?>)) {
      throw fail(name(key) + " on " + policy.describe(target) + ": expected a dict");
    }
    if (items.size() % 2 != 0) {
      throw fail(name(key) + " with an odd number of items: expected keys and values");
    }
    @SuppressWarnings("unchecked")
    Map<Object, Object> dict = (Map<Object, Object>) target;
    for (int i = 0; i < items.size(); i += 2) {
      Object k = items.get(i) == NONE ? null : items.get(i);
      Object v = items.get(i + 1) == NONE ? null : items.get(i + 1);
      if (k instanceof Collection<?> || k instanceof Map<?, ?>) {
        throw fail(
            name(key) + " with the key " + policy.describe(k) + ", which Python cannot hash");
      }
      dict.put(k, v);
    }
  }

  private void requireAccepted(short key) throws Failure {
    if (!policy.accepts(key)) {
      throw refused(key, policy.whyNot(key, name(key)));
    }
  }

  /** A text opcode run by Pyrolite, its string then marked as {@link Text}. */
  private Object text(short key) throws IOException {
    Object result = super.dispatch(key);
    stack.add(new Text((String) stack.pop()));
    return result;
  }

  /**
   * GLOBAL: the module and name lines are read here, never by Pyrolite's class lookup, and given to
   * the policy.
   */
  private Object global() throws IOException {
    in.mark(GLOBAL_PEEK);
    byte[] ahead = in.readNBytes(GLOBAL_PEEK);
    in.reset();
    String text = new String(ahead, StandardCharsets.ISO_8859_1);
    int first = text.indexOf('\n');
    int second = first < 0 ? -1 : text.indexOf('\n', first + 1);
    if (second < 0) {
      throw refused(
          Opcodes.GLOBAL,
          "it names the Python global " + printable(text) + "; " + policy.whyNotGlobal());
    }
    String module = text.substring(0, first);
    String name = text.substring(first + 1, second);
    Object standIn = policy.global(module, name);
    if (standIn == null) {
      throw refused(
          Opcodes.GLOBAL,
          "it names the Python global "
              + printable(module)
              + "."
              + printable(name)
              + "; "
              + policy.whyNotGlobal());
    }
    in.skipNBytes(second + 1);
    stack.add(standIn);
    return NO_RETURN_VALUE;
  }

  /** STACK_GLOBAL: the module and the name are the two text strings on top of the stack. */
  private Object stackGlobal() throws Failure {
    Object name = stack.size() >= 1 ? stack.pop() : null;
    Object module = stack.size() >= 1 ? stack.pop() : null;
    boolean named = module instanceof Text && name instanceof Text;
    String shown =
        named
            ? printable(((Text) module).value()) + "." + printable(((Text) name).value())
            : "taken from the stack";
    if (!policy.accepts(Opcodes.STACK_GLOBAL)) {
      throw refused(
          Opcodes.STACK_GLOBAL,
          "it names the Python global " + shown + "; " + policy.whyNot(Opcodes.STACK_GLOBAL, ""));
    }
    Object standIn = named ? policy.global(((Text) module).value(), ((Text) name).value()) : null;
    if (standIn == null) {
      throw refused(
          Opcodes.STACK_GLOBAL,
          "it names the Python global " + shown + "; " + policy.whyNotGlobal());
    }
    stack.add(standIn);
    return NO_RETURN_VALUE;
  }

  /**
   * Reads ahead the opcode's declared length (little-endian, {@code width} bytes) and requires it
   * to fit in what is left of the input after the length itself.
   */
  private void requireAvailable(short key, int width, boolean signed) throws IOException {
    in.mark(width);
    byte[] raw = in.readNBytes(width);
    in.reset();
    if (raw.length < width) {
      throw fail(
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
      throw fail(
          "opcode "
              + name(key)
              + " declares "
              + (signed ? Long.toString(length) : Long.toUnsignedString(length))
              + " bytes but only "
              + left
              + " remain in the file: truncated, or a corrupt or forged length");
    }
  }

  /**
   * An opcode's name as Python's {@code pickletools} shows it.
   *
   * @param key the opcode
   * @return e.g. {@code GLOBAL}, or its hex value
   */
  public static String name(short key) {
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

  /**
   * A name from a file, safe to print: control and non-ASCII chars escaped, clipped.
   *
   * @param s the name
   * @return at most about 60 printable ASCII chars
   */
  public static String printable(String s) {
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

  /**
   * A Python-flavoured description of an unpickled value, never its content: what a policy's {@link
   * PicklePolicy#describe} says of the values this class builds.
   *
   * @param value an unpickled value
   * @return e.g. "a tuple of 2", "bytes (10)", "a text string (3 chars)"
   */
  public static String describe(Object value) {
    if (value == null) {
      return "None";
    } else if (value instanceof Object[] tuple) {
      return "a tuple of " + tuple.length;
    } else if (value instanceof List<?> list) {
      return "a list of " + list.size();
    } else if (value instanceof Map<?, ?> map) {
      return "a dict of " + map.size();
    } else if (value instanceof Boolean) {
      return "a bool";
    } else if (value instanceof Double) {
      return "a float";
    } else if (value instanceof Number) {
      return "an int";
    } else if (value instanceof byte[] bytes) {
      return "bytes (" + bytes.length + ")";
    } else if (value instanceof String s) {
      return "a Python 2 byte string (" + s.length() + ")";
    } else if (value instanceof Text t) {
      return "a text string (" + t.value().length() + " chars)";
    }
    return "a " + value.getClass().getSimpleName();
  }

  private static String clip(String message) {
    return message.length() <= 200 ? message : message.substring(0, 200) + "…";
  }

  /**
   * The input as Pyrolite reads it, with the position and the bytes left known, and mark/reset for
   * reading lengths ahead.
   */
  private static final class Input extends InputStream {
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
