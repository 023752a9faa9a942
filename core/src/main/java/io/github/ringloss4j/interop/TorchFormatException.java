package io.github.ringloss4j.interop;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A PyTorch file exists but is not a {@code state_dict} this library reads: not a zip archive, the
 * legacy format, a refused pickle (a global that is not one of the tensor-rebuilding functions and
 * storage types torch writes), or a malformed or truncated archive.
 *
 * <p>The message starts with the file path, then the location where known ({@code entry
 * model/data.pkl at byte 172}, {@code entry model/data/3}), then what is wrong and what was
 * expected: {@code /m/model.pth entry model/data.pkl at byte 169: refused pickle opcode GLOBAL: it
 * names the Python global posix.system; ...}.
 */
public class TorchFormatException extends IOException {

  private static final long serialVersionUID = 1L;

  /** The offending file; transient because {@link Path} is not serialisable. */
  private final transient Path file;

  /**
   * Creates an exception about a file.
   *
   * @param file the offending file
   * @param location where in it, e.g. {@code entry model/data/3}, or empty for the whole file
   * @param problem what is wrong and what was expected
   */
  public TorchFormatException(Path file, String location, String problem) {
    super(file + (location.isEmpty() ? "" : " " + location) + ": " + problem);
    this.file = file;
  }

  /**
   * The file the problem is in.
   *
   * @return the path as given to the reader
   */
  public Path file() {
    return file;
  }
}
