package io.github.ringloss4j.interop;

import io.github.ringloss4j.internal.CheckedUnpickler;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * PyTorch {@code state_dict} files ({@code .pth}, {@code .pt}), read and written without Python, in
 * the zip format {@code torch.save} writes since torch 1.6.
 *
 * <p><b>Format.</b> A zip archive whose entries all lie in one top-level folder {@code NAME/}
 * (torch uses the file's name without its extension): {@code NAME/data.pkl}, a Python pickle
 * (protocol 2) of the object saved; {@code NAME/data/KEY}, the raw bytes of one storage per key
 * (little-endian, row-major, each entry's data 64-byte aligned by padding the local header's extra
 * field); {@code NAME/version} ({@code 3}); and, from torch 2.1, {@code NAME/byteorder} ({@code
 * little} or {@code big}) and {@code NAME/.data/…}. Torch stores every entry uncompressed. A
 * state_dict pickles as {@code collections.OrderedDict()} filled by {@code SETITEMS} (then a {@code
 * BUILD} setting its {@code _metadata}), each value a call {@code
 * torch._utils._rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad,
 * backward_hooks[, metadata])}, wrapped in {@code torch._utils._rebuild_parameter(tensor,
 * requires_grad, backward_hooks)} for a saved {@code Parameter}; each storage is a persistent id
 * ({@code BINPERSID}) of the tuple {@code ('storage', torch.FloatStorage, KEY, location, numel)}.
 * Several tensors may view one storage at different offsets and strides.
 *
 * <p><b>Safety.</b> A pickle can import and call any Python global, so {@code data.pkl} is read by
 * the project's checked unpickler ({@code internal.CheckedUnpickler}, also used for InsightFace's
 * {@code .bin} sets) with a policy that accepts exactly what torch writes for a state_dict: the
 * globals {@code collections.OrderedDict}, {@code torch._utils._rebuild_tensor_v2}, {@code
 * torch._utils._rebuild_parameter} and {@code torch.<Type>Storage} for the types of {@link
 * TorchDtype}, each replaced by an inert stand-in and evaluated here; {@code BUILD} only on a dict;
 * persistent ids only of the storage form above. Any other global ({@code os.system}, a pickled
 * {@code nn.Module}'s class, {@code numpy} scalars, {@code argparse.Namespace}) and the opcodes
 * that build arbitrary objects ({@code INST}, {@code OBJ}, {@code NEWOBJ}, …) are refused before
 * anything is constructed, the message naming the global, the entry and the byte offset: no Python
 * name is ever resolved and no class is ever loaded. Checkpoints that hold more than tensors must
 * be re-saved as {@code torch.save(model.state_dict(), f)} or hold only dicts, lists, numbers and
 * strings around their state_dicts.
 *
 * <p>Every size the file declares is bounded before anything is allocated: zip entries (by {@link
 * ZipFile}'s checks of the central directory, and each entry's size against the file's); each
 * pickle length against the bytes left in {@code data.pkl}; a storage's declared {@code numel ×
 * element size} must equal its entry's bytes; a tensor's {@code offset + Σ (size_k − 1)·stride_k}
 * must lie inside its storage, its shape's product must not overflow, and it gets at most the bytes
 * of its storage; all tensors together at most twice the file's size (so that views cannot multiply
 * a small file); one tensor at most 2 GiB. Compressed entries (torch never writes them; a file
 * re-zipped by another tool) are refused. A big-endian file ({@code byteorder} {@code big}) is
 * converted. The legacy format (torch before 1.6, or {@code _use_new_zipfile_serialization=False},
 * a bare pickle starting with a magic number) is refused with how to re-save it, and so is a
 * TorchScript archive ({@code torch.jit.save}).
 *
 * <p>Every refusal and every malformed or truncated file is a {@link TorchFormatException} whose
 * message starts with the file path; a missing file is a {@link NoSuchFileException}.
 *
 * <p><b>Writing</b> produces what torch 1.13 writes for a state_dict of contiguous tensors (an
 * {@code OrderedDict}, one storage per tensor, keys {@code 0}, {@code 1}, … in the map's order,
 * {@code version} 3, plus {@code byteorder} {@code little}), loadable with {@code torch.load(f,
 * weights_only=True)}. The bytes depend on the tensors and the file's name alone (fixed entry
 * times), and the file is written to a temporary sibling and renamed, so that an interrupted write
 * leaves no partial file under the name.
 */
public final class TorchStateDict {

