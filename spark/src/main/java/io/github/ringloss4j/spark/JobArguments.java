package io.github.ringloss4j.spark;

import ai.djl.engine.EngineException;
import io.github.ringloss4j.app.io.DataFormatException;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The command lines of the jobs: {@code --name value} pairs and flags, and the application's exit
 * codes for their failures (2 a bad option, 3 a missing or malformed input, 5 an I/O failure, 1 a
 * bug).
 */
final class JobArguments {

  private final Map<String, String> values = new HashMap<>();
  private final Set<String> flags;

  private JobArguments(Set<String> flags) {
    this.flags = flags;
  }

  /**
   * Parses {@code args}.
   *
   * @param args the command line
   * @param options the names that take a value
   * @param flags the names that take none
   * @return the parsed line
   * @throws IllegalArgumentException naming an unknown, repeated or valueless option
   */
  static JobArguments parse(String[] args, Set<String> options, Set<String> flags) {
    JobArguments parsed = new JobArguments(new java.util.HashSet<>());
    for (int i = 0; i < args.length; i++) {
      String name = args[i];
      if (flags.contains(name)) {
        parsed.flags.add(name);
      } else if (options.contains(name)) {
        if (i + 1 >= args.length) {
          throw new IllegalArgumentException(name + " needs a value");
        }
        if (parsed.values.put(name, args[++i]) != null) {
          throw new IllegalArgumentException(name + " is given twice");
        }
      } else {
        throw new IllegalArgumentException("unknown option '" + name + "'");
      }
    }
    return parsed;
  }

  String required(String name) {
    String value = values.get(name);
    if (value == null) {
      throw new IllegalArgumentException(name + " is required");
    }
    return value;
  }

  String get(String name, String otherwise) {
    return values.getOrDefault(name, otherwise);
  }

  int positive(String name, int otherwise) {
    String value = values.get(name);
    if (value == null) {
      return otherwise;
    }
    try {
      int n = Integer.parseInt(value);
      if (n >= 1) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException(name + " must be an integer >= 1, got '" + value + "'");
  }

  boolean has(String flag) {
    return flags.contains(flag);
  }

  /**
   * The exit code of a job's failure, as the application's; a task's failure, which Spark wraps in
   * its own exception, by the first cause that the application knows.
   *
   * @param failure what the job threw
   * @return 2, 3, 5 or 1
   */
  static int exitCode(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      int code = ownCode(t);
      if (code != 1) {
        return code;
      }
    }
    return 1;
  }

  private static int ownCode(Throwable failure) {
    if (failure instanceof IllegalArgumentException) {
      return 2;
    }
    if (failure instanceof DataFormatException || failure instanceof NoSuchFileException) {
      return 3;
    }
    if (failure instanceof IOException || failure instanceof EngineException) {
      return 5;
    }
    return 1;
  }

  /**
   * Prints a failure as the application does (the message of the cause that sets the exit code; a
   * stack trace only for a bug) and returns its exit code.
   *
   * @param job the job's name
   * @param failure what it threw
   * @return its exit code
   */
  static int report(String job, Throwable failure) {
    int code = exitCode(failure);
    Throwable known = failure;
    while (code != 1 && ownCode(known) != code) {
      known = known.getCause();
    }
    System.err.println(job + ": " + known.getMessage());
    if (code == 1) {
      failure.printStackTrace();
    }
    return code;
  }
}
