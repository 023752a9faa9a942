#!/usr/bin/env bash
# Serving (embedding) latency and throughput, ringloss4j through the README's Criteria lines
# against the same network with the same weights in plain PyTorch.
#
#   bench/serving-side-by-side.sh            5 rounds of 64 timed images per model and batch
#
# Environment: MODELS (default "mobilefacenet iresnet50"), BATCHES (default "1 32"), ROUNDS
# (default 5), IMAGES (timed images per run, default 64; rounded up to whole batches), WARMUP
# (untimed images per run before the timed ones, default 8: max(2, ceil(WARMUP / batch)) calls,
# so 8 predict calls at batch 1 and 2 batchPredict calls at 32), THREADS (default 2), FLIP_SUM=1
# (import with --flip-sum; default: the import's preprocessing, no flip-sum, L2), PYTHON (default
# /usr/bin/python3, Debian's, with python3-torch), WORK (default /tmp/serving-side-by-side),
# SKIP_BUILD=1, ALLOCATOR=glibc (Java with glibc's default allocator instead of ./ringloss's,
# etc/allocator.sh), PYTHON_ALLOCATOR=tuned (Python with ./ringloss's).
#
# For each model: bench/pytorch/insightface_names.py measure writes torch's initialisation (with
# random BatchNorm statistics and PReLU slopes) as model.pth and 8 random 112x112 RGB PNGs;
# `ringloss import model.pth --model M` makes the Java directory from the same .pth, so both sides
# hold identical weights. Both sides embed the 8 PNGs once and the largest difference is printed
# (the check that both compute the same thing). Then, per batch and round, one Java process
# (ServingThroughput: EmbeddingModels.criteria, Predictor.predict at batch 1, batchPredict at
# batch > 1) and one Python process (bench/pytorch/serve_embed.py: torch.inference_mode(), the
# directory's serving.properties preprocessing in numpy/torch), java then python. Both decode the
# PNGs before timing; the timed calls include preprocessing, the forward pass, flip-sum and L2.
# Each process's stderr goes to WORK/logs (libtorch 2.7.1 prints an NNPACK warning per
# convolution call at batch 1 on CPUs NNPACK does not support).
#
# The table gives, per model and batch, the medians over rounds of the per-call median and p95
# latency, of images/s, the ratio java/python and the per-round ratios; the rows go to
# bench/results/serving-side-by-side.tsv.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
results="$here/results"
jar="$here/target/benchmarks.jar"

models="${MODELS:-mobilefacenet iresnet50}"
batches="${BATCHES:-1 32}"
rounds="${ROUNDS:-5}"
images="${IMAGES:-64}"
warmup="${WARMUP:-8}"
threads="${THREADS:-2}"
python="${PYTHON:-/usr/bin/python3}"
work="${WORK:-/tmp/serving-side-by-side}"

[ $# -eq 0 ] || { echo "usage: bench/serving-side-by-side.sh (settings in the environment)" >&2; exit 2; }
for v in rounds images threads; do
  [[ "${!v}" =~ ^[1-9][0-9]*$ ]] || { echo "serving-side-by-side: ${v^^} must be a positive integer, got '${!v}'" >&2; exit 2; }
done
[[ "$warmup" =~ ^[0-9]+$ ]] || { echo "serving-side-by-side: WARMUP must be an integer >= 0, got '$warmup'" >&2; exit 2; }
for b in $batches; do
  [[ "$b" =~ ^[1-9][0-9]*$ ]] || { echo "serving-side-by-side: BATCHES must hold positive integers, got '$b'" >&2; exit 2; }
done
for m in $models; do
  case "$m" in
    mobilefacenet | iresnet18 | iresnet34 | iresnet50 | iresnet100) ;;
    *) echo "serving-side-by-side: MODELS: $m is not mobilefacenet or iresnet18/34/50/100" >&2; exit 2 ;;
  esac
done

prog=serving-side-by-side
# shellcheck source=bench/side-by-side-setup.sh
. "$here/side-by-side-setup.sh"
if ! "$python" -c 'import PIL' >/dev/null 2>&1; then
  echo "$prog: installing python3-pil" >&2
  apt_install python3-pil || die "apt-get install python3-pil failed"
fi

warmup_calls() { # batch
  local calls=$(((warmup + $1 - 1) / $1))
  echo $((calls < 2 ? 2 : calls))
}

run_java() { # model dir, batch, extra args...
  local dir="$1" batch="$2"; shift 2
  "${java_env[@]}" java -Xmx4g -Dai.djl.offline=true -Dai.djl.pytorch.num_threads="$threads" \
    -Dai.djl.pytorch.num_interop_threads=1 -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
    -cp "$jar" io.github.ringloss4j.bench.ServingThroughput --dir "$dir/java" --pngs "$dir/images" \
    --batch "$batch" --images "$images" --warmup "$(warmup_calls "$batch")" "$@"
}

