package io.github.ringloss4j.interop;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import io.github.ringloss4j.backbone.Backbone;
import io.github.ringloss4j.backbone.IResNet;
import io.github.ringloss4j.backbone.MobileFaceNet;
import io.github.ringloss4j.backbone.PerChannelPrelu;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * InsightFace's {@code state_dict} names for our backbones, both ways: {@link #load} sets an
 * initialised {@link IResNet} or {@link MobileFaceNet} from the tensors of a model built by
 * arcface_torch's {@code iresnet18/34/50/100} or {@code get_mbf}, and {@link #stateDict} gives its
 * tensors back under those names, in the order PyTorch's {@code state_dict()} lists them, so that
 * {@code load_state_dict(strict=True)} into InsightFace's definitions accepts them.
 *
 * <p>The mapping is derived from the backbone's structure (an IResNet of any depth, d and dropout;
 * a MobileFaceNet of any blocks, scale and d). Each BatchNorm {@code B} stands for five tensors,
 * {@code B.weight} (γ), {@code B.bias} (β), {@code B.running_mean}, {@code B.running_var} — DJL's
 * {@code gamma, beta, runningMean, runningVar} — and {@code B.num_batches_tracked}, an int64 scalar
 * that has no counterpart here: it is accepted (an integer scalar, or absent) and ignored on load,
 * and written as 0. A PReLU's {@code weight} (C) is our slope of shape (C, 1, 1); convolution
 * weights [out, in/groups, k, k] and linear weights [out, in] have the same layout on both sides.
 *
 * <p>IResNet (L<sub>n</sub> blocks in stage n, p<sub>n</sub> = 64·2<sup>n−1</sup> channels; in
 * order):
 *
 * <pre>
 *   conv1.weight                      [64, 3, 3, 3]        stem conv
 *   bn1.*                             (64)                 stem BN
 *   prelu.weight                      [64]                 stem PReLU
 *   layerN.i.bn1.*                    (in)                 block i of stage N (i = 0 … L_N − 1):
 *   layerN.i.conv1.weight             [p, in, 3, 3]          in = p_{N−1} (64 for N = 1) when i = 0,
 *   layerN.i.bn2.*                    (p)                    else p
 *   layerN.i.prelu.weight             [p]
 *   layerN.i.conv2.weight             [p, p, 3, 3]           stride 2 when i = 0
 *   layerN.i.bn3.*                    (p)
 *   layerN.0.downsample.0.weight      [p, in, 1, 1]        shortcut of the first block only
 *   layerN.0.downsample.1.*           (p)
 *   bn2.*                             (512)
 *   fc.weight, fc.bias                [d, 25088], [d]      after flatten and dropout
 *   features.*                        (d)                  BN1d; features.weight must be all ones
 * </pre>
 *
 * <p>MobileFaceNet (blocks b0…b3, scale s, n = 64s, w = 128s; {@code C} = ConvBlock {@code
 * P.layers.{0 conv, 1 BN, 2 PReLU}}, {@code L} = LinearBlock {@code P.layers.{0 conv, 1 BN}}, a
 * DepthWise {@code P} is {@code P.layers.{0 C 1×1, 1 C 3×3 grouped, 2 L 1×1}}, a Residual {@code P}
 * is its DepthWise units {@code P.layers.j}, j = 0 … b − 1):
 *
 * <pre>
 *   layers.0     C   3 → n, 3×3, stride 2
 *   layers.1     C   n → n, 3×3, groups 64   when b0 = 1, else Residual(n, b0, inner 128)
 *   layers.2     DepthWise n → n, inner 128, stride 2
 *   layers.3     Residual(n, b1, inner 128)
 *   layers.4     DepthWise n → w, inner 256, stride 2
 *   layers.5     Residual(w, b2, inner 256)
 *   layers.6     DepthWise w → w, inner 512, stride 2
 *   layers.7     Residual(w, b3, inner 256)
 *   conv_sep     C   w → 512, 1×1
 *   features.layers.0   L 512 → 512, 7×7, groups 512
 *   features.layers.2.weight   [d, 512]     no bias
 *   features.layers.3.*        (d)          BN1d
 * </pre>
 *
 * <p>IResNet's {@code features.weight} must be exactly 1 everywhere, or the file is refused: our
 * IResNet fixes that γ at 1 as InsightFace does ({@code requires_grad = False}, so InsightFace's
 * training never moves it) and re-sets it to ones at every initialisation. DJL's BatchNorm does
 * read γ, so another value would be used at first, but silently dropped by the next {@code
 * initialize}; a file that differs there is not an InsightFace IResNet.
 */
