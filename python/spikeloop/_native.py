"""ctypes bindings of libSpikeLoopC (the C ABI in Sources/SpikeLoopC): loading, signatures, errors.

Not API: the public types live in the other modules. Every call that can fail returns a status code (or a
null handle) and leaves a message for the calling thread; ``check`` turns both into exceptions.
"""

import ctypes
import os
from ctypes import POINTER, c_char_p, c_double, c_float, c_int32, c_int64, c_void_p
from pathlib import Path

ABI_VERSION = 1


class SpikeLoopError(Exception):
    """Base class of the errors raised by the SpikeLoop library."""


class SettingError(SpikeLoopError, ValueError):
    """A setting that does not parse or lies out of range; the message names it."""


class CheckpointError(SpikeLoopError, OSError):
    """A checkpoint or file that cannot be read or written."""


class DatasetError(SpikeLoopError, OSError):
    """A built-in dataset that is missing or malformed."""


class DivergedError(SpikeLoopError, ArithmeticError):
    """Training produced a non-finite loss, gradient or weight."""


#: Status codes of the C ABI (`CStatus` in Sources/SpikeLoopC/CError.swift).
_ERRORS = {
    1: ValueError,
    2: SettingError,
    3: CheckpointError,
    4: DatasetError,
    5: DivergedError,
    6: SpikeLoopError,
}

PROGRESS = ctypes.CFUNCTYPE(c_int32, c_int32, c_int32, c_int32, c_double, c_double, c_double, c_void_p)

_F32 = POINTER(c_float)
_I32 = POINTER(c_int32)
_I64 = POINTER(c_int64)
_F64 = POINTER(c_double)

# name: (restype, argtypes)
_SIGNATURES = {
    "sl_abi_version": (c_int32, []),
    "sl_last_error": (c_char_p, []),
    "sl_last_error_code": (c_int32, []),
    "sl_handle_free": (None, [c_void_p]),
    "sl_string_free": (None, [c_void_p]),
    "sl_network_create": (c_void_p, [c_char_p, c_int64, c_int64]),
    "sl_network_load": (c_void_p, [c_char_p]),
    "sl_network_save": (c_int32, [c_void_p, c_char_p]),
    "sl_network_config_json": (c_void_p, [c_void_p]),
    "sl_network_update_config": (c_int32, [c_void_p, c_char_p]),
    "sl_network_layer_count": (c_int32, [c_void_p]),
    "sl_network_layer_shape": (c_int32, [c_void_p, c_int32, _I64, _I64, _I32]),
    "sl_network_get_weights": (c_int32, [c_void_p, c_int32, c_int32, _F32, c_int64]),
    "sl_network_set_weights": (c_int32, [c_void_p, c_int32, c_int32, _F32, c_int64]),
    "sl_substrate_create": (c_void_p, [c_char_p, c_char_p, c_void_p]),
    "sl_substrate_name": (c_void_p, [c_void_p]),
    "sl_batch_create": (c_void_p, [c_int64, c_int64, c_int64, _I32, _I32, _I32, c_int64, _I32]),
    "sl_dataset_load": (c_void_p, [c_char_p, c_int32]),
    "sl_batch_shape": (None, [c_void_p, _I64]),
    "sl_batch_events": (None, [c_void_p, _I32, _I32, _I32, _I32]),
    "sl_run": (c_void_p, [c_void_p, c_void_p, c_void_p]),
    "sl_observation_layer": (c_int32, [c_void_p, c_int32, _F32, _F32, c_int64]),
    "sl_observation_cost": (None, [c_void_p, _F64]),
    "sl_evaluate": (c_int32, [c_void_p, c_void_p, c_void_p, _F64, _I32]),
    "sl_train_epoch": (c_int32, [c_void_p, c_void_p, c_void_p, PROGRESS, c_void_p, _F64]),
    "sl_gradients": (c_int32, [c_void_p, c_void_p, c_void_p, POINTER(_F32), POINTER(_F32), _F64]),
    "sl_train_dataset": (c_void_p, [c_char_p, c_char_p, PROGRESS, c_void_p, POINTER(c_void_p)]),
}


def _library_path() -> Path:
    """``$SPIKELOOP_LIBRARY``, else the library bundled next to this file by the build backend."""
    override = os.environ.get("SPIKELOOP_LIBRARY")
    if override:
        return Path(override)
    return Path(__file__).with_name("_lib") / "libSpikeLoopC.so"


def _load() -> ctypes.CDLL:
    path = _library_path()
    if not path.exists():
        raise ImportError(
            f"libSpikeLoopC.so not found at {path}: install the package with `pip install ./python` (which builds "
            "it with the Swift toolchain) or set SPIKELOOP_LIBRARY to a built .build/release/libSpikeLoopC.so"
        )
    lib = ctypes.CDLL(str(path))
    for name, (restype, argtypes) in _SIGNATURES.items():
        fn = getattr(lib, name)
        fn.restype = restype
        fn.argtypes = argtypes
    version = lib.sl_abi_version()
    if version != ABI_VERSION:
        raise ImportError(f"{path} has C ABI version {version}, this package needs {ABI_VERSION}")
    return lib


lib = _load()


def last_error() -> str:
    message = lib.sl_last_error()
    return message.decode() if message else "unknown error"


def check(status: int) -> None:
    """Raises the exception for a nonzero status code, with the library's message."""
    if status != 0:
        raise _ERRORS.get(status, SpikeLoopError)(last_error())


def check_handle(handle):
    """Returns a non-null handle; a null one raises the thread's last error."""
    if not handle:
        check(lib.sl_last_error_code() or 6)
    return handle


def take_string(pointer) -> str:
    """Decodes and frees a string the library allocated."""
    try:
        return ctypes.cast(pointer, c_char_p).value.decode()
    finally:
        lib.sl_string_free(pointer)


class Handle:
    """Owns one native handle and frees it with the object."""

    __slots__ = ("_handle",)

    def __init__(self, handle):
        self._handle = handle

    @property
    def handle(self):
        return self._handle

    def __del__(self):
        handle, self._handle = getattr(self, "_handle", None), None
        if handle and lib is not None:
            lib.sl_handle_free(handle)
