#!/usr/bin/env bash
# Regenerates lauscher's reference conversions of the committed WAV set (issue 18, item 0): installs lauscher 1.0.1
# (the SHD authors' conversion chain, PyPI) into .venv-lauscher, runs `python -m lauscher in.wav out.npz
# --num_channels 700` on every WAV and stores the spikes as float32 .npy [2, N] (times s; channels) next to it.
# lauscher takes ≈ 30–120 s per clip on one core and is stochastic (unseeded numpy), so outputs differ run to run.
# Usage: scripts/make-lauscher-reference.sh [dir] [parallel jobs, default 2] [suffix, default none]
set -euo pipefail
dir=${1:-Tests/Fixtures/lauscher}
jobs=${2:-2}
suffix=${3:-}
venv=${LAUSCHER_VENV:-.venv-lauscher}
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import lauscher" 2>/dev/null; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q lauscher==1.0.1
fi
export VENV="$venv" SUFFIX="$suffix"
ls "$dir"/*.wav | xargs -P "$jobs" -I{} bash -c '
    wav={}; base=${wav%.wav}; tmp=$(mktemp --suffix=.npz)
    start=$(date +%s.%N)
    "$VENV/bin/python" -m lauscher "$wav" "$tmp" --num_channels 700 -j 1
    end=$(date +%s.%N)
    "$VENV/bin/python" scripts/lauscher-npz-to-npy.py "$tmp" "$base$SUFFIX.lauscher.npy"
    echo "$(basename "$wav"): $(echo "$end - $start" | bc) s"
    rm -f "$tmp"'