public final class InsightFaceWeights {

  /** PyTorch's suffix of the BatchNorm step counter that has no counterpart here. */
  static final String NUM_BATCHES_TRACKED = "num_batches_tracked";

  /** The prefix {@code torch.nn.parallel.DistributedDataParallel} adds to every name. */
  static final String DDP_PREFIX = "module.";

  private static final String IRESNET_FEATURES_SCALE = "features.weight";
  private static final int MAX_LISTED = 20;

  private InsightFaceWeights() {}

  /** What one of PyTorch's tensors is, and which DJL parameter (if any) holds it. */
  private enum Role {
    CONV_WEIGHT("weight"),
    LINEAR_WEIGHT("weight"),
    LINEAR_BIAS("bias"),
    PRELU_WEIGHT(PerChannelPrelu.SLOPE),
    BN_WEIGHT("gamma"),
    BN_BIAS("beta"),
    BN_RUNNING_MEAN("runningMean"),
    BN_RUNNING_VAR("runningVar"),
    BN_NUM_BATCHES(null);

    /** The DJL parameter's name, or null for a tensor that has none. */
    final String djlName;

    Role(String djlName) {
      this.djlName = djlName;
    }
  }

  /** One tensor of the state dict: its PyTorch name and shape and what it is. */
  private record Key(String name, long[] shape, Role role) {}

  /** Collects the keys in PyTorch's registration order. */
  private static final class Keys {
    final List<Key> list = new ArrayList<>();

    void conv(String module, long out, long inPerGroup, long kernel) {
      list.add(
          new Key(
              module + ".weight", new long[] {out, inPerGroup, kernel, kernel}, Role.CONV_WEIGHT));
    }

    void bn(String module, long channels) {
      long[] c = {channels};
      list.add(new Key(module + ".weight", c, Role.BN_WEIGHT));
      list.add(new Key(module + ".bias", c, Role.BN_BIAS));
      list.add(new Key(module + ".running_mean", c, Role.BN_RUNNING_MEAN));
      list.add(new Key(module + ".running_var", c, Role.BN_RUNNING_VAR));
      list.add(new Key(module + "." + NUM_BATCHES_TRACKED, new long[0], Role.BN_NUM_BATCHES));
    }

    void prelu(String module, long channels) {
      list.add(new Key(module + ".weight", new long[] {channels}, Role.PRELU_WEIGHT));
    }

    void linear(String module, long out, long in, boolean bias) {
      list.add(new Key(module + ".weight", new long[] {out, in}, Role.LINEAR_WEIGHT));
      if (bias) {
        list.add(new Key(module + ".bias", new long[] {out}, Role.LINEAR_BIAS));
      }
    }

    /** MobileFaceNet's ConvBlock: conv – BN – PReLU under {@code P.layers}. */
    void convBlock(String module, long in, long out, long kernel, long groups) {
      linearBlock(module, in, out, kernel, groups);
      prelu(module + ".layers.2", out);
    }

    /** MobileFaceNet's LinearBlock: conv – BN under {@code P.layers}. */
    void linearBlock(String module, long in, long out, long kernel, long groups) {
      conv(module + ".layers.0", out, in / groups, kernel);
      bn(module + ".layers.1", out);
    }

    /** MobileFaceNet's DepthWise: expand 1×1 – grouped 3×3 – project 1×1. */
    void depthWise(String module, long in, long out, long inner) {
      convBlock(module + ".layers.0", in, inner, 1, 1);
      convBlock(module + ".layers.1", inner, inner, 3, inner);
      linearBlock(module + ".layers.2", inner, out, 1, 1);
    }

    /** MobileFaceNet's Residual: its DepthWise units under {@code P.layers.j}. */
    void residual(String module, long channels, int units, long inner) {
      for (int j = 0; j < units; j++) {
        depthWise(module + ".layers." + j, channels, channels, inner);
      }
    }
  }

