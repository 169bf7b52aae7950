#!/usr/bin/env bash
# Measures two builds side by side in one script run (these machines are noisy): the binary of BASE (a git
# revision; default: the last commit before the architecture change) and the working tree's. Workloads: SG-MLP16
# training and inference (batch 1000 and 1) on the software substrate, the same on the emulated chip, and a
# 1-epoch Fashion-MNIST run (seed 1), whose test accuracy must be identical. Runs alternate base/new; each
# figure is given as the best and the median of REPEAT runs (ratios > 1: the new build is faster). One JSON line
# per workload is appended to results/compare-builds.jsonl. (The software workload times 30 inference batches of 1000:
# shorter runs cannot resolve a few per cent on this shared VM.)
# Usage: scripts/compare-builds.sh [BASE_REV] [REPEAT]
set -euo pipefail
cd "$(dirname "$0")/.."
base_rev=${1:-2007987}
repeat=${2:-3}
root=$PWD
src=$root/.build-base/src
if [ ! -d "$src" ]; then git worktree add --detach "$src" "$base_rev" >/dev/null; fi
git -C "$src" checkout -q --detach "$base_rev"
make build >/dev/null
(cd "$src" && swift build -c release -Xswiftc -target-cpu -Xswiftc native --scratch-path "$root/.build-base/build" >/dev/null)
new=$root/.build/release/spikeloop
old=$root/.build-base/build/release/spikeloop
mkdir -p results
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

bench() {  # name, args...: best-of-repeat bench figures of both binaries
  local name=$1; shift
  : >"$tmp/old" ; : >"$tmp/new"
  for _ in $(seq "$repeat"); do
    "$old" bench "$@" --json | tail -1 >>"$tmp/old"
    "$new" bench "$@" --json | tail -1 >>"$tmp/new"
  done
  python3 - "$name" "$base_rev" "$tmp/old" "$tmp/new" <<'PY'
import json, sys
name, rev, old, new = sys.argv[1:]
keys = ("training_samples_per_second", "inference_patterns_per_second", "inference_batch1_patterns_per_second")
rows = {w: [json.loads(l) for l in open(p) if l.strip()] for w, p in (("base", old), ("new", new))}
out = {"workload": name, "base_revision": rev, "repeats": len(rows["new"])}
def median(v):
    v = sorted(v); return v[len(v) // 2] if len(v) % 2 else (v[len(v) // 2 - 1] + v[len(v) // 2]) / 2
for k in keys:
    b = [r[k] for r in rows["base"]]; n = [r[k] for r in rows["new"]]
    out[k] = {"base_best": round(max(b)), "new_best": round(max(n)), "ratio_best": round(max(n) / max(b), 3),
              "base_median": round(median(b)), "new_median": round(median(n)), "ratio_median": round(median(n) / median(b), 3)}
print(json.dumps(out, sort_keys=True))
with open("results/compare-builds.jsonl", "a") as f: f.write(json.dumps(out, sort_keys=True) + "\n")
PY
}

epoch() {  # best-of-repeat wall time of a 1-epoch Fashion-MNIST run; accuracies must agree
  : >"$tmp/old" ; : >"$tmp/new"
  for _ in $(seq "$repeat"); do
    for w in old new; do
      bin=$old; [ $w = new ] && bin=$new
      rm -rf "$tmp/run-$w"
      "$bin" train --dataset fashion-mnist --epochs 1 --seed 1 --run-dir "$tmp/run-$w" --json 2>/dev/null | tail -1 >>"$tmp/$w"
    done
  done
  python3 - "$base_rev" "$tmp/old" "$tmp/new" <<'PY'
import json, sys
rev, old, new = sys.argv[1:]
rows = {w: [json.loads(l) for l in open(p) if l.strip()] for w, p in (("base", old), ("new", new))}
bs = sorted(r["seconds_per_epoch"] for r in rows["base"]); ns = sorted(r["seconds_per_epoch"] for r in rows["new"])
b, n = bs[0], ns[0]
bm, nm = bs[len(bs) // 2], ns[len(ns) // 2]
acc = {w: sorted({r["test_accuracy"] for r in rows[w]}) for w in rows}
out = {"workload": "fashion-mnist 1 epoch (seed 1)", "base_revision": rev, "repeats": len(rows["new"]),
       "seconds_per_epoch": {"base_best": round(b, 3), "new_best": round(n, 3), "speed_ratio_best": round(b / n, 3),
                             "base_median": round(bm, 3), "new_median": round(nm, 3), "speed_ratio_median": round(bm / nm, 3)},
       "test_accuracy": {"base": acc["base"], "new": acc["new"], "identical": acc["base"] == acc["new"]}}
print(json.dumps(out, sort_keys=True))
with open("results/compare-builds.jsonl", "a") as f: f.write(json.dumps(out, sort_keys=True) + "\n")
PY
}

echo "== SG-MLP16, software, 2 threads (ratio = new/base speed; > 1 is faster)"
bench "sg-mlp16 software" --train-batches 60 --inference-batches 30 --single-samples 5000
echo "== SG-MLP16 --paper, emulated chip"
bench "sg-mlp16-paper chip" --paper --substrate chip --train-batches 60 --inference-batches 8 --single-samples 2000
echo "== Fashion-MNIST, 1 epoch"
epoch
echo "== same weights? (synthetic task, 2 epochs, seed 3: in the loop on chip:1, with dropout, with e-prop)"
for job in "chip --substrate chip:1" "dropout --dropout 0.2" "eprop --learning eprop"; do
  set -- $job
  name=$1; shift
  for w in old new; do
    bin=$old; [ $w = new ] && bin=$new
    "$bin" train --dataset synthetic --epochs 2 --seed 3 "$@" --run-dir "$tmp/$name-$w" >/dev/null 2>&1
  done
  same=$(python3 scripts/compare-checkpoints.py "$tmp/$name-old/last.safetensors" "$tmp/$name-new/last.safetensors" || true)
  line="{\"workload\": \"synthetic $name, same seed\", \"base_revision\": \"$base_rev\", \"weights\": $same}"
  echo "$line"; echo "$line" >> results/compare-builds.jsonl
done
