package io.github.ringloss4j.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.ringloss4j.app.cli.RingLossCli;
import io.github.ringloss4j.app.data.DataOptions;
import io.github.ringloss4j.app.train.TrainOptions;
import io.github.ringloss4j.architecture.ClassFileDependencies;
import io.github.ringloss4j.architecture.Layering;
import io.github.ringloss4j.internal.CheckedUnpickler;
import io.github.ringloss4j.internal.ImagePixels;
import io.github.ringloss4j.internal.PicklePolicy;
import io.github.ringloss4j.penalty.Penalties;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The application's packages form one-way layers: {@code cli} (commands) → {@code report} → {@code
 * eval} → {@code train} → {@code model} → {@code data} → {@code io}, each using only those after
 * it. Checked on the compiled classes, so every use counts, written as an import or a qualified
 * name.
 */
class ArchitectureTest {

  static final List<String> LAYERS =
      List.of("cli", "report", "eval", "train", "model", "data", "recordio", "io");

  static final Layering RULE = new Layering("io.github.ringloss4j.app", LAYERS);

  @Test
  void everyPackageUsesOnlyTheLayersBelowIt() throws Exception {
    Path classes =
        Path.of(RingLossCli.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    Map<String, Set<String>> dependencies = ClassFileDependencies.of(classes);
    assertTrue(dependencies.size() > 50, "read the application's classes in " + classes);
    List<String> violations = RULE.violations(dependencies);
    assertEquals(List.of(), violations, String.join("\n", violations));
  }

  /**
   * The tests run on the module path (Surefire's default for a module with a descriptor), in the
   * application's module, so core's module descriptor is enforced: core's {@code internal} package
   * is readable here only through its qualified export to this module.
   */
  @Test
  void theTestsRunInTheApplicationsModuleWhichReadsCoreAsAModule() {
    Module app = ArchitectureTest.class.getModule();
    Module core = Penalties.class.getModule();
    assertEquals("io.github.ringloss4j.app", app.getName());
    assertEquals("io.github.ringloss4j.core", core.getName());
    assertTrue(app.canRead(core));
    assertTrue(core.isExported("io.github.ringloss4j.internal", app));
    assertFalse(core.isExported("io.github.ringloss4j.internal"));
  }

  /**
   * Of core's internals the application uses only the image steps it shares with serving and the
   * checked unpickler it shares with the .pth reader (its policy for .bin files).
   */
  @Test
  void theApplicationUsesOfCoresInternalsOnlyTheImageStepsAndTheCheckedUnpickler()
      throws Exception {
    Path classes =
        Path.of(RingLossCli.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    Set<String> internals = new TreeSet<>();
    ClassFileDependencies.of(classes).values().stream()
        .flatMap(Set::stream)
        .filter(name -> name.startsWith("io.github.ringloss4j.internal."))
        .map(name -> name.replaceAll("\\$.*", ""))
        .forEach(internals::add);
    assertEquals(
        new TreeSet<>(
            Set.of(
                ImagePixels.class.getName(),
                CheckedUnpickler.class.getName(),
                PicklePolicy.class.getName())),
        internals);
  }

  @Test
  void theRuleFindsUsesOfUpperLayersAndCycles() {
    Map<String, Set<String>> classes =
        Map.of(
            "io.github.ringloss4j.app.data.Datasets",
                Set.of("io.github.ringloss4j.app.train.TrainOptions"),
            "io.github.ringloss4j.app.train.TrainOptions",
                Set.of(
                    "io.github.ringloss4j.app.data.Datasets",
                    "io.github.ringloss4j.nn.RingOutputs"),
            "io.github.ringloss4j.app.eval.Comparison",
                Set.of("io.github.ringloss4j.app.report.Plots"),
            "io.github.ringloss4j.app.report.Plots",
                Set.of(
                    "io.github.ringloss4j.app.eval.Comparison",
                    "io.github.ringloss4j.app.io.CsvWriter"),
            "io.github.ringloss4j.app.io.CsvWriter", Set.of("java.lang.String"),
            "io.github.ringloss4j.app.util.Strings",
                Set.of("io.github.ringloss4j.app.io.CsvWriter"));
    List<String> violations = RULE.violations(classes);
    assertEquals(
        List.of(
            "package util is in no layer of [cli, report, eval, train, model, data, recordio, io]",
            "data uses train, a layer above it: [data.Datasets → train.TrainOptions]",
            "data and train use each other",
            "eval uses report, a layer above it: [eval.Comparison → report.Plots]",
            "eval and report use each other"),
        violations);
  }

  @Test
  void theRulePassesLayersThatOnlyUseThoseBelow() {
    Map<String, Set<String>> classes =
        Map.of(
            "io.github.ringloss4j.app.cli.TrainCommand",
            Set.of(
                "io.github.ringloss4j.app.train.TrainOptions",
                "io.github.ringloss4j.app.io.CsvWriter"),
            "io.github.ringloss4j.app.train.TrainOptions",
            Set.of(
                "io.github.ringloss4j.app.data.DataOptions", "io.github.ringloss4j.nn.RingOutputs"),
            "io.github.ringloss4j.app.data.DataOptions",
            Set.of("io.github.ringloss4j.app.io.OptionChecks"),
            "io.github.ringloss4j.app.io.OptionChecks",
            Set.of());
    assertEquals(List.of(), RULE.violations(classes));
  }

  /** Uses three application classes in three ways the class file records differently. */
  @SuppressWarnings("unused")
  static final class Fixture {
    private List<DataOptions> typeArgument;

    TrainOptions returnType() {
      return null;
    }

    int call() {
      return RingLossCli.EXIT_DIVERGED + RingLossCli.execute("--version");
    }
  }

  @Test
  void theClassFileReaderSeesTypesSignaturesAndCalls() throws Exception {
    Set<String> used = ClassFileDependencies.referencedClasses(Fixture.class);
    assertTrue(used.contains(DataOptions.class.getName()), "a type argument: " + used);
    assertTrue(used.contains(TrainOptions.class.getName()), "a return type: " + used);
    assertTrue(used.contains(RingLossCli.class.getName()), "a static call: " + used);
    assertTrue(used.contains("java.util.List"), used.toString());
  }
}
