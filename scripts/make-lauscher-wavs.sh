#!/usr/bin/env bash
# Writes the WAV set the cochlea is compared on against lauscher (issue 18, item 0): 24 single digits, English and
# German, 24 espeak-ng voice variants, at the six sample rates speech recordings use (4 files per rate), 16-bit
# mono. espeak-ng speaks at 22.05 kHz; sox resamples (its default very-high-quality band-limited resampler).
# Deterministic: same espeak-ng/sox versions → same files. Needs espeak-ng and sox (apt-get install espeak-ng sox).
set -euo pipefail
out=${1:-Tests/Fixtures/lauscher}
mkdir -p "$out"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
# rate  voice        text
items="
16000 en+f1 seven
16000 de+m3 drei
16000 en-us+klatt four
16000 en+Annie nine
22050 en+m1 two
22050 de+f2 acht
22050 en-gb+Andy five
22050 en+f4 zero
24000 en+m2 six
24000 de+klatt2 eins
24000 en-us+f3 one
24000 en+Alex eight
32000 en+f2 three
32000 de+m1 sieben
32000 en+m4 nine
32000 en-us+Alicia two
44100 en+m3 zero
44100 de+f1 vier
44100 en+klatt3 five
44100 en-gb+f5 seven
48000 en-us+m2 eight
48000 de+Andy neun
48000 en+f3 six
48000 en+Denis one
"
echo "$items" | while read -r rate voice text; do
    [ -n "${rate:-}" ] || continue
    name="${rate}-${voice//+/-}-${text}.wav"
    espeak-ng -v "$voice" -w "$tmp/raw.wav" "$text"
    # Drop leading/trailing silence below −50 dBFS so the clips stay short, then resample to the target rate.
    sox "$tmp/raw.wav" -b 16 "$out/$name" silence 1 0.01 -50d reverse silence 1 0.01 -50d reverse pad 0.05 0.05 rate -v "$rate"
done
ls -l "$out"/*.wav | awk '{s+=$5} END {print NR " files, " s " bytes"}'
