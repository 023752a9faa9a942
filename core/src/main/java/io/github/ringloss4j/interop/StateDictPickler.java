package io.github.ringloss4j.interop;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import net.razorvine.pickle.IObjectPickler;
import net.razorvine.pickle.Opcodes;
import net.razorvine.pickle.Pickler;

/**
 * Pyrolite's pickler, taught the three things torch's {@code data.pkl} holds beyond strings, ints,
 * bools and tuples: an {@code OrderedDict}, a tensor as a call of {@code _rebuild_tensor_v2}, and a
 * storage as a persistent id. Protocol 2, no memo: the bytes depend on the values alone.
 */
final class StateDictPickler extends Pickler {

  /** {@code collections.OrderedDict} of these items, in order. */
  private record OrderedDict(List<Map.Entry<String, Object>> items) {}

  /** A storage: pickled as the persistent id torch writes. */
  private record StorageRef(String key, TorchDtype dtype, long numel) {}

  /** The class {@code torch.<Type>Storage}. */
  private record StorageClass(TorchDtype dtype) {}

  /** A contiguous tensor over a whole storage. */
  private record TensorRef(StorageRef storage, long[] shape) {}

  private StateDictPickler() {
    super(false);
  }

  /**
   * The {@code data.pkl} of a state_dict whose tensor i (in the map's order) is storage {@code
   * data/i}.
   *
   * @param tensors the state_dict
   * @return the pickle's bytes
   * @throws IOException never, in memory
   */
  static byte[] pickle(Map<String, TorchTensor> tensors) throws IOException {
    List<Map.Entry<String, Object>> items = new ArrayList<>(tensors.size());
    int i = 0;
    for (Map.Entry<String, TorchTensor> e : tensors.entrySet()) {
      TorchTensor t = e.getValue();
      StorageRef storage = new StorageRef(Integer.toString(i++), t.dtype(), t.numel());
      items.add(Map.entry(e.getKey(), new TensorRef(storage, t.shape())));
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    new StateDictPickler().dump(new OrderedDict(items), out);
    return out.toByteArray();
  }

  @Override
  protected IObjectPickler getCustomPickler(Class<?> t) {
    // only these: Pyrolite's static registry is global to the JVM and not consulted
    if (t == OrderedDict.class) {
      return (o, out, p) -> orderedDict(((OrderedDict) o).items(), out, p);
    } else if (t == TensorRef.class) {
      return (o, out, p) -> tensor((TensorRef) o, out, p);
    } else if (t == StorageClass.class) {
      return (o, out, p) -> global("torch", ((StorageClass) o).dtype().storageName(), out);
    }
    return null;
  }

  @Override
  protected Object persistentId(Object o) {
    if (o instanceof StorageRef s) {
      return new Object[] {"storage", new StorageClass(s.dtype()), s.key(), "cpu", s.numel()};
    }
    return null;
  }

  private static void global(String module, String name, OutputStream out) throws IOException {
    out.write(Opcodes.GLOBAL);
    out.write((module + "\n" + name + "\n").getBytes(StandardCharsets.US_ASCII));
  }

  /** {@code OrderedDict()} then {@code SETITEMS} of the items, as torch writes it. */
  private static void orderedDict(
      List<Map.Entry<String, Object>> items, OutputStream out, Pickler p) throws IOException {
    global("collections", "OrderedDict", out);
    out.write(Opcodes.EMPTY_TUPLE);
    out.write(Opcodes.REDUCE);
    if (!items.isEmpty()) {
      out.write(Opcodes.MARK);
      for (Map.Entry<String, Object> e : items) {
        p.save(e.getKey());
        p.save(e.getValue());
      }
      out.write(Opcodes.SETITEMS);
    }
  }

  /**
   * {@code _rebuild_tensor_v2(storage, 0, size, stride, False, OrderedDict())}, the strides
   * row-major.
   */
  private static void tensor(TensorRef t, OutputStream out, Pickler p) throws IOException {
    global("torch._utils", "_rebuild_tensor_v2", out);
    long[] stride = StateDictPolicy.contiguousStrides(t.shape());
    p.save(
        new Object[] {
          t.storage(), 0, boxed(t.shape()), boxed(stride), false, new OrderedDict(List.of())
        });
    out.write(Opcodes.REDUCE);
  }

  private static Object[] boxed(long[] values) {
    Object[] out = new Object[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = values[i];
    }
    return out;
  }
}
