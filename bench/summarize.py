#!/usr/bin/env python3
"""Summarises bench/results into the tables of docs/performance.md (Markdown on stdout).

  summarize.py [RESULTS_DIR]            every table whose input exists
  summarize.py --side-by-side TSV [STEPS_TSV [PEAK_TSV]]
                                        only the side-by-side table (with the per-step warm-up
                                        check and the share of the matmul peak when given)
  summarize.py --serving TSV [PEAK_TSV] only the serving side-by-side table (with the share of
                                        the matmul peak when given)

Inputs: JMH JSON files (-rf json) named RingTermBenchmark.json, EngineOpsBenchmark.json,
TrainingStepBenchmark.json,
ScoringBenchmark.json (and ScoringBenchmark-large.json, the engine paths at n >= 500 000),
step-overhead.tsv from StepOverhead, side-by-side.tsv from bench/side-by-side.sh and
serving-side-by-side.tsv from bench/serving-side-by-side.sh. Derived figures:

  ring term   effective bandwidth = 2 * batch * dim * 4 bytes / time (the feature matrix read and
              written once, the memcopy's traffic), and time / time(memcopy) at the same shape;
  training    time / time(plain-softmax), goal <= 1.02 (JMH, one fork per variant), and the
              interleaved StepOverhead ratio with its bootstrap interval;
  scoring     2 * probes * n * d / time as GFLOP/s for every path, and time / time(engineMatmul);
  memory      the PeakMemoryProfiler's peak RSS and heap, when the run used it.

Only the standard library: it runs under any python3.
"""

import json
import math
import os
import statistics
import sys

UNIT_SECONDS = {"ns/op": 1e-9, "us/op": 1e-6, "ms/op": 1e-3, "s/op": 1.0}


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def seconds(row):
    m = row["primaryMetric"]
    unit = UNIT_SECONDS[m["scoreUnit"]]
    # JMH writes "NaN" (a string) as the error of a run with too few iterations.
    return float(m["score"]) * unit, float(m["scoreError"]) * unit


def method(row):
    return row["benchmark"].rsplit(".", 1)[1]


def fmt_time(s):
    if s != s:  # NaN
        return "n/a"
    if s < 1e-3:
        return f"{s * 1e6:.1f} µs"
    if s < 1:
        return f"{s * 1e3:.2f} ms"
    return f"{s:.2f} s"


def fmt_err(s, err):
    if err != err or err == 0:
        return fmt_time(s)
    return f"{fmt_time(s)} ± {100 * err / s:.0f} %"


def table(header, rows):
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    out += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(out)


def ring_term(rows):
    by_shape = {}
    for r in rows:
        p = r["params"]
        key = (int(p["batch"]), int(p["dim"]))
        by_shape.setdefault(key, {})[(method(r), p.get("penalty"))] = r
    out = []
    for (batch, dim), entries in sorted(by_shape.items()):
        nbytes = 2 * batch * dim * 4
        copy = entries.get(("memcopy", None))
        copy_s = seconds(copy)[0] if copy else float("nan")
        lines = []
        order = [("memcopy", None), ("naiveSquared", None), ("squaredBefore", None)]
        spec = ["squared", "huber", "cauchy", "geman", "barron(alpha=1)"]
        order += sorted((k for k in entries if k[0] == "ringTerm"),
                        key=lambda k: (spec.index(k[1]) if k[1] in spec else len(spec), k[1]))
        for key in order:
            if key not in entries:
                continue
            s, err = seconds(entries[key])
            name = {"memcopy": "memcopy (bound)", "naiveSquared": "naive squared, f.norm(1)",
                    "squaredBefore": "squared, before (6abd7fe)"}.get(
                key[0], f"ring, {key[1]}")
            lines.append([name, fmt_err(s, err), f"{nbytes / s / 1e9:.2f}",
                          f"{s / copy_s:.1f}" if copy else "n/a"])
        out.append(f"**batch {batch} × dim {dim}** ({nbytes / 2 / 2**20:.2f} MiB of features)\n\n"
                   + table(["benchmark", "time/op", "effective GB/s", "× memcopy"], lines))
    return ("### Ring term: forward + backward vs. a copy of the features\n\n"
            "Effective GB/s = 2·batch·dim·4 bytes / time (computed here, not by JMH).\n\n"
            + "\n\n".join(out))