  /**
   * Whether a backbone has InsightFace names here.
   *
   * @param backbone any backbone
   * @return true for {@link IResNet} and {@link MobileFaceNet}
   */
  public static boolean isSupported(Backbone backbone) {
    return backbone instanceof IResNet || backbone instanceof MobileFaceNet;
  }

  private static List<Key> keys(Backbone backbone) {
    Keys k = new Keys();
    long d = backbone.getEmbeddingSize();
    if (backbone instanceof IResNet net) {
      k.conv("conv1", 64, 3, 3);
      k.bn("bn1", 64);
      k.prelu("prelu", 64);
      int[] blocks = IResNet.stageBlocks(net.getDepth());
      long in = 64;
      for (int stage = 0; stage < blocks.length; stage++) {
        long planes = 64L << stage;
        for (int i = 0; i < blocks[stage]; i++) {
          String block = "layer" + (stage + 1) + "." + i;
          k.bn(block + ".bn1", in);
          k.conv(block + ".conv1", planes, in, 3);
          k.bn(block + ".bn2", planes);
          k.prelu(block + ".prelu", planes);
          k.conv(block + ".conv2", planes, planes, 3);
          k.bn(block + ".bn3", planes);
          if (i == 0) {
            k.conv(block + ".downsample.0", planes, in, 1);
            k.bn(block + ".downsample.1", planes);
          }
          in = planes;
        }
      }
      k.bn("bn2", 512);
      k.linear("fc", d, 512L * 7 * 7, true);
      k.bn("features", d);
    } else if (backbone instanceof MobileFaceNet net) {
      int[] b = net.getBlocks();
      long narrow = 64L * net.getScale();
      long wide = 128L * net.getScale();
      k.convBlock("layers.0", 3, narrow, 3, 1);
      if (b[0] == 1) {
        k.convBlock("layers.1", narrow, narrow, 3, 64);
      } else {
        k.residual("layers.1", narrow, b[0], 128);
      }
      k.depthWise("layers.2", narrow, narrow, 128);
      k.residual("layers.3", narrow, b[1], 128);
      k.depthWise("layers.4", narrow, wide, 256);
      k.residual("layers.5", wide, b[2], 256);
      k.depthWise("layers.6", wide, wide, 512);
      k.residual("layers.7", wide, b[3], 256);
      k.convBlock("conv_sep", wide, 512, 1, 1);
      k.linearBlock("features.layers.0", 512, 512, 7, 512);
      k.linear("features.layers.2", d, 512, false);
      k.bn("features.layers.3", d);
    } else {
      throw new IllegalArgumentException("no InsightFace names for " + backbone);
    }
    return k.list;
  }

  /**
   * The names and shapes of InsightFace's {@code state_dict} for a backbone, in PyTorch's order.
   * Needs no initialisation.
   *
   * @param backbone an {@link IResNet} or {@link MobileFaceNet}
   * @return name → shape (an empty shape for the {@code num_batches_tracked} scalars), in order
   */
  public static Map<String, Shape> names(Backbone backbone) {
    Map<String, Shape> names = new LinkedHashMap<>();
    for (Key key : keys(backbone)) {
      names.put(key.name(), new Shape(key.shape()));
    }
    return Collections.unmodifiableMap(names);
  }

  /**
   * The embedding size d of an InsightFace-named {@code state_dict}: the length of the network's
   * last bias, its final BatchNorm's shift ({@code features.bias} for IResNet, {@code
   * features.layers.3.bias} for MobileFaceNet), so that a file can be imported without being told
   * d.
   *
   * @param network the backbone's kind at any d (only its names are used; no initialisation)
   * @param stateDict name → tensor, names with or without DDP's {@code module.} prefix
   * @return d ≥ 1
   * @throws MalformedModelException naming the tensor when it is absent or not a vector
   */
  public static int embeddingSize(Backbone network, Map<String, TorchTensor> stateDict)
      throws MalformedModelException {
    List<Key> keys = keys(network);
    String last = null;
    for (Key key : keys) {
      if (key.name().endsWith(".bias")) {
        last = key.name();
      }
    }
    TorchTensor shift = withoutDdpPrefix(stateDict).get(last);
    if (shift == null || shift.shape().length != 1 || shift.shape()[0] < 1) {
      throw new MalformedModelException(
          "the state_dict has "
              + (shift == null
                  ? "no " + last
                  : last + " of shape " + Arrays.toString(shift.shape()))
              + ", the final BatchNorm's shift whose length is the embedding size of "
              + network.getClass().getSimpleName()
              + "; is it InsightFace's "
              + (network instanceof IResNet ? "iresnet" : "get_mbf")
              + "?");
    }
    return Math.toIntExact(shift.shape()[0]);
  }

