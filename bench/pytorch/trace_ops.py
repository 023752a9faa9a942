#!/usr/bin/env python3
"""Counts and groups the engine operations of a profiled training step, per phase.

  trace_ops.py TRACE [PHASES_TSV] [--steps N] [--top 15] [--label java]

TRACE is a Chrome trace from libtorch's autograd profiler: StepProfile's (DJL's
JniUtils.stopProfile) or train_ring.py --profile's (torch.profiler.export_chrome_trace). Both hold
one "X" event per operator call, nested calls included (aten::conv2d > aten::convolution >
aten::_convolution > aten::mkldnn_convolution). Phases come from PHASES_TSV (name, start µs, end
µs; StepProfile writes it beside its trace) or, without it, from the trace's own "phase:NAME"
events (train_ring.py's record_function marks).

An engine operation is a top-level aten:: call: one not nested in another aten:: call on the same
thread (an autograd node's own event, e.g. ConvolutionBackward0, does not count as one). Its time
is its inclusive duration. Each is put in the phase its start falls in, and in a group by name:
convolution forward / backward, batch norm, PReLU, matmul (linear), copies, casts and views,
element-wise (add, mul, ... : the optimiser's arithmetic when in the optimiser phase), reductions,
allocation (empty, zeros, ...), and other. ringloss4j's PerChannelPrelu is relu, sub, mul, add (DJL
0.36 has no PReLU op on PyTorch), so on the Java side PReLU shows under element-wise. Figures are per step (divided by --steps, default: the number of
forward phases found).

Prints tab-separated OPS lines (label, phase, ops/step, ms/step), GROUP lines (label, group, ops,
ms) and TOP lines (label, name, phase, calls/step, ms/step). Only the standard library.
"""

import argparse
import json
import sys

GROUPS = (
    ("conv bwd", ("convolution_backward", "mkldnn_convolution_backward", "thnn_conv2d_backward",
                  "slow_conv2d_backward", "_convolution_double_backward")),
    ("conv fwd", ("conv2d", "convolution", "_convolution", "mkldnn_convolution",
                  "thnn_conv2d", "_slow_conv2d_forward")),
    ("batch norm", ("batch_norm", "native_batch_norm", "_batch_norm_impl_index",
                    "native_batch_norm_backward", "_native_batch_norm_legit",
                    "batch_norm_backward", "_batch_norm_impl_index_backward")),
    ("prelu", ("prelu", "_prelu_kernel", "_prelu_kernel_backward", "prelu_backward")),
    ("matmul", ("linear", "addmm", "mm", "matmul", "bmm", "t")),
    ("copy/cast/view", ("copy_", "to", "_to_copy", "clone", "contiguous", "type_as", "detach",
                   "transpose", "permute", "swapaxes",
                   "detach_", "reshape", "view", "flatten", "as_strided", "expand", "squeeze",
                   "unsqueeze", "slice", "select", "index_select", "_reshape_alias")),
    ("alloc/fill", ("empty", "empty_like", "zeros", "zeros_like", "ones", "ones_like", "full",
                    "fill_", "zero_", "empty_strided", "resize_", "new_empty", "new_zeros",
                    "scalar_tensor", "lift_fresh")),
    ("reduction", ("sum", "mean", "norm", "linalg_vector_norm", "max", "min", "amax",
                   "argmax", "log_softmax", "_log_softmax", "nll_loss", "nll_loss_nd",
                   "cross_entropy_loss", "_log_softmax_backward_data", "nll_loss_backward",
                   "logsumexp", "softmax", "_softmax", "item", "_local_scalar_dense")),
)


def group_of(name):
    short = name[len("aten::"):] if name.startswith("aten::") else name
    for group, names in GROUPS:
        if short in names:
            return group
    if short.rstrip("_") in ("add", "mul", "sub", "div", "addcmul", "addcdiv", "sqrt", "neg",
                             "pow", "abs", "sign", "where", "relu", "threshold",
                             "threshold_backward", "clamp", "exp", "log", "lt", "gt", "ge",
                             "le", "eq", "ne", "mul_", "rsub", "square", "maximum", "minimum"):
        return "element-wise"
    return "other"


def load_events(path):
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    events = data["traceEvents"] if isinstance(data, dict) else data
    return [e for e in events if e.get("ph") == "X" and "dur" in e]


def phases_from(events, tsv):
    if tsv:
        out = []
        with open(tsv, encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    name, a, b = line.rstrip("\n").split("\t")
                    out.append((float(a), float(b), name))
        return sorted(out)
    return sorted((float(e["ts"]), float(e["ts"]) + float(e["dur"]), e["name"][len("phase:"):])
                  for e in events if e["name"].startswith("phase:"))


def top_level_ops(events):
    """aten:: events not nested inside another aten:: event of the same thread."""
    by_thread = {}
    for e in events:
        if e["name"].startswith("aten::"):
            by_thread.setdefault(e.get("tid"), []).append(e)
    out = []
    for evs in by_thread.values():
        evs.sort(key=lambda e: (float(e["ts"]), -float(e["dur"])))
        open_end = -1.0
        for e in evs:
            ts = float(e["ts"])
            if ts >= open_end:
                out.append(e)
                open_end = ts + float(e["dur"])
    return out


def phase_at(phases, ts):
    for a, b, name in phases:
        if a <= ts < b:
            return name
    return "outside"


def main(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("trace")
    p.add_argument("phases", nargs="?")
    p.add_argument("--steps", type=int)
    p.add_argument("--top", type=int, default=15)
    p.add_argument("--label", default="trace")
    a = p.parse_args(argv)
    events = load_events(a.trace)
    phases = phases_from(events, a.phases)
    steps = a.steps or max(1, sum(1 for _, _, n in phases if n == "forward"))
    ops = top_level_ops(events)
    order = []
    for _, _, n in phases:
        if n not in order:
            order.append(n)
    per_phase = {}
    per_group = {}
    per_name = {}
    for e in ops:
        ph = phase_at(phases, float(e["ts"]))
        ms = float(e["dur"]) / 1e3
        c = per_phase.setdefault(ph, [0, 0.0])
        c[0] += 1
        c[1] += ms
        g = group_of(e["name"])
        if g == "element-wise" and ph == "optimiser":
            g = "optimiser element-wise"
        c = per_group.setdefault(g, [0, 0.0])
        c[0] += 1
        c[1] += ms
        c = per_name.setdefault((e["name"], ph), [0, 0.0])
        c[0] += 1
        c[1] += ms
    if "outside" in per_phase:
        order.append("outside")
    print(f"# {a.label}: {len(ops) / steps:.0f} engine ops per step (top-level aten:: calls), "
          f"{sum(c[1] for c in per_phase.values()) / steps:.1f} ms in them, {steps} profiled "
          f"step(s); times under the profiler")
    for ph in order:
        c = per_phase.get(ph, [0, 0.0])
        print(f"OPS\t{a.label}\t{ph}\t{c[0] / steps:.0f}\t{c[1] / steps:.2f}")
    print(f"OPS\t{a.label}\ttotal\t{len(ops) / steps:.0f}\t"
          f"{sum(c[1] for c in per_phase.values()) / steps:.2f}")
    for g, c in sorted(per_group.items(), key=lambda kv: -kv[1][1]):
        print(f"GROUP\t{a.label}\t{g}\t{c[0] / steps:.0f}\t{c[1] / steps:.2f}")
    for (name, ph), c in sorted(per_name.items(), key=lambda kv: -kv[1][1])[:a.top]:
        print(f"TOP\t{a.label}\t{name}\t{ph}\t{c[0] / steps:.0f}\t{c[1] / steps:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
