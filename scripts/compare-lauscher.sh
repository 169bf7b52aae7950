#!/usr/bin/env bash
# Per-file comparison of our default cochlea with lauscher's committed reference spikes (issue 18 item 0):
# per-channel count correlation (one run; expected, noise-corrected), total-spike ratio, 20 bands × 10 ms histogram
# correlation, CPU time. Writes results/cochlea-lauscher.jsonl. Needs `make build`.
set -euo pipefail
bin=${BIN:-.build/release/spikeloop}
"$bin" convert compare-lauscher "${1:-Tests/Fixtures/lauscher}" --seed "${SEED:-1}" --threads "${THREADS:-1}" \
    --jsonl results/cochlea-lauscher.jsonl
