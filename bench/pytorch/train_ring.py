#!/usr/bin/env python3
"""Training throughput of softmax + ring loss in plain PyTorch: the peer of TrainThroughput.

The same configuration as ringloss4j's default model (cli: Backbones.smallCnn, ModelFactory):

  conv3x3(32, pad 1)-BN-ReLU-maxpool2, conv3x3(64, pad 1)-BN-ReLU-maxpool2, flatten,
  FC(256)-ReLU, FC(128) = the embedding f, linear head FC(10);
  loss = CE(logits, y) + lambda * mean(0.5 * (||f|| - R)^2), lambda = 0.01, R learned and set to
  the first batch's mean norm; SGD momentum 0.9, lr 0.01, weight decay 5e-4 on every parameter
  but R, whose learning rate is lr / lambda (the application's --radius-lr-mult auto); batch 128;
  2 intra-op threads, 1 inter-op thread.

With --model mobilefacenet or iresnet50 (TrainThroughput --model), the embedding network is
instead that face-recognition backbone at 3x112x112, d = 512, written here from the architecture
description in ringloss4j's IResNet.java and MobileFaceNet.java javadoc, and the head has
--classes outputs (default 1000). The data are then random: a pool of 4 batches of images uniform
in [0, 1) and uniform labels, made before the loop and cycled, copied into a new tensor each step.
The trained parameter counts (requires_grad) and frozen ones are printed, to check against the
Java side's.

Data (cnn): Fashion-MNIST read straight from the IDX gzip files with numpy. Each step takes the next
128 training images in file order (uint8 -> float32 in [0, 1], done per batch as the Java side
does), runs forward, loss, backward and the optimiser step. --warmup steps are not timed.

The last line is, tab-separated:
RESULT python <variant> lean <images/s> <steps> <seconds> <process CPU seconds>
"""

import argparse
import gzip
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from ring_loss import RingLoss

DATA_DIR = "/usr/share/datasets/fashion-mnist"


def read_idx(path):
    """Reads an IDX file (gzip or not) into a numpy array of its declared shape."""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    if data[0] != 0 or data[1] != 0 or data[2] != 0x08:
        raise ValueError(f"{path}: not an unsigned-byte IDX file")
    dims = data[3]
    shape = tuple(int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(dims))
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def find(data_dir, name):
    for candidate in (name + ".gz", name):
        path = os.path.join(data_dir, candidate)
        if os.path.exists(path):
            return path
    raise FileNotFoundError(
        f"{data_dir} has no {name}[.gz]; install Debian's dataset-fashion-mnist or pass --data")


class SmallCnn(nn.Module):
    """Backbones.smallCnn(d): the embedding network."""

    def __init__(self, embedding=128):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 3, padding=1), nn.BatchNorm2d(64), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(),
            nn.Linear(64 * 7 * 7, 256), nn.ReLU(),
            nn.Linear(256, embedding))

    def forward(self, x):
        return self.features(x)


def conv_bn(cin, cout, kernel=1, stride=1, groups=1, prelu=True):
    """MobileFaceNet's ConvBlock (conv - BN - PReLU) or, without the PReLU, its LinearBlock."""
    layers = [nn.Conv2d(cin, cout, kernel, stride, (kernel - 1) // 2 if kernel == 3 else 0,
                        groups=groups, bias=False), nn.BatchNorm2d(cout, eps=1e-5)]
    if prelu:
        layers.append(nn.PReLU(cout, init=0.25))
    return nn.Sequential(*layers)


def depth_wise(cin, cout, inner, stride):
    """DepthWise(in -> out, inner g, stride t): 1x1 expand, 3x3 depthwise, 1x1 linear project."""
    return nn.Sequential(conv_bn(cin, inner, 1), conv_bn(inner, inner, 3, stride, groups=inner),
                         conv_bn(inner, cout, 1, prelu=False))


class Residual(nn.Module):
    """n x [x + DepthWise(c -> c, inner g, stride 1)(x)]."""

    def __init__(self, channels, n, inner):
        super().__init__()
        self.units = nn.ModuleList(depth_wise(channels, channels, inner, 1) for _ in range(n))

    def forward(self, x):
        for unit in self.units:
            x = x + unit(x)
        return x


