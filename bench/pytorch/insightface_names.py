#!/usr/bin/python3
"""InsightFace's IResNet and MobileFaceNet with arcface_torch's exact state_dict names, and the
fixtures that check ringloss4j's InsightFaceWeights against them.

The networks are written here from the architecture (ringloss4j's IResNet.java and
MobileFaceNet.java javadoc), not copied: their modules are registered under the names and in the
order of InsightFace's iresnet18/34/50/100 and get_mbf, so that state_dict() lists the same keys,
shapes and order. (Checked once against InsightFace's own definitions run with torch 1.13.)

Deterministic weights both languages compute (InsightFaceWeightsTest has the Java twin):

  u(name, i)  = (splitmix64(fnv1a64(utf8(name)) + (i + 1) * 0x9E3779B97F4A7C15) >> 48) / 2^15 - 1,
                a multiple of 2^-15 in [-1, 1)
  conv/linear weight (2-D or more): u * 2^-k, k = (bit_length(fan_in) - 1) // 2,
                                    fan_in = numel / shape[0]
  BatchNorm weight: 1 + u/4 (IResNet's features.weight: 1); bias and running_mean: u/8;
  running_var: 1 + u/4; PReLU weight: 0.25 + u/8; num_batches_tracked: 0
  inputs: u("input", i) over [2, 3, 112, 112]

Every value is exactly a float32.

Usage (Debian's /usr/bin/python3 with python3-torch):
  insightface_names.py keys OUT_DIR            key lists (name, shape) of iresnet18/50/100 and mbf
  insightface_names.py fixtures OUT_DIR        hash-weight outputs of iresnet18 and mbf at d = 128
  insightface_names.py measure MODEL OUT_DIR   torch's random init at d = 512, random BN statistics:
                                               OUT_DIR/model.pth, images/*.png, expected.npy
  insightface_names.py compare EXPECTED ACTUAL  max abs difference of two embedding .npy files
  insightface_names.py check-export MODEL ORIGINAL EXPORTED
                                               the exported .pth loads strictly and equals ORIGINAL
  (bench/pytorch/insightface-exactness.sh runs measure, ringloss import/embed/export, compare and
  check-export for each model)
"""

import os
import sys

import numpy as np
import torch
from torch import nn

DEPTHS = {18: (2, 2, 2, 2), 34: (3, 4, 6, 3), 50: (3, 4, 14, 3), 100: (3, 13, 30, 3)}


def bn2d(c):
    return nn.BatchNorm2d(c, eps=1e-5, momentum=0.1)


class IBasicBlock(nn.Module):
    """BN - conv3x3 - BN - PReLU - conv3x3(stride) - BN, plus the (projected) input."""

    def __init__(self, cin, planes, stride):
        super().__init__()
        self.bn1 = bn2d(cin)
        self.conv1 = nn.Conv2d(cin, planes, 3, 1, 1, bias=False)
        self.bn2 = bn2d(planes)
        self.prelu = nn.PReLU(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, stride, 1, bias=False)
        self.bn3 = bn2d(planes)
        self.downsample = None
        if stride != 1 or cin != planes:
            self.downsample = nn.Sequential(
                nn.Conv2d(cin, planes, 1, stride, bias=False), bn2d(planes))

    def forward(self, x):
        y = self.bn3(self.conv2(self.prelu(self.bn2(self.conv1(self.bn1(x))))))
        return y + (x if self.downsample is None else self.downsample(x))


class IResNet(nn.Module):
    def __init__(self, depth, num_features=512, dropout=0.0):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 64, 3, 1, 1, bias=False)
        self.bn1 = bn2d(64)
        self.prelu = nn.PReLU(64)
        cin = 64
        for n, blocks in enumerate(DEPTHS[depth]):
            planes = 64 << n
            stage = []
            for i in range(blocks):
                stage.append(IBasicBlock(cin, planes, 2 if i == 0 else 1))
                cin = planes
            setattr(self, "layer%d" % (n + 1), nn.Sequential(*stage))
        self.bn2 = bn2d(512)
        self.dropout = nn.Dropout(dropout)
        self.fc = nn.Linear(512 * 7 * 7, num_features)
        self.features = nn.BatchNorm1d(num_features, eps=1e-5)
        nn.init.constant_(self.features.weight, 1.0)
        self.features.weight.requires_grad = False

    def forward(self, x):
        x = self.prelu(self.bn1(self.conv1(x)))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        x = self.dropout(torch.flatten(self.bn2(x), 1))
        return self.features(self.fc(x))


