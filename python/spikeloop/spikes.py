"""Input spike trains: dense ``[B, T, C]`` 0/1 arrays or event lists, and the built-in datasets."""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np

from . import _native
from ._native import lib


@dataclass(frozen=True)
class Events:
    """Spike events of a batch: sample, step and channel index per event, and the batch shape ``(B, T, C)``.

    The sparse form the library consumes (a latency-coded image spikes at most once per channel).
    """

    samples: np.ndarray
    steps: np.ndarray
    channels: np.ndarray
    shape: tuple

    @classmethod
    def from_dense(cls, dense) -> "Events":
        """Events of a dense ``[B, T, C]`` array of 0s and 1s (bool or numeric)."""
        dense = np.asarray(dense)
        if dense.ndim != 3:
            raise ValueError(f"dense spikes must be [batch, steps, channels], got shape {dense.shape}")
        if dense.dtype != np.bool_ and not np.isin(dense, (0, 1)).all():
            raise ValueError("dense spikes must hold only 0 and 1")
        s, t, c = np.nonzero(dense)
        return cls(s.astype(np.int32), t.astype(np.int32), c.astype(np.int32), tuple(int(n) for n in dense.shape))

    def to_dense(self) -> np.ndarray:
        """The events as a ``[B, T, C]`` float32 array of 0s and 1s."""
        out = np.zeros(self.shape, dtype=np.float32)
        out[self.samples, self.steps, self.channels] = 1
        return out

    def __len__(self) -> int:
        return self.shape[0]


@dataclass(frozen=True)
class Dataset:
    """One encoded split of a built-in dataset: its spike events and labels."""

    events: Events
    labels: np.ndarray

    @property
    def shape(self) -> tuple:
        return self.events.shape

    def __len__(self) -> int:
        return len(self.events)


class _Batch(_native.Handle):
    """A native spike batch (events plus labels)."""

    __slots__ = ()

    @classmethod
    def make(cls, spikes, labels=None) -> "_Batch":
        events = spikes if isinstance(spikes, Events) else spikes.events if isinstance(spikes, Dataset) else None
        if events is None:
            events = Events.from_dense(spikes)
        if labels is None and isinstance(spikes, Dataset):
            labels = spikes.labels
        b, t, c = events.shape
        arrays = [np.ascontiguousarray(a, dtype=np.int32) for a in (events.samples, events.steps, events.channels)]
        if not len(arrays[0]) == len(arrays[1]) == len(arrays[2]):
            raise ValueError(f"event arrays differ in length: {[len(a) for a in arrays]}")
        label_array = None
        if labels is not None:
            label_array = np.ascontiguousarray(labels, dtype=np.int32).reshape(-1)
            if len(label_array) != b:
                raise ValueError(f"need one label per sample: {b} samples, {len(label_array)} labels")
        handle = lib.sl_batch_create(
            b, t, c, *(_ptr(a) for a in arrays), len(arrays[0]), None if label_array is None else _ptr(label_array)
        )
        return cls(_native.check_handle(handle))

    def to_dataset(self) -> Dataset:
        shape = np.zeros(4, dtype=np.int64)
        lib.sl_batch_shape(self.handle, shape.ctypes.data_as(_native._I64))
        b, t, c, n = (int(x) for x in shape)
        samples, steps, channels = (np.zeros(n, dtype=np.int32) for _ in range(3))
        labels = np.zeros(b, dtype=np.int32)
        lib.sl_batch_events(self.handle, _ptr(samples), _ptr(steps), _ptr(channels), _ptr(labels))
        return Dataset(Events(samples, steps, channels, (b, t, c)), labels)


def _ptr(array: np.ndarray):
    if array.dtype == np.int32:
        return array.ctypes.data_as(_native._I32)
    if array.dtype == np.float32:
        return array.ctypes.data_as(_native._F32)
    raise TypeError(f"no pointer type for {array.dtype}")


_SPLITS = {"train": 0, "validation": 1, "test": 2}


def load_dataset(name: str, split: str = "train", **settings) -> Dataset:
    """Loads and encodes a split (``train``, ``validation``, ``test``) of a built-in dataset.

    ``name`` is ``synthetic`` (no files needed), ``mnist``, ``fashion-mnist`` or ``shd``; settings are the run
    settings in snake case (``data_dir``, ``train_samples``, ``test_samples``, ``steps``, ``image_size``…).
    """
    if split not in _SPLITS:
        raise ValueError(f"split must be one of {sorted(_SPLITS)}, got {split!r}")
    handle = lib.sl_dataset_load(settings_json(dict(settings, dataset=name)), _SPLITS[split])
    return _Batch(_native.check_handle(handle)).to_dataset()


def settings_json(settings: dict) -> bytes:
    """Settings with snake-case keys (the library's setting names, as in config.json) as JSON, None values dropped."""
    return json.dumps({k: v for k, v in settings.items() if v is not None}).encode()