class MobileFaceNet(nn.Module):
    """get_mbf: blocks (1, 4, 6, 2), width scale 2, d = 512, input 3x112x112."""

    def __init__(self, embedding=512, blocks=(1, 4, 6, 2), scale=2):
        super().__init__()
        c1, c2 = 64 * scale, 128 * scale
        layers = [conv_bn(3, c1, 3, 2)]
        if blocks[0] == 1:
            layers.append(conv_bn(c1, c1, 3, 1, groups=64))
        else:
            layers.append(Residual(c1, blocks[0], 128))
        layers += [depth_wise(c1, c1, 128, 2), Residual(c1, blocks[1], 128),
                   depth_wise(c1, c2, 256, 2), Residual(c2, blocks[2], 256),
                   depth_wise(c2, c2, 512, 2), Residual(c2, blocks[3], 256),
                   conv_bn(c2, 512, 1),
                   conv_bn(512, 512, 7, groups=512, prelu=False), nn.Flatten(),
                   nn.Linear(512, embedding, bias=False), nn.BatchNorm1d(embedding, eps=1e-5)]
        self.layers = nn.Sequential(*layers)

    def forward(self, x):
        return self.layers(x)


class IBasicBlock(nn.Module):
    """BN - conv3x3 - BN - PReLU - conv3x3(stride) - BN, plus the shortcut."""

    def __init__(self, cin, planes, stride, project):
        super().__init__()
        self.body = nn.Sequential(
            nn.BatchNorm2d(cin, eps=1e-5), nn.Conv2d(cin, planes, 3, 1, 1, bias=False),
            nn.BatchNorm2d(planes, eps=1e-5), nn.PReLU(planes, init=0.25),
            nn.Conv2d(planes, planes, 3, stride, 1, bias=False), nn.BatchNorm2d(planes, eps=1e-5))
        self.shortcut = nn.Sequential(
            nn.Conv2d(cin, planes, 1, stride, bias=False),
            nn.BatchNorm2d(planes, eps=1e-5)) if project else nn.Identity()

    def forward(self, x):
        return self.body(x) + self.shortcut(x)


class IResNet(nn.Module):
    """IResNet of ArcFace; depth 50 = blocks [3, 4, 14, 3]; input 3x112x112, dropout 0."""

    BLOCKS = {18: (2, 2, 2, 2), 34: (3, 4, 6, 3), 50: (3, 4, 14, 3), 100: (3, 13, 30, 3)}

    def __init__(self, depth=50, embedding=512):
        super().__init__()
        layers = [nn.Conv2d(3, 64, 3, 1, 1, bias=False), nn.BatchNorm2d(64, eps=1e-5),
                  nn.PReLU(64, init=0.25)]
        cin = 64
        for planes, n in zip((64, 128, 256, 512), self.BLOCKS[depth]):
            for i in range(n):
                layers.append(IBasicBlock(cin, planes, 2 if i == 0 else 1, i == 0))
                cin = planes
        layers += [nn.BatchNorm2d(512, eps=1e-5), nn.Flatten(), nn.Dropout(0.0),
                   nn.Linear(512 * 7 * 7, embedding)]
        self.layers = nn.Sequential(*layers)
        self.features = nn.BatchNorm1d(embedding, eps=1e-5)
        nn.init.constant_(self.features.weight, 1.0)
        self.features.weight.requires_grad = False

    def forward(self, x):
        return self.features(self.layers(x))


def backbone(model):
    if model == "cnn":
        return SmallCnn(128), 128
    if model == "mobilefacenet":
        return MobileFaceNet(), 512
    if model.startswith("iresnet"):
        return IResNet(int(model[len("iresnet"):])), 512
    raise ValueError(f"unknown model {model}")


def counts(module):
    trained = sum(q.numel() for q in module.parameters() if q.requires_grad)
    frozen = sum(q.numel() for q in module.parameters() if not q.requires_grad)
    return trained, frozen


class RingModel(nn.Module):
    """Embedding, linear head and the ring radius R (a learned scalar)."""

    def __init__(self, embedding=128, classes=10, ring=True, model="cnn"):
        super().__init__()
        self.embedding, embedding = backbone(model)
        self.head = nn.Linear(embedding, classes)
        self.ring = RingLoss("squared", lam=0.01) if ring else None

    def forward(self, x):
        f = self.embedding(x)
        return self.head(f), f