run_python() { # model dir, batch, extra args...
  local dir="$1" batch="$2"; shift 2
  "${python_env[@]}" "$python" "$here/pytorch/serve_embed.py" --weights "$dir/model.pth" --dir "$dir/java" \
    --pngs "$dir/images" --batch "$batch" --images "$images" --warmup "$(warmup_calls "$batch")" \
    --threads "$threads" "$@"
}

# The RESULT line's fields 6.. (images/s, median ms, p95 ms, calls, first slowest) of a run whose
# stdout and stderr went to LOG.out and LOG.err.
result_of() {
  local log="$1"
  local line
  line="$(grep '^RESULT' "$log.out" | tail -1)" ||
    die "$(basename "$log") printed no RESULT line; its stderr ends: $(tail -5 "$log.err")"
  cut -f6- <<<"$line"
}

mkdir -p "$results" "$work/logs"
tsv="$results/serving-side-by-side.tsv"
printf 'model\tbatch\tside\tround\timages_per_s\tmedian_ms\tp95_ms\tcalls\tfirst_slowest\timages\twarmup\tthreads\n' >"$tsv"
torch_version="$("$python" -c 'import torch; print(torch.__version__)')"
echo "$prog: models $models, batches $batches, $rounds rounds x $images timed images (after $warmup warm-up images, at least 2 calls), $threads threads;"
echo "  java: DJL 0.36.0 + libtorch 2.7.1 (MKL), EmbeddingModels.criteria; python: $python, torch $torch_version, BLAS $blas"
echo "  $allocators"
echo "  decoding outside the timing on both sides; load average before the run: $(cut -d' ' -f1 /proc/loadavg 2>/dev/null || echo '?')"

peak_tsv="${tsv%.tsv}-peak.tsv"
rm -f "$peak_tsv"
THREADS="$threads" PYTHON="$python" "$here/peak.sh" start "$peak_tsv"

import_args=()
[ "${FLIP_SUM:-0}" != 1 ] || import_args=(--flip-sum)
for model in $models; do
  dir="$work/$model"
  rm -rf "$dir"
  mkdir -p "$dir"
  name="$model"
  [ "$model" != mobilefacenet ] || name=mbf
  "$python" "$here/pytorch/insightface_names.py" measure "$name" "$dir"
  "$root/ringloss" import "$dir/model.pth" --model "$model" "${import_args[@]}" --out "$dir/java" \
    >"$work/logs/$model-import.log" 2>&1 || die "ringloss import failed: $(tail -5 "$work/logs/$model-import.log")"
  echo "  $model: $(grep -E '^(flipSum|l2Normalize|mean|std)=' "$dir/java/serving.properties" | tr '\n' ' ')"
  log="$work/logs/$model-agree"
  run_java "$dir" 1 --images 1 --warmup 0 --dump "$dir/java.f32" >"$log-java.out" 2>"$log-java.err" ||
    die "the Java agreement run failed: $(tail -5 "$log-java.err")"
  run_python "$dir" 1 --images 1 --warmup 0 --dump "$dir/python.f32" >"$log-python.out" 2>"$log-python.err" ||
    die "the Python agreement run failed: $(tail -5 "$log-python.err")"
  "$python" -c '
import sys, numpy as np
j, p = np.fromfile(sys.argv[1], "<f4"), np.fromfile(sys.argv[2], "<f4")
if j.shape != p.shape or j.size == 0:
    sys.exit("the two sides embedded different counts: %d and %d floats" % (j.size, p.size))
print("  %s: both sides embed the 8 PNGs alike: max abs diff %.3g (max |y| %.3g)"
      % (sys.argv[3], float(np.abs(j.astype(np.float64) - p).max()), float(np.abs(p).max())))
' "$dir/java.f32" "$dir/python.f32" "$model"
  for batch in $batches; do
    for round in $(seq 1 "$rounds"); do
      for side in java python; do
        log="$work/logs/$model-b$batch-r$round-$side"
        "run_$side" "$dir" "$batch" >"$log.out" 2>"$log.err" ||
          die "the $side run ($model, batch $batch, round $round) failed: $(tail -5 "$log.err")"
        r="$(result_of "$log")"
        printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$model" "$batch" "$side" "$round" "$r" \
          "$images" "$warmup" "$threads" >>"$tsv"
        printf -v "rate_$side" '%s' "$(cut -f1 <<<"$r")"
        printf -v "lat_$side" '%s' "$(cut -f2 <<<"$r")"
      done
      printf '  %-13s batch %2d round %d: java %8.2f images/s (%7.1f ms a call)   python %8.2f images/s (%7.1f ms a call)\n' \
        "$model" "$batch" "$round" "$rate_java" "$lat_java" "$rate_python" "$lat_python"
    done
  done
done

THREADS="$threads" PYTHON="$python" "$here/peak.sh" end "$peak_tsv"

SERVING_FLIP_SUM="${FLIP_SUM:-0}" \
  "${SUMMARY_PYTHON:-python3}" "$here/summarize.py" --serving "$tsv" "$peak_tsv"
