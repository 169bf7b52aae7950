"""Substrates (the ideal software simulator, emulated analog chips) and what they record."""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np

from . import _native
from ._native import lib
from .spikes import _Batch, _ptr


@dataclass(frozen=True)
class LayerObservation:
    """What was recorded of one layer: spikes and membranes, each ``[B, T, n]`` float32.

    Membranes are in normalized units (leak 0, threshold 1); a chip's are ADC samples on the model grid.
    The readout layer does not spike (its spikes are zeros).
    """

    spikes: np.ndarray
    membranes: np.ndarray


@dataclass(frozen=True)
class Observation:
    """What a substrate recorded of a batch: every layer, and the emulated chip time (s) and energy (J)."""

    layers: list
    substrate_seconds: float
    energy_joules: float

    @property
    def readout(self) -> LayerObservation:
        return self.layers[-1]

    @property
    def hidden(self) -> list:
        return self.layers[:-1]


class Substrate:
    """Where a network runs: ``Substrate.software()`` or an emulated analog chip ``Substrate.chip(seed)``.

    A chip instance is fixed by its seed (its fixed-pattern mismatch); it is calibrated to the time constants
    of the network it first runs, so the native substrate is made per network time constants and reused.
    """

    def __init__(self, spec: str, **chip_options):
        self.spec = spec
        self.chip_options = chip_options
        self._native = {}

    @classmethod
    def software(cls) -> "Substrate":
        """The ideal software simulator: exact dynamics, exact recordings."""
        return cls("software")

    @classmethod
    def chip(
        cls,
        seed: int = 1,
        *,
        calibrated: bool = True,
        mismatch_scale: float = 1.0,
        noise: float | None = None,
        decalibration: float = 0.0,
        substeps: int | None = None,
    ) -> "Substrate":
        """An emulated analog chip instance (mismatch drawn from ``seed``, 6-bit weights, noise, 8-bit ADC).

        ``mismatch_scale`` multiplies every mismatch spread; ``noise`` is the membrane noise SD in threshold
        units (None: the chip default); ``decalibration`` the relative spread of τ_m, τ_s and the threshold
        applied after calibration; ``substeps`` integration substeps per model step (None: default).
        """
        if not isinstance(seed, int) or seed < 0:
            raise ValueError(f"chip seed must be a non-negative integer, got {seed!r}")
        options = {
            "calibrated": calibrated,
            "mismatchScale": mismatch_scale,
            "noise": noise,
            "decalibration": decalibration,
            "substeps": substeps,
        }
        return cls(f"chip:{seed}", **{k: v for k, v in options.items() if v is not None})

    @property
    def is_chip(self) -> bool:
        return self.spec.startswith("chip")

    def __repr__(self) -> str:
        return f"Substrate({self.spec!r})"

    def _for(self, network) -> _native.Handle:
        """The native substrate for ``network`` (a chip calibrated to its time constants)."""
        config = network.config
        key = (config["tau_mem"], config["tau_syn"], config["dt"]) if self.is_chip else None
        if key not in self._native:
            options = json.dumps(self.chip_options).encode()
            handle = lib.sl_substrate_create(self.spec.encode(), options, network._handle.handle if self.is_chip else None)
            self._native[key] = _native.Handle(_native.check_handle(handle))
        return self._native[key]

    def run(self, network, spikes) -> Observation:
        """Runs ``network`` on ``spikes`` (dense ``[B, T, C]`` 0/1, ``Events`` or a ``Dataset``) and records it."""
        batch = _Batch.make(spikes)
        handle = _native.Handle(
            _native.check_handle(lib.sl_run(self._for(network).handle, network._handle.handle, batch.handle))
        )
        b, t, _ = spikes.shape
        layers = []
        for size in network.layer_sizes:
            spikes_out = np.zeros((b, t, size), dtype=np.float32)
            membranes = np.zeros((b, t, size), dtype=np.float32)
            _native.check(
                lib.sl_observation_layer(handle.handle, len(layers), _ptr(spikes_out), _ptr(membranes), spikes_out.size)
            )
            layers.append(LayerObservation(spikes_out, membranes))
        cost = np.zeros(2, dtype=np.float64)
        lib.sl_observation_cost(handle.handle, cost.ctypes.data_as(_native._F64))
        return Observation(layers, float(cost[0]), float(cost[1]))