  /** The pickled magic number that starts a legacy (non-zip) torch file: PROTO 2, LONG1 10. */
  private static final byte[] LEGACY_MAGIC = {
    (byte) 0x80, 0x02, (byte) 0x8a, 0x0a, 0x6c, (byte) 0xfc, (byte) 0x9c, 0x46, (byte) 0xf9, 0x20
  };

  /** What a zip file starts with: a local file header. */
  private static final byte[] ZIP_MAGIC = {'P', 'K', 3, 4};

  /** The data alignment torch's writer gives every entry. */
  private static final int ALIGNMENT = 64;

  private TorchStateDict() {}

  /**
   * Reads a file whose saved object is a state_dict ({@code torch.save(model.state_dict(), f)}).
   *
   * @param file the {@code .pth} file
   * @return the tensors by name, in the file's order, strides applied
   * @throws NoSuchFileException if the file does not exist
   * @throws TorchFormatException if the file is not a torch zip archive of a state_dict (the
   *     message lists the top-level keys that hold one when the file is a checkpoint wrapping it),
   *     or is refused, malformed or truncated; see the class comment
   * @throws IOException if the file cannot be read
   */
  public static LinkedHashMap<String, TorchTensor> read(Path file) throws IOException {
    return read(file, null);
  }

  /**
   * Reads the state_dict held under one key of a checkpoint's top-level dict ({@code
   * torch.save({'epoch': 3, 'state_dict': model.state_dict()}, f)}).
   *
   * @param file the {@code .pth} file
   * @param key the top-level key, e.g. {@code state_dict}; null to read a bare state_dict
   * @return the tensors by name, in the file's order, strides applied
   * @throws NoSuchFileException if the file does not exist
   * @throws TorchFormatException if the file is refused or malformed, the key is missing, or its
   *     value is not a dict of tensors (the message lists the keys whose values are)
   * @throws IOException if the file cannot be read
   */
  public static LinkedHashMap<String, TorchTensor> read(Path file, String key) throws IOException {
    Objects.requireNonNull(file, "file");
    long size;
    try {
      size = Files.size(file);
    } catch (NoSuchFileException e) {
      throw new NoSuchFileException(
          file.toString(), null, "no such file: expected a PyTorch state_dict (.pth)");
    }
    checkMagic(file, size);
    try (Archive archive = Archive.open(file, size)) {
      Object root = archive.unpickle(2 * size);
      return select(file, root, key);
    }
  }

  private static void checkMagic(Path file, long size) throws IOException {
    byte[] head;
    try (InputStream in = Files.newInputStream(file)) {
      head = in.readNBytes(LEGACY_MAGIC.length);
    }
    if (head.length >= ZIP_MAGIC.length
        && Arrays.equals(Arrays.copyOf(head, ZIP_MAGIC.length), ZIP_MAGIC)) {
      return;
    }
    if (Arrays.equals(head, LEGACY_MAGIC)) {
      throw new TorchFormatException(
          file,
          "",
          "the legacy PyTorch format (torch < 1.6, or _use_new_zipfile_serialization=False), which"
              + " this reader refuses: re-save it with torch ≥ 1.6 as"
              + " torch.save(torch.load(f), 'new.pth'), only if you trust the file (loading it runs"
              + " its pickle)");
    }
    throw new TorchFormatException(
        file,
        "",
        (size == 0 ? "empty file" : "not a zip archive")
            + ": expected a PyTorch state_dict saved by torch.save (torch ≥ 1.6)");
  }

  /** The state_dict in the unpickled root, or why there is none. */
  private static LinkedHashMap<String, TorchTensor> select(Path file, Object root, String key)
      throws TorchFormatException {
    if (!(root instanceof Map<?, ?> top)) {
      throw new TorchFormatException(
          file, "", "data.pkl holds " + kind(root) + ": expected a state_dict (a dict of tensors)");
    }
    if (key == null) {
      Optional<String> problem = notTensors(top);
      if (problem.isPresent()) {
        throw new TorchFormatException(
            file,
            "",
            "the saved dict is not a state_dict: "
                + problem.get()
                + "; "
                + candidates(top)
                + " (read one by its key)");
      }
      return tensors(top);
    }
    Object value = null;
    boolean found = false;
    for (Map.Entry<?, ?> e : top.entrySet()) {
      if (key.equals(name(e.getKey()))) {
        value = e.getValue();
        found = true;
      }
    }
    if (!found) {
      throw new TorchFormatException(
          file, "", "the saved dict has no key '" + key + "'; " + candidates(top));
    }
    if (!(value instanceof Map<?, ?> inner) || notTensors(inner).isPresent()) {
      throw new TorchFormatException(
          file,
          "",
          "'"
              + key
              + "' is not a state_dict: "
              + (value instanceof Map<?, ?> inner
                  ? notTensors(inner).get()
                  : "it holds " + kind(value))
              + "; "
              + candidates(top));
    }
    return tensors(inner);
  }

