package io.github.ringloss4j.app.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * Removes the directories a failed run made for its outputs, and nothing else: a run that fails
 * before its first checkpoint (a full disk, a refused option found late) must not leave an empty
 * run directory behind, but what existed before it, and any file, stays.
 */
final class CreatedDirectories {

  private CreatedDirectories() {}

  /**
   * The directory itself if it exists, else its nearest existing ancestor: what a failure must not
   * remove.
   *
   * @param dir the output directory
   * @return an existing path (absolute, normalised)
   */
  static Path nearestExisting(Path dir) {
    Path existing = dir.toAbsolutePath().normalize();
    while (existing.getParent() != null && !Files.exists(existing)) {
      existing = existing.getParent();
    }
    return existing;
  }

  /**
   * Removes {@code dir} and its ancestors below {@code existing} while they are empty directories:
   * those the run made. A directory holding anything (another process's file) is kept.
   *
   * @param dir the output directory
   * @param existing what {@link #nearestExisting} returned before the run
   */
  static void removeEmpty(Path dir, Path existing) {
    Path p = dir.toAbsolutePath().normalize();
    while (p != null && !p.equals(existing) && p.startsWith(existing)) {
      if (!Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
        return;
      }
      try {
        // Fails on a directory that is not empty: then it and its ancestors stay.
        Files.delete(p);
      } catch (IOException | SecurityException e) {
        return;
      }
      p = p.getParent();
    }
  }
}
