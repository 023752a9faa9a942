package io.github.ringloss4j.app.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.ringloss4j.app.data.PairsFile.Pair;
import io.github.ringloss4j.app.io.DataFormatException;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PairsFileTest {

  @TempDir Path dir;

  private Path pairs(String content) throws IOException {
    return Files.writeString(dir.resolve("pairs.txt"), content, StandardCharsets.UTF_8);
  }

  /** Two folds of 2 matched + 2 mismatched pairs, with a blank line and CRLF endings. */
  private static final String VALID =
      "2\t2\n"
          + "Alice\t1\t2\n"
          + "Bob 1 3\r\n"
          + "Alice 1 Bob 2\n"
          + "\n"
          + "Carol\t2\tDave\t1  \n"
          + "Carol 1 2\n"
          + "Dave 2 3\n"
          + "Bob 3 Carol 1\n"
          + "Dave 1 Alice 2\n";

  private void assertBadLine(String content, int line, String fragment) throws IOException {
    Path file = pairs(content);
    DataFormatException e = assertThrows(DataFormatException.class, () -> PairsFile.parse(file));
    assertTrue(e.getMessage().startsWith(file + ":" + line + ": "), e.getMessage());
    assertTrue(e.getMessage().contains("pairs.txt:" + line + ": "), e.getMessage());
    assertTrue(e.getMessage().contains(fragment), "'" + fragment + "' in: " + e.getMessage());
    assertEquals(line, e.line());
  }

  @Test
  void parsesTwoFolds() throws IOException {
    PairsFile p = PairsFile.parse(pairs(VALID));
    assertEquals(2, p.folds());
    assertEquals(
        List.of(
            new Pair("Alice", 1, "Alice", 2, true, 0, 2),
            new Pair("Bob", 1, "Bob", 3, true, 0, 3),
            new Pair("Alice", 1, "Bob", 2, false, 0, 4),
            new Pair("Carol", 2, "Dave", 1, false, 0, 6),
            new Pair("Carol", 1, "Carol", 2, true, 1, 7),
            new Pair("Dave", 2, "Dave", 3, true, 1, 8),
            new Pair("Bob", 3, "Carol", 1, false, 1, 9),
            new Pair("Dave", 1, "Alice", 2, false, 1, 10)),
        p.pairs());
  }

  @Test
  void headerlessFileIsOneFoldInAnyOrder() throws IOException {
    PairsFile p = PairsFile.parse(pairs("\nAlice 1 Bob 2\nAlice 1 2\nBob 1 Alice 3\n"));
    assertEquals(1, p.folds());
    assertEquals(3, p.pairs().size());
    assertEquals(new Pair("Alice", 1, "Alice", 2, true, 0, 3), p.pairs().get(1));
    assertTrue(p.pairs().stream().allMatch(pair -> pair.fold() == 0));
  }

  @Test
  void singleNumberHeaderIsOneFold() throws IOException {
    PairsFile p = PairsFile.parse(pairs("1\nAlice 1 2\nAlice 1 Bob 2\n"));
    assertEquals(1, p.folds());
    assertEquals(List.of(true, false), p.pairs().stream().map(Pair::genuine).toList());
  }

  @Test
  void wrongFieldCount() throws IOException {
    assertBadLine(
        "1 1\nAlice 1\nBob 1 Alice 2\n",
        2,
        "expected 3 fields (name i j) or 4 fields (name1 i name2 j), got 2");
    assertBadLine("Alice 1 2 Bob 3\n", 1, "got 5");
    assertBadLine("Alice 1\n", 1, "expected a header");
  }

  @Test
  void badIndices() throws IOException {
    assertBadLine("Alice 1 2\nAlice one 2\n", 2, "image index (field 2) 'one' is not a positive");
    assertBadLine("Alice 1 2\nAlice 0 Bob 2\n", 2, "image index (field 2) 0 is not a positive");
    assertBadLine("Alice 1 2\nAlice 2 Bob -3\n", 2, "image index (field 4) '-3'");
    assertBadLine("Alice 1 99999999999\n", 1, "too large");
    assertBadLine("Alice 3 3\n", 1, "with itself");
    assertBadLine("Alice 3 Alice 4\n", 1, "names 'Alice' twice");
    assertBadLine("../etc 1 2\n", 1, "plain folder name");
  }

  @Test
  void headerCountMismatch() throws IOException {
    // Too few: reported at the header that announced more.
    assertBadLine(
        "2 1\nA 1 2\nA 1 B 2\nC 1 2\n", 1, "2 × 2 × 1 = 4 pair lines, but the file has 3");
    // Too many: reported at the first extra line.
    assertBadLine("1 1\nA 1 2\nA 1 B 2\nC 1 2\n", 4, "more pair lines than the 1 × 2 × 1 = 2");
    assertBadLine("0 300\nA 1 2\n", 1, "fold count (header field 1) 0");
  }

  @Test
  void matchedAndMismatchedOutOfOrder() throws IOException {
    assertBadLine(
        "1 2\nA 1 2\nA 1 B 2\nC 1 D 2\nE 1 F 2\n",
        3,
        "expected a matched pair (3 fields: name i j) as pair 2 of fold 1");
    assertBadLine(
        "1 1\nA 1 2\n\nB 1 2\n", 4, "expected a mismatched pair (4 fields: name1 i name2 j)");
  }

  @Test
  void invalidUtf8NamesLine() throws IOException {
    Path file = dir.resolve("pairs.txt");
    Files.write(file, new byte[] {'A', ' ', '1', ' ', '2', '\n', 'B', (byte) 0xC3, ' ', '1', '\n'});
    DataFormatException e = assertThrows(DataFormatException.class, () -> PairsFile.parse(file));
    assertTrue(e.getMessage().startsWith(file + ":2: not valid UTF-8"), e.getMessage());
  }

  @Test
  void aByteOrderMarkIsDroppedAndAHugeLineRefusedWithoutReadingIt() throws IOException {
    PairsFile withBom = PairsFile.parse(pairs("\uFEFFAlice 1 2\r\nBob 1 Carol 2\n"));
    assertEquals("Alice", withBom.pairs().get(0).name1());
    assertEquals(2, withBom.pairs().size());
    assertBadLine("Alice 1 2\nBob 1 " + "x".repeat(5000) + " 2\n", 2, "longer than 4096 bytes");
    // A sparse 3 GB file of zeros, one line: read in full it was an OutOfMemoryError.
    Path huge = dir.resolve("huge.txt");
    try (RandomAccessFile f = new RandomAccessFile(huge.toFile(), "rw")) {
      f.setLength(3L << 30);
    }
    DataFormatException e = assertThrows(DataFormatException.class, () -> PairsFile.parse(huge));
    assertTrue(e.getMessage().startsWith(huge + ":1: line longer than"), e.getMessage());
  }

  @Test
  void emptyAndMissingFiles() throws IOException {
    Path empty = pairs("\n\n");
    DataFormatException e = assertThrows(DataFormatException.class, () -> PairsFile.parse(empty));
    assertTrue(e.getMessage().startsWith(empty + ": contains no pairs"), e.getMessage());
    Path missing = dir.resolve("missing.txt");
    NoSuchFileException e2 =
        assertThrows(NoSuchFileException.class, () -> PairsFile.parse(missing));
    assertTrue(e2.getMessage().contains(missing.toString()));
  }

  @Test
  void resolvesAndChecksImages() throws IOException {
    Path root = dir.resolve("lfw");
    PairsFile p = PairsFile.parse(pairs("Alice 1 2\nAlice 2 Bob 12\nBob 12 13\n"));
    Files.createDirectories(root.resolve("Alice"));
    Files.createDirectories(root.resolve("Bob"));
    Files.write(root.resolve("Alice/Alice_0001.jpg"), new byte[0]);
    Files.write(root.resolve("Alice/Alice_0002.png"), new byte[0]);
    Files.write(root.resolve("Bob/Bob_0012.jpeg"), new byte[0]);
    assertEquals(root.resolve("Alice/Alice_0001.jpg"), p.resolve(root, "Alice", 1));
    assertEquals(root.resolve("Alice/Alice_0002.png"), p.resolve(root, "Alice", 2));
    assertEquals(root.resolve("Bob/Bob_0012.jpeg"), p.resolve(root, "Bob", 12));
    assertEquals(root.resolve("Bob/Bob_0013.jpg"), p.resolve(root, "Bob", 13));

    DataFormatException e = assertThrows(DataFormatException.class, () -> p.checkImagesExist(root));
    assertTrue(e.getMessage().startsWith(p.file() + ":3: image not found: "), e.getMessage());
    assertTrue(e.getMessage().contains(root.resolve("Bob/Bob_0013.jpg").toString()));

    Files.write(root.resolve("Bob/Bob_0013.jpg"), new byte[0]);
    p.checkImagesExist(root);
    assertThrows(NoSuchFileException.class, () -> p.checkImagesExist(dir.resolve("nope")));
  }
}