  /** The first entry that is not a string → tensor, described. */
  private static Optional<String> notTensors(Map<?, ?> dict) {
    for (Map.Entry<?, ?> e : dict.entrySet()) {
      String name = name(e.getKey());
      if (name == null) {
        return Optional.of("a key is " + kind(e.getKey()) + ", expected strings");
      }
      if (!(e.getValue() instanceof TorchTensor)) {
        return Optional.of(
            "'" + CheckedUnpickler.printable(name) + "' holds " + kind(e.getValue()));
      }
    }
    return Optional.empty();
  }

  /** Which top-level keys hold a state_dict. */
  private static String candidates(Map<?, ?> top) {
    List<String> keys = new ArrayList<>();
    for (Map.Entry<?, ?> e : top.entrySet()) {
      if (name(e.getKey()) != null
          && e.getValue() instanceof Map<?, ?> inner
          && !inner.isEmpty()
          && notTensors(inner).isEmpty()) {
        keys.add("'" + CheckedUnpickler.printable(name(e.getKey())) + "'");
      }
    }
    return keys.isEmpty()
        ? "no top-level key holds a dict of tensors"
        : "the top-level keys holding a dict of tensors: " + String.join(", ", keys);
  }

  private static LinkedHashMap<String, TorchTensor> tensors(Map<?, ?> dict) {
    LinkedHashMap<String, TorchTensor> out = new LinkedHashMap<>();
    for (Map.Entry<?, ?> e : dict.entrySet()) {
      out.put(name(e.getKey()), (TorchTensor) e.getValue());
    }
    return out;
  }

  private static String name(Object key) {
    return key instanceof CheckedUnpickler.Text t ? t.value() : key instanceof String s ? s : null;
  }

  private static String kind(Object value) {
    return StateDictPolicy.describeValue(value);
  }

  /** The open archive: its entries checked, its storages served to the policy. */
  private static final class Archive implements StateDictPolicy.Archive, AutoCloseable {
    private final Path file;
    private final ZipFile zip;
    private final Map<String, ZipEntry> entries;
    private final String prefix;
    private boolean bigEndian;

    private Archive(Path file, ZipFile zip, Map<String, ZipEntry> entries, String prefix) {
      this.file = file;
      this.zip = zip;
      this.entries = entries;
      this.prefix = prefix;
    }

    static Archive open(Path file, long fileSize) throws IOException {
      ZipFile zip;
      try {
        zip = new ZipFile(file.toFile());
      } catch (IOException | RuntimeException e) {
        throw new TorchFormatException(
            file,
            "",
            "not a readable zip archive ("
                + e.getMessage()
                + "): truncated or corrupt; expected a PyTorch state_dict saved by torch.save");
      }
      try {
        Map<String, ZipEntry> entries = new HashMap<>();
        String prefix = null;
        Enumeration<? extends ZipEntry> all = zip.entries();
        while (all.hasMoreElements()) {
          ZipEntry e = all.nextElement();
          String name = e.getName();
          String where = "entry " + CheckedUnpickler.printable(name);
          if (e.getMethod() != ZipEntry.STORED) {
            throw new TorchFormatException(
                file,
                where,
                "is compressed (method "
                    + e.getMethod()
                    + "); torch stores every entry uncompressed, so this archive was re-zipped by"
                    + " another tool: re-save it with torch.save");
          }
          if (e.getSize() < 0 || e.getSize() > fileSize || e.getSize() != e.getCompressedSize()) {
            throw new TorchFormatException(
                file,
                where,
                "declares "
                    + e.getSize()
                    + " bytes ("
                    + e.getCompressedSize()
                    + " stored) in a file of "
                    + fileSize
                    + ": corrupt");
          }
          if (e.isDirectory()) {
            continue;
          }
          int slash = name.indexOf('/');
          String top = slash <= 0 ? "" : name.substring(0, slash + 1);
          if (top.isEmpty() || (prefix != null && !prefix.equals(top))) {
            throw new TorchFormatException(
                file,
                where,
                "lies outside the archive's one top-level folder "
                    + (prefix == null ? "" : CheckedUnpickler.printable(prefix))
                    + ": expected every entry in one folder, as torch.save writes");
          }
          prefix = top;
          if (entries.put(name, e) != null) {
            throw new TorchFormatException(file, where, "appears twice in the archive");
          }
        }
        if (prefix == null || !entries.containsKey(prefix + "data.pkl")) {
          throw new TorchFormatException(
              file,
              "",
              "the archive has no "
                  + (prefix == null ? "" : CheckedUnpickler.printable(prefix))
                  + "data.pkl: not a PyTorch state_dict saved by torch.save");
        }
        if (entries.containsKey(prefix + "constants.pkl")) {
          throw new TorchFormatException(
              file,
              "",
              "a TorchScript archive (torch.jit.save), not a state_dict: serve it as TorchScript");
        }
        Archive archive = new Archive(file, zip, entries, prefix);
        archive.bigEndian = archive.readByteOrder();
        return archive;
      } catch (IOException | RuntimeException e) {
        zip.close();
        throw e;
      }
    }

