#!/usr/bin/env bash
# Speed of `convert audio` with both cochlea models on the BENCHMARKS utterance (espeak-ng "seven", 0.994 s at
# 22.05 kHz), runs interleaved so both see the same machine load; fastest of 5 repetitions, best of 3 rounds.
# Then CPU seconds per file on the lauscher WAV set (one thread, `compare-lauscher`). Needs `make build`.
set -euo pipefail
bin=${BIN:-.build/release/spikeloop}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
espeak-ng -v en-us -s 140 -w "$tmp/utt.wav" seven
for threads in 2 1; do
    for model in lauscher fast; do
        best=
        for round in 1 2 3; do
            s=$("$bin" convert audio "$tmp/utt.wav" --output "$tmp/u.h5" --repetitions 5 --threads "$threads" --cochlea "$model" --json | tail -1 |
                python3 -c 'import json,sys; print(json.loads(sys.stdin.read())["wall_seconds"])')
            best=$(python3 -c "print(min(float('$s'), float('${best:-1e9}')))")
        done
        python3 -c "print(f'$model  threads $threads: {1000*$best:.1f} ms for 0.994 s, {0.994/$best:.1f}x real time')"
    done
done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
"$bin" convert compare-lauscher Tests/Fixtures/lauscher --seed 1 --threads 1 | tail -1
