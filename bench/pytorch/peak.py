#!/usr/bin/env python3
"""The float32 matrix-multiply rate of this machine through PyTorch: MatmulPeak's counterpart.

Same shapes as MatmulPeak: a square n x n product (default 2048) and IResNet-50 stage 3's 3x3
convolution at batch 16 as im2col sees it, [16*14*14, 256*9] x [256*9, 256]. Best of --repeats
timed torch.mm calls after two untimed ones; GFLOP/s = 2*m*k*n / t (a multiply-add is 2 FLOPs).
One line per shape, tab-separated: PEAK python <shape> <m> <k> <n> <best seconds> <GFLOP/s>.
"""

import argparse
import sys
import time

import torch


def best_seconds(m, k, n, repeats):
    a = torch.rand(m, k) * 2 - 1
    b = torch.rand(k, n) * 2 - 1
    best = float("inf")
    for r in range(-2, repeats):
        t = time.perf_counter()
        torch.mm(a, b)
        s = time.perf_counter() - t
        if r >= 0:
            best = min(best, s)
    return best


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--n", type=int, default=2048)
    p.add_argument("--repeats", type=int, default=10)
    p.add_argument("--threads", type=int, default=2)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.set_num_interop_threads(1)
    for label, (m, k, n) in (("square", (a.n, a.n, a.n)),
                             ("conv-gemm", (16 * 14 * 14, 256 * 9, 256))):
        s = best_seconds(m, k, n, a.repeats)
        print(f"PEAK\tpython\t{label}\t{m}\t{k}\t{n}\t{s:.6f}\t{2.0 * m * k * n / s / 1e9:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
