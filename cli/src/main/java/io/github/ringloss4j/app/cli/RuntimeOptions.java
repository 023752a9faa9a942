package io.github.ringloss4j.app.cli;

import ai.djl.Device;
import io.github.ringloss4j.app.train.Devices;
import io.github.ringloss4j.app.train.Progress;
import picocli.CommandLine.Option;

/** Threads and progress display, shared by the commands that compute. */
public final class RuntimeOptions {

  @Option(
      names = "--threads",
      description =
          "Intra-op threads for the PyTorch engine, 1 to the number of cores. Default: 2, or"
              + " the launcher's setting.")
  Integer threads;

  @Option(
      names = "--progress",
      defaultValue = "auto",
      description =
          "auto (a bar on a terminal, lines otherwise), lines or off. Default: ${DEFAULT-VALUE}.")
  Progress.Mode progress;

  @Option(names = "--no-progress", description = "Same as --progress off.")
  boolean noProgress;

  @Option(
      names = "--devices",
      defaultValue = "auto",
      description =
          "auto (every GPU, else the CPU), cpu, gpu or gpu:0,1: data-parallel training over"
              + " them. Default: ${DEFAULT-VALUE}.")
  String devices;

  /** Applies the thread count before the engine starts. */
  void apply() {
    if (threads != null) {
      int cores = Runtime.getRuntime().availableProcessors();
      // More engine threads than cores only contend (and thousands hang the engine's start).
      if (threads < 1 || threads > cores) {
        throw new IllegalArgumentException(
            "--threads must be between 1 and the " + cores + " cores, got " + threads);
      }
      System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(threads));
    } else if (System.getProperty("ai.djl.pytorch.num_threads") == null) {
      System.setProperty("ai.djl.pytorch.num_threads", "2");
    }
    if (System.getProperty("ai.djl.pytorch.num_interop_threads") == null) {
      System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
    }
    System.setProperty("ai.djl.offline", System.getProperty("ai.djl.offline", "true"));
  }

  /**
   * The devices to train on.
   *
   * @return at least one device
   * @throws IllegalArgumentException naming {@code --devices}
   */
  Device[] devices() {
    return Devices.parse(devices);
  }

  /**
   * The progress display.
   *
   * @return the display on standard error
   */
  Progress progress() {
    return new Progress(
        noProgress ? Progress.Mode.OFF : progress, System.err, System.console() != null);
  }
}
