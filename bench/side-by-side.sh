#!/usr/bin/env bash
# Training throughput, ringloss4j (DJL + PyTorch engine) against the same model in plain PyTorch.
#
#   bench/side-by-side.sh            3 rounds, 200 timed steps after 20 warm-up steps each
#   bench/side-by-side.sh --quick    2 rounds, 20 timed steps after 5 warm-up steps (a smoke run)
#
# Environment: ROUNDS, STEPS, WARMUP, THREADS (default 2), VARIANTS (default "softmax+ring";
# add plain-softmax to compare the ring's overhead on both sides), PYTHON (default
# /usr/bin/python3, Debian's, which python3-torch installs into), SKIP_BUILD=1.
#
# MODEL (default cnn, Fashion-MNIST at batch 128): mobilefacenet or iresnet50 compares a
# face-recognition backbone at 3x112x112, d = 512, with a CLASSES-way softmax head (default 1000),
# on random data on both sides (no data set needed); BATCH sets the batch (default 128, or 16 for
# a face model). Face models are slow on a CPU (IResNet-50 a few images/s), so set STEPS and
# WARMUP small, e.g. MODEL=iresnet50 ROUNDS=2 STEPS=10 WARMUP=2 bench/side-by-side.sh.
#
# Java and Python runs are interleaved (java, python, java, python, ...) with the same thread
# settings, so a slow phase of the machine hits both. The table gives every run's images/s, the
# medians and the ratio java/python; the rows go to bench/results/side-by-side.tsv.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
results="$here/results"
jar="$here/target/benchmarks.jar"

rounds="${ROUNDS:-3}"
steps="${STEPS:-200}"
warmup="${WARMUP:-20}"
threads="${THREADS:-2}"
variants="${VARIANTS:-softmax+ring}"
python="${PYTHON:-/usr/bin/python3}"
model="${MODEL:-cnn}"
classes="${CLASSES:-1000}"
if [ "$model" = cnn ]; then batch="${BATCH:-128}"; else batch="${BATCH:-16}"; fi

if [ "${1:-}" = "--quick" ]; then
  rounds="${ROUNDS:-2}"
  steps="${STEPS:-20}"
  warmup="${WARMUP:-5}"
elif [ -n "${1:-}" ]; then
  echo "usage: bench/side-by-side.sh [--quick]" >&2
  exit 2
fi

prog=side-by-side
# shellcheck source=bench/side-by-side-setup.sh
. "$here/side-by-side-setup.sh"

data="${FASHION_MNIST_DIR:-/usr/share/datasets/fashion-mnist}"
[ "$model" != cnn ] || [ -d "$data" ] || die "$data is missing: install Debian's dataset-fashion-mnist (the ringloss script does)"

# The face models train on random data (the same on both sides): no --data for them.
data_args=(--data "$data")
[ "$model" = cnn ] || data_args=()

run_java() {
  java -Xmx4g -Dai.djl.offline=true -Dai.djl.pytorch.num_threads="$threads" \
    -Dai.djl.pytorch.num_interop_threads=1 -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
    -cp "$jar" io.github.ringloss4j.bench.TrainThroughput \
    --variant "$1" --steps "$steps" --warmup "$warmup" "${data_args[@]}" --model "$model" \
    --classes "$classes" --batch "$batch" | awk -F'\t' '/^RESULT/ {print $5}'
}

run_python() {
  "$python" "$here/pytorch/train_ring.py" --variant "$1" --steps "$steps" --warmup "$warmup" \
    --threads "$threads" --data "$data" --model "$model" --classes "$classes" --batch "$batch" | awk -F'\t' '/^RESULT/ {print $5}'
}

mkdir -p "$results"
tsv="$results/side-by-side.tsv"
torch_version="$("$python" -c 'import torch; print(torch.__version__)')"
printf 'side\tvariant\tround\timages_per_s\tsteps\twarmup\tthreads\n' >"$tsv"
[ "$model" = cnn ] || tsv_model="$results/side-by-side-$model.tsv"
if [ -n "${tsv_model:-}" ]; then cp "$tsv" "$tsv_model"; tsv="$tsv_model"; fi

load="$(cut -d' ' -f1 /proc/loadavg 2>/dev/null || echo '?')"
echo "side-by-side: $rounds rounds x $steps steps (after $warmup warm-up) at batch $batch, model $model, $threads threads;"
echo "  java: DJL 0.36.0 + libtorch 2.7.1 (MKL); python: $python, torch $torch_version, BLAS $blas"
echo "  load average before the run: $load (a busy machine distorts both sides)"

for variant in $variants; do
  for round in $(seq 1 "$rounds"); do
    j="$(run_java "$variant")"
    [ -n "$j" ] || die "the Java run printed no RESULT line"
    printf 'java\t%s\t%s\t%s\t%s\t%s\t%s\n' "$variant" "$round" "$j" "$steps" "$warmup" "$threads" >>"$tsv"
    p="$(run_python "$variant")"
    [ -n "$p" ] || die "the Python run printed no RESULT line"
    printf 'python\t%s\t%s\t%s\t%s\t%s\t%s\n' "$variant" "$round" "$p" "$steps" "$warmup" "$threads" >>"$tsv"
    printf '  %-13s round %d: java %8.1f images/s   python %8.1f images/s\n' "$variant" "$round" "$j" "$p"
  done
done

what="Fashion-MNIST"
[ "$model" = cnn ] || what="$model, random 3x112x112, $classes classes"
SIDE_BY_SIDE_BATCH="$batch" SIDE_BY_SIDE_WHAT="$what" \
  "${SUMMARY_PYTHON:-python3}" "$here/summarize.py" --side-by-side "$tsv"