def engine_ops(rows):
    by_shape = {}
    for r in rows:
        p = r["params"]
        by_shape.setdefault((int(p["batch"]), int(p["dim"])), {})[method(r)] = r
    lines = []
    for (batch, dim), e in sorted(by_shape.items()):
        def t(m):
            return seconds(e[m])[0] if m in e else float("nan")
        lines.append([f"{batch} × {dim}",
                      fmt_err(*seconds(e["numberScalar"])) if "numberScalar" in e else "—",
                      fmt_err(*seconds(e["cachedScalar"])) if "cachedScalar" in e else "—",
                      f"{t('numberScalar') / t('cachedScalar'):.1f}",
                      fmt_err(*seconds(e["rowMaxAbs"])) if "rowMaxAbs" in e else "—",
                      fmt_err(*seconds(e["fusedNorm"])) if "fusedNorm" in e else "—",
                      fmt_err(*seconds(e["libraryNorm"])) if "libraryNorm" in e else "—"])
    return ("### Single engine operations (forward only)\n\n"
            "Scalar × [batch] vector: DJL's `v.mul(0.5)` vs `Scalars.mul(v, 0.5)`; on [batch, dim]: "
            "the scaled norm's `abs().max(axis 1)`, the engine's fused `norm(2, axis 1)`, and "
            "`Norms.rowNorms` (fused norm + range check).\n\n"
            + table(["batch × dim", "v.mul(0.5)", "Scalars.mul", "ratio", "abs().max(1)",
                     "fused norm", "Norms.rowNorms"], lines))


def training(rows):
    by = {r["params"]["variant"]: r for r in rows}
    base = by.get("plain-softmax")
    base_s = seconds(base)[0] if base else float("nan")
    lines = []
    for v in ("plain-softmax", "softmax", "softmax+ring"):
        if v not in by:
            continue
        r = by[v]
        s, err = seconds(r)
        batch = int(r["params"].get("batch", 128))
        ratio = s / base_s if base else float("nan")
        verdict = "" if v == "plain-softmax" else ("≤ 1.02 ✓" if ratio <= 1.02 else "> 1.02 ✗")
        lines.append([v, fmt_err(s, err), f"{batch / s:.0f}", f"{ratio:.3f}", verdict])
    return ("### Training step (batch 128, small CNN, SGD)\n\n"
            + table(["variant", "time/step", "images/s", "× plain-softmax", "goal"], lines))


def step_overhead(path):
    with open(path, encoding="utf-8") as f:
        header = f.readline().rstrip("\n").split("\t")
        rows = [dict(zip(header, line.rstrip("\n").split("\t"))) for line in f if line.strip()]
    lines = []
    orders = []
    for r in rows:
        median, low, high = float(r["median"]), float(r["low"]), float(r["high"])
        verdict = "≤ 1.02 ✓" if high <= 1.02 else ("> 1.02 ✗" if low > 1.02 else "undecided")
        cpu = (f"{float(r['cpu_median']):.4f} [{float(r['cpu_low']):.4f}, {float(r['cpu_high']):.4f}]"
               if r.get("cpu_median") else "—")
        lines.append([r["variant"], f"{float(r['baseline_ms']):.2f}", f"{float(r['variant_ms']):.2f}",
                      f"**{median:.4f}**", f"[{low:.4f}, {high:.4f}]", f"{float(r['total']):.4f}",
                      cpu, r["rounds"], verdict])
        if r.get("plain_first"):
            orders.append(f"{r['variant']}: {float(r['plain_first']):.4f} with plain-softmax built "
                          f"first, {float(r['variant_first']):.4f} with {r['variant']} built first")
    return ("### Training step, interleaved (StepOverhead, batch 128)\n\n"
            "Per-round ratio time(variant) / time(plain-softmax), rounds of "
            f"{rows[0]['block'] if rows else '?'} steps each, ABBA order; 95 % bootstrap interval "
            "of the median.\n\n"
            + table(["variant", "plain ms/step", "variant ms/step", "median ratio (wall)",
                     "95 % interval", "ratio of totals", "CPU-time ratio [95 %]", "rounds", "goal"],
                    lines)
            + ("\n\nMedian of each half (build order): " + "; ".join(orders) + "." if orders else ""))


