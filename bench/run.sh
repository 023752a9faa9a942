#!/usr/bin/env bash
# Reproduces every figure of docs/performance.md: builds the bench module, runs the JMH benchmarks
# with fixed settings (JSON in bench/results/), runs the side-by-side with PyTorch, and prints the
# summary tables (bench/summarize.py; also written to bench/results/summary.md).
#
#   bench/run.sh                  the full run (about 25 minutes on 2 cores; run it on a quiet machine)
#   bench/run.sh --quick          a smoke run: every benchmark once, small sizes (about 4 minutes)
#   bench/run.sh --gallery 100000,1000000
#                                 also score the spec's 1M gallery (2 GB per copy; engine paths only,
#                                 adds about 10 minutes; those forks get -Xmx6g)
#   bench/run.sh --no-side-by-side  skip the PyTorch comparison (no apt-get)
#
# Environment: BENCH_THREADS (default 2, the figure's setting; 1 gives steadier smoke numbers on a
# machine shared with other jobs), SKIP_BUILD=1, JAVA (default java).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
results="$here/results"
jar="$here/target/benchmarks.jar"
java_cmd="${JAVA:-java}"

quick=0
side=1
gallery="100000"
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=1 ;;
    --no-side-by-side) side=0 ;;
    --gallery)
      gallery="${2:?--gallery needs a comma-separated list of sizes}"
      shift
      ;;
    -h | --help)
      sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'
      exit 0
      ;;
    *)
      echo "run.sh: unknown option $1 (see --help)" >&2
      exit 2
      ;;
  esac
  shift
done

threads="${BENCH_THREADS:-2}"

if [ "${SKIP_BUILD:-0}" != 1 ] || [ ! -f "$jar" ]; then
  echo "run.sh: building bench/target/benchmarks.jar" >&2
  (cd "$root" && mvn -B -q -ntp -Pbenchmarks -DskipTests -Dspotless.check.skip=true package -pl bench -am) >&2
fi

export DJL_CACHE_DIR="${DJL_CACHE_DIR:-$root/target/djl-cache}"
export ENGINE_CACHE_DIR="${ENGINE_CACHE_DIR:-$DJL_CACHE_DIR}"
mkdir -p "$results"

# The machine, for the docs' machine section.
{
  echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "mode: $([ "$quick" = 1 ] && echo quick || echo full), engine threads: $threads"
  echo "nproc: $(nproc)"
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ //')"
  echo "memory: $(free -h | awk '/^Mem:/ {print $2}') total"
  echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)"
  echo "java: $("$java_cmd" -version 2>&1 | head -1)"
  echo "DJL 0.36.0, PyTorch engine: libtorch 2.7.1 CPU (pytorch-native-cpu 2.7.1 linux-x86_64)"
} | tee "$results/machine.txt"

load="$(cut -d' ' -f1 /proc/loadavg 2>/dev/null || echo 0)"
if awk -v l="$load" -v n="$(nproc)" 'BEGIN {exit !(l > 0.3 * n)}'; then
  echo "run.sh: WARNING: load average $load on $(nproc) cores; other jobs distort every figure" \
    "(with $threads engine threads, small operations can slow down 100x). Run on a quiet machine." >&2
fi

append=("-jvmArgsAppend" "-Dai.djl.pytorch.num_threads=$threads")

jmh() {
  local name="$1"
  shift
  echo "run.sh: JMH $name $*" >&2
  rm -f "$results/$name.json"
  "$java_cmd" -jar "$jar" "io.github.ringloss4j.bench.${name%-large}\." -f 1 "$@" \
    -rf json -rff "$results/$name.json" | tee "$results/$name.log" | grep -E '^(Benchmark|[A-Z][A-Za-z]+Benchmark\.)' || true
  [ -s "$results/$name.json" ] || { echo "run.sh: $name produced no results" >&2; exit 1; }
}