    /** Reads {@code byteorder}: absent or {@code little} → false, {@code big} → true. */
    private boolean readByteOrder() throws IOException {
      ZipEntry e = entries.get(prefix + "byteorder");
      if (e == null) {
        return false;
      }
      String order =
          e.getSize() > 16
              ? "(" + e.getSize() + " bytes)"
              : new String(bytes(e), StandardCharsets.US_ASCII).strip();
      return switch (order) {
        case "little" -> false;
        case "big" -> true;
        default ->
            throw new TorchFormatException(
                file,
                "entry " + prefix + "byteorder",
                "is " + CheckedUnpickler.printable(order) + ": expected little or big");
      };
    }

    Object unpickle(long budget) throws IOException {
      ZipEntry e = entries.get(prefix + "data.pkl");
      try (InputStream in = new BufferedInputStream(input(e))) {
        CheckedUnpickler unpickler =
            new CheckedUnpickler(new StateDictPolicy(this, budget), in, e.getSize());
        Object root = unpickler.run();
        if (unpickler.remaining() > 0) {
          throw failure(
              unpickler.position(),
              unpickler.remaining() + " bytes follow the pickle's STOP opcode");
        }
        return root;
      }
    }

    private InputStream input(ZipEntry e) throws IOException {
      try {
        return zip.getInputStream(e);
      } catch (IOException | RuntimeException x) {
        throw new TorchFormatException(
            file, "entry " + CheckedUnpickler.printable(e.getName()), "unreadable: " + x);
      }
    }

    private byte[] bytes(ZipEntry e) throws IOException {
      // size ≤ the file's, checked in open; Java arrays end short of 2 GiB
      if (e.getSize() > Integer.MAX_VALUE - 8) {
        throw new TorchFormatException(
            file,
            "entry " + CheckedUnpickler.printable(e.getName()),
            "holds " + e.getSize() + " bytes: over 2 GiB is not supported");
      }
      byte[] data;
      try (InputStream in = input(e)) {
        data = in.readNBytes((int) e.getSize());
      } catch (TorchFormatException x) {
        throw x;
      } catch (IOException x) {
        throw new TorchFormatException(
            file, "entry " + CheckedUnpickler.printable(e.getName()), "unreadable: " + x);
      }
      if (data.length != e.getSize()) {
        throw new TorchFormatException(
            file,
            "entry " + CheckedUnpickler.printable(e.getName()),
            "ends after " + data.length + " of its " + e.getSize() + " bytes: truncated");
      }
      return data;
    }

    @Override
    public Optional<Long> storageBytes(String key) {
      ZipEntry e = entries.get(prefix + "data/" + key);
      return e == null ? Optional.empty() : Optional.of(e.getSize());
    }

    @Override
    public ByteBuffer storage(String key, TorchDtype dtype) throws IOException {
      byte[] data = bytes(entries.get(prefix + "data/" + key));
      if (bigEndian) {
        int n = dtype.bytes();
        for (int i = 0; i + n <= data.length; i += n) {
          for (int a = i, b = i + n - 1; a < b; a++, b--) {
            byte t = data[a];
            data[a] = data[b];
            data[b] = t;
          }
        }
      }
      return ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
    }

    @Override
    public TorchFormatException failure(long byteOffset, String message) {
      return new TorchFormatException(
          file,
          "entry " + CheckedUnpickler.printable(prefix) + "data.pkl at byte " + byteOffset,
          message);
    }

