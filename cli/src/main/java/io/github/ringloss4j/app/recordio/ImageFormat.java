package io.github.ringloss4j.app.recordio;

import java.util.Locale;

/** The encodings a packed data set's images come in, recognised by their signature bytes. */
public enum ImageFormat {
  /** JPEG: starts with {@code FF D8 FF}. */
  JPEG("jpg", new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF}),

  /** PNG: starts with {@code 89 50 4E 47 0D 0A 1A 0A}. */
  PNG("png", new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'});

  private final String extension;
  private final byte[] signature;

  ImageFormat(String extension, byte[] signature) {
    this.extension = extension;
    this.signature = signature;
  }

  /**
   * The file name extension for this format.
   *
   * @return {@code jpg} or {@code png}, without the dot
   */
  public String extension() {
    return extension;
  }

  /**
   * The format of encoded image bytes, by their first bytes.
   *
   * @param encoded the bytes
   * @return the format, or null when they are neither JPEG nor PNG
   */
  public static ImageFormat of(byte[] encoded) {
    for (ImageFormat format : values()) {
      if (startsWith(encoded, format.signature)) {
        return format;
      }
    }
    return null;
  }

  private static boolean startsWith(byte[] bytes, byte[] prefix) {
    if (bytes.length < prefix.length) {
      return false;
    }
    for (int i = 0; i < prefix.length; i++) {
      if (bytes[i] != prefix[i]) {
        return false;
      }
    }
    return true;
  }

  /**
   * Parses a format name as a command line gives it.
   *
   * @param name {@code jpg}, {@code jpeg} or {@code png}, any letter case
   * @return the format
   * @throws IllegalArgumentException for any other name
   */
  public static ImageFormat parse(String name) {
    return switch (name.toLowerCase(Locale.ROOT)) {
      case "jpg", "jpeg" -> JPEG;
      case "png" -> PNG;
      default -> throw new IllegalArgumentException("image format must be jpg or png, got " + name);
    };
  }
}