PHASES = ("zero_grad", "forward", "loss", "backward", "optimiser", "readback", "free")


def profile(a, model, batch_of, take):
    """StepProfile's counterpart: the same lines (STEP, PHASE, FLOPS, TRACE), the same phases.

    Phases: zero_grad (Java has none: its gradients are overwritten), forward, loss, backward,
    optimiser, readback (loss.item(), the Java side's getFloat) and free (dropping the step's
    tensors). The profiled steps mark each phase with record_function("phase:NAME"), which
    trace_ops.py reads as the phase bounds. FLOPS: torch.profiler's with_flops count of one forward
    pass of the backbone alone, conv2d and linear/addmm/mm ops (2 FLOPs per multiply-add).
    """
    from torch.profiler import ProfilerActivity, profile as torch_profile, record_function

    for step in range(a.warmup):
        t = time.perf_counter()
        x, y = batch_of(step)
        take(x, y).item()
        print(f"STEP\tpython\t{step}\twarmup\t{(time.perf_counter() - t) * 1e3:.1f}")
    sums = dict.fromkeys(PHASES, 0.0)
    start = time.perf_counter()
    for step in range(a.warmup, a.warmup + a.steps):
        t = time.perf_counter()
        x, y = batch_of(step)
        last = [time.perf_counter()]

        def clock(name):
            now = time.perf_counter()
            sums[name] += now - last[0]
            last[0] = now

        loss = take(x, y, clock)
        loss.item()
        clock("readback")
        del loss, x, y
        clock("free")
        print(f"STEP\tpython\t{step}\ttimed\t{(time.perf_counter() - t) * 1e3:.1f}")
    step_ms = (time.perf_counter() - start) * 1e3 / a.steps
    for name in PHASES:
        print(f"PHASE\tpython\t{name}\t{sums[name] * 1e3 / a.steps:.2f}")
    print(f"PHASE\tpython\tstep\t{step_ms:.2f}")

    with torch_profile(activities=[ProfilerActivity.CPU], record_shapes=True,
                       with_flops=True) as prof:
        for step in range(a.profile_steps):
            x, y = batch_of(step)
            marks = {"cur": None}

            def mark(name):
                if marks["cur"] is not None:
                    marks["cur"].__exit__(None, None, None)
                marks["cur"] = None
                following = {"zero_grad": "forward", "forward": "loss", "loss": "backward",
                             "backward": "optimiser"}.get(name)
                if following:
                    marks["cur"] = record_function("phase:" + following)
                    marks["cur"].__enter__()

            marks["cur"] = record_function("phase:zero_grad")
            marks["cur"].__enter__()
            loss = take(x, y, mark)
            with record_function("phase:readback"):
                loss.item()
            with record_function("phase:free"):
                del loss, x, y
    prof.export_chrome_trace(a.profile)
    print(f"TRACE\tpython\t{a.profile}\t-\t{a.profile_steps} steps of {a.batch}")

    # Forward FLOPs per image of the backbone alone, as counted by the profiler.
    x, _ = batch_of(0)
    with torch.no_grad(), torch_profile(activities=[ProfilerActivity.CPU], with_flops=True) as fp:
        model.embedding(x)
    conv = sum(e.flops for e in fp.key_averages() if e.key in ("aten::conv2d",))
    linear = sum(e.flops for e in fp.key_averages()
                 if e.key in ("aten::addmm", "aten::mm", "aten::linear", "aten::matmul"))
    print(f"FLOPS\tpython\t{a.model}\tembedding\tconv {conv / a.batch / 1e9:.4f} + linear "
          f"{linear / a.batch / 1e9:.4f} = {(conv + linear) / a.batch / 1e9:.4f} GFLOP forward per "
          f"image (torch.profiler with_flops)")
    return 0


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--variant", default="softmax+ring", choices=["softmax+ring", "plain-softmax"])
    p.add_argument("--steps", type=int, default=200)
    p.add_argument("--warmup", type=int, default=20)
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--lam", type=float, default=0.01)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--data", default=DATA_DIR)
    p.add_argument("--model", default="cnn",
                   help="cnn (Fashion-MNIST), mobilefacenet or iresnet50 (random 3x112x112)")
    p.add_argument("--classes", type=int, default=1000, help="head classes of a face model")
    p.add_argument("--per-step", action="store_true",
                   help="print every step's milliseconds (STEP lines), warm-up included")
    p.add_argument("--profile", metavar="TRACE",
                   help="StepProfile's counterpart: per-step times, phase times over --steps steps, "
                        "then --profile-steps steps under torch.profiler written to TRACE")
    p.add_argument("--profile-steps", type=int, default=2)
    a = p.parse_args()

    torch.set_num_threads(a.threads)
    torch.set_num_interop_threads(1)
    torch.manual_seed(42)

    face = a.model != "cnn"
    if face:
        rng = np.random.default_rng(42)
        pool_x = [rng.random((a.batch, 3, 112, 112), dtype=np.float32) for _ in range(4)]
        pool_y = [rng.integers(0, a.classes, a.batch).astype(np.int64) for _ in range(4)]
    else:
        images = read_idx(find(a.data, "train-images-idx3-ubyte"))
        labels = read_idx(find(a.data, "train-labels-idx1-ubyte")).astype(np.int64)
        n = images.shape[0]

    ring = a.variant == "softmax+ring"
    model = RingModel(ring=ring, model=a.model, classes=a.classes if face else 10)
    if ring:
        model.ring.lam = a.lam
    model.train()
    if face:
        bt, bf = counts(model.embedding)
        tt, tf = counts(model)
        print(f"python {a.model}: backbone {bt:,} trained + {bf:,} frozen; with head"
              f"{' and R' if ring else ''}: {tt:,} trained, {tf:,} frozen")
    decayed = [q for name, q in model.named_parameters() if name != "ring.radius"]
    groups = [{"params": decayed, "weight_decay": 5e-4}]
    if ring:
        # ringloss4j's --radius-lr-mult auto: with SGD, R's learning rate is lr / lambda.
        groups.append({"params": [model.ring.radius], "weight_decay": 0.0, "lr": 0.01 / a.lam})
    optimizer = torch.optim.SGD(groups, lr=0.01, momentum=0.9)

    cursor = 0

    def batch_of(step):
        nonlocal cursor
        if face:
            return torch.tensor(pool_x[step % 4]), torch.tensor(pool_y[step % 4])
        index = (np.arange(cursor, cursor + a.batch)) % n
        cursor = (cursor + a.batch) % n
        return (torch.from_numpy(images[index]).to(torch.float32).div_(255).unsqueeze_(1),
                torch.from_numpy(labels[index]))

    def take(x, y, clock=None):
        """One step; with a clock, each phase is timed (clock(name) is called as it ends)."""
        tick = clock or (lambda name: None)
        optimizer.zero_grad(set_to_none=True)
        tick("zero_grad")
        logits, f = model(x)
        tick("forward")
        loss = F.cross_entropy(logits, y)
        if ring:
            loss = loss + model.ring(f)
        tick("loss")
        loss.backward()
        tick("backward")
        optimizer.step()
        tick("optimiser")
        return loss

    if a.profile:
        return profile(a, model, batch_of, take)

    start = None
    for step in range(a.warmup + a.steps):
        if step == a.warmup:
            start = time.perf_counter()
            cpu_start = time.process_time()
        t = time.perf_counter()
        x, y = batch_of(step)
        take(x, y)
        if a.per_step:
            print(f"STEP\tpython\t{step}\t{'warmup' if step < a.warmup else 'timed'}\t"
                  f"{(time.perf_counter() - t) * 1e3:.1f}")
    seconds = time.perf_counter() - start
    cpu = time.process_time() - cpu_start
    rate = a.steps * a.batch / seconds
    print(f"python {a.variant} (torch {torch.__version__}, {torch.get_num_threads()} threads): "
          f"{a.steps} steps of {a.batch} in {seconds:.3f} s: {rate:.1f} images/s, "
          f"{cpu * 1e3 / a.steps:.2f} ms process CPU/step")
    print(f"RESULT\tpython\t{a.variant}\tlean\t{rate:.3f}\t{a.steps}\t{seconds:.4f}\t{cpu:.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
