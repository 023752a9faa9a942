# Sourced by bench/side-by-side.sh and bench/serving-side-by-side.sh (not run on its own): the
# shared set-up of a Java-against-PyTorch comparison.
#   1. PyTorch and numpy for $python (Debian's python3-torch, installed with apt if missing);
#   2. an optimised system BLAS for Debian's PyTorch (libopenblas0-pthread if only the reference);
#   3. bench/target/benchmarks.jar, built unless SKIP_BUILD=1 and it exists;
#   4. the C allocator settings of each side.
# Needs: $prog (the message prefix), $python, $root, $jar, $threads. Sets: die, apt_install, $blas,
# java_env and python_env (prefixes for the two commands), $allocators (a line for the header), and
# exports the engine cache and the same thread settings for both processes.

die() {
  echo "$prog: $*" >&2
  exit 1
}

sudo_cmd=""
[ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"

apt_install() {
  command -v apt-get >/dev/null 2>&1 || return 1
  $sudo_cmd apt-get update -qq || true
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "$@" >/dev/null
}

# 1. PyTorch for Python (Debian's python3-torch) and numpy.
if ! "$python" -c 'import torch, numpy' >/dev/null 2>&1; then
  if ! command -v apt-cache >/dev/null 2>&1; then
    die "no apt here: install PyTorch and numpy for $python yourself, or set PYTHON"
  fi
  candidate="$(apt-cache policy python3-torch 2>/dev/null | awk '/Candidate:/ {print $2}')"
  if [ -z "$candidate" ] || [ "$candidate" = "(none)" ]; then
    $sudo_cmd apt-get update -qq || true
    candidate="$(apt-cache policy python3-torch 2>/dev/null | awk '/Candidate:/ {print $2}')"
  fi
  if [ -z "$candidate" ] || [ "$candidate" = "(none)" ]; then
    die "python3-torch is not available from this machine's apt sources (Debian 12 'bookworm' or
later has it in main); the comparison needs PyTorch for $python: install it and rerun"
  fi
  echo "$prog: installing python3-torch $candidate and python3-numpy" >&2
  apt_install python3-torch python3-numpy || die "apt-get install python3-torch python3-numpy failed"
  "$python" -c 'import torch, numpy' >/dev/null 2>&1 ||
    die "$python still cannot import torch and numpy after the install; set PYTHON to Debian's python3"
fi

# 2. An optimised BLAS for Debian's PyTorch: it calls the system libblas.so.3 for its linear
#    layers, and the reference BLAS there halves its training throughput. DJL's libtorch brings
#    its own (MKL).
blas="$(readlink -f /usr/lib/x86_64-linux-gnu/libblas.so.3 2>/dev/null || true)"
case "$blas" in
  *openblas* | *blis* | *atlas* | *mkl*) ;;
  *)
    echo "$prog: the system BLAS is the reference one ($blas); installing libopenblas0-pthread" >&2
    apt_install libopenblas0-pthread || die "apt-get install libopenblas0-pthread failed"
    blas="$(readlink -f /usr/lib/x86_64-linux-gnu/libblas.so.3 2>/dev/null || true)"
    ;;
esac

# 3. The Java side.
if [ "${SKIP_BUILD:-0}" != 1 ] || [ ! -f "$jar" ]; then
  echo "$prog: building bench/target/benchmarks.jar" >&2
  (cd "$root" && mvn -B -q -ntp -Pbenchmarks -DskipTests -Dspotless.check.skip=true package -pl bench -am) >&2
fi

# 4. The engine's cache and the same thread settings for both processes.
export DJL_CACHE_DIR="${DJL_CACHE_DIR:-$root/target/djl-cache}"
export ENGINE_CACHE_DIR="${ENGINE_CACHE_DIR:-$DJL_CACHE_DIR}"
export OMP_NUM_THREADS="$threads" MKL_NUM_THREADS="$threads" OPENBLAS_NUM_THREADS="$threads"

# 4. The allocator: Java runs as ./ringloss runs it, with glibc tuned for libtorch's per-step arrays
#    (etc/allocator.sh), unless ALLOCATOR=glibc; Python runs as a plain python3 does, with glibc's
#    defaults, unless PYTHON_ALLOCATOR=tuned gives it the same settings.
# shellcheck source=etc/allocator.sh
. "$root/etc/allocator.sh"
# shellcheck disable=SC2207
java_env=(env $(ringloss_allocator_env ALLOCATOR "${ALLOCATOR:-tuned}"))
# shellcheck disable=SC2207
python_env=(env $(ringloss_allocator_env PYTHON_ALLOCATOR "${PYTHON_ALLOCATOR:-glibc}"))
allocators="allocator: java ${ALLOCATOR:-tuned}, python ${PYTHON_ALLOCATOR:-glibc} (etc/allocator.sh)"
