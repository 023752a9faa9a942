package io.github.ringloss4j.app.recordio;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * Encodes and decodes generated images in memory with ImageIO, through explicit memory streams
 * (ImageIO's own stream factories would cache on disk).
 */
final class ImageEncoding {

  private ImageEncoding() {}

  /**
   * Encodes an image.
   *
   * @param image the image
   * @param format the encoding
   * @param jpegQuality the JPEG quality in [0, 1] (ignored for PNG)
   * @return the encoded bytes
   */
  static byte[] encode(BufferedImage image, ImageFormat format, float jpegQuality) {
    ImageWriter writer =
        ImageIO.getImageWritersByFormatName(format == ImageFormat.JPEG ? "jpeg" : "png").next();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(8192);
    try (ImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
      ImageWriteParam param = writer.getDefaultWriteParam();
      if (format == ImageFormat.JPEG) {
        param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
        param.setCompressionQuality(jpegQuality);
      }
      writer.setOutput(out);
      writer.write(null, new IIOImage(image, null, null), param);
    } catch (IOException e) {
      throw new UncheckedIOException("encoding a synthetic image in memory failed", e);
    } finally {
      writer.dispose();
    }
    return bytes.toByteArray();
  }

  /**
   * Decodes an image this class encoded.
   *
   * @param encoded the bytes
   * @return the image
   */
  static BufferedImage decode(byte[] encoded) {
    try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(encoded))) {
      Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
      ImageReader reader = readers.next();
      try {
        reader.setInput(in, true, true);
        return reader.read(0);
      } finally {
        reader.dispose();
      }
    } catch (IOException e) {
      throw new UncheckedIOException("decoding a synthetic image in memory failed", e);
    }
  }
}
