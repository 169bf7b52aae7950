"""A spiking network with its settings and optimizer state: build, train, evaluate, save."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field

import numpy as np

from . import _native
from ._native import PROGRESS, lib
from .spikes import _Batch, _ptr, settings_json
from .substrate import Substrate


@dataclass(frozen=True)
class Statistics:
    """Figures of a run over samples: loss, accuracy, hidden activity, emulated chip time (s) and energy (J)."""

    samples: int
    accuracy: float
    loss: float
    hidden_spikes_per_sample: float
    substrate_seconds: float
    energy_joules: float

    @classmethod
    def _from(cls, values: np.ndarray) -> "Statistics":
        return cls(int(values[0]), *(float(v) for v in values[1:]))


@dataclass(frozen=True)
class Evaluation(Statistics):
    """Statistics of an evaluation with every sample's predicted class."""

    predictions: np.ndarray = field(default=None, repr=False)


@dataclass(frozen=True)
class Layer:
    """Shape of one layer: weights ``[inputs, neurons]``, recurrent weights ``[neurons, neurons]`` if recurrent."""

    inputs: int
    neurons: int
    recurrent: bool


class _Progress:
    """Adapts a Python progress callable to the C callback; an exception stops training and is re-raised."""

    def __init__(self, progress):
        self.progress = progress
        self.error = None
        self.callback = PROGRESS(self._call)

    def _call(self, epoch, batch, batch_count, loss, accuracy, validation, _user):
        if self.progress is None:
            return 0
        try:
            stop = self.progress(
                dict(
                    epoch=epoch, batch=batch, batch_count=batch_count, loss=loss, accuracy=accuracy,
                    validation_accuracy=None if validation != validation else validation,
                )
            )
            return 1 if stop else 0
        except BaseException as error:  # noqa: BLE001 - re-raised after the native call returns
            self.error = error
            return 1

    def reraise(self):
        if self.error is not None:
            raise self.error


def _print_progress(p):
    if p["validation_accuracy"] is not None:
        print(
            f"epoch {p['epoch']}: loss {p['loss']:.4f}, train {100 * p['accuracy']:.2f} %, "
            f"validation {100 * p['validation_accuracy']:.2f} %"
        )
    elif p["batch"] == p["batch_count"]:
        print(f"epoch {p['epoch']}: loss {p['loss']:.4f}, train {100 * p['accuracy']:.2f} %")


