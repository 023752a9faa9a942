#!/usr/bin/env bash
# The machine's float32 matrix-multiply peak on both engines, for giving a run's figures as a share
# of a peak measured in the same run: Java (MatmulPeak: DJL matMul, libtorch 2.7.1 + MKL) and
# Python (bench/pytorch/peak.py: torch.mm, Debian's torch + its BLAS), square 2048^3 and a
# convolution-shaped GEMM, best of REPEATS, GFLOP/s = 2*m*k*n / t.
#
#   bench/peak.sh TAG [TSV]     appends "tag side shape m k n seconds gflops" rows to TSV
#                               (default bench/results/peak.tsv; header written when new)
#
# Callers (bench/side-by-side.sh) run it at the start and at the end of a run, tags "start" and
# "end". Needs bench/target/benchmarks.jar (the caller builds it) and PyTorch for PYTHON.
# Environment: THREADS (default 2), PYTHON (default /usr/bin/python3), REPEATS (default 10),
# PEAK_N (default 2048). About 10 s.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
tag="${1:?usage: bench/peak.sh TAG [TSV]}"
tsv="${2:-$here/results/peak.tsv}"
threads="${THREADS:-2}"
python="${PYTHON:-/usr/bin/python3}"
repeats="${REPEATS:-10}"
n="${PEAK_N:-2048}"
jar="$here/target/benchmarks.jar"
[ -f "$jar" ] || { echo "peak.sh: $jar is missing: build it first (see bench/side-by-side.sh)" >&2; exit 1; }

export DJL_CACHE_DIR="${DJL_CACHE_DIR:-$root/target/djl-cache}"
export OMP_NUM_THREADS="$threads" MKL_NUM_THREADS="$threads" OPENBLAS_NUM_THREADS="$threads"
mkdir -p "$(dirname "$tsv")"
[ -s "$tsv" ] || printf 'tag\tside\tshape\tm\tk\tn\tseconds\tgflops\n' >"$tsv"

{
  java -Xmx2g -Dai.djl.offline=true -Dai.djl.pytorch.num_threads="$threads" \
    -Dai.djl.pytorch.num_interop_threads=1 -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
    -cp "$jar" io.github.ringloss4j.bench.MatmulPeak --n "$n" --repeats "$repeats"
  "$python" "$here/pytorch/peak.py" --n "$n" --repeats "$repeats" --threads "$threads"
} | awk -F'\t' -v tag="$tag" 'BEGIN {OFS = "\t"} /^PEAK/ {print tag, $2, $3, $4, $5, $6, $7, $8}' |
  tee -a "$tsv" | awk -F'\t' '{printf "  peak (%s): %-6s %-9s %7.1f GFLOP/s\n", $1, $2, $3, $8}'
