# glibc's allocator as ringloss4j runs it: sourced by ./ringloss and by the bench scripts, so that a
# benchmark times the JVM the application runs. Sets ringloss_glibc_tunables; the caller exports
# it as GLIBC_TUNABLES unless one is set already.
#
# libtorch allocates each step's arrays afresh and frees them at the step's end. With glibc's
# defaults, arrays of a few MiB come from per-thread arenas or fresh mmap regions that are handed
# back to the kernel when freed, so the next step faults every page in again: on a VM each fault is
# expensive, and a step's page faults then cost more than its arithmetic (docs/performance.md §12).
# The settings: one arena (libtorch's worker threads share the main heap instead of each growing
# and trimming its own), grown 256 MiB at a time and never trimmed (freed memory stays mapped for
# the next step), arrays up to 32 MiB served from that heap rather than from mmap, and transparent
# huge pages asked for where the kernel grants them on request (512 times fewer faults). The cost:
# the process keeps its peak footprint instead of returning memory between steps. Unknown tunables
# are ignored (glibc before 2.35 has no hugetlb), and other C libraries ignore the variable.
ringloss_glibc_tunables="glibc.malloc.arena_max=1:glibc.malloc.top_pad=268435456"
ringloss_glibc_tunables+=":glibc.malloc.trim_threshold=17179869184:glibc.malloc.mmap_threshold=33554432"
ringloss_glibc_tunables+=":glibc.malloc.hugetlb=1"

# For the bench scripts: env(1)'s arguments that run a command with the tuned settings ("tuned")
# or with glibc's defaults ("glibc"); $1 names the setting in the error message.
ringloss_allocator_env() {
  case "$2" in
    tuned) echo "GLIBC_TUNABLES=$ringloss_glibc_tunables" ;;
    glibc) echo "-u GLIBC_TUNABLES" ;;
    *)
      echo "$1 must be tuned or glibc, got '$2'" >&2
      return 1
      ;;
  esac
}
