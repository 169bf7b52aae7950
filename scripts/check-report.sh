#!/usr/bin/env bash
# Renders a SpikeLoop report.html in headless Chromium (Debian's package) and checks that the page drew:
# the screenshot exists, is large, and is not blank. Usage: scripts/check-report.sh [report.html] [out.png]
set -euo pipefail
report=${1:-}
out=${2:-/tmp/spikeloop-report.png}
if [ -z "$report" ]; then
  report=$(ls -t runs/*/report.html 2>/dev/null | head -1 || true)
  [ -n "$report" ] || { echo "no report given and none under runs/; run 'make demo' first" >&2; exit 2; }
fi
[ -f "$report" ] || { echo "$report: no such file" >&2; exit 2; }
command -v chromium >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }
abs=$(readlink -f "$report")
rm -f "$out"
timeout 120 chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1250,2600 \
  --screenshot="$out" "file://$abs" >/dev/null 2>&1 || true
[ -s "$out" ] || { echo "Chromium wrote no screenshot for $report" >&2; exit 1; }
python3 - "$out" <<'PY'
import struct, sys, zlib
data = open(sys.argv[1], 'rb').read()
assert data[:8] == b'\x89PNG\r\n\x1a\n', 'not a PNG'
w, h, depth, ctype = struct.unpack('>IIBB', data[16:26])
assert depth == 8 and ctype in (2, 6), f'unexpected PNG format depth={depth} colour={ctype}'
chunks, i = [], 8
while i < len(data):
    n = struct.unpack('>I', data[i:i+4])[0]
    if data[i+4:i+8] == b'IDAT': chunks.append(data[i+8:i+8+n])
    i += 12 + n
raw = zlib.decompress(b''.join(chunks))
bpp = 4 if ctype == 6 else 3
stride = w * bpp
prev = bytearray(stride)
dark = 0
for y in range(h):
    f = raw[y*(stride+1)]
    line = bytearray(raw[y*(stride+1)+1:(y+1)*(stride+1)])
    for x in range(stride):
        a = line[x-bpp] if x >= bpp else 0
        b = prev[x]
        c = prev[x-bpp] if x >= bpp else 0
        if f == 1: line[x] = (line[x] + a) & 255
        elif f == 2: line[x] = (line[x] + b) & 255
        elif f == 3: line[x] = (line[x] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c; pa, pb, pc = abs(p-a), abs(p-b), abs(p-c)
            line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    if y % 4 == 0:
        dark += sum(1 for x in range(0, w, 4) if line[x*bpp] + line[x*bpp+1] + line[x*bpp+2] < 600)
    prev = line
print(f'screenshot {w}x{h}, {dark} of {(w//4)*(h//4)} sampled pixels drawn')
assert dark > 2000, 'the page looks blank'
PY
echo "report renders: $out"
