#!/usr/bin/env bash
# Reproduces the software-SNN image results of RESULTS.md: 16x16 MNIST and Fashion-MNIST, 100 epochs,
# seeds 1-3, with and without rotation augmentation (MNIST). CONFIG (optional) is a YAML file overlaid on the
# paper configuration (e.g. configs/images-tuned.yaml); each run's JSON summary is appended to
# results/images[-TAG].jsonl. Usage: scripts/reproduce-images.sh [MNIST_DIR] [EPOCHS] [CONFIG] [TAG]
set -euo pipefail
cd "$(dirname "$0")/.."
mnist=${1:-${SPIKELOOP_MNIST_DIR:-../shared/data/mnist}}
epochs=${2:-100}
config=${3:-}
tag=${4:-paper}
extra=()
[ -n "$config" ] && extra=(--config "$config")
out=results/images-$tag.jsonl
make build >/dev/null
mkdir -p results
for seed in 1 2 3; do
  for job in "mnist" "fashion-mnist" "mnist-rot"; do
    case $job in
      mnist) args=(--dataset mnist --data-dir "$mnist") ;;
      fashion-mnist) args=(--dataset fashion-mnist) ;;
      mnist-rot) args=(--dataset mnist --data-dir "$mnist" --rotation 15) ;;
    esac
    dir=runs/$tag-$job-s$seed
    rm -rf "$dir"
    .build/release/spikeloop train "${args[@]}" "${extra[@]}" --epochs "$epochs" --seed "$seed" --run-dir "$dir" --json 2>"$dir.log" \
      | tail -1 | sed "s/^{/{\"job\":\"$job\",/" >> "$out"
    tail -1 "$out"
  done
done
