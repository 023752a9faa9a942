#!/usr/bin/env bash
# Training throughput, ringloss4j (DJL + PyTorch engine) against the same model in plain PyTorch.
#
#   bench/side-by-side.sh            3 rounds, 200 timed steps after 20 warm-up steps each
#                                    (a face model: 7 rounds, 20 timed steps after 8 warm-up steps)
#   bench/side-by-side.sh --quick    2 rounds, 20 timed steps after 5 warm-up steps (a smoke run)
#
# Environment: ROUNDS, STEPS, WARMUP, THREADS (default 2), VARIANTS (default "softmax+ring";
# add plain-softmax to compare the ring's overhead on both sides), PYTHON (default
# /usr/bin/python3, Debian's, which python3-torch installs into), SKIP_BUILD=1; ALLOCATOR=glibc
# runs Java with glibc's default allocator instead of ./ringloss's (etc/allocator.sh), and
# PYTHON_ALLOCATOR=tuned gives Python ./ringloss's.
#
# MODEL (default cnn, Fashion-MNIST at batch 128): mobilefacenet or iresnet50 compares a
# face-recognition backbone at 3x112x112, d = 512, with a CLASSES-way softmax head (default 1000),
# on random data on both sides (no data set needed); BATCH sets the batch (default 128, or 16 for
# a face model). Face models are slow on a CPU (IResNet-50 a few images/s): their defaults are 7
# rounds of 20 timed steps after 8 warm-up steps (IResNet-50: about 30 minutes on 2 cores). Every
# run prints its per-step milliseconds (STEP lines, kept in bench/results/side-by-side-*steps.tsv),
# so that one can see the warm-up has ended; the summary checks it.
#
# Java and Python runs are interleaved (java, python, java, python, ...) with the same thread
# settings, so a slow phase of the machine hits both. The table gives every run's images/s, the
# medians, and the ratio java/python as the geometric mean of the per-round ratios with a 95 %
# t-interval on their logarithms (rounds are paired: java and python of one round ran back to
# back); the rows go to bench/results/side-by-side.tsv. bench/peak.sh measures the machine's
# float32 matrix-multiply peak on both engines at the start and at the end (side-by-side*-peak.tsv
# beside it), and the summary gives each side's training FLOP/s as a share of it.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
results="$here/results"
jar="$here/target/benchmarks.jar"

model="${MODEL:-cnn}"
if [ "$model" = cnn ]; then
  rounds="${ROUNDS:-3}"
  steps="${STEPS:-200}"
  warmup="${WARMUP:-20}"
else
  rounds="${ROUNDS:-7}"
  steps="${STEPS:-20}"
  warmup="${WARMUP:-8}"
fi
threads="${THREADS:-2}"
variants="${VARIANTS:-softmax+ring}"
python="${PYTHON:-/usr/bin/python3}"
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
  "${java_env[@]}" java -Xmx4g -Dai.djl.offline=true -Dai.djl.pytorch.num_threads="$threads" \
    -Dai.djl.pytorch.num_interop_threads=1 -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
    -cp "$jar" io.github.ringloss4j.bench.TrainThroughput \
    --variant "$1" --steps "$steps" --warmup "$warmup" "${data_args[@]}" --model "$model" \
    --classes "$classes" --batch "$batch" $per_step_java | record_steps "$2"
}

run_python() {
  "${python_env[@]}" "$python" "$here/pytorch/train_ring.py" --variant "$1" --steps "$steps" --warmup "$warmup" \
    --threads "$threads" --data "$data" --model "$model" --classes "$classes" --batch "$batch" \
    $per_step_python | record_steps "$2"
}

# Appends a run's STEP lines (side, variant, round, step, warmup|timed, ms) to the steps file and
# prints its images/s.
record_steps() {
  awk -F'\t' -v v="$variant" -v r="$1" -v f="$steps_tsv" 'BEGIN {OFS = "\t"}
    /^STEP/ {print $2, v, r, $3, $4, $5 >> f}
    /^RESULT/ {print $5}'
}

mkdir -p "$results"
tsv="$results/side-by-side.tsv"
torch_version="$("$python" -c 'import torch; print(torch.__version__)')"
printf 'side\tvariant\tround\timages_per_s\tsteps\twarmup\tthreads\n' >"$tsv"
[ "$model" = cnn ] || tsv_model="$results/side-by-side-$model.tsv"
if [ -n "${tsv_model:-}" ]; then cp "$tsv" "$tsv_model"; tsv="$tsv_model"; fi
steps_tsv="${tsv%.tsv}-steps.tsv"
printf 'side\tvariant\tround\tstep\tphase\tms\n' >"$steps_tsv"
peak_tsv="${tsv%.tsv}-peak.tsv"
rm -f "$peak_tsv"
# Per-step times: the face models' lean loop prints them (the cnn's loop does not).
per_step_java=""
per_step_python=""
if [ "$model" != cnn ]; then
  per_step_java="--per-step true"
  per_step_python="--per-step"
fi

load="$(cut -d' ' -f1 /proc/loadavg 2>/dev/null || echo '?')"
echo "side-by-side: $rounds rounds x $steps steps (after $warmup warm-up) at batch $batch, model $model, $threads threads;"
echo "  java: DJL 0.36.0 + libtorch 2.7.1 (MKL); python: $python, torch $torch_version, BLAS $blas"
echo "  $allocators"
echo "  load average before the run: $load (a busy machine distorts both sides)"
THREADS="$threads" PYTHON="$python" "$here/peak.sh" start "$peak_tsv"

for variant in $variants; do
  for round in $(seq 1 "$rounds"); do
    j="$(run_java "$variant" "$round")"
    [ -n "$j" ] || die "the Java run printed no RESULT line"
    printf 'java\t%s\t%s\t%s\t%s\t%s\t%s\n' "$variant" "$round" "$j" "$steps" "$warmup" "$threads" >>"$tsv"
    p="$(run_python "$variant" "$round")"
    [ -n "$p" ] || die "the Python run printed no RESULT line"
    printf 'python\t%s\t%s\t%s\t%s\t%s\t%s\n' "$variant" "$round" "$p" "$steps" "$warmup" "$threads" >>"$tsv"
    printf '  %-13s round %d: java %8.1f images/s   python %8.1f images/s\n' "$variant" "$round" "$j" "$p"
  done
done

THREADS="$threads" PYTHON="$python" "$here/peak.sh" end "$peak_tsv"

what="Fashion-MNIST"
[ "$model" = cnn ] || what="$model, random 3x112x112, $classes classes"
SIDE_BY_SIDE_BATCH="$batch" SIDE_BY_SIDE_WHAT="$what" SIDE_BY_SIDE_MODEL="$model" \
  "${SUMMARY_PYTHON:-python3}" "$here/summarize.py" --side-by-side "$tsv" "$steps_tsv" "$peak_tsv"
