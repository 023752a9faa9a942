package io.github.ringloss4j.app.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class IdentitySplitTest {

  private static List<String> names(int n) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add("id" + i);
    }
    return out;
  }

  @Test
  void aCountOrAFractionOfTheClassesSeeded() {
    IdentitySplit a = IdentitySplit.draw(names(50), "10", 7);
    assertEquals(10, a.testLabels().length);
    assertEquals(10, IdentitySplit.draw(names(50), "0.2", 7).testLabels().length);
    assertArrayEquals(a.testLabels(), IdentitySplit.draw(names(50), "0.2", 7).testLabels());
    for (int i = 0; i < 10; i++) {
      assertEquals("id" + a.testLabels()[i], a.testNames().get(i));
      assertTrue(i == 0 || a.testLabels()[i] > a.testLabels()[i - 1]);
    }
    assertTrue(
        !java.util.Arrays.equals(
            a.testLabels(), IdentitySplit.draw(names(50), "10", 8).testLabels()));
  }

  @Test
  void badSpecsNameTheOption() {
    for (String spec : new String[] {"x", "1.5", "0", "-3", "49", "1"}) {
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class, () -> IdentitySplit.draw(names(50), spec, 7), spec);
      assertTrue(e.getMessage().startsWith("--test-identities"), e.getMessage());
    }
  }
}
