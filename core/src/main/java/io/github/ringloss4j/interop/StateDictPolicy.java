package io.github.ringloss4j.interop;

import io.github.ringloss4j.internal.CheckedUnpickler;
import io.github.ringloss4j.internal.CheckedUnpickler.Text;
import io.github.ringloss4j.internal.PicklePolicy;
import io.github.ringloss4j.internal.PicklePolicy.Rejected;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import net.razorvine.pickle.Opcodes;

/**
 * What the {@code data.pkl} of a torch zip archive may do, for {@link CheckedUnpickler}: see {@link
 * TorchStateDict}'s class comment. Tensors are built as the pickle calls {@code
 * _rebuild_tensor_v2}, their strides applied, from storages the archive supplies.
 */
final class StateDictPolicy extends PicklePolicy {

  /** Where the storages come from and where failures are reported. */
  interface Archive {
    /**
     * The size of storage {@code key}'s entry.
     *
     * @return its bytes, or empty if there is no such entry
     */
    Optional<Long> storageBytes(String key);

    /** The storage's bytes, little-endian, exactly {@code storageBytes(key)} of them. */
    ByteBuffer storage(String key, TorchDtype dtype) throws IOException;

    /** A failure at a byte of data.pkl. */
    TorchFormatException failure(long byteOffset, String message);
  }

  /** The functions torch's pickle calls, as inert stand-ins. */
  enum Function {
    ORDERED_DICT("collections", "OrderedDict"),
    REBUILD_TENSOR_V2("torch._utils", "_rebuild_tensor_v2"),
    REBUILD_PARAMETER("torch._utils", "_rebuild_parameter");

    final String module;
    final String name;

    Function(String module, String name) {
      this.module = module;
      this.name = name;
    }

    @Override
    public String toString() {
      return module + "." + name;
    }
  }

  /** The stand-in for {@code torch.FloatStorage} and the like. */
  record StorageType(TorchDtype dtype) {}

  /** A storage the pickle named by a persistent id, checked against its entry. */
  record Storage(String key, TorchDtype dtype, long numel) {}

  private static final String ALLOWED =
      "a state_dict holds only tensors, and this reader accepts only the globals torch writes for"
          + " one: collections.OrderedDict, torch._utils._rebuild_tensor_v2,"
          + " torch._utils._rebuild_parameter and the torch.*Storage types"
          + " (save model.state_dict(), not the model or other Python objects)";

  private final Archive archive;
  private final long budget;
  private long materialised;
  private final Map<String, Storage> storages = new HashMap<>();
  private final Map<String, ByteBuffer> loaded = new HashMap<>();

  /**
   * @param archive the storages
   * @param budget the bytes all tensors together may take
   */
  StateDictPolicy(Archive archive, long budget) {
    this.archive = archive;
    this.budget = budget;
  }

  /**
   * The dict, float and long opcodes checkpoints use around their state_dicts, {@code BUILD} (a
   * dict's {@code _metadata}), {@code BINPERSID} (storages) and {@code STACK_GLOBAL} (protocol 4).
   * Not the text {@code LONG}, which torch never writes and whose decimal parsing is quadratic.
   */
  @Override
  public boolean accepts(short opcode) {
    return switch (opcode) {
      case Opcodes.EMPTY_DICT,
          Opcodes.DICT,
          Opcodes.SETITEM,
          Opcodes.SETITEMS,
          Opcodes.FLOAT,
          Opcodes.BINFLOAT,
          Opcodes.LONG1,
          Opcodes.LONG4,
          Opcodes.BUILD,
          Opcodes.BINPERSID,
          Opcodes.STACK_GLOBAL ->
          true;
      default -> false;
    };
  }

  @Override
  public String whyNot(short opcode, String name) {
    return "it names, calls or builds a Python object in a way torch never writes for a"
        + " state_dict; "
        + ALLOWED;
  }

  @Override
  public Object global(String module, String name) {
    for (Function f : Function.values()) {
      if (f.module.equals(module) && f.name.equals(name)) {
        return f;
      }
    }
    if (module.equals("torch") && name.endsWith("Storage")) {
      return TorchDtype.ofStorage(name).map(StorageType::new).orElse(null);
    }
    return null;
  }

  @Override
  public String whyNotGlobal() {
    return ALLOWED;
  }

