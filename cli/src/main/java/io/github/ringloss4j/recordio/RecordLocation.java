package io.github.ringloss4j.recordio;

import io.github.ringloss4j.io.DataFormatException;
import java.nio.file.Path;

/**
 * Where a record is, for error messages: {@code FILE at byte N: record key K: problem}, with the
 * record's own offset added when the problem lies further inside it.
 *
 * @param file the {@code .rec} file
 * @param key the record's key in the index
 * @param offset the byte offset of the record's first part
 */
record RecordLocation(Path file, long key, long offset) {

  DataFormatException error(String problem) {
    return error(offset, problem);
  }

  DataFormatException error(long at, String problem) {
    String where = at == offset ? "" : " (which starts at byte " + offset + ")";
    return DataFormatException.atByte(file, at, "record key " + key + where + ": " + problem);
  }
}
