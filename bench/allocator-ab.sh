#!/usr/bin/env bash
# The C allocator's share of a training step: TrainThroughput (Java only) run with ./ringloss's
# glibc settings (etc/allocator.sh, "tuned") and with glibc's defaults ("glibc"), interleaved
# round by round, each run's images/s with its wall, user and system seconds, minor page faults
# and peak RSS (/usr/bin/time).
#
#   bench/allocator-ab.sh          IResNet-50, batch 16, 3 rounds of 6 timed steps after 3 warm-up
#
# Environment: MODEL (default iresnet50; mobilefacenet, cnn), BATCH (default 16), ROUNDS (3),
# STEPS (6), WARMUP (3), THREADS (2), SKIP_BUILD=1. Needs bench/target/benchmarks.jar (built
# unless SKIP_BUILD=1) and GNU time (Debian's package "time").
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
jar="$here/target/benchmarks.jar"
model="${MODEL:-iresnet50}"
batch="${BATCH:-16}"
rounds="${ROUNDS:-3}"
steps="${STEPS:-6}"
warmup="${WARMUP:-3}"
threads="${THREADS:-2}"

[ -x /usr/bin/time ] || { echo "allocator-ab: /usr/bin/time is missing: apt-get install time" >&2; exit 1; }
if [ "${SKIP_BUILD:-0}" != 1 ] || [ ! -f "$jar" ]; then
  (cd "$root" && mvn -B -q -ntp -Pbenchmarks -DskipTests -Dspotless.check.skip=true package -pl bench -am) >&2
fi
# shellcheck source=etc/allocator.sh
. "$root/etc/allocator.sh"
export DJL_CACHE_DIR="${DJL_CACHE_DIR:-$root/target/djl-cache}"
export ENGINE_CACHE_DIR="${ENGINE_CACHE_DIR:-$DJL_CACHE_DIR}"
data_args=()
[ "$model" != cnn ] || data_args=(--data "${FASHION_MNIST_DIR:-/usr/share/datasets/fashion-mnist}")
times="$(mktemp)"
trap 'rm -f "$times"' EXIT

echo "allocator A/B: $model, batch $batch, $rounds rounds of $steps timed steps after $warmup, $threads threads; $(date -u '+%Y-%m-%d %H:%M UTC'), load $(cut -d' ' -f1-3 /proc/loadavg)"
printf 'round\tallocator\timages/s\twall_s\tuser_s\tsys_s\tminor_faults\tpeak_rss_mib\n'
for round in $(seq 1 "$rounds"); do
  for allocator in tuned glibc; do
    # shellcheck disable=SC2207
    env_args=($(ringloss_allocator_env allocator "$allocator"))
    ips="$(/usr/bin/time -f '%e %U %S %R %M' -o "$times" env "${env_args[@]}" java -Xmx4g \
      -Dai.djl.offline=true -Dai.djl.pytorch.num_threads="$threads" \
      -Dai.djl.pytorch.num_interop_threads=1 -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
      -cp "$jar" io.github.ringloss4j.bench.TrainThroughput --variant softmax+ring \
      --steps "$steps" --warmup "$warmup" --model "$model" --classes 1000 --batch "$batch" \
      "${data_args[@]}" | awk -F'\t' '/^RESULT/ {print $5}')"
    read -r wall user sys faults rss <"$times"
    printf '%d\t%s\t%s\t%s\t%s\t%s\t%s\t%.0f\n' "$round" "$allocator" "$ips" "$wall" "$user" "$sys" "$faults" "$((rss / 1024))"
  done
done
