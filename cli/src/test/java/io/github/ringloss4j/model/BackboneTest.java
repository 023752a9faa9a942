package io.github.ringloss4j.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class BackboneTest {

  @Test
  void theEnumNamesEveryBackboneThereIs() {
    List<String> names = Arrays.stream(Backbone.values()).map(Backbone::toString).toList();
    assertEquals(Backbones.NAMES, names, "add a Backbone constant for every Backbones name");
  }
}
