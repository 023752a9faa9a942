package io.github.ringloss4j.app.recordio;

import io.github.ringloss4j.app.io.DataFormatException;
import io.github.ringloss4j.app.io.TextLines;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The {@code .idx} file of an indexed RecordIO file: where each keyed record starts.
 *
 * <p>Format (MXNet's {@code MXIndexedRecordIO}): text, one line per record, {@code
 * key<TAB>offset\n} with decimal integers; {@code offset} is the byte offset in the {@code .rec}
 * file of the record's first part. MXNet strips each line and splits it at tabs; so does this
 * reader, which accepts CRLF line ends but rejects blank lines (MXNet fails on them too) and extra
 * fields.
 *
 * <p>Checks, all done while the file is read: keys are non-negative 32-bit integers and unique;
 * offsets are multiples of 4 (every record is padded to 4 bytes) and leave room for a part header
 * before the end of the {@code .rec} file; no two entries share an offset; at most one entry per 8
 * bytes of the {@code .rec} file (a record's header). Lines are read as a stream, one at a time,
 * each at most {@value #MAX_LINE} bytes, so a huge or wrong file costs a message naming the line,
 * never memory beyond its entries. Keys need not be in order: InsightFace's {@code face2rec2.py}
 * writes the image records (keys 1…n) first and the header record 0 after them, so its index lists
 * key 0 after key n. Entries are kept sorted by key; when the keys are consecutive (the usual case)
 * they are not stored at all. Each entry also keeps its extent, the bytes to the next record in the
 * file ({@link #end}), against which a record's length is checked when it is read. The index costs
 * 12 bytes per entry (204 MB for the 17 million images of Glint360K), and about 28 while it is
 * read.
 */
public final class RecordIndex {

  /** The longest line accepted: a key, a tab and an offset take at most 31 bytes. */
  static final int MAX_LINE = 256;

  /** The {@code .idx} file, for messages. */
  private final Path file;

  private final int firstKey;

  /** The keys in increasing order, or null when they are {@code firstKey, firstKey + 1, …}. */
  private final int[] keys;

  /** The offsets, in key order. */
  private final long[] offsets;

  /**
   * The bytes from each record's offset to the next record's (in file order) or to the end of the
   * file, at most {@link Integer#MAX_VALUE}; in key order.
   */
  private final int[] extents;

  private RecordIndex(Path file, int firstKey, int[] keys, long[] offsets, int[] extents) {
    this.file = file;
    this.firstKey = firstKey;
    this.keys = keys;
    this.offsets = offsets;
    this.extents = extents;
  }

  /**
   * The file the index was read from.
   *
   * @return the {@code .idx} file
   */
  Path file() {
    return file;
  }

  /**
   * Reads and checks an index.
   *
   * @param idx the {@code .idx} file
   * @param rec the {@code .rec} file it indexes, for messages
   * @param recSize the size of the {@code .rec} file
   * @return the index
   * @throws DataFormatException naming the file and line of the first malformed, duplicate or
   *     out-of-range entry, or when the file has no entries
   * @throws IOException if the file cannot be read
   */
  public static RecordIndex read(Path idx, Path rec, long recSize) throws IOException {
    // Every record takes at least its 8-byte part header, at its own offset.
    long room = recSize / RecordIo.PART_HEADER_BYTES;
    // Lines of large indexes take about 16-20 bytes; start small and grow, so that the size of a
    // wrong file allocates nothing.
    int capacity = (int) Math.max(16, Math.min(Math.min(Files.size(idx) / 16, room), 1 << 16));
    int[] keys = new int[capacity];
    long[] offsets = new long[capacity];
    int n = 0;
    boolean sorted = true;
    try (TextLines in = TextLines.open(idx, MAX_LINE)) {
      String line;
      while ((line = in.next()) != null) {
        long lineNumber = in.lineNumber();
        if (n >= room || n == Integer.MAX_VALUE - 8) {
          throw DataFormatException.atLine(
              idx,
              lineNumber,
              "more entries than "
                  + rec
                  + " ("
                  + recSize
                  + " bytes) has room for records (8 bytes each at least)");
        }
        String[] fields = line.strip().split("\t", -1);
        if (fields.length != 2) {
          throw DataFormatException.atLine(
              idx,
              lineNumber,
              "expected key<TAB>offset, found "
                  + (line.isBlank() ? "a blank line" : fields.length + " tab-separated fields"));
        }
        int key = parseKey(idx, lineNumber, fields[0]);
        long offset = parseOffset(idx, rec, lineNumber, fields[1], recSize);
        if (n == keys.length) {
          int grown = (int) Math.min(Integer.MAX_VALUE - 8L, keys.length + (keys.length >> 1));
          keys = Arrays.copyOf(keys, grown);
          offsets = Arrays.copyOf(offsets, grown);
        }
        sorted &= n == 0 || key > keys[n - 1];
        keys[n] = key;
        offsets[n] = offset;
        n++;
      }
    }
    if (n == 0) {
      throw new DataFormatException(idx, "has no entries; expected key<TAB>offset lines");
    }
    if (!sorted) {
      sortByKey(idx, keys, offsets, n);
    }
    keys = Arrays.copyOf(keys, n);
    offsets = Arrays.copyOf(offsets, n);
    int[] extents = extents(idx, keys, offsets, recSize);
    boolean consecutive = (long) keys[n - 1] - keys[0] == n - 1;
    return new RecordIndex(idx, keys[0], consecutive ? null : keys, offsets, extents);
  }

  /**
   * The bytes from each record's offset to the next offset in the file, or to the end of the file
   * for the last record; records tile the file, so this is the room each record must fill exactly.
   */
  private static int[] extents(Path idx, int[] keys, long[] offsets, long recSize)
      throws DataFormatException {
    long[] starts = offsets.clone();
    Arrays.sort(starts);
    for (int i = 1; i < starts.length; i++) {
      if (starts[i] == starts[i - 1]) {
        throw new DataFormatException(
            idx,
            "keys "
                + keyAt(keys, offsets, starts[i], 0)
                + " and "
                + keyAt(keys, offsets, starts[i], 1)
                + " both give offset "
                + starts[i]
                + "; each record has its own offset");
      }
    }
    int[] extents = new int[offsets.length];
    for (int i = 0; i < offsets.length; i++) {
      int at = Arrays.binarySearch(starts, offsets[i]);
      long next = at + 1 < starts.length ? starts[at + 1] : recSize;
      extents[i] = (int) Math.min(next - offsets[i], Integer.MAX_VALUE);
    }
    return extents;
  }

  /** The key of the {@code which}-th (0 or 1) entry with an offset, for messages. */
  private static int keyAt(int[] keys, long[] offsets, long offset, int which) {
    int seen = 0;
    for (int i = 0; i < offsets.length; i++) {
      if (offsets[i] == offset && seen++ == which) {
        return keys[i];
      }
    }
    return -1;
  }

  private static int parseKey(Path idx, long line, String field) throws DataFormatException {
    try {
      int key = Integer.parseInt(field);
      if (key >= 0) {
        return key;
      }
    } catch (NumberFormatException e) {
      // Reported below with the expectation.
    }
    throw DataFormatException.atLine(
        idx, line, "key '" + field + "' is not an integer in [0, " + Integer.MAX_VALUE + "]");
  }

  private static long parseOffset(Path idx, Path rec, long line, String field, long recSize)
      throws DataFormatException {
    long offset;
    try {
      offset = Long.parseLong(field);
    } catch (NumberFormatException e) {
      offset = -1;
    }
    if (offset < 0) {
      throw DataFormatException.atLine(
          idx, line, "offset '" + field + "' is not a non-negative integer");
    }
    if (offset % 4 != 0) {
      throw DataFormatException.atLine(
          idx,
          line,
          "offset "
              + offset
              + " is not a multiple of 4; RecordIO records are padded to 4 bytes, so no record"
              + " starts there");
    }
    if (offset > recSize - RecordIo.PART_HEADER_BYTES) {
      throw DataFormatException.atLine(
          idx,
          line,
          "offset "
              + offset
              + " is past the end of "
              + rec
              + " ("
              + recSize
              + " bytes; a record needs at least its 8-byte header); one of the two files is"
              + " truncated, or they do not belong together");
    }
    return offset;
  }

  /** Sorts the first {@code n} entries by key, rejecting duplicate keys with both lines. */
  private static void sortByKey(Path idx, int[] keys, long[] offsets, int n)
      throws DataFormatException {
    // Keys are non-negative ints and lines fit 31 bits: sort (key, line) pairs as longs.
    long[] order = new long[n];
    for (int i = 0; i < n; i++) {
      order[i] = (long) keys[i] << 32 | i;
    }
    Arrays.sort(order);
    long[] sortedOffsets = new long[n];
    for (int i = 0; i < n; i++) {
      int line = (int) order[i];
      if (i > 0 && order[i] >>> 32 == order[i - 1] >>> 32) {
        int first = (int) order[i - 1];
        throw DataFormatException.atLine(
            idx,
            line + 1L,
            "key " + keys[line] + " is listed again (first on line " + (first + 1) + ")");
      }
      sortedOffsets[i] = offsets[line];
    }
    for (int i = 0; i < n; i++) {
      keys[i] = (int) (order[i] >>> 32);
    }
    System.arraycopy(sortedOffsets, 0, offsets, 0, n);
  }

  /**
   * The number of entries.
   *
   * @return at least 1
   */
  public int size() {
    return offsets.length;
  }

  /**
   * The key of an entry.
   *
   * @param i the entry, in key order
   * @return its key
   */
  public int key(int i) {
    return keys == null ? firstKey + i : keys[i];
  }

  /**
   * The record offset of an entry.
   *
   * @param i the entry, in key order
   * @return the byte offset of its record in the {@code .rec} file
   */
  public long offset(int i) {
    return offsets[i];
  }

  /**
   * Where the record of an entry must end: the next record's offset in the file, or the end of the
   * file for the last one (records tile a RecordIO file).
   *
   * @param i the entry, in key order
   * @return the byte offset
   */
  public long end(int i) {
    if (extents[i] < Integer.MAX_VALUE) {
      return offsets[i] + extents[i];
    }
    // Only a gap of 2 GiB or more gets here: find the next offset the slow way.
    long next = Long.MAX_VALUE;
    for (long offset : offsets) {
      if (offset > offsets[i]) {
        next = Math.min(next, offset);
      }
    }
    return next == Long.MAX_VALUE ? offsets[i] + extents[i] : next;
  }

  /**
   * The entry with a key.
   *
   * @param key the key
   * @return its position in key order, or -1 when the key is absent
   */
  public int indexOf(long key) {
    int i = lowerBound(key);
    return i < size() && key(i) == key ? i : -1;
  }

  /**
   * The first entry whose key is at least {@code key}.
   *
   * @param key the key
   * @return a position in [0, size()]
   */
  public int lowerBound(long key) {
    if (keys == null) {
      return (int) Math.max(0, Math.min(size(), key - firstKey));
    }
    int lo = 0;
    int hi = keys.length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (keys[mid] < key) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }
}
