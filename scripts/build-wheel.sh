#!/usr/bin/env bash
# Builds a binary wheel of the spikeloop Python package that runs without the Swift toolchain, then checks it.
#
#   scripts/build-wheel.sh [OUT_DIR]        (default dist/)
#
# libSpikeLoopC.so is linked without the toolchain's runtime path (-no-toolchain-stdlib-rpath), so its RUNPATH is
# only $ORIGIN; the Swift runtime and Foundation libraries it loads (ldd) are copied next to it into
# spikeloop/_lib/. Their own RUNPATH is already $ORIGIN. System libraries stay dependencies of the target machine:
# Debian `libopenblas0 libhdf5-103-1 libfftw3-single3 libisal2 zlib1g`.
#
# The check installs the wheel into a fresh venv and trains on the synthetic task in a private mount namespace
# where the toolchain's library folder is hidden (an empty folder mounted over it) and `swift` is not on PATH;
# it fails if any library is loaded from the toolchain. Needs root (unshare -m); SKIP_CHECK=1 skips it.
set -euo pipefail
cd "$(dirname "$0")/.."
out="$(realpath -m "${1:-dist}")"
scratch=.build-wheel  # its own build folder: the flag below would otherwise rebuild .build/release
swift build -c release --product SpikeLoopC --scratch-path "$scratch" -Xswiftc -no-toolchain-stdlib-rpath
lib="$(swift build -c release --scratch-path "$scratch" --show-bin-path)/libSpikeLoopC.so"
runpath="$(readelf -d "$lib" | sed -n 's/.*(RUNPATH).*\[\(.*\)\]/\1/p')"
[ "$runpath" = '$ORIGIN' ] || { echo "error: RUNPATH of $lib is '$runpath', expected \$ORIGIN" >&2; exit 1; }
toolchain="$(realpath "$(dirname "$(command -v swift)")/../lib/swift/linux")"
[ -f "$toolchain/libswiftCore.so" ] || { echo "error: no libswiftCore.so in $toolchain" >&2; exit 1; }
bundle="$(LD_LIBRARY_PATH="$toolchain" ldd "$lib" | awk -v dir="$toolchain/" 'index($3, dir) == 1 {print $3}' | paste -sd:)"
echo "bundling $(echo "$bundle" | tr ':' '\n' | wc -l) Swift runtime libraries from $toolchain"
mkdir -p "$out"
SPIKELOOP_LIBRARY_FILE="$lib" SPIKELOOP_BUNDLE="$bundle" python3 -m pip wheel -q --no-deps --no-build-isolation \
  -w "$out" ./python
wheel="$(ls -t "$out"/spikeloop-*.whl | head -1)"
echo "wheel: $wheel ($(du -h "$wheel" | cut -f1))"
[ "${SKIP_CHECK:-0}" = 1 ] && exit 0
if ! unshare -m --propagation private true 2>/dev/null; then
  echo "skipping the wheel check: no private mount namespace here (needs root: unshare -m)"
  exit 0
fi

venv="$(mktemp -d)/venv"
python3 -m venv "$venv"
"$venv/bin/pip" install -q "$wheel"
empty="$(mktemp -d)"
check='
import spikeloop as sl
train = sl.load_dataset("synthetic", "train", train_samples=1000)
test = sl.load_dataset("synthetic", "test", test_samples=200)
net = sl.Network(64, 10, hidden=[32], init_scale=3.0, batch_size=50)
net.train(train, substrate=sl.Substrate.chip(1, calibrated=False), epochs=2, progress=False)
accuracy = net.evaluate(test).accuracy
maps = open("/proc/self/maps").read()
assert TOOLCHAIN not in maps, "a library was loaded from the toolchain"
assert "site-packages/spikeloop/_lib/libswiftCore.so" in maps
print(f"wheel check: trained without the toolchain, test accuracy {100 * accuracy:.1f} %")
assert accuracy > 0.8
'
unshare -m --propagation private bash -c '
  set -e
  mount --bind "$1" "$2"
  export PATH="$3/bin:/usr/bin:/bin"
  unset LD_LIBRARY_PATH
  ! command -v swift >/dev/null || { echo "swift is still on PATH" >&2; exit 1; }
  [ ! -e "$2/libswiftCore.so" ] || { echo "the toolchain libraries are still visible" >&2; exit 1; }
  cd /tmp && "$3/bin/python" -c "TOOLCHAIN = \"$2/\"; $4"
' _ "$empty" "$toolchain" "$venv" "$check"
