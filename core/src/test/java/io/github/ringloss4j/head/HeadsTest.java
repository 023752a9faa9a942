package io.github.ringloss4j.head;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import java.util.List;
import org.junit.jupiter.api.Test;

class HeadsTest {

  @Test
  void everyNameBuildsAHeadThatMapsFeaturesToLogits() {
    try (NDManager manager = NDManager.newBaseManager()) {
      NDArray x = manager.randomNormal(new Shape(5, 4));
      NDArray y = manager.create(new float[] {0, 1, 2, 1, 0});
      for (String name : Heads.NAMES) {
        Block head = Heads.create(name, 3);
        head.initialize(manager, DataType.FLOAT32, new Shape(5, 4));
        ParameterStore store = new ParameterStore(manager, false);
        NDList trainOut = head.forward(store, new NDList(x), new NDList(y), null);
        NDArray train = trainOut.head();
        NDArray infer = head.forward(store, new NDList(x), false).singletonOrThrow();
        // What the training accuracy reads is what inference predicts from, bit for bit: the
        // margin heads' plain logits, the others' only logits.
        assertArrayEquals(
            infer.toFloatArray(), HeadAccuracy.plainLogits(trainOut).toFloatArray(), 0, name);
        assertEquals(name.endsWith("face") ? 2 : 1, trainOut.size(), name);
        assertEquals(new Shape(5, 3), train.getShape(), name);
        assertEquals(new Shape(5, 3), infer.getShape(), name);
        assertEquals(new Shape(5, 3), head.getOutputShapes(new Shape[] {new Shape(5, 4)})[0], name);
        assertTrue(train.isInfinite().logicalOr(train.isNaN()).none().getBoolean(), name);
      }
      assertEquals(
          Heads.NAMES.size(),
          Heads.NAMES.stream().map(n -> Heads.create(n, 2).getClass()).distinct().count(),
          "each name is a different head");
    }
  }

  @Test
  void namesAndOptionsAreParsed() {
    assertInstanceOf(Linear.class, Heads.create(" Softmax ", 3));
    CosFaceHead cos = (CosFaceHead) Heads.create("cosface(s=64, m=0.2)", 3);
    assertEquals(64, cos.getScale());
    assertEquals(0.2, cos.getMargin());
    ArcFaceHead arc = (ArcFaceHead) Heads.create("ARCFACE", 3);
    assertEquals(ArcFaceHead.DEFAULT_SCALE, arc.getScale());
    assertEquals(ArcFaceHead.DEFAULT_MARGIN, arc.getMargin());
    NormFaceHead norm = (NormFaceHead) Heads.create("normface(learn=true)", 3);
    assertTrue(norm.isScaleLearned());
    L2SoftmaxHead l2 = (L2SoftmaxHead) Heads.create("l2softmax(alpha=32)", 3);
    assertEquals(32, l2.getScale());
    SphereFaceHead sphere = (SphereFaceHead) Heads.create("sphereface(m=2)", 3);
    assertEquals(2, sphere.getMargin());
    assertEquals(3, sphere.getClasses());
  }