  /** Each key with a DJL parameter, paired with it; a mismatch of the two orders is a bug here. */
  private static List<Pair<Key, Parameter>> bind(Backbone backbone) {
    List<Parameter> parameters = new ArrayList<>(backbone.getParameters().values());
    List<Key> keys = keys(backbone).stream().filter(k -> k.role().djlName != null).toList();
    if (keys.size() != parameters.size()) {
      throw new IllegalStateException(
          keys.size()
              + " InsightFace tensors for "
              + parameters.size()
              + " parameters of "
              + backbone);
    }
    List<Pair<Key, Parameter>> bound = new ArrayList<>();
    for (int i = 0; i < keys.size(); i++) {
      Key key = keys.get(i);
      Parameter p = parameters.get(i);
      if (!p.isInitialized()) {
        throw new IllegalStateException(backbone + " is not initialised");
      }
      Shape expected = djlShape(key);
      if (!p.getName().equals(key.role().djlName) || !p.getArray().getShape().equals(expected)) {
        throw new IllegalStateException(
            key.name()
                + " "
                + expected
                + " does not match parameter "
                + p.getName()
                + " "
                + p.getArray().getShape());
      }
      bound.add(new Pair<>(key, p));
    }
    return bound;
  }

  /** The DJL parameter's shape for a key: a PReLU's (C) is (C, 1, 1) over 4-D maps. */
  private static Shape djlShape(Key key) {
    return key.role() == Role.PRELU_WEIGHT
        ? new Shape(key.shape()[0], 1, 1)
        : new Shape(key.shape());
  }

  /**
   * Sets every parameter of an initialised backbone, running statistics included, from an
   * InsightFace-named {@code state_dict}.
   *
   * <p>Every tensor must be used and none may be missing; shapes must match exactly. A dict whose
   * names all start with {@code module.} (saved from a DDP-wrapped model) is read with that prefix
   * removed. {@code num_batches_tracked} may be absent; if present it must be an integer scalar,
   * and it is ignored. Weights must be floating point: float16 and bfloat16 are widened exactly,
   * float64 is rounded to the nearest float32. Values are written in place into each parameter's
   * own array (any device or data type), so a trainer's references stay valid. Nothing is set
   * unless the whole dict fits.
   *
   * @param backbone an initialised {@link IResNet} or {@link MobileFaceNet}
   * @param stateDict name → tensor
   * @throws MalformedModelException when the dict does not fit: the message lists every missing
   *     name, the unexpected ones (the first 20 and their count), each shape or type mismatch, and
   *     an IResNet {@code features.weight} that is not all ones
   * @throws IllegalStateException if the backbone is not initialised
   */
  public static void load(Backbone backbone, Map<String, TorchTensor> stateDict)
      throws MalformedModelException {
    List<Pair<Key, Parameter>> bound = bind(backbone);
    List<Key> keys = keys(backbone);
    Map<String, TorchTensor> dict = withoutDdpPrefix(stateDict);
    List<String> problems = new ArrayList<>();
    List<String> missing = new ArrayList<>();
    for (Key key : keys) {
      TorchTensor t = dict.get(key.name());
      if (t == null) {
        if (key.role() != Role.BN_NUM_BATCHES) {
          missing.add(key.name());
        }
        continue;
      }
      String mismatch = mismatch(key, t);
      if (mismatch != null) {
        problems.add(mismatch);
      } else if (backbone instanceof IResNet && key.name().equals(IRESNET_FEATURES_SCALE)) {
        checkOnes(key.name(), t.toFloats(), problems);
      }
    }
    Set<String> known = new HashSet<>();
    keys.forEach(k -> known.add(k.name()));
    List<String> unexpected = dict.keySet().stream().filter(n -> !known.contains(n)).toList();
    if (!missing.isEmpty()) {
      problems.add(0, missing.size() + " missing: " + String.join(", ", missing));
    }
    if (!unexpected.isEmpty()) {
      problems.add(
          unexpected.size()
              + " unexpected"
              + (unexpected.size() > MAX_LISTED ? " (the first " + MAX_LISTED + ")" : "")
              + ": "
              + String.join(", ", unexpected.subList(0, Math.min(MAX_LISTED, unexpected.size()))));
    }
    if (!problems.isEmpty()) {
      throw new MalformedModelException(
          "the state_dict does not fit InsightFace's names for "
              + backbone
              + ":\n  "
              + String.join("\n  ", problems));
    }
    // Converted one at a time: no second copy of the whole network.
    for (Pair<Key, Parameter> b : bound) {
      set(b.getValue().getArray(), dict.get(b.getKey().name()).toFloats());
    }
  }