def scoring(rows):
    groups = {}
    for r in rows:
        p = r["params"]
        key = (int(p["gallerySize"]), int(p["probes"]), int(p["dim"]), int(p["chunkRows"]))
        groups.setdefault(key, {})[method(r)] = r
    out = []
    for (n, probes, dim, chunk), entries in sorted(groups.items()):
        flops = 2.0 * probes * n * dim
        mm = entries.get("engineMatmul")
        mm_s = seconds(mm)[0] if mm else float("nan")
        lines = []
        for m, label in (("engineMatmul", "engine matmul only (bound)"),
                         ("engineTopK", "engine matmul + top-10"),
                         ("libraryEngineIdentification", "library, engine (EngineIdentification)"),
                         ("javaIdentification", "library, pure Java (Identification)")):
            if m not in entries:
                continue
            r = entries[m]
            s, err = seconds(r)
            sec = r.get("secondaryMetrics", {})
            rss = sec.get("·mem.peakRss", {}).get("score")
            heap = sec.get("·mem.peakHeap", {}).get("score")
            lines.append([label, fmt_err(s, err), f"{flops / s / 1e9:.1f}",
                          f"{s / mm_s:.2f}" if mm else "n/a",
                          f"{rss:.0f}" if rss is not None else "—",
                          f"{heap:.0f}" if heap is not None else "—"])
        out.append(f"**n = {n:,} gallery × {probes} probes, d = {dim}** "
                   f"({flops / 1e9:.1f} GFLOP per pass, gallery {n * dim * 4 / 2**20:.0f} MiB float32, "
                   f"engine chunks of {chunk} rows)\n\n"
                   + table(["path", "time/op", "GFLOP/s", "× matmul", "peak RSS MiB",
                            "peak heap MiB"], lines))
    return "### Identification scoring\n\n" + "\n\n".join(out)


# Forward FLOPs per image of the backbones at 3x112x112, d = 512: conv and linear multiply-adds,
# 2 FLOPs each, from the block tree (StepProfile's FLOPS line; torch.profiler's with_flops count
# agrees). InsightFace's arcface_torch README gives 6.3 G for r50 and 0.45 G for mbf, counting a
# multiply-add as one. Training = 3 x forward (forward, and a backward twice its cost: the
# gradients of the inputs and of the weights). The cnn is Backbones.smallCnn at 1x28x28.
FORWARD_GFLOPS = {"iresnet50": 12.6187, "mobilefacenet": 0.8750}
TRAINING_PER_FORWARD = 3

# Two-sided 97.5 % quantiles of Student's t, by degrees of freedom.
T975 = {1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306,
        9: 2.262, 10: 2.228, 11: 2.201, 12: 2.179, 13: 2.160, 14: 2.145, 15: 2.131, 16: 2.120,
        17: 2.110, 18: 2.101, 19: 2.093, 20: 2.086, 25: 2.060, 30: 2.042, 40: 2.021, 60: 2.000}


def t975(df):
    if df in T975:
        return T975[df]
    below = [k for k in T975 if k <= df]
    return T975[max(below)] if below and df <= 60 else 1.96


def paired_ratio(java, py):
    """Geometric mean of the per-round ratios java/python, and its 95 % t-interval on the logs."""
    logs = [math.log(j / p) for j, p in zip(java, py)]
    n = len(logs)
    mean = sum(logs) / n
    if n < 2:
        return math.exp(mean), float("nan"), float("nan"), n
    sd = statistics.stdev(logs)
    half = t975(n - 1) * sd / math.sqrt(n)
    return math.exp(mean), math.exp(mean - half), math.exp(mean + half), n


def read_tsv(path):
    with open(path, encoding="utf-8") as f:
        header = f.readline().rstrip("\n").split("\t")
        return [dict(zip(header, line.rstrip("\n").split("\t"))) for line in f if line.strip()]


def warmup_check(steps_path, variant):
    """Per side: median ms of the last warm-up step and of the timed steps, over the rounds."""
    if not steps_path or not os.path.exists(steps_path):
        return ""
    rows = [r for r in read_tsv(steps_path) if r["variant"] == variant]
    if not rows:
        return ""
    out = []
    for side in ("java", "python"):
        mine = [r for r in rows if r["side"] == side]
        warm = {}
        for r in mine:
            if r["phase"] == "warmup":
                k = r["round"]
                if k not in warm or int(r["step"]) > int(warm[k]["step"]):
                    warm[k] = r
        timed = [float(r["ms"]) for r in mine if r["phase"] == "timed"]
        first = [float(r["ms"]) for r in mine if r["phase"] == "timed"
                 and int(r["step"]) == min(int(q["step"]) for q in mine if q["phase"] == "timed")]
        if not timed:
            continue
        mt = statistics.median(timed)
        lw = statistics.median(float(r["ms"]) for r in warm.values()) if warm else float("nan")
        mf = statistics.median(first) if first else float("nan")
        out.append(f"{side}: last warm-up step {lw:.0f} ms, first timed step {mf:.0f} ms, "
                   f"median timed step {mt:.0f} ms ({lw / mt:.2f}x)")
    return ("Warm-up check (medians over the rounds; a last warm-up step near 1.00x the timed "
            "median means the warm-up had ended): " + "; ".join(out) + ".") if out else ""


