package io.github.ringloss4j.app.recordio;

import io.github.ringloss4j.app.io.DataFormatException;
import java.nio.file.Path;

/**
 * Where a record is, for error messages: {@code FILE at byte N: record key K: problem}, with the
 * record's own offset added when the problem lies further inside it.
 *
 * @param file the {@code .rec} file
 * @param key the record's key in the index
 * @param offset the byte offset of the record's first part
 * @param end where the record must end (the next record's offset, or the file size), or -1 when
 *     unknown
 * @param index the {@code .idx} file the offsets come from, or null when unknown: a record that
 *     does not fit its room may be the index's fault as much as the record's
 */
record RecordLocation(Path file, long key, long offset, long end, Path index) {

  /** A location for messages about a record's content, whose end is not checked. */
  RecordLocation(Path file, long key, long offset) {
    this(file, key, offset, -1, null);
  }

  /** The location of entry {@code i} of an index. */
  static RecordLocation of(Path file, RecordIndex index, int i) {
    return new RecordLocation(file, index.key(i), index.offset(i), index.end(i), index.file());
  }

  DataFormatException error(String problem) {
    return error(offset, problem);
  }

  DataFormatException error(long at, String problem) {
    String where = at == offset ? "" : " (which starts at byte " + offset + ")";
    return DataFormatException.atByte(file, at, "record key " + key + where + ": " + problem);
  }
}