class Network:
    """A network of current-based LIF layers and a leaky readout, with its settings and optimizer state.

    ``Network(inputs, classes, hidden=[64], recurrent=False, seed=1, **settings)`` initializes weights as in
    Cramer et al. 2022 (SD ``init_scale·(1 − β)/√N_in``). Settings are SpikeLoop's run settings in snake case
    (``tau_mem``, ``tau_syn``, ``dt`` in seconds; ``threshold``, ``reset``, ``learning_rate``, ``batch_size``,
    ``loss``, ``surrogate``…); ``dataset`` picks that dataset's defaults (``synthetic`` when absent).
    """

    def __init__(self, inputs: int, classes: int, hidden=(64,), recurrent: bool = False, seed: int = 1, **settings):
        config = settings_json(dict(settings, hidden=list(hidden), recurrent=recurrent, seed=seed))
        self._handle = _native.Handle(_native.check_handle(lib.sl_network_create(config, inputs, classes)))

    @classmethod
    def _wrap(cls, handle) -> "Network":
        net = cls.__new__(cls)
        net._handle = _native.Handle(_native.check_handle(handle))
        return net

    @classmethod
    def load(cls, path) -> "Network":
        """Reads a SpikeLoop checkpoint (``.safetensors``, also those written by ``spikeloop train``)."""
        return cls._wrap(lib.sl_network_load(os.fsencode(path)))

    def save(self, path) -> None:
        """Writes weights, optimizer state and settings as a checkpoint ``spikeloop evaluate`` reads."""
        _native.check(lib.sl_network_save(self._handle.handle, os.fsencode(path)))

    @property
    def config(self) -> dict:
        """Every resolved setting, by its snake-case key (as in config.json and `spikeloop config keys`)."""
        return json.loads(_native.take_string(lib.sl_network_config_json(self._handle.handle)))

    def configure(self, **settings) -> None:
        """Changes training settings (``learning_rate``, ``batch_size``, ``seed``, ``loss``…) in place."""
        _native.check(lib.sl_network_update_config(self._handle.handle, settings_json(settings)))

    @property
    def layers(self) -> list:
        out = []
        for index in range(lib.sl_network_layer_count(self._handle.handle)):
            inputs, neurons = _native.c_int64(), _native.c_int64()
            recurrent = _native.c_int32()
            _native.check(lib.sl_network_layer_shape(self._handle.handle, index, inputs, neurons, recurrent))
            out.append(Layer(inputs.value, neurons.value, bool(recurrent.value)))
        return out

    @property
    def layer_sizes(self) -> list:
        return [layer.neurons for layer in self.layers]

    def weights(self, layer: int, recurrent: bool = False) -> np.ndarray:
        """A copy of a layer's weights: ``[inputs, neurons]`` (row = presynaptic) or ``[neurons, neurons]``."""
        shape = self._weight_shape(layer, recurrent)
        out = np.zeros(shape, dtype=np.float32)
        _native.check(lib.sl_network_get_weights(self._handle.handle, layer, int(recurrent), _ptr(out), out.size))
        return out

    def set_weights(self, layer: int, values, recurrent: bool = False) -> None:
        """Replaces a layer's weights (same layout as ``weights``)."""
        shape = self._weight_shape(layer, recurrent)
        array = np.ascontiguousarray(values, dtype=np.float32)
        if array.shape != shape:
            raise ValueError(f"layer {layer} {'recurrent ' if recurrent else ''}weights are {shape}, got {array.shape}")
        _native.check(lib.sl_network_set_weights(self._handle.handle, layer, int(recurrent), _ptr(array), array.size))

    def _weight_shape(self, layer: int, recurrent: bool) -> tuple:
        layers = self.layers
        if not 0 <= layer < len(layers):
            raise IndexError(f"layer {layer} out of 0..<{len(layers)}")
        spec = layers[layer]
        if recurrent and not spec.recurrent:
            raise ValueError(f"layer {layer} is not recurrent")
        return (spec.neurons, spec.neurons) if recurrent else (spec.inputs, spec.neurons)

    def train(self, spikes, labels=None, substrate: Substrate | None = None, epochs: int = 1, progress=True) -> list:
        """Trains on labelled spikes (dense ``[B, T, C]`` 0/1, ``Events`` or a ``Dataset``) with BPTT on what
        ``substrate`` records (software by default; a chip trains in the loop). Returns one ``Statistics`` per
        epoch. ``progress``: True prints each epoch, a callable gets a dict per batch (return True to stop; the
        weights keep the batches trained so far, and the next call runs that epoch again from its first batch).
        """
        substrate = substrate or Substrate.software()
        batch = _Batch.make(spikes, labels)
        native = substrate._for(self)
        adapter = _Progress(_print_progress if progress is True else progress or None)
        history = []
        for _ in range(epochs):
            stats = np.zeros(6, dtype=np.float64)
            status = lib.sl_train_epoch(
                self._handle.handle, native.handle, batch.handle, adapter.callback, None, stats.ctypes.data_as(_native._F64)
            )
            adapter.reraise()
            _native.check(status)
            history.append(Statistics._from(stats))
        return history

    def evaluate(self, spikes, labels=None, substrate: Substrate | None = None) -> Evaluation:
        """Accuracy, loss and activity on labelled spikes, with the predicted class of every sample."""
        substrate = substrate or Substrate.software()
        batch = _Batch.make(spikes, labels)
        stats = np.zeros(6, dtype=np.float64)
        predictions = np.zeros(spikes.shape[0], dtype=np.int32)
        _native.check(
            lib.sl_evaluate(
                self._handle.handle, substrate._for(self).handle, batch.handle, stats.ctypes.data_as(_native._F64),
                _ptr(predictions),
            )
        )
        base = Statistics._from(stats)
        return Evaluation(**base.__dict__, predictions=predictions)

    def gradients(self, spikes, labels=None, substrate: Substrate | None = None):
        """BPTT gradients of the batch-mean loss (without the weight L2 term) on what ``substrate`` records.

        Returns ``(weights, recurrent, statistics)``: per layer an array shaped like ``weights(l)``, and the
        recurrent one (None for feed-forward layers). Deterministic: one worker, no tie-break noise.
        """
        substrate = substrate or Substrate.software()
        batch = _Batch.make(spikes, labels)
        layers = self.layers
        grads = [np.zeros((s.inputs, s.neurons), dtype=np.float32) for s in layers]
        recurrent = [np.zeros((s.neurons, s.neurons), dtype=np.float32) if s.recurrent else None for s in layers]
        weight_ptrs = (_native._F32 * len(layers))(*(_ptr(g) for g in grads))
        recurrent_ptrs = (_native._F32 * len(layers))(*(_ptr(r) if r is not None else None for r in recurrent))
        stats = np.zeros(6, dtype=np.float64)
        _native.check(
            lib.sl_gradients(
                self._handle.handle, substrate._for(self).handle, batch.handle, weight_ptrs, recurrent_ptrs,
                stats.ctypes.data_as(_native._F64),
            )
        )
        return grads, recurrent, Statistics._from(stats)

    def __repr__(self) -> str:
        sizes = [self.layers[0].inputs] + self.layer_sizes
        kind = "recurrent " if any(layer.recurrent for layer in self.layers) else ""
        return f"Network({kind}{'-'.join(map(str, sizes))})"


def train_dataset(dataset: str, run_dir, progress=True, **settings):
    """Trains on a built-in dataset as ``spikeloop train`` does, writing the run directory (config, metrics,
    checkpoints, report). Returns ``(network, result)``: the tested network and the CLI's ``--json`` result.
    ``progress``: True prints each epoch, a callable gets a dict per epoch (return True to stop).
    """
    adapter = _Progress(_print_progress if progress is True else progress or None)
    result = _native.c_void_p()
    handle = lib.sl_train_dataset(
        settings_json(dict(settings, dataset=dataset)), os.fsencode(run_dir), adapter.callback, None, result
    )
    adapter.reraise()
    network = Network._wrap(handle)
    return network, json.loads(_native.take_string(result))