  @Test
  void unknownNamesAndOptionsAreRejectedListingTheValidOnes() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Heads.create("curricularface", 3));
    for (String name : Heads.NAMES) {
      assertTrue(e.getMessage().contains(name), e.getMessage());
    }
    assertTrue(e.getMessage().contains("curricularface"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> Heads.create("cosface(k=1)", 3));
    assertTrue(
        e.getMessage().contains("no option 'k'")
            && e.getMessage().contains("valid: [s, m, learn, sample, seed]"),
        e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> Heads.create("softmax(s=1)", 3));
    assertTrue(e.getMessage().contains("valid: [sample, seed]"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> Heads.create("arcface(m=big)", 3));
    assertTrue(e.getMessage().contains("big"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> Heads.create("normface(learn=yes)", 3));
    assertTrue(e.getMessage().contains("true or false"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> Heads.create("arcface(m=-1)", 3));
    assertTrue(e.getMessage().contains("margin"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Heads.create("cosface(s=1", 3));
    assertThrows(IllegalArgumentException.class, () -> Heads.create("", 3));
    assertThrows(IllegalArgumentException.class, () -> Heads.create("softmax", 0));
  }

  @Test
  void sampleOptionErrorsNameTheProblem() {
    String[][] cases = {
      {"arcface(sample=0)", "sample must be in (0, 1]"},
      {"arcface(sample=1.5)", "sample must be in (0, 1], got 1.5"},
      {"cosface(sample=NaN)", "sample must be in (0, 1]"},
      {"softmax(sample=tenth)", "sample must be a number, got 'tenth'"},
      {"arcface(seed=3)", "seed applies only with sample=r"},
      {"normface(sample=0.1, seed=1.5)", "seed must be an integer, got '1.5'"},
      {
        "sphereface(sample=0.1)",
        "sample=r (Partial FC) wraps [softmax, normface, cosface, arcface]"
      },
      {"l2softmax(sample=0.1)", "has no option 'sample'"},
      {"arcface(sample=0.1, sample=0.2)", "option 'sample' is repeated"},
    };
    for (String[] c : cases) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> Heads.create(c[0], 10), c[0]);
      assertTrue(e.getMessage().contains(c[1]), c[0] + ": " + e.getMessage());
    }
  }

  @Test
  void magFaceAndAdaFaceParseTheirOptionsWithThePapersDefaults() {
    MagFaceHead mag = (MagFaceHead) Heads.create("magface", 3);
    assertEquals(
        List.of(64.0, 10.0, 110.0, 0.45, 0.8, 35.0),
        List.of(
            mag.getScale(),
            mag.getLowerNorm(),
            mag.getUpperNorm(),
            mag.getLowerMargin(),
            mag.getUpperMargin(),
            mag.getLambdaG()));
    mag = (MagFaceHead) Heads.create("MagFace(s=32, la=5, ua=50, lm=0.3, um=0.7, lambda_g=20)", 3);
    assertEquals(
        List.of(32.0, 5.0, 50.0, 0.3, 0.7, 20.0),
        List.of(
            mag.getScale(),
            mag.getLowerNorm(),
            mag.getUpperNorm(),
            mag.getLowerMargin(),
            mag.getUpperMargin(),
            mag.getLambdaG()));
    AdaFaceHead ada = (AdaFaceHead) Heads.create("adaface", 3);
    assertEquals(
        List.of(64.0, 0.4, 0.333, 0.01),
        List.of(ada.getScale(), ada.getMargin(), ada.getH(), ada.getAlpha()));
    ada = (AdaFaceHead) Heads.create("adaface(s=30, m=0.5, h=0.2, alpha=0.1)", 3);
    assertEquals(
        List.of(30.0, 0.5, 0.2, 0.1),
        List.of(ada.getScale(), ada.getMargin(), ada.getH(), ada.getAlpha()));
    assertEquals(3, ada.getClasses());
  }

  @Test
  void magFaceAndAdaFaceBadValuesNameTheOption() {
    String[][] cases = {
      {"magface(s=0)", "s (scale)"},
      {"magface(la=0)", "la (lower norm bound"},
      {"magface(la=20, ua=10)", "ua (upper norm bound"},
      {"magface(ua=Infinity)", "ua (upper norm bound"},
      {"magface(lm=-0.1)", "lm (margin at l_a)"},
      {"magface(lm=0.5, um=0.4)", "um (margin at u_a)"},
      {"magface(lambda_g=-1)", "lambda_g"},
      {"magface(lambda_g=big)", "lambda_g must be a number"},
      {"magface(m=0.5)", "valid: [s, la, ua, lm, um, lambda_g]"},
      {"magface(sample=0.5)", "has no option 'sample'"},
      {"adaface(s=-1)", "s (scale)"},
      {"adaface(m=2)", "m (margin)"},
      {"adaface(h=-0.1)", "h (concentration)"},
      {"adaface(alpha=1.5)", "alpha (momentum"},
      {"adaface(t_alpha=0.1)", "valid: [s, m, h, alpha]"},
    };
    for (String[] c : cases) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> Heads.create(c[0], 10), c[0]);
      assertTrue(e.getMessage().contains(c[1]), c[0] + ": " + e.getMessage());
    }
  }
}
