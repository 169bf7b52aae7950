#!/usr/bin/env bash
# Reproduces the VMM-mode MNIST results (issue 13 A): the published network (Conv2d 1→20 k10 s5 p1 → converting
# ReLU → Linear 500→128 → converting ReLU → Linear 128→10) trained in software (hxtorch's mock model), transferred
# onto emulated chip SEED at mismatch scales 1, 2 and 4, and fine-tuned in the loop on each. Appends one JSON line
# per run to results/vmm.jsonl. Usage: scripts/reproduce-vmm.sh [MNIST_DIR] [SOFTWARE_EPOCHS] [LOOP_EPOCHS] [SEED]
set -euo pipefail
cd "$(dirname "$0")/.."
mnist=${1:-${SPIKELOOP_MNIST_DIR:-../shared/data/mnist}}
software_epochs=${2:-15}
loop_epochs=${3:-5}
seed=${4:-1}
swift build -c release -Xswiftc -target-cpu -Xswiftc native --product ReproduceVMM >/dev/null
mkdir -p results runs
.build/release/ReproduceVMM "$mnist" "$software_epochs" "$loop_epochs" "$seed" 2>"runs/vmm-seed$seed.log" | tee -a results/vmm.jsonl
