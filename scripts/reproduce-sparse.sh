#!/usr/bin/env bash
# Reproduces the sparse-network table of RESULTS.md (issue 16 B): Neural Tangent Transfer (ntt) vs a random mask vs
# dense, (1) 256-246-10 latency-coded SNN on 16x16 MNIST at 10 % and 3 % hidden density (dense readout), seeds 1 and 2
# in software and chip 1 in the loop; (2) the recurrent spoken-digit SNN on all 700 channels (886 presynaptic sources
# per hidden neuron) with masks that keep one source per neuron and synapse row, so every neuron has <= 256 inputs and
# the network fits the chip. One JSON line per run is appended to results/sparse.jsonl (job, method, density, seed,
# test_accuracy, and the run's settings); logs go to runs/sparse/.
# Ablations (seed 1): NTT with 0 iterations (pure magnitude pruning of the dense initialization), and every layer
# sparse (readout included) instead of a dense readout.
# Usage: scripts/reproduce-sparse.sh [MNIST_DIR] [SPOKEN_DIGITS_DIR] [PART: all|mnist|mnist-chip|mnist-ablation|spoken|spoken-chip]
set -euo pipefail
cd "$(dirname "$0")/.."
mnist=${1:-${SPIKELOOP_MNIST_DIR:-../shared/data/mnist}}
spoken=${2:-data/spoken-digits}
part=${3:-all}
make build >/dev/null
mkdir -p results runs/sparse
run() {  # job method density seed substrate extra-args...
  local job=$1 method=$2 density=$3 seed=$4 substrate=$5; shift 5
  local log=runs/sparse/$job-$method-$density-s$seed.log
  nice -n 10 .build/release/spikeloop experiment sparse --method "$method" --density "$density" --seed "$seed" \
    --substrate "$substrate" --json "$@" 2>"$log" | tail -1 | JOB="$job" ARGS="$*" python3 -c '
import json, os, sys
r = json.loads(sys.stdin.read())
line = {"job": os.environ["JOB"], "method": r["method"], "density": r["density"], "seed": r["seed"],
        "test_accuracy": r["test_accuracy"], "substrate": r["substrate"], "dataset": r["dataset"],
        "measured_density": r["measured_density"], "max_fan_in": r["max_fan_in"], "epochs": r["epochs"],
        "hidden_spikes_per_sample": r["hidden_spikes_per_sample"], "ntt_iterations": r["ntt_iterations"],
        "search_seconds": round(r["search_seconds"], 1), "train_seconds": round(r["train_seconds"], 1),
        "sizes": r["sizes"], "args": os.environ["ARGS"]}
print(json.dumps(line))' | tee -a results/sparse.jsonl | cut -c1-150
}
mnist_args=(--config configs/sparse-mnist16.yaml --data-dir "$mnist" --dense-readout --ntt-iterations 1000 --ntt-lr 1e-4)
spoken_args=(--config configs/sparse-spoken-digits.yaml --data-dir "$spoken" --dense-readout --ntt-iterations 300 --ntt-lr 1e-4
  --ntt-pool 500 --ntt-fd-step 1e-6)
if [ "$part" = all ] || [ "$part" = mnist ]; then
  for seed in 1 2; do
    run sparse-mnist16 dense 1 "$seed" software "${mnist_args[@]}"
    for d in 0.1 0.03; do for m in random ntt; do run sparse-mnist16 "$m" "$d" "$seed" software "${mnist_args[@]}"; done; done
  done
fi
if [ "$part" = all ] || [ "$part" = mnist-chip ]; then
  run sparse-mnist16-chip dense 1 1 chip:1 "${mnist_args[@]}" --epochs 10
  for d in 0.1 0.03; do for m in random ntt; do run sparse-mnist16-chip "$m" "$d" 1 chip:1 "${mnist_args[@]}" --epochs 10; done; done
fi
if [ "$part" = all ] || [ "$part" = mnist-ablation ]; then
  for d in 0.1 0.03; do run sparse-mnist16-magnitude ntt "$d" 1 software "${mnist_args[@]}" --ntt-iterations 0; done
  all_layers=(--config configs/sparse-mnist16.yaml --data-dir "$mnist" --ntt-iterations 1000 --ntt-lr 1e-4)
  for m in random ntt; do run sparse-mnist16-all-layers "$m" 0.1 1 software "${all_layers[@]}"; done
fi
if [ "$part" = all ] || [ "$part" = spoken ]; then
  for seed in 1 2; do
    for m in dense random ntt; do run sparse-spoken-digits-700 "$m" 0.2 "$seed" software "${spoken_args[@]}"; done
  done
fi
if [ "$part" = all ] || [ "$part" = spoken-chip ]; then
  for m in random ntt; do run sparse-spoken-digits-700-chip "$m" 0.2 1 chip:1 "${spoken_args[@]}" --epochs 10; done
fi