  @Override
  public Object persistentLoad(Object id) throws Rejected {
    if (!(id instanceof Object[] t)
        || t.length != 5
        || !(t[0] instanceof Text tag && tag.value().equals("storage"))
        || !(t[1] instanceof StorageType type)
        || !(t[2] instanceof Text key)
        || !(t[3] instanceof Text)
        || !(t[4] instanceof Integer || t[4] instanceof Long)) {
      throw Rejected.refused(
          "its persistent id is "
              + describe(id)
              + ": expected ('storage', torch.<Type>Storage, key, location, numel)");
    }
    long numel = ((Number) t[4]).longValue();
    Storage seen = storages.get(key.value());
    if (seen != null) {
      if (seen.dtype() != type.dtype() || seen.numel() != numel) {
        throw Rejected.malformed(
            "storage '"
                + CheckedUnpickler.printable(key.value())
                + "' is declared as "
                + numel
                + " × "
                + type.dtype()
                + " after "
                + seen.numel()
                + " × "
                + seen.dtype());
      }
      return seen;
    }
    Optional<Long> bytes = archive.storageBytes(key.value());
    String shown = "storage '" + CheckedUnpickler.printable(key.value()) + "'";
    if (bytes.isEmpty()) {
      throw Rejected.malformed(shown + " has no entry data/" + key.value() + " in the archive");
    }
    long declared;
    try {
      declared = numel < 0 ? -1 : Math.multiplyExact(numel, type.dtype().bytes());
    } catch (ArithmeticException e) {
      declared = -1;
    }
    if (declared != bytes.get()) {
      throw Rejected.malformed(
          shown
              + " declares "
              + numel
              + " elements of "
              + type.dtype()
              + " ("
              + (declared < 0 ? "more than a long holds" : declared + " bytes")
              + ") but its entry holds "
              + bytes.get()
              + " bytes");
    }
    Storage storage = new Storage(key.value(), type.dtype(), numel);
    storages.put(storage.key(), storage);
    return storage;
  }

  @Override
  public Object reduce(Object callable, Object args) throws Rejected, IOException {
    Object[] a = args instanceof Object[] tuple ? tuple : null;
    if (callable == Function.ORDERED_DICT && a != null && a.length == 0) {
      return new LinkedHashMap<>();
    }
    if (callable == Function.REBUILD_TENSOR_V2
        && a != null
        && (a.length == 6 || a.length == 7)
        && a[0] instanceof Storage storage
        && a[4] instanceof Boolean
        && a[5] instanceof Map<?, ?> hooks
        && (a.length == 6 || a[6] == null || a[6] instanceof Map<?, ?>)) {
      if (!hooks.isEmpty()) {
        throw Rejected.refused("the tensor has backward hooks, which a state_dict never holds");
      }
      return tensor(storage, a[1], a[2], a[3]);
    }
    if (callable == Function.REBUILD_PARAMETER
        && a != null
        && a.length == 3
        && a[0] instanceof TorchTensor tensor
        && a[1] instanceof Boolean
        && a[2] instanceof Map<?, ?>) {
      return tensor;
    }
    throw Rejected.refused(
        "it calls "
            + describe(callable)
            + " on "
            + describe(args)
            + "; expected collections.OrderedDict(), torch._utils._rebuild_tensor_v2(storage,"
            + " offset, size, stride, requires_grad, hooks[, metadata]) or"
            + " torch._utils._rebuild_parameter(tensor, requires_grad, hooks)");
  }

  @Override
  public void build(Object target, Object state) throws Rejected {
    // torch sets OrderedDict._metadata (the modules' versions): accepted, not kept
    if (!(target instanceof Map<?, ?>) || !(state instanceof Map<?, ?>)) {
      throw Rejected.refused(
          "it sets the state of "
              + describe(target)
              + " to "
              + describe(state)
              + "; torch sets only a dict's _metadata");
    }
  }

