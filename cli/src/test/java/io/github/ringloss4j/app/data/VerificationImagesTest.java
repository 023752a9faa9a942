package io.github.ringloss4j.app.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.ringloss4j.app.io.DataFormatException;
import io.github.ringloss4j.internal.ImagePixels;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A verification set's images as a run's input, decoded from memory. */
class VerificationImagesTest {

  @TempDir Path tmp;

  @Test
  void eachImageIsTheRunsOwnViewAndItsMirrorImage() throws Exception {
    VerificationBin bin = VerificationBin.read(VerificationBinTest.resource("tiny_py3.bin"));
    ImageSpec spec = new ImageSpec(12, 10, 3);
    VerificationImages images = new VerificationImages(bin, spec);
    assertEquals(24, images.count());
    for (int i : new int[] {0, 1, 9}) {
      float[] plain = new float[spec.size() + 5];
      float[] flipped = new float[spec.size() + 5];
      images.read(i, plain, flipped, 5);
      // What training gives the same bytes read from a file of an image folder…
      Path file = Files.write(tmp.resolve("image" + i + ".png"), bin.image(i));
      float[] expected = ImageFolder.loadImage(file, spec);
      assertArrayEquals(expected, java.util.Arrays.copyOfRange(plain, 5, plain.length));
      // … and the mirror image of that same view, as InsightFace flips the resized input.
      BufferedImage view =
          ImagePixels.render(
              ImagePixels.toRgb(ImageIO.read(new ByteArrayInputStream(bin.image(i)))),
              12,
              10,
              12,
              10,
              0,
              0);
      assertArrayEquals(
          ImagePixels.toChw(view, 3, true),
          java.util.Arrays.copyOfRange(flipped, 5, flipped.length));
    }
    String how = images.preprocessing();
    assertTrue(how.startsWith("16×16 grey, 4×4 grey images resized to 10×12 RGB"), how);
    assertTrue(how.contains("not InsightFace's ((x/255) − 0.5)/0.5"), how);
  }

  @Test
  void imagesOfTheRunsShapeAreSaidToBeSo() throws Exception {
    VerificationBin bin = VerificationBin.read(VerificationBinTest.resource("tiny_py2.bin"));
    VerificationImages images = new VerificationImages(bin, new ImageSpec(16, 16, 1));
    float[] plain = new float[256];
    images.read(0, plain, new float[256], 0);
    assertTrue(
        images.preprocessing().startsWith("16×16 grey images, the run's input size and colour;"),
        images.preprocessing());
  }

  @Test
  void anUndecodableImageNamesTheFileAndTheImage() throws Exception {
    Path file = VerificationBinTest.resource("bytes256_py3_p4.bin");
    VerificationImages images =
        new VerificationImages(VerificationBin.read(file), new ImageSpec(8, 8, 1));
    DataFormatException e =
        assertThrows(
            DataFormatException.class, () -> images.read(1, new float[64], new float[64], 0));
    assertEquals(file, e.file());
    assertEquals(1, e.item());
    assertTrue(e.getMessage().startsWith(file + " item 1: not an image"), e.getMessage());
  }
}
