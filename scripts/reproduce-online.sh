#!/usr/bin/env bash
# Reproduces the online-learning results of RESULTS.md / BENCHMARKS.md:
#  1. 16x16 Fashion-MNIST, paper configuration, EPOCHS epochs: BPTT vs the block-diagonal rule (e-prop,
#     symmetric feedback) and its random-feedback variant, seed 1 -> results/online.jsonl
#  2. peak memory vs sequence length T for BPTT and e-prop on SG-MLP16 (batch 16) -> results/memory.jsonl
# Usage: scripts/reproduce-online.sh [EPOCHS]
set -euo pipefail
cd "$(dirname "$0")/.."
epochs=${1:-10}
make build >/dev/null
mkdir -p results
for rule in bptt eprop eprop-random; do
  args=(--learning "${rule%-random}")
  [ "$rule" = eprop-random ] && args+=(--feedback random)
  dir=runs/online-fashion-$rule
  rm -rf "$dir"
  .build/release/spikeloop train --dataset fashion-mnist "${args[@]}" --epochs "$epochs" --run-dir "$dir" --json 2>"$dir.log" \
    | tail -1 | sed "s/^{/{\"job\":\"fashion-$rule\",/" >> results/online.jsonl
  tail -1 results/online.jsonl
done
for T in 100 1000 10000; do
  for rule in bptt eprop; do
    .build/release/spikeloop bench --learning "$rule" --steps "$T" --batch-size 16 --train-batches 2 --train-only --json | tail -1 >> results/memory.jsonl
    tail -1 results/memory.jsonl
  done
done
