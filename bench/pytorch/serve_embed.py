#!/usr/bin/python3
"""Serving latency and throughput in plain PyTorch: the peer of ringloss4j's ServingThroughput.

The network is insightface_names.py's InsightFace-named MobileFaceNet (mbf) or IResNet, loaded
strictly from the .pth that `ringloss import` turned into the Java directory, so both sides hold
the same weights. The preprocessing is the one the Java directory's serving.properties records
(EmbeddingTranslator's, step for step, in float32):

  x / 255 per RGB channel (the PNGs are 112 x 112: the resize and centre crop are the identity),
  (x - mean[c]) / std[c] (InsightFace's ((x / 255) - 0.5) / 0.5 after `ringloss import`),
  flipSum=true: f(x) + f(mirror(x)) (both in one forward pass), l2Normalize=true: f / ||f||.

The PNGs are decoded once with PIL before anything is timed (the Java side likewise); call k
embeds images k*batch .. k*batch + batch - 1 of them, cycling, under torch.inference_mode(), from
the decoded uint8 pixels to the numpy embeddings. --warmup untimed calls come first, then
ceil(images / batch) timed calls, each timed on its own. --dump FILE first embeds every PNG once,
in file-name order, in one call, and writes raw little-endian float32 rows.

  serve_embed.py --weights model.pth --dir JAVA_DIR --pngs PNG_DIR [--batch 1] [--images 64]
                 [--warmup 8] [--threads 2] [--dump FILE]

The last line is, tab-separated:
RESULT serve python <backbone> <batch> <images/s> <median ms per call> <p95 ms per call> <calls>
<first timed call slowest: 0 or 1>
"""

import argparse
import math
import os
import sys
import time

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from insightface_names import build  # noqa: E402

# serving.properties backbone -> insightface_names.build's name
MODELS = {"mobilefacenet": "mbf", "iresnet18": "iresnet18", "iresnet34": "iresnet34",
          "iresnet50": "iresnet50", "iresnet100": "iresnet100"}


def serving_properties(directory):
    props = {}
    with open(os.path.join(directory, "serving.properties"), encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith(("#", "!")) and "=" in line:
                k, v = line.split("=", 1)
                props[k.strip()] = v.strip()
    return props


class Embedder:
    """The directory's preprocessing around the network, as EmbeddingTranslator applies it."""

    def __init__(self, net, props):
        channels = int(props["channels"])
        if channels != 3:
            raise SystemExit("serve_embed.py: only RGB directories, got channels=%d" % channels)
        self.size = (int(props["height"]), int(props["width"]))
        self.mean = np.array([float(v) for v in props["mean"].split(",")], np.float32)
        self.std = np.array([float(v) for v in props["std"].split(",")], np.float32)
        self.flip = props["flipSum"] == "true"
        self.l2 = props["l2Normalize"] == "true"
        self.net = net

    def __call__(self, pixels):
        """pixels: a list of uint8 [H, W, 3] arrays -> float32 [n, d] numpy embeddings."""
        x = np.stack(pixels).astype(np.float32) / np.float32(255)
        x = (x - self.mean) / self.std
        x = torch.from_numpy(np.ascontiguousarray(x.transpose(0, 3, 1, 2)))
        n = x.shape[0]
        if self.flip:
            x = torch.cat([x, torch.flip(x, [3])])
        y = self.net(x)
        if self.flip:
            y = y[:n] + y[n:]
        if self.l2:
            y = y / y.double().norm(dim=1, keepdim=True).clamp_min(1e-300).float()
        return y.numpy()


def percentile(sorted_values, q):
    """Nearest rank, as ServingThroughput computes it."""
    return sorted_values[max(0, math.ceil(q * len(sorted_values)) - 1)]


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--weights", required=True)
    p.add_argument("--dir", required=True, help="the Java model directory (serving.properties)")
    p.add_argument("--pngs", required=True)
    p.add_argument("--batch", type=int, default=1)
    p.add_argument("--images", type=int, default=64)
    p.add_argument("--warmup", type=int, default=8)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--dump")
    p.add_argument("--profile", metavar="TRACE",
                   help="after the timed calls, 3 more under torch.profiler (record_shapes), "
                        "each marked phase:forward, written as a Chrome trace to TRACE for "
                        "trace_ops.py (ServingThroughput --profile is the Java side)")
    a = p.parse_args()
    if a.batch < 1 or a.images < 1 or a.warmup < 0 or a.threads < 1:
        p.error("--batch, --images and --threads must be >= 1, --warmup >= 0")
    torch.set_num_threads(a.threads)
    torch.set_num_interop_threads(1)

    props = serving_properties(a.dir)
    backbone = props["backbone"]
    if backbone not in MODELS:
        p.error("backbone %s in %s is not one insightface_names.py builds" % (backbone, a.dir))
    net = build(MODELS[backbone], int(props["embeddingSize"]))
    net.load_state_dict(torch.load(a.weights, weights_only=True), strict=True)
    net.eval()
    embed = Embedder(net, props)

    from PIL import Image
    files = sorted(f for f in os.listdir(a.pngs) if f.endswith(".png"))
    if not files:
        p.error("--pngs %s holds no .png file" % a.pngs)
    pixels = [np.asarray(Image.open(os.path.join(a.pngs, f)).convert("RGB")) for f in files]
    if any(px.shape[:2] != embed.size for px in pixels):
        p.error("the PNGs must be %dx%d (no resize here)" % embed.size)

    def call(k):
        return embed([pixels[(k * a.batch + i) % len(pixels)] for i in range(a.batch)])

    calls = (a.images + a.batch - 1) // a.batch
    nanos = []
    with torch.inference_mode():
        if a.dump:
            embed(pixels).astype("<f4").tofile(a.dump)
        for k in range(a.warmup):
            call(k)
        for k in range(calls):
            start = time.perf_counter_ns()
            call(a.warmup + k)
            nanos.append(time.perf_counter_ns() - start)
        if a.profile:
            from torch.profiler import ProfilerActivity, profile, record_function
            with profile(activities=[ProfilerActivity.CPU], record_shapes=True) as prof:
                for k in range(3):
                    with record_function("phase:forward"):
                        call(k)
            prof.export_chrome_trace(a.profile)
            print("TRACE\tpython\t%s\t3 calls of %d" % (a.profile, a.batch))
    seconds = sum(nanos) / 1e9
    rate = calls * a.batch / seconds
    ordered = sorted(nanos)
    median, p95 = percentile(ordered, 0.5) / 1e6, percentile(ordered, 0.95) / 1e6
    first_slowest = 1 if calls > 1 and nanos[0] == ordered[-1] else 0
    print("python %s, batch %d: %d calls in %.2f s, %.2f images/s; per call median %.2f ms, p95 "
          "%.2f ms, first %.2f ms, slowest %.2f ms%s (torch %s)"
          % (backbone, a.batch, calls, seconds, rate, median, p95, nanos[0] / 1e6,
             ordered[-1] / 1e6,
             " (the first timed call is the slowest: raise --warmup)" if first_slowest else "",
             torch.__version__))
    print("RESULT\tserve\tpython\t%s\t%d\t%.3f\t%.3f\t%.3f\t%d\t%d"
          % (backbone, a.batch, rate, median, p95, calls, first_slowest))


if __name__ == "__main__":
    main()
