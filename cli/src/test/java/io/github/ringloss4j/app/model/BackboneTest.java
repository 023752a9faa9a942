package io.github.ringloss4j.app.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.ringloss4j.backbone.Backbones;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class BackboneTest {

  @Test
  void theEnumNamesEveryBackboneOfTheCoreLibrary() {
    List<String> names = Arrays.stream(Backbone.values()).map(Backbone::toString).toList();
    assertEquals(Backbones.NAMES, names, "add a Backbone constant for every Backbones name");
  }

  @Test
  void faceNetworksRefuseOtherInputsNamingTheOptionsThatSetIt() {
    Backbone.IRESNET50.checkInput(new int[] {3, 112, 112});
    Backbone.RESNET.checkInput(new int[] {1, 28, 28});
    for (Backbone face : List.of(Backbone.IRESNET18, Backbone.MOBILEFACENET)) {
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class, () -> face.checkInput(new int[] {1, 28, 28}));
      for (String named :
          List.of(
              "--model " + face, "1×28×28", "3×112×112", "--image-size", "--channels", "--data")) {
        assertTrue(e.getMessage().contains(named), named + " in " + e.getMessage());
      }
    }
    IllegalArgumentException small =
        assertThrows(
            IllegalArgumentException.class, () -> Backbone.CNN.checkInput(new int[] {1, 2, 2}));
    assertTrue(small.getMessage().startsWith("--model cnn: "), small.getMessage());
  }
}
