#!/usr/bin/env bash
# Trains a small network, exports it with `spikeloop export --format torch` and checks that
# python/examples/load_in_snntorch.py reproduces its test accuracy within 0.1 pp: always with the numpy
# re-implementation of snnTorch's equations, and with snnTorch itself when torch and snntorch import.
#
#   scripts/check-snntorch-export.sh [SPIKELOOP_BIN] [DATASET] [DATA_DIR] [EPOCHS]
#   (defaults: .build/release/spikeloop, mnist, ../shared/data/mnist, 2)
#
# PYTHON selects the interpreter (default python3; it needs numpy). Exits non-zero on a mismatch.
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${1:-.build/release/spikeloop}"
dataset="${2:-mnist}"
data="${3:-../shared/data/mnist}"
epochs="${4:-2}"
python="${PYTHON:-python3}"
run="$(mktemp -d)/run"
"$bin" train --dataset "$dataset" --data-dir "$data" --epochs "$epochs" --train-samples 10000 --run-dir "$run" \
  --no-tensorboard --json | tail -1
"$bin" export "$run/best.safetensors" --format torch -o "$run/best.torch.safetensors"
"$python" python/examples/load_in_snntorch.py "$run/best.torch.safetensors" --data-dir "$data" --backend numpy
if "$python" -c "import torch, snntorch" 2>/dev/null; then
  "$python" python/examples/load_in_snntorch.py "$run/best.torch.safetensors" --data-dir "$data" --backend snntorch
else
  echo "snnTorch not importable with $python: checked with the numpy re-implementation only"
fi