    @Override
    public void close() throws IOException {
      zip.close();
    }
  }

  /**
   * Writes a state_dict as {@code torch.save(state_dict, file)} would: see the class comment. The
   * archive's folder is the file's name without its extension.
   *
   * @param tensors the tensors by name, written in the map's order
   * @param file the {@code .pth} file, replaced if it exists
   * @throws IOException if the file cannot be written; then nothing is left under its name that was
   *     not there before
   */
  public static void write(Map<String, TorchTensor> tensors, Path file) throws IOException {
    Objects.requireNonNull(file, "file");
    for (Map.Entry<String, TorchTensor> e : tensors.entrySet()) {
      Objects.requireNonNull(e.getKey(), "a key is null");
      Objects.requireNonNull(e.getValue(), e.getKey());
    }
    Path target = file.toAbsolutePath();
    String fileName = target.getFileName().toString();
    int dot = fileName.lastIndexOf('.');
    String stem = dot > 0 ? fileName.substring(0, dot) : fileName;
    String folder = (stem.isEmpty() || stem.contains("/") ? "archive" : stem) + "/";
    byte[] pickle = StateDictPickler.pickle(tensors);
    Path parent = target.getParent();
    Files.createDirectories(parent);
    // a new sibling with the process's default permissions (a temp file's would be 0600)
    Path tmp =
        parent.resolve("." + fileName + ".tmp-" + Long.toHexString(new SecureRandom().nextLong()));
    try {
      try (FileChannel channel =
          FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        CountingStream counted =
            new CountingStream(
                new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16));
        ZipOutputStream zip = new ZipOutputStream(counted, StandardCharsets.UTF_8);
        entry(zip, counted, folder + "data.pkl", ByteBuffer.wrap(pickle));
        int i = 0;
        for (TorchTensor t : tensors.values()) {
          entry(zip, counted, folder + "data/" + i++, t.data());
        }
        entry(zip, counted, folder + "version", ascii("3\n"));
        entry(zip, counted, folder + "byteorder", ascii("little"));
        zip.finish();
        counted.flush();
        channel.force(true);
        zip.close();
      }
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  private static ByteBuffer ascii(String s) {
    return ByteBuffer.wrap(s.getBytes(StandardCharsets.US_ASCII));
  }

  /** One stored entry, its data starting at a multiple of {@link #ALIGNMENT} bytes. */
  private static void entry(
      ZipOutputStream zip, CountingStream counted, String name, ByteBuffer data)
      throws IOException {
    ByteBuffer bytes = data.duplicate();
    CRC32 crc = new CRC32();
    crc.update(bytes.duplicate());
    ZipEntry e = new ZipEntry(name);
    e.setMethod(ZipEntry.STORED);
    e.setSize(bytes.remaining());
    e.setCompressedSize(bytes.remaining());
    e.setCrc(crc.getValue());
    // a fixed time (not 1980-01-01 00:00, which Java marks as "before 1980" with an extra field)
    e.setTimeLocal(LocalDateTime.of(2000, 1, 1, 0, 0));
    // the local header is 30 bytes, the name, then the extra field: torch's padding record "FB"
    int nameBytes = name.getBytes(StandardCharsets.UTF_8).length;
    long headerEnd = counted.count + 30 + nameBytes + 4;
    int pad = (int) ((ALIGNMENT - headerEnd % ALIGNMENT) % ALIGNMENT);
    byte[] extra = new byte[4 + pad];
    extra[0] = 'F';
    extra[1] = 'B';
    extra[2] = (byte) pad;
    extra[3] = (byte) (pad >>> 8);
    Arrays.fill(extra, 4, extra.length, (byte) 'Z');
    e.setExtra(extra);
    zip.putNextEntry(e);
    if (counted.count % ALIGNMENT != 0) {
      throw new IllegalStateException("entry " + name + " data at " + counted.count);
    }
    byte[] chunk = new byte[Math.min(bytes.remaining(), 1 << 16)];
    while (bytes.hasRemaining()) {
      int n = Math.min(chunk.length, bytes.remaining());
      bytes.get(chunk, 0, n);
      zip.write(chunk, 0, n);
    }
    zip.closeEntry();
  }

  /** Counts the bytes written, so that an entry's data offset is known before it is written. */
  private static final class CountingStream extends FilterOutputStream {
    long count;

    CountingStream(OutputStream out) {
      super(out);
    }

    @Override
    public void write(int b) throws IOException {
      out.write(b);
      count++;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
      count += len;
    }
  }
}
