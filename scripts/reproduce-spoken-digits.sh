#!/usr/bin/env bash
# Reproduces the spoken-digit results of RESULTS.md §5: synthesizes the corpus with the fast cochlea model they were
# measured with (40 espeak-ng voices, 10 held out,
# English and German digits, 3 speeds x 2 pitches; about 5.5 minutes on 2 cores), then trains the recurrent SNN in
# software (seeds 1-3), in the loop on an emulated chip, and with online e-prop vs BPTT for 10 epochs. JSON summaries go to
# results/spoken-digits.jsonl. Usage: scripts/reproduce-spoken-digits.sh [DATA_DIR] [EPOCHS]
set -euo pipefail
cd "$(dirname "$0")/.."
data=${1:-data/spoken-digits}
epochs=${2:-30}
make build >/dev/null
mkdir -p results runs
if [ ! -f "$data/shd_test.h5" ]; then
  .build/release/spikeloop dataset spoken-digits --output "$data" --voices 40 --test-voices 10 --seed 1 --cochlea fast --json \
    | tail -1 | sed 's/^{/{"job":"corpus",/' >> results/spoken-digits.jsonl
fi
job() {
  local name=$1 n=$2 cfg=$3; shift 3
  rm -rf "runs/$name"
  .build/release/spikeloop train --config "$cfg" --data-dir "$data" --epochs "$n" \
    --run-dir "runs/$name" --json "$@" 2>"runs/$name.log" | tail -1 | sed "s/^{/{\"job\":\"$name\",/" >> results/spoken-digits.jsonl
  tail -1 results/spoken-digits.jsonl
}
sw=configs/spoken-digits.yaml chip=configs/spoken-digits-chip.yaml
for seed in 1 2 3; do job "sd-software-s$seed" "$epochs" $sw --seed "$seed"; done
# Online learning vs BPTT at equal (short) budgets: e-prop costs ~40x more per epoch here.
job sd-bptt-10ep-s1 10 $sw --seed 1
job sd-eprop-10ep-s1 10 $sw --seed 1 --learning eprop
# In the loop on two emulated chips, and the chip settings in software for comparison.
for c in 1 2; do job "sd-chip2-c$c" "$epochs" $chip --seed "$c" --substrate "chip:$c"; done
job sd-software-chipcfg-s1 "$epochs" $chip --seed 1
job sd-eprop-chipcfg-10ep-s1 10 $chip --seed 1 --learning eprop
job sd-bptt-chipcfg-10ep-s1 10 $chip --seed 1
