package io.github.ringloss4j.interop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import io.github.ringloss4j.backbone.Backbone;
import io.github.ringloss4j.backbone.IResNet;
import io.github.ringloss4j.backbone.MobileFaceNet;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * InsightFace's names against PyTorch's own: the key lists and the outputs in
 * src/test/resources/interop were written by bench/pytorch/insightface_names.py (whose networks
 * list exactly the keys, shapes and order of InsightFace's iresnet18/34/50/100 and get_mbf, checked
 * once with InsightFace's definitions under torch 1.13).
 */
class InsightFaceWeightsTest {

  /**
   * A float32 tolerance for embeddings of magnitude ≤ 1: measured max abs differences to PyTorch
   * 1.85e-6 for IResNet-18 (max |y| 0.82; its FC sums 25,088 products) and 1.4e-7 for MobileFaceNet
   * (max |y| 0.38), d = 128, hash weights: rounding noise of different summation orders, a few
   * ulps.
   */
  private static final float TOLERANCE = 5e-6f;

  private static NDManager manager;
  private static IResNet iresnet18;
  private static MobileFaceNet mbf;

  @BeforeAll
  static void build() {
    manager = NDManager.newBaseManager();
    iresnet18 = IResNet.builder().setDepth(18).optEmbeddingSize(128).build();
    iresnet18.initialize(manager, DataType.FLOAT32, Backbone.inputShape(1));
    mbf = MobileFaceNet.builder().optEmbeddingSize(128).build();
    mbf.initialize(manager, DataType.FLOAT32, Backbone.inputShape(1));
  }

  @AfterAll
  static void close() {
    manager.close();
  }

  private static List<String> resourceLines(String name) throws IOException {
    try (InputStream in = InsightFaceWeightsTest.class.getResourceAsStream("/interop/" + name)) {
      assertNotNull(in, name);
      List<String> lines = new ArrayList<>();
      new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))
          .lines()
          .filter(l -> !l.startsWith("#"))
          .forEach(lines::add);
      return lines;
    }
  }

  @ParameterizedTest
  @CsvSource({"iresnet18, 187", "iresnet50, 475", "iresnet100, 925", "mbf, 333"})
  void namesAreInsightFacesInOrder(String model, int count) throws IOException {
    Backbone backbone =
        model.equals("mbf")
            ? MobileFaceNet.builder().build()
            : IResNet.builder().setDepth(Integer.parseInt(model.substring(7))).build();
    List<String> ours = new ArrayList<>();
    InsightFaceWeights.names(backbone)
        .forEach(
            (name, shape) ->
                ours.add(
                    name
                        + "\t"
                        + String.join(
                            ",",
                            Arrays.stream(shape.getShape()).mapToObj(Long::toString).toList())));
    assertEquals(resourceLines("insightface-keys-" + model + ".txt"), ours);
    assertEquals(count, ours.size());
  }

  @Test
  void deepNetworksBindEveryParameterInOrder() throws MalformedModelException {
    // An empty dict is refused only after every InsightFace tensor has been paired with a DJL
    // parameter of the same role and shape; a misordered mapping would throw
    // IllegalStateException. Unfilled arrays keep IResNet-100 cheap.
    Initializer unfilled = (m, shape, type) -> m.create(shape, type);
    for (Backbone b :
        List.of(
            IResNet.builder().setDepth(34).build(),
            IResNet.builder().setDepth(100).optEmbeddingSize(64).build(),
            MobileFaceNet.builder().optBlocks(2, 8, 12, 4).optScale(4).build(),
            MobileFaceNet.builder()
                .optBlocks(0, 1, 0, 3)
                .optScale(1)
                .optEmbeddingSize(8)
                .build())) {
      try (NDManager m = NDManager.newBaseManager()) {
        b.setInitializer(unfilled, p -> true);
        b.initialize(m, DataType.FLOAT32, Backbone.inputShape(1));
        MalformedModelException e =
            assertThrows(MalformedModelException.class, () -> InsightFaceWeights.load(b, Map.of()));
        long weights =
            InsightFaceWeights.names(b).keySet().stream()
                .filter(n -> !n.endsWith(".num_batches_tracked"))
                .count();
        assertEquals(b.getParameters().size(), weights);
        assertTrue(e.getMessage().contains(weights + " missing: "), e.getMessage());
      }
    }
  }

  @Test
  void iresnet18EqualsPyTorch() throws Exception {
    assertEqualsPyTorch(iresnet18, "insightface-iresnet18-d128-hash.txt", true);
  }

  @Test
  void mobileFaceNetEqualsPyTorch() throws Exception {
    assertEqualsPyTorch(mbf, "insightface-mbf-d128-hash.txt", false);
  }

  private static void assertEqualsPyTorch(Backbone net, String fixture, boolean iresnet)
      throws Exception {
    Map<String, TorchTensor> dict = HashWeights.stateDict(InsightFaceWeights.names(net), iresnet);
    InsightFaceWeights.load(net, dict);
    assertEquals(dict, InsightFaceWeights.stateDict(net), "stateDict(load(x)) == x");
    assertEquals(
        new ArrayList<>(dict.keySet()),
        new ArrayList<>(InsightFaceWeights.stateDict(net).keySet()));
    float[] y = forward(net);
    List<String> rows = resourceLines(fixture);
    assertEquals(2, rows.size());
    double maxAbs = 0;
    for (int r = 0; r < 2; r++) {
      String[] expected = rows.get(r).trim().split(" ");
      assertEquals(128, expected.length);
      for (int j = 0; j < 128; j++) {
        maxAbs = Math.max(maxAbs, Math.abs(y[r * 128 + j] - Float.parseFloat(expected[j])));
      }
    }
    assertTrue(maxAbs <= TOLERANCE, fixture + ": max abs difference " + maxAbs);
  }

  private static float[] forward(Backbone net) {
    try (NDManager m = manager.newSubManager()) {
      NDArray x = m.create(HashWeights.inputs(), Backbone.inputShape(2));
      return net.forward(new ParameterStore(m, false), new NDList(x), false)
          .singletonOrThrow()
          .toFloatArray();
    }
  }

  private static Map<String, TorchTensor> mbfDict() {
    return new LinkedHashMap<>(HashWeights.stateDict(InsightFaceWeights.names(mbf), false));
  }

  private static String refusal(Backbone net, Map<String, TorchTensor> dict) {
    Map<String, TorchTensor> before = InsightFaceWeights.stateDict(net);
    String message =
        assertThrows(MalformedModelException.class, () -> InsightFaceWeights.load(net, dict))
            .getMessage();
    assertEquals(before, InsightFaceWeights.stateDict(net), "a refused dict sets nothing");
    return message;
  }

  @Test
  void refusesMissingUnexpectedAndMisshapenTensorsListingThemAll() {
    Map<String, TorchTensor> dict = mbfDict();
    dict.remove("conv_sep.layers.1.running_var");
    dict.remove("layers.0.layers.2.weight");
    for (int i = 0; i < 25; i++) {
      dict.put("extra." + i, TorchTensor.ofFloats(new float[] {1}));
    }
    dict.put("features.layers.2.weight", TorchTensor.ofFloats(new float[128 * 256], 128, 256));
    dict.put("layers.1.layers.1.bias", TorchTensor.ofFloats(new float[129], 129));
    String m = refusal(mbf, dict);
    assertTrue(m.contains("2 missing: layers.0.layers.2.weight, conv_sep.layers.1.running_var"), m);
    assertTrue(m.contains("25 unexpected (the first 20): extra.0, extra.1,"), m);
    assertTrue(m.contains("extra.19\n") || m.endsWith("extra.19"), m);
    assertFalse(m.contains("extra.20"), m);
    assertTrue(m.contains("features.layers.2.weight: shape [128, 256], expected [128, 512]"), m);
    assertTrue(m.contains("layers.1.layers.1.bias: shape [129], expected [128]"), m);
  }

  @Test
  void refusesIntegerWeightsAndNonIntegerStepCounters() {
    Map<String, TorchTensor> dict = mbfDict();
    dict.put("layers.0.layers.0.weight", TorchTensor.ofLongs(new long[128 * 27], 128, 3, 3, 3));
    dict.put("layers.0.layers.1.num_batches_tracked", TorchTensor.ofFloats(new float[] {3}));
    dict.put("layers.2.layers.0.layers.1.num_batches_tracked", TorchTensor.ofLongs(new long[1], 1));
    String m = refusal(mbf, dict);
    assertTrue(m.contains("layers.0.layers.0.weight: INT64, expected a floating-point type"), m);
    assertTrue(
        m.contains("layers.0.layers.1.num_batches_tracked: FLOAT32, expected an integer scalar"),
        m);
    assertTrue(
        m.contains("layers.2.layers.0.layers.1.num_batches_tracked: shape [1], expected []"), m);
  }

  @Test
  void refusesAnIResNetWhoseFixedFeatureScaleIsNotOne() {
    Map<String, TorchTensor> dict =
        new LinkedHashMap<>(HashWeights.stateDict(InsightFaceWeights.names(iresnet18), true));
    float[] scale = new float[128];
    Arrays.fill(scale, 1f);
    scale[5] = 0.5f;
    dict.put("features.weight", TorchTensor.ofFloats(scale, 128));
    String m = refusal(iresnet18, dict);
    assertTrue(m.contains("features.weight: element 5 is 0.5; IResNet's final BatchNorm"), m);
  }

  @Test
  void acceptsDdpNamesMissingStepCountersAndOtherFloatTypes() throws Exception {
    Map<String, TorchTensor> dict = mbfDict();
    Map<String, TorchTensor> ddp = new LinkedHashMap<>();
    dict.forEach(
        (name, t) -> {
          if (!name.endsWith("num_batches_tracked") || name.startsWith("layers.0.")) {
            ddp.put("module." + name, t);
          }
        });
    // float64 of float32 values is exact; float16 carries values with 10-bit mantissas exactly.
    ddp.put(
        "module.conv_sep.layers.1.running_mean",
        convert(dict.get("conv_sep.layers.1.running_mean"), TorchDtype.FLOAT64));
    float[] slopes = new float[128];
    for (int i = 0; i < slopes.length; i++) {
      slopes[i] = i / 64f - 1;
    }
    dict.put("layers.0.layers.2.weight", TorchTensor.ofFloats(slopes, 128));
    ddp.put(
        "module.layers.0.layers.2.weight",
        convert(dict.get("layers.0.layers.2.weight"), TorchDtype.FLOAT16));
    float[] scale = new float[512];
    Arrays.fill(scale, 1.5f);
    dict.put("conv_sep.layers.1.weight", TorchTensor.ofFloats(scale, 512));
    ddp.put(
        "module.conv_sep.layers.1.weight",
        convert(dict.get("conv_sep.layers.1.weight"), TorchDtype.BFLOAT16));
    InsightFaceWeights.load(mbf, ddp);
    assertEquals(dict, InsightFaceWeights.stateDict(mbf));
    // float64 rounds to the nearest float32.
    ByteBuffer tenth = ByteBuffer.allocate(8 * 512).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < 512; i++) {
      tenth.putDouble(0.1);
    }
    ddp.put(
        "module.conv_sep.layers.1.bias",
        TorchTensor.of(TorchDtype.FLOAT64, new long[] {512}, tenth.flip()));
    InsightFaceWeights.load(mbf, ddp);
    float[] bias = InsightFaceWeights.stateDict(mbf).get("conv_sep.layers.1.bias").toFloats();
    assertEquals(0.1f, bias[0]);
    assertEquals(0.1f, bias[511]);
  }

  @Test
  void worksInTheParametersOwnTypeAndRefusesAnUninitialisedBackbone() throws Exception {
    MobileFaceNet small =
        MobileFaceNet.builder().optBlocks(0, 0, 0, 0).optScale(1).optEmbeddingSize(8).build();
    Map<String, TorchTensor> dict = HashWeights.stateDict(InsightFaceWeights.names(small), false);
    assertThrows(IllegalStateException.class, () -> InsightFaceWeights.load(small, dict));
    try (NDManager m = manager.newSubManager()) {
      small.initialize(m, DataType.FLOAT64, Backbone.inputShape(1));
      InsightFaceWeights.load(small, dict);
      assertEquals(DataType.FLOAT64, small.getParameters().valueAt(0).getArray().getDataType());
      assertEquals(dict, InsightFaceWeights.stateDict(small));
    }
  }

  @Test
  void loadedParametersStillTrain() throws Exception {
    InsightFaceWeights.load(mbf, mbfDict());
    try (NDManager m = manager.newSubManager();
        GradientCollector gc = m.getEngine().newGradientCollector()) {
      NDArray x = m.create(HashWeights.inputs(), Backbone.inputShape(2));
      NDArray y = mbf.forward(new ParameterStore(m, false), new NDList(x), true).singletonOrThrow();
      gc.backward(y.square().sum());
      for (Parameter p : mbf.getParameters().values()) {
        if (p.requiresGradient()) {
          // Still attached to autograd after the in-place load. (Some shifts get an exact zero:
          // a BN shift that a later BN, in training mode, subtracts again.)
          assertTrue(p.getArray().hasGradient(), p.getName());
          if (p.getType() == Parameter.Type.WEIGHT) {
            assertTrue(p.getArray().getGradient().abs().sum().getFloat() > 0, p.getName());
          }
        }
      }
    }
    InsightFaceWeights.load(mbf, mbfDict()); // training mode moved the running statistics
  }

  @Test
  void exportedNamesHaveTorchsShapesAndCounters() {
    Map<String, TorchTensor> dict = InsightFaceWeights.stateDict(mbf);
    assertEquals(
        new ArrayList<>(InsightFaceWeights.names(mbf).keySet()), new ArrayList<>(dict.keySet()));
    dict.forEach(
        (name, t) ->
            assertArrayEquals(InsightFaceWeights.names(mbf).get(name).getShape(), t.shape(), name));
    TorchTensor counter = dict.get("features.layers.3.num_batches_tracked");
    assertEquals(TorchDtype.INT64, counter.dtype());
    assertArrayEquals(new long[] {0}, counter.toLongs());
    assertEquals(new Shape(128), new Shape(dict.get("layers.0.layers.2.weight").shape()));
  }

  /** The same values in another float type (exact for the values used). */
  private static TorchTensor convert(TorchTensor t, TorchDtype type) {
    float[] v = t.toFloats();
    ByteBuffer b = ByteBuffer.allocate(v.length * type.bytes()).order(ByteOrder.LITTLE_ENDIAN);
    for (float f : v) {
      switch (type) {
        case FLOAT64 -> b.putDouble(f);
        case FLOAT16 -> b.putShort(toHalf(f));
        case BFLOAT16 -> b.putShort((short) (Float.floatToIntBits(f) >>> 16));
        default -> throw new IllegalArgumentException(type.toString());
      }
    }
    return TorchTensor.of(type, t.shape(), b.flip());
  }

  /** float32 → float16 for normal values whose mantissa fits 10 bits (asserted). */
  private static short toHalf(float f) {
    if (f == 0) {
      return 0;
    }
    int bits = Float.floatToIntBits(f);
    int exponent = ((bits >>> 23) & 0xff) - 127 + 15;
    assertTrue(exponent > 0 && exponent < 31 && (bits & 0x1fff) == 0, "exact in float16: " + f);
    return (short) (((bits >>> 16) & 0x8000) | (exponent << 10) | ((bits >>> 13) & 0x3ff));
  }

  @Test
  void theEmbeddingSizeIsReadFromTheFinalShift() throws MalformedModelException {
    // Probes built at d = 7 read d = 128 off the files' own final BatchNorm shift, with and
    // without DDP's prefix; a file without that tensor is refused naming it.
    IResNet probe = IResNet.builder().setDepth(18).optEmbeddingSize(7).build();
    Map<String, TorchTensor> dict = InsightFaceWeights.stateDict(iresnet18);
    assertEquals(128, InsightFaceWeights.embeddingSize(probe, dict));
    Map<String, TorchTensor> ddp = new LinkedHashMap<>();
    InsightFaceWeights.stateDict(mbf).forEach((name, t) -> ddp.put("module." + name, t));
    assertEquals(
        128,
        InsightFaceWeights.embeddingSize(MobileFaceNet.builder().optEmbeddingSize(7).build(), ddp));
    Map<String, TorchTensor> without = new LinkedHashMap<>(dict);
    without.remove("features.bias");
    MalformedModelException e =
        assertThrows(
            MalformedModelException.class, () -> InsightFaceWeights.embeddingSize(probe, without));
    assertTrue(e.getMessage().contains("no features.bias"), e.getMessage());
  }
}
