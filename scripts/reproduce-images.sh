#!/usr/bin/env bash
# Reproduces the software-SNN image results of RESULTS.md: 16x16 MNIST and Fashion-MNIST, paper configuration,
# 100 epochs, seeds 1-3, with and without rotation augmentation (MNIST). Each run's JSON summary is appended
# to results/images.jsonl. Usage: scripts/reproduce-images.sh [MNIST_DIR] [EPOCHS]
set -euo pipefail
cd "$(dirname "$0")/.."
mnist=${1:-${SPIKELOOP_MNIST_DIR:-../shared/data/mnist}}
epochs=${2:-100}
make build >/dev/null
mkdir -p results
for seed in 1 2 3; do
  for job in "mnist" "fashion-mnist" "mnist-rot"; do
    case $job in
      mnist) args=(--dataset mnist --data-dir "$mnist") ;;
      fashion-mnist) args=(--dataset fashion-mnist) ;;
      mnist-rot) args=(--dataset mnist --data-dir "$mnist" --rotation 15) ;;
    esac
    dir=runs/paper-$job-s$seed
    rm -rf "$dir"
    .build/release/spikeloop train "${args[@]}" --epochs "$epochs" --seed "$seed" --run-dir "$dir" --json 2>"$dir.log" \
      | tail -1 | sed "s/^{/{\"job\":\"$job\",/" >> results/images.jsonl
    tail -1 results/images.jsonl
  done
done
