#!/usr/bin/env bash
# Peak memory of `ringloss train --model mobilefacenet` on packed data sets of different sizes,
# over the same number of training images: does memory follow the data set's size?
#
#   bench/train-memory.sh [IMAGES] DATASET...
#
# For each packed DATASET (e.g. from `ringloss synth --packed`) it starts the application's own
# training (batch 16, one epoch, --workers 1, 2 engine threads), samples the process's RssAnon
# (anonymous resident memory: heap, native tensors, thread stacks; not the mapped or cached file
# pages of train.rec) every half second, and stops the run once IMAGES training images (default
# 800, i.e. 50 steps) have gone through, after forcing a full GC and reading the heap in use.
# Prints one line per data set: images trained, peak RssAnon, heap in use after a full GC.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
images=800
if [[ "${1:-}" =~ ^[0-9]+$ ]]; then images="$1"; shift; fi
[ $# -ge 1 ] || { echo "usage: $0 [IMAGES] DATASET..." >&2; exit 2; }
printf '%-28s %10s %16s %16s\n' dataset trained "peak RssAnon" "heap after GC"
for data in "$@"; do
  out="$(mktemp -d)"
  log="$out/log"
  RINGLOSS_THREADS=2 "$here/ringloss" train --data "$data" --out "$out/run" --model mobilefacenet \
    --image-size 112 --channels 3 --batch-size 16 --epochs 1 --workers 1 --progress lines \
    >"$log" 2>&1 &
  launcher=$!
  pid=""
  peak=0
  done_images=0
  while kill -0 "$launcher" 2>/dev/null; do
    # The launcher execs java, so its pid is the JVM's.
    pid=$launcher
    rss=$(awk '/^RssAnon:/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)
    [ -n "$rss" ] && [ "$rss" -gt "$peak" ] && peak=$rss
    done_images=$(grep -o 'epoch 1/1: [0-9]*' "$log" | tail -n 1 | awk '{print $3}' || true)
    done_images=${done_images:-0}
    if [ "$done_images" -ge "$images" ]; then
      jcmd "$pid" GC.run >/dev/null 2>&1 || true
      heap=$(jcmd "$pid" GC.heap_info 2>/dev/null | awk '/used/ {for (i=1;i<=NF;i++) if ($i=="used") {print $(i+1); exit}}')
      kill "$pid" 2>/dev/null || true
      wait "$launcher" 2>/dev/null || true
      printf '%-28s %10s %12.1f MiB %16s\n' "$(basename "$data")" "$done_images" \
        "$(echo "$peak / 1024" | bc -l)" "$heap"
      break
    fi
    sleep 0.5
  done
  if [ "$done_images" -lt "$images" ]; then
    echo "$data: the run ended before $images images; its log:" >&2
    cat "$log" >&2
    exit 1
  fi
  rm -rf "$out"
done
