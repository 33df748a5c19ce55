#!/usr/bin/env bash
# mpirun as the tests and the scaling table use it on one machine: as root,
# oversubscribed, with the sanitizers' reports inside Open MPI (not built
# with them) suppressed: its leftovers at MPI_Finalize for LeakSanitizer
# (plugins stay loaded so every leak's stack names its library), its own
# locks and threads for ThreadSanitizer. Reports in Eclipsera's code still
# fail. Usage: mpirun.sh [mpirun options] -np N PROGRAM ARGS...
HERE=$(dirname "$(realpath "${BASH_SOURCE[0]}")")
exec mpirun --allow-run-as-root --oversubscribe \
  -x OMPI_MCA_mca_base_component_disable_dlclose=1 \
  -x "LSAN_OPTIONS=suppressions=$HERE/lsan_open_mpi.supp:print_suppressions=0" \
  -x "ASAN_OPTIONS=${ASAN_OPTIONS:-}:fast_unwind_on_malloc=0" \
  -x "TSAN_OPTIONS=${TSAN_OPTIONS:-}:suppressions=$HERE/tsan_open_mpi.supp" \
  "$@"
