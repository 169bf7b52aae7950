#!/usr/bin/env bash
# Reproduces RESULTS.md §12 (issue 13 B): ANN→SNN conversion onto the emulated chip and in-the-loop fine-tuning
# (Schmitt et al. 2017). For each network (100-15-15-5 on MNIST digits 0-4 at 10x10; 256-246-10 on MNIST 16x16),
# chip profile (bss2, bss1), mismatch scale (1: calibrated defaults; 3) and seed: a float ReLU ANN (20 epochs),
# converted (regular rate code, 100 steps, 99.9th-percentile normalization), fine-tuned for 50 iterations of 2000
# training images each. Appends one line per run to results/conversion.jsonl (job = conversion-mismatch-<k>);
# curves and logs go to runs/conversion/, the plot of every curve there is copied to results/conversion.svg.
# Usage: scripts/reproduce-conversion.sh [MNIST_DIR] [NETWORKS] [PROFILES] [SEEDS] [MISMATCH_SCALES] [ITERATIONS]
#   (lists are space-separated in one argument; defaults "100-15-15-5 256-246-10" "bss2 bss1" "1 2" "1 3" 50; other
#   iteration counts keep their curves and plot in runs/conversion-it<N>/ and leave results/conversion.svg alone)
set -euo pipefail
cd "$(dirname "$0")/.."
mnist=${1:-${SPIKELOOP_MNIST_DIR:-../shared/data/mnist}}
networks=${2:-100-15-15-5 256-246-10}
profiles=${3:-bss2 bss1}
seeds=${4:-1 2}
scales=${5:-1 3}
iterations=${6:-50}
out=runs/conversion
[ "$iterations" = 50 ] || out=runs/conversion-it$iterations
make build >/dev/null
mkdir -p results "$out"
for network in $networks; do
  for profile in $profiles; do
    for scale in $scales; do
      for seed in $seeds; do
        .build/release/spikeloop experiment conversion --network "$network" --profile "$profile" --mismatch-scale "$scale" \
          --seed "$seed" --iterations "$iterations" --data-dir "$mnist" --out "$out" \
          2>"$out/$network-$profile-mismatch$scale-seed$seed.log" | tee -a results/conversion.jsonl
        if [ "$out" = runs/conversion ]; then cp runs/conversion/conversion.svg results/conversion.svg; fi
      done
    done
  done
done
