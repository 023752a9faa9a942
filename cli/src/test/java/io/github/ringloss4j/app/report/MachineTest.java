package io.github.ringloss4j.app.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MachineTest {

  @TempDir Path tmp;

  private static final String OS =
      System.getProperty("os.name") + " " + System.getProperty("os.arch");

  @Test
  void theProcessorIsReadFromCpuinfo() throws Exception {
    Path cpuinfo =
        Files.writeString(
            tmp.resolve("cpuinfo"),
            "processor\t: 0\nvendor_id\t: AuthenticAMD\nmodel name\t: AMD EPYC 7B13\n"
                + "processor\t: 1\nmodel name\t: AMD EPYC 7B13\n");
    assertEquals("AMD EPYC 7B13, " + OS, Machine.system(cpuinfo));
    assertEquals(OS, Machine.system(tmp.resolve("missing")), "not Linux: the system alone");
    Path none = Files.writeString(tmp.resolve("none"), "processor\t: 0\n");
    assertEquals(OS, Machine.system(none));
  }

  @Test
  void theEngineIsAskedNotWrittenDown() {
    Machine.EngineInfo engine = Machine.EngineInfo.running();
    assertEquals(Engine.getDjlVersion(), engine.djl());
    assertEquals(Engine.getInstance().getVersion(), engine.version());
    assertEquals(
        "DJL " + engine.djl() + " with PyTorch " + engine.version() + " (" + engine.device() + ")",
        engine.toString());
    assertTrue(List.of("CPU", "GPU").contains(engine.device()), engine.device());
    String machine = new Machine("AMD EPYC, Linux amd64", 2, 23.6, "17.0.15", engine).toString();
    assertEquals(
        "AMD EPYC, Linux amd64, 2 CPU cores with 24 GiB of memory, Java 17.0.15, " + engine,
        machine);
    assertTrue(Machine.current().toString().contains(engine.toString()));
  }
}
