package io.github.ringloss4j.app.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.ringloss4j.app.io.DataFormatException;
import io.github.ringloss4j.app.recordio.Degradation;
import io.github.ringloss4j.app.recordio.FaceVariation;
import io.github.ringloss4j.app.recordio.ImageFormat;
import io.github.ringloss4j.app.recordio.RecordFile;
import io.github.ringloss4j.app.recordio.SyntheticFaces;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** quality.csv read back item by item, for a folder and a packed set, and its malformed lines. */
class QualityRecordsTest {

  @TempDir Path tmp;

  private static final FaceVariation TAIL =
      new FaceVariation(24, 10, 0.08, 0.3, 0.6, 0.4, 0.1, 2, 0.35, 0.4);
  private static final ImageSpec SPEC = new ImageSpec(24, 24, 3);

  private static void assertMatches(
      SyntheticFaces faces, int identity, int image, QualityRecords.Quality q) {
    Degradation d = faces.degradation(identity, image);
    assertEquals(d.level(), q.level());
    assertEquals(d.low(), q.low());
    assertEquals(d.side(), q.side());
    assertEquals(d.blur(), (float) q.blur());
    assertEquals(d.jpegQuality(), q.jpegQuality());
    assertEquals(d.noise(), (float) q.noise());
    assertEquals(faces.family(identity), q.family());
  }

  @Test
  void aFolderReadsBackItemByItemAndASubsetKeepsOnlyItsRows() throws IOException {
    SyntheticFaces faces = new SyntheticFaces(4, 5, 7, TAIL);
    Path dir = tmp.resolve("faces");
    faces.writeFolder(dir, ImageFormat.PNG);
    LabelledSource source = new Datasets.FolderSource(ImageFolder.scan(dir), SPEC);
    QualityRecords.Quality[] quality = QualityRecords.of(source, dir);
    assertEquals(20, quality.length);
    int low = 0;
    for (int i = 0; i < 20; i++) {
      assertMatches(faces, i / 5, i % 5, quality[i]);
      low += quality[i].low() ? 1 : 0;
    }
    assertEquals(8, low);
    // A relative data directory names the same items.
    Path relative = Path.of("").toAbsolutePath().relativize(dir);
    assertEquals(List.of(quality), List.of(QualityRecords.of(source, relative)));
    LabelledSource subset = new Subset(source, new int[] {17, 3});
    QualityRecords.Quality[] some = QualityRecords.of(subset, dir);
    assertEquals(List.of(quality[17], quality[3]), List.of(some));
    assertNull(QualityRecords.of(source, tmp));
  }

  @Test
  void aPackedSetReadsBackByRecordKey() throws IOException {
    SyntheticFaces faces = new SyntheticFaces(3, 4, 1, TAIL);
    Path dir = tmp.resolve("packed");
    faces.writePacked(dir, ImageFormat.JPEG);
    try (RecordFile file = RecordFile.open(dir)) {
      LabelledSource source = PackedSource.of(file, SPEC);
      QualityRecords.Quality[] quality = QualityRecords.read(dir).of(source);
      for (int i = 0; i < 12; i++) {
        assertMatches(faces, i / 4, i % 4, quality[i]);
      }
    }
  }

  /** The folder's quality file with line {@code line} (1-based) replaced. */
  private DataFormatException malformed(Path dir, List<String> original, int line, String text)
      throws IOException {
    List<String> lines = new ArrayList<>(original);
    lines.set(line - 1, text);
    Files.write(dir.resolve(Degradation.FILE_NAME), lines);
    LabelledSource source = new Datasets.FolderSource(ImageFolder.scan(dir), SPEC);
    return assertThrows(DataFormatException.class, () -> QualityRecords.of(source, dir), text);
  }

  @Test
  void malformedLinesAndAMissingRowAreNamed() throws IOException {
    SyntheticFaces faces =
        new SyntheticFaces(2, 2, 3, new FaceVariation(24, 0, 0, 0, 0, 0, 0, 1, 1, 0.5));
    Path dir = tmp.resolve("faces");
    faces.writeFolder(dir, ImageFormat.JPEG);
    Path file = dir.resolve(Degradation.FILE_NAME);
    List<String> lines = Files.readAllLines(file);
    assertEquals(5, lines.size());
    String clean = "id0,0,0,id0/0.jpg,0,,0.0,,0.0,0,high";
    String low = "id0,0,0,id0/0.jpg,0,7,0.3,25,4.0,2,low";
    String[][] cases = {
      {
        "1",
        "identity,label,image,item,family,side,blur,noise,level,quality",
        "header has no column 'jpeg_quality'"
      },
      {"2", "id0,0,0,id0/0.jpg,0,,0.0,,0.0,0", "10 fields, expected 11"},
      {"2", clean.replace(",0,high", ",4,high"), "column level: 4 is outside [0, 3]"},
      {"2", clean.replace(",0,high", ",x,high"), "column level: expected an integer, got 'x'"},
      {"2", clean.replace(",high", ",medium"), "column quality: expected high or low"},
      {"2", clean.replace(",0,high", ",1,high"), "column quality: 'high' disagrees with level 1"},
      {"2", low.replace(",7,", ",,"), "column side: expected an integer, got ''"},
      {"2", low.replace(",25,", ",101,"), "column jpeg_quality: 101 is outside [1, 100]"},
      {"2", low.replace(",0.3,", ",NaN,"), "column blur: expected a finite number >= 0"},
      {"2", low.replace(",4.0,", ",-1,"), "column noise: expected a finite number >= 0"},
      {"2", clean.replace("id0/0.jpg,0,", "id0/0.jpg,-1,"), "column family: -1 is outside"},
      {
        "2",
        clean.replace("id0,0,0", "id1,0,0"),
        "column identity: 'id1' but the data set's item id0/0.jpg is of class 'id0'"
      },
      {"3", clean, "column item: a second row for item id0/0.jpg"},
      {"2", "\"id0,0,0,id0/0.jpg,0,,0.0,,0.0,0,high", "field 1 has no closing quote"},
    };
    for (String[] c : cases) {
      int line = Integer.parseInt(c[0]);
      DataFormatException e = malformed(dir, lines, line, c[1]);
      assertTrue(e.getMessage().startsWith(file + ":" + line + ": "), e.getMessage());
      assertTrue(e.getMessage().contains(c[2]), e.getMessage());
    }
    // Quoted fields parse as CsvWriter writes them.
    Files.write(
        file,
        List.of(
            lines.get(0),
            "\"id0\",0,0,\"id0/0.jpg\",0,,0.0,,0.0,0,high",
            lines.get(2),
            lines.get(3),
            lines.get(4)));
    LabelledSource source = new Datasets.FolderSource(ImageFolder.scan(dir), SPEC);
    assertEquals(4, QualityRecords.of(source, dir).length);
    // A missing row names the item.
    Files.write(file, List.of(lines.get(0), lines.get(1), lines.get(2), lines.get(4)));
    DataFormatException e =
        assertThrows(DataFormatException.class, () -> QualityRecords.of(source, dir));
    assertTrue(e.getMessage().startsWith(file + ": "), e.getMessage());
    assertTrue(
        e.getMessage().contains("no row for item " + dir.resolve("id1/0.jpg")), e.getMessage());
    // A line longer than the bound is refused before it is held.
    Files.writeString(
        file, lines.get(0) + "\n" + "x".repeat(QualityRecords.MAX_LINE_BYTES + 1) + "\n");
    e = assertThrows(DataFormatException.class, () -> QualityRecords.of(source, dir));
    assertTrue(e.getMessage().startsWith(file + ":2: line longer than"), e.getMessage());
  }
}
