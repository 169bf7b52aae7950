#!/usr/bin/env bash
# Reproduces the emulated-chip results of RESULTS.md: in-the-loop training from scratch on calibrated chips
# (MNIST and Fashion-MNIST, 16x16) and the decalibration experiment. JSON summaries go to results/chip.jsonl
# and runs/mismatch/. Usage: scripts/reproduce-chip.sh [MNIST_DIR] [EPOCHS]
set -euo pipefail
cd "$(dirname "$0")/.."
mnist=${1:-${SPIKELOOP_MNIST_DIR:-../shared/data/mnist}}
epochs=${2:-100}
make build >/dev/null
mkdir -p results
for chip in 1 2; do
  for ds in mnist fashion-mnist; do
    args=(--dataset "$ds" --config configs/images-tuned.yaml)
    [ "$ds" = mnist ] && args+=(--data-dir "$mnist")
    dir=runs/chip-$ds-c$chip
    rm -rf "$dir"
    .build/release/spikeloop train "${args[@]}" --substrate "chip:$chip" --epochs "$epochs" --seed "$chip" --run-dir "$dir" --json 2>"$dir.log" \
      | tail -1 | sed "s/^{/{\"job\":\"chip-$ds\",/" >> results/chip.jsonl
    tail -1 results/chip.jsonl
  done
done
for ds in mnist fashion-mnist; do
  args=(--dataset "$ds" --config configs/images-tuned.yaml)
  [ "$ds" = mnist ] && args+=(--data-dir "$mnist")
  .build/release/spikeloop experiment mismatch "${args[@]}" --software-epochs 30 --loop-epochs 5 --chips 1,2 --out runs/mismatch --json \
    2>runs/mismatch-$ds.log | tail -1 >> results/mismatch.jsonl
  tail -1 results/mismatch.jsonl
done
