package io.github.ringloss4j.app.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class MethodTest {

  private static void method(String spec, String head, double lambda, double centerLambda) {
    Method m = Method.parse(spec);
    assertEquals(spec.trim(), m.name());
    assertEquals(head, m.head().text(), spec);
    assertEquals(lambda, m.lambda(), spec);
    assertEquals(centerLambda, m.centerLambda(), spec);
  }

  @Test
  void parsesEverySyntax() {
    method("softmax", "softmax", 0, 0);
    method("ring@0.01", "softmax", 0.01, 0);
    method("arcface", "arcface", 0, 0);
    method("cosface(s=64)", "cosface(s=64)", 0, 0);
    method("sphereface+ring@0.1", "sphereface", 0.1, 0);
    method("center", "softmax", 0, 0.01);
    method("center@0.5", "softmax", 0, 0.5);
    method(" Ring@0.001 ", "softmax", 0.001, 0);
  }

  @Test
  void theDefaultGridParses() {
    for (String spec : Method.DEFAULT_GRID) {
      assertEquals(spec, Method.parse(spec).name());
    }
  }

  @Test
  void rejectsWhatIsNotAMethodNamingTheOptionAndTheSyntax() {
    for (String bad :
        new String[] {
          "tripletface", "ring@", "ring@x", "ring@0", "ring@-1", "center@0", "arcface+ring@0"
        }) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> Method.parse(bad), bad);
      assertTrue(e.getMessage().startsWith("--methods: '" + bad + "' is not a method"), bad);
      assertTrue(e.getMessage().contains("ring@LAMBDA"), e.getMessage());
    }
    IllegalArgumentException head =
        assertThrows(IllegalArgumentException.class, () -> Method.parse("arcface(q=1)"));
    assertTrue(head.getMessage().contains("has no option 'q'"), head.getMessage());
  }
}