def peak_lines(peak_path):
    """{(side, shape): [gflops at start, at end]} from bench/peak.sh's TSV."""
    if not peak_path or not os.path.exists(peak_path):
        return {}
    peaks = {}
    for r in read_tsv(peak_path):
        peaks.setdefault((r["side"], r["shape"]), {})[r["tag"]] = float(r["gflops"])
    return peaks


def side_by_side(path, steps_path=None, peak_path=None):
    runs = {}
    for row in read_tsv(path):
        runs.setdefault(row["variant"], {}).setdefault(row["side"], []).append(
            float(row["images_per_s"]))
        steps, threads = row["steps"], row["threads"]
    model = os.environ.get("SIDE_BY_SIDE_MODEL", "cnn")
    peaks = peak_lines(peak_path)
    out = []
    for variant, sides in runs.items():
        java, py = sides.get("java", []), sides.get("python", [])
        rounds = max(len(java), len(py))
        lines = []
        for i in range(rounds):
            ratio = f"{java[i] / py[i]:.3f}" if i < len(java) and i < len(py) else ""
            lines.append([f"round {i + 1}", f"{java[i]:.1f}" if i < len(java) else "",
                          f"{py[i]:.1f}" if i < len(py) else "", ratio])
        mj = statistics.median(java) if java else float("nan")
        mp = statistics.median(py) if py else float("nan")
        lines.append(["**median**", f"**{mj:.1f}**", f"**{mp:.1f}**", ""])
        gm, low, high, n = paired_ratio(java, py)
        batch = os.environ.get("SIDE_BY_SIDE_BATCH", "128")
        text = (f"**{variant}**, {steps} timed steps of {batch}, {threads} threads: ratio "
                f"java/python = **{gm:.3f}**, 95 % interval [{low:.3f}, {high:.3f}], lower end "
                f"**{low:.3f}** (geometric mean of the {n} per-round ratios, Student-t interval "
                f"on their logarithms, rounds paired); ratio of the medians {mj / mp:.3f}. "
                + "".join(f"Round 1 is the slowest {side} round: warm-up too short? "
                          for side, xs in (("java", java), ("python", py))
                          if len(xs) > 2 and xs[0] == min(xs))
                + "\n\n" + table(["", "ringloss4j images/s", "PyTorch images/s", "java/python"],
                                  lines))
        check = warmup_check(steps_path, variant)
        if check:
            text += "\n\n" + check
        if model in FORWARD_GFLOPS and peaks:
            train = TRAINING_PER_FORWARD * FORWARD_GFLOPS[model]
            rows = []
            for side, rate in (("java", mj), ("python", mp)):
                achieved = rate * train
                for shape in ("square", "conv-gemm"):
                    got = peaks.get((side, shape), {})
                    ref = max(got.values()) if got else float("nan")
                    rows.append([side, shape, f"{got.get('start', float('nan')):.1f}",
                                 f"{got.get('end', float('nan')):.1f}", f"{achieved:.1f}",
                                 f"{100 * achieved / ref:.0f} %"])
            text += ("\n\nShare of the peak: training GFLOP/s = images/s (median) x "
                     f"{train:.2f} GFLOP per image ({TRAINING_PER_FORWARD} x the forward "
                     f"{FORWARD_GFLOPS[model]:.4f}, 2 FLOPs per multiply-add), against the "
                     "better of the start and end float32 matmul rates of the same engine "
                     "(bench/peak.sh)\n\n"
                     + table(["side", "matmul", "peak at start GFLOP/s", "peak at end GFLOP/s",
                              "training GFLOP/s", "share of peak"], rows))
        out.append(text)
    what = os.environ.get("SIDE_BY_SIDE_WHAT", "Fashion-MNIST")
    return f"### Side by side with PyTorch ({what}, training)\n\n" + "\n\n".join(out)


