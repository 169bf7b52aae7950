#!/usr/bin/env bash
# Reproduces the continual-learning table of RESULTS.md (issue 16 A): split and permuted 16x16 MNIST with Synaptic
# Intelligence, plain fine-tuning and joint training, 256-246-10 latency-coded SNN, in software (seeds 1, 2) and in the
# loop on emulated chip 1 (seed 1). One JSON line per run is appended to results/continual.jsonl (job, benchmark,
# method, substrate, seed, mean_accuracy, and the whole matrix); matrices and plots go to runs/continual/.
# Usage: scripts/reproduce-continual.sh [MNIST_DIR] [EPOCHS_PER_TASK] [DATASET]   (DATASET: mnist or fashion-mnist;
# Fashion-MNIST comes from Debian's dataset-fashion-mnist)
set -euo pipefail
cd "$(dirname "$0")/.."
mnist=${1:-${SPIKELOOP_MNIST_DIR:-../shared/data/mnist}}
epochs=${2:-3}
dataset=${3:-mnist}
make build >/dev/null
mkdir -p results runs/continual
run() {  # benchmark method substrate seed
  local out=runs/continual/$dataset-$1-$3-s$4 data=()
  [ "$dataset" = mnist ] && data=(--data-dir "$mnist")
  .build/release/spikeloop experiment continual --dataset "$dataset" "${data[@]}" --tasks "$1" --continual "$2" \
    --substrate "$3" --seed "$4" --epochs "$epochs" --out "$out" --json 2>"$out-$2.log" | tail -1 | python3 -c '
import json, sys
r = json.loads(sys.stdin.read())
line = {"job": "continual-%s-%s" % (r["dataset"], r["benchmark"]) if r["dataset"] != "mnist" else "continual-%s" % r["benchmark"], "benchmark": r["benchmark"], "method": r["method"],
        "substrate": r["substrate"], "seed": r["seed"], "mean_accuracy": r["mean_accuracy"], "dataset": r["dataset"],
        "epochs_per_task": r["epochs_per_task"], "accuracy_matrix": r["accuracy_matrix"]}
for k in ("si_c", "si_xi"):
    if k in r: line[k] = r[k]
print(json.dumps(line))' | tee -a results/continual.jsonl | cut -c1-160
}
for benchmark in permuted split; do
  for seed in 1 2; do
    for method in si finetune joint; do run "$benchmark" "$method" software "$seed"; done
  done
  for method in si finetune joint; do run "$benchmark" "$method" chip:1 1; done
done
