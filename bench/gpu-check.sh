#!/usr/bin/env bash
# A short, self-checking run for whoever has a GPU (no machine of this project has one).
#
#   bench/gpu-check.sh            every visible GPU (--devices gpu), IResNet-50 + ring loss
#   GPU_CHECK_DEVICES=gpu:0 bench/gpu-check.sh
#
# It writes 12,800 synthetic 112x112 faces (200 identities x 64, packed), trains IResNet-50 with
# softmax + ring (lambda 0.01) for 2 epochs of 200 steps of 64 images on the GPUs in data
# parallel, prints images/s, R and the loss per epoch, and fails (exit 1) unless the loss fell,
# R is finite and positive and near the mean feature norm. A few minutes on one recent GPU.
# The launcher runs in GPU mode (RINGLOSS_DEVICE=gpu): DJL may download its CUDA build of
# libtorch on the first run (set PYTORCH_FLAVOR=cu1xx to choose one).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="${GPU_CHECK_DIR:-$(mktemp -d)}"
devices="${GPU_CHECK_DEVICES:-gpu}"
export RINGLOSS_DEVICE=gpu

echo "gpu-check: data and run in $work" >&2
"$here/ringloss" synth --identities 200 --per-identity 64 --out "$work/faces" --packed --seed 1 --variation none
"$here/ringloss" train --data "$work/faces" --out "$work/run" --model iresnet50 \
  --embedding-size 512 --image-size 112 --channels 3 --batch-size 64 --epochs 2 \
  --validation-fraction 0 --lambda 0.01 --lr 0.1 --devices "$devices" --progress lines

python3 - "$work/run/metrics.csv" <<'PY'
import csv, math, sys
rows = list(csv.DictReader(open(sys.argv[1])))
for r in rows:
    print("epoch %s: %.0f images/s, loss %.4f, R %s, mean ||f|| %.3f" % (
        r["epoch"], float(r["images_per_second"]), float(r["train_total"]),
        r["radius"] or "-", float(r["train_norm_mean"])))
first, last = rows[0], rows[-1]
r = float(last["radius"])
ok = (float(last["train_total"]) < float(first["train_total"])
      and math.isfinite(r) and r > 0
      and abs(r - float(last["train_norm_mean"])) < 0.5 * float(last["train_norm_mean"]))
print("gpu-check:", "PASS" if ok else "FAIL")
sys.exit(0 if ok else 1)
PY
