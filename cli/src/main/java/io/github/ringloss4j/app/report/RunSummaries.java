package io.github.ringloss4j.app.report;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.github.ringloss4j.app.io.AtomicFiles;
import io.github.ringloss4j.app.train.TrainOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A run's summary, {@code summary.json} in its directory: its options, how it was evaluated and its
 * figures. A few kilobytes, so that the summaries of runs made over several sittings can be kept
 * (committed) without their checkpoints, and a later comparison reuses them without training or
 * loading anything.
 *
 * <p>The format is the one the committed summaries have, not {@link
 * io.github.ringloss4j.app.io.JsonFiles}': the figures under their record names ({@code
 * foldAccuracy}), NaN written as {@code NaN}, the options as {@link TrainOptions#toJson} writes
 * them. A summary that is unreadable, too large, or made for other options or another evaluation is
 * not used: the run is then evaluated (or trained) again and its summary replaced.
 */
public final class RunSummaries {

  private RunSummaries() {}

  /** The summary's file name in a run directory. */
  public static final String FILE_NAME = "summary.json";

  /** The largest summary read, in bytes: a real one has a few thousand. */
  static final long MAX_BYTES = 1 << 20;

  private static final Gson GSON =
      new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues().create();

  /**
   * Writes a run's summary, atomically.
   *
   * @param dir the run directory
   * @param options the run's options
   * @param evaluation how it was evaluated (pairs, resolutions), compared on reuse
   * @param result its figures, or null for a run kept for its per-epoch metrics alone
   * @throws IOException if writing fails
   */
  public static void write(Path dir, TrainOptions options, String evaluation, RunResult result)
      throws IOException {
    JsonObject o = new JsonObject();
    o.addProperty("evaluation", evaluation);
    o.add("options", JsonParser.parseString(options.toJson()));
    o.add("cell", GSON.toJsonTree(result));
    Files.createDirectories(dir);
    AtomicFiles.writeString(dir.resolve(FILE_NAME), GSON.toJson(o) + "\n");
  }

  /**
   * A run's figures, when it has a summary for these options and this evaluation.
   *
   * @param dir the run directory
   * @param options the run's options
   * @param evaluation how it is to be evaluated
   * @return its figures, or null when there is no such summary
   */
  public static RunResult read(Path dir, TrainOptions options, String evaluation) {
    return read(dir, options, evaluation, MAX_BYTES);
  }

  /** {@link #read(Path, TrainOptions, String)} with a bound on the file's size. */
  static RunResult read(Path dir, TrainOptions options, String evaluation, long maxBytes) {
    JsonObject o = matching(dir, options, evaluation, maxBytes);
    try {
      return o == null ? null : GSON.fromJson(o.get("cell"), RunResult.class);
    } catch (RuntimeException e) {
      return null;
    }
  }

  /**
   * Whether a run directory has a summary for these options and this evaluation, with or without
   * figures (a run kept for its metrics alone, such as the schedule check, has none).
   *
   * @param dir the run directory
   * @param options the run's options
   * @param evaluation what the summary was written for
   * @return true if it has one
   */
  public static boolean exists(Path dir, TrainOptions options, String evaluation) {
    return matching(dir, options, evaluation, MAX_BYTES) != null;
  }

  private static JsonObject matching(
      Path dir, TrainOptions options, String evaluation, long maxBytes) {
    Path file = dir.resolve(FILE_NAME);
    try {
      // Sized before it is read: a summary is untrusted, and only a few kilobytes when real.
      if (!Files.isRegularFile(file) || Files.size(file) > maxBytes) {
        return null;
      }
      JsonObject o = JsonParser.parseString(Files.readString(file)).getAsJsonObject();
      if (!evaluation.equals(o.get("evaluation").getAsString())
          || !options.equals(TrainOptions.fromJson(o.get("options").toString()))) {
        return null;
      }
      return o;
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }
}
