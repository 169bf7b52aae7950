#!/usr/bin/env bash
# Renders SpikeLoop reports in headless Chromium (Debian's package) and checks them.
#
#   scripts/check-report.sh REPORT.html [OUT.png]   render one report and check that it drew
#   scripts/check-report.sh                         train a small software run and a small in-the-loop chip run
#                                                   (Fashion-MNIST subset), render both reports to
#                                                   runs/check-report/software.png and chip.png, and check them
#
# A check passes when the page has its sections (the chip report also its chip sections: membranes with the ADC
# range, calibration, chip time), the screenshot is not blank, and the whole page fits in the screenshot (the
# window grows until the bottom rows are empty). Chromium and Pillow are installed with apt-get when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${SPIKELOOP_BIN:-.build/release/spikeloop}
SUDO=$([ "$(id -u)" = 0 ] || echo sudo)
PY=/usr/bin/python3  # Debian's Python, where python3-pil installs Pillow

ensure_tools() {
  local missing=""
  command -v chromium >/dev/null || missing="$missing chromium"
  "$PY" -c 'import PIL' 2>/dev/null || missing="$missing python3-pil"
  if [ -n "$missing" ]; then
    echo "installing:$missing"
    $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing >/dev/null
  fi
}

# check_png PNG: prints the size and drawn share; exits 3 when the page reaches the bottom edge (window too
# short), 1 when it is blank.
check_png() {
  "$PY" - "$1" <<'PY'
import sys
from PIL import Image
im = Image.open(sys.argv[1]).convert('L')
w, h = im.size
dark = sum(1 for v in im.resize((w // 4, h // 4)).getdata() if v < 200)
print(f'screenshot {w}x{h}, {dark} of {(w // 4) * (h // 4)} sampled pixels drawn')
if dark < 2000:
    print('the page looks blank'); sys.exit(1)
bottom = im.crop((0, h - 120, w, h))
if bottom.getextrema()[0] < 200:
    sys.exit(3)
PY
}

# render REPORT OUT: screenshots the whole page (taller windows until it fits) and checks it.
render() {
  local report=$1 out=$2 abs height status
  abs=$(readlink -f "$report")
  for height in 3000 6000 9000 14000; do
    rm -f "$out"
    timeout 180 chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1300,$height \
      --screenshot="$out" "file://$abs" >/dev/null 2>&1 || true
    [ -s "$out" ] || { echo "Chromium wrote no screenshot for $report" >&2; return 1; }
    status=0
    check_png "$out" || status=$?
    [ "$status" = 3 ] || break
  done
  [ "$status" = 0 ] || { echo "$report: check failed (status $status)" >&2; return 1; }
  echo "report renders: $out"
}

# expect_sections REPORT ID...: each section anchor must be on the page.
expect_sections() {
  local report=$1; shift
  for id in "$@"; do
    grep -q "id='$id'" "$report" || { echo "$report: no section '$id'" >&2; return 1; }
  done
}

ensure_tools
if [ $# -ge 1 ]; then
  [ -f "$1" ] || { echo "$1: no such file" >&2; exit 2; }
  render "$1" "${2:-/tmp/spikeloop-report.png}"
  exit 0
fi

[ -x "$BIN" ] || { echo "$BIN not built; run 'make build' first" >&2; exit 2; }
out=runs/check-report
rm -rf "$out"
mkdir -p "$out"
common=(--dataset fashion-mnist --train-samples 3000 --validation-samples 500 --epochs 3 --seed 1)
"$BIN" train "${common[@]}" --run-dir "$out/software-run" >"$out/software.log"
"$BIN" train "${common[@]}" --substrate chip:1 --decalibration 0.2 --run-dir "$out/chip-run" >"$out/chip.log"
both=(training samples weights activity confusion configuration)
expect_sections "$out/software-run/report.html" "${both[@]}"
expect_sections "$out/chip-run/report.html" "${both[@]}" chip-traces chip
if grep -q "id='chip-traces'" "$out/software-run/report.html"; then
  echo "the software report has chip sections" >&2; exit 1
fi
render "$out/software-run/report.html" "$out/software.png"
render "$out/chip-run/report.html" "$out/chip.png"
echo "screenshots: $out/software.png $out/chip.png"
