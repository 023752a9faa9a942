package io.github.ringloss4j.app.report;

import ai.djl.engine.Engine;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The machine and software a report was made on, asked of the running system and engine rather than
 * written down, so that a report stays right on another machine or after an upgrade.
 *
 * @param system the processor's model name (Linux) and the operating system, e.g. "AMD EPYC, Linux
 *     amd64"
 * @param cores the processors the Java runtime may use
 * @param memoryGib the machine's memory in GiB, NaN when the runtime does not tell
 * @param java the Java version
 * @param engine the deep-learning engine
 */
public record Machine(String system, int cores, double memoryGib, String java, EngineInfo engine) {

  /**
   * The engine: DJL's version (from its jar, {@link Engine#getDjlVersion}), the engine's name and
   * version as the running engine reports them, and its default device, where the comparison's
   * models are loaded and evaluated.
   *
   * @param djl e.g. "0.36.0"
   * @param name e.g. "PyTorch"
   * @param version e.g. "2.7.1"
   * @param device the default device's type, e.g. "CPU"
   */
  public record EngineInfo(String djl, String name, String version, String device) {

    /**
     * Asks the engine, starting it if it has not started.
     *
     * @return the running engine's description
     */
    public static EngineInfo running() {
      Engine engine = Engine.getInstance();
      return new EngineInfo(
          Engine.getDjlVersion(),
          engine.getEngineName(),
          engine.getVersion(),
          engine.defaultDevice().getDeviceType().toUpperCase(Locale.ROOT));
    }

    /**
     * As a report names it.
     *
     * @return e.g. "DJL 0.36.0 with PyTorch 2.7.1 (CPU)"
     */
    @Override
    public String toString() {
      return "DJL " + djl + " with " + name + " " + version + " (" + device + ")";
    }
  }

  /**
   * This machine, with the running engine.
   *
   * @return its description
   */
  public static Machine current() {
    return new Machine(
        system(Path.of("/proc/cpuinfo")),
        Runtime.getRuntime().availableProcessors(),
        totalMemoryGib(),
        System.getProperty("java.version"),
        EngineInfo.running());
  }

  /**
   * As a report names it.
   *
   * @return e.g. "AMD EPYC, Linux amd64, 2 CPU cores with 24 GiB of memory, Java 17.0.15, DJL
   *     0.36.0 with PyTorch 2.7.1 (CPU)"
   */
  @Override
  public String toString() {
    return String.format(
        Locale.ROOT,
        "%s, %d CPU cores with %.0f GiB of memory, Java %s, %s",
        system,
        cores,
        memoryGib,
        java,
        engine);
  }

  /**
   * The processor's model name and the operating system.
   *
   * @param cpuinfo Linux's {@code /proc/cpuinfo}; when it cannot be read (not Linux), the operating
   *     system alone
   * @return e.g. "AMD EPYC, Linux amd64"
   */
  static String system(Path cpuinfo) {
    String os = System.getProperty("os.name") + " " + System.getProperty("os.arch");
    // A line at a time, up to the first processor's model name.
    try (var lines = Files.lines(cpuinfo).limit(MAX_CPUINFO_LINES)) {
      return lines
          .filter(line -> line.startsWith("model name") && line.indexOf(':') >= 0)
          .findFirst()
          .map(line -> line.substring(line.indexOf(':') + 1).strip() + ", " + os)
          .orElse(os);
    } catch (IOException | RuntimeException e) {
      return os;
    }
  }

  /** How many lines of {@code /proc/cpuinfo} are looked at: a processor's block has about 30. */
  private static final int MAX_CPUINFO_LINES = 200;

  private static double totalMemoryGib() {
    OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
    if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
      return sun.getTotalMemorySize() / (double) (1L << 30);
    }
    return Double.NaN;
  }
}
