#!/usr/bin/env bash
# Online-rule speed and memory, side by side with a base build (default: the last commit before the per-event
# online rules), in one script run: e-prop and BPTT on SG-MLP16 (batch 16, 2 threads) at T = 100 and 1,000 in the
# steady state (more batches), and peak memory at T = 100, 1,000, 10,000 with the results/memory.jsonl command.
# Appends one JSON line per measurement to results/online-speed.jsonl.
# Usage: scripts/bench-online-speed.sh [BASE_REV] [REPEAT]
set -euo pipefail
cd "$(dirname "$0")/.."
base_rev=${1:-5e7a4cb}
repeat=${2:-3}
root=$PWD
src=$root/.build-online-base/src
if [ ! -d "$src" ]; then git worktree add --detach "$src" "$base_rev" >/dev/null; fi
git -C "$src" checkout -q --detach "$base_rev"
make build >/dev/null
(cd "$src" && swift build -c release -Xswiftc -target-cpu -Xswiftc native --scratch-path "$root/.build-online-base/build" >/dev/null)
new=$root/.build/release/spikeloop
old=$root/.build-online-base/build/release/spikeloop
mkdir -p results
measure() {  # build rule T batches -> JSON line
  local bin=$old; [ "$1" = new ] && bin=$new
  "$bin" bench --learning "$2" --steps "$3" --batch-size 16 --train-batches "$4" --train-only --json | tail -1 | python3 -c '
import json, sys
d = json.loads(sys.stdin.read())
print(json.dumps({"build": sys.argv[1], "revision": sys.argv[2], "learning": sys.argv[3], "steps": int(sys.argv[4]),
                  "train_batches": int(sys.argv[5]), "batch_size": 16, "threads": d["threads"],
                  "training_samples_per_second": d["training_samples_per_second"], "peak_rss_bytes": d["peak_rss_bytes"]}))' \
    "$1" "$([ "$1" = new ] && git rev-parse --short HEAD || echo "$base_rev")" "$2" "$3" "$4"
}
for r in $(seq "$repeat"); do
  for T in 100 1000; do
    nb=$(( T == 100 ? 200 : 40 ))
    for b in base new; do
      # the base e-prop is ~30x slower: fewer batches keep its run short (its per-sample cost does not change)
      n=$nb; [ "$b" = base ] && n=$(( nb / 10 ))
      measure "$b" eprop "$T" "$n" | tee -a results/online-speed.jsonl
    done
    measure new bptt "$T" "$nb" | tee -a results/online-speed.jsonl
  done
done
for T in 100 1000 10000; do
  for b in base new; do measure "$b" eprop "$T" 2 | tee -a results/online-speed.jsonl; done
done
