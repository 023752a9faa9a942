package io.github.ringloss4j.architecture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.ringloss4j.internal.Norms;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The core library's packages form one-way layers, top first: {@code serving} (export and load) →
 * {@code interop} (PyTorch interchange) → {@code training} (listeners) → {@code optim} → {@code
 * metrics} → {@code loss} → {@code head} → {@code backbone} → {@code nn} (the ring block) → {@code
 * penalty} → {@code internal}, each using only those after it, so there is no cycle and {@code
 * internal} uses no other package of the library. Checked on the compiled classes, as the
 * application's {@code ArchitectureTest} checks the application's.
 */
class CoreArchitectureTest {

  static final List<String> LAYERS =
      List.of(
          "serving",
          "interop",
          "training",
          "optim",
          "metrics",
          "loss",
          "head",
          "backbone",
          "nn",
          "penalty",
          "internal");

  static final Layering RULE = new Layering("io.github.ringloss4j", LAYERS);

  static Path classes() throws Exception {
    return Path.of(Norms.class.getProtectionDomain().getCodeSource().getLocation().toURI());
  }

  @Test
  void everyPackageUsesOnlyTheLayersBelowIt() throws Exception {
    Map<String, Set<String>> dependencies = ClassFileDependencies.of(classes());
    assertTrue(dependencies.size() > 50, "read the library's classes in " + classes());
    List<String> violations = RULE.violations(dependencies);
    assertEquals(List.of(), violations, String.join("\n", violations));
  }

  /**
   * The benchmarks are compiled on the class path (JMH), where nothing enforces the module's
   * exports, so this reads their sources: none names core's internal package. (The application, a
   * module, is held to the descriptor by the compiler and by its own {@code ArchitectureTest}.)
   */
  @Test
  void theBenchmarksUseOnlyWhatCoreExports() throws Exception {
    Path bench = Path.of("..", "bench", "src", "main", "java");
    assumeTrue(Files.isDirectory(bench), "no bench sources next to core's in " + bench);
    List<String> offenders;
    try (Stream<Path> files = Files.walk(bench)) {
      offenders =
          files
              .filter(f -> f.toString().endsWith(".java"))
              .filter(f -> read(f).contains("io.github.ringloss4j.internal"))
              .map(Path::toString)
              .toList();
    }
    assertEquals(List.of(), offenders, "bench sources that name core's internal package");
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The module exports every layer but {@code internal}, which it exports to the application alone,
   * and does not pass {@code java.desktop} on to its users (javac's {@code -Xlint:exports}, an
   * error under {@code -Werror}, would reject an exported signature naming a {@code java.awt} type
   * then).
   */
  @Test
  void theModuleExportsEveryLayerButInternalWhichOnlyTheApplicationReads() throws Exception {
    ModuleDescriptor core = ModuleFinder.of(classes()).findAll().iterator().next().descriptor();
    assertEquals("io.github.ringloss4j.core", core.name());
    Set<String> everywhere = new TreeSet<>();
    for (ModuleDescriptor.Exports e : core.exports()) {
      if (e.isQualified()) {
        assertEquals("io.github.ringloss4j.internal", e.source(), "qualified export");
        assertEquals(Set.of("io.github.ringloss4j.app"), e.targets());
      } else {
        everywhere.add(e.source().substring("io.github.ringloss4j.".length()));
      }
    }
    Set<String> expected = new TreeSet<>(LAYERS);
    expected.remove("internal");
    assertEquals(expected, everywhere);
    assertFalse(
        core.requires().stream()
            .anyMatch(
                r ->
                    r.name().equals("java.desktop")
                        && r.modifiers().contains(ModuleDescriptor.Requires.Modifier.TRANSITIVE)),
        "java.desktop is not transitive: " + core.requires());
    assertTrue(
        core.packages()
            .containsAll(
                LAYERS.stream().map(p -> "io.github.ringloss4j." + p).collect(Collectors.toSet())),
        core.packages().toString());
  }
}
