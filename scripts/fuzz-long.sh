#!/usr/bin/env bash
# Soak run of the file-reader fuzz suite (Tests/SpikeFuzzTests): many more byte-flip iterations per format
# (IDX raw + gzip, safetensors, SHD/HDF5, WAV), over several seeds, plus every generated malformed case.
#
#   scripts/fuzz-long.sh                          # 20000 byte flips per format, 3 seeds
#   SPIKELOOP_FUZZ_ITERATIONS=100000 SPIKELOOP_FUZZ_SEEDS=10 scripts/fuzz-long.sh
#   SPIKELOOP_FUZZ_VERBOSE=1 scripts/fuzz-long.sh # print every case first, so a crash names its input file
#
# A trap in a reader kills the test process: the script then exits non-zero and, with VERBOSE, the last
# "fuzz ... case" line names the file (left in $TMPDIR). Counts per format are printed as "fuzz <format>: ...".
set -euo pipefail
cd "$(dirname "$0")/.."
iterations=${SPIKELOOP_FUZZ_ITERATIONS:-20000}
seeds=${SPIKELOOP_FUZZ_SEEDS:-3}
first_seed=${SPIKELOOP_FUZZ_SEED:-1}
swift build --build-tests
log=$(mktemp -t spikeloop-fuzz-long.XXXXXX)
start=$(date +%s)
for ((s = first_seed; s < first_seed + seeds; s++)); do
    echo "== seed $s, $iterations byte flips per format"
    if ! SPIKELOOP_FUZZ_ITERATIONS=$iterations SPIKELOOP_FUZZ_SEED=$s \
        swift test --skip-build --filter SpikeFuzzTests >"$log" 2>&1; then
        grep -E "^fuzz|✘|↳|Fatal|crashed|signal" "$log" | grep -v "Target Platform\|Testing Library" | tail -40
        echo "FAILED at seed $s (full log: $log)"
        exit 1
    fi
    grep -E "^fuzz .*: [0-9]+ cases" "$log"
done
echo "all seeds passed in $(( $(date +%s) - start )) s"
rm -f "$log"