class Unit(nn.Module):
    """InsightFace's ConvBlock (prelu=True) or LinearBlock: conv - BN (- PReLU) under .layers."""

    def __init__(self, cin, cout, kernel=1, stride=1, padding=0, groups=1, prelu=True):
        super().__init__()
        parts = [nn.Conv2d(cin, cout, kernel, stride, padding, groups=groups, bias=False),
                 bn2d(cout)]
        if prelu:
            parts.append(nn.PReLU(cout))
        self.layers = nn.Sequential(*parts)

    def forward(self, x):
        return self.layers(x)


class DepthWise(nn.Module):
    def __init__(self, cin, cout, inner, stride, residual):
        super().__init__()
        self.residual = residual
        self.layers = nn.Sequential(
            Unit(cin, inner), Unit(inner, inner, 3, stride, 1, groups=inner),
            Unit(inner, cout, prelu=False))

    def forward(self, x):
        y = self.layers(x)
        return x + y if self.residual else y


class Residual(nn.Module):
    def __init__(self, c, n, inner):
        super().__init__()
        self.layers = nn.Sequential(*[DepthWise(c, c, inner, 1, True) for _ in range(n)])

    def forward(self, x):
        return self.layers(x)


class Flatten(nn.Module):
    def forward(self, x):
        return x.flatten(1)


class Gdc(nn.Module):
    def __init__(self, num_features):
        super().__init__()
        self.layers = nn.Sequential(
            Unit(512, 512, 7, groups=512, prelu=False), Flatten(),
            nn.Linear(512, num_features, bias=False), nn.BatchNorm1d(num_features))

    def forward(self, x):
        return self.layers(x)


class MobileFaceNet(nn.Module):
    def __init__(self, num_features=512, blocks=(1, 4, 6, 2), scale=2):
        super().__init__()
        n, w = 64 * scale, 128 * scale
        first = (Unit(n, n, 3, 1, 1, groups=64) if blocks[0] == 1
                 else Residual(n, blocks[0], 128))
        self.layers = nn.ModuleList([
            Unit(3, n, 3, 2, 1), first,
            DepthWise(n, n, 128, 2, False), Residual(n, blocks[1], 128),
            DepthWise(n, w, 256, 2, False), Residual(w, blocks[2], 256),
            DepthWise(w, w, 512, 2, False), Residual(w, blocks[3], 256)])
        self.conv_sep = Unit(w, 512)
        self.features = Gdc(num_features)

    def forward(self, x):
        for layer in self.layers:
            x = layer(x)
        return self.features(self.conv_sep(x))


def build(model, num_features):
    if model == "mbf":
        return MobileFaceNet(num_features)
    return IResNet(int(model[len("iresnet"):]), num_features)


# --- deterministic values -------------------------------------------------------------------

M64 = (1 << 64) - 1


def fnv1a64(text):
    h = 0xCBF29CE484222325
    for b in text.encode("utf-8"):
        h = ((h ^ b) * 0x100000001B3) & M64
    return h


def uniform(name, count):
    """u(name, i) for i < count: multiples of 2^-15 in [-1, 1), as float64 (exact)."""
    z = (np.arange(1, count + 1, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15)
         + np.uint64(fnv1a64(name)))
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    z = z ^ (z >> np.uint64(31))
    return (z >> np.uint64(48)).astype(np.int64).astype(np.float64) / 32768.0 - 1.0


