#!/usr/bin/env bash
# The issue-22 exactness figure: PyTorch (Debian's python3-torch) builds InsightFace-named
# iresnet18/50/100 and get_mbf at d = 512 with torch's own random init plus random BatchNorm
# statistics, shifts and PReLU slopes, embeds 4 random inputs in eval mode and writes everything
# as raw tensors; the bench's InsightFaceExactness loads the state_dict into our backbone with
# InsightFaceWeights.load, embeds the same inputs and prints the max abs and relative difference.
#
#   bench/pytorch/insightface-exactness.sh [MODEL…]     default: iresnet18 iresnet50 mbf
#
# Environment: WORK (default /tmp/insightface-exactness; about 100-260 MB per model), SKIP_BUILD=1.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
jar="$root/bench/target/benchmarks.jar"
work="${WORK:-/tmp/insightface-exactness}"
models=("$@")
[ ${#models[@]} -gt 0 ] || models=(iresnet18 iresnet50 mbf)

if [ "${SKIP_BUILD:-0}" != 1 ]; then
  (cd "$root" && mvn -B -q -ntp -o -Pbenchmarks -DskipTests -Dspotless.check.skip=true package -pl bench -am) >&2
fi
for model in "${models[@]}"; do
  /usr/bin/python3 "$here/insightface_names.py" measure "$model" "$work/$model"
  java -Dai.djl.pytorch.num_threads=2 -cp "$jar" io.github.ringloss4j.bench.InsightFaceExactness "$work/$model" \
    2>/dev/null | grep '^RESULT'
  rm -rf "${work:?}/$model"
done
