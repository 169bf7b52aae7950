#!/usr/bin/env bash
# Trains the same small runs with two spikeloop binaries and checks that they agree bit for bit: checkpoint
# tensors and metadata, metrics.jsonl (timings aside), test.json, config.json, report.html and the --json line.
#   scripts/compare-runs.sh OLD_BINARY NEW_BINARY [MNIST_DIR]
# Used to show that a refactoring changed no result (same seed, same threads).
set -euo pipefail
old=$1 new=$2 mnist=${3:-../shared/data/mnist}
work=$(mktemp -d)
compare() {
    local name=$1; shift
    "$old" train "$@" --run-dir "$work/old-$name" --json > "$work/old-$name.out" 2>/dev/null
    "$new" train "$@" --run-dir "$work/new-$name" --json > "$work/new-$name.out" 2>/dev/null
    python3 - "$work/old-$name" "$work/new-$name" <<'PY'
import json, re, struct, sys, os
a, b = sys.argv[1], sys.argv[2]
def tensors(p):
    d = open(p, 'rb').read(); n = struct.unpack('<Q', d[:8])[0]
    m = json.loads(d[8:8 + n]).get('__metadata__') or {}
    m.pop('spikeloop.metrics_line', None)  # the epoch's metrics line, with its timing (since issue 11)
    return d[8 + n:], m
def text(p):
    return re.sub(r'"seconds":[0-9.e+-]+,', '', open(p).read()) if os.path.exists(p) else None
def last_json(p):
    j = json.loads(open(p + '.out').read().strip().split('\n')[-1])
    for k in ('seconds_per_epoch', 'run_dir', 'report'): j.pop(k, None)
    return j
bad = []
for f in ('last.safetensors', 'best.safetensors'):
    if os.path.exists(f'{a}/{f}') != os.path.exists(f'{b}/{f}'): bad.append(f)
    elif os.path.exists(f'{a}/{f}') and tensors(f'{a}/{f}') != tensors(f'{b}/{f}'): bad.append(f)
bad += [f for f in ('metrics.jsonl', 'test.json', 'config.json', 'report.html') if text(f'{a}/{f}') != text(f'{b}/{f}')]
if last_json(a) != last_json(b): bad.append('--json line')
print(os.path.basename(a)[4:], 'identical' if not bad else 'DIFFERENT: ' + ', '.join(bad))
sys.exit(1 if bad else 0)
PY
}
quick=(--train-samples 300 --validation-samples 100 --batch-size 50 --threads 2)
compare synthetic --dataset synthetic "${quick[@]}" --hidden 32 --epochs 2
compare eprop --dataset synthetic "${quick[@]}" --hidden 16 --epochs 1 --learning eprop --channel-jitter 1
compare chip --dataset synthetic "${quick[@]}" --hidden 16 --epochs 1 --substrate chip:1 --uncalibrated
if [ -d "$mnist" ]; then
    compare mnist --dataset mnist --data-dir "$mnist" "${quick[@]}" --epochs 1 --rotation 15 --dropout 0.1
fi
