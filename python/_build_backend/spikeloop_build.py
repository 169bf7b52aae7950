"""PEP 517 build backend of the spikeloop package: builds libSpikeLoopC.so with the local Swift toolchain.

``pip install ./python`` calls ``build_wheel``: it runs ``swift build -c release --product SpikeLoopC`` in the
repository root (the folder above ``python/``, or ``$SPIKELOOP_SOURCE``) with the Makefile's flags
(``-target-cpu native``, so that ``make build`` and ``pip install`` share ``.build/release`` instead of rebuilding
it in turn; ``$SPIKELOOP_SWIFT_FLAGS`` replaces them, empty for a portable build), copies the library into
``spikeloop/_lib/`` and writes a platform wheel. ``$SPIKELOOP_LIBRARY_FILE`` bundles an already built library
instead (what ``scripts/build-wheel.sh`` uses). No third-party build requirements: the wheel is a zip file.
"""

import base64
import hashlib
import os
import subprocess
import sysconfig
import zipfile
from pathlib import Path

NAME = "spikeloop"
VERSION = "0.1.0"
PACKAGE_ROOT = Path(__file__).resolve().parent.parent


def _repository() -> Path:
    return Path(os.environ.get("SPIKELOOP_SOURCE", PACKAGE_ROOT.parent))


def _build_library() -> Path:
    prebuilt = os.environ.get("SPIKELOOP_LIBRARY_FILE")
    if prebuilt:
        return Path(prebuilt)
    root = _repository()
    if not (root / "Package.swift").exists():
        raise RuntimeError(f"no Package.swift in {root}: set SPIKELOOP_SOURCE to the SpikeLoop repository")
    swift = os.environ.get("SWIFT", "swift")
    flags = os.environ.get("SPIKELOOP_SWIFT_FLAGS", "-Xswiftc -target-cpu -Xswiftc native").split()
    command = [swift, "build", "-c", "release", "--product", "SpikeLoopC", *flags]
    print("spikeloop: " + " ".join(command), flush=True)
    subprocess.run(command, cwd=root, check=True)
    bin_path = subprocess.run(
        [swift, "build", "-c", "release", "--show-bin-path"], cwd=root, check=True, capture_output=True, text=True
    ).stdout.strip()
    return Path(bin_path) / "libSpikeLoopC.so"


def _tag() -> str:
    platform = sysconfig.get_platform().replace("-", "_").replace(".", "_")
    return f"py3-none-{platform}"


def _metadata() -> str:
    return (
        "Metadata-Version: 2.1\n"
        f"Name: {NAME}\nVersion: {VERSION}\n"
        "Summary: Train spiking neural networks in software or in the loop on an emulated analog chip\n"
        "Requires-Python: >=3.9\nRequires-Dist: numpy\n"
        "Provides-Extra: test\nRequires-Dist: pytest; extra == \"test\"\n"
        "Provides-Extra: torch\nRequires-Dist: torch; extra == \"torch\"\n"
    )


def _record_line(name: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{name},sha256={digest},{len(data)}"


def _files(library: Path, extra_libraries=()) -> dict:
    """Archive name → bytes of everything in the wheel except dist-info."""
    files = {}
    for path in sorted((PACKAGE_ROOT / NAME).rglob("*.py")):
        files[str(path.relative_to(PACKAGE_ROOT))] = path.read_bytes()
    files[f"{NAME}/_lib/libSpikeLoopC.so"] = library.read_bytes()
    for extra in extra_libraries:
        files[f"{NAME}/_lib/{Path(extra).name}"] = Path(extra).read_bytes()
    return files


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    library = _build_library()
    extras = [p for p in os.environ.get("SPIKELOOP_BUNDLE", "").split(os.pathsep) if p]
    files = _files(library, extras)
    dist_info = f"{NAME}-{VERSION}.dist-info"
    tag = _tag()
    files[f"{dist_info}/METADATA"] = _metadata().encode()
    files[f"{dist_info}/WHEEL"] = (
        f"Wheel-Version: 1.0\nGenerator: spikeloop_build\nRoot-Is-Purelib: false\nTag: {tag}\n"
    ).encode()
    files[f"{dist_info}/top_level.txt"] = f"{NAME}\n".encode()
    record = [_record_line(name, data) for name, data in files.items()] + [f"{dist_info}/RECORD,,"]
    files[f"{dist_info}/RECORD"] = ("\n".join(record) + "\n").encode()
    wheel_name = f"{NAME}-{VERSION}-{tag}.whl"
    with zipfile.ZipFile(Path(wheel_directory) / wheel_name, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
            info.external_attr = (0o755 if name.endswith(".so") or ".so." in name else 0o644) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return wheel_name


def build_sdist(sdist_directory, config_settings=None):
    raise RuntimeError("spikeloop builds from the repository checkout: use `pip install ./python`")


def get_requires_for_build_wheel(config_settings=None):
    return []


