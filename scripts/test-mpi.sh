#!/usr/bin/env bash
# Data-parallel training on the real Open MPI (part of `make test`; skipped with a message where mpirun is absent):
#  1. `experiment data-parallel` on 2 ranks: the all-reduced gradient equals one process's gradient of the same
#     global batch, and both ranks hold identical weights after training (it exits 1 otherwise);
#  2. the same seed and rank count give bit-identical checkpoints, also across an interruption and resume;
#  3. a run interrupted on 2 ranks resumes on 1 (and the other way round) and finishes.
# Usage: scripts/test-mpi.sh [SPIKELOOP_BINARY]   (default .build/debug/spikeloop)
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${1:-.build/debug/spikeloop}"
if ! command -v mpirun >/dev/null; then
  echo "skipping the MPI tests: mpirun not found (Debian: apt-get install openmpi-bin libopenmpi-dev)"
  exit 0
fi
[ "$(id -u)" = 0 ] && export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
mpi=(mpirun -np 2 --oversubscribe)
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
train=(train --dataset synthetic --epochs 1 --batch-size 50 --no-tensorboard --json)
same() { python3 scripts/compare-checkpoints.py "$1" "$2" >/dev/null || { echo "MPI test failed: $1 and $2 differ"; exit 1; }; }

"${mpi[@]}" "$bin" experiment data-parallel --steps 2 --reductions 2 > "$tmp/dp.json" 2> "$tmp/dp.log" ||
  { cat "$tmp/dp.log" "$tmp/dp.json"; echo "MPI test failed: experiment data-parallel"; exit 1; }

"${mpi[@]}" "$bin" "${train[@]}" --run-dir "$tmp/a" > /dev/null 2>&1
"${mpi[@]}" "$bin" "${train[@]}" --run-dir "$tmp/b" > /dev/null 2>&1
same "$tmp/a/last.safetensors" "$tmp/b/last.safetensors"
"${mpi[@]}" "$bin" "${train[@]}" --run-dir "$tmp/c" --interrupt-after-batches 3 > /dev/null 2>&1 && { echo "MPI test failed: the interrupted run exited 0"; exit 1; }
"${mpi[@]}" "$bin" train --resume "$tmp/c" --json > /dev/null 2>&1
same "$tmp/a/last.safetensors" "$tmp/c/last.safetensors"

"${mpi[@]}" "$bin" "${train[@]}" --run-dir "$tmp/d" --interrupt-after-batches 2 > /dev/null 2>&1 || true
"$bin" train --resume "$tmp/d" --json > "$tmp/d.json" 2> /dev/null
"$bin" "${train[@]}" --run-dir "$tmp/e" --interrupt-after-batches 2 > /dev/null 2>&1 || true
"${mpi[@]}" "$bin" train --resume "$tmp/e" --json > "$tmp/e.json" 2> /dev/null
for r in d e; do grep -q '"test_accuracy"' "$tmp/$r.json" || { echo "MPI test failed: resume of run $r did not finish"; exit 1; }; done
for f in a/config.json a/metrics.jsonl a/test.json a/report.html; do [ -s "$tmp/$f" ] || { echo "MPI test failed: rank 0 did not write $f"; exit 1; }; done
echo "MPI tests passed (2 ranks): $(python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print("gradient max |Δ| %.2g of %.2g, weights identical on all ranks: %s" % (r["gradient_max_abs_difference"], r["gradient_max_abs"], r["weights_identical_on_all_ranks"]))' "$tmp/dp.json"); same-seed runs bit-identical, also across interruption; resume across rank counts"