# The ring's share of a step, both models interleaved in one JVM (drift cancels; see StepOverhead).
overhead() {
  echo "run.sh: StepOverhead $*" >&2
  "$java_cmd" "-Dai.djl.pytorch.num_threads=$threads" -cp "$jar" io.github.ringloss4j.bench.StepOverhead "$@" \
    2>/dev/null | tee "$results/step-overhead.log" | grep -v '^RESULT' >&2
  {
    printf 'variant\tmedian\tlow\thigh\ttotal\trounds\tbaseline_ms\tvariant_ms\tblock\tcpu_median\tcpu_low\tcpu_high\tplain_first\tvariant_first\n'
    awk -F'\t' -v block="$2" '/^RESULT/ {print $3 "\t" $4 "\t" $5 "\t" $6 "\t" $7 "\t" $8 "\t" $9 "\t" $10 "\t" block "\t" $11 "\t" $12 "\t" $13 "\t" $14 "\t" $15}' \
      "$results/step-overhead.log"
  } >"$results/step-overhead.tsv"
  [ "$(wc -l <"$results/step-overhead.tsv")" -gt 1 ] || { echo "run.sh: StepOverhead printed no RESULT" >&2; exit 1; }
}

# The input pipeline alone (no engine): images/s per worker count, and peak memory over the same
# steps from a small and a large synthetic data set (each in its own JVM).
pipeline() {
  echo "run.sh: PipelineBenchmark $*" >&2
  "$java_cmd" -cp "$jar" io.github.ringloss4j.bench.PipelineBenchmark "$@" 2>/dev/null \
    | tee "$results/pipeline.log" | grep -v '^RESULT' >&2
  grep -q '^RESULT' "$results/pipeline.log" || { echo "run.sh: PipelineBenchmark printed no RESULT" >&2; exit 1; }
}

rm -f "$results/ScoringBenchmark-large.json" "$results/step-overhead.tsv"
if [ "$quick" = 1 ]; then
  jmh RingTermBenchmark -wi 1 -i 1 -w 300ms -r 500ms -p batch=128,8192 -p dim=512 "${append[@]}"
  jmh EngineOpsBenchmark -wi 1 -i 1 -w 300ms -r 500ms -p batch=128 -p dim=128 "${append[@]}"
  jmh TrainingStepBenchmark -wi 1 -i 1 -w 1s -r 1s "${append[@]}"
  overhead --block 2 --rounds 6 --warmup 3
  jmh ScoringBenchmark -wi 0 -i 1 -r 500ms -p gallerySize=20000 -p probes=256 \
    -prof io.github.ringloss4j.bench.PeakMemoryProfiler "${append[@]}"
  pipeline --throughput-images 500 --memory-sizes 2000,6000 --memory-steps 10
else
  jmh RingTermBenchmark -wi 3 -i 5 -w 1s -r 1s "${append[@]}"
  jmh EngineOpsBenchmark -wi 2 -i 3 -w 1s -r 1s "${append[@]}"
  jmh TrainingStepBenchmark -wi 3 -i 5 -w 2s -r 2s "${append[@]}"
  overhead --block 5 --rounds 120 --warmup 30
  small="$(tr ',' '\n' <<<"$gallery" | awk '$1 + 0 < 500000' | paste -sd, -)"
  large="$(tr ',' '\n' <<<"$gallery" | awk '$1 + 0 >= 500000' | paste -sd, -)"
  if [ -n "$small" ]; then
    jmh ScoringBenchmark -wi 1 -i 3 -w 2s -r 2s -p gallerySize="$small" \
      -prof io.github.ringloss4j.bench.PeakMemoryProfiler "${append[@]}"
  fi
  if [ -n "$large" ]; then
    # 2 GB per copy of a 1M x 512 gallery. The engine paths only: the pure-Java path would take
    # about 11 minutes per pass (measured at 100 000, it scales linearly), an hour for the run.
    jmh ScoringBenchmark-large -wi 1 -i 3 -w 2s -r 2s -p gallerySize="$large" -e javaIdentification \
      -prof io.github.ringloss4j.bench.PeakMemoryProfiler \
      -jvmArgsAppend "-Xmx6g -Dai.djl.pytorch.num_threads=$threads"
  fi
  pipeline --workers 1,2,3
fi

if [ "$side" = 1 ]; then
  if [ "$quick" = 1 ]; then
    SKIP_BUILD=1 THREADS="$threads" "$here/side-by-side.sh" --quick
  else
    SKIP_BUILD=1 THREADS="$threads" "$here/side-by-side.sh"
  fi
fi

echo
echo "================ summary (bench/results/summary.md) ================"
{
  echo "Machine:"
  echo
  sed 's/^/    /' "$results/machine.txt"
  echo
  python3 "$here/summarize.py" "$results"
  echo
  echo "Input pipeline (PipelineBenchmark, bench/results/pipeline.log):"
  echo
  grep -v '^RESULT' "$results/pipeline.log" | sed 's/^/    /'
} | tee "$results/summary.md"
