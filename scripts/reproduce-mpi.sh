#!/usr/bin/env bash
# Reproduces the data-parallel figures of BENCHMARKS.md and RESULTS.md (issue 15, part 1) on this machine:
#  - `experiment data-parallel` on 1 process and under `mpirun -np 2` for the SG-MLP16 and the recurrent SHD
#    workloads (same global batch, same total cores: 1 rank × 2 threads against 2 ranks × 1 thread): throughput,
#    bytes and seconds per gradient all-reduce, and the checks (all-reduced = one-process gradient, identical weights);
#  - 16x16 MNIST trained in the loop with one emulated chip per rank (rank r: chip seed 1 + r), N = 1 and 2.
# One JSON line per run is appended to results/mpi.jsonl (job, ranks, samples_per_second, allreduce_bytes,
# allreduce_seconds, ...); scripts/project-mpi.py then projects the efficiency at N = 8 and 64.
# Usage: scripts/reproduce-mpi.sh [MNIST_DIR] [LOOP_EPOCHS]
set -euo pipefail
cd "$(dirname "$0")/.."
mnist=${1:-${SPIKELOOP_MNIST_DIR:-../shared/data/mnist}}
epochs=${2:-3}
command -v mpirun >/dev/null || { echo "needs Open MPI: apt-get install openmpi-bin libopenmpi-dev" >&2; exit 1; }
[ "$(id -u)" = 0 ] && export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
make build >/dev/null
bin=.build/release/spikeloop
mkdir -p results runs/mpi
for workload in sg-mlp16 shd; do
  "$bin" experiment data-parallel --workload "$workload" --steps 20 | tee -a results/mpi.jsonl
  mpirun -np 2 --oversubscribe "$bin" experiment data-parallel --workload "$workload" --steps 20 | tee -a results/mpi.jsonl
done
for ranks in 1 2; do
  out=runs/mpi/mnist-chip-n$ranks
  rm -rf "$out"
  launch=()
  [ "$ranks" -gt 1 ] && launch=(mpirun -np "$ranks" --oversubscribe)
  "${launch[@]}" "$bin" train --dataset mnist --data-dir "$mnist" --substrate chip:1 --epochs "$epochs" \
    --threads $((2 / ranks)) --run-dir "$out" --json 2>"$out.log" | tail -1 |
    python3 -c '
import json, sys
r = json.loads(sys.stdin.read())
print(json.dumps({"job": "train-in-the-loop", "dataset": r["dataset"], "substrate": r["substrate"], "ranks": r["ranks"],
    "threads_per_rank": r["threads"], "epochs": r["epochs"], "seed": r["seed"], "test_accuracy": r["test_accuracy"],
    "seconds_per_epoch": r["seconds_per_epoch"], "samples_per_second": r["train_samples"] / r["seconds_per_epoch"],
    "allreduce_bytes": r["allreduce_bytes"], "allreduce_seconds": r["allreduce_seconds"]}))' | tee -a results/mpi.jsonl
done
python3 scripts/project-mpi.py results/mpi.jsonl