def serving(path, peak_path=None):
    """bench/serving-side-by-side.sh's rows: per model and batch, the medians over rounds of each
    side's images/s and per-call median and p95 latency, the ratio java/python of the medians,
    and the geometric mean of the per-round ratios with its 95 % t-interval (java and python of
    one round ran back to back, so a slow phase of the machine hits both); with bench/peak.sh's
    TSV, each side's forward GFLOP/s (images/s x the forward FLOPs, twice with flip-sum) as a
    share of the same engine's matmul peak in the same run."""
    runs = {}
    with open(path, encoding="utf-8") as f:
        header = f.readline().rstrip("\n").split("\t")
        for line in f:
            row = dict(zip(header, line.rstrip("\n").split("\t")))
            key = (row["model"], int(row["batch"]))
            runs.setdefault(key, {}).setdefault(row["side"], {})[int(row["round"])] = row
    peaks = peak_lines(peak_path)
    passes = 2 if os.environ.get("SERVING_FLIP_SUM", "0") == "1" else 1
    lines = []
    shares = []
    for (model, batch), sides in sorted(runs.items()):
        java, py = sides.get("java", {}), sides.get("python", {})

        def med(side, col):
            vals = [float(r[col]) for r in side.values()]
            return statistics.median(vals) if vals else float("nan")

        both = [r for r in sorted(java) if r in py]
        paired = [float(java[r]["images_per_s"]) / float(py[r]["images_per_s"]) for r in both]
        gm, low, high, _ = paired_ratio([float(java[r]["images_per_s"]) for r in both],
                                        [float(py[r]["images_per_s"]) for r in both]) \
            if both else (float("nan"),) * 4
        slow_first = sum(int(r["first_slowest"]) for s in (java, py) for r in s.values())
        jr, pr = med(java, "images_per_s"), med(py, "images_per_s")
        lines.append([
            model, batch, len(paired),
            f"{med(java, 'median_ms'):.1f} / {med(java, 'p95_ms'):.1f}",
            f"{med(py, 'median_ms'):.1f} / {med(py, 'p95_ms'):.1f}",
            f"{jr:.2f}", f"{pr:.2f}", f"{jr / pr:.3f}",
            f"**{gm:.3f}** [{low:.3f}, {high:.3f}]",
            (f"{min(paired):.3f}–{max(paired):.3f}" if paired else "n/a"),
            slow_first])
        if model in FORWARD_GFLOPS and peaks:
            per_image = passes * FORWARD_GFLOPS[model]
            for side, rate in (("java", jr), ("python", pr)):
                got = peaks.get((side, "square"), {})
                ref = max(got.values()) if got else float("nan")
                shares.append([model, batch, side, f"{rate * per_image:.1f}", f"{ref:.1f}",
                               f"{100 * rate * per_image / ref:.0f} %"])
    text = ("### Serving side by side with PyTorch (embedding, preprocessing included)\n\n"
            + table(["model", "batch", "rounds", "java ms per call: median / p95",
                     "python ms per call: median / p95", "java images/s", "python images/s",
                     "ratio of medians", "java/python: geometric mean [95 % interval]",
                     "per-round range", "runs whose first timed call was the slowest"], lines))
    if shares:
        text += ("\n\nShare of the peak: forward GFLOP/s = images/s (median) x "
                 f"{passes} x the forward FLOPs per image (2 per multiply-add), against the "
                 "better of the start and end 2048^3 float32 matmul rates of the same engine "
                 "(bench/peak.sh)\n\n"
                 + table(["model", "batch", "side", "forward GFLOP/s", "matmul peak GFLOP/s",
                          "share of peak"], shares))
    return text


def main(argv):
    if len(argv) >= 2 and argv[0] == "--side-by-side":
        print(side_by_side(*argv[1:4]))
        return 0
    if len(argv) >= 2 and argv[0] == "--serving":
        print(serving(*argv[1:3]))
        return 0
    results = argv[0] if argv else os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                "results")
    sections = []
    for names, fn in ((["RingTermBenchmark.json"], ring_term),
                      (["EngineOpsBenchmark.json"], engine_ops),
                      (["TrainingStepBenchmark.json"], training),
                      (["ScoringBenchmark.json", "ScoringBenchmark-large.json"], scoring)):
        rows = []
        for name in names:
            path = os.path.join(results, name)
            if os.path.exists(path):
                rows += load(path)
        if rows:
            sections.append(fn(rows))
        if names[0] == "TrainingStepBenchmark.json":
            overhead = os.path.join(results, "step-overhead.tsv")
            if os.path.exists(overhead):
                sections.append(step_overhead(overhead))
    tsv = os.path.join(results, "side-by-side.tsv")
    if os.path.exists(tsv):
        sections.append(side_by_side(tsv))
    tsv = os.path.join(results, "serving-side-by-side.tsv")
    if os.path.exists(tsv):
        sections.append(serving(tsv))
    if not sections:
        print(f"no results in {results}: run bench/run.sh first", file=sys.stderr)
        return 1
    machine = os.path.join(results, "machine.txt")
    if os.path.exists(machine):
        with open(machine, encoding="utf-8") as f:
            if "mode: quick" in f.read():
                sections.insert(0, "> **Quick smoke run** (bench/run.sh --quick): few iterations, "
                                   "small sizes. Not figures.")
    print("\n\n".join(sections))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
