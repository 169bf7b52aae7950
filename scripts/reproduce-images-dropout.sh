#!/usr/bin/env bash
# Reproduces RESULTS.md §1c: configs/images-dropout.yaml on the full 60,000-image training sets (no validation
# hold-out, last checkpoint), 100 epochs, seeds 1-3: MNIST, Fashion-MNIST, and MNIST with rotation ±15°.
# JSON summaries go to results/images-dropout.jsonl. Usage: scripts/reproduce-images-dropout.sh [MNIST_DIR] [EPOCHS]
set -euo pipefail
cd "$(dirname "$0")/.."
mnist=${1:-${SPIKELOOP_MNIST_DIR:-../shared/data/mnist}}
epochs=${2:-100}
out=results/images-dropout.jsonl
make build >/dev/null
mkdir -p results runs
for job in mnist fashion-mnist mnist-rot; do
  for seed in 1 2 3; do
    case $job in
      mnist) args=(--dataset mnist --data-dir "$mnist") ;;
      fashion-mnist) args=(--dataset fashion-mnist) ;;
      mnist-rot) args=(--dataset mnist --data-dir "$mnist" --rotation 15) ;;
    esac
    dir=runs/dropout-$job-s$seed
    rm -rf "$dir"
    .build/release/spikeloop train "${args[@]}" --config configs/images-dropout.yaml --validation-samples 0 \
      --epochs "$epochs" --seed "$seed" --run-dir "$dir" --json 2>"$dir.log" \
      | tail -1 | sed "s/^{/{\"job\":\"dropout-$job\",/" >> "$out"
    tail -1 "$out"
  done
done
# The selection sweep of §1c (validation split, seed 1) that chose the configuration:
#   for (d, b) in (0.1, 0.002) (0.2, 0.002) (0.1, 0.004) (0.2, 0.005) (0.2, 0.008):
#     spikeloop train --dataset mnist --data-dir DIR --config configs/images-tuned.yaml --dropout d --burst b --epochs 100 --seed 1
#   (and Fashion-MNIST at dropout 0.1 and 0.2) → results/images-dropout-sweep.jsonl
