package io.github.ringloss4j.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's Java examples compile as written, imports included, against the library and DJL
 * alone (the test class path), with every lint but {@code try} as an error ({@code try} would flag
 * the README's idiom of a resource opened only to open the next one). Every {@code ```java} block
 * of the README follows one of two markers:
 *
 * <ul>
 *   <li>{@code <!-- compiled and run by ReadmeQuickstartTest; it prints "TEXT" -->}: a complete
 *       public class, whose {@code main} is run here with one argument, a new directory it may use,
 *       and must print TEXT;
 *   <li>{@code <!-- compiled by ReadmeQuickstartTest -->}: lines to paste, its imports and then
 *       statements, compiled here as the body of a method that may throw; it is not run (it reads
 *       files a user has).
 * </ul>
 */
class ReadmeQuickstartTest {

  private static final Pattern JAVA_BLOCK = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL);
  private static final Pattern RUN =
      Pattern.compile(
          "<!-- compiled and run by ReadmeQuickstartTest; it prints \"([^\"]+)\" -->\\s*$");
  private static final Pattern COMPILE =
      Pattern.compile("<!-- compiled by ReadmeQuickstartTest -->\\s*$");
  private static final Pattern CLASS_NAME = Pattern.compile("public class (\\w+)");

  /** A README example: its source, whether it is run, what it must print, where it starts. */
  record Example(String source, boolean run, String prints, int line) {}

  static List<Example> examples() throws Exception {
    // Surefire runs in the module's directory; the README is the reactor's.
    String readme = Files.readString(Path.of("..", "README.md"), StandardCharsets.UTF_8);
    Matcher m = JAVA_BLOCK.matcher(readme);
    List<Example> examples = new ArrayList<>();
    while (m.find()) {
      String before = readme.substring(0, m.start());
      int line = before.split("\n", -1).length;
      String marker = before.substring(before.stripTrailing().lastIndexOf('\n') + 1);
      Matcher run = RUN.matcher(marker);
      if (run.find()) {
        examples.add(new Example(m.group(1), true, run.group(1), line));
      } else {
        assertTrue(
            COMPILE.matcher(marker).find(),
            "README.md:" + line + ": a ```java block without a ReadmeQuickstartTest marker");
        examples.add(new Example(m.group(1), false, null, line));
      }
    }
    return examples;
  }

  /** A pasteable fragment as a class: its imports first, its statements in a method. */
  static String asClass(String fragment, String className) {
    StringBuilder imports = new StringBuilder();
    StringBuilder body = new StringBuilder();
    for (String line : fragment.split("\n", -1)) {
      (line.startsWith("import ") ? imports : body).append(line).append('\n');
    }
    return imports
        + "public class "
        + className
        + " {\n  static void run() throws Exception {\n"
        + body
        + "  }\n}\n";
  }

  @Test
  void everyJavaBlockCompilesAsShownAndTheCompleteProgramsRun(@TempDir Path dir) throws Exception {
    List<Example> examples = examples();
    assertTrue(
        examples.stream().filter(Example::run).count() >= 2
            && examples.stream().filter(e -> !e.run()).count() >= 2,
        "the quickstart, the own-network export, serving and the gallery are all checked: "
            + examples);
    List<String> arguments =
        new ArrayList<>(
            List.of(
                "-Xlint:all,-try",
                "-Werror",
                "-cp",
                System.getProperty("java.class.path"),
                "-d",
                dir.toString()));
    List<String> names = new ArrayList<>();
    for (Example example : examples) {
      String name;
      String source;
      if (example.run()) {
        Matcher m = CLASS_NAME.matcher(example.source());
        assertTrue(m.find(), "README.md:" + example.line() + ": not a public class");
        name = m.group(1);
        source = example.source();
      } else {
        // Named by its line, which the compiler's messages then point to.
        name = "ReadmeLine" + example.line();
        source = asClass(example.source(), name);
      }
      names.add(name);
      arguments.add(Files.writeString(dir.resolve(name + ".java"), source).toString());
    }
    // One compilation for all: each run of the compiler costs seconds on this class path.
    ByteArrayOutputStream errors = new ByteArrayOutputStream();
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    int rc = javac.run(null, null, errors, arguments.toArray(String[]::new));
    assertEquals(0, rc, "the README's examples do not compile as shown:\n" + errors);
    for (int i = 0; i < examples.size(); i++) {
      Example example = examples.get(i);
      if (example.run()) {
        String name = names.get(i);
        String out = runMain(dir, name, dir.resolve("work-" + name));
        assertTrue(
            out.contains(example.prints()),
            name + " prints \"" + example.prints() + "\", as the README says:\n" + out);
      }
    }
  }

  private String runMain(Path classes, String name, Path work) throws Exception {
    PrintStream stdout = System.out;
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    try (URLClassLoader loader =
        new URLClassLoader(new URL[] {classes.toUri().toURL()}, getClass().getClassLoader())) {
      Method main = loader.loadClass(name).getMethod("main", String[].class);
      System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
      main.invoke(null, (Object) new String[] {work.toString()});
    } finally {
      System.setOut(stdout);
    }
    String out = printed.toString(StandardCharsets.UTF_8);
    stdout.print(out);
    return out;
  }
}
