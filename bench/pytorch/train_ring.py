#!/usr/bin/env python3
"""Training throughput of softmax + ring loss in plain PyTorch: the peer of TrainThroughput.

The same configuration as ringloss4j's default model (cli: Backbones.smallCnn, ModelFactory):

  conv3x3(32, pad 1)-BN-ReLU-maxpool2, conv3x3(64, pad 1)-BN-ReLU-maxpool2, flatten,
  FC(256)-ReLU, FC(128) = the embedding f, linear head FC(10);
  loss = CE(logits, y) + lambda * mean(0.5 * (||f|| - R)^2), lambda = 0.01, R learned and set to
  the first batch's mean norm; SGD momentum 0.9, lr 0.01, weight decay 5e-4 on every parameter
  but R, whose learning rate is lr / lambda (the application's --radius-lr-mult auto); batch 128;
  2 intra-op threads, 1 inter-op thread.

Data: Fashion-MNIST read straight from the IDX gzip files with numpy. Each step takes the next
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


class RingModel(nn.Module):
    """Embedding, linear head and the ring radius R (a learned scalar)."""

    def __init__(self, embedding=128, classes=10, ring=True):
        super().__init__()
        self.embedding = SmallCnn(embedding)
        self.head = nn.Linear(embedding, classes)
        self.ring = ring
        self.radius = nn.Parameter(torch.zeros(1)) if ring else None
        self.radius_initialised = False

    def forward(self, x):
        f = self.embedding(x)
        return self.head(f), f


def ring_term(model, f, lam):
    norms = f.norm(dim=1)
    if not model.radius_initialised:
        with torch.no_grad():
            model.radius.fill_(norms.mean().item())
        model.radius_initialised = True
    return lam * (0.5 * (norms - model.radius) ** 2).mean()


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--variant", default="softmax+ring", choices=["softmax+ring", "plain-softmax"])
    p.add_argument("--steps", type=int, default=200)
    p.add_argument("--warmup", type=int, default=20)
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--lam", type=float, default=0.01)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--data", default=DATA_DIR)
    a = p.parse_args()

    torch.set_num_threads(a.threads)
    torch.set_num_interop_threads(1)
    torch.manual_seed(42)

    images = read_idx(find(a.data, "train-images-idx3-ubyte"))
    labels = read_idx(find(a.data, "train-labels-idx1-ubyte")).astype(np.int64)
    n = images.shape[0]

    ring = a.variant == "softmax+ring"
    model = RingModel(ring=ring)
    model.train()
    decayed = [q for name, q in model.named_parameters() if name != "radius"]
    groups = [{"params": decayed, "weight_decay": 5e-4}]
    if ring:
        # ringloss4j's --radius-lr-mult auto: with SGD, R's learning rate is lr / lambda.
        groups.append({"params": [model.radius], "weight_decay": 0.0, "lr": 0.01 / a.lam})
    optimizer = torch.optim.SGD(groups, lr=0.01, momentum=0.9)

    cursor = 0
    start = None
    for step in range(a.warmup + a.steps):
        if step == a.warmup:
            start = time.perf_counter()
            cpu_start = time.process_time()
        index = (np.arange(cursor, cursor + a.batch)) % n
        cursor = (cursor + a.batch) % n
        x = torch.from_numpy(images[index]).to(torch.float32).div_(255).unsqueeze_(1)
        y = torch.from_numpy(labels[index])
        optimizer.zero_grad(set_to_none=True)
        logits, f = model(x)
        loss = F.cross_entropy(logits, y)
        if ring:
            loss = loss + ring_term(model, f, a.lam)
        loss.backward()
        optimizer.step()
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
