package io.github.ringloss4j.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.ringloss4j.io.DataFormatException;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The header check that finds unreadable images before training. */
class ImageHeadersTest {

  @TempDir Path root;

  private Path png(Path file) throws IOException {
    Files.createDirectories(file.getParent());
    ImageIO.write(new BufferedImage(12, 10, BufferedImage.TYPE_INT_RGB), "png", file.toFile());
    return file;
  }

  private Path jpeg(Path file) throws IOException {
    Files.createDirectories(file.getParent());
    ImageIO.write(new BufferedImage(12, 10, BufferedImage.TYPE_INT_RGB), "jpg", file.toFile());
    return file;
  }

  @Test
  void eachKindOfBadFileIsNamedWithItsProblem() throws IOException {
    Path good = png(root.resolve("a/good.png"));
    Path jpg = jpeg(root.resolve("a/good.jpg"));
    Path empty = Files.write(root.resolve("a/empty.png"), new byte[0]);
    byte[] whole = Files.readAllBytes(good);
    Path header = Files.write(root.resolve("a/header.png"), Arrays.copyOf(whole, 20));
    Path cut = Files.write(root.resolve("a/cut.png"), Arrays.copyOf(whole, whole.length - 5));
    Path text = Files.writeString(root.resolve("a/text.jpg"), "not an image at all\n");
    assertNull(ImageHeaders.problem(good));
    assertNull(ImageHeaders.problem(jpg));
    assertEquals("empty file (0 bytes)", ImageHeaders.problem(empty));
    assertTrue(ImageHeaders.problem(header).startsWith("damaged PNG header"), "header");
    assertTrue(ImageHeaders.problem(cut).contains("IEND"), ImageHeaders.problem(cut));
    assertTrue(ImageHeaders.problem(text).startsWith("not an image"), ImageHeaders.problem(text));
  }

  @Test
  void everyBadFileIsListedOnceUpToALimitOrSkipped() throws IOException {
    for (int i = 0; i < 3; i++) {
      png(root.resolve("a/" + i + ".png"));
      png(root.resolve("b/" + i + ".png"));
    }
    ImageFolder clean = ImageFolder.scan(root);
    assertSame(clean, ImageHeaders.checked(clean, false), "a clean folder passes as it is");
    for (int i = 0; i < ImageHeaders.LISTED + 5; i++) {
      Files.write(root.resolve("b/bad" + i + ".png"), new byte[0]);
    }
    ImageFolder folder = ImageFolder.scan(root);
    DataFormatException e =
        assertThrows(DataFormatException.class, () -> ImageHeaders.checked(folder, false));
    assertTrue(e.getMessage().startsWith(root.toString()), e.getMessage());
    assertTrue(e.getMessage().contains("25 of 31 images cannot be read"), e.getMessage());
    assertTrue(e.getMessage().contains("bad0.png: empty file"), e.getMessage());
    assertTrue(e.getMessage().contains("and 5 more"), e.getMessage());
    assertTrue(e.getMessage().contains("--skip-bad-images"), e.getMessage());

    ImageFolder kept = ImageHeaders.checked(folder, true);
    assertEquals(6, kept.entries().size());
    assertEquals(List.of("a", "b"), kept.classNames());

    // A class whose every image is bad cannot be trained, skipped or not.
    for (int i = 0; i < 3; i++) {
      Files.write(root.resolve("a/" + i + ".png"), new byte[0]);
    }
    DataFormatException emptied =
        assertThrows(
            DataFormatException.class, () -> ImageHeaders.checked(ImageFolder.scan(root), true));
    assertTrue(
        emptied.getMessage().contains("'a' has no readable image left"), emptied.getMessage());
  }
}
