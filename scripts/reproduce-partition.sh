#!/usr/bin/env bash
# Reproduces the partitioned-network results of RESULTS.md §15: networks larger than one emulated chip, trained in
# the loop. 28x28 MNIST 784-256-10 as 5 sub-networks, one after another on one chip and side by side on 5 chips;
# the recurrent spoken-digit network on all 700 channels with its hidden layer in lockstep on 3 chips. One JSON line
# per run goes to results/partition.jsonl (the mapping from `spikeloop partition`, the result from `spikeloop train`).
# Usage: scripts/reproduce-partition.sh [MNIST_DIR] [MNIST_EPOCHS] [SPOKEN_DIGITS_DIR] [SPOKEN_EPOCHS]
set -euo pipefail
cd "$(dirname "$0")/.."
mnist=${1:-${SPIKELOOP_MNIST_DIR:-../shared/data/mnist}}
mnist_epochs=${2:-60}
digits=${3:-data/spoken-digits}
digit_epochs=${4:-30}
make build >/dev/null
mkdir -p results runs
bin=.build/release/spikeloop
# job NAME DATASET_LABEL CONFIG EPOCHS TRAIN_ARGS...: the mapping, then the run, merged into one record.
job() {
  local name=$1 label=$2 cfg=$3 epochs=$4; shift 4
  rm -rf "runs/$name"
  local plan result
  plan=$($bin partition --config "$cfg" "$@" --json | tail -1)
  result=$($bin train --config "$cfg" --epochs "$epochs" --run-dir "runs/$name" --json "$@" 2>"runs/$name.log" | tail -1)
  jq -nc --arg job "$name" --arg dataset "$label" --argjson p "$plan" --argjson t "$result" '{
      job: $job, dataset: $dataset, network: $p.network, subnetworks: $p.subnetworks, seed: $t.seed,
      test_accuracy: $t.test_accuracy, chip_seconds_per_image: $t.chip_seconds_per_test_image,
      chips: $p.chips, runs_per_sample: $p.runs_per_sample, waves_per_sample: $p.waves_per_sample,
      chip_joules_per_image: $t.chip_energy_joules_per_test_image, substrate: $t.substrate, epochs: $t.epochs,
      best_validation_accuracy: $t.best_validation_accuracy, hidden_spikes_per_sample: $t.hidden_spikes_per_sample,
      host_seconds_per_epoch: $t.seconds_per_epoch, threads: $t.threads}' >> results/partition.jsonl
  tail -1 results/partition.jsonl
}
m=configs/partition-mnist784.yaml
for c in 1 2; do job "mnist784-chip$c" mnist-28x28 $m "$mnist_epochs" --data-dir "$mnist" --seed "$c" --substrate "chip:$c"; done
job mnist784-5chips mnist-28x28 $m "$mnist_epochs" --data-dir "$mnist" --seed 1 --substrate chip:1 --chip-count 5
if [ -f "$digits/shd_test.h5" ]; then
  job spoken700-3chips spoken-digits-700 configs/partition-spoken-digits-700.yaml "$digit_epochs" --data-dir "$digits" --seed 1 --substrate chip:1
else
  echo "no spoken-digit corpus in $digits (spikeloop dataset spoken-digits --output $digits): skipped" >&2
fi
