#!/usr/bin/env bash
# One training step taken apart on both sides: ms per phase (forward, loss, backward, optimiser,
# loss read-back, freeing), engine operations per step and per phase, and the top operations by
# time grouped (convolution forward/backward, batch norm, PReLU, matmul, the optimiser's
# element-wise ops, copies/casts, ...), for ringloss4j (StepProfile, DJL's libtorch profiler) and
# PyTorch (train_ring.py --profile, torch.profiler with record_shapes and with_flops), counted by
# the same script (bench/pytorch/trace_ops.py) from both Chrome traces. Also each side's forward
# FLOPs per image (the Java block tree; torch.profiler's count), and the matmul peak (bench/peak.sh).
#
#   MODEL=iresnet50 bench/step-profile.sh      (defaults: batch 16, 10 warm-up steps, 5 timed
#                                              steps, 2 profiled steps; about 6 minutes for
#                                              IResNet-50 on 2 cores)
#
# Environment: MODEL (iresnet50), BATCH (16), CLASSES (1000), WARMUP (10), STEPS (5),
# PROFILE_STEPS (2), THREADS (2), PYTHON (/usr/bin/python3), SKIP_BUILD=1, OUT (bench/results),
# ALLOCATOR (tuned: Java as ./ringloss runs it, etc/allocator.sh; or glibc) and PYTHON_ALLOCATOR
# (glibc, as python3 runs; or tuned), as in bench/side-by-side.sh.
# The profiled steps run slower than the timed ones (the profiler's own cost): the op counts and
# the time shares are the figures, the PHASE lines (unprofiled) the times.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
jar="$here/target/benchmarks.jar"
model="${MODEL:-iresnet50}"
batch="${BATCH:-16}"
classes="${CLASSES:-1000}"
warmup="${WARMUP:-10}"
steps="${STEPS:-5}"
profile_steps="${PROFILE_STEPS:-2}"
threads="${THREADS:-2}"
python="${PYTHON:-/usr/bin/python3}"
out="${OUT:-$here/results}"

if [ "${SKIP_BUILD:-0}" != 1 ] || [ ! -f "$jar" ]; then
  echo "step-profile: building bench/target/benchmarks.jar" >&2
  (cd "$root" && mvn -B -q -ntp -Pbenchmarks -DskipTests -Dspotless.check.skip=true package -pl bench -am) >&2
fi
export DJL_CACHE_DIR="${DJL_CACHE_DIR:-$root/target/djl-cache}"
# shellcheck source=etc/allocator.sh
. "$root/etc/allocator.sh"
java_env="$(ringloss_allocator_env ALLOCATOR "${ALLOCATOR:-tuned}")"
python_env="$(ringloss_allocator_env PYTHON_ALLOCATOR "${PYTHON_ALLOCATOR:-glibc}")"
export OMP_NUM_THREADS="$threads" MKL_NUM_THREADS="$threads" OPENBLAS_NUM_THREADS="$threads"
mkdir -p "$out"
jtrace="$out/step-profile-$model-java.json"
ptrace="$out/step-profile-$model-python.json"
log="$out/step-profile-$model.txt"
common=(--model "$model" --batch "$batch" --classes "$classes" --warmup "$warmup" --steps "$steps"
  --profile-steps "$profile_steps")

{
  echo "# step profile: $model, batch $batch, $classes classes, $threads threads; $warmup warm-up," \
    "$steps timed, $profile_steps profiled steps; load average $(cut -d' ' -f1 /proc/loadavg)"
  THREADS="$threads" PYTHON="$python" "$here/peak.sh" start "$out/step-profile-$model-peak.tsv"
  # shellcheck disable=SC2086
  env $java_env java -Xmx4g -Dai.djl.offline=true -Dai.djl.pytorch.num_threads="$threads" \
    -Dai.djl.pytorch.num_interop_threads=1 -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
    -cp "$jar" io.github.ringloss4j.bench.StepProfile "${common[@]}" --trace "$jtrace"
  # shellcheck disable=SC2086
  (cd "$here/pytorch" && env $python_env "$python" train_ring.py "${common[@]}" --threads "$threads" --profile "$ptrace")
  python3 "$here/pytorch/trace_ops.py" "$jtrace" "$jtrace.phases.tsv" --label java
  python3 "$here/pytorch/trace_ops.py" "$ptrace" --label python
} 2>&1 | tee "$log"
echo "step-profile: written to $log and the traces $jtrace, $ptrace (chrome://tracing)" >&2
