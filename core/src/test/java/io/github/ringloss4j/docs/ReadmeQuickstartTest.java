package io.github.ringloss4j.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
 * The README's Java examples compile and run as written: every {@code ```java} block that follows
 * the marker {@value #MARKER} is a complete class, compiled here with the JDK's compiler against
 * the library and DJL alone (the test class path), and its {@code main} is run.
 */
class ReadmeQuickstartTest {

  static final String MARKER = "<!-- compiled and run by ReadmeQuickstartTest -->";

  private static final Pattern BLOCK =
      Pattern.compile(Pattern.quote(MARKER) + "\\s*```java\\n(.*?)```", Pattern.DOTALL);
  private static final Pattern CLASS_NAME = Pattern.compile("public class (\\w+)");

  static List<String> examples() throws Exception {
    // Surefire runs in the module's directory; the README is the reactor's.
    Path readme = Path.of("..", "README.md");
    Matcher m = BLOCK.matcher(Files.readString(readme, StandardCharsets.UTF_8));
    List<String> blocks = new ArrayList<>();
    while (m.find()) {
      blocks.add(m.group(1));
    }
    return blocks;
  }

  @Test
  void everyMarkedExampleCompilesAndRuns(@TempDir Path dir) throws Exception {
    List<String> examples = examples();
    assertFalse(examples.isEmpty(), "the README has no example marked " + MARKER);
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    for (String source : examples) {
      Matcher name = CLASS_NAME.matcher(source);
      assertTrue(name.find(), "an example must be a public class:\n" + source);
      Path file = dir.resolve(name.group(1) + ".java");
      Files.writeString(file, source, StandardCharsets.UTF_8);
      ByteArrayOutputStream errors = new ByteArrayOutputStream();
      int rc =
          javac.run(
              null,
              null,
              errors,
              "-Xlint:all",
              "-Werror",
              "-cp",
              System.getProperty("java.class.path"),
              "-d",
              dir.toString(),
              file.toString());
      assertEquals(0, rc, "README example " + name.group(1) + " does not compile:\n" + errors);
      PrintStream stdout = System.out;
      ByteArrayOutputStream printed = new ByteArrayOutputStream();
      try (URLClassLoader loader =
          new URLClassLoader(new URL[] {dir.toUri().toURL()}, getClass().getClassLoader())) {
        Method main = loader.loadClass(name.group(1)).getMethod("main", String[].class);
        System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
        main.invoke(null, (Object) new String[0]);
      } finally {
        System.setOut(stdout);
      }
      String out = printed.toString(StandardCharsets.UTF_8);
      stdout.print(out);
      assertTrue(out.contains("R = "), "the example reports R:\n" + out);
    }
  }
}