  /** The tensor {@code storage[offset + Σ i_k·stride_k]} of the given sizes, made contiguous. */
  private TorchTensor tensor(Storage storage, Object offsetArg, Object sizeArg, Object strideArg)
      throws Rejected, IOException {
    long offset = integer(offsetArg, "storage_offset");
    long[] size = integers(sizeArg, "size");
    long[] stride = integers(strideArg, "stride");
    String shape = Arrays.toString(size);
    if (stride.length != size.length) {
      throw Rejected.malformed(
          "tensor of size "
              + shape
              + " has stride "
              + Arrays.toString(stride)
              + ": lengths differ");
    }
    long numel;
    try {
      numel = TorchTensor.numel(size);
    } catch (IllegalArgumentException | ArithmeticException e) {
      throw Rejected.malformed("tensor size " + shape + ": negative, or more elements than a long");
    }
    TorchDtype dtype = storage.dtype();
    long storageBytes = storage.numel() * dtype.bytes();
    long bytes = numel * dtype.bytes(); // ≤ storageBytes is checked next, before any overflow use
    if (numel > storage.numel() || bytes > storageBytes) {
      throw Rejected.malformed(
          "tensor of size "
              + shape
              + " has "
              + numel
              + " elements but its storage '"
              + storage.key()
              + "' only "
              + storage.numel()
              + ": a tensor gets at most the bytes that back it");
    }
    if (numel > 0) {
      long last = offset;
      try {
        for (int d = 0; d < size.length; d++) {
          if (stride[d] < 0) {
            throw new ArithmeticException();
          }
          last = Math.addExact(last, Math.multiplyExact(size[d] - 1, stride[d]));
        }
      } catch (ArithmeticException e) {
        last = -1;
      }
      if (offset < 0 || last < 0 || last >= storage.numel()) {
        throw Rejected.malformed(
            "tensor of size "
                + shape
                + " at storage offset "
                + offset
                + " with stride "
                + Arrays.toString(stride)
                + " reaches outside its storage '"
                + storage.key()
                + "' of "
                + storage.numel()
                + " elements");
      }
    }
    if (bytes > Integer.MAX_VALUE - 8) {
      throw Rejected.malformed(
          "tensor of size " + shape + " takes " + bytes + " bytes: over 2 GiB is not supported");
    }
    if (bytes > budget - materialised) {
      throw Rejected.malformed(
          "the tensors would take more than "
              + budget
              + " bytes, twice the file's size: a file that views its storages many times over"
              + " is refused");
    }
    materialised += bytes;
    ByteBuffer source = loaded.get(storage.key());
    if (source == null) {
      source = archive.storage(storage.key(), storage.dtype());
      loaded.put(storage.key(), source);
    }
    return TorchTensor.wrap(dtype, size, gather(source, dtype.bytes(), offset, size, stride));
  }

  /** Copies the strided view into a new contiguous little-endian buffer. */
  static ByteBuffer gather(
      ByteBuffer storage, int elementBytes, long offset, long[] size, long[] stride) {
    int numel = Math.toIntExact(TorchTensor.numel(size));
    byte[] out = new byte[numel * elementBytes];
    if (numel > 0) {
      if (isContiguous(size, stride)) {
        storage.get(Math.toIntExact(offset * elementBytes), out, 0, out.length);
      } else {
        long[] index = new long[size.length];
        long at = offset;
        for (int o = 0; o < numel; o++) {
          storage.get(Math.toIntExact(at * elementBytes), out, o * elementBytes, elementBytes);
          for (int d = size.length - 1; d >= 0; d--) {
            index[d]++;
            at += stride[d];
            if (index[d] < size[d]) {
              break;
            }
            at -= stride[d] * size[d];
            index[d] = 0;
          }
        }
      }
    }
    return ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN);
  }

  /** Whether the view is row-major without gaps (a dimension of size 1 may have any stride). */
  static boolean isContiguous(long[] size, long[] stride) {
    long expected = 1;
    for (int d = size.length - 1; d >= 0; d--) {
      if (size[d] != 1) {
        if (stride[d] != expected) {
          return false;
        }
        expected *= size[d];
      }
    }
    return true;
  }

  /** Row-major strides as torch computes them (a size of 0 counts as 1). */
  static long[] contiguousStrides(long[] size) {
    long[] stride = new long[size.length];
    long s = 1;
    for (int d = size.length - 1; d >= 0; d--) {
      stride[d] = s;
      s *= Math.max(size[d], 1);
    }
    return stride;
  }

  private long integer(Object value, String what) throws Rejected {
    if (value instanceof Integer || value instanceof Long) {
      return ((Number) value).longValue();
    }
    throw Rejected.malformed(
        "_rebuild_tensor_v2's " + what + " is " + describe(value) + ": expected an int");
  }

  private long[] integers(Object value, String what) throws Rejected {
    if (!(value instanceof Object[] tuple)) {
      throw Rejected.malformed(
          "_rebuild_tensor_v2's " + what + " is " + describe(value) + ": expected a tuple of ints");
    }
    long[] out = new long[tuple.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = integer(tuple[i], what + "[" + i + "]");
    }
    return out;
  }

  @Override
  public String describe(Object value) {
    return describeValue(value);
  }

  /** A Python-flavoured description of an unpickled value, never its content. */
  static String describeValue(Object value) {
    if (value instanceof TorchTensor t) {
      return "a tensor " + t;
    } else if (value instanceof Function f) {
      return "the function " + f;
    } else if (value instanceof StorageType s) {
      return "the class torch." + s.dtype().storageName();
    } else if (value instanceof Storage s) {
      return "storage '" + CheckedUnpickler.printable(s.key()) + "'";
    }
    return CheckedUnpickler.describe(value);
  }

  @Override
  public IOException failure(long byteOffset, String message) {
    return archive.failure(byteOffset, message);
  }
}
