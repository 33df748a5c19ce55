#!/usr/bin/env bash
# The MPI scaling table (see mpi_scaling.py). Args: [--smoke]
set -euo pipefail
cd "${RUNFILES_DIR:-$0.runfiles}/eclipsera" 2>/dev/null || true
exec /usr/bin/python3 benchmarks/distributed/mpi_scaling.py \
  eclipsera/cli/eclipsera eclipsera/distributed/mpirun.sh "$@"
