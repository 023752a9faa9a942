#!/usr/bin/env bash
# Issue 22's bridge, measured on the path a user takes, for each model (default: iresnet18
# iresnet50 mbf; iresnet100 for the cost figures):
#   1. PyTorch (Debian's python3-torch 1.13) builds the InsightFace-named network at d = 512 with
#      torch's own init plus random BatchNorm statistics and PReLU slopes, torch.save()s its
#      state_dict, writes 8 random 112x112 RGB PNGs and their embeddings (InsightFace's
#      preprocessing ((x/255) - 0.5)/0.5, eval mode);
#   2. `ringloss import model.pth --model M --no-l2` (time and peak RSS), then `ringloss embed` of the
#      PNGs through the imported directory: the max abs difference from PyTorch's embeddings;
#   3. `ringloss export DIR --format pytorch` (time and peak RSS), then torch.load(weights_only=True)
#      and load_state_dict(strict=True) in PyTorch: every tensor equal to the original, bit for bit.
#
#   bench/pytorch/insightface-exactness.sh [MODEL…]
#
# Environment: WORK (default /tmp/insightface-exactness; up to 0.8 GB for iresnet100). Needs /usr/bin/time.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
work="${WORK:-/tmp/insightface-exactness}"
models=("$@")
[ ${#models[@]} -gt 0 ] || models=(iresnet18 iresnet50 mbf)
py=/usr/bin/python3

# "<seconds> s, <peak RSS> MiB" of a command, its own output kept in $work/$model/LOG.log
timed() {
  local log="$1"; shift
  /usr/bin/time -f '%e %M' -o "$log.time" "$@" >"$log.log" 2>&1 || { cat "$log.log" >&2; return 1; }
  awk '{printf "%.1f s, %.0f MiB peak RSS", $1, $2 / 1024}' "$log.time"
}

# Built (and the engine's natives unpacked) before anything is timed.
"$root/ringloss" --version >/dev/null

for model in "${models[@]}"; do
  dir="$work/$model"
  rm -rf "$dir"
  mkdir -p "$dir"
  name="$model"
  [ "$model" != mbf ] || name=mobilefacenet
  "$py" "$here/insightface_names.py" measure "$model" "$dir"
  size=$(du -m "$dir/model.pth" | cut -f1)
  import=$(timed "$dir/import" "$root/ringloss" import "$dir/model.pth" --model "$name" --no-l2 --out "$dir/imported")
  "$root/ringloss" embed "$dir/imported" --images "$dir/images" --out "$dir/embedded" >/dev/null
  diff=$("$py" "$here/insightface_names.py" compare "$dir/expected.npy" "$dir/embedded/embeddings.npy")
  export=$(timed "$dir/export" "$root/ringloss" export "$dir/imported" --format pytorch --out "$dir/exported.pth")
  check=$("$py" "$here/insightface_names.py" check-export "$model" "$dir/model.pth" "$dir/exported.pth")
  printf 'RESULT\t%s\t%s MB\timport %s\texport %s\t%s\t%s\n' "$model" "$size" "$import" "$export" "$diff" "$check"
  rm -rf "$dir"
done
