package io.github.ringloss4j.app.cli;

import java.nio.file.Path;

/** The command line a result came from, for reports. */
final class CommandLines {

  private static String[] current = new String[0];

  private CommandLines() {}

  static void remember(String[] args) {
    current = args.clone();
  }

  /**
   * The remembered command line, or a reconstruction from the command and run when none was
   * remembered (when the application is embedded).
   */
  static String current(String command, Path run) {
    if (current.length == 0) {
      return "ringloss " + command + " " + run;
    }
    return "ringloss " + String.join(" ", current);
  }
}
