package io.github.ringloss4j.app.recordio;

import io.github.ringloss4j.app.io.AtomicFiles;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A PNG of sample images of a synthetic set, to check by eye that the families and the quality tail
 * look as intended. Cells are the images scaled up by a whole factor (nearest neighbour) to at
 * least {@value #MIN_CELL} pixels, so a small side shows its pixels; sections are separated by a
 * wider gap. From the top:
 *
 * <ol>
 *   <li>families: for each of the first {@value #FAMILIES} families, two rows, the first and the
 *       second image (clean) of each of its identities (up to {@value #COLUMNS});
 *   <li>with families: the first image of the first identity of each of the first {@value #COLUMNS}
 *       families, unrelated faces to compare with;
 *   <li>with a quality tail: for two identities of different families, images 0 and 1 each at
 *       levels 0, 1, 2, 3;
 *   <li>the first {@value #COLUMNS} images of identity 0 as the set holds them.
 * </ol>
 */
final class ContactSheet {

  /** The file name beside a generated set. */
  static final String FILE_NAME = "contact-sheet.png";

  static final int MIN_CELL = 96;
  static final int COLUMNS = 8;
  static final int FAMILIES = 3;
  private static final int GAP = 4;
  private static final int SECTION_GAP = 16;

  private ContactSheet() {}

  /**
   * Writes the contact sheet of a generator's set.
   *
   * @param faces the generator
   * @param file the PNG to create or replace (atomically)
   * @throws IOException if writing fails
   */
  static void write(SyntheticFaces faces, Path file) throws IOException {
    AtomicFiles.writeBytes(file, ImageEncoding.encode(build(faces), ImageFormat.PNG, 0));
  }

  /**
   * Builds the sheet.
   *
   * @param faces the generator
   * @return the image
   */
  static BufferedImage build(SyntheticFaces faces) {
    FaceVariation v = faces.variation();
    int n = faces.identities();
    int per = faces.perIdentity();
    int k = v.familySize();
    int families = faces.family(n - 1) + 1;
    List<List<BufferedImage>> sections = new ArrayList<>();
    List<Integer> sectionEnds = new ArrayList<>();
    // Without families (k = 1) one block of unrelated identities.
    for (int f = 0; f < (k == 1 ? 1 : Math.min(FAMILIES, families)); f++) {
      int firstMember = f * k;
      int members = Math.min(n - firstMember, k == 1 ? COLUMNS : Math.min(k, COLUMNS));
      for (int image = 0; image < Math.min(2, per); image++) {
        List<BufferedImage> row = new ArrayList<>();
        for (int i = firstMember; i < firstMember + members; i++) {
          row.add(faces.imageAtLevel(i, image, 0));
        }
        sections.add(row);
      }
    }
    sectionEnds.add(sections.size());
    if (k > 1 && families > 1) {
      List<BufferedImage> row = new ArrayList<>();
      for (int f = 0; f < Math.min(families, COLUMNS); f++) {
        row.add(faces.imageAtLevel(f * k, 0, 0));
      }
      sections.add(row);
      sectionEnds.add(sections.size());
    }
    if (v.lowQualityShare() > 0) {
      for (int identity : n > k ? new int[] {0, k} : new int[] {0}) {
        List<BufferedImage> row = new ArrayList<>();
        for (int image = 0; image < Math.min(2, per); image++) {
          for (int level = 0; level <= Degradation.MAX_LEVEL; level++) {
            row.add(faces.imageAtLevel(identity, image, level));
          }
        }
        sections.add(row);
      }
      sectionEnds.add(sections.size());
    }
    List<BufferedImage> asHeld = new ArrayList<>();
    for (int image = 0; image < Math.min(per, COLUMNS); image++) {
      asHeld.add(faces.image(0, image));
    }
    sections.add(asHeld);
    sectionEnds.add(sections.size());
    return draw(sections, sectionEnds, v.side());
  }

  private static BufferedImage draw(
      List<List<BufferedImage>> rows, List<Integer> sectionEnds, int side) {
    int factor = Math.max(1, (MIN_CELL + side - 1) / side);
    int cell = side * factor;
    int columns = rows.stream().mapToInt(List::size).max().orElse(1);
    int width = GAP + columns * (cell + GAP);
    int height = GAP + rows.size() * (cell + GAP) + (sectionEnds.size() - 1) * SECTION_GAP;
    BufferedImage sheet = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = sheet.createGraphics();
    try {
      g.setColor(new Color(48, 48, 48));
      g.fillRect(0, 0, width, height);
      int y = GAP;
      for (int r = 0; r < rows.size(); r++) {
        if (r > 0 && sectionEnds.contains(r)) {
          y += SECTION_GAP;
        }
        int x = GAP;
        for (BufferedImage image : rows.get(r)) {
          g.drawImage(image, x, y, cell, cell, null);
          x += cell + GAP;
        }
        y += cell + GAP;
      }
    } finally {
      g.dispose();
    }
    return sheet;
  }
}
