#!/usr/bin/env bash
# Reproduces the on-chip learning table of RESULTS.md (issue 14): 256-246-10 on 16x16 MNIST and Fashion-MNIST trained
# by the emulated chip's plasticity processor (configs/onchip-images.yaml: no host backward pass), chip instance =
# seed. One JSON line per run is appended to results/onchip.jsonl (job, dataset, learning, host_backward, seed,
# test_accuracy, chip_seconds_per_image, and the PPU's share, energy and the host's wall time per image).
# Usage: scripts/reproduce-onchip.sh [MNIST_DIR] [EPOCHS] [SEEDS] [DATASETS]
#   e.g. scripts/reproduce-onchip.sh ../shared/data/mnist 6 "1 2" "mnist fashion-mnist"
set -euo pipefail
cd "$(dirname "$0")/.."
mnist=${1:-${SPIKELOOP_MNIST_DIR:-../shared/data/mnist}}
epochs=${2:-6}
seeds=${3:-1 2}
datasets=${4:-mnist fashion-mnist}
make build >/dev/null
mkdir -p results runs/onchip
for dataset in $datasets; do
  for seed in $seeds; do
    data=()
    [ "$dataset" = mnist ] && data=(--data-dir "$mnist")
    out=runs/onchip/$dataset-s$seed
    rm -rf "$out"
    .build/release/spikeloop train --config configs/onchip-images.yaml --dataset "$dataset" "${data[@]}" \
      --substrate "chip:$seed" --seed "$seed" --epochs "$epochs" --run-dir "$out" --json 2>"$out.log" | tail -1 |
      python3 -c '
import json, sys
r = json.loads(sys.stdin.read())
line = {"job": "onchip-" + r["dataset"], "dataset": r["dataset"], "learning": r["learning"], "host_backward": r["host_backward"],
        "seed": r["seed"], "test_accuracy": r["test_accuracy"], "chip_seconds_per_image": r["chip_seconds_per_image"],
        "ppu_seconds_per_image": r["ppu_seconds_per_image"], "ppu_joules_per_image": r["ppu_joules_per_image"],
        "host_seconds_per_image": r["host_seconds_per_image"], "chip_updates_per_second": r["chip_updates_per_second"],
        "epochs": r["epochs"], "substrate": r["substrate"]}
print(json.dumps(line))' | tee -a results/onchip.jsonl
  done
done
