package io.github.ringloss4j.interop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link TorchStateDict} on files torch 1.13 wrote ({@code bench/pytorch/fixtures/
 * make_pth_fixtures.py}, values checked against the JSON it wrote beside them), on hostile and
 * malformed files (each a {@link TorchFormatException} naming the file), and on its own writes
 * (round trip, deterministic bytes, alignment, and {@code torch.load(weights_only=True)} where
 * Python's torch is installed).
 */
class TorchStateDictTest {

  @TempDir Path dir;

  static Path resource(String name) {
    try {
      return Path.of(TorchStateDictTest.class.getResource("/interop/" + name).toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  private static TorchFormatException refused(Path file, String... fragments) {
    return refusedKey(file, null, fragments);
  }

  private static TorchFormatException refusedKey(Path file, String key, String... fragments) {
    TorchFormatException e =
        assertThrows(
            TorchFormatException.class, () -> TorchStateDict.read(file, key), file.toString());
    assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
    assertEquals(file, e.file());
    for (String fragment : fragments) {
      assertTrue(
          e.getMessage().contains(fragment),
          "message '" + e.getMessage() + "' lacks '" + fragment + "'");
    }
    return e;
  }

  @Test
  void readsWhatTorchWrote() throws IOException {
    Map<String, TorchTensor> read = TorchStateDict.read(resource("state_dict.pth"));
    JsonArray expected =
        JsonParser.parseString(Files.readString(resource("state_dict.json"))).getAsJsonArray();
    List<String> keys = new ArrayList<>();
    for (JsonElement element : expected) {
      JsonObject entry = element.getAsJsonObject();
      String key = entry.get("key").getAsString();
      keys.add(key);
      TorchTensor t = read.get(key);
      assertEquals(entry.get("dtype").getAsString().toUpperCase(java.util.Locale.ROOT), dtype(t));
      long[] shape = new long[entry.get("shape").getAsJsonArray().size()];
      for (int i = 0; i < shape.length; i++) {
        shape[i] = entry.get("shape").getAsJsonArray().get(i).getAsLong();
      }
      assertArrayEquals(shape, t.shape(), key);
      JsonArray values = entry.get("values").getAsJsonArray();
      assertEquals(values.size(), t.numel(), key);
      for (int i = 0; i < values.size(); i++) {
        if (t.dtype() == TorchDtype.FLOAT64) {
          assertEquals(values.get(i).getAsDouble(), t.data().getDouble(8 * i), key + "[" + i + "]");
        } else if (t.dtype().isFloatingPoint()) {
          assertEquals(values.get(i).getAsDouble(), t.toFloats()[i], key + "[" + i + "]");
        } else {
          assertEquals(values.get(i).getAsLong(), t.toLongs()[i], key + "[" + i + "]");
        }
      }
    }
    assertEquals(keys, new ArrayList<>(read.keySet()), "the file's order");
    // the cases the fixture holds, by name
    assertArrayEquals(new long[] {123456789012L}, read.get("bn.num_batches_tracked").toLongs());
    assertArrayEquals(new long[0], read.get("bn.num_batches_tracked").shape());
    assertArrayEquals(new long[] {0, 3}, read.get("empty").shape());
    assertArrayEquals(
        new float[] {0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11}, read.get("transposed").toFloats());
  }

  @Test
  void readsProtocol4AsWell() throws IOException {
    // torch.save(..., pickle_protocol=4): STACK_GLOBAL, FRAME and MEMOIZE instead of GLOBAL, BINPUT
    assertEquals(
        TorchStateDict.read(resource("state_dict.pth")),
        TorchStateDict.read(resource("state_dict_p4.pth")));
  }

  @Test
  void refusesViewsThatWouldMultiplyASmallFile() throws IOException {
    // ten tensors of 4096 floats, all pointed at storage '0': 160 KB of tensors from a 17 KB file
    Map<String, TorchTensor> sd = new LinkedHashMap<>();
    for (int i = 0; i < 10; i++) {
      sd.put("w" + i, TorchTensor.ofFloats(new float[4096], 4096));
    }
    Path good = dir.resolve("good.pth");
    TorchStateDict.write(sd, good);
    assertEquals(sd, TorchStateDict.read(good));
    Path shared =
        rezip(
            good,
            "shared.pth",
            e -> {
              String pickle = new String(e.get("good/data.pkl"), StandardCharsets.ISO_8859_1);
              for (int i = 1; i < 10; i++) {
                e.remove("good/data/" + i);
                pickle =
                    pickle.replace("X\u0001\u0000\u0000\u0000" + i, "X\u0001\u0000\u0000\u00000");
              }
              e.put("good/data.pkl", pickle.getBytes(StandardCharsets.ISO_8859_1));
              return e;
            },
            ZipEntry.STORED);
    assertTrue(Files.size(shared) < 20_000, "a small file");
    refused(shared, "the tensors would take more than", "twice the file's size");
  }

  private static String dtype(TorchTensor t) {
    return t.dtype().name();
  }

  @Test
  void readsTheStateDictACheckpointWraps() throws IOException {
    Path file = resource("checkpoint.pth");
    Map<String, TorchTensor> sd = TorchStateDict.read(file, "state_dict");
    assertEquals(List.of("w", "b"), new ArrayList<>(sd.keySet()));
    assertArrayEquals(new float[] {1, 1}, sd.get("w").toFloats());
    refused(
        file,
        "not a state_dict",
        "'epoch' holds an int",
        "the top-level keys holding a dict of tensors: 'state_dict', 'ema'");
    refusedKey(file, "epoch", "'epoch' is not a state_dict", "'state_dict', 'ema'");
    refusedKey(file, "nope", "no key 'nope'", "'state_dict', 'ema'");
  }

  @Test
  void refusesAHostilePickleAndRunsNothing() throws IOException {
    Path marker = Path.of("/tmp/ringloss4j-pth-hostile-marker");
    Files.deleteIfExists(marker);
    refused(
        resource("hostile_system.pth"),
        "entry hostile_system/data.pkl at byte 169: refused pickle opcode GLOBAL",
        "posix.system",
        "collections.OrderedDict, torch._utils._rebuild_tensor_v2");
    assertFalse(Files.exists(marker), "nothing ran");
  }

  @Test
  void refusesAWholeModuleNamingItsClass() {
    refused(
        resource("module.pth"),
        "entry module/data.pkl at byte 2",
        "GLOBAL",
        "torch.nn.modules.linear.Linear",
        "model.state_dict()");
  }

  @Test
  void refusesTheLegacyFormatWithHowToResave() {
    refused(resource("legacy.pth"), "legacy PyTorch format", "torch.save(torch.load(f)");
  }

  @Test
  void refusesMissingEmptyAndNonZipFiles() throws IOException {
    Path missing = dir.resolve("missing.pth");
    NoSuchFileException e =
        assertThrows(NoSuchFileException.class, () -> TorchStateDict.read(missing));
    assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
    refused(Files.write(dir.resolve("empty.pth"), new byte[0]), "empty file");
    refused(Files.writeString(dir.resolve("text.pth"), "hello"), "not a zip archive");
  }

  @Test
  void refusesTruncatedFiles() throws IOException {
    byte[] whole = Files.readAllBytes(resource("state_dict.pth"));
    for (int n : new int[] {4, 40, 100, 1000, whole.length / 2, whole.length - 1}) {
      Path cut = Files.write(dir.resolve("cut" + n + ".pth"), Arrays.copyOf(whole, n));
      refused(cut);
    }
  }

  /** A small Java-written file whose data.pkl is edited, ISO-8859-1 text standing for bytes. */
  private Path edited(String name, String from, String to) throws IOException {
    Map<String, TorchTensor> sd = new LinkedHashMap<>();
    sd.put("w", TorchTensor.ofFloats(new float[] {1, 2, 3, 4, 5, 6}, 2, 3));
    Path good = dir.resolve("good.pth");
    TorchStateDict.write(sd, good);
    return rezip(
        good,
        name,
        entries -> {
          String pickle = new String(entries.get("good/data.pkl"), StandardCharsets.ISO_8859_1);
          assertTrue(pickle.contains(from), "the pickle holds " + from);
          entries.put(
              "good/data.pkl", pickle.replace(from, to).getBytes(StandardCharsets.ISO_8859_1));
          return entries;
        },
        ZipEntry.STORED);
  }

  /** The entries of a zip, edited, written again as a new zip. */
  private Path rezip(Path source, String name, UnaryOperator<Map<String, byte[]>> edit, int method)
      throws IOException {
    Map<String, byte[]> entries = new LinkedHashMap<>();
    try (ZipFile zip = new ZipFile(source.toFile())) {
      for (ZipEntry e : java.util.Collections.list(zip.entries())) {
        try (InputStream in = zip.getInputStream(e)) {
          entries.put(e.getName(), in.readAllBytes());
        }
      }
    }
    Path out = dir.resolve(name);
    try (OutputStream file = Files.newOutputStream(out);
        ZipOutputStream zip = new ZipOutputStream(file)) {
      for (Map.Entry<String, byte[]> e : edit.apply(entries).entrySet()) {
        ZipEntry entry = new ZipEntry(e.getKey());
        entry.setMethod(method);
        if (method == ZipEntry.STORED) {
          CRC32 crc = new CRC32();
          crc.update(e.getValue());
          entry.setSize(e.getValue().length);
          entry.setCompressedSize(e.getValue().length);
          entry.setCrc(crc.getValue());
        }
        zip.putNextEntry(entry);
        zip.write(e.getValue());
        zip.closeEntry();
      }
    }
    return out;
  }

  @Test
  void theEditedFileIsReadWhenUnedited() throws IOException {
    // the baseline of the malformed cases below: the same edit machinery, no change
    Map<String, TorchTensor> sd = TorchStateDict.read(edited("same.pth", "cpu", "cpu"));
    assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, sd.get("w").toFloats());
  }

  @Test
  void refusesStoragesAndViewsOutsideTheirBytes() throws IOException {
    // the persistent id ('storage', torch.FloatStorage, '0', 'cpu', 6), then offset 0,
    // size (2, 3), stride (3, 1)
    refused(
        edited(
            "numel.pth",
            "X\u0003\u0000\u0000\u0000cpuK\u0006",
            "X\u0003\u0000\u0000\u0000cpuK\u0007"),
        "entry good/data.pkl at byte",
        "storage '0' declares 7 elements of FLOAT32 (28 bytes) but its entry holds 24 bytes");
    refused(
        edited("offset.pth", "QK\u0000", "QK\u0001"),
        "at storage offset 1",
        "reaches outside its storage '0' of 6 elements");
    refused(
        edited("stride.pth", "K\u0003K\u0001\u0086", "K\u0004K\u0001\u0086"),
        "stride [4, 1] reaches outside");
    // size (10^6, 10^6): 10^12 elements from 24 bytes, refused before any allocation
    refused(
        edited(
            "huge.pth",
            "K\u0002K\u0003\u0086",
            "J\u0040\u0042\u000f\u0000J\u0040\u0042\u000f\u0000\u0086"),
        "has 1000000000000 elements but its storage '0' only 6");
    // size (2^31 - 1)^3 overflows a long
    refused(
        edited(
            "overflow.pth",
            "K\u0002K\u0003\u0086K\u0003K\u0001\u0086",
            "J\u00ff\u00ff\u00ff\u007fJ\u00ff\u00ff\u00ff\u007fJ\u00ff\u00ff\u00ff\u007f\u0087"
                + "K\u0001K\u0001K\u0001\u0087"),
        "more elements than a long");
  }

  @Test
  void refusesMalformedArchives() throws IOException {
    Map<String, TorchTensor> sd = Map.of("w", TorchTensor.ofFloats(new float[] {1}, 1));
    Path good = dir.resolve("good.pth");
    TorchStateDict.write(sd, good);
    refused(rezip(good, "deflated.pth", e -> e, ZipEntry.DEFLATED), "is compressed (method 8)");
    refused(
        rezip(
            good,
            "nopickle.pth",
            e -> {
              e.remove("good/data.pkl");
              return e;
            },
            ZipEntry.STORED),
        "has no good/data.pkl");
    refused(
        rezip(
            good,
            "two.pth",
            e -> {
              e.put("other/version", e.remove("good/version"));
              return e;
            },
            ZipEntry.STORED),
        "entry other/version",
        "outside the archive's one top-level folder good/");
    refused(
        rezip(
            good,
            "nostorage.pth",
            e -> {
              e.remove("good/data/0");
              return e;
            },
            ZipEntry.STORED),
        "storage '0' has no entry data/0");
    refused(
        rezip(
            good,
            "script.pth",
            e -> {
              e.put("good/constants.pkl", new byte[] {(byte) 0x80, 2, ')', '.'});
              return e;
            },
            ZipEntry.STORED),
        "TorchScript");
  }

  @Test
  void convertsABigEndianFile() throws IOException {
    Map<String, TorchTensor> sd = new LinkedHashMap<>();
    sd.put("w", TorchTensor.ofFloats(new float[] {1.5f, -2f}, 2));
    sd.put("n", TorchTensor.ofLongs(new long[] {7}));
    Path good = dir.resolve("good.pth");
    TorchStateDict.write(sd, good);
    Path big =
        rezip(
            good,
            "big.pth",
            e -> {
              e.put("good/byteorder", "big".getBytes(StandardCharsets.US_ASCII));
              e.put("good/data/0", swap(e.get("good/data/0"), 4));
              e.put("good/data/1", swap(e.get("good/data/1"), 8));
              return e;
            },
            ZipEntry.STORED);
    assertEquals(sd, TorchStateDict.read(big));
  }

  private static byte[] swap(byte[] data, int width) {
    byte[] out = new byte[data.length];
    for (int i = 0; i < data.length; i++) {
      out[i] = data[i - i % width + width - 1 - i % width];
    }
    return out;
  }

  /** One tensor of each type, plus a scalar and an empty tensor. */
  static Map<String, TorchTensor> everyType() {
    Random random = new Random(22);
    Map<String, TorchTensor> sd = new LinkedHashMap<>();
    for (TorchDtype dtype : TorchDtype.values()) {
      long[] shape = {2, 3};
      byte[] bytes = new byte[6 * dtype.bytes()];
      random.nextBytes(bytes);
      if (dtype == TorchDtype.BOOL) {
        for (int i = 0; i < bytes.length; i++) {
          bytes[i] &= 1;
        }
      }
      if (dtype.isFloatingPoint()) {
        // finite values, which Python compares exactly
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 6; i++) {
          double v = random.nextGaussian();
          switch (dtype) {
            case FLOAT64 -> b.putDouble(8 * i, v);
            case FLOAT32 -> b.putFloat(4 * i, (float) v);
            case BFLOAT16 -> b.putShort(2 * i, (short) (Float.floatToIntBits((float) v) >>> 16));
            default -> b.putShort(2 * i, (short) (0x3c00 + random.nextInt(0x400)));
          }
        }
      }
      sd.put(
          "t." + dtype.name().toLowerCase(java.util.Locale.ROOT),
          TorchTensor.of(dtype, shape, ByteBuffer.wrap(bytes)));
    }
    sd.put("scalar", TorchTensor.ofLongs(new long[] {42}));
    sd.put("empty", TorchTensor.ofFloats(new float[0], 0, 3));
    return sd;
  }

  @Test
  void writesWhatItReadsBackExactly() throws IOException {
    Map<String, TorchTensor> sd = everyType();
    Path file = dir.resolve("model.pth");
    TorchStateDict.write(sd, file);
    Map<String, TorchTensor> read = TorchStateDict.read(file);
    assertEquals(new ArrayList<>(sd.keySet()), new ArrayList<>(read.keySet()));
    assertEquals(sd, read);
    // again over the existing file, from a fixture torch wrote
    Map<String, TorchTensor> python = TorchStateDict.read(resource("state_dict.pth"));
    TorchStateDict.write(python, file);
    assertEquals(python, TorchStateDict.read(file));
    try (var files = Files.list(dir)) {
      assertEquals(List.of(file), files.toList(), "no temporary file left");
    }
  }

  @Test
  void aFailedWriteLeavesTheOldFileAndNoTemporary() throws IOException {
    Path file = dir.resolve("model.pth");
    TorchStateDict.write(Map.of("old", TorchTensor.ofFloats(new float[] {1}, 1)), file);
    byte[] before = Files.readAllBytes(file);
    // a map that fails while its storages are being written, after data.pkl and one storage
    Map<String, TorchTensor> failing =
        new LinkedHashMap<>(everyType()) {
          @Override
          public java.util.Collection<TorchTensor> values() {
            List<TorchTensor> first = List.of(super.values().iterator().next());
            return new java.util.AbstractList<TorchTensor>() {
              @Override
              public TorchTensor get(int i) {
                if (i > 0) {
                  throw new IllegalStateException("killed mid-write");
                }
                return first.get(0);
              }

              @Override
              public int size() {
                return 2;
              }
            };
          }
        };
    assertThrows(IllegalStateException.class, () -> TorchStateDict.write(failing, file));
    assertArrayEquals(before, Files.readAllBytes(file));
    try (var files = Files.list(dir)) {
      assertEquals(List.of(file), files.toList(), "no temporary file left");
    }
  }

  @Test
  void writesTheSameBytesEveryTimeEachEntryAligned() throws IOException {
    Map<String, TorchTensor> sd = everyType();
    Path a = Files.createDirectory(dir.resolve("a")).resolve("m.pth");
    Path b = Files.createDirectory(dir.resolve("b")).resolve("m.pth");
    TorchStateDict.write(sd, a);
    TorchStateDict.write(sd, b);
    byte[] bytes = Files.readAllBytes(a);
    assertArrayEquals(bytes, Files.readAllBytes(b));
    // walk the local headers: each entry's data starts at a multiple of 64
    ByteBuffer zip = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    List<String> names = new ArrayList<>();
    int at = 0;
    while (zip.getInt(at) == 0x04034b50) {
      int size = zip.getInt(at + 18);
      int nameLength = zip.getShort(at + 26);
      int extraLength = zip.getShort(at + 28);
      names.add(new String(bytes, at + 30, nameLength, StandardCharsets.UTF_8));
      int data = at + 30 + nameLength + extraLength;
      assertEquals(0, data % 64, names.get(names.size() - 1) + " data at " + data);
      at = data + size;
    }
    assertEquals("m/data.pkl", names.get(0));
    assertEquals(
        List.of("m/version", "m/byteorder"), names.subList(names.size() - 2, names.size()));
    assertEquals(sd.size() + 3, names.size());
  }

  @Test
  void torchLoadsWhatItWritesWithWeightsOnly() throws Exception {
    assumeTrue(pythonTorch(), "/usr/bin/python3 with torch is not installed");
    Map<String, TorchTensor> sd = everyType();
    Path file = dir.resolve("java.pth");
    TorchStateDict.write(sd, file);
    String script =
        "import collections, json, sys, torch\n"
            + "sd = torch.load(sys.argv[1], weights_only=True)\n"
            + "assert type(sd) is collections.OrderedDict, type(sd)\n"
            + "out = []\n"
            + "for k, v in sd.items():\n"
            + "    assert v.is_contiguous()\n"
            + "    x = v.double() if v.is_floating_point() else v.long()\n"
            + "    out.append([k, str(v.dtype), list(v.shape), x.flatten().tolist()])\n"
            + "print(json.dumps(out))\n";
    Process p =
        new ProcessBuilder("/usr/bin/python3", "-c", script, file.toString())
            .redirectErrorStream(true)
            .start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(120, TimeUnit.SECONDS));
    assertEquals(0, p.exitValue(), output);
    String json = output.lines().filter(l -> l.startsWith("[")).findFirst().orElseThrow();
    JsonArray entries = JsonParser.parseString(json).getAsJsonArray();
    List<String> keys = new ArrayList<>();
    for (JsonElement element : entries) {
      JsonArray entry = element.getAsJsonArray();
      String key = entry.get(0).getAsString();
      keys.add(key);
      TorchTensor t = sd.get(key);
      assertEquals("torch." + pythonName(t.dtype()), entry.get(1).getAsString(), key);
      JsonArray shape = entry.get(2).getAsJsonArray();
      assertEquals(t.shape().length, shape.size(), key);
      JsonArray values = entry.get(3).getAsJsonArray();
      for (int i = 0; i < values.size(); i++) {
        if (t.dtype() == TorchDtype.FLOAT64) {
          assertEquals(t.data().getDouble(8 * i), values.get(i).getAsDouble(), key);
        } else if (t.dtype().isFloatingPoint()) {
          assertEquals(t.toFloats()[i], values.get(i).getAsDouble(), key);
        } else {
          assertEquals(t.toLongs()[i], values.get(i).getAsLong(), key);
        }
      }
    }
    assertEquals(new ArrayList<>(sd.keySet()), keys);
  }

  private static String pythonName(TorchDtype dtype) {
    return dtype == TorchDtype.BOOL ? "bool" : dtype.name().toLowerCase(java.util.Locale.ROOT);
  }

  static boolean pythonTorch() {
    try {
      Process p =
          new ProcessBuilder("/usr/bin/python3", "-c", "import torch")
              .redirectErrorStream(true)
              .start();
      p.getInputStream().readAllBytes();
      return p.waitFor(120, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
