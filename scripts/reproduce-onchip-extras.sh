#!/usr/bin/env bash
# The smaller on-chip learning measurements of RESULTS.md (issue 14): reward-modulated STDP on the action-selection
# task (seeds 1, 2), and the cosine of the on-chip e-prop update to BPTT's gradient on the same chip runs (a fresh
# network, and the network of CHECKPOINT when given, e.g. runs/onchip/mnist-s1/best.safetensors). One JSON line per
# measurement is appended to results/onchip-extras.jsonl.
# Usage: scripts/reproduce-onchip-extras.sh [MNIST_DIR] [CHECKPOINT]
set -euo pipefail
cd "$(dirname "$0")/.."
mnist=${1:-${SPIKELOOP_MNIST_DIR:-../shared/data/mnist}}
make build >/dev/null
mkdir -p results
for seed in 1 2; do
  .build/release/spikeloop experiment rstdp --trials 3000 --block 500 --seed "$seed" 2>/dev/null | tee -a results/onchip-extras.jsonl
done
.build/release/spikeloop experiment onchip-gradient --data-dir "$mnist" --samples 200 | tee -a results/onchip-extras.jsonl
if [ -n "${2:-}" ]; then
  .build/release/spikeloop experiment onchip-gradient --data-dir "$mnist" --samples 200 --checkpoint "$2" | tee -a results/onchip-extras.jsonl
fi
