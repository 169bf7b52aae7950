#!/usr/bin/env bash
# The recurrent SHD workload side by side with plain PyTorch, eager and torch.compile, in one run (issue 18):
# 70 and 700 inputs -> 186 recurrent CUBA-LIF -> 20 readouts, T = 250, batch 64, SHD-shaped random spikes, BPTT +
# Adam, the same threads for both. PyTorch: ../shared/bench/rsnn_torch.py (or TORCH_SCRIPT), CPU torch from PyPI
# (pip install torch==2.13.0+cpu). One JSON line per measurement is appended to results/bench-shd.jsonl
# (framework, inputs, samples_per_second, threads), then the ratios are printed.
# Usage: scripts/bench-shd-vs-torch.sh [TORCH_SCRIPT] [THREADS] [INPUTS]
set -euo pipefail
cd "$(dirname "$0")/.."
torch_script=${1:-../shared/bench/rsnn_torch.py}
threads=${2:-2}
inputs_list=${3:-70 700}
make build >/dev/null
mkdir -p results
out=results/bench-shd.jsonl
stamp=$(date -u +%Y-%m-%dT%H:%M:%SZ)
for inputs in $inputs_list; do
  .build/release/spikeloop bench --workload shd --inputs "$inputs" --threads "$threads" --train-batches 20 --json | tail -1 |
    python3 -c '
import json, sys
r = json.loads(sys.stdin.read())
print(json.dumps({"framework": "spikeloop", "inputs": int(sys.argv[1]), "samples_per_second": r["training_samples_per_second"],
    "threads": r["threads"], "hidden_spikes_per_sample": r["training_hidden_spikes_per_sample"], "time": sys.argv[2]}))' "$inputs" "$stamp" | tee -a "$out"
  if python3 -c "import torch" 2>/dev/null; then
    for mode in "" --compile; do
      python3 "$torch_script" --channels "$inputs" --threads "$threads" $mode 2>/dev/null | tail -1 |
        python3 -c '
import json, sys
r = json.loads(sys.stdin.read())
print(json.dumps({"framework": r["framework"], "inputs": r["channels"], "samples_per_second": r["samples_per_s"],
    "threads": r["threads"], "time": sys.argv[1]}))' "$stamp" | tee -a "$out"
    done
  else
    echo "torch not importable: PyPI's CPU build is pip install torch==2.13.0+cpu" >&2
  fi
done
python3 - "$out" "$stamp" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
rows = [r for r in rows if r.get("time") == sys.argv[2]]
for n in sorted({r["inputs"] for r in rows}):
    by = {r["framework"]: r["samples_per_second"] for r in rows if r["inputs"] == n}
    s = by.get("spikeloop")
    others = ", ".join(f"{k} {v:.0f} ({s / v:.1f}x)" for k, v in by.items() if k != "spikeloop")
    print(f"{n} inputs: spikeloop {s:.0f} samples/s; {others}")
PY