  /** Strips {@code module.} when every name has it, as DDP's wrapper adds it to all. */
  private static Map<String, TorchTensor> withoutDdpPrefix(Map<String, TorchTensor> stateDict) {
    if (stateDict.isEmpty()
        || !stateDict.keySet().stream().allMatch(n -> n.startsWith(DDP_PREFIX))) {
      return stateDict;
    }
    Map<String, TorchTensor> stripped = new LinkedHashMap<>();
    stateDict.forEach((name, t) -> stripped.put(name.substring(DDP_PREFIX.length()), t));
    return stripped;
  }

  /** What is wrong with a present tensor for a key, or null. */
  private static String mismatch(Key key, TorchTensor t) {
    if (!Arrays.equals(key.shape(), t.shape())) {
      return key.name()
          + ": shape "
          + Arrays.toString(t.shape())
          + ", expected "
          + Arrays.toString(key.shape());
    }
    boolean integral = t.dtype() != TorchDtype.BOOL && !t.dtype().isFloatingPoint();
    if (key.role() == Role.BN_NUM_BATCHES) {
      return integral ? null : key.name() + ": " + t.dtype() + ", expected an integer scalar";
    }
    return t.dtype().isFloatingPoint()
        ? null
        : key.name() + ": " + t.dtype() + ", expected a floating-point type";
  }

  private static void checkOnes(String name, float[] scale, List<String> problems) {
    for (int i = 0; i < scale.length; i++) {
      if (scale[i] != 1f) {
        problems.add(
            name
                + ": element "
                + i
                + " is "
                + scale[i]
                + "; IResNet's final BatchNorm scale is fixed at 1 (InsightFace freezes it)");
        return;
      }
    }
  }

  /** Writes values into a parameter's array in place, on its device and in its type. */
  private static void set(NDArray array, float[] values) {
    if (array.getDataType() == DataType.FLOAT32) {
      array.set(FloatBuffer.wrap(values));
      return;
    }
    try (NDArray wide = array.getManager().create(values, array.getShape());
        NDArray cast = wide.toType(array.getDataType(), false)) {
      array.set(cast.toByteBuffer());
    }
  }

  /**
   * The backbone's tensors under InsightFace's names, in the order of PyTorch's {@code
   * state_dict()} for InsightFace's definition: float32, with each BatchNorm's {@code
   * num_batches_tracked} an int64 scalar 0, so that {@code load_state_dict(strict=True)} accepts
   * them.
   *
   * @param backbone an initialised {@link IResNet} or {@link MobileFaceNet}
   * @return name → tensor, in order
   * @throws IllegalStateException if the backbone is not initialised
   */
  public static Map<String, TorchTensor> stateDict(Backbone backbone) {
    Map<String, TorchTensor> dict = new LinkedHashMap<>();
    var bound = bind(backbone).iterator();
    for (Key key : keys(backbone)) {
      if (key.role() == Role.BN_NUM_BATCHES) {
        dict.put(key.name(), TorchTensor.ofLongs(new long[] {0}));
        continue;
      }
      NDArray array = bound.next().getValue().getArray();
      float[] values;
      if (array.getDataType() == DataType.FLOAT32) {
        values = array.toFloatArray();
      } else {
        try (NDArray wide = array.toType(DataType.FLOAT32, false)) {
          values = wide.toFloatArray();
        }
      }
      dict.put(key.name(), TorchTensor.ofFloats(values, key.shape()));
    }
    return Collections.unmodifiableMap(dict);
  }
}
