package io.github.ringloss4j.app.train;

import java.io.PrintStream;
import java.util.Locale;

/**
 * Training progress on standard error: a bar redrawn in place on a terminal, plain lines every few
 * seconds when the output is a file or a pipe (with images/s and ETA), or nothing.
 */
public final class Progress {

  /** How progress is shown. */
  public enum Mode {
    /** A bar on a terminal, periodic lines otherwise. */
    AUTO,
    /** Periodic lines. */
    LINES,
    /** Nothing. */
    OFF;

    /** The name on the command line: {@code auto}, {@code lines}, {@code off}. */
    @Override
    public String toString() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  private static final long LINE_INTERVAL_NANOS = 10_000_000_000L;

  private final PrintStream out;
  private final boolean bar;
  private final boolean off;
  private long lastLine;
  private String status = "";
  private boolean midBar;

  /**
   * Creates the progress display.
   *
   * @param mode the mode
   * @param out where to write, usually {@code System.err}
   * @param terminal whether {@code out} is a terminal
   */
  public Progress(Mode mode, PrintStream out, boolean terminal) {
    this.out = out;
    this.off = mode == Mode.OFF;
    this.bar = mode == Mode.AUTO && terminal;
  }

  /**
   * Shows a status after the progress from now on, such as the latest validation accuracies. On a
   * terminal the bar's line is ended first, so that a log line written next starts on its own.
   *
   * @param text the status, or empty for none
   */
  public void status(String text) {
    status = text.isEmpty() ? "" : " | " + text;
    if (midBar) {
      out.println();
      out.flush();
      midBar = false;
    }
  }

  /**
   * Reports a finished batch.
   *
   * @param epoch the 1-based epoch
   * @param epochs the number of epochs
   * @param done items done this epoch
   * @param total items per epoch
   * @param imagesPerSecond throughput so far this epoch
   */
  public void batch(int epoch, int epochs, long done, long total, double imagesPerSecond) {
    if (off) {
      return;
    }
    double eta = imagesPerSecond > 0 ? (total - done) / imagesPerSecond : Double.NaN;
    if (bar) {
      int width = 30;
      int filled = (int) Math.min(width, width * done / Math.max(1, total));
      out.printf(
          Locale.ROOT,
          "\repoch %d/%d [%s%s] %d/%d %.0f img/s ETA %s%s ",
          epoch,
          epochs,
          "=".repeat(filled),
          " ".repeat(width - filled),
          done,
          total,
          imagesPerSecond,
          duration(eta),
          status);
      midBar = done < total;
      if (done >= total) {
        out.println();
      }
      out.flush();
      return;
    }
    long now = System.nanoTime();
    if (done >= total || now - lastLine >= LINE_INTERVAL_NANOS) {
      lastLine = now;
      out.printf(
          Locale.ROOT,
          "epoch %d/%d: %d/%d images, %.0f img/s, ETA %s%s%n",
          epoch,
          epochs,
          done,
          total,
          imagesPerSecond,
          duration(eta),
          status);
      out.flush();
    }
  }

  static String duration(double seconds) {
    if (!Double.isFinite(seconds)) {
      return "?";
    }
    long s = Math.round(seconds);
    return s >= 60 ? String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60) : s + "s";
  }
}
