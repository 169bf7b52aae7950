#!/usr/bin/env bash
# Spoken digits that generalize beyond one synthesizer (issue 18): trains the recurrent SNN on the espeak-ng corpus
# only and tests it on held-out espeak-ng voices and on a held-out synthesizer (Festival's English voices, never used
# for training or for choosing settings). One JSON line per (run, test set) is appended to
# results/speech-generalization.jsonl: job, test_set (espeak-heldout-voices | festival), substrate, seed,
# test_accuracy (fraction), hidden_spikes_per_sample, plus the run's settings.
# Usage: scripts/reproduce-speech-generalization.sh JOB CONFIG "SEEDS" [EPOCHS] [CORPUS_COPIES] [-- TRAIN FLAGS...]
#   e.g. scripts/reproduce-speech-generalization.sh baseline configs/spoken-digits.yaml "1 2 3" 30 0
#        scripts/reproduce-speech-generalization.sh spike-aug configs/spoken-digits.yaml "1 2 3" 30 0 -- --augment-time-mask 20
# Corpora: data/spoken-digits-<cochlea>[-aug<K>] and data/spoken-digits-festival-<cochlea>. CORPUS_COPIES > 0 trains
# on K audio-augmented renditions of every training utterance as well.
# COCHLEA=fast|lauscher (default lauscher) chooses the model of newly generated corpora (existing folders are reused).
set -euo pipefail
cd "$(dirname "$0")/.."
job=$1 config=$2 seeds=$3 epochs=${4:-30} copies=${5:-0}
shift $(( $# < 5 ? $# : 5 ))
[ "${1:-}" = "--" ] && shift
bin=.build/release/spikeloop
make build >/dev/null
mkdir -p results runs/speech
cochlea=${COCHLEA:-lauscher}
corpus=data/spoken-digits-$cochlea
[ "$copies" -gt 0 ] && corpus=data/spoken-digits-$cochlea-aug$copies
festival=data/spoken-digits-festival-$cochlea
if [ ! -f "$corpus/shd_test.h5" ]; then
  "$bin" dataset spoken-digits --output "$corpus" --voices 40 --test-voices 10 --seed 1 --augmented-copies "$copies" \
    --cochlea "$cochlea" >/dev/null
fi
if [ ! -f "$festival/shd_test.h5" ]; then
  "$bin" dataset spoken-digits --synthesizer festival --output "$festival" --cochlea "$cochlea" >/dev/null
fi
for seed in $seeds; do
  run=runs/speech/$job-s$seed
  rm -rf "$run"
  "$bin" train --config "$config" --data-dir "$corpus" --epochs "$epochs" --seed "$seed" --run-dir "$run" --json "$@" \
    2>"$run.log" | tail -1 > "$run.json"
  for set in espeak-heldout-voices festival; do
    dir=$corpus
    [ "$set" = festival ] && dir=$festival
    "$bin" evaluate "$run/best.safetensors" --data-dir "$dir" --json 2>/dev/null | tail -1 |
      python3 -c '
import json, sys
e = json.loads(sys.stdin.read()); r = json.load(open(sys.argv[5]))
print(json.dumps({"job": sys.argv[1], "test_set": sys.argv[2], "substrate": r["substrate"], "seed": int(sys.argv[3]),
    "test_accuracy": e["accuracy"], "hidden_spikes_per_sample": e["hidden_spikes_per_sample"], "samples": e["samples"],
    "epochs": r["epochs"], "config": sys.argv[4], "train_flags": sys.argv[6], "corpus": sys.argv[7]}))' \
      "$job" "$set" "$seed" "$config" "$run.json" "$*" "$corpus" | tee -a results/speech-generalization.jsonl
  done
done