def hash_value(name, shape, names, iresnet):
    """The deterministic tensor for one state_dict key (see the module docstring)."""
    count = int(np.prod(shape, dtype=np.int64))
    if name.endswith(".num_batches_tracked"):
        return torch.zeros(shape, dtype=torch.int64)
    u = uniform(name, count)
    module = name[:name.rfind(".")]
    if name.endswith(".weight") and len(shape) >= 2:
        k = ((count // shape[0]).bit_length() - 1) // 2
        v = u * 2.0 ** -k
    elif name.endswith(".running_var"):
        v = 1 + u / 4
    elif name.endswith(".weight") and module + ".running_mean" in names:
        v = np.ones(count) if (iresnet and name == "features.weight") else 1 + u / 4
    elif name.endswith(".weight"):
        v = 0.25 + u / 8
    else:
        v = u / 8
    return torch.from_numpy(v.astype(np.float32).reshape(shape))


def hash_inputs():
    return torch.from_numpy(uniform("input", 2 * 3 * 112 * 112).astype(np.float32)
                            .reshape(2, 3, 112, 112))


# --- commands -------------------------------------------------------------------------------

def write_keys(out_dir):
    for model in ("iresnet18", "iresnet50", "iresnet100", "mbf"):
        with open(os.path.join(out_dir, "insightface-keys-%s.txt" % model), "w") as f:
            for name, t in build(model, 512).state_dict().items():
                f.write("%s\t%s\n" % (name, ",".join(str(s) for s in t.shape)))


def write_fixtures(out_dir):
    x = hash_inputs()
    for model in ("iresnet18", "mbf"):
        net = build(model, 128)
        names = net.state_dict().keys()
        net.load_state_dict({n: hash_value(n, tuple(t.shape), names, model != "mbf")
                             for n, t in net.state_dict().items()}, strict=True)
        with torch.no_grad():
            y = net.eval()(x)
        with open(os.path.join(out_dir, "insightface-%s-d128-hash.txt" % model), "w") as f:
            f.write("# %s, d = 128, hash weights and inputs (bench/pytorch/insightface_names.py), "
                    "eval mode, torch %s: one output row per line\n" % (model, torch.__version__))
            for row in y.numpy():
                f.write(" ".join(repr(float(v)) for v in row) + "\n")


def randomised(model, seed=22):
    """torch's own init at d = 512, with BatchNorm statistics, scales and shifts and PReLU slopes
    drawn as a trained model could have them (torch's init leaves them at 0, 1 and 0.25)."""
    torch.manual_seed(seed)
    net = build(model, 512)
    with torch.no_grad():
        for m in net.modules():
            if isinstance(m, nn.modules.batchnorm._BatchNorm):
                m.running_mean.uniform_(-0.5, 0.5)
                m.running_var.uniform_(0.5, 2.0)
                if m.weight.requires_grad:
                    m.weight.uniform_(0.5, 1.5)
                m.bias.uniform_(-0.2, 0.2)
                m.num_batches_tracked.fill_(1000)
            elif isinstance(m, nn.PReLU):
                m.weight.uniform_(0.1, 0.4)
    return net.eval()


def insightface_input(png):
    """InsightFace's preprocessing of one 112x112 RGB image: ((x / 255) - 0.5) / 0.5, CHW, float32."""
    from PIL import Image
    x = np.asarray(Image.open(png).convert("RGB"), dtype=np.float32) / np.float32(255)
    return torch.from_numpy(((x - np.float32(0.5)) / np.float32(0.5)).transpose(2, 0, 1).copy())


def measure(model, out_dir, count=8):
    """OUT/model.pth (torch.save of the state_dict), OUT/images/*.png (random RGB faces-size
    images) and OUT/expected.npy (the network's embeddings of them, eval mode)."""
    from PIL import Image
    net = randomised(model)
    images = os.path.join(out_dir, "images")
    os.makedirs(images, exist_ok=True)
    torch.save(net.state_dict(), os.path.join(out_dir, "model.pth"))
    rng = np.random.default_rng(22)
    pngs = []
    for i in range(count):
        png = os.path.join(images, "%02d.png" % i)
        Image.fromarray(rng.integers(0, 256, (112, 112, 3), dtype=np.uint8)).save(png)
        pngs.append(png)
    with torch.no_grad():
        y = net(torch.stack([insightface_input(p) for p in pngs]))
    np.save(os.path.join(out_dir, "expected.npy"), y.numpy())


def compare(expected, actual):
    """Prints the max abs difference of two [N, d] .npy files and its share of max |y|."""
    e, a = np.load(expected), np.load(actual)
    if e.shape != a.shape:
        raise SystemExit("shapes differ: %s vs %s" % (e.shape, a.shape))
    diff = float(np.abs(e.astype(np.float64) - a).max())
    print("max abs diff %.3g (max |y| %.3g, ratio %.2g) over %d values"
          % (diff, float(np.abs(e).max()), diff / float(np.abs(e).max()), e.size))


def check_export(model, original, exported):
    """The .pth Java exported loads with weights_only=True and strict=True into InsightFace's
    names, and every tensor equals the original's bit for bit (num_batches_tracked aside)."""
    sd = torch.load(exported, weights_only=True)
    net = build(model, 512)
    net.load_state_dict(sd, strict=True)
    ref = torch.load(original, weights_only=True)
    differing = [k for k in ref if not k.endswith("num_batches_tracked")
                 and not torch.equal(ref[k], sd[k])]
    print("torch.load(weights_only=True) + load_state_dict(strict=True): %d tensors, %d differ"
          " from the original%s" % (len(sd), len(differing),
                                    (": " + ", ".join(differing[:5])) if differing else ""))
    if differing:
        raise SystemExit(1)


def main(argv):
    torch.set_num_threads(2)
    if argv[1] == "keys":
        write_keys(argv[2])
    elif argv[1] == "fixtures":
        write_fixtures(argv[2])
    elif argv[1] == "measure":
        measure(argv[2], argv[3])
    elif argv[1] == "compare":
        compare(argv[2], argv[3])
    elif argv[1] == "check-export":
        check_export(argv[2], argv[3], argv[4])
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
