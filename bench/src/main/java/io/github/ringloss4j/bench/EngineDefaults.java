package io.github.ringloss4j.bench;

/**
 * The engine settings every benchmark main runs with unless the command line says otherwise:
 * offline (the natives come from the jars), 2 intra-op threads and 1 inter-op thread, as the
 * launcher and the tests run.
 */
final class EngineDefaults {

  private EngineDefaults() {}

  /** Sets each property that was not given with {@code -D}, before the engine starts. */
  static void apply() {
    setIfAbsent("ai.djl.offline", "true");
    setIfAbsent("ai.djl.pytorch.num_threads", "2");
    setIfAbsent("ai.djl.pytorch.num_interop_threads", "1");
  }

  private static void setIfAbsent(String key, String value) {
    if (System.getProperty(key) == null) {
      System.setProperty(key, value);
    }
  }
}
